//! The smallest program that uses the SDK (used to measure binary size).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), kassa::Error> {
    let kassa = kassa::Client::from_env()?;
    let pi = kassa.payment_intents().create(&kassa::CreatePaymentIntent::new(100, kassa::Currency::EUR)).await?;
    println!("{}", pi.id);
    Ok(())
}
