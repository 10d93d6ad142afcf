//! The payment intent: one attempt to collect an amount, and every rule about moving it.
//!
//! ```text
//! requires_payment_method ─┐
//!        │ (payment method) │ confirm
//! requires_confirmation ───┼──────────▶ processing ──▶ requires_capture ──capture──▶ succeeded
//!        ▲                 │              │  │   └──(automatic capture)──────────────▶ succeeded
//!        └── failed ◀──────┘◀─(declined)──┘  └─▶ requires_action ─(approved)─▶ (as processing)
//! cancel: from requires_payment_method | requires_confirmation | failed | requires_action |
//!         requires_capture
//! ```
//!
//! A card payment is authorized by the card processor; a payment through a connector
//! ([`ConnectorPayment`]) waits in `requires_action` while the customer approves it at the
//! provider.
//!
//! Totals (all in minor units) obey, at every step:
//! `captured + canceled ≤ authorized ≤ amount` and `refunded + refund_pending ≤ captured`.
//! [`PaymentIntent::check_invariants`] states them; every transition keeps them, and the
//! property tests drive random sequences of transitions to show it.
//!
//! A transition either succeeds, mutating the intent and naming the events it caused, or
//! fails and leaves the intent untouched.

use crate::capture::Capture;
use crate::card::CardDetails;
use crate::connector::ConnectorPayment;
use crate::contact::StatementDescriptor;
use crate::event::EventType;
use crate::id::{CaptureId, MerchantId, PaymentIntentId, RefundId, TokenId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::money::{Amount, Currency, MinorUnits, Money};
use crate::reference::Reference;
use crate::refund::{Refund, RefundReason, RefundStatus};
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};

/// Where a payment intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Created without a payment method.
    RequiresPaymentMethod,
    /// Has a payment method, waiting for confirm.
    RequiresConfirmation,
    /// Confirmed; the processor is authorizing.
    Processing,
    /// Waiting for the customer to approve the payment elsewhere (at a provider).
    RequiresAction,
    /// Authorized; waiting for the merchant to capture.
    RequiresCapture,
    /// Funds captured. Refunds are possible.
    Succeeded,
    /// The last attempt failed; can be confirmed again or canceled.
    Failed,
    /// Canceled; final.
    Canceled,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 8] = [
        Status::RequiresPaymentMethod,
        Status::RequiresConfirmation,
        Status::Processing,
        Status::RequiresAction,
        Status::RequiresCapture,
        Status::Succeeded,
        Status::Failed,
        Status::Canceled,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::RequiresPaymentMethod => "requires_payment_method",
            Status::RequiresConfirmation => "requires_confirmation",
            Status::Processing => "processing",
            Status::RequiresAction => "requires_action",
            Status::RequiresCapture => "requires_capture",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::Canceled => "canceled",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<Status, Invalid> {
        Status::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            Invalid::new(
                "invalid_status",
                "Status must be one of requires_payment_method, requires_confirmation, processing, \
                 requires_action, requires_capture, succeeded, failed, canceled.",
            )
        })
    }
}

/// When the authorized funds are captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMethod {
    /// Captured as soon as the authorization succeeds.
    Automatic,
    /// Held until the merchant captures.
    Manual,
}

impl CaptureMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureMethod::Automatic => "automatic",
            CaptureMethod::Manual => "manual",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<CaptureMethod, Invalid> {
        match s {
            "automatic" => Ok(CaptureMethod::Automatic),
            "manual" => Ok(CaptureMethod::Manual),
            _ => Err(Invalid::new("invalid_capture_method", "Capture method must be automatic or manual.")),
        }
    }
}

/// Why a payment intent was canceled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationReason {
    /// A duplicate of another payment.
    Duplicate,
    /// Suspected fraud.
    Fraudulent,
    /// The customer asked.
    RequestedByCustomer,
    /// The customer left.
    Abandoned,
}

