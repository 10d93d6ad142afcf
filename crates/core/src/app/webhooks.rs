//! Webhook endpoints: create, change, rotate, delete; redeliver events; read the delivery log.

use super::at_rest::without_secrets;
use super::error::field;
use super::list::{Order, Page, PageRequest, every};
use super::{App, AppError, AppResult, Ctx};
use kassa_domain::id::random_base62;
use kassa_domain::webhook::{Dialect, EnabledEvents, EndpointStatus, EndpointUrl, WebhookEndpoint};
use kassa_domain::{DeliveryId, EventId, Invalid, Metadata, Mode, Timestamp, WebhookEndpointId};
use kassa_store::webhooks::{self as store, Attempt, AttemptsOf};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// A create request, parsed (the URL for the key's mode).
#[derive(Debug)]
pub struct NewEndpointInput {
    /// Where to deliver.
    pub url: EndpointUrl,
    /// What to deliver.
    pub enabled_events: EnabledEvents,
    /// Free text.
    pub description: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
    /// What the face that asked keeps beside Kassa's fields (not the merchant's metadata).
    pub face_notes: kassa_domain::FaceNotes,
    /// The face whose words its deliveries speak.
    pub dialect: Dialect,
}

/// An update; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct EndpointChanges {
    /// New URL.
    pub url: Option<EndpointUrl>,
    /// New subscriptions.
    pub enabled_events: Option<EnabledEvents>,
    /// Enable or disable.
    pub active: Option<bool>,
    /// New description.
    pub description: Option<String>,
    /// Metadata to merge.
    pub metadata: Option<BTreeMap<String, String>>,
    /// Face notes to write over the endpoint's.
    pub face_notes: kassa_domain::FaceNotes,
}

/// A delivery queued by a redelivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedDelivery {
    /// `wd_…`
    pub id: DeliveryId,
    /// The event.
    pub event_id: EventId,
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// When.
    pub created_at: Timestamp,
}

fn endpoint_id(id: &str) -> AppResult<WebhookEndpointId> {
    WebhookEndpointId::parse(id).ok_or_else(|| AppError::not_found("webhook_endpoint", id))
}

fn new_secret() -> String {
    format!("whsec_{}", random_base62(32))
}

impl App {
    /// In live mode, checks that the URL reaches a public address (or an allowlisted host).
    pub(super) async fn check_reachable(&self, url: &EndpointUrl, mode: Mode) -> AppResult<()> {
        if mode != Mode::Live {
            return Ok(());
        }
        match self.inner.sender.live_host_refusal(url.as_str()).await {
            None => Ok(()),
            Some(refusal) => Err(AppError::invalid_field(
                "url",
                Invalid::new(
                    "url_not_allowed",
                    format!(
                        "Live-mode endpoints must be public https URLs: {refusal}. An operator can allow internal \
                         hosts with KASSA_WEBHOOK_ALLOWED_HOSTS."
                    ),
                ),
            )),
        }
    }

    /// Registers an endpoint; the answer carries its signing secret, shown only now.
    pub async fn create_webhook_endpoint(&self, ctx: &Ctx, input: NewEndpointInput) -> AppResult<WebhookEndpoint> {
        self.check_reachable(&input.url, ctx.scope.mode).await?;
        let now = self.clock().now();
        let endpoint = WebhookEndpoint {
            id: WebhookEndpointId::generate(),
            merchant_id: ctx.scope.merchant_id.clone(),
            mode: ctx.scope.mode,
            url: input.url,
            description: input.description,
            enabled_events: input.enabled_events,
            metadata: input.metadata,
            face_notes: input.face_notes,
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret: new_secret(),
            previous_secret: None,
            dialect: input.dialect,
            bound_to: None,
            created_at: now,
            updated_at: now,
        };
        let created = self
            .idempotent(ctx, async |tx| {
                store::insert_endpoint(tx, &self.sealed_endpoint(&endpoint)).await?;
                Ok(without_secrets(&endpoint))
            })
            .await?;
        self.with_secrets(ctx, created).await
    }

