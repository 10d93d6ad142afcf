//! The document's ePayment example in Rust: create a payment, let the customer approve it (in
//! test mode, force-approve), capture it, read its log.
//!
//! ```sh
//! VIPPS_CLIENT_ID=mer_… VIPPS_CLIENT_SECRET=sk_test_… VIPPS_SUBSCRIPTION_KEY=pk_test_… \
//! VIPPS_MSN=123456 VIPPS_BASE_URL=http://127.0.0.1:4242 cargo run -p vipps --example epayment
//! ```
//! Without `VIPPS_BASE_URL` it talks to Vipps' test environment.

use vipps::{Config, CreatePaymentRequest, Money, TEST_URL, Vipps};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let base = std::env::var("VIPPS_BASE_URL").unwrap_or_else(|_| TEST_URL.to_owned());
    let vipps = Vipps::new(Config::new(
        var("VIPPS_CLIENT_ID")?,
        var("VIPPS_CLIENT_SECRET")?,
        var("VIPPS_SUBSCRIPTION_KEY")?,
        var("VIPPS_MSN")?,
        base,
    ))?;
    let reference = format!("order-{}", std::process::id() as u64 * 1000 + 12345);
    let mut request = CreatePaymentRequest::web_redirect(Money::nok(1000), &reference, "https://example.com/redirect");
    request.payment_description = Some("One pair of socks".into());
    let created = vipps.epayment().create_payment(&request).await?;
    println!("created {}; the customer approves at {:?}", created.reference, created.redirect_url);
    vipps.epayment().force_approve_payment(&reference, None).await?;
    let captured = vipps.epayment().capture_payment(&reference, Money::nok(1000)).await?;
    println!("{:?}, captured {} øre", captured.state, captured.aggregate.captured_amount.value);
    for event in vipps.epayment().get_payment_event_log(&reference).await? {
        println!("  {} {} øre", event.name, event.amount.value);
    }
    Ok(())
}