impl CancellationReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CancellationReason::Duplicate => "duplicate",
            CancellationReason::Fraudulent => "fraudulent",
            CancellationReason::RequestedByCustomer => "requested_by_customer",
            CancellationReason::Abandoned => "abandoned",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Result<CancellationReason, Invalid> {
        [
            CancellationReason::Duplicate,
            CancellationReason::Fraudulent,
            CancellationReason::RequestedByCustomer,
            CancellationReason::Abandoned,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| {
            Invalid::new(
                "invalid_cancellation_reason",
                "Cancellation reason must be one of duplicate, fraudulent, requested_by_customer, abandoned.",
            )
        })
    }
}

/// The card a payment is made with, as kept: details plus the processor's token for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// `pm_card_visa`-style test name, or a `pm_…` id for raw card data.
    pub id: String,
    /// Displayable details.
    pub card: CardDetails,
    /// What the processor needs to charge the card again (never the card number).
    pub network_token: String,
}

/// Why an authorization, capture or refund did not go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFailure {
    /// Kassa's error code, e.g. `card_declined`, `expired_card`, `processing_error`.
    pub code: String,
    /// The issuer's reason, e.g. `insufficient_funds`, when there is one.
    pub decline_code: Option<String>,
    /// A message that can be shown to the customer.
    pub message: String,
}

impl PaymentFailure {
    /// The most precise reason: the issuer's decline code if there is one, else Kassa's code.
    pub fn reason(&self) -> &str {
        self.decline_code.as_deref().unwrap_or(&self.code)
    }
}

/// A capture sent to the processor and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCapture {
    /// `cap_…`
    pub id: CaptureId,
    /// Amount being captured.
    pub amount: Amount,
    /// Whether the rest of the authorization is released once this capture succeeds.
    pub final_capture: bool,
}

/// The processor's record of a successful authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// The processor's authorization reference.
    pub id: String,
    /// The issuer's approval code.
    pub code: String,
}

/// What a merchant supplies to create a payment intent, already parsed.
#[derive(Debug, Clone)]
pub struct NewPaymentIntent {
    /// Amount to collect.
    pub amount: Amount,
    /// Currency.
    pub currency: Currency,
    /// Automatic or manual capture.
    pub capture_method: CaptureMethod,
    /// Payment method, if known at creation.
    pub payment_method: Option<PaymentMethod>,
    /// The merchant's customer reference.
    pub customer: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Text on the customer's statement.
    pub statement_descriptor: Option<StatementDescriptor>,
    /// Merchant annotations.
    pub metadata: Metadata,
    /// The merchant's own reference.
    pub reference: Option<Reference>,
    /// The saved card it charges, if it charges one (its card is `payment_method`).
    pub token: Option<TokenId>,
    /// What the face that asked keeps of it beside Kassa's fields.
    pub face_notes: crate::FaceNotes,
}

/// Fields that may change before confirmation. `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PaymentIntentUpdate {
    /// New description.
    pub description: Option<String>,
    /// New customer reference.
    pub customer: Option<String>,
    /// New statement descriptor.
    pub statement_descriptor: Option<StatementDescriptor>,
    /// Metadata to merge: keys set, or removed when the value is empty.
    pub metadata: Option<std::collections::BTreeMap<String, String>>,
}