    /// An endpoint an idempotent command answered with (its outcome keeps no secret), with
    /// its secrets as they are now.
    async fn with_secrets(&self, ctx: &Ctx, answered: WebhookEndpoint) -> AppResult<WebhookEndpoint> {
        ctx.answer_shows_secret();
        match self.get_webhook_endpoint(ctx, answered.id.as_str()).await {
            Ok(current) => {
                Ok(WebhookEndpoint { secret: current.secret, previous_secret: current.previous_secret, ..answered })
            }
            // Deleted since: a replay has no secret left to show.
            Err(e) if e.kind == super::ErrorKind::NotFound => Ok(answered),
            Err(e) => Err(e),
        }
    }

    /// One endpoint.
    pub async fn get_webhook_endpoint(&self, ctx: &Ctx, id: &str) -> AppResult<WebhookEndpoint> {
        let found = store::get_endpoint(self.store().reader(), &ctx.scope, &endpoint_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("webhook_endpoint", id))?;
        self.opened_endpoint(found)
    }

    /// One page of endpoints, newest first.
    pub async fn list_webhook_endpoints(&self, ctx: &Ctx, page: PageRequest) -> AppResult<Page<WebhookEndpoint>> {
        self.endpoints_page(ctx, None, page).await
    }

    /// One page of the endpoints of one dialect (those a face created), newest first.
    pub async fn list_webhook_endpoints_in(
        &self,
        ctx: &Ctx,
        dialect: &Dialect,
        page: PageRequest,
    ) -> AppResult<Page<WebhookEndpoint>> {
        self.endpoints_page(ctx, Some(dialect.as_str()), page).await
    }

    /// Every endpoint of one dialect, newest first.
    pub async fn all_webhook_endpoints_in(&self, ctx: &Ctx, dialect: &Dialect) -> AppResult<Vec<WebhookEndpoint>> {
        every(Order::NewestFirst, |page| self.list_webhook_endpoints_in(ctx, dialect, page)).await
    }

    async fn endpoints_page(
        &self,
        ctx: &Ctx,
        dialect: Option<&str>,
        page: PageRequest,
    ) -> AppResult<Page<WebhookEndpoint>> {
        let found: Page<_> =
            store::list_endpoints(self.store().reader(), &ctx.scope, dialect, &page.to_store()).await?.into();
        let items = found.items.into_iter().map(|e| self.opened_endpoint(e)).collect::<AppResult<_>>()?;
        Ok(Page { items, next: found.next })
    }

    /// Changes an endpoint. Enabling it resumes its pending deliveries.
    pub async fn update_webhook_endpoint(
        &self,
        ctx: &Ctx,
        id: &str,
        changes: EndpointChanges,
    ) -> AppResult<WebhookEndpoint> {
        let we_id = endpoint_id(id)?;
        if let Some(url) = &changes.url {
            self.check_reachable(url, ctx.scope.mode).await?;
        }
        let (url, events) = (changes.url, changes.enabled_events);
        let updated = self
            .idempotent(ctx, async |tx| {
                let endpoint = store::lock_endpoint(tx, &ctx.scope, &we_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("webhook_endpoint", id))?;
                let mut endpoint = self.opened_endpoint(endpoint)?;
                if let Some(metadata) = changes.metadata {
                    endpoint.metadata =
                        endpoint.metadata.merged(metadata).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
                }
                endpoint.face_notes.update(changes.face_notes);
                if let Some(url) = url {
                    endpoint.url = url;
                }
                if let Some(events) = events {
                    endpoint.enabled_events = events;
                }
                if let Some(description) = changes.description {
                    endpoint.description = Some(description);
                }
                let now = self.clock().now();
                match changes.active {
                    Some(true) => endpoint.enable(now),
                    Some(false) => {
                        // The merchant's word replaces any reason Kassa had.
                        endpoint.enable(now);
                        endpoint.disable("Disabled by the merchant.", now);
                    }
                    None => {}
                }
                endpoint.updated_at = now;
                store::update_endpoint(tx, &self.sealed_endpoint(&endpoint)).await?;
                Ok(without_secrets(&endpoint))
            })
            .await?;
        self.with_secrets(ctx, updated).await
    }

