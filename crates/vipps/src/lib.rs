//! A Rust client for Vipps MobilePay's Checkout v3 and ePayment v1 APIs: the surface of
//! `@vippsno/vipps-sdk` (source document 003) without its faults. The base URL override works
//! for every call (the Node SDK fetches tokens from Vipps' test host whatever it is told, and
//! accepts no port above 9999), a 4xx is not retried (the Node SDK retries everything five
//! times), refusals come back as typed problem details, and webhook signatures and Checkout
//! callback tokens can be checked.
//!
//! ```no_run
//! use vipps::{Config, CreatePaymentRequest, Money, TEST_URL, Vipps};
//! # async fn run() -> Result<(), vipps::VippsError> {
//! let vipps = Vipps::new(Config::new("client-id", "client-secret", "subscription-key", "123456", TEST_URL))?;
//! let request = CreatePaymentRequest::web_redirect(Money::nok(1000), "order-12345678", "https://shop.example/return");
//! let created = vipps.epayment().create_payment(&request).await?;
//! println!("send the customer to {:?}", created.redirect_url);
//! vipps.epayment().capture_payment("order-12345678", Money::nok(1000)).await?;
//! # Ok(()) }
//! ```

mod client;
mod error;
mod types;
mod webhooks;

pub use client::{Checkout, Config, EPayment, PRODUCTION_URL, RegisteredWebhook, System, TEST_URL, Vipps, Webhooks};
pub use error::{Problem, VippsError};
pub use types::*;
pub use webhooks::{SignatureError, WebhookRequest, verify_callback_token, verify_webhook, webhook_signature};
