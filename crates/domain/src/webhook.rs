//! Webhook endpoints: which events they want, where they are, and when to try again.

use crate::event::EventType;
use crate::id::{MerchantId, WebhookEndpointId};
use crate::merchant::Mode;
use crate::metadata::Metadata;
use crate::time::Timestamp;
use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

/// Longest endpoint URL.
pub const MAX_URL_LEN: usize = 2048;

/// The events an endpoint subscribes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnabledEvents {
    /// Every event (`["*"]`).
    All,
    /// These types.
    Only(BTreeSet<String>),
}

impl EnabledEvents {
    /// Parses a list: `["*"]`, or known event types. Every unknown name is reported.
    pub fn parse(names: &[String]) -> Result<EnabledEvents, Invalid> {
        if names.is_empty() {
            return Err(Invalid::new("invalid_enabled_events", "List at least one event type, or \"*\" for all."));
        }
        if names.iter().any(|n| n == "*") {
            return if names.len() == 1 {
                Ok(EnabledEvents::All)
            } else {
                Err(Invalid::new("invalid_enabled_events", "\"*\" subscribes to everything; give it alone."))
            };
        }
        let unknown: Vec<&str> =
            names.iter().filter(|n| EventType::from_name(n).is_none()).map(String::as_str).collect();
        if !unknown.is_empty() {
            return Err(Invalid::new(
                "invalid_enabled_events",
                format!("Unknown event types: {}.", unknown.join(", ")),
            ));
        }
        Ok(EnabledEvents::Only(names.iter().cloned().collect()))
    }

    /// Whether events of this type go to the endpoint.
    pub fn matches(&self, event_type: &str) -> bool {
        match self {
            EnabledEvents::All => true,
            EnabledEvents::Only(types) => types.contains(event_type),
        }
    }

    /// The list as given on the wire.
    pub fn names(&self) -> Vec<String> {
        match self {
            EnabledEvents::All => vec!["*".into()],
            EnabledEvents::Only(types) => types.iter().cloned().collect(),
        }
    }
}

/// A webhook URL: absolute, http or https, with a host and no credentials. In live mode it
/// must be https (whether its host resolves to a public address is checked when sending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// Parses `raw` for an endpoint in `mode`.
    pub fn parse(raw: &str, mode: Mode) -> Result<EndpointUrl, Invalid> {
        let invalid = |why: &str| Invalid::new("invalid_url", why.to_owned());
        if raw.len() > MAX_URL_LEN {
            return Err(invalid("The URL is longer than 2048 characters."));
        }
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| invalid("Give an absolute URL such as https://example.com/webhooks."))?;
        match (scheme, mode) {
            ("https", _) => {}
            ("http", Mode::Test) => {}
            ("http", Mode::Live) => return Err(invalid("Live-mode endpoints must use https.")),
            _ => return Err(invalid("The URL must be http or https.")),
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(invalid("The URL must not contain credentials."));
        }
        if authority.is_empty() || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("The URL has no host, or contains spaces."));
        }
        Ok(EndpointUrl(raw.to_owned()))
    }

    /// Wraps a stored URL.
    pub fn from_trusted(s: String) -> EndpointUrl {
        EndpointUrl(s)
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an endpoint receives deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    /// Receives deliveries.
    Enabled,
    /// Does not (by the merchant, or after it answered 410 or kept failing).
    Disabled,
}

impl EndpointStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointStatus::Enabled => "enabled",
            EndpointStatus::Disabled => "disabled",
        }
    }

    /// Reads a wire name.
    pub fn from_name(s: &str) -> Option<EndpointStatus> {
        match s {
            "enabled" => Some(EndpointStatus::Enabled),
            "disabled" => Some(EndpointStatus::Disabled),
            _ => None,
        }
    }
}

/// The wire format of an endpoint's deliveries, by the name of the face that speaks it
/// (`v1`, the native one, unless the endpoint was created through another face).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dialect(String);

