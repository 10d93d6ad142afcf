//! A token bucket per API key, with the `RateLimit-*` headers of api-conventions.md, and one
//! per client address for failed authentications: a client that keeps presenting wrong keys
//! is refused (429) before its next key is even looked at, so keys cannot be guessed at speed.
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
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Keyed = Governor<ApiKeyId, DefaultKeyedStateStore<ApiKeyId>, DefaultClock, StateInformationMiddleware>;
type ByAddress = Governor<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

/// Promotion codes a client address may try on hosted pages: a burst, then one every few
/// seconds (whatever the session: each session also locks its form after a few misses).
const CODE_TRIES_PER_MINUTE: u32 = 12;
const CODE_TRY_BURST: u32 = 10;

/// Failed authentications a client address may make per second, and in a burst.
const FAILURES_PER_SECOND: u32 = 10;
const FAILURE_BURST: u32 = 50;

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
    failures: Option<ByAddress>,
    code_tries: ByAddress,
    /// Addresses whose failures ran out, and until when they are refused.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl RateLimiter {
    /// A limiter with `config`'s quota; `per_second == 0` turns it off.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        let limiter = NonZeroU32::new(config.per_second).map(|rate| {
            let burst = NonZeroU32::new(config.burst.max(config.per_second)).unwrap_or(rate);
            Governor::keyed(Quota::per_second(rate).allow_burst(burst)).with_middleware::<StateInformationMiddleware>()
        });
        let failures = limiter.as_ref().map(|_| {
            let rate = NonZeroU32::new(FAILURES_PER_SECOND).expect("non-zero");
            Governor::keyed(Quota::per_second(rate).allow_burst(NonZeroU32::new(FAILURE_BURST).expect("non-zero")))
        });
        RateLimiter {
            limiter,
            burst: config.burst.max(config.per_second),
            per_second: config.per_second,
            failures,
            code_tries: Governor::keyed(
                Quota::per_minute(NonZeroU32::new(CODE_TRIES_PER_MINUTE).expect("non-zero"))
                    .allow_burst(NonZeroU32::new(CODE_TRY_BURST).expect("non-zero")),
            ),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one promotion-code try for `client`; `false` once its tries are used up.
    pub fn try_code(&self, client: IpAddr) -> bool {
        self.code_tries.check_key(&client).is_ok()
    }

    /// How long `client` is still refused for having failed to authenticate too often.
    pub fn failures_block(&self, client: IpAddr) -> Option<Duration> {
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        blocked.get(&client).and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// Counts a failed authentication from `client`; once its bucket is empty, it is refused
    /// until the bucket has a token again.
    pub fn authentication_failed(&self, client: IpAddr) {
        let Some(failures) = &self.failures else { return };
        if let Err(not_until) = failures.check_key(&client) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            blocked.insert(client, Instant::now() + wait.max(Duration::from_secs(1)));
        }
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
        if let Some(f) = &self.failures {
            f.retain_recent();
        }
        self.code_tries.retain_recent();
        let now = Instant::now();
        self.blocked.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, until| *until > now);
    }
}
