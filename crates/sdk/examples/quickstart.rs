//! Create a payment, confirm it with a test card, capture part of it, refund some.
//!
//! ```sh
//! KASSA_API_KEY=sk_test_… cargo run -p kassa --example quickstart
//! ```

use kassa::{
    CaptureMethod, CapturePaymentIntent, Client, ConfirmPaymentIntent, CreatePaymentIntent, CreateRefund, Currency,
    PaymentIntentStatus, RefundReason,
};
use std::time::Duration;

/// The whole walk-through; `main` only builds the client.
pub async fn run(kassa: &Client) -> Result<(), kassa::Error> {
    let intents = kassa.payment_intents();
    let order = format!("order-{}", std::process::id());

    let pi = intents
        .create(
            &CreatePaymentIntent::new(2599, Currency::USD)
                .capture_method(CaptureMethod::Manual)
                .description("Two coffees")
                .metadata("order", &order),
        )
        .idempotency_key(&order)
        .await?;
    println!("created   {} ({}, {} {})", pi.id, pi.status, pi.amount, pi.currency);

    intents.confirm(&pi.id, &ConfirmPaymentIntent::with_payment_method("pm_card_visa")).await?;
    let pi = intents.wait_until_settled(&pi.id, Duration::from_secs(30)).await?;
    println!("confirmed {} ({}, {} authorized)", pi.id, pi.status, pi.amount_authorized);
    assert_eq!(pi.status, PaymentIntentStatus::RequiresCapture);

    let pi = intents.capture(&pi.id, &CapturePaymentIntent::all().amount_to_capture(2000)).await?;
    println!("captured  {} ({}, {} captured, {} released)", pi.id, pi.status, pi.amount_captured, pi.amount_canceled);

    let refund = kassa
        .refunds()
        .create(&CreateRefund::new(&pi.id).amount(500).reason(RefundReason::RequestedByCustomer))
        .await?;
    println!("refunded  {} of {} ({})", refund.amount, pi.id, refund.status);
    Ok(())
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), kassa::Error> {
    run(&Client::from_env()?).await
}
