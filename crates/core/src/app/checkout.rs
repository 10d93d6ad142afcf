//! Checkout sessions: created by merchants, paid by customers on the hosted page.
//!
//! A session owns one payment intent, created with it. Paying confirms that intent with the
//! customer's card; when the processor answers (`follow_checkout`, called in the job's
//! transaction) the session completes, or counts a declined attempt. A promotion code's
//! redemption is reserved when an attempt starts (under row locks, so concurrent checkouts
//! never exceed a limit), counted when the payment succeeds, released otherwise.

use super::error::field;
use super::events::{NewEvent, Subscribers};
use super::list::{Order, Page, PageRequest, TimeRange};
use super::payment_intents::reference_in_use;
use super::{App, AppError, AppResult, Cause, Ctx, ErrorKind, JobKind, PaymentMethodInput};
use kassa_domain::Fact;
use kassa_domain::checkout::{
    Address, AppliedPromotion, CheckoutSession, Consumer, CustomerHistory, LineItem, Locale, Purpose, SessionError,
    SessionPaymentStatus, SessionStatus, Totals, compute_totals, discounted_base,
};
use kassa_domain::payment_intent::{CancellationReason, CaptureMethod, NewPaymentIntent, Status};
use kassa_domain::token::{SavedCard, Token};
use kassa_domain::{
    CheckoutSessionId, Currency, EventType, Invalid, KeyKind, Metadata, MinorUnits, PaymentIntent, PaymentIntentId,
    RequestId, TokenId,
};
use kassa_store::checkout::{self as store, SessionFilter};
use kassa_store::merchants::get_merchant;
use kassa_store::{Scope, WriteTx, payment_intents, tokens};
use std::time::Duration;

/// A create request, parsed.
#[derive(Debug)]
pub struct NewSessionInput {
    /// Currency.
    pub currency: Currency,
    /// Lines (at least one).
    pub line_items: Vec<LineItem>,
    /// Order-level tax.
    pub tax_amount: MinorUnits,
    /// Shipping.
    pub shipping_amount: MinorUnits,
    /// The total the merchant expects, checked against the lines.
    pub amount_total: Option<i64>,
    /// Who pays.
    pub consumer: Consumer,
    /// Billing address.
    pub billing_address: Option<Address>,
    /// Shipping address.
    pub shipping_address: Option<Address>,
    /// After paying.
    pub success_url: String,
    /// After the last declined attempt.
    pub failure_url: Option<String>,
    /// On cancel.
    pub cancel_url: Option<String>,
    /// Capture method.
    pub capture_method: CaptureMethod,
    /// Page language.
    pub locale: Locale,
    /// Lifetime (default from the configuration).
    pub expires_in: Option<Duration>,
    /// A promotion code to apply.
    pub promotion_code: Option<String>,
    /// Merchant's order reference (free text).
    pub order_reference: Option<String>,
    /// The merchant's own reference, unique among its sessions (and its payments').
    pub reference: Option<kassa_domain::Reference>,
    /// Merchant's order number.
    pub order_number: Option<String>,
    /// Annotations.
    pub metadata: Metadata,
    /// What the face that asked keeps beside Kassa's fields (not the merchant's metadata).
    pub face_notes: kassa_domain::FaceNotes,
    /// Where to tell the merchant that the session ended, if anywhere.
    pub callback: Option<SessionCallback>,
    /// How the customer may pay: `card`, and connectors' providers (at least one).
    pub payment_method_types: Vec<String>,
    /// Whether the customer may type a promotion code on the page.
    pub customer_codes: bool,
}

/// A session's callback: an endpoint bound to the session, told (durably, with retries) when it
/// completes, expires or is canceled, in the words of `dialect`.
#[derive(Debug)]
pub struct SessionCallback {
    /// Where.
    pub url: kassa_domain::webhook::EndpointUrl,
    /// The credential the merchant gave for the call (its dialect says how it is sent).
    pub authorization: String,
    /// The face whose words the call speaks.
    pub dialect: kassa_domain::webhook::Dialect,
}

/// A setup session's create request, parsed: a page that saves a card, charging nothing.
#[derive(Debug)]
pub struct NewSetupSessionInput {
    /// Whose card it saves, when not the consumer's email (a customer's id, say).
    pub customer: Option<String>,
    /// The currency the card is verified in.
    pub currency: Currency,
    /// Whose card (the email binds the token to the customer).
    pub consumer: Consumer,
    /// After the card is saved.
    pub success_url: String,
    /// After the card was refused.
    pub failure_url: Option<String>,
    /// On cancel.
    pub cancel_url: Option<String>,
    /// Page language.
    pub locale: Locale,
    /// Lifetime (default from the configuration).
    pub expires_in: Option<Duration>,
    /// The merchant's own reference, unique among its sessions.
    pub reference: Option<kassa_domain::Reference>,
    /// Annotations (the session's and its token's).
    pub metadata: Metadata,
    /// What the face that asked keeps beside Kassa's fields (the session's and its token's).
    pub face_notes: kassa_domain::FaceNotes,
}

