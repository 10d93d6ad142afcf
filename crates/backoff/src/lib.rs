//! When an HTTP client waits before retrying: exponential backoff with full jitter (so clients
//! that failed together do not retry together), capped, and never shorter than what the
//! server asked for in `Retry-After`. Shared by the `kassa` SDK and the provider clients
//! (`probuy`, `smartpay`, `vipps`); it has one dependency, `fastrand`.

use std::time::Duration;

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first wait; it doubles with each retry.
    pub base: Duration,
    /// The largest ceiling.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_millis(250), cap: Duration::from_secs(8) }
    }
}

impl Backoff {
    /// A backoff from `base` doubling up to `cap`.
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff { base, cap }
    }

    /// The wait before retry number `attempt` (1 for the first retry): anywhere between zero
    /// and the ceiling, but at least `retry_after`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(16))).min(self.cap);
        let jittered = ceiling.mul_f64(fastrand::f64());
        jittered.max(retry_after.unwrap_or_default())
    }
}

/// A `Retry-After` header's value in seconds (the HTTP-date form is not used by the servers
/// these clients talk to, and is ignored).
pub fn retry_after(value: Option<&str>) -> Option<Duration> {
    value.and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs)
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

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(retry_after(Some(" 2 ")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(None), None);
    }
}
