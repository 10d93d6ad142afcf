//! Payments through a merchant's connector: confirm opens the payment at the provider (a job
//! run at once, its id the provider's idempotency key) and answers `requires_action` with where
//! the customer approves; the customer's decision is learnt by asking the provider, whichever
//! comes first of a polling job (with backoff, until the customer decides or Kassa's deadline
//! passes) and the customer's return through Kassa. Captures, refunds and cancels go to the
//! provider as the card processor's do (`processing.rs`), with their job's id as key.

use super::error::{FieldError, field};
use super::idempotency::Applied;
use super::processing::{JobOutcome, Payload, StepError, lock_intent, outcome_of, payload, read_intent};
use super::{App, AppError, AppResult, Cause, Ctx, ErrorKind, JobKind, NewPaymentIntentInput};
use crate::connector::Decision;
use crate::connector::providers::{
    Account, Adjustment, Credentials, Notification, OpenPayment, Operation, ProviderPayments, ProviderState,
};
use kassa_domain::capture::{Capture, CaptureNotes};
use kassa_domain::connector::ConnectorPayment;
use kassa_domain::contact::BillingDetails;
use kassa_domain::payment_intent::{
    Authorization, CancellationReason, CaptureMethod, NewPaymentIntent, PaymentFailure, Status,
};
use kassa_domain::{CaptureId, Currency, Invalid, JobId, PaymentIntent, PaymentIntentId};
use kassa_store::jobs::{Job, JobState};
use kassa_store::provider_notices::{self, StoredNotice};
use kassa_store::{Scope, WriteTx, connectors, payment_intents};
use std::time::Duration;

/// How long Kassa waits for a customer to decide at the provider; then whatever the provider
/// holds is released and the attempt fails.
pub const CUSTOMER_DEADLINE: Duration = Duration::from_secs(2 * 60 * 60);

/// The longest pause between two questions to the provider about a customer's decision.
const LONGEST_POLL: Duration = Duration::from_secs(30);

/// The pause between two questions to a provider that captures at its own pace.
const CAPTURE_POLL: Duration = Duration::from_secs(5 * 60);

/// How many of a payment's notifications its timeline shows (a provider that repeats itself
/// cannot grow a page without end).
const NOTICES_SHOWN: i64 = 200;

/// A provider's notification about a payment, as its timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderNotice {
    /// The provider's name (`Vipps`).
    pub provider: String,
    /// When it arrived.
    pub received_at: kassa_domain::Timestamp,
    /// What the provider said when Kassa asked it then.
    pub outcome: String,
}

/// A payment method that is a connector's provider, as given.
#[derive(Debug, Clone)]
pub struct ThroughConnector {
    /// The provider (a connector's `type`).
    pub provider: String,
    /// Where the customer goes once they have decided.
    pub return_url: String,
    /// Who pays.
    pub billing: BillingDetails,
}

/// A connector's provider, reached with its credentials.
struct Reached<'a> {
    payments: &'a dyn ProviderPayments,
    credentials: Credentials,
    base_url: String,
}

impl Reached<'_> {
    fn account(&self) -> Account<'_> {
        Account { credentials: &self.credentials, base_url: &self.base_url }
    }
}

/// The pause before the provider is asked again, after `polls` questions: `first`, doubling, at
/// most [`LONGEST_POLL`].
fn poll_delay(first: Duration, polls: u32) -> Duration {
    first.saturating_mul(1u32 << polls.min(10)).min(LONGEST_POLL.max(first))
}

/// This attempt's reference at the provider: unique per attempt (a retried job keeps it),
/// in the letters, digits and dashes providers take.
fn attempt_reference(job: &JobId) -> String {
    format!("kassa-{}", job.as_str().trim_start_matches("job_"))
}