/// A payment intent and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`
    pub id: PaymentIntentId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Where it stands.
    pub status: Status,
    /// Amount requested.
    pub amount: Amount,
    /// Currency.
    pub currency: Currency,
    /// Automatic or manual capture.
    pub capture_method: CaptureMethod,
    /// Held by the authorization.
    pub amount_authorized: MinorUnits,
    /// Captured so far.
    pub amount_captured: MinorUnits,
    /// Refunded (settled refunds only).
    pub amount_refunded: MinorUnits,
    /// Reserved by refunds still pending at the processor.
    pub amount_refund_pending: MinorUnits,
    /// Authorized but released without capture.
    pub amount_canceled: MinorUnits,
    /// The card, once known.
    pub payment_method: Option<PaymentMethod>,
    /// The merchant's customer reference.
    pub customer: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Text on the customer's statement.
    pub statement_descriptor: Option<StatementDescriptor>,
    /// Merchant annotations.
    pub metadata: Metadata,
    /// What a face remembers of it that Kassa has no field for (not the merchant's metadata).
    #[serde(default, skip_serializing_if = "crate::FaceNotes::is_empty")]
    pub face_notes: crate::FaceNotes,
    /// Why the last attempt failed.
    pub last_error: Option<PaymentFailure>,
    /// Why it was canceled.
    pub cancellation_reason: Option<CancellationReason>,
    /// A capture awaiting the processor's answer.
    pub pending_capture: Option<PendingCapture>,
    /// The processor's authorization, once approved.
    pub authorization: Option<Authorization>,
    /// The merchant's own reference, unique among its intents in the mode.
    pub reference: Option<Reference>,
    /// The most recent capture asked for, if any.
    #[serde(default)]
    pub latest_capture: Option<CaptureId>,
    /// The saved card it charges, for a payment made without the customer present.
    #[serde(default)]
    pub token: Option<TokenId>,
    /// The connector it goes through, when it is not a card payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<ConnectorPayment>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Why a transition was refused. The intent is unchanged when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The action is not allowed in the current status.
    #[error("This payment intent's status is {}; it cannot be {action}.", status.as_str())]
    UnexpectedState {
        /// What was attempted, as a past participle ("confirmed", "captured" …).
        action: &'static str,
        /// The status that forbids it.
        status: Status,
    },
    /// A capture is already at the processor; wait for it.
    #[error("A capture of this payment intent is in progress; retry when it has completed.")]
    CaptureInProgress,
    /// Confirm needs a payment method and none is attached.
    #[error("A payment method is required to confirm this payment intent.")]
    MissingPaymentMethod,
    /// The capture asks for more than is left of the authorization.
    #[error("The capture amount exceeds the {capturable} still capturable.")]
    CaptureExceedsAuthorized {
        /// What could still be captured.
        capturable: Money,
    },
    /// The refund asks for more than is left of the captured amount.
    #[error("The refund amount exceeds the {refundable} still refundable.")]
    RefundExceedsCaptured {
        /// What could still be refunded.
        refundable: Money,
    },
    /// The refund asks for more than is left of the capture it names.
    #[error("The refund amount exceeds the {refundable} still refundable from this capture.")]
    RefundExceedsCapture {
        /// What could still be refunded from the capture.
        refundable: Money,
    },
    /// Everything captured has been refunded or is being refunded.
    #[error("This payment has already been fully refunded.")]
    AlreadyRefunded,
    /// A processor result names a capture or refund this intent is not waiting for.
    #[error("The processor's result does not match a pending operation on this payment intent.")]
    NotPending,
}

impl PaymentIntent {
    /// A new intent: `requires_confirmation` if it has a payment method, else
    /// `requires_payment_method`.
    pub fn create(
        id: PaymentIntentId,
        merchant_id: MerchantId,
        mode: Mode,
        new: NewPaymentIntent,
        now: Timestamp,
    ) -> (PaymentIntent, Vec<EventType>) {
        let status =
            if new.payment_method.is_some() { Status::RequiresConfirmation } else { Status::RequiresPaymentMethod };
        let pi = PaymentIntent {
            id,
            merchant_id,
            mode,
            status,
            amount: new.amount,
            currency: new.currency,
            capture_method: new.capture_method,
            amount_authorized: MinorUnits::ZERO,
            amount_captured: MinorUnits::ZERO,
            amount_refunded: MinorUnits::ZERO,
            amount_refund_pending: MinorUnits::ZERO,
            amount_canceled: MinorUnits::ZERO,
            payment_method: new.payment_method,
            customer: new.customer,
            description: new.description,
            statement_descriptor: new.statement_descriptor,
            metadata: new.metadata,
            face_notes: new.face_notes,
            last_error: None,
            cancellation_reason: None,
            pending_capture: None,
            authorization: None,
            reference: new.reference,
            latest_capture: None,
            token: new.token,
            connector: None,
            created_at: now,
            updated_at: now,
        };
        (pi, vec![EventType::PaymentIntentCreated])
    }

    fn refuse(&self, action: &'static str) -> TransitionError {
        TransitionError::UnexpectedState { action, status: self.status }
    }

