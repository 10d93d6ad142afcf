//! A merchant backend in axum that takes a payment for a browser checkout: the Rust twin of
//! the Express example in ProBuy's SDK documentation.
//!
//! - `POST /api/checkout/create` with `{"amount", "currency", "card": {number, exp_month,
//!   exp_year, cvc}}` creates and confirms a payment intent and answers
//!   `{"success": true, "payment_intent_id", "status"}`.
//! - `GET /api/checkout/{id}` answers `{"success": true, "data": <the payment intent>}`.
//!
//! Errors answer `{"success": false, "error", "code"}` with the gateway's status.
//!
//! ```sh
//! KASSA_API_KEY=sk_test_… cargo run -p kassa --example axum_checkout
//! curl -s localhost:3000/api/checkout/create -H 'content-type: application/json' \
//!   -d '{"amount": 2599, "currency": "USD", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}'
//! ```

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kassa::{Client, CreatePaymentIntent, Currency, PaymentMethodData};
use serde_json::{Value, json};

/// The JSON the browser posts.
#[derive(serde::Deserialize)]
pub struct CheckoutRequest {
    amount: i64,
    currency: String,
    card: kassa::CardData,
}

/// `kassa::Error` as the JSON this backend answers with.
pub struct CheckoutError(kassa::Error);

impl IntoResponse for CheckoutError {
    fn into_response(self) -> Response {
        eprintln!("checkout error: {}", self.0);
        let status = self.0.status().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::BAD_GATEWAY);
        let code = self.0.info().map(|i| i.code.clone()).unwrap_or_else(|| "gateway_unreachable".into());
        (status, Json(json!({"success": false, "error": self.0.to_string(), "code": code}))).into_response()
    }
}

async fn create(State(kassa): State<Client>, Json(req): Json<CheckoutRequest>) -> Result<Json<Value>, CheckoutError> {
    let card = req.card;
    let params = CreatePaymentIntent::new(req.amount, Currency::new(req.currency))
        .payment_method_data(PaymentMethodData::card(card.number, card.exp_month, card.exp_year, card.cvc))
        .confirm(true);
    let pi = kassa.payment_intents().create(&params).await.map_err(CheckoutError)?;
    Ok(Json(json!({"success": true, "payment_intent_id": pi.id, "status": pi.status})))
}

async fn status(State(kassa): State<Client>, Path(id): Path<String>) -> Result<Json<Value>, CheckoutError> {
    let pi = kassa.payment_intents().retrieve(&id).await.map_err(CheckoutError)?;
    Ok(Json(json!({"success": true, "data": pi})))
}

/// The backend's routes.
pub fn app(kassa: Client) -> Router {
    Router::new().route("/api/checkout/create", post(create)).route("/api/checkout/{id}", get(status)).with_state(kassa)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let kassa = Client::from_env()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("Checkout backend on http://127.0.0.1:3000 (gateway {})", kassa.base_url());
    axum::serve(listener, app(kassa)).await?;
    Ok(())
}
