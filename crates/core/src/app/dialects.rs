//! Webhook dialects: how a face renders an event for its endpoints and signs it. The app
//! delivers (durably, with retries and the attempt log); the endpoint's dialect decides the
//! bytes and the headers. Faces register theirs when the app is built.

use super::events::Event;
use super::{App, AppResult};
use crate::connector::BoxFuture;
use kassa_domain::Timestamp;
use kassa_domain::webhook::{Dialect, WebhookEndpoint};
use std::collections::HashMap;
use std::sync::Arc;

/// One delivery attempt, as a dialect sees it.
pub struct Delivery<'a> {
    /// The event delivered.
    pub event: &'a Event,
    /// Where to (its secrets sign the delivery).
    pub endpoint: &'a WebhookEndpoint,
    /// `wd_…`, the same on every attempt.
    pub delivery_id: &'a str,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// Now, for the signature's timestamp.
    pub now: Timestamp,
}

/// A delivery in a dialect's words.
pub struct Rendered {
    /// The request body.
    pub body: Vec<u8>,
    /// Headers: the signature and whatever else the dialect's receivers read.
    pub headers: Vec<(String, String)>,
}

/// A face's webhook wire format.
pub trait WebhookDialect: Send + Sync + 'static {
    /// The dialect's name, as stored on its endpoints.
    fn name(&self) -> &'static str;

    /// The requests of one delivery attempt: usually one; none if the dialect has no words for
    /// this event (the delivery then ends without a request); several where the dialect's
    /// receivers expect several events for one change (Stripe's `charge.succeeded` beside
    /// `payment_intent.amount_capturable_updated`), sent in order, the attempt succeeding when
    /// all do. It may read what the event's fact lacks (a payment's reference, the merchant's
    /// serial number) through `app`.
    fn render<'a>(&'a self, app: &'a App, delivery: Delivery<'a>) -> BoxFuture<'a, AppResult<Vec<Rendered>>>;
}

/// The dialects the gateway speaks, by name.
#[derive(Clone, Default)]
pub struct Dialects(HashMap<String, Arc<dyn WebhookDialect>>);

impl Dialects {
    /// Adds a dialect.
    pub fn with(mut self, dialect: impl WebhookDialect) -> Dialects {
        self.0.insert(dialect.name().to_owned(), Arc::new(dialect));
        self
    }

    /// The dialect of an endpoint, if the gateway speaks it.
    pub fn get(&self, dialect: &Dialect) -> Option<&Arc<dyn WebhookDialect>> {
        self.0.get(dialect.as_str())
    }
}
