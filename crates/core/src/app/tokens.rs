//! Saved cards: the merchant's side of tokens (list, read, disable, enable, delete, assign to
//! a customer) and the card a payment without the customer charges. Tokens are created by
//! setup checkout sessions (`checkout.rs`) or, in test mode, for a card given through the API
//! ([`App::save_card`]), and verified by the `verify_card` job (`processing.rs`).

use super::error::field;
use super::events::{NewEvent, Subscribers};
use super::list::{Page, PageRequest, TimeRange};
use super::processing::{JobOutcome, Payload};
use super::{App, AppError, AppResult, Cause, Ctx, ErrorKind, JobKind, PaymentMethodInput};
use kassa_domain::payment_intent::PaymentMethod;
use kassa_domain::token::{SavedCard, Token, TokenError, TokenStatus};
use kassa_domain::{Currency, EventType, FaceNotes, Fact, Invalid, Metadata, PaymentIntentId, Timestamp, TokenId};
use kassa_store::{Scope, WriteTx, tokens};

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct TokenFilter {
    /// Only this status.
    pub status: Option<TokenStatus>,
    /// Only this customer's (email, any case).
    pub customer: Option<String>,
    /// Creation range (µs).
    pub created: TimeRange,
}

impl From<TokenError> for AppError {
    fn from(e: TokenError) -> AppError {
        let message = e.to_string();
        match e {
            TokenError::UnexpectedState { status, .. } => {
                AppError::new(ErrorKind::Conflict, "token_unexpected_state", message)
                    .with_current_status(status.as_str())
            }
        }
    }
}

fn token_id(id: &str) -> AppResult<TokenId> {
    TokenId::parse(id).ok_or_else(|| AppError::not_found("token", id))
}

/// A change the merchant asks of a token.
#[derive(Clone, Copy)]
enum Change {
    Disable,
    Enable,
    Delete,
}

impl App {
    /// One token of the merchant (a deleted token no longer exists).
    pub async fn get_token(&self, ctx: &Ctx, id: &str) -> AppResult<Token> {
        tokens::get(self.store().reader(), &ctx.scope, &token_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("token", id))
    }

