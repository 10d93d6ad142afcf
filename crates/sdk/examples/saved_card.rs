//! Save a customer's card once, charge it later without them: a setup checkout session, the
//! customer on the hosted page, then a payment with the token (a subscription's monthly charge).
//!
//! ```sh
//! KASSA_API_KEY=sk_test_… cargo run -p kassa --example saved_card
//! # open the printed URL, save the test card 4242 4242 4242 4242
//! ```

use kassa::{Client, Consumer, CreateCheckoutSession, CreatePaymentIntent, Currency, PaymentIntent, TokenStatus};
use std::time::Duration;

/// Opens a setup session for `email`: the customer saves a card at `url`; the card will be in
/// `token`. Returns `(url, token)`.
pub async fn start(kassa: &Client, email: &str) -> Result<(String, String), kassa::Error> {
    let params = CreateCheckoutSession::setup(Currency::new("NOK"), "https://shop.example/subscribed")
        .consumer(Consumer { email: Some(email.to_owned()), ..Default::default() })
        .cancel_url("https://shop.example/plans")
        .metadata("plan", "monthly");
    let session = kassa.checkout_sessions().create(&params).await?;
    let token = session.token.expect("a setup session names its token");
    Ok((session.url, token))
}

/// Waits until the customer has saved a card (or it was refused).
pub async fn wait_for_card(kassa: &Client, token: &str, patience: Duration) -> Result<TokenStatus, kassa::Error> {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        let status = kassa.tokens().retrieve(token).await?.status;
        if status != TokenStatus::RequiresAuthorization || tokio::time::Instant::now() >= deadline {
            return Ok(status);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// This month's charge: one idempotency key per subscription and month, so a retried job can
/// never charge twice.
pub async fn charge_month(kassa: &Client, token: &str, month: &str) -> Result<PaymentIntent, kassa::Error> {
    let params = CreatePaymentIntent::new(9900, Currency::new("NOK"))
        .token(token)
        .confirm(true)
        .description(format!("Subscription, {month}"));
    let pi = kassa.payment_intents().create(&params).idempotency_key(format!("{token}-{month}")).await?;
    kassa.payment_intents().wait_until_settled(&pi.id, Duration::from_secs(30)).await
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), kassa::Error> {
    let kassa = Client::from_env()?;
    let (url, token) = start(&kassa, "kari@example.com").await?;
    println!("save a card at {url}");
    match wait_for_card(&kassa, &token, Duration::from_secs(600)).await? {
        TokenStatus::Active => {
            let pi = charge_month(&kassa, &token, "2026-12").await?;
            println!("charged {} {} with {token}: {}", pi.amount, pi.currency, pi.status);
        }
        other => println!("no card saved ({other})"),
    }
    Ok(())
}
