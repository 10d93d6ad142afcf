//! The gateway's clock: wall time, made strictly increasing within the process.
//!
//! Lists and event logs are ordered by `(created_at, id)`. Two events written in the same
//! transaction (`captured`, then `succeeded`) must not share an instant, or their order would
//! be left to their random ids; so every reading is at least one microsecond after the last.

use kassa_domain::Timestamp;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A monotonic microsecond clock.
#[derive(Debug, Default)]
pub struct Clock {
    last: AtomicI64,
}

impl Clock {
    /// A new clock.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// Now, strictly after every earlier reading of this clock.
    pub fn now(&self) -> Timestamp {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = wall.max(last + 1);
            match self.last.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return Timestamp(next),
                Err(seen) => last = seen,
            }
        }
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
