//! POSTs an event to an endpoint and reports what happened.
//!
//! Live-mode deliveries go through a client whose DNS resolver drops every non-public address
//! (see `kassa_domain::webhook::is_public_address`) unless the host is on the operator's
//! allowlist: a name that resolves, or later rebinds, to 127.0.0.1 or 10.x is never connected
//! to. Redirects are not followed, so a public endpoint cannot bounce the request inward.

use kassa_domain::Mode;
use kassa_domain::webhook::is_public_address;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much of the endpoint's answer is kept for the delivery log.
pub const BODY_PREFIX: usize = 1024;

/// The result of one POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The endpoint's status, if it answered.
    pub status: Option<u16>,
    /// `Retry-After` in seconds, on a 429 or 503.
    pub retry_after: Option<Duration>,
    /// The first bytes of its answer.
    pub body: Option<String>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// From sending to the end of the answer.
    pub latency: Duration,
}

impl Sent {
    /// A 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The two HTTP clients (test and live mode) and the live-mode rules.
pub struct Sender {
    test: reqwest::Client,
    live: reqwest::Client,
    allowed_hosts: Arc<Vec<String>>,
}

struct PublicOnly {
    allowed_hosts: Arc<Vec<String>>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(name.as_str()));
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> = found.into_iter().filter(|a| allowed || is_public_address(a.ip())).collect();
            if usable.is_empty() {
                return Err(format!("{host} resolves only to non-public addresses").into());
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

impl Sender {
    /// Clients with `timeout` per delivery.
    pub fn new(timeout: Duration, allowed_hosts: Vec<String>) -> Sender {
        let allowed_hosts = Arc::new(allowed_hosts);
        let base = || {
            reqwest::Client::builder()
                .timeout(timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Kassa-Webhooks/", env!("CARGO_PKG_VERSION")))
        };
        let build = |b: reqwest::ClientBuilder| b.build().unwrap_or_else(|_| reqwest::Client::new());
        Sender {
            test: build(base()),
            live: build(base().dns_resolver(Arc::new(PublicOnly { allowed_hosts: allowed_hosts.clone() }))),
            allowed_hosts,
        }
    }

    /// Why a live-mode URL may not be used, if it may not: not https, or a literal non-public
    /// address. (Names are checked when they are resolved.)
    pub fn live_url_refusal(&self, url: &str) -> Option<String> {
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return Some(format!("not a URL: {e}")),
        };
        if parsed.scheme() != "https" {
            return Some("live-mode endpoints must use https".into());
        }
        let host = parsed.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        if self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return None;
        }
        match host.parse::<IpAddr>() {
            Ok(ip) if !is_public_address(ip) => Some(format!("{ip} is not a public address")),
            _ => None,
        }
    }

    /// Whether a live-mode URL's host resolves to at least one public address (or is allowed).
    pub async fn live_host_refusal(&self, url: &str) -> Option<String> {
        if let Some(refusal) = self.live_url_refusal(url) {
            return Some(refusal);
        }
        let parsed = reqwest::Url::parse(url).ok()?;
        let host = parsed.host_str()?.to_owned();
        if self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) || host.parse::<IpAddr>().is_ok() {
            return None;
        }
        match tokio::net::lookup_host((host.as_str(), 443)).await {
            Ok(addrs) => {
                let addrs: Vec<_> = addrs.collect();
                (!addrs.iter().any(|a| is_public_address(a.ip())))
                    .then(|| format!("{host} resolves only to non-public addresses"))
            }
            Err(e) => Some(format!("{host} does not resolve: {e}")),
        }
    }

    /// POSTs `body` to `url` with `headers`.
    pub async fn post(&self, mode: Mode, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Sent {
        let started = Instant::now();
        let failed = |error: String| Sent {
            status: None,
            retry_after: None,
            body: None,
            error: Some(error),
            latency: started.elapsed(),
        };
        let client = match mode {
            Mode::Test => &self.test,
            Mode::Live => {
                if let Some(refusal) = self.live_url_refusal(url) {
                    return failed(format!("blocked: {refusal}"));
                }
                &self.live
            }
        };
        let mut request = client.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return failed("timed out waiting for the endpoint".into()),
            Err(e) => return failed(describe(&e)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let mut prefix = Vec::new();
        let mut error = None;
        while prefix.len() < BODY_PREFIX {
            match response.chunk().await {
                Ok(Some(chunk)) => prefix.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => {
                    error = Some(format!("reading the answer: {}", describe(&e)));
                    break;
                }
            }
        }
        prefix.truncate(BODY_PREFIX);
        Sent {
            status: Some(status),
            retry_after,
            body: Some(String::from_utf8_lossy(&prefix).into_owned()),
            error,
            latency: started.elapsed(),
        }
    }
}

/// A transport error with its causes, e.g. "error sending request: … resolves only to …".
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
