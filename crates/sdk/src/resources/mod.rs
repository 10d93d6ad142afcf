//! One type per API resource, each with a method per endpoint.

mod captures;
mod catalog;
mod checkout;
mod connectors;
mod customers;
mod events;
mod payment_intents;
mod refunds;
mod test_helpers;
mod tokens;
mod webhook_endpoints;

pub use captures::Captures;
pub use catalog::{Prices, Products};
pub use checkout::{CheckoutSessions, Coupons, PromotionCodes};
pub use connectors::Connectors;
pub use customers::Customers;
pub use events::Events;
pub use payment_intents::PaymentIntents;
pub use refunds::Refunds;
pub use test_helpers::TestHelpers;
pub use tokens::Tokens;
pub use webhook_endpoints::WebhookEndpoints;
