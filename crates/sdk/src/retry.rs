//! When to retry, and how long to wait: exponential backoff with full jitter, never shorter
//! than the gateway's `Retry-After`.

use std::time::Duration;

/// Backoff settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_millis(250), cap: Duration::from_secs(8) }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (1 for the first retry).
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16))).min(self.cap);
        // Full jitter: anywhere between zero and the ceiling.
        let jittered = ceiling.mul_f64(fastrand::f64());
        jittered.max(retry_after.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_capped_and_respect_retry_after() {
        let b = Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(1) };
        for attempt in 1..20 {
            let d = b.delay(attempt, None);
            let ceiling = Duration::from_millis(100 * 2u64.pow((attempt - 1).min(16))).min(Duration::from_secs(1));
            assert!(d <= ceiling, "{attempt}: {d:?} > {ceiling:?}");
        }
        assert!(b.delay(1, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
    }
}
