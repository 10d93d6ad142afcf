//! Events: written in the transaction of the change they describe, read by merchants.

use super::{App, AppError, AppResult, Cause, Ctx};
use crate::render;
use kassa_domain::webhook::EnabledEvents;
use kassa_domain::{DeliveryId, EventId, EventType, PaymentIntent, Refund, WebhookEndpointId};
use kassa_store::events::{self as store_events, StoredEvent};
use kassa_store::page::Page;
use kassa_store::{Order, PageRequest, Scope, TimeRange, WriteTx, webhooks};

/// An event about to be written.
pub(crate) struct NewEvent {
    /// Its type.
    pub event_type: EventType,
    /// The id of the object in `data`.
    pub object_id: String,
    /// The payment it concerns, if any.
    pub payment_intent_id: Option<String>,
    /// The object after the change, as v1 JSON.
    pub data: String,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Exact type, or a prefix ending in `.*`.
    pub event_type: Option<String>,
    /// Only events about this object or related to it.
    pub related_object: Option<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

/// The scope's subscribed endpoints, read once per transaction on first use.
pub(crate) type Subscribers = Option<Vec<(WebhookEndpointId, EnabledEvents)>>;

impl App {
    /// Appends one event per type, each with the state of its object after the change:
    /// `refund.*` events carry the refund, the others the payment intent.
    pub(crate) async fn record_events(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        types: &[EventType],
        pi: &PaymentIntent,
        refund: Option<&Refund>,
    ) -> AppResult<()> {
        let scope = Scope { merchant_id: pi.merchant_id.clone(), mode: pi.mode };
        let mut subscribers = None;
        for &event_type in types {
            let (object_id, data) = match (event_type.is_refund(), refund) {
                (true, Some(r)) => (r.id.to_string(), serde_json::to_string(&render::refund(r, None))),
                (true, None) => return Err(AppError::internal("refund event without a refund")),
                (false, _) => (pi.id.to_string(), serde_json::to_string(&render::payment_intent(pi))),
            };
            let data = data.map_err(AppError::internal)?;
            let event = NewEvent { event_type, object_id, payment_intent_id: Some(pi.id.to_string()), data };
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
            object_id: event.object_id,
            payment_intent_id: event.payment_intent_id,
            data: event.data,
            request_id: cause.request_id.clone(),
            idempotency_key: cause.idempotency_key.clone(),
            created_at: now,
        };
        store_events::insert(tx, &stored).await?;
        if subscribers.is_none() {
            *subscribers = Some(webhooks::subscribed_endpoints(tx, scope).await?);
        }
        for (endpoint, enabled) in subscribers.iter().flatten() {
            if enabled.matches(&stored.event_type) {
                webhooks::insert_delivery(tx, &DeliveryId::generate(), scope, endpoint, &stored.id, now).await?;
            }
        }
        Ok(stored.id)
    }

    /// One page of the merchant's events, newest first.
    pub async fn list_events(
        &self,
        ctx: &Ctx,
        filter: &EventFilter,
        page: PageRequest,
    ) -> AppResult<Page<StoredEvent>> {
        let filter = store_events::Filter {
            event_type: filter.event_type.clone(),
            related_object: filter.related_object.clone(),
            created: filter.created.clone(),
        };
        Ok(store_events::list(self.store().reader(), &ctx.scope, &filter, &page).await?)
    }

    /// One event.
    pub async fn get_event(&self, ctx: &Ctx, id: &str) -> AppResult<StoredEvent> {
        let not_found = || AppError::not_found("event", id);
        let id = EventId::parse(id).ok_or_else(not_found)?;
        store_events::get(self.store().reader(), &ctx.scope, &id).await?.ok_or_else(not_found)
    }

    /// A payment intent's event log (its own events and its refunds'), oldest first.
    pub async fn payment_intent_events(
        &self,
        ctx: &Ctx,
        id: &str,
        mut page: PageRequest,
    ) -> AppResult<Page<StoredEvent>> {
        let pi = self.get_payment_intent(ctx, id).await?;
        page.order = Order::OldestFirst;
        let filter = store_events::Filter { related_object: Some(pi.id.to_string()), ..Default::default() };
        Ok(store_events::list(self.store().reader(), &ctx.scope, &filter, &page).await?)
    }
}
