//! Events: domain facts written in the transaction of the change they describe, read back
//! for faces to render.

use super::list::{Order, Page, PageRequest, TimeRange, every};
use super::{App, AppError, AppResult, Cause, Ctx};
use kassa_domain::webhook::EnabledEvents;
use kassa_domain::{DeliveryId, EventId, EventType, Fact, Mode, PaymentIntent, Refund, Timestamp, WebhookEndpointId};
use kassa_store::events::{self as store_events, StoredEvent};
use kassa_store::{Scope, WriteTx, webhooks};

/// The payload version facts are written with: facts whose objects keep face notes apart.
const FACT_VERSION: i64 = 2;

/// Facts written before face notes had a place of their own: they kept them in metadata.
const FACT_WITH_NOTES_IN_METADATA: i64 = 1;

/// The payload version of events written before facts: the object already rendered as v1 JSON.
const LEGACY_V1_JSON: i64 = 0;

/// An event about to be written.
pub(crate) struct NewEvent {
    /// Its type.
    pub event_type: EventType,
    /// The payment it concerns, if any.
    pub payment_intent_id: Option<String>,
    /// What happened.
    pub fact: Fact,
}

/// An event, read back for a face to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `evt_…`
    pub id: EventId,
    /// Test or live.
    pub mode: Mode,
    /// Dotted type name.
    pub event_type: String,
    /// Id of the object the event is about.
    pub object_id: String,
    /// The payment intent it concerns, if any.
    pub payment_intent_id: Option<String>,
    /// What happened.
    pub payload: Payload,
    /// The API request that caused it.
    pub request_id: Option<String>,
    /// That request's idempotency key.
    pub idempotency_key: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

/// What an event records.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A domain fact: the object after the change and the money it moved.
    Fact(Fact),
    /// An event written before facts existed: its object as the v1 API rendered it then (JSON
    /// text). Only the v1 face can show it.
    LegacyV1Json(String),
}

fn read_fact(stored: &StoredEvent) -> AppResult<Fact> {
    serde_json::from_str(&stored.data).map_err(|e| AppError::internal(format!("event {} unreadable: {e}", stored.id)))
}

impl Event {
    fn read(stored: StoredEvent) -> AppResult<Event> {
        let payload = match stored.payload_version {
            FACT_VERSION => Payload::Fact(read_fact(&stored)?),
            FACT_WITH_NOTES_IN_METADATA => {
                let mut fact = read_fact(&stored)?;
                fact.lift_face_notes(kassa_store::face_notes::KEPT_IN_METADATA);
                Payload::Fact(fact)
            }
            LEGACY_V1_JSON => Payload::LegacyV1Json(stored.data),
            other => return Err(AppError::internal(format!("event {}: unknown payload version {other}", stored.id))),
        };
        Ok(Event {
            id: stored.id,
            mode: stored.mode,
            event_type: stored.event_type,
            object_id: stored.object_id,
            payment_intent_id: stored.payment_intent_id,
            payload,
            request_id: stored.request_id,
            idempotency_key: stored.idempotency_key,
            created_at: stored.created_at,
        })
    }

    fn read_page(page: Page<StoredEvent>) -> AppResult<Page<Event>> {
        let items = page.items.into_iter().map(Event::read).collect::<AppResult<_>>()?;
        Ok(Page { items, next: page.next })
    }
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Any of these types (each exact, or a prefix ending in `.*`); empty for all.
    pub event_types: Vec<String>,
    /// Only events about this object or related to it.
    pub related_object: Option<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

/// The scope's subscribed endpoints, read once per transaction on first use.
pub(crate) type Subscribers = Option<Vec<(WebhookEndpointId, EnabledEvents)>>;

impl App {
    /// Appends one event per type, each with the state of its object after the change:
    /// `refund.*` events carry the refund, the others the payment intent and, given the intent
    /// `before` the change, the money it moved.
    pub(crate) async fn record_events(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        types: &[EventType],
        before: Option<&PaymentIntent>,
        pi: &PaymentIntent,
        refund: Option<&Refund>,
    ) -> AppResult<()> {
        let scope = Scope { merchant_id: pi.merchant_id.clone(), mode: pi.mode };
        let mut subscribers = None;
        for &event_type in types {
            let fact = match (event_type.is_refund(), refund) {
                (true, Some(r)) => Fact::refund(event_type, r),
                (true, None) => return Err(AppError::internal("refund event without a refund")),
                (false, _) => Fact::payment_intent(event_type, before, pi),
            };
            let event = NewEvent { event_type, payment_intent_id: Some(pi.id.to_string()), fact };
            self.append_event(tx, &mut subscribers, cause, &scope, event).await?;
        }
        Ok(())
    }

