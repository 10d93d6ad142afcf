//! Merchant-supplied key/value annotations on objects.

use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many keys.
pub const MAX_KEYS: usize = 20;
/// Longest key, in characters.
pub const MAX_KEY_CHARS: usize = 40;
/// Longest value, in characters.
pub const MAX_VALUE_CHARS: usize = 500;

/// String-to-string metadata within the limits above, ordered by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Metadata(BTreeMap<String, String>);

impl Metadata {
    /// Checks the limits; every violation is reported in one message per problem kind.
    pub fn new(entries: BTreeMap<String, String>) -> Result<Metadata, Invalid> {
        if entries.len() > MAX_KEYS {
            return Err(Invalid::new("invalid_metadata", format!("Metadata can have at most {MAX_KEYS} keys.")));
        }
        if let Some(k) = entries.keys().find(|k| k.is_empty() || k.chars().count() > MAX_KEY_CHARS) {
            return Err(bad_key(k));
        }
        if let Some(k) = entries.iter().find(|(_, v)| v.chars().count() > MAX_VALUE_CHARS).map(|(k, _)| k) {
            return Err(Invalid::new(
                "invalid_metadata",
                format!("Metadata value for `{k}` must be at most {MAX_VALUE_CHARS} characters."),
            ));
        }
        Ok(Metadata(entries))
    }

    /// Applies an update: each key set to a value, or removed when the value is empty
    /// (Stripe's convention), then re-checks the limits.
    pub fn merged(&self, changes: BTreeMap<String, String>) -> Result<Metadata, Invalid> {
        // A key is checked even when it only removes: an update names keys a create could.
        if let Some(k) = changes.keys().find(|k| k.is_empty() || k.chars().count() > MAX_KEY_CHARS) {
            return Err(bad_key(k));
        }
        let mut next = self.0.clone();
        for (k, v) in changes {
            if v.is_empty() {
                next.remove(&k);
            } else {
                next.insert(k, v);
            }
        }
        Metadata::new(next)
    }

    /// Takes `key` out (only to move what is not the merchant's elsewhere).
    pub(crate) fn remove(&mut self, key: &str) -> Option<String> {
        self.0.remove(key)
    }

    /// The entries.
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

fn bad_key(k: &str) -> Invalid {
    Invalid::new("invalid_metadata", format!("Metadata key `{k}` must be 1 to {MAX_KEY_CHARS} characters."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn limits_are_enforced() {
        let many: BTreeMap<_, _> = (0..21).map(|i| (format!("k{i}"), "v".to_string())).collect();
        assert!(Metadata::new(many).is_err());
        assert!(Metadata::new(map(&[(&"k".repeat(41), "v")])).is_err());
        assert!(Metadata::new(map(&[("k", &"v".repeat(501))])).is_err());
        assert!(Metadata::new(map(&[("", "v")])).is_err());
        assert!(Metadata::new(map(&[(&"k".repeat(40), &"v".repeat(500))])).is_ok());
    }

    #[test]
    fn merge_sets_and_unsets() {
        let m = Metadata::new(map(&[("a", "1"), ("b", "2")])).unwrap();
        let m = m.merged(map(&[("a", ""), ("c", "3")])).unwrap();
        assert_eq!(m.entries(), &map(&[("b", "2"), ("c", "3")]));
        assert!(m.merged(map(&[("", "")])).is_err(), "a key no create accepts, even to remove");
        assert!(m.merged(map(&[(&"k".repeat(41), "")])).is_err());
    }
}
