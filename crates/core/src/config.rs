//! Runtime configuration. The binary fills it from flags and `KASSA_*` environment variables
//! (see `cli.rs`); tests build it directly.

use std::net::SocketAddr;
use std::time::Duration;

/// Everything the gateway can be told.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Where the Stripe face listens, if it is on (Stripe's SDKs have no base path, and
    /// Kassa's own API is at `/v1` too).
    pub stripe_addr: Option<SocketAddr>,
    /// The database.
    pub store: kassa_store::StoreConfig,
    /// The built-in card simulator.
    pub simulator: SimulatorConfig,
    /// Per-key request limits.
    pub rate_limit: RateLimitConfig,
    /// Background processing.
    pub jobs: JobConfig,
    /// Idempotency keys.
    pub idempotency: IdempotencyConfig,
    /// Webhook deliveries.
    pub webhooks: WebhookConfig,
    /// How often idle job runners and webhook senders look for due work while this node hears
    /// the others announce theirs (`LISTEN` on PostgreSQL): a safety net for announcements
    /// lost while the listening session reconnects. Without it they poll every
    /// `jobs.poll_interval` / `webhooks.poll_interval`.
    pub listening_poll: Duration,
    /// Checkout sessions and the hosted page.
    pub checkout: CheckoutConfig,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Longest a request may take before it is answered 503 (its body is read within it).
    pub request_timeout: Duration,
    /// Longest a client may take to send a request head; also how long a kept-alive
    /// connection may stay idle.
    pub header_read_timeout: Duration,
    /// Most client connections open at once.
    pub max_connections: usize,
    /// Longest a stop waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// The operator's master key: what protects card fingerprints and webhook secrets at rest.
    pub master_key: crate::secrets::MasterKey,
    /// Serve Prometheus metrics at `/metrics`.
    pub metrics: bool,
    /// Microseconds this node's clock runs ahead of the wall clock (behind, when negative).
    /// Zero unless a test sets it, to prove that order holds across nodes whose clocks
    /// disagree; no setting or variable reads it.
    pub clock_skew_micros: i64,
}

/// The simulated card network.
#[derive(Debug, Clone, Default)]
pub struct SimulatorConfig {
    /// Mean latency of each call; actual latency varies ±50%.
    pub latency: Duration,
    /// Share of calls (0.0–1.0) that fail as if the network dropped them, half before and half
    /// after the simulator recorded the operation.
    pub failure_rate: f64,
}

/// A token bucket per API key.
#[derive(Debug, Clone, Copy)]
pub struct RateLimitConfig {
    /// Sustained requests per second; 0 turns limiting off.
    pub per_second: u32,
    /// Requests allowed in a burst.
    pub burst: u32,
}

/// Durable jobs.
#[derive(Debug, Clone)]
pub struct JobConfig {
    /// How long a claimed job is reserved for its worker before another may take it over.
    pub lease: Duration,
    /// Jobs run at once per node (0: none on this node; the other nodes run them).
    pub concurrency: usize,
    /// Tries before giving up on a job.
    pub max_attempts: i64,
    /// First retry delay; doubles each attempt (with jitter), capped at `max_backoff`.
    pub base_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// How often idle workers look for due jobs written by other nodes or left by a crash.
    pub poll_interval: Duration,
    /// How long a capture, refund or cancel request waits for its job before answering with
    /// the operation still pending.
    pub inline_wait: Duration,
    /// How long after a payment opens at a provider Kassa first asks whether the customer
    /// decided (then twice as long each time, up to 30 s); a provider's notification or the
    /// customer's return usually tells it sooner.
    pub first_provider_poll: Duration,
}

/// Idempotency keys.
#[derive(Debug, Clone)]
pub struct IdempotencyConfig {
    /// How long a key is remembered.
    pub ttl: Duration,
    /// How long a request holds its key before another may take it over after a crash.
    pub lease: Duration,
    /// How often expired keys are deleted.
    pub reap_interval: Duration,
}

/// Checkout sessions and the hosted page.
#[derive(Debug, Clone)]
pub struct CheckoutConfig {
    /// The gateway's public base URL, for the sessions' `url` (default: the listen address).
    pub public_url: Option<String>,
    /// Lifetime of a session when none is asked.
    pub default_expires_in: Duration,
    /// Shortest lifetime a merchant may ask.
    pub min_expires_in: Duration,
    /// Longest lifetime a merchant may ask.
    pub max_expires_in: Duration,
    /// Declined attempts before a session is canceled.
    pub max_attempts: u32,
    /// How often expired sessions are swept.
    pub sweep_interval: Duration,
}

impl Default for CheckoutConfig {
    fn default() -> Self {
        CheckoutConfig {
            public_url: None,
            default_expires_in: Duration::from_secs(30 * 60),
            min_expires_in: Duration::from_secs(5 * 60),
            max_expires_in: Duration::from_secs(24 * 3600),
            max_attempts: 3,
            sweep_interval: Duration::from_secs(1),
        }
    }
}

/// Webhook deliveries.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Waits before each attempt.
    pub schedule: kassa_domain::webhook::RetrySchedule,
    /// Longest an endpoint may take to answer.
    pub timeout: Duration,
    /// Deliveries in flight at once per node.
    pub concurrency: usize,
    /// Deliveries sent at once per endpoint by a node, so a slow receiver cannot hold them all;
    /// twice as many may be claimed (the next ones, waiting for a slot).
    pub per_endpoint: u32,
    /// How long a sender holds a claimed delivery before another may take it over.
    pub lease: Duration,
    /// How often idle senders look for due deliveries.
    pub poll_interval: Duration,
    /// Hosts live-mode endpoints may use even though they resolve to non-public addresses.
    pub allowed_hosts: Vec<String>,
    /// How long a rotated secret keeps signing by default.
    pub rotation_grace: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            schedule: kassa_domain::webhook::RetrySchedule::standard(),
            timeout: Duration::from_secs(10),
            concurrency: 64,
            per_endpoint: 16,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_secs(1),
            allowed_hosts: Vec::new(),
            rotation_grace: Duration::from_secs(24 * 3600),
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig { per_second: 1000, burst: 2000 }
    }
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            lease: Duration::from_secs(60),
            concurrency: 64,
            max_attempts: 10,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(600),
            poll_interval: Duration::from_secs(1),
            inline_wait: Duration::from_secs(10),
            first_provider_poll: Duration::from_secs(1),
        }
    }
}

impl Default for IdempotencyConfig {
    fn default() -> Self {
        IdempotencyConfig {
            ttl: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(60),
            reap_interval: Duration::from_secs(60),
        }
    }
}

impl Config {
    /// Defaults around a database.
    pub fn new(addr: SocketAddr, store: kassa_store::StoreConfig) -> Config {
        Config {
            addr,
            stripe_addr: None,
            store,
            simulator: SimulatorConfig::default(),
            rate_limit: RateLimitConfig::default(),
            jobs: JobConfig::default(),
            idempotency: IdempotencyConfig::default(),
            webhooks: WebhookConfig::default(),
            listening_poll: Duration::from_secs(10),
            checkout: CheckoutConfig::default(),
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 4096,
            shutdown_grace: Duration::from_secs(30),
            // A new database takes whatever key it first starts with; the binary always
            // passes the operator's.
            master_key: crate::secrets::MasterKey::generate(),
            metrics: false,
            clock_skew_micros: 0,
        }
    }
}
