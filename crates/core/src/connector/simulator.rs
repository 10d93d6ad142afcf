//! The built-in card simulator: a card network that runs offline.
//!
//! It keeps real books (`simulator_authorizations`, `simulator_operations`) in the gateway's
//! database, as a network would on its side: an authorization holds an amount, captures,
//! releases and refunds draw on it, and every answer is recorded under the caller's
//! idempotency key and returned again for a repeated key. That is what makes a job retried
//! after a crash safe, and what the crash tests count.
//!
//! Outcomes come from the card number (see [`scenario_of`]); latency and a random failure rate
//! make it behave like a network under load. A simulated failure happens either before the
//! operation is recorded (the request was lost) or after (the response was lost).

use super::{
    AdjustRequest, AuthorizeRequest, BoxFuture, CardToTokenize, Connector, ConnectorError, Decision, TokenizeError,
};
use crate::clock::Clock;
use crate::config::SimulatorConfig;
use kassa_domain::id::random_base62;
use kassa_domain::payment_intent::{Authorization, PaymentFailure};
use kassa_domain::{Invalid, Mode};
use kassa_store::simulator::{self as books, SimAuthorization, SimOperation};
use kassa_store::{Store, StoreError};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

/// Named test payment methods and the test card each stands for.
pub const TEST_PAYMENT_METHODS: &[(&str, &str)] = &[
    ("pm_card_visa", "4242424242424242"),
    ("pm_card_mastercard", "5555555555554444"),
    ("pm_card_amex", "378282246310005"),
    ("pm_card_declined", "4000000000000002"),
    ("pm_card_insufficient_funds", "4000000000009995"),
    ("pm_card_expired", "4000000000000069"),
    ("pm_card_processing_error", "4000000000000119"),
    // The seed payment backend's names (source document 002).
    ("pm_fake_visa", "4242424242424242"),
    ("pm_fake_mastercard", "5555555555554444"),
    ("pm_fake_amex", "378282246310005"),
    ("pm_fake_discover", "6011111111111117"),
];

/// What the network will do with a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Approve.
    Success,
    /// Generic decline.
    Declined,
    /// Decline: insufficient funds.
    InsufficientFunds,
    /// Decline: expired card.
    Expired,
    /// Decline: processing error at the issuer.
    ProcessingError,
    /// Decline asked for by the merchant in test mode (fault injection), whatever the card.
    Forced,
}

impl Scenario {
    fn token_word(self) -> &'static str {
        match self {
            Scenario::Success => "success",
            Scenario::Declined => "declined",
            Scenario::InsufficientFunds => "insufficient_funds",
            Scenario::Expired => "expired",
            Scenario::ProcessingError => "processing_error",
            Scenario::Forced => "forced",
        }
    }

    fn from_token(token: &str) -> Option<Scenario> {
        let word = token.strip_prefix("sim:")?.split(':').next()?;
        [
            Scenario::Success,
            Scenario::Declined,
            Scenario::InsufficientFunds,
            Scenario::Expired,
            Scenario::ProcessingError,
        ]
        .into_iter()
        .find(|s| s.token_word() == word)
    }

    fn failure(self) -> Option<PaymentFailure> {
        let (code, decline, message) = match self {
            Scenario::Success => return None,
            Scenario::Declined => ("card_declined", Some("generic_decline"), "Your card was declined."),
            Scenario::InsufficientFunds => {
                ("card_declined", Some("insufficient_funds"), "Your card has insufficient funds.")
            }
            Scenario::Expired => ("expired_card", Some("expired_card"), "Your card has expired."),
            Scenario::Forced => {
                ("card_declined", Some("forced_failure"), "Declined on request (forced failure in test mode).")
            }
            Scenario::ProcessingError => {
                ("processing_error", None, "An error occurred while processing your card. Try again in a little bit.")
            }
        };
        Some(PaymentFailure { code: code.into(), decline_code: decline.map(Into::into), message: message.into() })
    }
}

/// The outcome the simulator gives a card number: the documented test numbers, and success
/// for every other valid number.
pub fn scenario_of(number: &str) -> Scenario {
    match number {
        "4000000000000002" => Scenario::Declined,
        "4000000000009995" => Scenario::InsufficientFunds,
        "4000000000000069" => Scenario::Expired,
        "4000000000000119" => Scenario::ProcessingError,
        _ => Scenario::Success,
    }
}