impl Dialect {
    /// The native API's dialect.
    pub const NATIVE: &'static str = "v1";

    /// A dialect by name.
    pub fn new(name: impl Into<String>) -> Dialect {
        Dialect(name.into())
    }

    /// The native API's dialect.
    pub fn native() -> Dialect {
        Dialect::new(Dialect::NATIVE)
    }

    /// Its name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A merchant's webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    /// `we_…`
    pub id: WebhookEndpointId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live events.
    pub mode: Mode,
    /// Where deliveries go.
    pub url: EndpointUrl,
    /// Free text.
    pub description: Option<String>,
    /// What it subscribes to.
    pub enabled_events: EnabledEvents,
    /// Merchant annotations.
    pub metadata: Metadata,
    /// What a face remembers of it that Kassa has no field for (not the merchant's metadata).
    #[serde(default, skip_serializing_if = "crate::FaceNotes::is_empty")]
    pub face_notes: crate::FaceNotes,
    /// Enabled or not.
    pub status: EndpointStatus,
    /// Why it was disabled by Kassa, if it was.
    pub disabled_reason: Option<String>,
    /// The signing secret (`whsec_…`).
    pub secret: String,
    /// The secret before the last rotation, and until when it still signs.
    pub previous_secret: Option<(String, Timestamp)>,
    /// Whose words its deliveries speak: the face that renders and signs them.
    pub dialect: Dialect,
    /// The one object it hears about, if it is bound to one (a checkout's callback): it gets
    /// that object's events only, and endpoint lists do not show it.
    #[serde(default)]
    pub bound_to: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl WebhookEndpoint {
    /// Enables the endpoint (the merchant's choice), clearing why it was disabled.
    pub fn enable(&mut self, now: Timestamp) {
        self.status = EndpointStatus::Enabled;
        self.disabled_reason = None;
        self.updated_at = now;
    }

    /// Disables the endpoint for `reason`. Returns `false` if it already was disabled (its
    /// first reason stays).
    pub fn disable(&mut self, reason: &str, now: Timestamp) -> bool {
        if self.status == EndpointStatus::Disabled {
            return false;
        }
        self.status = EndpointStatus::Disabled;
        self.disabled_reason = Some(reason.to_owned());
        self.updated_at = now;
        true
    }

    /// Replaces the signing secret by `new`; the old one keeps signing beside it for `grace`.
    pub fn rotate_secret(&mut self, new: String, grace: Duration, now: Timestamp) {
        let old = std::mem::replace(&mut self.secret, new);
        self.previous_secret = (!grace.is_zero()).then(|| (old, now.plus_millis(grace.as_millis() as i64)));
        self.updated_at = now;
    }

    /// The secrets deliveries are signed with at `now`: the current one, and the previous
    /// one during its grace period.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let Some((previous, until)) = &self.previous_secret
            && *until > now
        {
            secrets.push(previous);
        }
        secrets
    }
}

/// When deliveries are tried: the wait before each attempt, the first usually zero. After
/// the last attempt fails, the delivery has failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// A schedule of waits; at least one attempt.
    pub fn new(waits: Vec<Duration>) -> RetrySchedule {
        if waits.is_empty() { RetrySchedule(vec![Duration::ZERO]) } else { RetrySchedule(waits) }
    }

    /// Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: about three days.
    pub fn standard() -> RetrySchedule {
        let m = 60;
        let h = 3600;
        RetrySchedule::new(
            [0, 5, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 14 * h, 20 * h, 24 * h].map(Duration::from_secs).to_vec(),
        )
    }

    /// How many attempts a delivery gets.
    pub fn attempts(&self) -> u32 {
        self.0.len() as u32
    }

    /// The wait before the next attempt after `done` attempts, or `None` when they are used up.
    pub fn wait_after(&self, done: u32) -> Option<Duration> {
        self.0.get(done as usize).copied()
    }
}

