//! A token bucket per API key, with the `RateLimit-*` headers of api-conventions.md.
//!
//! Buckets live in memory: with several nodes, each node enforces the limit for the requests
//! it receives.

use crate::config::RateLimitConfig;
use axum::http::{HeaderMap, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Governor};
use kassa_domain::ApiKeyId;
use std::num::NonZeroU32;
use std::time::Duration;

type Keyed = Governor<ApiKeyId, DefaultKeyedStateStore<ApiKeyId>, DefaultClock, StateInformationMiddleware>;

/// The verdict for one request.
pub enum Verdict {
    /// Allowed; headers describe the bucket.
    Allowed(HeaderMap),
    /// Refused; retry after this long. Headers describe the bucket.
    Limited(Duration, HeaderMap),
    /// Limiting is off.
    Unlimited,
}

/// Per-key limits.
pub struct RateLimiter {
    limiter: Option<Keyed>,
    burst: u32,
    per_second: u32,
}

impl RateLimiter {
    /// A limiter with `config`'s quota; `per_second == 0` turns it off.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        let limiter = NonZeroU32::new(config.per_second).map(|rate| {
            let burst = NonZeroU32::new(config.burst.max(config.per_second)).unwrap_or(rate);
            Governor::keyed(Quota::per_second(rate).allow_burst(burst)).with_middleware::<StateInformationMiddleware>()
        });
        RateLimiter { limiter, burst: config.burst.max(config.per_second), per_second: config.per_second }
    }

    /// Takes one token from `key`'s bucket.
    pub fn check(&self, key: &ApiKeyId) -> Verdict {
        let Some(limiter) = &self.limiter else { return Verdict::Unlimited };
        match limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Verdict::Allowed(self.headers(remaining))
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Verdict::Limited(wait, self.headers(0))
            }
        }
    }

    fn headers(&self, remaining: u32) -> HeaderMap {
        let mut h = HeaderMap::new();
        // Seconds until the bucket is full again.
        let reset = u64::from(self.burst - remaining.min(self.burst)).div_ceil(u64::from(self.per_second.max(1)));
        h.insert("ratelimit-limit", HeaderValue::from(self.burst));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("ratelimit-reset", HeaderValue::from(reset));
        h
    }

    /// Forgets buckets that have refilled (bounded memory with many keys).
    pub fn shrink(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
        }
    }
}