fn is_test_number(number: &str) -> bool {
    number == "4242424242424242" || TEST_PAYMENT_METHODS.iter().any(|(_, n)| *n == number)
}

/// The simulator.
pub struct Simulator {
    store: Store,
    clock: Arc<Clock>,
    config: SimulatorConfig,
}

/// Where a simulated network failure strikes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    RequestLost,
    ResponseLost,
}

impl Simulator {
    /// A simulator keeping its books in `store`.
    pub fn new(store: Store, clock: Arc<Clock>, config: SimulatorConfig) -> Simulator {
        Simulator { store, clock, config }
    }

    fn roll_fault(&self) -> Fault {
        let rate = self.config.failure_rate.clamp(0.0, 1.0);
        if rate == 0.0 {
            return Fault::None;
        }
        let r: f64 = rand::rng().random();
        if r < rate / 2.0 {
            Fault::RequestLost
        } else if r < rate {
            Fault::ResponseLost
        } else {
            Fault::None
        }
    }

    /// Half a round trip: the configured latency ±50%, halved.
    async fn half_trip(&self) {
        let mean = self.config.latency.as_micros() as u64;
        if mean == 0 {
            return;
        }
        let jittered = rand::rng().random_range(mean / 2..=mean + mean / 2);
        tokio::time::sleep(Duration::from_micros(jittered / 2)).await;
    }