/// What an endpoint answered to one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptAnswer {
    /// The HTTP status, if an answer came at all (none: timeout, refused connection …).
    pub status: Option<u16>,
    /// The answer's `Retry-After`, if it had one.
    pub retry_after: Option<Duration>,
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// A 2xx: delivered.
    Delivered,
    /// Try again after this wait.
    Retry(Duration),
    /// 410 Gone: the receiver says it will never take deliveries; stop and disable it.
    Gone,
    /// The whole schedule failed: stop, and disable the endpoint unless it took any delivery
    /// since this one was queued.
    Exhausted,
}

impl RetrySchedule {
    /// The policy after attempt number `attempts_done` got `answer`. `jitter` (0.9 to 1.1,
    /// chosen by the caller) spreads retries; a 429's or 503's `Retry-After` is a floor.
    pub fn next_step(&self, attempts_done: u32, answer: AttemptAnswer, jitter: f64) -> NextStep {
        match answer.status {
            Some(200..=299) => return NextStep::Delivered,
            Some(410) => return NextStep::Gone,
            _ => {}
        }
        let Some(wait) = self.wait_after(attempts_done) else { return NextStep::Exhausted };
        let asked = answer.retry_after.filter(|_| matches!(answer.status, Some(429 | 503))).unwrap_or_default();
        NextStep::Retry(wait.mul_f64(jitter.clamp(0.9, 1.1)).max(asked))
    }
}

