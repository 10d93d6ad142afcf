//! The native Kassa API (v1) on the wire.
//!
//! These types are the contract: the server renders them, the SDK parses them, and the OpenAPI
//! document is generated from them (feature `openapi`). Conventions (ids, money, errors,
//! lists) are in `shared/design/api-conventions.md`.
//!
//! Responses tolerate fields they do not know (the server may add fields within v1) but fail
//! on a missing required field. Every enum has an `Unknown(String)` arm, so a status added
//! later never breaks a client's build or parse.

#[macro_use]
mod string_enum;

mod builders;
pub mod capture;
pub mod catalog;
pub mod checkout;
pub mod connector;
pub mod currency;
pub mod customer;
pub mod error;
pub mod event;
pub mod list;
pub mod payment_intent;
pub mod refund;
pub mod signature;
pub mod test_helpers;
pub mod timestamp;
pub mod token;
pub mod webhook;

pub use capture::{Capture, CaptureStatus};
pub use catalog::{CreatePrice, CreateProduct, ListPrices, Price, Product, UpdatePrice, UpdateProduct};
pub use checkout::*;
pub use connector::{Connector, CreateConnector, UpdateConnector};
pub use currency::Currency;
pub use customer::{CreateCustomer, Customer, ListCustomers, UpdateCustomer};
pub use error::{ErrorBody, ErrorDetail, ErrorObject, ErrorType};
pub use event::{Event, EventData, ListEvents};
pub use list::{List, ListParams, Range};
pub use payment_intent::*;
pub use refund::*;
pub use test_helpers::SimulatorOperation;
pub use time::OffsetDateTime;
pub use token::{ListTokens, Token, TokenStatus};
pub use webhook::*;

/// Metadata: string keys to string values.
pub type Metadata = std::collections::BTreeMap<String, String>;