    /// Deletes an endpoint; nothing more is delivered to it. Its delivery log stays readable
    /// through the events.
    pub async fn delete_webhook_endpoint(&self, ctx: &Ctx, id: &str) -> AppResult<WebhookEndpointId> {
        let we_id = endpoint_id(id)?;
        self.idempotent(ctx, async |tx| {
            if !store::delete_endpoint(tx, &ctx.scope, &we_id, self.clock().now()).await? {
                return Err(AppError::not_found("webhook_endpoint", id));
            }
            Ok(we_id.clone())
        })
        .await
    }

    /// Replaces the signing secret. The old one keeps signing (as a second `v1`) for `grace`.
    pub async fn rotate_webhook_secret(
        &self,
        ctx: &Ctx,
        id: &str,
        grace: Option<Duration>,
    ) -> AppResult<WebhookEndpoint> {
        let we_id = endpoint_id(id)?;
        let grace = grace.unwrap_or(self.webhook_config().rotation_grace);
        let rotated = self
            .idempotent(ctx, async |tx| {
                let endpoint = store::lock_endpoint(tx, &ctx.scope, &we_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("webhook_endpoint", id))?;
                let mut endpoint = self.opened_endpoint(endpoint)?;
                endpoint.rotate_secret(new_secret(), grace, self.clock().now());
                store::update_endpoint(tx, &self.sealed_endpoint(&endpoint)).await?;
                Ok(without_secrets(&endpoint))
            })
            .await?;
        self.with_secrets(ctx, rotated).await
    }

    /// The attempts at one endpoint, or at delivering one event, newest first.
    pub async fn webhook_attempts(
        &self,
        ctx: &Ctx,
        of: AttemptsTarget<'_>,
        page: PageRequest,
    ) -> AppResult<Page<Attempt>> {
        let of = match of {
            AttemptsTarget::Endpoint(id) => {
                // Deleted endpoints' attempts stay visible through their events.
                let we_id = self.get_webhook_endpoint(ctx, id).await?.id;
                AttemptsOf::Endpoint(we_id)
            }
            AttemptsTarget::Event(id) => AttemptsOf::Event(self.get_event(ctx, id).await?.id),
        };
        Ok(store::list_attempts(self.store().reader(), &ctx.scope, &of, &page.to_store()).await?.into())
    }

    /// Queues an event again: to one endpoint, or to every enabled endpoint subscribed to it.
    pub async fn redeliver_event(
        &self,
        ctx: &Ctx,
        event_id: &str,
        endpoint: Option<&str>,
    ) -> AppResult<Vec<QueuedDelivery>> {
        let event = self.get_event(ctx, event_id).await?;
        let target = match endpoint {
            Some(raw) => {
                let found = self.get_webhook_endpoint(ctx, raw).await.map_err(|e| e.with_param("endpoint"))?;
                if found.status != EndpointStatus::Enabled {
                    return Err(AppError::new(
                        super::ErrorKind::Conflict,
                        "webhook_endpoint_disabled",
                        "This endpoint is disabled; enable it first.",
                    )
                    .with_current_status("disabled"));
                }
                Some(found.id)
            }
            None => None,
        };
        self.idempotent(ctx, async |tx| {
            let now = self.clock().now();
            let endpoints: Vec<WebhookEndpointId> = match &target {
                Some(id) => vec![id.clone()],
                None => store::subscribed_endpoints(tx, &ctx.scope)
                    .await?
                    .into_iter()
                    .filter(|(_, enabled)| enabled.matches(&event.event_type))
                    .map(|(id, _)| id)
                    .collect(),
            };
            let mut queued = Vec::new();
            for endpoint_id in endpoints {
                let id = DeliveryId::generate();
                store::insert_delivery(tx, &id, &ctx.scope, &endpoint_id, &event.id, now).await?;
                queued.push(QueuedDelivery { id, event_id: event.id.clone(), endpoint_id, created_at: now });
            }
            Ok(queued)
        })
        .await
    }
}

/// Whose delivery attempts to list.
#[derive(Debug, Clone, Copy)]
pub enum AttemptsTarget<'a> {
    /// An endpoint's id as given.
    Endpoint(&'a str),
    /// An event's id as given.
    Event(&'a str),
}