/// Who pays, as a checkout session knows them: its consumer, and its billing address.
fn billing_of(session: &kassa_domain::checkout::CheckoutSession) -> BillingDetails {
    let consumer = &session.consumer;
    let name =
        [consumer.first_name.as_deref(), consumer.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>();
    let address = session.billing_address.as_ref().or(session.shipping_address.as_ref());
    BillingDetails {
        name: (!name.is_empty()).then(|| name.join(" ")),
        email: consumer.email.clone(),
        phone: consumer.phone_number.clone().or_else(|| address.and_then(|a| a.phone_number.clone())),
        address: address.map(|a| kassa_domain::contact::PostalAddress {
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            postal_code: a.postal_code.clone(),
            state: a.region.clone(),
            country: a.country_code.clone(),
        }),
    }
}

/// `url` with `name=value` added to its query.
fn with_query(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let joiner = if base.contains('?') { '&' } else { '?' };
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    format!("{base}{joiner}{name}={value}{fragment}")
}

fn expired() -> PaymentFailure {
    PaymentFailure {
        code: "payment_expired".into(),
        decline_code: None,
        message: "The customer did not approve the payment in time.".into(),
    }
}

impl App {
    /// The payment of `method` through the merchant's connector: refused (422, naming the
    /// payment method's type) when the provider takes no payments through Kassa, takes no
    /// `currency`, or the merchant has no connector to it in this mode.
    async fn connector_payment(
        &self,
        ctx: &Ctx,
        method: ThroughConnector,
        currency: Currency,
        capture_method: CaptureMethod,
    ) -> AppResult<ConnectorPayment> {
        self.connector_payment_named(ctx, method, currency, capture_method, field::PAYMENT_METHOD_TYPE, true).await
    }

    /// [`App::connector_payment`], its refusals naming `param`; billing details checked only
    /// with `check_billing`.
    async fn connector_payment_named(
        &self,
        ctx: &Ctx,
        method: ThroughConnector,
        currency: Currency,
        capture_method: CaptureMethod,
        param: &'static str,
        check_billing: bool,
    ) -> AppResult<ConnectorPayment> {
        let refuse = |code: &'static str, message: String| AppError::invalid_field(param, Invalid::new(code, message));
        let provider = &method.provider;
        let Some(known) = self.providers().get(provider) else {
            let known = self.providers().names().join(", ");
            return Err(refuse("invalid_payment_method_type", format!("The type is card, or one of {known}.")));
        };
        let Some(payments) = known.payments() else {
            return Err(refuse(
                "payment_method_unavailable",
                format!("Kassa does not take payments through {provider} yet."),
            ));
        };
        if !payments.currencies().contains(&currency.code()) {
            let takes = payments.currencies().join(", ");
            return Err(refuse(
                "currency_not_supported_by_connector",
                format!("{provider} takes payments in {takes}, not {}.", currency.code()),
            ));
        }
        if capture_method == CaptureMethod::Automatic && !payments.supports(Operation::Capture) {
            return Err(AppError::invalid_field(
                field::CAPTURE_METHOD,
                Invalid::new(
                    "capture_method_not_supported_by_connector",
                    format!(
                        "{provider} captures at its own pace, not when Kassa asks: use capture_method manual; the \
                         payment turns succeeded when {provider} completes it."
                    ),
                ),
            ));
        }
        let missing: Vec<FieldError> = payments
            .required_billing()
            .iter()
            .filter(|f| check_billing && !f.given(&method.billing))
            .map(|f| {
                let param = format!("payment_method_data[billing_details][{}]", f.path());
                let message = format!("{provider} needs {param} to take a payment.");
                FieldError::new(param, Invalid::new("parameter_missing", message))
            })
            .collect();
        if !missing.is_empty() {
            return Err(AppError::validation(missing));
        }
        let Some(stored) = connectors::of_provider(self.store().reader(), &ctx.scope, provider).await? else {
            return Err(refuse(
                "no_connector",
                format!(
                    "No {provider} connector is configured in {} mode: add one with POST /v1/connectors.",
                    ctx.scope.mode.as_str()
                ),
            ));
        };
        Ok(ConnectorPayment {
            connector_id: stored.account.id,
            provider: provider.clone(),
            reference: None,
            redirect_url: None,
            return_url: method.return_url,
            billing: method.billing,
        })
    }

    /// Checks the payment methods a checkout session offers: `card` where a card processor
    /// serves the mode, and providers the merchant has a connector to that take the currency
    /// (and the capture method).
    pub(crate) async fn check_session_methods(
        &self,
        ctx: &Ctx,
        types: &[String],
        currency: Currency,
        capture_method: CaptureMethod,
    ) -> AppResult<()> {
        let param = field::PAYMENT_METHOD_TYPES;
        if types.is_empty() {
            let invalid = Invalid::new("parameter_missing", "Give at least one payment method type, such as card.");
            return Err(AppError::invalid_field(param, invalid));
        }
        for (i, kind) in types.iter().enumerate() {
            if types[..i].contains(kind) {
                let invalid = Invalid::new("duplicate_payment_method_type", format!("{kind} is listed twice."));
                return Err(AppError::invalid_field(param, invalid));
            }
            match kind.as_str() {
                "card" => drop(self.card_processor_for(ctx, Some(param))?),
                provider => {
                    let method = ThroughConnector {
                        provider: provider.to_owned(),
                        return_url: String::new(),
                        billing: BillingDetails::default(),
                    };
                    self.connector_payment_named(ctx, method, currency, capture_method, param, false).await?;
                }
            }
        }
        Ok(())
    }

    /// The customer pays on the hosted page through the merchant's connector to `provider`: the
    /// session's payment opens at the provider and the answer says where to send the customer
    /// (who comes back to the page). What the provider must know of the customer comes from the
    /// session (its consumer and billing address).
    pub async fn checkout_pay_through(&self, id: &str, provider: &str) -> AppResult<PaymentIntent> {
        let view = self.checkout_page(id).await?;
        let session = view.session;
        if !session.payment_method_types.iter().any(|t| t == provider) || provider == "card" {
            let invalid =
                Invalid::new("invalid_payment_method_type", format!("This checkout does not take {provider}."));
            return Err(AppError::invalid_field(field::PAYMENT_METHOD_TYPE, invalid));
        }
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        // The page acts for the merchant's customer; it holds no key.
        let ctx =
            Ctx::new(scope.clone(), kassa_domain::KeyKind::Publishable, kassa_domain::RequestId::generate(), None);
        let method = ThroughConnector {
            provider: provider.to_owned(),
            return_url: self.checkout_url(&session.id),
            billing: billing_of(&session),
        };
        let payment = self.connector_payment(&ctx, method, session.currency, session.capture_method).await?;
        let mut tx = self.store().begin().await?;
        let mut session = kassa_store::checkout::lock_session(&mut tx, &session.id)
            .await?
            .ok_or_else(|| AppError::not_found("checkout_session", id))?;
        let now = self.clock().now();
        session.begin_payment(now)?;
        let mut pi = self.session_payment_at_total(&mut tx, &scope, &mut session).await?;
        let events = pi.confirm_through(payment, now)?;
        payment_intents::update(&mut tx, &pi).await?;
        self.record_events(&mut tx, &ctx.cause(), &events, None, &pi, None).await?;
        let job = self.enqueue_open(&mut tx, &ctx, &pi).await?;
        kassa_store::checkout::update_session(&mut tx, &session).await?;
        self.commit(tx).await?;
        if let Some(job) = job {
            self.run_inline(job).await;
        }
        self.get_payment_intent(&ctx, pi.id.as_str()).await
    }

    /// Confirms through a connector: the provider opens the payment before the answer, which is
    /// `requires_action` with where the customer approves (or `processing` if the provider is
    /// slow: the job carries on).
    pub(crate) async fn confirm_through(
        &self,
        ctx: &Ctx,
        id: &PaymentIntentId,
        method: ThroughConnector,
    ) -> AppResult<PaymentIntent> {
        let current = self.get_payment_intent(ctx, id.as_str()).await?;
        let payment = self.connector_payment(ctx, method, current.currency, current.capture_method).await?;
        let mut job = None;
        let applied = self
            .idempotent_applied(ctx, async |tx| {
                let mut pi = payment_intents::lock(tx, &ctx.scope, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("payment_intent", id.as_str()))?;
                let events = pi.confirm_through(payment, self.clock().now())?;
                payment_intents::update(tx, &pi).await?;
                self.record_events(tx, &ctx.cause(), &events, None, &pi, None).await?;
                job = self.enqueue_open(tx, ctx, &pi).await?;
                Ok(pi)
            })
            .await?;
        self.open_now(ctx, applied, job).await
    }

    /// Creates a payment intent and confirms it through a connector, in one request.
    pub(crate) async fn create_through(
        &self,
        ctx: &Ctx,
        input: NewPaymentIntentInput,
        method: ThroughConnector,
    ) -> AppResult<PaymentIntent> {
        if !input.confirm || input.token.is_some() {
            return Err(AppError::invalid_field(
                field::CONFIRM,
                Invalid::new(
                    "connector_requires_confirm",
                    "A payment through a connector is confirmed when it is created (send confirm: true), \
                     without a token.",
                ),
            ));
        }
        let payment = self.connector_payment(ctx, method, input.currency, input.capture_method).await?;
        let mut job = None;
        let applied = self
            .idempotent_applied(ctx, async |tx| {
                let new = NewPaymentIntent {
                    amount: input.amount,
                    currency: input.currency,
                    capture_method: input.capture_method,
                    payment_method: None,
                    customer: input.customer,
                    description: input.description,
                    statement_descriptor: input.statement_descriptor,
                    metadata: input.metadata,
                    reference: input.reference,
                    token: None,
                    face_notes: input.face_notes,
                };
                let now = self.clock().now();
                let (mut pi, mut events) = PaymentIntent::create(
                    PaymentIntentId::generate(),
                    ctx.scope.merchant_id.clone(),
                    ctx.scope.mode,
                    new,
                    now,
                );
                events.extend(pi.confirm_through(payment, now)?);
                self.insert_payment_intent(tx, &ctx.scope, &pi).await?;
                self.record_events(tx, &ctx.cause(), &events, None, &pi, None).await?;
                job = self.enqueue_open(tx, ctx, &pi).await?;
                Ok(pi)
            })
            .await?;
        self.open_now(ctx, applied, job).await
    }

    async fn enqueue_open(&self, tx: &mut WriteTx, ctx: &Ctx, pi: &PaymentIntent) -> AppResult<Option<Job>> {
        let payload = Some(Payload::caused_by(ctx.cause()));
        self.enqueue_job(tx, JobKind::OpenPayment, &ctx.scope, pi.id.as_str(), payload, true).await
    }

    /// Runs the open job the request queued and answers with the payment as it then stands.
    async fn open_now(&self, ctx: &Ctx, applied: Applied<PaymentIntent>, job: Option<Job>) -> AppResult<PaymentIntent> {
        let Some(job) = job.filter(|_| !applied.replayed) else { return Ok(applied.value) };
        self.run_inline(job).await;
        let result = self.get_payment_intent(ctx, applied.value.id.as_str()).await;
        self.finish_idempotent(ctx, &applied, &result).await?;
        result
    }

    /// The provider of `payment`'s connector, with the connector's credentials (a deleted
    /// connector still settles the payments that went through it).
    async fn reach(&self, scope: &Scope, payment: &ConnectorPayment) -> AppResult<Reached<'_>> {
        let stored = connectors::get_any(self.store().reader(), scope, &payment.connector_id)
            .await?
            .ok_or_else(|| AppError::internal(format!("payment through missing connector {}", payment.connector_id)))?;
        let payments = self
            .providers()
            .get(&stored.account.provider)
            .and_then(|p| p.payments())
            .ok_or_else(|| AppError::internal(format!("no payments through {}", stored.account.provider)))?;
        Ok(Reached {
            payments,
            credentials: self.open_credentials(&stored.sealed_credentials)?,
            base_url: stored.account.base_url.as_str().to_owned(),
        })
    }

    /// Kassa's address where the provider sends the customer back.
    fn return_address(&self, id: &PaymentIntentId) -> String {
        format!("{}/return/{id}", self.public_url())
    }

    /// Captures, refunds or cancels at `payment`'s provider, with `job`'s id as key.
    pub(crate) async fn adjust_at_provider(
        &self,
        scope: &Scope,
        pi: &PaymentIntent,
        payment: &ConnectorPayment,
        operation: Operation,
        job: &Job,
        amount: i64,
    ) -> Result<Decision<()>, StepError> {
        let reference =
            payment.reference.as_deref().ok_or_else(|| AppError::internal("a payment the provider never opened"))?;
        let reached = self.reach(scope, payment).await?;
        // A final capture releases what the provider still holds beyond it.
        let release_rest = operation == Operation::Capture
            && pi
                .pending_capture
                .as_ref()
                .is_some_and(|p| p.final_capture && p.amount.units() < pi.amount_capturable());
        let adjustment = Adjustment {
            operation,
            idempotency_key: job.id.as_str(),
            reference,
            amount,
            currency: pi.currency,
            release_rest,
        };
        Ok(reached.payments.adjust(reached.account(), adjustment).await?)
    }

    /// The `open_payment` job.
    pub(crate) async fn open_at_provider(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let cause = payload(job)?.cause.unwrap_or_default();
        let id = PaymentIntentId::from_trusted(job.target_id.clone());
        let pi = read_intent(self, &scope, &id).await?;
        let Some(payment) = pi.connector.clone().filter(|p| pi.status == Status::Processing && p.reference.is_none())
        else {
            return Ok(self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?);
        };
        let reached = self.reach(&scope, &payment).await?;
        let reference = attempt_reference(&job.id);
        let return_url = self.return_address(&pi.id);
        let open = OpenPayment {
            idempotency_key: job.id.as_str(),
            reference: &reference,
            amount: pi.amount.get(),
            currency: pi.currency,
            return_url: &return_url,
            description: pi.description.as_deref(),
            billing: &payment.billing,
        };
        let decision = reached.payments.open(reached.account(), open).await?;
        let until = self.clock().now().plus_millis(CUSTOMER_DEADLINE.as_millis() as i64).micros();
        let settled = self
            .settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                let mut pi = lock_intent(tx, &scope, &id).await?;
                let before = pi.clone();
                let now = app.clock().now();
                let transition = match &decision {
                    Decision::Approved(opened) => {
                        pi.awaiting_customer(opened.reference.clone(), opened.redirect_url.clone(), now)
                    }
                    Decision::Declined(failure) => pi.authorization_failed(failure.clone(), now),
                };
                if transition.is_ok() && pi.status == Status::RequiresAction {
                    let follow = Payload { until: Some(until), ..Payload::caused_by(cause.clone()) };
                    let config = app.job_config();
                    let first = poll_delay(config.first_provider_poll, 0)
                        .min(config.max_backoff.max(config.first_provider_poll));
                    app.enqueue_job_in(tx, JobKind::FollowPayment, &scope, id.as_str(), Some(follow), false, first)
                        .await?;
                }
                app.apply(tx, &cause, &before, &pi, transition.map(|e| (e, None)), None).await
            })
            .await?;
        Ok(outcome_of(settled, decision))
    }

    /// The `follow_payment` job: asks the provider, applies a decision, or asks again later.
    pub(crate) async fn follow_at_provider(&self, job: &Job) -> Result<JobOutcome, StepError> {
        let scope = job.scope();
        let given = payload(job)?;
        let cause = given.cause.clone().unwrap_or_default();
        let id = PaymentIntentId::from_trusted(job.target_id.clone());
        let pi = read_intent(self, &scope, &id).await?;
        let observed = self.observe(&scope, &pi).await?;
        let now = self.clock().now().micros();
        let deciding = pi.status == Status::RequiresAction;
        let settled = match observed {
            None => self.settle(job, JobState::Succeeded, None, async |_: &App, _: &mut WriteTx| Ok(())).await?,
            Some(ProviderState::Waiting) if deciding && given.until.is_some_and(|until| now >= until) => {
                let observed = &pi;
                self.settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                    let mut pi = lock_intent(tx, &scope, &id).await?;
                    if pi.status != observed.status || pi.connector != observed.connector {
                        return Ok(());
                    }
                    let before = pi.clone();
                    let transition = pi.authorization_failed(expired(), app.clock().now());
                    if transition.is_ok() {
                        app.enqueue_job(tx, JobKind::Void, &scope, id.as_str(), None, false).await?;
                    }
                    app.apply(tx, &cause, &before, &pi, transition.map(|e| (e, None)), None).await
                })
                .await?
            }
            Some(ProviderState::Waiting) => {
                let next = Payload { polls: given.polls + 1, until: given.until, ..Payload::caused_by(cause.clone()) };
                let delay = self.follow_delay(&pi, next.polls);
                self.settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                    app.enqueue_job_in(tx, JobKind::FollowPayment, &scope, id.as_str(), Some(next), false, delay)
                        .await
                        .map(drop)
                })
                .await?
            }
            Some(state) => {
                // A provider that captures at its own pace is followed until it has.
                let follow_on = (state == ProviderState::Authorized && !self.can_capture(&pi))
                    .then(|| Payload { polls: given.polls + 1, ..Payload::caused_by(cause.clone()) });
                self.settle(job, JobState::Succeeded, None, async |app: &App, tx: &mut WriteTx| {
                    app.apply_observed(tx, &scope, &cause, &pi, &state).await?;
                    if let Some(next) = follow_on {
                        let delay = CAPTURE_POLL.min(app.job_config().max_backoff);
                        app.enqueue_job_in(tx, JobKind::FollowPayment, &scope, id.as_str(), Some(next), false, delay)
                            .await?;
                    }
                    Ok(())
                })
                .await?
            }
        };
        Ok(settled)
    }

    /// The pause before the next question to the provider about `pi`.
    fn follow_delay(&self, pi: &PaymentIntent, polls: u32) -> Duration {
        let config = self.job_config();
        let delay = if pi.status == Status::RequiresAction {
            poll_delay(config.first_provider_poll, polls)
        } else {
            CAPTURE_POLL
        };
        delay.min(config.max_backoff.max(config.first_provider_poll))
    }

    /// Whether `pi`'s provider captures when Kassa asks.
    fn can_capture(&self, pi: &PaymentIntent) -> bool {
        let provider = pi.connector.as_ref().and_then(|c| self.providers().get(&c.provider));
        provider.and_then(|p| p.payments()).is_none_or(|p| p.supports(Operation::Capture))
    }

    /// Where a payment waiting for its customer stands at the provider; `None` when it is not
    /// waiting. A payment captured automatically is captured here once approved, with a key of
    /// the payment's own, so the poller and the customer's return capture it once; if the
    /// provider refuses that capture, what it holds is released and the attempt fails.
    async fn observe(&self, scope: &Scope, pi: &PaymentIntent) -> Result<Option<ProviderState>, StepError> {
        let followed = match pi.status {
            Status::RequiresAction => true,
            // Until a provider that captures at its own pace has captured.
            Status::RequiresCapture => !self.can_capture(pi) && pi.amount_captured.is_zero(),
            _ => false,
        };
        let Some(payment) = pi.connector.as_ref().filter(|_| followed) else {
            return Ok(None);
        };
        let reference =
            payment.reference.as_deref().ok_or_else(|| AppError::internal("a payment the provider never opened"))?;
        let reached = self.reach(scope, payment).await?;
        let state = reached.payments.state(reached.account(), reference).await?;
        if pi.status == Status::RequiresCapture && state == ProviderState::Authorized {
            return Ok(Some(ProviderState::Waiting));
        }
        if state != ProviderState::Authorized || pi.capture_method != CaptureMethod::Automatic {
            return Ok(Some(state));
        }
        fn adjust<'a>(operation: Operation, key: &'a str, reference: &'a str, pi: &PaymentIntent) -> Adjustment<'a> {
            Adjustment {
                operation,
                idempotency_key: key,
                reference,
                amount: pi.amount.get(),
                currency: pi.currency,
                release_rest: false,
            }
        }
        let capture_key = format!("{}-capture", pi.id);
        let capture = adjust(Operation::Capture, &capture_key, reference, pi);
        match reached.payments.adjust(reached.account(), capture).await? {
            Decision::Approved(()) => Ok(Some(ProviderState::Authorized)),
            Decision::Declined(failure) => {
                let release_key = format!("{}-release", pi.id);
                let release = adjust(Operation::Cancel, &release_key, reference, pi);
                if let Decision::Declined(why) = reached.payments.adjust(reached.account(), release).await? {
                    tracing::warn!(payment_intent = %pi.id, code = %why.code, "the provider refused to release");
                }
                Ok(Some(ProviderState::Failed(failure)))
            }
        }
    }

    /// Applies the provider's decision about `observed` (the payment as it stood when the
    /// provider was asked). A decision that no longer applies changes nothing: the payment moved
    /// on meanwhile (another question got there first, or the customer's next attempt, with a
    /// card, began after this one failed).
    async fn apply_observed(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        cause: &Cause,
        observed: &PaymentIntent,
        state: &ProviderState,
    ) -> AppResult<()> {
        let mut pi = lock_intent(tx, scope, &observed.id).await?;
        let attempt = |p: &PaymentIntent| (p.status, p.connector.as_ref().and_then(|c| c.reference.clone()));
        if attempt(&pi) != attempt(observed) {
            tracing::info!(payment_intent = %pi.id, "a provider's decision about an earlier state no longer applies");
            return Ok(());
        }
        let before = pi.clone();
        let now = self.clock().now();
        let reference = pi.connector.as_ref().and_then(|c| c.reference.clone()).unwrap_or_default();
        let (transition, capture) = match state {
            ProviderState::Waiting => return Ok(()),
            ProviderState::Authorized => {
                let transition = pi.authorized(Authorization { id: reference, code: String::new() }, now);
                let capture = transition.as_ref().ok().and_then(|_| Capture::automatic(&pi, now));
                (transition, capture)
            }
            ProviderState::Captured => {
                let mut events = match pi.status {
                    Status::RequiresAction => {
                        pi.authorized(Authorization { id: reference, code: String::new() }, now)?
                    }
                    _ => Vec::new(),
                };
                let pending = match pi.begin_capture(CaptureId::generate(), None, true, now) {
                    Ok(pending) => pending,
                    Err(e) => {
                        tracing::warn!(error = %e, payment_intent = %pi.id, "a capture at the provider no longer applies");
                        return Ok(());
                    }
                };
                let mut record = Capture::pending(&pi, &pending, CaptureNotes::default(), now);
                record.succeeded(now);
                let transition = pi.capture_succeeded(&pending.id, now).map(|more| {
                    events.extend(more);
                    events
                });
                (transition, Some(record))
            }
            // The provider let an authorization go that Kassa could not capture: released.
            ProviderState::Failed(_) if pi.status == Status::RequiresCapture => {
                (pi.cancel(Some(CancellationReason::Abandoned), now).map(|outcome| outcome.events), None)
            }
            ProviderState::Failed(failure) => (pi.authorization_failed(failure.clone(), now), None),
        };
        self.apply(tx, cause, &before, &pi, transition.map(|e| (e, None)), capture).await
    }

    /// A provider's notification to connector `id`: checked with the subscription's secret
    /// (401 otherwise, changing nothing), then the provider is asked where the payment it names
    /// stands and its decision applied, once. A payment Kassa does not know is ignored (the
    /// account may take payments elsewhere too).
    pub async fn connector_notified(&self, id: &str, notification: Notification<'_>) -> AppResult<()> {
        let not_found = || AppError::not_found("connector", id);
        let connector_id = kassa_domain::ConnectorId::parse(id).ok_or_else(not_found)?;
        let stored = connectors::get_by_id(self.store().reader(), &connector_id).await?.ok_or_else(not_found)?;
        let listens = self.providers().get(&stored.account.provider).and_then(|p| p.notifications());
        let (Some(listens), Some(sealed)) = (listens, stored.sealed_notifications.as_deref()) else {
            return Err(not_found());
        };
        let subscription = self.open_subscription(sealed)?;
        let reference = listens.read(&subscription, &notification).map_err(|why| {
            tracing::warn!(connector = %connector_id, why, "a notification failed its check");
            AppError::new(
                ErrorKind::Authentication,
                "invalid_signature",
                "The notification's signature does not check.",
            )
        })?;
        let found = payment_intents::by_connector_reference(self.store().reader(), &connector_id, &reference).await?;
        let Some(pi) = found else { return Ok(()) };
        let scope = Scope { merchant_id: pi.merchant_id.clone(), mode: pi.mode };
        let received_at = self.clock().now();
        let observed = self.observe(&scope, &pi).await;
        let outcome = match &observed {
            Ok(None) => "nothing to ask: the payment had moved on".to_owned(),
            Ok(Some(ProviderState::Waiting)) => "asked: nothing new".to_owned(),
            Ok(Some(ProviderState::Authorized)) => "asked: approved".to_owned(),
            Ok(Some(ProviderState::Captured)) => "asked: captured".to_owned(),
            Ok(Some(ProviderState::Failed(failure))) => format!("asked: {}", failure.message),
            Err(StepError::Unavailable(e)) => format!("asked, no answer: {e}"),
            Err(StepError::Internal(_)) => "asked, and failed".to_owned(),
        };
        let mut tx = self.store().begin().await?;
        let notice = StoredNotice { payment_intent_id: pi.id.clone(), connector_id, received_at, outcome };
        provider_notices::insert(&mut tx, &notice).await?;
        match observed {
            Ok(Some(state)) if state != ProviderState::Waiting => {
                self.apply_observed(&mut tx, &scope, &Cause::default(), &pi, &state).await?;
                self.commit(tx).await
            }
            Ok(_) => self.commit(tx).await,
            // The provider retries its notification; the poller asks meanwhile.
            Err(StepError::Unavailable(e)) => {
                self.commit(tx).await?;
                Err(AppError::new(ErrorKind::Unavailable, "connector_unreachable", e.to_string()))
            }
            Err(StepError::Internal(e)) => Err(e),
        }
    }

    /// The notifications a payment's provider sent about it, oldest first, and what it said
    /// when Kassa asked (the payment's timeline).
    pub async fn provider_notices(&self, ctx: &Ctx, id: &str) -> AppResult<Vec<ProviderNotice>> {
        let pi = self.get_payment_intent(ctx, id).await?;
        let Some(payment) = &pi.connector else { return Ok(Vec::new()) };
        let provider =
            self.providers().get(&payment.provider).map_or(payment.provider.clone(), |p| p.display_name().to_owned());
        let stored = provider_notices::of_payment(self.store().reader(), &pi.id, NOTICES_SHOWN).await?;
        Ok(stored
            .into_iter()
            .map(|n| ProviderNotice { provider: provider.clone(), received_at: n.received_at, outcome: n.outcome })
            .collect())
    }

    /// A customer back from the provider: asks it where the payment stands (so the merchant's
    /// page sees the outcome at once) and says where to send them: the merchant's return URL,
    /// naming the payment. If the provider cannot be asked now, the polling job settles it.
    pub async fn customer_returned(&self, id: &str) -> AppResult<String> {
        let not_found = || AppError::not_found("payment_intent", id);
        let pi_id = PaymentIntentId::parse(id).ok_or_else(not_found)?;
        let pi = payment_intents::get_by_id(self.store().reader(), &pi_id).await?.ok_or_else(not_found)?;
        let Some(payment) = pi.connector.clone() else { return Err(not_found()) };
        let scope = Scope { merchant_id: pi.merchant_id.clone(), mode: pi.mode };
        match self.observe(&scope, &pi).await {
            Ok(Some(state)) if state != ProviderState::Waiting => {
                let mut tx = self.store().begin().await?;
                self.apply_observed(&mut tx, &scope, &Cause::default(), &pi, &state).await?;
                self.commit(tx).await?;
            }
            Ok(_) => {}
            Err(StepError::Unavailable(e)) => tracing::info!(payment_intent = %pi.id, error = %e, "provider not asked"),
            Err(StepError::Internal(e)) => return Err(e),
        }
        Ok(with_query(&payment.return_url, "payment_intent", pi.id.as_str()))
    }

    /// Whether `operation` on `pi` can be asked of its provider (always, for a card payment).
    pub fn connector_can(&self, pi: &PaymentIntent, operation: Operation) -> bool {
        self.provider_can(pi, operation).is_ok()
    }

    /// The name customers know `pi`'s provider by, for a payment through a connector.
    pub fn provider_display_name(&self, pi: &PaymentIntent) -> Option<&'static str> {
        let payment = pi.connector.as_ref()?;
        Some(self.providers().get(&payment.provider).map_or("an unknown provider", |p| p.display_name()))
    }

    /// Refuses `operation` on `pi` when its provider cannot do it (before anything is stored).
    pub(crate) fn provider_can(&self, pi: &PaymentIntent, operation: Operation) -> AppResult<()> {
        let Some(payment) = &pi.connector else { return Ok(()) };
        let able =
            self.providers().get(&payment.provider).and_then(|p| p.payments()).is_some_and(|p| p.supports(operation));
        if able {
            return Ok(());
        }
        Err(AppError::new(
            ErrorKind::Validation,
            "not_supported_by_connector",
            format!(
                "{} cannot {} a payment through its API; do it at {} directly.",
                payment.provider,
                operation.as_str(),
                payment.provider
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merchant_return_url_keeps_its_query_and_fragment() {
        assert_eq!(
            with_query("https://s.example/r", "payment_intent", "pi_1"),
            "https://s.example/r?payment_intent=pi_1"
        );
        assert_eq!(
            with_query("https://s.example/r?a=1#top", "payment_intent", "pi_1"),
            "https://s.example/r?a=1&payment_intent=pi_1#top"
        );
    }

    #[test]
    fn the_provider_is_asked_more_and_more_rarely() {
        let delays: Vec<u64> = (0..8).map(|n| poll_delay(Duration::from_secs(1), n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
