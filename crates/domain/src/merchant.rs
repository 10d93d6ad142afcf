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