    /// Changes annotations; only before confirmation.
    pub fn update(&mut self, changes: PaymentIntentUpdate, now: Timestamp) -> Result<Vec<EventType>, UpdateError> {
        if !matches!(self.status, Status::RequiresPaymentMethod | Status::RequiresConfirmation) {
            return Err(UpdateError::Transition(self.refuse("updated")));
        }
        let metadata = match changes.metadata {
            Some(m) => self.metadata.merged(m).map_err(UpdateError::Metadata)?,
            None => self.metadata.clone(),
        };
        self.metadata = metadata;
        if let Some(d) = changes.description {
            self.description = Some(d);
        }
        if let Some(c) = changes.customer {
            self.customer = Some(c);
        }
        if let Some(s) = changes.statement_descriptor {
            self.statement_descriptor = Some(s);
        }
        self.updated_at = now;
        Ok(vec![EventType::PaymentIntentUpdated])
    }

    /// Changes the amount to collect; only before confirmation (a checkout applying a
    /// promotion code).
    pub fn change_amount(&mut self, amount: Amount, now: Timestamp) -> Result<(), TransitionError> {
        if !matches!(self.status, Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::Failed) {
            return Err(self.refuse("changed"));
        }
        self.amount = amount;
        self.updated_at = now;
        Ok(())
    }

    /// Starts an authorization attempt with the given (or the attached) payment method.
    pub fn confirm(
        &mut self,
        payment_method: Option<PaymentMethod>,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        if !matches!(self.status, Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::Failed) {
            return Err(self.refuse("confirmed"));
        }
        let payment_method = payment_method.or_else(|| self.payment_method.clone());
        let Some(payment_method) = payment_method else {
            return Err(TransitionError::MissingPaymentMethod);
        };
        self.payment_method = Some(payment_method);
        self.connector = None;
        self.status = Status::Processing;
        self.last_error = None;
        self.updated_at = now;
        Ok(vec![EventType::PaymentIntentProcessing])
    }

    /// Starts an attempt through a connector: the provider is asked to open the payment, and
    /// the customer then approves it there ([`Self::awaiting_customer`]).
    pub fn confirm_through(
        &mut self,
        payment: ConnectorPayment,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        if !matches!(self.status, Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::Failed) {
            return Err(self.refuse("confirmed"));
        }
        self.payment_method = None;
        self.connector = Some(ConnectorPayment { reference: None, redirect_url: None, ..payment });
        self.status = Status::Processing;
        self.last_error = None;
        self.updated_at = now;
        Ok(vec![EventType::PaymentIntentProcessing])
    }

    /// The provider opened the payment as `reference`: the customer approves it at
    /// `redirect_url`.
    pub fn awaiting_customer(
        &mut self,
        reference: String,
        redirect_url: String,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        let (Status::Processing, Some(payment)) = (self.status, self.connector.as_mut()) else {
            return Err(self.refuse("sent to the customer"));
        };
        payment.reference = Some(reference);
        payment.redirect_url = Some(redirect_url);
        self.status = Status::RequiresAction;
        self.updated_at = now;
        Ok(vec![EventType::PaymentIntentRequiresAction])
    }

    /// Whether the attempt is one the processor or provider is still deciding.
    fn deciding(&self) -> bool {
        match self.status {
            Status::Processing => true,
            Status::RequiresAction => self.connector.is_some(),
            _ => false,
        }
    }

    /// The processor approved the authorization (manual capture): funds held.
    pub fn authorized(
        &mut self,
        authorization: Authorization,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        if !self.deciding() {
            return Err(self.refuse("authorized"));
        }
        if let Some(payment) = self.connector.as_mut() {
            payment.redirect_url = None;
        }
        self.authorization = Some(authorization);
        self.amount_authorized = self.amount.units();
        self.updated_at = now;
        match self.capture_method {
            CaptureMethod::Manual => {
                self.status = Status::RequiresCapture;
                Ok(vec![EventType::PaymentIntentRequiresCapture])
            }
            CaptureMethod::Automatic => {
                // Automatic capture reports authorization and capture together.
                self.amount_captured = self.amount_authorized;
                self.latest_capture = Some(CaptureId::generate());
                self.status = Status::Succeeded;
                Ok(vec![EventType::PaymentIntentCaptured, EventType::PaymentIntentSucceeded])
            }
        }
    }

