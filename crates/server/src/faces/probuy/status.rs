//! ProBuy's checkout statuses, from Kassa's checkout phases.

use kassa_domain::checkout::CheckoutPhase;

/// ProBuy's word for a phase.
///
/// | phase | ProBuy |
/// |---|---|
/// | open, no attempt | `new` |
/// | open, attempt running | `approved` |
/// | open, last attempt declined | `declined` |
/// | complete, funds held | `authorized` |
/// | complete, captured | `completed` |
/// | expired | `expired` |
/// | canceled by the customer, or its payment by the merchant | `cancelled` |
/// | canceled after the last declined attempt | `declined` |
pub fn status(phase: CheckoutPhase) -> &'static str {
    match phase {
        CheckoutPhase::AwaitingPayment => "new",
        CheckoutPhase::Authorizing => "approved",
        CheckoutPhase::Declined | CheckoutPhase::Failed => "declined",
        CheckoutPhase::Authorized => "authorized",
        // A setup session is no ProBuy checkout; were one shown, it completed.
        CheckoutPhase::Paid | CheckoutPhase::CardSaved => "completed",
        CheckoutPhase::Expired => "expired",
        CheckoutPhase::CanceledByCustomer | CheckoutPhase::CanceledByMerchant => "cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_has_probuys_word() {
        for (phase, word) in [
            (CheckoutPhase::AwaitingPayment, "new"),
            (CheckoutPhase::Authorizing, "approved"),
            (CheckoutPhase::Declined, "declined"),
            (CheckoutPhase::Authorized, "authorized"),
            (CheckoutPhase::Paid, "completed"),
            (CheckoutPhase::Expired, "expired"),
            (CheckoutPhase::CanceledByCustomer, "cancelled"),
            (CheckoutPhase::Failed, "declined"),
        ] {
            assert_eq!(status(phase), word, "{phase:?}");
        }
    }
}
