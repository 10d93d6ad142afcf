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