/// Whether an address is one a live-mode webhook may be sent to: not loopback, private,
/// link-local, shared (CGNAT), unique-local, multicast, broadcast, documentation or
/// unspecified. This is what keeps webhooks from reaching into the gateway's own network.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..=127).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// `wa_…`
    pub id: crate::AttemptId,
    /// Owner.
    pub merchant_id: crate::MerchantId,
    /// Test or live.
    pub mode: crate::Mode,
    /// The delivery.
    pub delivery_id: crate::DeliveryId,
    /// Where to.
    pub endpoint_id: crate::WebhookEndpointId,
    /// What.
    pub event_id: crate::EventId,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// The URL it went to.
    pub url: String,
    /// The receiver's status, if it answered.
    pub status_code: Option<i64>,
    /// Why it failed without an answer (timeout, refused …), or why the answer failed.
    pub error: Option<String>,
    /// The first bytes of the receiver's answer.
    pub response_body: Option<String>,
    /// From sending to the answer.
    pub latency_ms: i64,
    /// 2xx.
    pub succeeded: bool,
    /// When.
    pub created_at: crate::Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabled_events_parse_and_match() {
        let all = EnabledEvents::parse(&["*".into()]).unwrap();
        assert!(all.matches("refund.created"));
        let some = EnabledEvents::parse(&["payment_intent.succeeded".into()]).unwrap();
        assert!(some.matches("payment_intent.succeeded") && !some.matches("refund.created"));
        let err =
            EnabledEvents::parse(&["nope".into(), "payment_intent.succeeded".into(), "also.nope".into()]).unwrap_err();
        assert!(err.message.contains("nope, also.nope"), "{}", err.message);
        assert!(EnabledEvents::parse(&[]).is_err());
        assert!(EnabledEvents::parse(&["*".into(), "refund.created".into()]).is_err());
    }

    #[test]
    fn urls() {
        assert!(EndpointUrl::parse("https://example.com/hooks", Mode::Live).is_ok());
        assert!(EndpointUrl::parse("http://localhost:3000/hooks", Mode::Test).is_ok());
        assert!(EndpointUrl::parse("http://example.com/hooks", Mode::Live).is_err());
        for bad in ["ftp://x", "example.com", "https://user:pw@example.com", "https:///path", "https://a b.com"] {
            assert!(EndpointUrl::parse(bad, Mode::Test).is_err(), "{bad}");
        }
    }

    #[test]
    fn schedule() {
        let s = RetrySchedule::standard();
        assert_eq!(s.attempts(), 10);
        assert_eq!(s.wait_after(0), Some(Duration::ZERO));
        assert_eq!(s.wait_after(1), Some(Duration::from_secs(5)));
        assert_eq!(s.wait_after(10), None);
        let total: Duration = (0..10).filter_map(|i| s.wait_after(i)).sum();
        assert!(total > Duration::from_secs(3 * 86400) && total < Duration::from_secs(4 * 86400));
    }

    #[test]
    fn the_delivery_policy() {
        let s = RetrySchedule::new([0, 5, 60].map(Duration::from_secs).to_vec());
        let answer = |status: Option<u16>, retry_after: Option<u64>| AttemptAnswer {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        };
        let table = [
            (1, answer(Some(200), None), 1.0, NextStep::Delivered),
            (1, answer(Some(204), Some(100)), 1.0, NextStep::Delivered),
            (1, answer(Some(410), None), 1.0, NextStep::Gone),
            (3, answer(Some(410), None), 1.0, NextStep::Gone),
            (1, answer(Some(500), None), 1.0, NextStep::Retry(Duration::from_secs(5))),
            (1, answer(None, None), 1.1, NextStep::Retry(Duration::from_millis(5500))),
            (1, answer(None, None), 5.0, NextStep::Retry(Duration::from_millis(5500))),
            (2, answer(Some(404), None), 0.9, NextStep::Retry(Duration::from_secs(54))),
            // Retry-After is a floor, only on 429 and 503.
            (1, answer(Some(429), Some(30)), 1.0, NextStep::Retry(Duration::from_secs(30))),
            (1, answer(Some(503), Some(2)), 1.0, NextStep::Retry(Duration::from_secs(5))),
            (1, answer(Some(500), Some(30)), 1.0, NextStep::Retry(Duration::from_secs(5))),
            (3, answer(Some(500), None), 1.0, NextStep::Exhausted),
            (3, answer(None, None), 1.0, NextStep::Exhausted),
        ];
        for (done, answer, jitter, expected) in table {
            assert_eq!(s.next_step(done, answer, jitter), expected, "after {done} attempts, {answer:?}");
        }
    }

    #[test]
    fn endpoint_transitions() {
        let t = |s: i64| Timestamp(s * 1_000_000);
        let mut e = WebhookEndpoint {
            face_notes: Default::default(),
            id: crate::WebhookEndpointId::generate(),
            merchant_id: crate::MerchantId::generate(),
            mode: Mode::Test,
            url: EndpointUrl::from_trusted("http://localhost/hook".into()),
            description: None,
            enabled_events: EnabledEvents::All,
            metadata: crate::Metadata::default(),
            status: EndpointStatus::Enabled,
            disabled_reason: None,
            secret: "whsec_a".into(),
            previous_secret: None,
            dialect: Dialect::native(),
            bound_to: None,
            created_at: t(0),
            updated_at: t(0),
        };
        assert!(e.disable("410", t(1)));
        assert!(!e.disable("later", t(2)), "disabling twice is a no-op");
        assert_eq!(
            (e.status, e.disabled_reason.as_deref(), e.updated_at),
            (EndpointStatus::Disabled, Some("410"), t(1))
        );
        e.enable(t(3));
        assert_eq!((e.status, e.disabled_reason.as_deref()), (EndpointStatus::Enabled, None));
        e.rotate_secret("whsec_b".into(), Duration::from_secs(10), t(4));
        assert_eq!(e.signing_secrets(t(5)), ["whsec_b", "whsec_a"]);
        assert_eq!(e.signing_secrets(t(14)), ["whsec_b"]);
        e.rotate_secret("whsec_c".into(), Duration::ZERO, t(20));
        assert_eq!((e.signing_secrets(t(20)), e.previous_secret.is_none()), (vec!["whsec_c"], true));
    }

    #[test]
    fn public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public_address(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public_address(public.parse().unwrap()), "{public}");
        }
    }
}
