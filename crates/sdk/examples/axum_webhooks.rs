//! An axum webhook receiver: registers itself with the gateway, then verifies and handles
//! every delivery with the `KassaEvent` extractor (feature `axum`). Deliveries are at least
//! once, so it remembers which event ids it has handled.
//!
//! ```sh
//! KASSA_API_KEY=sk_test_… cargo run -p kassa --features axum --example axum_webhooks
//! ```

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::post;
use kassa::webhooks::axum::{KassaEvent, WebhookSecret};
use kassa::{Client, CreateWebhookEndpoint, PaymentIntent};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The receiver's state: the endpoint's secret and the events handled so far.
#[derive(Clone)]
pub struct Receiver {
    secret: WebhookSecret,
    /// Event ids handled, in order.
    pub handled: Arc<Mutex<Vec<String>>>,
    seen: Arc<Mutex<HashSet<String>>>,
}

impl FromRef<Receiver> for WebhookSecret {
    fn from_ref(r: &Receiver) -> WebhookSecret {
        r.secret.clone()
    }
}

async fn receive(State(receiver): State<Receiver>, KassaEvent(event): KassaEvent) -> &'static str {
    if !receiver.seen.lock().unwrap().insert(event.id.clone()) {
        return "duplicate";
    }
    if event.kind == "payment_intent.succeeded"
        && let Ok(pi) = event.object_as::<PaymentIntent>()
    {
        println!("paid: {} {} {}", pi.id, pi.amount_captured, pi.currency);
    }
    receiver.handled.lock().unwrap().push(event.id);
    "ok"
}

/// Registers `public_url` for every event and returns the receiver's router and state.
pub async fn setup(kassa: &Client, public_url: &str) -> Result<(Router, Receiver), kassa::Error> {
    let endpoint = kassa.webhook_endpoints().create(&CreateWebhookEndpoint::new(public_url, ["*"])).await?;
    let secret = WebhookSecret(endpoint.secret.expect("shown at creation"));
    let receiver = Receiver { secret, handled: Arc::default(), seen: Arc::default() };
    let router = Router::new().route("/webhooks", post(receive)).with_state(receiver.clone());
    Ok((router, receiver))
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kassa = Client::from_env()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
    let (router, _) = setup(&kassa, "http://127.0.0.1:3001/webhooks").await?;
    println!("Receiving webhooks on http://127.0.0.1:3001/webhooks");
    axum::serve(listener, router).await?;
    Ok(())
}
