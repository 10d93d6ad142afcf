//! Object identifiers: a type prefix and 24 random base62 characters (about 143 bits).
//!
//! Ids are drawn from the operating system's CSPRNG, so they are not guessable and reveal
//! nothing about how many objects exist. Each object type has its own Rust type, so a refund
//! id can never be passed where a payment intent id is expected.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Length of the random part of every id.
pub const RANDOM_LEN: usize = 24;

/// `len` characters drawn uniformly from the base62 alphabet with a CSPRNG.
pub fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| BASE62[rng.random_range(0..62)] as char).collect()
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

            /// A fresh random id.
            pub fn generate() -> Self {
                Self(format!("{}_{}", $prefix, random_base62(RANDOM_LEN)))
            }

            /// Accepts `s` if it has this type's prefix and a well-formed random part.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?.strip_prefix('_')?;
                (rest.len() == RANDOM_LEN && is_base62(rest)).then(|| Self(s.to_owned()))
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
    /// Identifies a webhook endpoint (`we_…`).
    WebhookEndpointId, "we"
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
        assert_eq!(id.as_str().len(), 3 + RANDOM_LEN);
        assert_eq!(PaymentIntentId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn parse_rejects_wrong_prefix_length_and_alphabet() {
        let good = random_base62(RANDOM_LEN);
        assert!(RefundId::parse(&format!("pi_{good}")).is_none());
        assert!(RefundId::parse(&format!("re_{}", &good[1..])).is_none());
        assert!(RefundId::parse(&format!("re_{}-", &good[1..])).is_none());
        assert!(RefundId::parse(&format!("re{good}")).is_none());
        assert!(RefundId::parse(&format!("re_{good}")).is_some());
    }

    #[test]
    fn ids_do_not_repeat() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| EventId::generate()).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
