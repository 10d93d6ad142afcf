//! Object identifiers: a type prefix and 24 base62 characters, the first 7 the creation time
//! in milliseconds and the other 17 from the operating system's CSPRNG (about 101 bits).
//!
//! The random part makes ids unguessable, and nothing in an id counts objects. The time part
//! is for the database: an id's place in an index follows its creation, so the ids a batch
//! writes land on the same few pages at the index's end instead of one random page each
//! (a random-key insert dirties a page of its own, written to the WAL at commit and again by
//! the checkpoint; `docs/scaling.md` has the measurements). Each object type has its own
//! Rust type, so a refund id can never be passed where a payment intent id is expected.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Length of every id after its prefix and underscore.
pub const ID_LEN: usize = 24;

/// Leading characters of an id that encode its creation time.
const TIME_LEN: usize = 7;

/// `len` characters drawn uniformly from the base62 alphabet with a CSPRNG.
pub fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| BASE62[rng.random_range(0..62)] as char).collect()
}

/// The current Unix time in milliseconds as `TIME_LEN` base62 digits, most significant first:
/// the alphabet is in byte order, so these sort as the times do (until 2081, when they wrap:
/// ids stay unique, only their order in indexes changes).
fn time_base62() -> [u8; TIME_LEN] {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    base62_digits(since_epoch.as_millis() as u64)
}

fn base62_digits(mut n: u64) -> [u8; TIME_LEN] {
    let mut digits = [b'0'; TIME_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits
}

/// A fresh id body: the creation time, then random characters.
fn id_body() -> String {
    let mut body = String::with_capacity(ID_LEN);
    body.extend(time_base62().map(char::from));
    body.push_str(&random_base62(ID_LEN - TIME_LEN));
    body
}

fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this type starts with, without the underscore.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh id.
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, id_body()))
            }

            /// Accepts `s` if it has this type's prefix and a well-formed body (any 24 base62
            /// characters: ids made before they began with a time stay valid).
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?.strip_prefix('_')?;
                (rest.len() == ID_LEN && is_base62(rest)).then(|| Self(s.to_owned()))
            }

            /// Wraps a value read back from storage, where it was written by this type.
            pub fn from_trusted(s: String) -> Self {
                Self(s)
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

define_id!(
    /// Identifies a merchant (`mer_…`).
    MerchantId, "mer"
);
define_id!(
    /// Identifies a person who signs in to a merchant's dashboard (`usr_…`).
    DashboardUserId, "usr"
);
define_id!(
    /// Identifies an API key record (`key_…`); never the secret itself.
    ApiKeyId, "key"
);
define_id!(
    /// Identifies a payment intent (`pi_…`).
    PaymentIntentId, "pi"
);
define_id!(
    /// Identifies a capture of an authorized payment (`cap_…`).
    CaptureId, "cap"
);
define_id!(
    /// Identifies a refund (`re_…`).
    RefundId, "re"
);
define_id!(
    /// Identifies an event (`evt_…`).
    EventId, "evt"
);
define_id!(
    /// Identifies one HTTP request (`req_…`).
    RequestId, "req"
);
define_id!(
    /// Identifies a durable background job (`job_…`).
    JobId, "job"
);
define_id!(
    /// Identifies a card payment method supplied as raw card data (`pm_…`).
    PaymentMethodId, "pm"
);
define_id!(
    /// Identifies a saved card a merchant may charge later (`tok_…`).
    TokenId, "tok"
);
define_id!(
    /// Identifies a checkout session (`cs_…`).
    CheckoutSessionId, "cs"
);
define_id!(
    /// Identifies a coupon (`co_…`).
    CouponId, "co"
);
define_id!(
    /// Identifies a promotion code (`promo_…`).
    PromotionCodeId, "promo"
);
define_id!(
    /// Identifies a product (`prod_…`).
    ProductId, "prod"
);
define_id!(
    /// Identifies a product's price (`price_…`).
    PriceId, "price"
);
define_id!(
    /// Identifies a merchant's customer (`cus_…`).
    CustomerId, "cus"
);
define_id!(
    /// Identifies a webhook endpoint (`we_…`).
    WebhookEndpointId, "we"
);
define_id!(
    /// Identifies a connector: a merchant's account at a payment provider (`conn_…`).
    ConnectorId, "conn"
);
define_id!(
    /// Identifies the delivery of one event to one endpoint (`wd_…`).
    DeliveryId, "wd"
);
define_id!(
    /// Identifies one attempt at a delivery (`wa_…`).
    AttemptId, "wa"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_and_carry_their_prefix() {
        let id = PaymentIntentId::generate();
        assert!(id.as_str().starts_with("pi_"));
        assert_eq!(id.as_str().len(), 3 + ID_LEN);
        assert_eq!(PaymentIntentId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn parse_rejects_wrong_prefix_length_and_alphabet() {
        let good = random_base62(ID_LEN);
        assert!(RefundId::parse(&format!("pi_{good}")).is_none());
        assert!(RefundId::parse(&format!("re_{}", &good[1..])).is_none());
        assert!(RefundId::parse(&format!("re_{}-", &good[1..])).is_none());
        assert!(RefundId::parse(&format!("re{good}")).is_none());
        assert!(RefundId::parse(&format!("re_{good}")).is_some());
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let first = EventId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = EventId::generate();
        assert!(first < second, "{first} then {second}");
        assert_ne!(first.as_str()[4 + TIME_LEN..], second.as_str()[4 + TIME_LEN..]);
    }

    #[test]
    fn time_digits_are_fixed_width_and_ordered() {
        assert_eq!(&base62_digits(0), b"0000000");
        assert_eq!(&base62_digits(61), b"000000z");
        assert_eq!(&base62_digits(62), b"0000010");
        // 2026-12-03 and a millisecond later.
        let (now, next) = (base62_digits(1_796_300_000_000), base62_digits(1_796_300_000_001));
        assert!(now < next);
        // 62^7 ms after 1970 (in 2081) the digits wrap to zero.
        assert_eq!(&base62_digits(62u64.pow(7)), b"0000000");
    }

    #[test]
    fn ids_do_not_repeat() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| EventId::generate()).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