/// What the hosted page shows: a session, what it is for, and whose it is.
#[derive(Debug, Clone)]
pub struct CheckoutView {
    /// The session.
    pub session: CheckoutSession,
    /// Its payment or its token.
    pub subject: CheckoutSubject,
    /// The merchant's display name.
    pub merchant_name: String,
}

/// A session's payment, or the token a setup session saves a card for.
#[derive(Debug, Clone)]
pub enum CheckoutSubject {
    /// A payment session's intent.
    Payment(Box<PaymentIntent>),
    /// A setup session's token.
    Setup(Box<Token>),
}

impl CheckoutView {
    /// Where the checkout stands.
    pub fn phase(&self) -> kassa_domain::checkout::CheckoutPhase {
        match &self.subject {
            CheckoutSubject::Payment(pi) => self.session.phase(Some(pi.status)),
            CheckoutSubject::Setup(_) => self.session.phase(None),
        }
    }

    /// Why the last attempt was refused, if it was.
    pub fn last_error(&self) -> Option<&kassa_domain::payment_intent::PaymentFailure> {
        match &self.subject {
            CheckoutSubject::Payment(pi) => pi.last_error.as_ref(),
            CheckoutSubject::Setup(_) => None,
        }
    }
}

/// Which checkout sessions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutSessionFilter {
    /// Only this status.
    pub status: Option<kassa_domain::checkout::SessionStatus>,
    /// Only the session of this payment.
    pub payment_intent: Option<kassa_domain::PaymentIntentId>,
    /// Only sessions of this customer email (any case).
    pub customer_email: Option<String>,
    /// Only created in this range.
    pub created: TimeRange,
}

impl From<&CheckoutSessionFilter> for SessionFilter {
    fn from(f: &CheckoutSessionFilter) -> SessionFilter {
        SessionFilter {
            status: f.status,
            payment_intent: f.payment_intent.clone(),
            customer_email: f.customer_email.clone(),
            created: f.created.clone(),
        }
    }
}

fn session_id(id: &str) -> AppResult<CheckoutSessionId> {
    CheckoutSessionId::parse(id).ok_or_else(|| AppError::not_found("checkout_session", id))
}

impl From<SessionError> for AppError {
    fn from(e: SessionError) -> AppError {
        let message = e.to_string();
        match e {
            SessionError::NotOpen { status, .. } => {
                AppError::new(ErrorKind::Conflict, "checkout_session_not_open", message)
                    .with_current_status(status.as_str())
            }
            SessionError::Processing => AppError::new(ErrorKind::Conflict, "checkout_session_processing", message)
                .with_current_status("open")
                .with_retry_after(1),
            SessionError::Invalid(invalid) => AppError::invalid_field(field::PROMOTION_CODE, invalid),
        }
    }
}

fn refused_code(invalid: Invalid) -> AppError {
    AppError::invalid_field(field::PROMOTION_CODE, invalid)
}

impl App {
    /// A session's lifetime: as asked, within the configured bounds.
    fn session_lifetime(&self, asked: Option<Duration>) -> AppResult<Duration> {
        let config = self.checkout_config();
        let expires_in = asked.unwrap_or(config.default_expires_in);
        if expires_in < config.min_expires_in || expires_in > config.max_expires_in {
            return Err(AppError::invalid_field(
                "expires_in",
                Invalid::new(
                    "invalid_expires_in",
                    format!(
                        "expires_in must be from {} to {} seconds.",
                        config.min_expires_in.as_secs(),
                        config.max_expires_in.as_secs()
                    ),
                ),
            ));
        }
        Ok(expires_in)
    }

