//! A token bucket per API key, with the `RateLimit-*` headers of api-conventions.md, and one
//! per client address for failed authentications: a client that keeps presenting wrong keys
//! is refused (429) before its next key is even looked at, so keys cannot be guessed at speed.
//!
//! Buckets live in memory, and the limits hold for the cluster: with N nodes alive (the
//! heartbeat counts them), each node allows 1/N of every limit, so N nodes behind a
//! round-robin balancer allow what one node would. (A balancer that sends one key to one node
//! only gives that key 1/N of its limit.)

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
use std::sync::{Arc, Mutex, RwLock};
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
    config: RateLimitConfig,
    /// This node's share of the cluster's buckets (`None`: limiting is off).
    share: RwLock<Option<Arc<Share>>>,
    code_tries: ByAddress,
    /// Addresses whose failures ran out, and until when they are refused.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

/// The buckets of one node among `nodes`: each holds its part of the cluster's rate and burst,
/// so a round-robin balancer's N nodes together allow what one would.
struct Share {
    nodes: u32,
    keys: Keyed,
    failures: ByAddress,
}

impl Share {
    fn new(config: RateLimitConfig, nodes: u32) -> Option<Share> {
        let rate = NonZeroU32::new(config.per_second)?;
        let burst = config.burst.max(rate.get());
        Some(Share {
            nodes,
            keys: Governor::keyed(part(rate.get(), burst, nodes)).with_middleware::<StateInformationMiddleware>(),
            failures: Governor::keyed(part(FAILURES_PER_SECOND, FAILURE_BURST, nodes)),
        })
    }
}

/// `1/nodes` of a quota of `per_second` (non-zero) with `burst`: a token every `nodes / per_second`
/// seconds, and at least one token of burst.
fn part(per_second: u32, burst: u32, nodes: u32) -> Quota {
    let period = Duration::from_nanos(1_000_000_000 * u64::from(nodes) / u64::from(per_second.max(1)));
    let burst = NonZeroU32::new(burst.div_ceil(nodes)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period.max(Duration::from_nanos(1))).expect("a non-zero period").allow_burst(burst)
}

impl RateLimiter {
    /// A limiter with `config`'s quota for one node; `per_second == 0` turns it off.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            config,
            share: RwLock::new(Share::new(config, 1).map(Arc::new)),
            code_tries: Governor::keyed(
                Quota::per_minute(NonZeroU32::new(CODE_TRIES_PER_MINUTE).expect("non-zero"))
                    .allow_burst(NonZeroU32::new(CODE_TRY_BURST).expect("non-zero")),
            ),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    /// Shares the limits among `nodes` live nodes (the heartbeat's count): each node then
    /// allows its part, and the cluster the configured limit. Buckets start full again.
    pub fn share_among(&self, nodes: usize) {
        let nodes = u32::try_from(nodes.max(1)).unwrap_or(u32::MAX);
        let mut share = self.share.write().unwrap_or_else(|e| e.into_inner());
        if share.as_ref().is_none_or(|s| s.nodes != nodes) {
            *share = Share::new(self.config, nodes).map(Arc::new);
        }
    }

    fn current(&self) -> Option<Arc<Share>> {
        self.share.read().unwrap_or_else(|e| e.into_inner()).clone()
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
        let Some(share) = self.current() else { return };
        if let Err(not_until) = share.failures.check_key(&client) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
            blocked.insert(client, Instant::now() + wait.max(Duration::from_secs(1)));
        }
    }

    /// Takes one token from `key`'s bucket.
    pub fn check(&self, key: &ApiKeyId) -> Verdict {
        let Some(share) = self.current() else { return Verdict::Unlimited };
        match share.keys.check_key(key) {
            Ok(snapshot) => {
                // The cluster's remaining burst, as this node's part shows it.
                let remaining = snapshot.remaining_burst_capacity().saturating_mul(share.nodes);
                Verdict::Allowed(self.headers(remaining))
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Verdict::Limited(wait, self.headers(0))
            }
        }
    }

    fn headers(&self, remaining: u32) -> HeaderMap {
        let burst = self.config.burst.max(self.config.per_second);
        let remaining = remaining.min(burst);
        let mut h = HeaderMap::new();
        // Seconds until the bucket is full again.
        let reset = u64::from(burst - remaining).div_ceil(u64::from(self.config.per_second.max(1)));
        h.insert("ratelimit-limit", HeaderValue::from(burst));
        h.insert("ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("ratelimit-reset", HeaderValue::from(reset));
        h
    }

    /// Forgets buckets that have refilled (bounded memory with many keys).
    pub fn shrink(&self) {
        if let Some(share) = self.current() {
            share.keys.retain_recent();
            share.failures.retain_recent();
        }
        self.code_tries.retain_recent();
        let now = Instant::now();
        self.blocked.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, until| *until > now);
    }
}
