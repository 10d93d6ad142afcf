//! Kassa's business rules, free of IO.
//!
//! Everything that decides whether money may move lives here: amounts and currencies
//! ([`money`]), the payment intent state machine with its captures and refunds
//! ([`payment_intent`], [`refund`]), card numbers ([`card`]), and the small value types
//! every request is parsed into ([`id`], [`metadata`]). Callers parse input into these types
//! (so an invalid value cannot exist past the edge), call a transition, and persist the
//! result together with the events the transition reports.
//!
//! Types derive `serde` only so the store can keep snapshots of them; the wire format of the
//! API is defined elsewhere (`kassa-api`).

pub mod capture;
pub mod card;
pub mod catalog;
pub mod checkout;
pub mod connector;
pub mod contact;
pub mod customer;
pub mod event;
pub mod face_notes;
pub mod fact;
pub mod id;
pub mod job;
pub mod merchant;
pub mod metadata;
pub mod money;
pub mod payment_intent;
pub mod reference;
pub mod refund;
pub mod time;
pub mod token;
pub mod validation;
pub mod webhook;

pub use capture::Capture;
pub use customer::Customer;
pub use event::EventType;
pub use face_notes::FaceNotes;
pub use fact::{Fact, Moved, Movement};
pub use id::*;
pub use merchant::{KeyKind, Mode, Scope};
pub use metadata::Metadata;
pub use money::{Amount, Currency, MinorUnits, Money};
pub use payment_intent::PaymentIntent;
pub use reference::Reference;
pub use refund::Refund;
pub use time::Timestamp;
pub use token::Token;
pub use validation::Invalid;