    /// The processor declined, or the attempt could not be completed.
    pub fn authorization_failed(
        &mut self,
        failure: PaymentFailure,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        if !self.deciding() {
            return Err(self.refuse("failed"));
        }
        if let Some(payment) = self.connector.as_mut() {
            payment.redirect_url = None;
        }
        self.status = Status::Failed;
        self.last_error = Some(failure);
        self.updated_at = now;
        Ok(vec![EventType::PaymentIntentPaymentFailed])
    }

    /// What is left of the authorization to capture.
    pub fn amount_capturable(&self) -> MinorUnits {
        if self.status != Status::RequiresCapture {
            return MinorUnits::ZERO;
        }
        self.amount_authorized
            .checked_sub(self.amount_captured)
            .and_then(|r| r.checked_sub(self.amount_canceled))
            .unwrap_or(MinorUnits::ZERO)
    }

    /// What is left of the captured funds to refund.
    pub fn amount_refundable(&self) -> MinorUnits {
        self.amount_captured
            .checked_sub(self.amount_refunded)
            .and_then(|r| r.checked_sub(self.amount_refund_pending))
            .unwrap_or(MinorUnits::ZERO)
    }

    /// Reserves a capture of `amount` (default: everything capturable). The capture is sent to
    /// the processor; [`Self::capture_succeeded`] or [`Self::capture_failed`] settles it.
    pub fn begin_capture(
        &mut self,
        id: CaptureId,
        amount: Option<Amount>,
        final_capture: bool,
        now: Timestamp,
    ) -> Result<PendingCapture, TransitionError> {
        if self.status != Status::RequiresCapture {
            return Err(self.refuse("captured"));
        }
        if self.pending_capture.is_some() {
            return Err(TransitionError::CaptureInProgress);
        }
        let capturable = self.amount_capturable();
        let amount = match amount {
            Some(a) => a,
            None => capturable.as_amount().ok_or(TransitionError::CaptureExceedsAuthorized {
                capturable: Money::new(capturable, self.currency),
            })?,
        };
        if amount.units() > capturable {
            return Err(TransitionError::CaptureExceedsAuthorized {
                capturable: Money::new(capturable, self.currency),
            });
        }
        let pending = PendingCapture { id, amount, final_capture };
        self.pending_capture = Some(pending.clone());
        self.latest_capture = Some(pending.id.clone());
        self.updated_at = now;
        Ok(pending)
    }

    /// The processor confirmed the pending capture `id`.
    pub fn capture_succeeded(&mut self, id: &CaptureId, now: Timestamp) -> Result<Vec<EventType>, TransitionError> {
        let pending = match &self.pending_capture {
            Some(p) if &p.id == id && self.status == Status::RequiresCapture => p.clone(),
            _ => return Err(TransitionError::NotPending),
        };
        let captured = self.amount_captured.checked_add(pending.amount.units()).ok_or(TransitionError::NotPending)?;
        let rest = self.amount_authorized.checked_sub(captured).ok_or(TransitionError::NotPending)?;
        self.amount_captured = captured;
        self.pending_capture = None;
        self.updated_at = now;
        if pending.final_capture || rest.is_zero() {
            self.amount_canceled = rest;
            self.status = Status::Succeeded;
            Ok(vec![EventType::PaymentIntentCaptured, EventType::PaymentIntentSucceeded])
        } else {
            Ok(vec![EventType::PaymentIntentPartiallyCaptured])
        }
    }

    /// The processor refused the pending capture `id`; the authorization is unchanged.
    pub fn capture_failed(
        &mut self,
        id: &CaptureId,
        failure: PaymentFailure,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        match &self.pending_capture {
            Some(p) if &p.id == id => {}
            _ => return Err(TransitionError::NotPending),
        }
        self.pending_capture = None;
        self.last_error = Some(failure);
        self.updated_at = now;
        Ok(vec![EventType::PaymentIntentCaptureFailed])
    }

