//! The application core: every command and query, whatever face it came through.
//!
//! A command parses nothing and renders nothing. It takes domain values, runs a domain
//! transition inside one store transaction together with the events it causes and the jobs
//! it needs (and, for an idempotent request, the key's outcome), and returns domain values.

mod access_tokens;
mod answers;
mod at_rest;
mod catalog;
mod checkout;
mod connectors;
mod customers;
mod dashboard;
mod deliveries;
mod dialects;
mod error;
mod events;
mod idempotency;
mod key_cache;
mod list;
mod merchants;
mod nodes;
mod overview;
mod payment_intents;
mod payment_methods;
mod processing;
mod promotions;
mod receipts;
mod refunds;
mod test_helpers;
mod through_connectors;
mod tokens;
mod wakeups;
pub use wakeups::ANNOUNCE_GAP;
mod webhooks;

pub use crate::connector::providers::Notification;
pub use access_tokens::IssuedToken;
pub use catalog::{NewPriceInput, NewProductInput, PriceListFilter, PriceOf};
pub use checkout::{
    CheckoutSessionFilter, CheckoutSubject, CheckoutView, NewSessionInput, NewSetupSessionInput, SessionCallback,
};
pub use connectors::{ConnectorChanges, MAX_CREDENTIAL_CHARS, NewConnectorInput};
pub use customers::CustomerFilter;
pub use dashboard::{
    CreatedUser, FREE_FAILURES as DASHBOARD_FREE_FAILURES, MIN_PASSWORD_LEN as DASHBOARD_MIN_PASSWORD_LEN,
    SESSION_LIFETIME as DASHBOARD_SESSION_LIFETIME, SignedIn, form_token as dashboard_form_token,
};
pub use dialects::{Delivery, Dialects, Rendered, WebhookDialect};
pub use error::{AppError, AppResult, ErrorKind, FieldError, field};
pub use events::{Event, EventFilter, Payload};
pub use kassa_domain::Scope;
pub use key_cache::KEY_CACHE_TTL;
pub use list::{InvalidPageToken, Order, Page, PageRequest, PageToken, TimeRange};
pub use merchants::{Authenticated, CreatedKey, CreatedMerchant, DEMO_USER_EMAIL};
pub use nodes::{DEAD_AFTER, HEARTBEAT_EVERY};
pub use overview::{CurrencyVolume, EndpointHealth, Outcomes, Overview, Period, RefundSummary};
pub use payment_intents::{NewPaymentIntentInput, PaymentIntentFilter, PaymentSearch};
pub use payment_methods::PaymentMethodInput;
pub use processing::JobKind;
pub use promotions::{NewCouponInput, NewPromotionCodeInput, PromotionCodeListFilter};
pub use receipts::Receipt;
pub use refunds::{NewRefundInput, RefundFilter};
pub use through_connectors::{CUSTOMER_DEADLINE, ProviderNotice, ThroughConnector};
pub use tokens::TokenFilter;
pub use webhooks::{AttemptsTarget, EndpointChanges, NewEndpointInput, QueuedDelivery};

use crate::clock::Clock;
use crate::config::{CheckoutConfig, Config, IdempotencyConfig, JobConfig, WebhookConfig};
use crate::connector::Connector;
use kassa_domain::{KeyKind, Mode, RequestId};
use kassa_store::{Store, WriteTx};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// The application: cheap to clone, shared by every face and worker.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    connector: Arc<dyn Connector>,
    clock: Arc<Clock>,
    jobs: JobConfig,
    idempotency: IdempotencyConfig,
    webhooks: WebhookConfig,
    checkout: CheckoutConfig,
    /// Base of the hosted pages' URLs.
    public_url: String,
    sender: crate::webhooks::sender::Sender,
    /// How each endpoint's deliveries are rendered and signed, by dialect.
    dialects: Dialects,
    /// The payment providers connectors reach.
    providers: crate::connector::providers::Providers,
    /// The database's own key for card fingerprints (the inner layer; the master key's is the
    /// outer one).
    fingerprint_key: Vec<u8>,
    /// The keys derived from the operator's master key.
    secrets: crate::secrets::Secrets,
    /// Wakes the job workers when a job is enqueued.
    job_signal: Notify,
    /// Wakes the webhook senders after a commit that may have queued deliveries.
    delivery_signal: Notify,
    /// How many nodes are alive (the last heartbeat's count).
    live_nodes: tokio::sync::watch::Sender<usize>,
    /// What to tell the other nodes, and whether this node hears theirs.
    wakeups: wakeups::Wakeups,
    /// The workers' safety-net poll while this node hears the others.
    listening_poll: std::time::Duration,
    /// This process's id among the nodes on the database; prefixes its leases' tokens.
    node: String,
    /// The address it serves on (for the nodes table).
    address: String,
    /// Keys checked in the last seconds.
    keys: key_cache::KeyCache,
    /// Answers on their way to their idempotency keys.
    answers: answers::AnswerKeeper,
}

