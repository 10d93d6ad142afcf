//! The merchant's own name for a payment or a checkout.

use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A merchant-chosen reference: 1 to 64 characters of `A–Z a–z 0–9 . _ -`, unique among the
/// merchant's objects of a kind in a mode, so the merchant can address them by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reference(String);

impl Reference {
    /// Longest reference.
    pub const MAX_LEN: usize = 64;

    /// Parses a reference.
    pub fn parse(s: &str) -> Result<Reference, Invalid> {
        let ok = (1..=Reference::MAX_LEN).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Reference(s.to_owned()))
        } else {
            Err(Invalid::new(
                "invalid_reference",
                "A reference is 1 to 64 characters of letters, digits, `.`, `_` and `-`.",
            ))
        }
    }

    /// A reference read back from storage, where only parsed ones are written.
    pub fn from_trusted(s: String) -> Reference {
        Reference(s)
    }

    /// The reference.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for ok in ["a", "order-1001", "ORD_2024.11.30", &"x".repeat(64)] {
            assert_eq!(Reference::parse(ok).map(|r| r.to_string()), Ok(ok.to_owned()));
        }
        for bad in ["", " ", "order 1", "ordre/1", "æøå", "a\u{0}", &"x".repeat(65)] {
            assert_eq!(Reference::parse(bad).map_err(|e| e.code), Err("invalid_reference"), "{bad:?}");
        }
    }
}
