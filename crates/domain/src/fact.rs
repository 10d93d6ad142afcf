//! What an event records: a domain fact, not any face's wire format.
//!
//! An event's payload is the object as it was after the change, and the money the change
//! moved. Each face renders facts in its own words (the v1 API as `data.object`; a provider's
//! webhook dialect in its envelope). How facts are stored (and versioned) is the app's concern.

use crate::catalog::{Price, Product};
use crate::checkout::CheckoutSession;
use crate::customer::Customer;
use crate::event::EventType;
use crate::money::MinorUnits;
use crate::payment_intent::PaymentIntent;
use crate::refund::Refund;
use crate::token::Token;
use crate::webhook::WebhookEndpoint;
use serde::{Deserialize, Serialize};

/// How money moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// Funds held by an authorization.
    Authorized,
    /// Held funds taken.
    Captured,
    /// Held funds released.
    Canceled,
    /// A refund asked for (reserved against the captured amount).
    RefundRequested,
    /// Funds given back.
    Refunded,
    /// A refund the processor refused (its reservation released).
    RefundFailed,
}

/// The money one operation moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// What happened to it.
    pub movement: Movement,
    /// How much, in the payment's currency.
    pub amount: MinorUnits,
}

/// The subject of an event, as it was after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "object", rename_all = "snake_case")]
pub enum Fact {
    /// A payment intent changed.
    PaymentIntent {
        /// The intent after the change.
        payment_intent: Box<PaymentIntent>,
        /// What the change moved, if it moved money.
        moved: Option<Moved>,
    },
    /// A refund changed.
    Refund {
        /// The refund after the change.
        refund: Box<Refund>,
        /// What the change moved.
        moved: Option<Moved>,
    },
    /// A checkout session changed.
    CheckoutSession {
        /// The session after the change.
        checkout_session: Box<CheckoutSession>,
    },
    /// A token changed (its network token is not part of the fact).
    Token {
        /// The token after the change.
        token: Box<Token>,
    },
    /// A webhook endpoint changed (its secrets are not part of the fact).
    WebhookEndpoint {
        /// The endpoint after the change.
        webhook_endpoint: Box<WebhookEndpoint>,
    },
    /// A customer changed (or was deleted: the fact is the customer as it was).
    Customer {
        /// The customer after the change.
        customer: Box<Customer>,
    },
    /// A product changed.
    Product {
        /// The product after the change.
        product: Box<Product>,
    },
    /// A price changed.
    Price {
        /// The price after the change.
        price: Box<Price>,
    },
}

impl Fact {
    /// Reads a fact written before faces kept their notes apart: moves the notes its object
    /// kept in metadata (the `(face, name)`s of `kept`) to where they are now kept.
    pub fn lift_face_notes(&mut self, kept: &[(&str, &str)]) {
        let (notes, metadata) = match self {
            Fact::PaymentIntent { payment_intent: o, .. } => (&mut o.face_notes, &mut o.metadata),
            Fact::Refund { refund: o, .. } => (&mut o.face_notes, &mut o.metadata),
            Fact::CheckoutSession { checkout_session: o } => (&mut o.face_notes, &mut o.metadata),
            Fact::Token { token: o } => (&mut o.face_notes, &mut o.metadata),
            Fact::WebhookEndpoint { webhook_endpoint: o } => (&mut o.face_notes, &mut o.metadata),
            // Customers and the catalog came after face notes moved out of metadata.
            Fact::Customer { .. } | Fact::Product { .. } | Fact::Price { .. } => return,
        };
        notes.lift_from(metadata, kept);
    }

    /// A payment intent event: `before` is the intent before the change, if it existed, so the
    /// fact can say what moved.
    pub fn payment_intent(event: EventType, before: Option<&PaymentIntent>, after: &PaymentIntent) -> Fact {
        let moved = before.and_then(|before| moved_by(event, before, after));
        Fact::PaymentIntent { payment_intent: Box::new(after.clone()), moved }
    }

    /// A refund event.
    pub fn refund(event: EventType, refund: &Refund) -> Fact {
        let movement = match event {
            EventType::RefundCreated => Some(Movement::RefundRequested),
            EventType::RefundSucceeded => Some(Movement::Refunded),
            EventType::RefundFailed => Some(Movement::RefundFailed),
            _ => None,
        };
        let moved = movement.map(|movement| Moved { movement, amount: refund.amount.units() });
        Fact::Refund { refund: Box::new(refund.clone()), moved }
    }

    /// A customer event.
    pub fn customer(customer: &Customer) -> Fact {
        Fact::Customer { customer: Box::new(customer.clone()) }
    }

    /// A checkout session event.
    pub fn checkout_session(session: &CheckoutSession) -> Fact {
        Fact::CheckoutSession { checkout_session: Box::new(session.clone()) }
    }

    /// A token event, the network's token for its card left out.
    pub fn token(token: &Token) -> Fact {
        let mut token = token.clone();
        if let Some(card) = token.card.as_mut() {
            card.network_token = String::new();
        }
        Fact::Token { token: Box::new(token) }
    }

    /// A webhook endpoint event, its signing secrets left out.
    pub fn webhook_endpoint(endpoint: &WebhookEndpoint) -> Fact {
        let mut endpoint = endpoint.clone();
        endpoint.secret = String::new();
        endpoint.previous_secret = None;
        Fact::WebhookEndpoint { webhook_endpoint: Box::new(endpoint) }
    }

    /// The id of the object the fact is about.
    pub fn object_id(&self) -> String {
        match self {
            Fact::PaymentIntent { payment_intent, .. } => payment_intent.id.to_string(),
            Fact::Refund { refund, .. } => refund.id.to_string(),
            Fact::CheckoutSession { checkout_session } => checkout_session.id.to_string(),
            Fact::Token { token } => token.id.to_string(),
            Fact::WebhookEndpoint { webhook_endpoint } => webhook_endpoint.id.to_string(),
            Fact::Customer { customer } => customer.id.to_string(),
            Fact::Product { product } => product.id.to_string(),
            Fact::Price { price } => price.id.to_string(),
        }
    }

    /// What the change moved, if it moved money.
    pub fn moved(&self) -> Option<Moved> {
        match self {
            Fact::PaymentIntent { moved, .. } | Fact::Refund { moved, .. } => *moved,
            Fact::CheckoutSession { .. }
            | Fact::Token { .. }
            | Fact::WebhookEndpoint { .. }
            | Fact::Customer { .. }
            | Fact::Product { .. }
            | Fact::Price { .. } => None,
        }
    }
}

/// The money `event` moved, from the intent's totals before and after.
fn moved_by(event: EventType, before: &PaymentIntent, after: &PaymentIntent) -> Option<Moved> {
    let (movement, was, is) = match event {
        EventType::PaymentIntentRequiresCapture => {
            (Movement::Authorized, before.amount_authorized, after.amount_authorized)
        }
        EventType::PaymentIntentCaptured | EventType::PaymentIntentPartiallyCaptured => {
            (Movement::Captured, before.amount_captured, after.amount_captured)
        }
        // A cancel releases the hold; so does a final capture of less than was held, whose
        // `succeeded` follows its `captured`.
        EventType::PaymentIntentCanceled | EventType::PaymentIntentSucceeded => {
            (Movement::Canceled, before.amount_canceled, after.amount_canceled)
        }
        _ => return None,
    };
    let amount = is.checked_sub(was).filter(|m| !m.is_zero())?;
    Some(Moved { movement, amount })
}