    /// Cancels the intent, releasing whatever is still held. If part was already captured, the
    /// intent ends `succeeded` with the rest released; otherwise it ends `canceled`.
    pub fn cancel(
        &mut self,
        reason: Option<CancellationReason>,
        now: Timestamp,
    ) -> Result<CancelOutcome, TransitionError> {
        match self.status {
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::Failed | Status::RequiresAction => {
                if let Some(payment) = self.connector.as_mut() {
                    payment.redirect_url = None;
                }
                self.status = Status::Canceled;
                self.cancellation_reason = reason;
                self.updated_at = now;
                Ok(CancelOutcome { events: vec![EventType::PaymentIntentCanceled], released: MinorUnits::ZERO })
            }
            Status::RequiresCapture => {
                if self.pending_capture.is_some() {
                    return Err(TransitionError::CaptureInProgress);
                }
                let released = self.amount_capturable();
                self.amount_canceled = self.amount_canceled.checked_add(released).ok_or(TransitionError::NotPending)?;
                self.cancellation_reason = reason;
                self.updated_at = now;
                if self.amount_captured.is_zero() {
                    self.status = Status::Canceled;
                    Ok(CancelOutcome { events: vec![EventType::PaymentIntentCanceled], released })
                } else {
                    self.status = Status::Succeeded;
                    Ok(CancelOutcome { events: vec![EventType::PaymentIntentSucceeded], released })
                }
            }
            Status::Processing | Status::Succeeded | Status::Canceled => Err(self.refuse("canceled")),
        }
    }

    /// Reserves a refund of `amount` (default: everything refundable) against the captured funds,
    /// and against `capture` when the merchant names one (of this intent): a capture's refunds
    /// never exceed the capture.
    pub fn begin_refund(
        &mut self,
        new: NewRefund,
        capture: Option<&mut Capture>,
        now: Timestamp,
    ) -> Result<(Refund, Vec<EventType>), TransitionError> {
        if !matches!(self.status, Status::RequiresCapture | Status::Succeeded) || self.amount_captured.is_zero() {
            return Err(self.refuse("refunded"));
        }
        if capture.as_ref().is_some_and(|c| c.payment_intent_id != self.id) {
            return Err(TransitionError::NotPending);
        }
        let refundable = self.amount_refundable();
        if refundable.is_zero() {
            return Err(TransitionError::AlreadyRefunded);
        }
        let amount = match (new.amount, &capture) {
            (Some(a), _) => a,
            (None, None) => refundable.as_amount().ok_or(TransitionError::AlreadyRefunded)?,
            // Everything left of the capture, within what is left of the payment.
            (None, Some(c)) => {
                c.refundable().min(refundable).as_amount().ok_or(TransitionError::RefundExceedsCapture {
                    refundable: Money::new(c.refundable(), c.currency),
                })?
            }
        };
        if amount.units() > refundable {
            return Err(TransitionError::RefundExceedsCaptured { refundable: Money::new(refundable, self.currency) });
        }
        let capture_id = match capture {
            Some(capture) => {
                capture.reserve_refund(amount, now)?;
                Some(capture.id.clone())
            }
            None => None,
        };
        self.amount_refund_pending =
            self.amount_refund_pending.checked_add(amount.units()).ok_or(TransitionError::NotPending)?;
        self.updated_at = now;
        let refund = Refund {
            id: new.id,
            merchant_id: self.merchant_id.clone(),
            mode: self.mode,
            payment_intent_id: self.id.clone(),
            capture_id,
            amount,
            currency: self.currency,
            reason: new.reason,
            status: RefundStatus::Pending,
            failure: None,
            metadata: new.metadata,
            face_notes: new.face_notes,
            created_at: now,
            updated_at: now,
        };
        Ok((refund, vec![EventType::RefundCreated]))
    }

    /// The processor returned the money for `refund` (and from `capture`, the one it names).
    pub fn refund_succeeded(
        &mut self,
        refund: &mut Refund,
        capture: Option<&mut Capture>,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        self.settle_refund(refund, capture, true, now)?;
        self.amount_refunded =
            self.amount_refunded.checked_add(refund.amount.units()).ok_or(TransitionError::NotPending)?;
        refund.status = RefundStatus::Succeeded;
        Ok(vec![EventType::RefundSucceeded])
    }

