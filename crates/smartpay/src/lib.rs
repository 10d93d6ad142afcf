//! A Rust client for Smartpay's API: every method of `@smartpay/sdk-node` (source document
//! 001), typed, without its faults. A refusal is always an error (the Node SDK returns a
//! non-JSON 4xx as a success), ids are checked before they go into a path, lists are async
//! streams that walk `pageToken`, every mutation carries one idempotency key reused on its
//! retries, and webhooks are verified (with their age) by [`webhooks::verify`] or an axum
//! extractor.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use smartpay::{Config, ListOptions, PaymentRequest, Smartpay};
//! # async fn run() -> Result<(), smartpay::SmartpayError> {
//! let smartpay = Smartpay::new("sk_test_…", Config::default())?;
//! let order = smartpay.get_order("order_test_RiYq2rthzRHrkKVGeucSwn", false).await?;
//! let payment = smartpay
//!     .create_payment(&PaymentRequest { order: order.id.clone(), amount: 150, currency: "JPY".into(), ..Default::default() })
//!     .await?;
//! let orders: Vec<_> = smartpay.list_orders(ListOptions { max_results: Some(50), expand: false }).try_collect().await?;
//! # Ok(()) }
//! ```

mod client;
mod error;
mod types;
pub mod webhooks;

pub use client::{API_PREFIX, Config, ListOptions, Smartpay, session_url};
pub use error::SmartpayError;
pub use types::*;
