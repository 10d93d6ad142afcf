//! Debug logging: each call logs method, path, status, latency and request id; never the API
//! key or card data.
//!
//! Its own test binary: `tracing` caches per call site whether anyone listens, process-wide,
//! so a subscriber must be in place before any other test's thread reaches the SDK's call
//! sites.

use kassa::Client;
use kassa::{CreatePaymentIntent, Currency, PaymentMethodData};
use kassa_testkit::spawn_app;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn calls_are_logged_without_secrets() {
    let app = spawn_app().await;
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let kassa = Client::builder(&app.merchant.secret_key).base_url(app.url("")).build().unwrap();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let card = PaymentMethodData::card("4000000000009995", 12, 2034, "737");
    kassa
        .payment_intents()
        .create(&CreatePaymentIntent::new(100, Currency::USD).payment_method_data(card))
        .await
        .unwrap();
    let _ = kassa.payment_intents().retrieve("pi_000000000000000000000000").await;

    let logged = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let line = logged
        .lines()
        .find(|l| l.contains("kassa request") && l.contains("status=200"))
        .unwrap_or_else(|| panic!("{logged}"));
    assert!(
        line.contains("method=POST") && line.contains("path=/v1/payment_intents") && line.contains("elapsed_ms="),
        "{line}"
    );
    assert!(line.contains("request_id=req_"), "{line}");
    assert!(logged.contains("status=404"), "failures are logged too: {logged}");
    assert!(!logged.contains(&app.merchant.secret_key), "the API key was logged");
    // A bare "737" can turn up in random ids or timings, so look for it as a value, not as digits.
    let cvc_logged = ["\"737\"", "=737 ", "=737\n", ": 737"].iter().any(|v| logged.contains(v));
    assert!(!logged.contains("4000000000009995") && !cvc_logged, "card data was logged: {logged}");
}