impl App {
    /// Builds the application over an opened store.
    pub async fn new(
        store: Store,
        connector: Arc<dyn Connector>,
        clock: Arc<Clock>,
        dialects: Dialects,
        providers: crate::connector::providers::Providers,
        config: &Config,
    ) -> AppResult<App> {
        let fingerprint_key = payment_methods::load_fingerprint_key(&store).await?;
        if let Some(newest) = kassa_store::events::newest_time(&store).await? {
            clock.advance_past(newest);
        }
        let webhooks = config.webhooks.clone();
        let sender = crate::webhooks::sender::Sender::new(webhooks.timeout, webhooks.allowed_hosts.clone());
        let public_url = config.checkout.public_url.clone().unwrap_or_else(|| format!("http://{}", config.addr));
        let app = App {
            inner: Arc::new(Inner {
                store,
                connector,
                clock,
                jobs: config.jobs.clone(),
                idempotency: config.idempotency.clone(),
                webhooks,
                checkout: config.checkout.clone(),
                public_url: public_url.trim_end_matches('/').to_owned(),
                sender,
                dialects,
                providers,
                fingerprint_key,
                secrets: crate::secrets::Secrets::new(&config.master_key),
                job_signal: Notify::new(),
                delivery_signal: Notify::new(),
                live_nodes: tokio::sync::watch::Sender::new(1),
                wakeups: wakeups::Wakeups::default(),
                listening_poll: config.listening_poll,
                node: nodes::new_node_id(),
                address: config.addr.to_string(),
                keys: key_cache::KeyCache::default(),
                answers: answers::AnswerKeeper::default(),
            }),
        };
        app.bring_under_master_key().await?;
        app.assign_missing_serial_numbers().await?;
        app.lift_face_notes_out_of_metadata().await?;
        Ok(app)
    }

    /// The card processor of `mode`: the card simulator plays the network in test mode; live
    /// mode has none (no card processor connector exists yet), so no live card payment runs on
    /// the simulator. Callers refuse live card payments before storing anything
    /// ([`AppError::no_card_processor`]); a job of an older database's live payment fails here.
    pub(crate) fn card_processor(&self, mode: Mode) -> Result<&dyn Connector, crate::connector::ConnectorError> {
        match mode {
            Mode::Test => Ok(self.inner.connector.as_ref()),
            Mode::Live => Err(crate::connector::ConnectorError(error::NO_CARD_PROCESSOR.to_owned())),
        }
    }

    /// [`App::card_processor`] for a card payment asked for by `ctx`: refused in a mode without one
    /// (422 `no_card_processor`, naming `param`, the card's field, when there is one).
    pub(crate) fn card_processor_for(&self, ctx: &Ctx, param: Option<&str>) -> AppResult<&dyn Connector> {
        self.card_processor(ctx.scope.mode).map_err(|_| AppError::no_card_processor(param))
    }