    /// One page of the merchant's tokens, newest first.
    pub async fn list_tokens(&self, ctx: &Ctx, filter: &TokenFilter, page: PageRequest) -> AppResult<Page<Token>> {
        let filter = tokens::Filter {
            status: filter.status,
            customer: filter.customer.clone(),
            created: filter.created.clone(),
        };
        Ok(tokens::list(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    /// Saves a card given through the API for later payments: a token, its card verified with
    /// a zero-amount authorization in `currency` before the answer (as a capture waits). A
    /// refused card is the request's refusal (402, naming the token, now rejected).
    pub async fn save_card(
        &self,
        ctx: &Ctx,
        card: PaymentMethodInput,
        customer: Option<String>,
        currency: Currency,
        notes: (Metadata, FaceNotes),
    ) -> AppResult<Token> {
        self.card_processor_for(ctx, None)?;
        let tokenize = async || self.resolve_payment_method(ctx, card).await;
        let mut claimed = None;
        let token = self
            .idempotent_after(ctx, true, tokenize, async |tx, payment_method| {
                let scope = &ctx.scope;
                let now = self.clock().now();
                let (token, event) =
                    Token::for_card(TokenId::generate(), scope.merchant_id.clone(), scope.mode, customer, notes, now);
                tokens::insert(tx, &token).await?;
                self.record_token_event(tx, &ctx.cause(), &token, event, None).await?;
                let card = SavedCard {
                    details: payment_method.card,
                    network_token: payment_method.network_token,
                    payment_method_id: payment_method.id,
                };
                let payload = Payload { card: Some(card), currency: Some(currency), ..Payload::caused_by(ctx.cause()) };
                claimed =
                    self.enqueue_job(tx, JobKind::VerifyCard, scope, token.id.as_str(), Some(payload), true).await?;
                Ok(token)
            })
            .await?;
        let Some(job) = claimed else { return Ok(token) };
        let outcome = self.run_inline(job).await;
        let token = self.get_token(ctx, token.id.as_str()).await?;
        match outcome {
            JobOutcome::Declined(failure) => {
                let mut refused = AppError::new(ErrorKind::Card, failure.code, failure.message)
                    .with_decline_code(failure.decline_code)
                    .with_current_status(token.status.as_str());
                refused.subject = Some(token.id.to_string());
                Err(refused)
            }
            _ => Ok(token),
        }
    }

    /// Gives a token to `customer` (or to none): whose saved card it is.
    pub async fn assign_token(&self, ctx: &Ctx, id: &str, customer: Option<String>) -> AppResult<Token> {
        let tok_id = token_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut token =
                tokens::lock(tx, &ctx.scope, &tok_id).await?.ok_or_else(|| AppError::not_found("token", id))?;
            if let Some(event) = token.assign(customer.clone(), self.clock().now())? {
                tokens::update(tx, &token).await?;
                self.record_token_event(tx, &ctx.cause(), &token, event, None).await?;
            }
            Ok(token)
        })
        .await
    }

    /// Turns an active token off: it cannot be charged until enabled again.
    pub async fn disable_token(&self, ctx: &Ctx, id: &str) -> AppResult<Token> {
        self.change_token(ctx, id, Change::Disable).await
    }

    /// Turns a disabled token back on.
    pub async fn enable_token(&self, ctx: &Ctx, id: &str) -> AppResult<Token> {
        self.change_token(ctx, id, Change::Enable).await
    }

    /// Deletes a token for good; afterwards it answers 404.
    pub async fn delete_token(&self, ctx: &Ctx, id: &str) -> AppResult<Token> {
        self.change_token(ctx, id, Change::Delete).await
    }

    async fn change_token(&self, ctx: &Ctx, id: &str, change: Change) -> AppResult<Token> {
        let tok_id = token_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut token =
                tokens::lock(tx, &ctx.scope, &tok_id).await?.ok_or_else(|| AppError::not_found("token", id))?;
            let now = self.clock().now();
            let event = match change {
                Change::Disable => token.disable(now)?,
                Change::Enable => token.enable(now)?,
                Change::Delete => token.delete(now)?,
            };
            if let Some(event) = event {
                tokens::update(tx, &token).await?;
                self.record_token_event(tx, &ctx.cause(), &token, event, None).await?;
            }
            Ok(token)
        })
        .await
    }

    /// The card a payment without the customer charges: `id` must name an active token of the
    /// scope (locked, so it cannot be disabled or deleted while the payment is written).
    pub(crate) async fn charge_token(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx,
        id: &str,
    ) -> AppResult<(Token, PaymentMethod)> {
        let missing = || AppError::not_found("token", id).with_param(field::TOKEN);
        let tok_id = TokenId::parse(id).ok_or_else(missing)?;
        let token = tokens::lock(tx, &ctx.scope, &tok_id).await?.ok_or_else(missing)?;
        // A live token (from an older database) saved a card live mode can no longer charge.
        self.card_processor_for(ctx, Some(field::TOKEN))?;
        let card = token.charge().map_err(|e| AppError::from(e).with_param(field::TOKEN))?;
        let payment_method = PaymentMethod {
            id: card.payment_method_id.clone(),
            card: card.details.clone(),
            network_token: card.network_token.clone(),
        };
        Ok((token, payment_method))
    }

    /// A payment given both a token and a card.
    pub(crate) fn token_and_card() -> AppError {
        AppError::invalid_field(
            field::TOKEN,
            Invalid::new("token_and_payment_method", "Give a token or a payment method, not both."),
        )
    }

    /// Writes a token event (a payment it concerns, for `token.used`).
    pub(crate) async fn record_token_event(
        &self,
        tx: &mut WriteTx,
        cause: &Cause,
        token: &Token,
        event_type: EventType,
        payment: Option<&PaymentIntentId>,
    ) -> AppResult<()> {
        let scope = Scope { merchant_id: token.merchant_id.clone(), mode: token.mode };
        let event =
            NewEvent { event_type, payment_intent_id: payment.map(ToString::to_string), fact: Fact::token(token) };
        let mut subscribers: Subscribers = None;
        self.append_event(tx, &mut subscribers, cause, &scope, event).await?;
        Ok(())
    }

    /// The setup session's token is rejected: its card was refused, or it closed without one.
    pub(crate) async fn reject_token(
        &self,
        tx: &mut WriteTx,
        scope: &Scope,
        id: &TokenId,
        cause: &Cause,
        now: Timestamp,
    ) -> AppResult<()> {
        let Some(mut token) = tokens::lock(tx, scope, id).await? else { return Ok(()) };
        if let Ok(Some(event)) = token.reject(now) {
            tokens::update(tx, &token).await?;
            self.record_token_event(tx, cause, &token, event, None).await?;
        }
        Ok(())
    }
}
