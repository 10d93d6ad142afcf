//! Smartpay's ids: `<object>_<test|live>_<base62>`. Each is a Kassa id's random part under
//! Smartpay's prefix and the object's mode, so the translation needs no table and a test id
//! never names a live object.

use crate::app::AppError;
use kassa_domain::Mode;

/// A kind of object: Smartpay's prefix, Kassa's prefix, and the object's name in error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    smartpay: &'static str,
    kassa: &'static str,
    /// `order`, `payment` … as in `order.not-found`.
    pub name: &'static str,
}

pub const SESSION: Kind = Kind { smartpay: "checkout", kassa: "cs", name: "checkout-session" };
pub const ORDER: Kind = Kind { smartpay: "order", kassa: "pi", name: "order" };
pub const PAYMENT: Kind = Kind { smartpay: "payment", kassa: "cap", name: "payment" };
pub const REFUND: Kind = Kind { smartpay: "refund", kassa: "re", name: "refund" };
pub const ENDPOINT: Kind = Kind { smartpay: "webhookendpoint", kassa: "we", name: "webhook-endpoint" };
pub const COUPON: Kind = Kind { smartpay: "coupon", kassa: "co", name: "coupon" };
pub const PROMOTION_CODE: Kind = Kind { smartpay: "promotioncode", kassa: "promo", name: "promotion-code" };
pub const TOKEN: Kind = Kind { smartpay: "paytok", kassa: "tok", name: "token" };
pub const EVENT: Kind = Kind { smartpay: "evt", kassa: "evt", name: "event" };

/// The kinds, by the name Kassa's not-found errors give them.
pub fn kind_of_kassa_object(object: &str) -> Option<Kind> {
    Some(match object {
        "checkout_session" => SESSION,
        "payment_intent" => ORDER,
        "capture" => PAYMENT,
        "refund" => REFUND,
        "webhook_endpoint" => ENDPOINT,
        "coupon" => COUPON,
        "promotion_code" => PROMOTION_CODE,
        "token" => TOKEN,
        _ => return None,
    })
}

/// Kassa's `pi_X` as Smartpay's `order_test_X`.
pub fn wire(kind: Kind, mode: Mode, kassa_id: &str) -> String {
    let random = kassa_id.strip_prefix(kind.kassa).and_then(|r| r.strip_prefix('_')).unwrap_or(kassa_id);
    format!("{}_{}_{random}", kind.smartpay, mode.as_str())
}

/// Smartpay's `order_test_X` as Kassa's `pi_X`, if it is one and of the caller's mode.
pub fn kassa(kind: Kind, mode: Mode, wire_id: &str) -> Option<String> {
    let random =
        wire_id.strip_prefix(kind.smartpay)?.strip_prefix('_')?.strip_prefix(mode.as_str())?.strip_prefix('_')?;
    (!random.is_empty() && random.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| format!("{}_{random}", kind.kassa))
}

/// The refusal of an id that names no object of this kind.
pub fn not_found(kind: Kind, wire_id: &str) -> AppError {
    AppError::new(
        crate::app::ErrorKind::NotFound,
        format!("{}.not-found", kind.name),
        format!("No {} with id {wire_id}.", kind.name.replace('-', " ")),
    )
}

/// [`kassa`], or the not-found refusal.
pub fn parse(kind: Kind, mode: Mode, wire_id: &str) -> Result<String, AppError> {
    kassa(kind, mode, wire_id).ok_or_else(|| not_found(kind, wire_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_translate_both_ways_within_their_mode() {
        let cases = [
            (ORDER, "pi_AbC123", "order_test_AbC123"),
            (PAYMENT, "cap_x9", "payment_test_x9"),
            (SESSION, "cs_Q", "checkout_test_Q"),
            (TOKEN, "tok_Z1", "paytok_test_Z1"),
            (PROMOTION_CODE, "promo_7", "promotioncode_test_7"),
            (ENDPOINT, "we_e", "webhookendpoint_test_e"),
        ];
        for (kind, kassa_id, wire_id) in cases {
            assert_eq!(wire(kind, Mode::Test, kassa_id), wire_id);
            assert_eq!(kassa(kind, Mode::Test, wire_id).as_deref(), Some(kassa_id));
            assert_eq!(kassa(kind, Mode::Live, wire_id), None, "{wire_id} is not a live id");
        }
        assert_eq!(wire(ORDER, Mode::Live, "pi_k"), "order_live_k");
    }

    #[test]
    fn malformed_ids_name_nothing() {
        for bad in ["order_test_", "order_test_a.b", "payment_test_a", "ordertest_a", "order_test_a_b", ""] {
            assert_eq!(kassa(ORDER, Mode::Test, bad), None, "{bad}");
        }
    }
}
