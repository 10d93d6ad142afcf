//! Walk every payment intent with the lazy stream, a page at a time under the hood.
//!
//! ```sh
//! KASSA_API_KEY=sk_test_… cargo run -p kassa --example list_stream
//! ```

use futures_util::TryStreamExt;
use kassa::{Client, ListPaymentIntents, PaymentIntentStatus};

/// Counts payment intents by status; returns how many it saw.
pub async fn run(kassa: &Client) -> Result<usize, kassa::Error> {
    let mut seen = 0;
    let mut succeeded = 0;
    let mut all = std::pin::pin!(kassa.payment_intents().list_all(ListPaymentIntents::default().limit(50)));
    while let Some(pi) = all.try_next().await? {
        seen += 1;
        if pi.status == PaymentIntentStatus::Succeeded {
            succeeded += 1;
        }
    }
    println!("{seen} payment intents, {succeeded} succeeded");
    Ok(seen)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), kassa::Error> {
    run(&Client::from_env()?).await.map(|_| ())
}
