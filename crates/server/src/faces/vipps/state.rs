//! Kassa's payments in Vipps' words: the ePayment state, the aggregate, and each event of a
//! payment's log as one of Vipps' operations.
//!
//! | Kassa | Vipps `state` |
//! |---|---|
//! | waiting for the customer (a declined card may be retried) | `CREATED` |
//! | authorized, captured in part or whole, refunded | `AUTHORIZED` |
//! | the rest of its authorization released (Vipps' cancel after captures) | `TERMINATED` |
//! | its checkout expired | `EXPIRED` |
//! | canceled by the customer, or after the last declined attempt | `ABORTED` |
//! | canceled by the merchant | `TERMINATED` |

use crate::app::{Event, Payload};
use kassa_domain::checkout::CheckoutPhase;
use kassa_domain::payment_intent::Status;
use kassa_domain::{Fact, PaymentIntent};

/// The ePayment state of `pi`, whose checkout is in `phase`.
pub fn state(pi: &PaymentIntent, phase: Option<CheckoutPhase>) -> &'static str {
    match (pi.status, phase) {
        // Vipps captures never end an authorization; only a cancel releases what is left.
        (Status::Succeeded, _) if !pi.amount_canceled.is_zero() => "TERMINATED",
        (Status::RequiresCapture | Status::Succeeded, _) => "AUTHORIZED",
        (Status::Canceled, Some(CheckoutPhase::Expired)) => "EXPIRED",
        (Status::Canceled, Some(CheckoutPhase::CanceledByCustomer | CheckoutPhase::Failed)) => "ABORTED",
        (Status::Canceled, _) => "TERMINATED",
        _ => "CREATED",
    }
}

/// The four totals of a payment, in minor units: authorized, captured, refunded, cancelled.
pub fn aggregate(pi: &PaymentIntent) -> [i64; 4] {
    [pi.amount_authorized.get(), pi.amount_captured.get(), pi.amount_refunded.get(), pi.amount_canceled.get()]
}

/// One line of Vipps' event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// `CREATED`, `AUTHORIZED`, `CAPTURED`, `REFUNDED`, `CANCELLED`, `ABORTED`, `EXPIRED`.
    pub name: &'static str,
    /// The amount the operation moved (the payment's amount for `CREATED`).
    pub amount: i64,
    /// Whether it went through.
    pub success: bool,
}

/// A payment's event as a line of Vipps' log, if it is one of Vipps' operations (a declined
/// attempt the customer may retry, a note changed, are not).
pub fn log_entry(event: &Event) -> Option<LogEntry> {
    let Payload::Fact(fact) = &event.payload else { return None };
    let moved = fact.moved().map(|m| m.amount.get()).unwrap_or(0);
    let (name, amount, success) = match (event.event_type.as_str(), fact) {
        ("payment_intent.created", Fact::PaymentIntent { payment_intent, .. }) => {
            ("CREATED", payment_intent.amount.get(), true)
        }
        ("payment_intent.requires_capture", _) => ("AUTHORIZED", moved, true),
        ("payment_intent.captured" | "payment_intent.partially_captured", _) => ("CAPTURED", moved, true),
        ("payment_intent.capture_failed", Fact::PaymentIntent { payment_intent, .. }) => {
            ("CAPTURED", payment_intent.pending_capture.as_ref().map_or(0, |p| p.amount.get()), false)
        }
        ("refund.succeeded", Fact::Refund { refund, .. }) => ("REFUNDED", refund.amount.get(), true),
        ("refund.failed", Fact::Refund { refund, .. }) => ("REFUNDED", refund.amount.get(), false),
        // A checkout closing says how; the cancel of its payment that comes with it is not the
        // merchant's operation.
        ("checkout.session.expired", _) => ("EXPIRED", 0, true),
        ("checkout.session.canceled", Fact::CheckoutSession { checkout_session }) => {
            match checkout_session.cancellation {
                Some(kassa_domain::checkout::SessionCancellation::Merchant) => return None,
                _ => ("ABORTED", 0, true),
            }
        }
        ("payment_intent.canceled", Fact::PaymentIntent { payment_intent, .. })
            if payment_intent.cancellation_reason
                != Some(kassa_domain::payment_intent::CancellationReason::Abandoned) =>
        {
            ("CANCELLED", moved, true)
        }
        // A cancel after captures releases the rest and completes the payment.
        ("payment_intent.succeeded", _)
            if fact.moved().is_some_and(|m| m.movement == kassa_domain::Movement::Canceled) =>
        {
            ("CANCELLED", moved, true)
        }
        _ => return None,
    };
    Some(LogEntry { name, amount, success })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_domain::payment_intent::{Authorization, NewPaymentIntent, PaymentMethod};
    use kassa_domain::{Amount, Currency, MerchantId, Metadata, Mode, PaymentIntentId, Timestamp};

    fn intent() -> PaymentIntent {
        let new = NewPaymentIntent {
            amount: Amount::new(1000).unwrap(),
            currency: Currency::parse("NOK").unwrap(),
            capture_method: kassa_domain::payment_intent::CaptureMethod::Manual,
            payment_method: None,
            customer: None,
            description: None,
            statement_descriptor: None,
            metadata: Metadata::default(),
            face_notes: Default::default(),
            reference: None,
            token: None,
        };
        PaymentIntent::create(PaymentIntentId::generate(), MerchantId::generate(), Mode::Test, new, Timestamp(0)).0
    }

    fn card() -> PaymentMethod {
        PaymentMethod {
            id: "pm_card_visa".into(),
            card: kassa_domain::card::CardDetails {
                brand: kassa_domain::card::CardBrand::Visa,
                last4: "4242".into(),
                exp_month: 12,
                exp_year: 2030,
                fingerprint: "f".into(),
            },
            network_token: "sim:success:x".into(),
        }
    }

    #[test]
    fn states_follow_the_payment_and_its_checkout() {
        let mut pi = intent();
        assert_eq!(state(&pi, Some(CheckoutPhase::AwaitingPayment)), "CREATED");
        pi.confirm(Some(card()), Timestamp(1)).unwrap();
        assert_eq!(state(&pi, Some(CheckoutPhase::Authorizing)), "CREATED");
        pi.authorized(Authorization { id: "a".into(), code: "c".into() }, Timestamp(2)).unwrap();
        assert_eq!(state(&pi, Some(CheckoutPhase::Authorized)), "AUTHORIZED");
        assert_eq!(aggregate(&pi), [1000, 0, 0, 0]);
        pi.cancel(None, Timestamp(3)).unwrap();
        assert_eq!(state(&pi, Some(CheckoutPhase::Authorized)), "TERMINATED");
        assert_eq!(aggregate(&pi), [1000, 0, 0, 1000]);

        let mut abandoned = intent();
        abandoned.cancel(Some(kassa_domain::payment_intent::CancellationReason::Abandoned), Timestamp(1)).unwrap();
        assert_eq!(state(&abandoned, Some(CheckoutPhase::Expired)), "EXPIRED");
        assert_eq!(state(&abandoned, Some(CheckoutPhase::CanceledByCustomer)), "ABORTED");
        assert_eq!(state(&abandoned, Some(CheckoutPhase::Failed)), "ABORTED");
        assert_eq!(state(&abandoned, Some(CheckoutPhase::CanceledByMerchant)), "TERMINATED");
    }
}