    /// The processor refused `refund`; its reservation is released.
    pub fn refund_failed(
        &mut self,
        refund: &mut Refund,
        capture: Option<&mut Capture>,
        failure: PaymentFailure,
        now: Timestamp,
    ) -> Result<Vec<EventType>, TransitionError> {
        self.settle_refund(refund, capture, false, now)?;
        refund.status = RefundStatus::Failed;
        refund.failure = Some(failure);
        Ok(vec![EventType::RefundFailed])
    }

    fn settle_refund(
        &mut self,
        refund: &mut Refund,
        capture: Option<&mut Capture>,
        succeeded: bool,
        now: Timestamp,
    ) -> Result<(), TransitionError> {
        if refund.status != RefundStatus::Pending || refund.payment_intent_id != self.id {
            return Err(TransitionError::NotPending);
        }
        match (capture, &refund.capture_id) {
            (Some(capture), Some(id)) if &capture.id == id => capture.settle_refund(refund.amount, succeeded, now)?,
            (None, None) => {}
            _ => return Err(TransitionError::NotPending),
        }
        self.amount_refund_pending =
            self.amount_refund_pending.checked_sub(refund.amount.units()).ok_or(TransitionError::NotPending)?;
        self.updated_at = now;
        refund.updated_at = now;
        Ok(())
    }

    /// The money rules, stated once. Returns the first one broken.
    pub fn check_invariants(&self) -> Result<(), String> {
        let sum = |a: MinorUnits, b: MinorUnits| a.get() + b.get();
        let rules = [
            (self.amount_authorized <= self.amount.units(), "authorized ≤ amount"),
            (
                sum(self.amount_captured, self.amount_canceled) <= self.amount_authorized.get(),
                "captured + canceled ≤ authorized",
            ),
            (
                sum(self.amount_refunded, self.amount_refund_pending) <= self.amount_captured.get(),
                "refunded + pending refunds ≤ captured",
            ),
            (
                self.status != Status::Succeeded
                    || (!self.amount_captured.is_zero()
                        && sum(self.amount_captured, self.amount_canceled) == self.amount_authorized.get()),
                "succeeded ⇒ something captured and nothing left held",
            ),
            (
                self.status != Status::RequiresCapture || !self.amount_capturable().is_zero(),
                "requires_capture ⇒ something capturable",
            ),
            (
                !matches!(
                    self.status,
                    Status::RequiresPaymentMethod
                        | Status::RequiresConfirmation
                        | Status::Processing
                        | Status::RequiresAction
                        | Status::Failed
                ) || self.amount_authorized.is_zero(),
                "nothing authorized before authorization",
            ),
            (
                self.pending_capture.is_none() || self.status == Status::RequiresCapture,
                "pending capture ⇒ requires_capture",
            ),
            (
                self.status != Status::RequiresAction
                    || self.connector.as_ref().is_some_and(|c| c.redirect_url.is_some()),
                "requires_action ⇒ somewhere for the customer to go",
            ),
        ];
        match rules.iter().find(|(ok, _)| !ok) {
            Some((_, rule)) => Err(format!("{}: {rule} broken: {self:?}", self.id)),
            None => Ok(()),
        }
    }
}

/// The result of [`PaymentIntent::cancel`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOutcome {
    /// Events caused.
    pub events: Vec<EventType>,
    /// Authorized funds released; when positive the processor must void the remainder.
    pub released: MinorUnits,
}

/// A refund request, parsed.
#[derive(Debug, Clone)]
pub struct NewRefund {
    /// The id the refund will have.
    pub id: RefundId,
    /// Amount; `None` refunds everything still refundable.
    pub amount: Option<Amount>,
    /// Why.
    pub reason: Option<RefundReason>,
    /// Merchant annotations.
    pub metadata: Metadata,
    /// What the face that asked keeps of it beside Kassa's fields.
    pub face_notes: crate::FaceNotes,
}

/// Why an update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// Not allowed in this status.
    #[error(transparent)]
    Transition(TransitionError),
    /// The merged metadata breaks a limit.
    #[error(transparent)]
    Metadata(Invalid),
}

#[cfg(test)]
mod tests;
