//! A Rust client for ProBuy's checkout API: the surface of `@probuy/backend-sdk` (source
//! document 000) without its faults. Its timeout and retry settings are honoured (the Node
//! SDK ignores both), amounts are exact decimals (never floats), a server 400 comes back as a
//! validation error with its fields (the Node SDK calls it an API error), and a create is never
//! repeated when its answer might have been lost.
//!
//! ```no_run
//! use probuy::{Config, Environment, ProBuy};
//! # async fn run(order: probuy::CheckoutOrder) -> Result<(), probuy::ProBuyError> {
//! let probuy = ProBuy::new(Config::new("sk_test_…", Environment::Sandbox))?;
//! let checkout = probuy.create_checkout_with_redirect_url(&order).await?;
//! println!("send the customer to {}", checkout.redirect_url);
//! let details = probuy.get_checkout_details(&checkout.session.checkout_id).await?;
//! println!("{:?}: {} {}", details.status, details.total_amount, details.currency);
//! # Ok(()) }
//! ```

mod checkout;
mod client;
mod decimal;
mod error;
mod order;

pub use checkout::{CheckoutDetails, CheckoutSession, ConsumerDetails, RedirectCheckout, Status};
pub use client::{Config, Environment, ProBuy};
pub use decimal::{Decimal, NotADecimal};
pub use error::ProBuyError;
pub use order::{Address, CheckoutOrder, Consumer, Item, ItemType, MerchantUrls};
