//! The Rust client for [Kassa](https://github.com/kassa-pay/kassa), a self-hostable payment
//! gateway.
//!
//! ```no_run
//! use kassa::{CapturePaymentIntent, Client, ConfirmPaymentIntent, CreatePaymentIntent, CreateRefund, Currency};
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), kassa::Error> {
//! let kassa = Client::builder("sk_test_4eC39HqLyjWDarjtT1zdp7dc").base_url("http://127.0.0.1:4242").build()?;
//! let intents = kassa.payment_intents();
//! let pi = intents
//!     .create(&CreatePaymentIntent::new(2599, Currency::USD).capture_method(kassa::CaptureMethod::Manual))
//!     .await?;
//! intents.confirm(&pi.id, &ConfirmPaymentIntent::with_payment_method("pm_card_visa")).await?;
//! let pi = intents.wait_until_settled(&pi.id, Duration::from_secs(30)).await?;
//! intents.capture(&pi.id, &CapturePaymentIntent::all()).await?;
//! kassa.refunds().create(&CreateRefund::new(&pi.id).amount(500)).await?;
//! # Ok(()) }
//! ```
//!
//! - Every call returns a [`Request`]; `.await` sends it. POSTs carry an idempotency key
//!   (yours via [`Request::idempotency_key`], or a random one) that every retry reuses.
//! - Failed calls are retried on network errors, timeouts, 409 in-flight idempotency
//!   conflicts, 429 and 5xx, with exponential backoff and full jitter, honouring
//!   `Retry-After`; never on other 4xx. See [`ClientBuilder::max_retries`].
//! - Errors are one enum, [`Error`], carrying the gateway's message, code and request id.
//! - Lists come a page at a time (`list`) or as a lazy [`futures_core::Stream`] of every
//!   item (`list_all`).
//! - Responses tolerate fields this version does not know; enums keep an `Unknown(String)`
//!   arm, so a new status never breaks your build.
//! - With `tracing`, each call logs method, path, status, latency and request id at debug
//!   level (never the API key or card data).

mod client;
mod error;
mod pagination;
mod request;
pub mod resources;
mod retry;
pub mod webhooks;

pub use client::{Client, ClientBuilder, Environment};
pub use error::{Error, ErrorInfo};
pub use request::Request;

pub use kassa_api::{
    Address, CheckoutPaymentStatus, CheckoutSession, CheckoutSessionStatus, Consumer, Coupon, CreateCheckoutSession,
    CreateCoupon, CreatePromotionCode, LineItem, ListCheckoutSessions, ListPromotionCodes, PromotionCode,
    PromotionRestrictions, UpdateCoupon, UpdatePromotionCode,
};
pub use kassa_api::{
    BillingAddress, BillingDetails, Connector, CreateConnector, NextAction, PaymentConnector, RedirectToUrl,
    UpdateConnector,
};
pub use kassa_api::{
    CancelPaymentIntent, CancellationReason, CaptureMethod, CapturePaymentIntent, Card, CardData, ConfirmPaymentIntent,
    CreatePaymentIntent, CreateRefund, Currency, ErrorDetail, ErrorType, Event, EventData, Expandable, List,
    ListEvents, ListParams, ListPaymentIntents, ListRefunds, Metadata, OffsetDateTime, PaymentError, PaymentIntent,
    PaymentIntentStatus, PaymentMethodData, PaymentMethodDetails, PendingCapture, Range, Refund, RefundReason,
    RefundStatus, SimulatorOperation, UpdatePaymentIntent, UpdateRefund,
};
pub use kassa_api::{CreateCustomer, Customer, ListCustomers, UpdateCustomer};
pub use kassa_api::{CreatePrice, CreateProduct, ListPrices, Price, Product, UpdatePrice, UpdateProduct};
pub use kassa_api::{
    CreateWebhookEndpoint, Deleted, DeliveryStatus, RedeliverEvent, RotateWebhookSecret, UpdateWebhookEndpoint,
    WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointStatus,
};
pub use kassa_api::{ListTokens, Token, TokenStatus};

/// The API's wire types, all of them (the common ones are re-exported at the crate root).
pub use kassa_api as types;

/// Compiles the README's example as a doctest, so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
