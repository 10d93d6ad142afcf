//! Instants, as integer microseconds since the Unix epoch (UTC).
//!
//! The domain never reads the clock: callers pass `now` in, so transitions are deterministic.

use serde::{Deserialize, Serialize};

/// An instant in microseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Microseconds since the epoch.
    pub fn micros(self) -> i64 {
        self.0
    }

    /// This instant moved forward by `seconds` (saturating).
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }

    /// This instant moved forward by `millis` milliseconds (saturating).
    pub fn plus_millis(self, millis: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(millis.saturating_mul(1_000)))
    }
}

/// A filter on creation time (µs since the epoch), each bound optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Strictly after.
    pub gt: Option<i64>,
    /// At or after.
    pub gte: Option<i64>,
    /// Strictly before.
    pub lt: Option<i64>,
    /// At or before.
    pub lte: Option<i64>,
}