    /// Writes an event and, in the same transaction, one delivery to each enabled endpoint
    /// subscribed to its type: an event can never be committed without its deliveries.
    pub(crate) async fn append_event(
        &self,
        tx: &mut WriteTx,
        subscribers: &mut Subscribers,
        cause: &Cause,
        scope: &Scope,
        event: NewEvent,
    ) -> AppResult<EventId> {
        let now = self.clock().now();
        let stored = StoredEvent {
            id: EventId::generate(),
            merchant_id: scope.merchant_id.clone(),
            mode: scope.mode,
            event_type: event.event_type.as_str().to_owned(),
            object_id: event.fact.object_id(),
            payment_intent_id: event.payment_intent_id,
            data: serde_json::to_string(&event.fact).map_err(AppError::internal)?,
            payload_version: FACT_VERSION,
            request_id: cause.request_id.clone(),
            idempotency_key: cause.idempotency_key.clone(),
            created_at: now,
        };
        match subscribers {
            Some(_) => store_events::insert(tx, &stored).await?,
            None => *subscribers = Some(store_events::insert_reading_subscribers(tx, &stored).await?),
        }
        for (endpoint, enabled) in subscribers.iter().flatten() {
            if enabled.matches(&stored.event_type) {
                webhooks::insert_delivery(tx, &DeliveryId::generate(), scope, endpoint, &stored.id, now).await?;
            }
        }
        // Only a checkout session can have an endpoint of its own (its callback URL).
        if stored.object_id.starts_with(kassa_domain::CheckoutSessionId::PREFIX) {
            for (endpoint, enabled) in webhooks::bound_endpoints(tx, scope, &stored.object_id).await? {
                if enabled.matches(&stored.event_type) {
                    webhooks::insert_delivery(tx, &DeliveryId::generate(), scope, &endpoint, &stored.id, now).await?;
                }
            }
        }
        Ok(stored.id)
    }

    /// One page of the merchant's events, newest first.
    pub async fn list_events(&self, ctx: &Ctx, filter: &EventFilter, page: PageRequest) -> AppResult<Page<Event>> {
        let filter = store_events::Filter {
            event_types: filter.event_types.clone(),
            related_object: filter.related_object.clone(),
            created: filter.created.clone(),
        };
        Event::read_page(store_events::list(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    /// One event.
    pub async fn get_event(&self, ctx: &Ctx, id: &str) -> AppResult<Event> {
        let not_found = || AppError::not_found("event", id);
        let id = EventId::parse(id).ok_or_else(not_found)?;
        Event::read(store_events::get(self.store().reader(), &ctx.scope, &id).await?.ok_or_else(not_found)?)
    }

    /// One event of any merchant, for a sender holding its delivery.
    pub(crate) async fn event_for_delivery(&self, scope: &Scope, id: &EventId) -> AppResult<Event> {
        let stored = store_events::get(self.store().reader(), scope, id).await?;
        Event::read(stored.ok_or_else(|| AppError::internal("delivery of a missing event"))?)
    }

    /// A payment intent's whole event log, oldest first.
    pub async fn all_payment_intent_events(&self, ctx: &Ctx, id: &str) -> AppResult<Vec<Event>> {
        every(Order::OldestFirst, |page| self.payment_intent_events(ctx, id, page)).await
    }

    /// A payment intent's event log (its own events and its refunds'), oldest first.
    pub async fn payment_intent_events(&self, ctx: &Ctx, id: &str, mut page: PageRequest) -> AppResult<Page<Event>> {
        let pi = self.get_payment_intent(ctx, id).await?;
        page.order = Order::OldestFirst;
        let filter = store_events::Filter { related_object: Some(pi.id.to_string()), ..Default::default() };
        Event::read_page(store_events::list(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }
}
