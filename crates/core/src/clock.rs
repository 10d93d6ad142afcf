//! The gateway's clock: wall time, made strictly increasing within the process.
//!
//! Lists are ordered by `(created_at, id)`, so two objects created in one process get distinct
//! instants: every reading is at least one microsecond after the last. It starts past the
//! newest stored event on SQLite (one node), so a clock set back across a restart still orders
//! new events after old ones; on PostgreSQL nodes' clocks may disagree, and the store stamps each
//! event after its payment's latest (`kassa_store::events::insert`).

use kassa_domain::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A monotonic microsecond clock.
#[derive(Debug, Default)]
pub struct Clock {
    last: AtomicI64,
    /// How far ahead of the wall clock it runs (tests of nodes whose clocks disagree).
    skew_micros: i64,
}

impl Clock {
    /// A new clock.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// A clock `skew_micros` ahead of the wall clock (behind, when negative).
    pub fn skewed(skew_micros: i64) -> Clock {
        Clock { last: AtomicI64::new(0), skew_micros }
    }

    /// Now, strictly after every earlier reading of this clock.
    pub fn now(&self) -> Timestamp {
        let wall =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0) + self.skew_micros;
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = wall.max(last + 1);
            match self.last.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Timestamp(next),
                Err(seen) => last = seen,
            }
        }
    }

    /// Makes every later reading come after `t` (a start after a clock was set back).
    pub fn advance_past(&self, t: Timestamp) {
        self.last.fetch_max(t.micros(), Ordering::Relaxed);
    }

    /// Today's `(year, month)` in UTC, for card expiry checks.
    pub fn year_month(&self) -> (u16, u8) {
        let now = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now().micros()) * 1000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        (now.year() as u16, u8::from(now.month()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_strictly_increase() {
        let clock = Clock::new();
        let mut prev = clock.now();
        for _ in 0..10_000 {
            let next = clock.now();
            assert!(next > prev);
            prev = next;
        }
    }
}