    /// The store: the app's alone; faces reach data through commands and queries.
    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Whether the database answers; with which backend (`sqlite`, `postgres`).
    pub async fn database_ready(&self) -> AppResult<&'static str> {
        self.store().ping().await.map_err(|e| {
            tracing::warn!(error = %e, "database not ready");
            AppError::new(ErrorKind::Unavailable, "database_unavailable", "The database does not answer.")
        })?;
        Ok(match self.store().backend() {
            kassa_store::Backend::Sqlite => "sqlite",
            kassa_store::Backend::Postgres => "postgres",
        })
    }

    /// Releases every lease a stopped process left (jobs, deliveries, idempotency keys), so
    /// its work resumes now rather than when the leases run out. Only for a process that holds
    /// the database alone (SQLite with its data directory locked).
    pub async fn release_all_leases(&self) -> AppResult<kassa_store::leases::Released> {
        let mut tx = self.store().begin().await?;
        let released = kassa_store::leases::release_all(&mut tx).await?;
        self.commit(tx).await?;
        Ok(released)
    }

    /// The jobs' and the webhook deliveries' backlogs now, for the operator's gauges.
    pub async fn backlogs(&self) -> AppResult<(kassa_store::leases::Backlog, kassa_store::leases::Backlog)> {
        let now = self.clock().now().micros();
        let reader = self.store().reader();
        let jobs = kassa_store::leases::backlog(reader, "jobs", "run_at", now).await?;
        let deliveries = kassa_store::leases::backlog(reader, "webhook_deliveries", "next_attempt_at", now).await?;
        Ok((jobs, deliveries))
    }

    /// SQLite's commits (one fsync each), the writes they made durable, and how long units
    /// and commits held the writer; `None` on PostgreSQL, where every transaction commits on
    /// its own.
    pub fn write_batches(&self) -> Option<&kassa_store::GroupCounts> {
        self.store().group_counts()
    }

    /// Closes the database connections (at shutdown).
    pub async fn close(&self) {
        self.store().close().await;
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Job settings.
    pub fn job_config(&self) -> &JobConfig {
        &self.inner.jobs
    }

    /// Idempotency settings.
    pub fn idempotency_config(&self) -> &IdempotencyConfig {
        &self.inner.idempotency
    }

    /// Webhook settings.
    pub fn webhook_config(&self) -> &WebhookConfig {
        &self.inner.webhooks
    }

    /// Checkout settings.
    pub fn checkout_config(&self) -> &CheckoutConfig {
        &self.inner.checkout
    }

    /// The hosted page of a checkout session.
    pub fn checkout_url(&self, id: &kassa_domain::CheckoutSessionId) -> String {
        format!("{}/checkout/{id}", self.inner.public_url)
    }

    /// The gateway's public base URL (no trailing slash), for faces that mount the hosted
    /// page under their own prefix.
    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    /// Resolves when a job has been enqueued since the last call (or at once if one was).
    pub async fn job_enqueued(&self) {
        self.inner.job_signal.notified().await
    }

    /// Resolves when a commit since the last call queued webhook deliveries.
    pub async fn deliveries_queued(&self) {
        self.inner.delivery_signal.notified().await
    }

    /// Commits a write transaction and wakes the workers for whatever it queued: every commit
    /// of the app goes through here (or [`App::commit_redoable`]), so no queued job or
    /// delivery waits for the next poll.
    pub(crate) async fn commit(&self, tx: WriteTx) -> AppResult<()> {
        let started = std::time::Instant::now();
        let queued = tx.commit().await?;
        metrics::histogram!("kassa_db_commit_seconds").record(started.elapsed().as_secs_f64());
        self.wake_for(queued);
        self.tell_others(queued);
        Ok(())
    }

    /// Commits a transaction whose changes a crash may lose because they are redone (see
    /// [`WriteTx::commit_redoable`]), without waiting for them to be durable.
    pub(crate) async fn commit_redoable(&self, tx: WriteTx) -> AppResult<()> {
        let queued = tx.commit_redoable().await?;
        self.wake_for(queued);
        self.tell_others(queued);
        Ok(())
    }

    fn wake_for(&self, queued: kassa_store::Queued) {
        if queued.jobs {
            self.inner.job_signal.notify_one();
        }
        if queued.deliveries {
            self.inner.delivery_signal.notify_one();
        }
    }
}