    /// Stores a new session; its reference, if it has one, must be the only one of the scope.
    async fn insert_session(&self, tx: &mut WriteTx, scope: &Scope, session: &CheckoutSession) -> AppResult<()> {
        if let Some(reference) = &session.reference
            && let Some(existing) = store::session_by_reference(tx.conn(), scope, reference).await?
        {
            return Err(reference_in_use("checkout session", reference, Some(existing.id.as_str())));
        }
        match store::insert_session(tx, session).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_unique_violation() && session.reference.is_some() => {
                let reference = session.reference.as_ref().expect("checked");
                let existing = store::session_by_reference(self.store().reader(), scope, reference).await?;
                Err(reference_in_use("checkout session", reference, existing.as_ref().map(|s| s.id.as_str())))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a setup session and the token it will save the customer's card in.
    pub async fn create_setup_session(&self, ctx: &Ctx, input: NewSetupSessionInput) -> AppResult<CheckoutSession> {
        // A session's page takes cards only (for now).
        self.card_processor_for(ctx, None)?;
        let expires_in = self.session_lifetime(input.expires_in)?;
        self.idempotent(ctx, async |tx| {
            let now = self.clock().now();
            let id = CheckoutSessionId::generate();
            let (token, event) = Token::new(
                TokenId::generate(),
                ctx.scope.merchant_id.clone(),
                ctx.scope.mode,
                input.customer.clone().or_else(|| input.consumer.customer_key()),
                id.clone(),
                (input.metadata.clone(), input.face_notes.clone()),
                now,
            );
            let session = CheckoutSession {
                id,
                merchant_id: ctx.scope.merchant_id.clone(),
                mode: ctx.scope.mode,
                status: SessionStatus::Open,
                payment_status: SessionPaymentStatus::Unpaid,
                currency: input.currency,
                line_items: Vec::new(),
                tax_amount: MinorUnits::ZERO,
                shipping_amount: MinorUnits::ZERO,
                totals: Totals::default(),
                consumer: input.consumer.clone(),
                billing_address: None,
                shipping_address: None,
                success_url: input.success_url.clone(),
                failure_url: input.failure_url.clone(),
                cancel_url: input.cancel_url.clone(),
                capture_method: CaptureMethod::Manual,
                locale: input.locale,
                expires_at: now.plus_millis(expires_in.as_millis() as i64),
                promotion: None,
                order_reference: None,
                reference: input.reference.clone(),
                order_number: None,
                promotion_misses: 0,
                metadata: input.metadata.clone(),
                face_notes: input.face_notes.clone(),
                purpose: Purpose::Setup(token.id.clone()),
                payment_method_types: kassa_domain::checkout::card_only(),
                customer_codes: false,
                failed_attempts: 0,
                cancellation: None,
                created_at: now,
                updated_at: now,
            };
            tokens::insert(tx, &token).await?;
            self.insert_session(tx, &ctx.scope, &session).await?;
            self.record_token_event(tx, &ctx.cause(), &token, event, None).await?;
            Ok(session)
        })
        .await
    }

    /// Creates a session and its payment intent.
    pub async fn create_checkout_session(&self, ctx: &Ctx, input: NewSessionInput) -> AppResult<CheckoutSession> {
        self.check_session_methods(ctx, &input.payment_method_types, input.currency, input.capture_method).await?;
        let expires_in = self.session_lifetime(input.expires_in)?;
        if let Some(callback) = &input.callback {
            self.check_reachable(&callback.url, ctx.scope.mode).await?;
        }
        self.idempotent(ctx, async |tx| {
            let now = self.clock().now();
            let id = CheckoutSessionId::generate();
            let promotion = match &input.promotion_code {
                Some(code) => {
                    let base = discounted_base(&input.line_items)
                        .map_err(|e| AppError::invalid_field(field::LINE_ITEMS, e))?;
                    let key = input.consumer.customer_key();
                    Some(self.applicable_promotion(tx, &ctx.scope, &id, code, base, input.currency, key, false).await?)
                }
                None => None,
            };
            let totals = compute_totals(
                &input.line_items,
                input.tax_amount,
                input.shipping_amount,
                promotion.as_ref().map(|p| (&p.value, input.currency)),
            )
            .map_err(|e| {
                AppError::invalid_field(if promotion.is_some() { field::PROMOTION_CODE } else { field::LINE_ITEMS }, e)
            })?;
            if let Some(expected) = input.amount_total.filter(|t| *t != totals.total.get()) {
                return Err(AppError::invalid_field(
                    field::AMOUNT_TOTAL,
                    Invalid::new(
                        "amount_total_mismatch",
                        format!(
                            "amount_total is {expected} ({}), but the lines add up to {} ({}).",
                            kassa_domain::Money::new(MinorUnits::new(expected).unwrap_or_default(), input.currency),
                            totals.total,
                            kassa_domain::Money::new(totals.total, input.currency)
                        ),
                    ),
                ));
            }
            let amount = totals.total.as_amount().ok_or_else(|| AppError::internal("positive total"))?;
            let mut pi_metadata = std::collections::BTreeMap::new();
            pi_metadata.insert("checkout_session".to_owned(), id.to_string());
            let new_pi = NewPaymentIntent {
                amount,
                currency: input.currency,
                capture_method: input.capture_method,
                payment_method: None,
                customer: input.consumer.customer_key(),
                description: input.order_number.as_ref().map(|n| format!("Order {n}")),
                statement_descriptor: None,
                metadata: Metadata::new(pi_metadata).map_err(AppError::internal)?,
                face_notes: Default::default(),
                reference: input.reference.clone(),
                token: None,
            };
            let (pi, events) = PaymentIntent::create(
                PaymentIntentId::generate(),
                ctx.scope.merchant_id.clone(),
                ctx.scope.mode,
                new_pi,
                now,
            );
            if let Some(reference) = &input.reference
                && let Some(existing) = store::session_by_reference(tx.conn(), &ctx.scope, reference).await?
            {
                return Err(reference_in_use("checkout session", reference, Some(existing.id.as_str())));
            }
            self.insert_payment_intent(tx, &ctx.scope, &pi).await?;
            self.record_events(tx, &ctx.cause(), &events, None, &pi, None).await?;
            let session = CheckoutSession {
                id,
                merchant_id: ctx.scope.merchant_id.clone(),
                mode: ctx.scope.mode,
                status: SessionStatus::Open,
                payment_status: SessionPaymentStatus::Unpaid,
                currency: input.currency,
                line_items: input.line_items.clone(),
                tax_amount: input.tax_amount,
                shipping_amount: input.shipping_amount,
                totals,
                consumer: input.consumer.clone(),
                billing_address: input.billing_address.clone(),
                shipping_address: input.shipping_address.clone(),
                success_url: input.success_url.clone(),
                failure_url: input.failure_url.clone(),
                cancel_url: input.cancel_url.clone(),
                capture_method: input.capture_method,
                locale: input.locale,
                expires_at: now.plus_millis(expires_in.as_millis() as i64),
                promotion,
                order_reference: input.order_reference.clone(),
                reference: input.reference.clone(),
                order_number: input.order_number.clone(),
                promotion_misses: 0,
                metadata: input.metadata.clone(),
                face_notes: input.face_notes.clone(),
                purpose: Purpose::Payment(pi.id.clone()),
                payment_method_types: input.payment_method_types.clone(),
                customer_codes: input.customer_codes,
                failed_attempts: 0,
                cancellation: None,
                created_at: now,
                updated_at: now,
            };
            self.insert_session(tx, &ctx.scope, &session).await?;
            if let Some(callback) = &input.callback {
                self.bind_callback(tx, &session, callback).await?;
            }
            Ok(session)
        })
        .await
    }

    /// Stores the endpoint bound to `session` that its callback is delivered to.
    async fn bind_callback(&self, tx: &mut WriteTx, session: &CheckoutSession, c: &SessionCallback) -> AppResult<()> {
        use kassa_domain::webhook::{EnabledEvents, EndpointStatus, WebhookEndpoint};
        let ends = [
            EventType::CheckoutSessionCompleted,
            EventType::CheckoutSessionExpired,
            EventType::CheckoutSessionCanceled,
        ]
        .map(|t| t.as_str().to_owned());
        let endpoint = WebhookEndpoint {
            id: kassa_domain::WebhookEndpointId::generate(),
            merchant_id: session.merchant_id.clone(),
            mode: session.mode,
            url: c.url.clone(),
            description: Some(format!("Callback of checkout session {}", session.id)),
            enabled_events: EnabledEvents::parse(&ends).map_err(AppError::internal)?,
            metadata: Metadata::default(),
            face_notes: Default::default(),
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret: c.authorization.clone(),
            previous_secret: None,
            dialect: c.dialect.clone(),
            bound_to: Some(session.id.to_string()),
            created_at: session.created_at,
            updated_at: session.created_at,
        };
        kassa_store::webhooks::insert_endpoint(tx, &self.sealed_endpoint(&endpoint)).await?;
        Ok(())
    }

    /// Finds a code and checks it applies; with `reserve`, takes a redemption for `session`.
    #[allow(clippy::too_many_arguments)]
    async fn applicable_promotion(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        session: &CheckoutSessionId,
        code: &str,
        base: MinorUnits,
        currency: Currency,
        customer_key: Option<String>,
        reserve: bool,
    ) -> AppResult<AppliedPromotion> {
        let unknown = || refused_code(Invalid::new("invalid_promotion_code", "This code is not valid."));
        // What cannot be a code (a NUL, which PostgreSQL cannot even compare) is not looked up.
        if kassa_domain::checkout::parse_code(code.trim()).is_err() {
            return Err(unknown());
        }
        let found = store::find_promotion_code(tx.conn(), scope, code.trim()).await?.ok_or_else(unknown)?;
        let mut promo = store::lock_promotion_code(tx, scope, &found.id).await?.ok_or_else(unknown)?;
        let mut coupon = store::lock_coupon(tx, scope, &promo.coupon_id).await?.ok_or_else(unknown)?;
        let history = match &customer_key {
            Some(key) => Some(CustomerHistory {
                has_paid_before: store::customer_has_paid(tx, scope, key, session).await?,
                redeemed_this_code: store::customer_redeemed(tx, &promo.id, key, session).await?,
            }),
            None => None,
        };
        let now = self.clock().now();
        promo.check(&coupon, base, currency, history, now, true).map_err(refused_code)?;
        if reserve {
            promo.reserved += 1;
            coupon.reserved += 1;
            store::update_promotion_code(tx, &promo, now).await?;
            store::update_coupon(tx, &coupon, now).await?;
        }
        Ok(AppliedPromotion {
            promotion_code_id: promo.id,
            coupon_id: coupon.id,
            code: promo.code,
            value: coupon.value,
            reserved: reserve,
        })
    }

    /// Ends a reservation: counted as a redemption, or released.
    async fn settle_reservation(
        &self,
        tx: &mut WriteTx,
        session: &mut CheckoutSession,
        redeemed: bool,
    ) -> AppResult<()> {
        let Some(promotion) = session.promotion.as_mut().filter(|p| p.reserved) else { return Ok(()) };
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        let now = self.clock().now();
        if let Some(mut promo) = store::lock_promotion_code(tx, &scope, &promotion.promotion_code_id).await? {
            promo.reserved = (promo.reserved - 1).max(0);
            promo.times_redeemed += i64::from(redeemed);
            store::update_promotion_code(tx, &promo, now).await?;
        }
        if let Some(mut coupon) = store::lock_coupon(tx, &scope, &promotion.coupon_id).await? {
            coupon.reserved = (coupon.reserved - 1).max(0);
            coupon.times_redeemed += i64::from(redeemed);
            store::update_coupon(tx, &coupon, now).await?;
        }
        store::settle_redemption(tx, &session.id, redeemed, now).await?;
        promotion.reserved = false;
        Ok(())
    }

    /// One session of the merchant.
    pub async fn get_checkout_session(&self, ctx: &Ctx, id: &str) -> AppResult<CheckoutSession> {
        store::get_session(self.store().reader(), &ctx.scope, &session_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("checkout_session", id))
    }

    /// One page of the merchant's sessions, newest first.
    pub async fn list_checkout_sessions(
        &self,
        ctx: &Ctx,
        filter: &CheckoutSessionFilter,
        page: PageRequest,
    ) -> AppResult<Page<CheckoutSession>> {
        Ok(store::list_sessions(self.store().reader(), &ctx.scope, &filter.into(), &page.to_store()).await?.into())
    }

    /// The checkout session a payment intent was made with, if any.
    pub async fn checkout_session_of(
        &self,
        ctx: &Ctx,
        payment_intent: &kassa_domain::PaymentIntentId,
    ) -> AppResult<Option<CheckoutSession>> {
        let filter = CheckoutSessionFilter { payment_intent: Some(payment_intent.clone()), ..Default::default() };
        Ok(self.list_checkout_sessions(ctx, &filter, PageRequest::first(1, Order::NewestFirst)).await?.items.pop())
    }

    /// The merchant ends a session before the customer pays.
    pub async fn expire_checkout_session(&self, ctx: &Ctx, id: &str) -> AppResult<CheckoutSession> {
        let cs_id = session_id(id)?;
        self.idempotent(ctx, async |tx| {
            store::get_session(tx.conn(), &ctx.scope, &cs_id)
                .await?
                .ok_or_else(|| AppError::not_found("checkout_session", id))?;
            self.close_session(tx, &cs_id, &ctx.cause(), Close::Expire).await
        })
        .await
    }

    /// Expires, or cancels for the customer, a session and its payment intent.
    async fn close_session(
        &self,
        tx: &mut WriteTx,
        id: &CheckoutSessionId,
        cause: &Cause,
        how: Close,
    ) -> AppResult<CheckoutSession> {
        let mut session =
            store::lock_session(tx, id).await?.ok_or_else(|| AppError::not_found("checkout_session", id.as_str()))?;
        let now = self.clock().now();
        let event = match how {
            Close::Expire => {
                session.expire(now)?;
                EventType::CheckoutSessionExpired
            }
            Close::Customer => {
                session.cancel_by_customer(now)?;
                EventType::CheckoutSessionCanceled
            }
        };
        self.cancel_session_payment(tx, &session, cause).await?;
        store::update_session(tx, &session).await?;
        self.record_session_event(tx, cause, &session, event).await?;
        Ok(session)
    }

    /// A closed session's payment is canceled; a setup session's token is rejected.
    async fn cancel_session_payment(
        &self,
        tx: &mut WriteTx,
        session: &CheckoutSession,
        cause: &Cause,
    ) -> AppResult<()> {
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        let pi_id = match &session.purpose {
            Purpose::Payment(id) => id,
            Purpose::Setup(token) => return self.reject_token(tx, &scope, token, cause, self.clock().now()).await,
        };
        let Some(mut pi) = payment_intents::lock(tx, &scope, pi_id).await? else { return Ok(()) };
        let before = pi.clone();
        if let Ok(outcome) = pi.cancel(Some(CancellationReason::Abandoned), self.clock().now()) {
            payment_intents::update(tx, &pi).await?;
            self.record_events(tx, cause, &outcome.events, Some(&before), &pi, None).await?;
        }
        Ok(())
    }

    async fn record_session_event(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        session: &CheckoutSession,
        event_type: EventType,
    ) -> AppResult<()> {
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        let event = NewEvent {
            event_type,
            payment_intent_id: session.payment_intent_id().map(ToString::to_string),
            fact: Fact::checkout_session(session),
        };
        let mut subscribers: Subscribers = None;
        self.append_event(tx, &mut subscribers, cause, &scope, event).await?;
        Ok(())
    }

    /// The merchant canceled `payment`: its session, if one is open, closes with it (the page
    /// then says so instead of offering a form that can no longer pay).
    pub(crate) async fn close_session_of_canceled(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        payment: &PaymentIntentId,
    ) -> AppResult<()> {
        let Some(mut session) = store::lock_session_of_payment(tx, payment).await? else { return Ok(()) };
        if session.cancel_by_merchant(self.clock().now()).is_err() {
            return Ok(());
        }
        store::update_session(tx, &session).await?;
        self.record_session_event(tx, cause, &session, EventType::CheckoutSessionCanceled).await
    }

    /// Expires every open session whose time is up (and has no payment running).
    pub async fn sweep_expired_sessions(&self) -> AppResult<usize> {
        let ids = store::expired_open_sessions(self.store().reader(), self.clock().now(), 100).await?;
        let mut expired = 0;
        for id in ids {
            let mut tx = self.store().begin().await?;
            match self.close_session(&mut tx, &id, &Cause::default(), Close::Expire).await {
                Ok(_) => {
                    self.commit(tx).await?;
                    expired += 1;
                }
                // Paid or canceled meanwhile.
                Err(e) if e.kind == ErrorKind::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        Ok(expired)
    }

    // ---- the customer's side: the hosted page ----

    /// The token the hosted page's forms carry for `id`: a keyed hash, so only a page served by
    /// this gateway has it.
    pub fn checkout_csrf(&self, id: &CheckoutSessionId) -> String {
        use hmac::Mac;
        hex::encode(&self.csrf_mac(id).finalize().into_bytes()[..16])
    }

    /// Whether `token` is the form token of `id` (compared in constant time).
    pub fn checkout_csrf_valid(&self, id: &CheckoutSessionId, token: &str) -> bool {
        use hmac::Mac;
        hex::decode(token).is_ok_and(|t| t.len() == 16 && self.csrf_mac(id).verify_truncated_left(&t).is_ok())
    }

    fn csrf_mac(&self, id: &CheckoutSessionId) -> hmac::Hmac<sha2::Sha256> {
        use hmac::Mac;
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(self.inner.secrets.forms_key()).expect("HMAC takes any key");
        mac.update(b"checkout-form:");
        mac.update(id.as_str().as_bytes());
        mac
    }

    /// A session with its payment or token and its merchant's name, for the hosted page
    /// (which knows only the id).
    pub async fn checkout_page(&self, id: &str) -> AppResult<CheckoutView> {
        let cs_id = session_id(id)?;
        let reader = self.store().reader();
        let session = store::get_session_by_id(reader, &cs_id)
            .await?
            .ok_or_else(|| AppError::not_found("checkout_session", id))?;
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        let subject = match &session.purpose {
            Purpose::Payment(pi_id) => CheckoutSubject::Payment(Box::new(
                payment_intents::get(reader, &scope, pi_id)
                    .await?
                    .ok_or_else(|| AppError::internal("checkout session without its payment intent"))?,
            )),
            // A deleted token's session shows as it stands; its token no longer exists for anyone.
            Purpose::Setup(token_id) => match tokens::get(reader, &scope, token_id).await? {
                Some(token) => CheckoutSubject::Setup(Box::new(token)),
                None => return Err(AppError::not_found("checkout_session", id)),
            },
        };
        let merchant_name = get_merchant(reader, &session.merchant_id)
            .await?
            .map(|m| m.name)
            .ok_or_else(|| AppError::internal("checkout session of a missing merchant"))?;
        Ok(CheckoutView { session, subject, merchant_name })
    }

    /// Applies (or with `None` removes) a promotion code on the page.
    pub async fn checkout_apply_code(&self, id: &str, code: Option<&str>) -> AppResult<CheckoutSession> {
        let cs_id = session_id(id)?;
        let mut tx = self.store().begin().await?;
        let mut session =
            store::lock_session(&mut tx, &cs_id).await?.ok_or_else(|| AppError::not_found("checkout_session", id))?;
        if session.token_id().is_some() {
            return Err(AppError::invalid_field(
                field::PROMOTION_CODE,
                Invalid::new("promotion_code_not_for_setup", "A setup session charges nothing; codes do not apply."),
            ));
        }
        if !session.customer_codes {
            return Err(AppError::invalid_field(
                field::PROMOTION_CODE,
                Invalid::new("promotion_codes_not_allowed", "This checkout takes no promotion code from the customer."),
            ));
        }
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        let promotion = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(_) if session.promotion_locked() => {
                return Err(AppError::invalid_field(
                    field::PROMOTION_CODE,
                    Invalid::new(
                        "promotion_code_attempts_exhausted",
                        "Too many codes were tried on this checkout; no more can be applied.",
                    ),
                ));
            }
            Some(code) => {
                let base = discounted_base(&session.line_items).unwrap_or_default();
                let key = session.consumer.customer_key();
                match self.applicable_promotion(&mut tx, &scope, &cs_id, code, base, session.currency, key, false).await
                {
                    Ok(applied) => Some(applied),
                    // A miss counts, whatever the code was: guessing stops after a few.
                    Err(e) if e.kind == ErrorKind::Validation => {
                        session.promotion_missed(self.clock().now());
                        store::update_session(&mut tx, &session).await?;
                        self.commit(tx).await?;
                        return Err(e);
                    }
                    Err(e) => return Err(e),
                }
            }
            None => None,
        };
        session.apply_promotion(promotion, self.clock().now())?;
        store::update_session(&mut tx, &session).await?;
        self.commit(tx).await?;
        Ok(session)
    }

    /// The customer pays with a card: the session's payment intent is confirmed. On a setup
    /// session the card is sent to be verified instead, and nothing is charged.
    pub async fn checkout_pay(&self, id: &str, card: PaymentMethodInput) -> AppResult<CheckoutSession> {
        let cs_id = session_id(id)?;
        let session = self.checkout_page(id).await?.session;
        let scope = Scope { merchant_id: session.merchant_id.clone(), mode: session.mode };
        // The page acts for the merchant's customer; it holds no key.
        let ctx = Ctx::new(scope.clone(), KeyKind::Publishable, RequestId::generate(), None);
        let payment_method = self.resolve_payment_method(&ctx, card).await?;
        let mut tx = self.store().begin().await?;
        let mut session =
            store::lock_session(&mut tx, &cs_id).await?.ok_or_else(|| AppError::not_found("checkout_session", id))?;
        let now = self.clock().now();
        session.begin_payment(now)?;
        match &session.purpose {
            Purpose::Payment(_) => {}
            Purpose::Setup(token_id) => {
                let card = SavedCard {
                    details: payment_method.card,
                    network_token: payment_method.network_token,
                    payment_method_id: payment_method.id,
                };
                let payload = super::processing::Payload { card: Some(card), ..Default::default() };
                self.enqueue_job(&mut tx, JobKind::VerifyCard, &scope, token_id.as_str(), Some(payload), false).await?;
                store::update_session(&mut tx, &session).await?;
                self.commit(tx).await?;
                return Ok(session);
            }
        };
        let mut pi = self.session_payment_at_total(&mut tx, &scope, &mut session).await?;
        let events = pi.confirm(Some(payment_method), now)?;
        payment_intents::update(&mut tx, &pi).await?;
        self.record_events(&mut tx, &ctx.cause(), &events, None, &pi, None).await?;
        self.enqueue_job(&mut tx, JobKind::Authorize, &scope, pi.id.as_str(), None, false).await?;
        store::update_session(&mut tx, &session).await?;
        self.commit(tx).await?;
        Ok(session)
    }

    /// The payment of a session whose attempt begins (locked), at the session's total: the
    /// promotion it applies is reserved for it.
    pub(crate) async fn session_payment_at_total(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        session: &mut CheckoutSession,
    ) -> AppResult<PaymentIntent> {
        let now = self.clock().now();
        let Purpose::Payment(pi_id) = session.purpose.clone() else {
            return Err(AppError::internal("a setup session has no payment"));
        };
        let cs_id = session.id.clone();
        if let Some(applied) = session.promotion.clone() {
            let base = discounted_base(&session.line_items).unwrap_or_default();
            let key = session.consumer.customer_key();
            let reserved =
                self.applicable_promotion(tx, scope, &cs_id, &applied.code, base, session.currency, key, true).await?;
            store::reserve_redemption(tx, session, &reserved, now).await?;
            session.promotion = Some(reserved);
        }
        let mut pi = payment_intents::lock(tx, scope, &pi_id)
            .await?
            .ok_or_else(|| AppError::internal("checkout session without its payment intent"))?;
        let amount = session.totals.total.as_amount().ok_or_else(|| AppError::internal("positive total"))?;
        if pi.amount != amount {
            pi.change_amount(amount, now)?;
        }
        Ok(pi)
    }

    /// The customer cancels on the page.
    pub async fn checkout_cancel(&self, id: &str) -> AppResult<CheckoutSession> {
        let cs_id = session_id(id)?;
        let mut tx = self.store().begin().await?;
        let session = self.close_session(&mut tx, &cs_id, &Cause::default(), Close::Customer).await?;
        self.commit(tx).await?;
        Ok(session)
    }

    /// After the processor answered for `pi`: completes its session, or counts the declined
    /// attempt (canceling the session after the last one). Runs in the job's transaction.
    pub(crate) async fn follow_checkout(&self, tx: &mut WriteTx, pi: &PaymentIntent) -> AppResult<()> {
        let Some(mut session) = store::lock_session_of_payment(tx, &pi.id).await? else { return Ok(()) };
        if session.payment_status != SessionPaymentStatus::Processing {
            return Ok(());
        }
        let now = self.clock().now();
        let cause = Cause::default();
        match pi.status {
            Status::RequiresCapture | Status::Succeeded if session.payment_succeeded(now) => {
                self.settle_reservation(tx, &mut session, true).await?;
                store::update_session(tx, &session).await?;
                self.record_session_event(tx, &cause, &session, EventType::CheckoutSessionCompleted).await?;
            }
            Status::Failed => {
                let canceled = session.payment_failed(self.checkout_config().max_attempts, now);
                self.settle_reservation(tx, &mut session, false).await?;
                store::update_session(tx, &session).await?;
                if canceled {
                    let before = pi;
                    let mut pi = pi.clone();
                    if let Ok(outcome) = pi.cancel(Some(CancellationReason::Abandoned), now) {
                        payment_intents::update(tx, &pi).await?;
                        self.record_events(tx, &cause, &outcome.events, Some(before), &pi, None).await?;
                    }
                    self.record_session_event(tx, &cause, &session, EventType::CheckoutSessionCanceled).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl App {
    /// After the network answered a setup session's verification: the token is approved with
    /// the card and the session completes, or the token is rejected and the session fails.
    /// Runs in the job's transaction.
    pub(crate) async fn follow_setup(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        token_id: &TokenId,
        verified: Option<SavedCard>,
    ) -> AppResult<()> {
        let cause = Cause::default();
        let now = self.clock().now();
        let Some(mut token) = tokens::lock(tx, scope, token_id).await? else { return Ok(()) };
        let event = match verified {
            Some(card) => token.approve(card, now),
            None => token.reject(now),
        };
        match event {
            Ok(Some(event)) => {
                tokens::update(tx, &token).await?;
                self.record_token_event(tx, &cause, &token, event, None).await?;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, token = %token.id, "verification result no longer applies");
                return Ok(());
            }
        }
        let Some(mut session) = store::lock_session_of_token(tx, token_id).await? else { return Ok(()) };
        if session.payment_status != SessionPaymentStatus::Processing {
            return Ok(());
        }
        let event = match token.status {
            kassa_domain::token::TokenStatus::Active if session.payment_succeeded(now) => {
                EventType::CheckoutSessionCompleted
            }
            kassa_domain::token::TokenStatus::Rejected
                if session.payment_failed(self.checkout_config().max_attempts, now) =>
            {
                EventType::CheckoutSessionCanceled
            }
            _ => return Ok(()),
        };
        store::update_session(tx, &session).await?;
        self.record_session_event(tx, &cause, &session, event).await
    }
}

/// How a session is closed.
#[derive(Clone, Copy)]
enum Close {
    Expire,
    Customer,
}
