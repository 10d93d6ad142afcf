//! The document's flow in Rust: a checkout session, the customer's URL, then (once paid) a
//! capture and a refund.
//!
//! ```sh
//! SMARTPAY_SECRET_KEY=sk_test_… SMARTPAY_API_PREFIX=http://127.0.0.1:4242/smartpay/v1 \
//!   cargo run -p smartpay --example checkout
//! ```

use smartpay::{Address, CaptureMethod, CheckoutSessionRequest, Config, CustomerInfo, Item, ShippingInfo, Smartpay};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("SMARTPAY_SECRET_KEY").map_err(|_| "set SMARTPAY_SECRET_KEY")?;
    let mut config = Config::default();
    if let Ok(prefix) = std::env::var("SMARTPAY_API_PREFIX") {
        config.api_prefix = prefix;
    }
    let smartpay = Smartpay::new(key, config)?;
    let session = smartpay
        .create_checkout_session(&CheckoutSessionRequest {
            currency: "JPY".into(),
            items: vec![Item::new("オリジナルス STAN SMITH", 250, "JPY", 2)],
            customer_info: CustomerInfo {
                email_address: Some("merchant-support@smartpay.co".into()),
                ..Default::default()
            },
            shipping_info: ShippingInfo {
                address: Address {
                    line1: "北青山 3-6-7".into(),
                    locality: "港区".into(),
                    postal_code: "107-0061".into(),
                    country: "JP".into(),
                    ..Default::default()
                },
                fee_amount: Some(100),
                fee_currency: Some("JPY".into()),
            },
            capture_method: Some(CaptureMethod::Manual),
            reference: Some("order_ref_1234567".into()),
            success_url: "https://docs.smartpay.co/example-pages/checkout-successful".into(),
            cancel_url: "https://docs.smartpay.co/example-pages/checkout-canceled".into(),
            ..Default::default()
        })
        .await?;
    println!("session {}: send the customer to {}", session.id, session.url);
    if let Some(order) = &session.order {
        let order = smartpay.get_order(order.id(), false).await?;
        println!("order {} is {:?} for {} {}", order.id, order.status, order.amount, order.currency);
    }
    Ok(())
}