    /// Runs one operation the way a network would: latency, possible loss, and the books
    /// consulted first so a repeated key gets the recorded answer.
    async fn call<F>(&self, key: &str, decide: F) -> Result<SimOperation, ConnectorError>
    where
        F: for<'t> FnOnce(&'t mut kassa_store::WriteTx) -> BoxFuture<'t, Result<SimOperation, StoreError>> + Send,
    {
        let fault = self.roll_fault();
        self.half_trip().await;
        if fault == Fault::RequestLost {
            return Err(ConnectorError("simulated network failure: request lost".into()));
        }
        let op = self.record_once(key, decide).await.map_err(|e| ConnectorError(format!("simulator books: {e}")))?;
        self.half_trip().await;
        if fault == Fault::ResponseLost {
            return Err(ConnectorError("simulated network failure: response lost".into()));
        }
        Ok(op)
    }

    async fn record_once<F>(&self, key: &str, decide: F) -> Result<SimOperation, StoreError>
    where
        F: for<'t> FnOnce(&'t mut kassa_store::WriteTx) -> BoxFuture<'t, Result<SimOperation, StoreError>>,
    {
        let mut tx = self.store.begin().await?;
        if let Some(op) = books::find_operation(&mut tx, key).await? {
            return Ok(op);
        }
        let op = decide(&mut tx).await?;
        match books::insert_operation(&mut tx, &op).await {
            Ok(()) => {
                // The simulator's books queue no work for the gateway's workers.
                let _: kassa_store::Queued = tx.commit().await?;
                Ok(op)
            }
            // Answered concurrently under the same key: return that answer.
            Err(e) if e.is_unique_violation() => {
                drop(tx);
                let mut tx = self.store.begin().await?;
                books::find_operation(&mut tx, key).await?.ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    fn operation(&self, key: &str, kind: &str, reference: &str) -> SimOperation {
        SimOperation {
            idempotency_key: key.to_owned(),
            operation: kind.to_owned(),
            reference: reference.to_owned(),
            authorization_id: None,
            amount: None,
            currency: None,
            outcome: "approved".into(),
            decline_code: None,
            auth_code: None,
            created_at: self.clock.now(),
        }
    }

    /// Capture, void and refund: the same shape, a different rule.
    async fn adjust(
        &self,
        kind: &'static str,
        req: AdjustRequest,
        apply: fn(&mut SimAuthorization, i64) -> Result<(), &'static str>,
    ) -> Result<Decision<()>, ConnectorError> {
        let mut op = self.operation(&req.idempotency_key, kind, &req.reference);
        op.authorization_id = Some(req.authorization_id.clone());
        op.amount = Some(req.amount);
        let answered = self
            .call(&req.idempotency_key, move |tx| {
                Box::pin(async move {
                    let Some(mut auth) = books::lock_authorization(tx, &req.authorization_id).await? else {
                        op.outcome = "declined".into();
                        op.decline_code = Some("authorization_not_found".into());
                        return Ok(op);
                    };
                    op.currency = Some(auth.currency.clone());
                    match apply(&mut auth, req.amount) {
                        Ok(()) => books::update_authorization(tx, &auth).await?,
                        Err(code) => {
                            op.outcome = "declined".into();
                            op.decline_code = Some(code.into());
                        }
                    }
                    Ok(op)
                })
            })
            .await?;
        Ok(match answered.outcome.as_str() {
            "approved" => Decision::Approved(()),
            _ => Decision::Declined(PaymentFailure {
                code: format!("{kind}_declined"),
                decline_code: answered.decline_code.clone(),
                message: format!("The card network refused the {kind}."),
            }),
        })
    }
}

impl Connector for Simulator {
    fn test_card_number(&self, name: &str) -> Option<&'static str> {
        TEST_PAYMENT_METHODS.iter().find(|(n, _)| *n == name).map(|(_, number)| *number)
    }

    fn tokenize<'a>(&'a self, card: CardToTokenize<'a>) -> BoxFuture<'a, Result<String, TokenizeError>> {
        Box::pin(async move {
            let number = card.pan.expose_digits();
            if card.mode == Mode::Live && is_test_number(number) {
                return Err(TokenizeError::Rejected(Invalid::new(
                    "testmode_card_in_livemode",
                    "This is a test card number; test cards can only be used with test keys.",
                )));
            }
            // The token names the outcome and nothing that identifies the card.
            Ok(format!("sim:{}:{}", scenario_of(number).token_word(), random_base62(16)))
        })
    }

    fn authorize(&self, req: AuthorizeRequest) -> BoxFuture<'_, Result<Decision<Authorization>, ConnectorError>> {
        Box::pin(async move {
            let scenario = Scenario::from_token(&req.network_token)
                .ok_or_else(|| ConnectorError("the simulator did not issue this card token".into()))?;
            let scenario = if req.force_decline { Scenario::Forced } else { scenario };
            let mut op = self.operation(&req.idempotency_key, "authorize", &req.reference);
            op.amount = Some(req.amount);
            op.currency = Some(req.currency.code().to_owned());
            let now = self.clock.now();
            let answered = self
                .call(&req.idempotency_key, move |tx| {
                    Box::pin(async move {
                        if let Some(failure) = scenario.failure() {
                            op.outcome = "declined".into();
                            op.decline_code = Some(failure.decline_code.unwrap_or(failure.code));
                            return Ok(op);
                        }
                        let auth = SimAuthorization {
                            id: format!("simauth_{}", random_base62(20)),
                            reference: req.reference.clone(),
                            amount: req.amount,
                            currency: req.currency.code().to_owned(),
                            captured: if req.capture { req.amount } else { 0 },
                            refunded: 0,
                            voided: 0,
                            created_at: now,
                        };
                        books::insert_authorization(tx, &auth).await?;
                        op.authorization_id = Some(auth.id);
                        op.auth_code = Some(random_base62(6).to_uppercase());
                        Ok(op)
                    })
                })
                .await?;
            Ok(match (answered.outcome.as_str(), answered.authorization_id, answered.auth_code) {
                ("approved", Some(id), Some(code)) => Decision::Approved(Authorization { id, code }),
                _ => Decision::Declined(scenario.failure().unwrap_or_else(|| PaymentFailure {
                    code: "card_declined".into(),
                    decline_code: answered.decline_code,
                    message: "Your card was declined.".into(),
                })),
            })
        })
    }

    fn capture(&self, req: AdjustRequest) -> BoxFuture<'_, Result<Decision<()>, ConnectorError>> {
        Box::pin(self.adjust("capture", req, |auth, amount| {
            if amount > auth.amount - auth.captured - auth.voided {
                return Err("capture_exceeds_authorization");
            }
            auth.captured += amount;
            Ok(())
        }))
    }

    fn void(&self, req: AdjustRequest) -> BoxFuture<'_, Result<Decision<()>, ConnectorError>> {
        Box::pin(self.adjust("void", req, |auth, _| {
            auth.voided = auth.amount - auth.captured;
            Ok(())
        }))
    }

    fn refund(&self, req: AdjustRequest) -> BoxFuture<'_, Result<Decision<()>, ConnectorError>> {
        Box::pin(self.adjust("refund", req, |auth, amount| {
            if auth.refunded + amount > auth.captured {
                return Err("refund_exceeds_capture");
            }
            auth.refunded += amount;
            Ok(())
        }))
    }
}