/// Who is asking, on whose data, and under which idempotency key.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Merchant and mode, from the API key.
    pub scope: Scope,
    /// Secret or publishable key.
    pub key_kind: KeyKind,
    /// This request.
    pub request_id: RequestId,
    /// The `Idempotency-Key`, for mutations that carry one.
    pub idempotency: Option<IdempotencyKey>,
    key_fate: Arc<Mutex<KeyFate>>,
    /// A card payment's confirmation answers with the authorization's outcome (as a face
    /// whose clients expect it does), waiting for the processor as long as a capture may.
    awaits_authorization: bool,
}

/// What became of a request's idempotency key, shared by the clones of its [`Ctx`].
#[derive(Debug, Default)]
struct KeyFate {
    /// The answer was another request's.
    replayed: bool,
    /// That request's answer as its face sent it, when it was kept.
    first_answer: Option<Answer>,
    /// This request gave the key its final outcome, holding it with this token.
    settled_with: Option<String>,
    /// The answer shows a secret (a webhook signing secret): it is never stored.
    shows_secret: bool,
}

/// An answer as a face sent it: status, `Content-Type` and body. The answer of the request
/// that first used an idempotency key is kept, and sent again to every replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// Its `Content-Type`, if it had one.
    pub content_type: Option<String>,
    /// The body.
    pub body: String,
}

/// An `Idempotency-Key` and the fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The header's value.
    pub key: String,
    /// Hash of method, path and body.
    pub fingerprint: String,
}

impl Ctx {
    /// A context for a request.
    pub fn new(scope: Scope, key_kind: KeyKind, request_id: RequestId, idempotency: Option<IdempotencyKey>) -> Ctx {
        Ctx { scope, key_kind, request_id, idempotency, key_fate: Arc::default(), awaits_authorization: false }
    }

    /// This context, for a request whose confirmation answers with the authorization's
    /// outcome rather than `processing` (a decline then refuses the request).
    pub fn awaiting_authorization(mut self) -> Ctx {
        self.awaits_authorization = true;
        self
    }

    fn fate(&self) -> std::sync::MutexGuard<'_, KeyFate> {
        self.key_fate.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the answer was replayed from an earlier request with the same key.
    pub fn was_replayed(&self) -> bool {
        self.fate().replayed
    }

    /// The answer of the request that first used this key, as its face sent it, when this
    /// request replays it and it was kept ([`App::keep_answer`]).
    pub fn first_answer(&self) -> Option<Answer> {
        self.fate().first_answer.clone()
    }

    /// Whether this request gave its key the final outcome and its answer is one to keep (an
    /// answer that shows a secret is not: its replays read the secret back, sealed at rest).
    pub fn settled_its_key(&self) -> bool {
        self.token_of_answer_to_keep().is_some()
    }

    /// The token this request holds its settled key with, when its answer is one to keep.
    fn token_of_answer_to_keep(&self) -> Option<String> {
        let fate = self.fate();
        fate.settled_with.clone().filter(|_| !fate.shows_secret)
    }

    fn answer_shows_secret(&self) {
        self.fate().shows_secret = true;
    }

    fn mark_replayed(&self, first_answer: Option<Answer>) {
        metrics::counter!("kassa_idempotent_replays_total").increment(1);
        let mut fate = self.fate();
        fate.replayed = true;
        fate.first_answer = first_answer;
    }

    fn mark_settled(&self, token: &str) {
        self.fate().settled_with = Some(token.to_owned());
    }

    fn cause(&self) -> Cause {
        Cause {
            request_id: Some(self.request_id.to_string()),
            idempotency_key: self.idempotency.as_ref().map(|k| k.key.clone()),
        }
    }
}

/// What caused a change: an API request, or nothing (a worker). A job keeps the cause of the
/// request that queued it, so the events it writes name that request and its idempotency key.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cause {
    request_id: Option<String>,
    idempotency_key: Option<String>,
}
