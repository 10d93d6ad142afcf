//! Merchants see their data through a mode: test and live data never mix.

use serde::{Deserialize, Serialize};

/// Whether an API key, and everything created with it, belongs to test or live data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Test data: simulated cards, no real money.
    Test,
    /// Live data.
    Live,
}

impl Mode {
    /// `true` for live mode, the `livemode` flag of every API object.
    pub fn is_live(self) -> bool {
        matches!(self, Mode::Live)
    }

    /// The word used in key prefixes: `test` or `live`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }
}

/// Whose data, in which mode: every read and write of a merchant's data is about one scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The merchant.
    pub merchant_id: crate::MerchantId,
    /// Test or live.
    pub mode: Mode,
}

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// `sk_…`: full access to the merchant's data in its mode.
    Secret,
    /// `pk_…`: may be embedded in a browser; only the few endpoints that say so accept it.
    Publishable,
}

impl KeyKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Secret => "secret",
            KeyKind::Publishable => "publishable",
        }
    }

    /// The key prefix: `sk` or `pk`.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Secret => "sk",
            KeyKind::Publishable => "pk",
        }
    }

    /// Reads a stored name.
    pub fn from_name(s: &str) -> Option<KeyKind> {
        match s {
            "secret" => Some(KeyKind::Secret),
            "publishable" => Some(KeyKind::Publishable),
            _ => None,
        }
    }
}

/// A merchant's number: 4 to 6 digits, unique on the gateway, for the clients that address a
/// merchant by a number rather than by its `mer_…` id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SerialNumber(u32);

impl SerialNumber {
    /// The smallest and largest serial numbers (four to six digits).
    pub const RANGE: std::ops::RangeInclusive<u32> = 1000..=999_999;

    /// A serial number as given: 4 to 6 digits.
    pub fn parse(s: &str) -> Result<SerialNumber, crate::Invalid> {
        let invalid = || crate::Invalid::new("invalid_serial_number", "A merchant serial number is 4 to 6 digits.");
        if !(4..=6).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        s.parse::<u32>().ok().and_then(SerialNumber::new).ok_or_else(invalid)
    }

    /// A serial number in range.
    pub fn new(n: u32) -> Option<SerialNumber> {
        SerialNumber::RANGE.contains(&n).then_some(SerialNumber(n))
    }

    /// A random six-digit serial number (the caller checks it is free).
    pub fn generate() -> SerialNumber {
        use rand::Rng;
        SerialNumber(rand::rng().random_range(100_000..=999_999))
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_are_four_to_six_digits() {
        for ok in ["1000", "123456", "99999"] {
            assert_eq!(SerialNumber::parse(ok).map(|s| s.to_string()), Ok(ok.to_owned()));
        }
        for bad in ["", "999", "0999", "1234567", "12a4", "-1234", " 1234", "+1234"] {
            assert!(SerialNumber::parse(bad).is_err(), "{bad}");
        }
        for _ in 0..1000 {
            let s = SerialNumber::generate();
            assert_eq!(SerialNumber::parse(&s.to_string()), Ok(s));
        }
    }
}

/// A merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    /// `mer_…`
    pub id: crate::MerchantId,
    /// Display name.
    pub name: String,
    /// Its number, unique on the gateway.
    pub serial_number: SerialNumber,
    /// Created.
    pub created_at: crate::Timestamp,
}

/// An API key's record. The key itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// `key_…`
    pub id: crate::ApiKeyId,
    /// Owner.
    pub merchant_id: crate::MerchantId,
    /// Secret or publishable.
    pub kind: KeyKind,
    /// Which data it sees.
    pub mode: Mode,
    /// Last four characters of the key, to recognise it.
    pub last4: String,
    /// Created.
    pub created_at: crate::Timestamp,
    /// Revoked, if it was.
    pub revoked_at: Option<crate::Timestamp>,
}

/// A person who signs in to one merchant's dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardUser {
    /// `usr_…`
    pub id: crate::DashboardUserId,
    /// The merchant whose dashboard it is.
    pub merchant_id: crate::MerchantId,
    /// Sign-in name, lower case; unique on the gateway.
    pub email: String,
    /// Argon2id, as a PHC string.
    pub password_hash: String,
    /// Created.
    pub created_at: crate::Timestamp,
}
