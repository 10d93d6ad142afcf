//! The client: configuration, the three calls, and a request path that honours its timeout and
//! retries only what is safe to retry.

use crate::checkout::{CheckoutDetails, CheckoutSession, RedirectCheckout};
use crate::error::ProBuyError;
use crate::order::CheckoutOrder;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// Which ProBuy to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://sandboxapi.probuy.dev`, portal `https://sandboxcompany.probuy.dev`.
    Sandbox,
    /// `https://api.probuy.dev`, portal `https://company.probuy.dev`.
    Production,
    /// Any other host (a gateway that speaks ProBuy, such as Kassa's `/probuy`): the API's base
    /// URL and the portal's, without a trailing slash.
    Custom {
        /// Base of `/api/checkouts/…`.
        api: String,
        /// Base of `/checkout/<id>`, the customer's page.
        portal: String,
    },
}

impl Environment {
    fn urls(&self) -> (String, String) {
        match self {
            Environment::Sandbox => {
                ("https://sandboxapi.probuy.dev".into(), "https://sandboxcompany.probuy.dev".into())
            }
            Environment::Production => ("https://api.probuy.dev".into(), "https://company.probuy.dev".into()),
            Environment::Custom { api, portal } => {
                (api.trim_end_matches('/').to_owned(), portal.trim_end_matches('/').to_owned())
            }
        }
    }
}

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The merchant's API token (sent as `Authorization: Bearer`).
    pub api_token: String,
    /// Where to.
    pub environment: Environment,
    /// Longest a call waits for an answer (30 s by default).
    pub timeout: Duration,
    /// Further attempts after a failure that is safe to retry (2 by default; see
    /// [`ProBuy`]).
    pub retry_count: u32,
    /// Log each request and answer at `info` (tracing) instead of `debug`; never the token.
    pub debug: bool,
}

impl Config {
    /// The defaults for `api_token` in `environment`.
    pub fn new(api_token: impl Into<String>, environment: Environment) -> Config {
        Config {
            api_token: api_token.into(),
            environment,
            timeout: Duration::from_secs(30),
            retry_count: 2,
            debug: false,
        }
    }
}

/// A ProBuy client. Cheap to clone.
///
/// Retries (up to `retry_count`, with a growing pause) never risk a second checkout: a read is
/// retried after a network error, a timeout, a 429 or a 5xx; a create only when the
/// connection could not be made (nothing was sent), or ProBuy answered 429 or 503 (it did not
/// take the request). ProBuy has no idempotency keys, so a create whose answer was lost is
/// reported, not repeated.
#[derive(Debug, Clone)]
pub struct ProBuy {
    http: reqwest::Client,
    config: Config,
    api: String,
    portal: String,
}

/// Pauses between attempts: from 200 ms, doubling, jittered, at most 5 s (or what ProBuy asks).
const BACKOFF: kassa_backoff::Backoff =
    kassa_backoff::Backoff { base: Duration::from_millis(200), cap: Duration::from_secs(5) };

/// Whether a call may be repeated after a failure.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Safety {
    /// A read: repeat on any failure that may pass.
    Read,
    /// A create: repeat only when the server surely did nothing.
    Create,
}

impl ProBuy {
    /// A client for `config`; refuses an empty token or a custom URL that is not http(s).
    pub fn new(config: Config) -> Result<ProBuy, ProBuyError> {
        if config.api_token.trim().is_empty() {
            return Err(ProBuyError::Authentication {
                status: 401,
                message: "API token is required and must be a non-empty string".into(),
            });
        }
        let (api, portal) = config.environment.urls();
        for url in [&api, &portal] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(validation("environment", "a custom URL starts with http:// or https://"));
            }
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| ProBuyError::Unexpected(format!("cannot build the HTTP client: {e}")))?;
        Ok(ProBuy { http, config, api, portal })
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        &self.api
    }

    /// Where the customer pays for checkout `checkout_id`, on the portal.
    pub fn checkout_url(&self, checkout_id: &str) -> String {
        format!("{}/checkout/{checkout_id}", self.portal)
    }

    /// `POST /api/checkouts/session`: a checkout for `order`.
    pub async fn create_checkout_session(&self, order: &CheckoutOrder) -> Result<CheckoutSession, ProBuyError> {
        let problems = order.problems();
        if !problems.is_empty() {
            let details = problems.into_iter().map(|(f, why)| (f.to_owned(), why.to_owned())).collect();
            return Err(ProBuyError::Validation { message: "Invalid order data".into(), details });
        }
        let body = serde_json::to_vec(order).map_err(|e| ProBuyError::Unexpected(e.to_string()))?;
        let session: CheckoutSession =
            self.call(Method::POST, "/api/checkouts/session", Some(body), Safety::Create).await?;
        if session.checkout_id.is_empty() || !session.checkout_id.bytes().all(url_safe) {
            return Err(ProBuyError::Unexpected(format!("checkout id `{}` is not URL-safe", session.checkout_id)));
        }
        Ok(session)
    }

    /// A checkout for `order`, with the portal URL to send the customer to.
    pub async fn create_checkout_with_redirect_url(
        &self,
        order: &CheckoutOrder,
    ) -> Result<RedirectCheckout, ProBuyError> {
        let session = self.create_checkout_session(order).await?;
        let redirect_url = self.checkout_url(&session.checkout_id);
        Ok(RedirectCheckout { session, redirect_url })
    }

    /// `GET /api/checkouts/{checkout_id}`.
    pub async fn get_checkout_details(&self, checkout_id: &str) -> Result<CheckoutDetails, ProBuyError> {
        if checkout_id.is_empty() || !checkout_id.bytes().all(url_safe) {
            return Err(validation("checkout_id", "a checkout id is letters, digits, `-` and `_`"));
        }
        self.call(Method::GET, &format!("/api/checkouts/{checkout_id}"), None, Safety::Read).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        safety: Safety,
    ) -> Result<T, ProBuyError> {
        let url = format!("{}{path}", self.api);
        let mut attempt = 0;
        loop {
            let started = Instant::now();
            let (result, retry_after) = self.once(method.clone(), &url, body.clone()).await;
            let retry = attempt < self.config.retry_count && retryable(&result, safety);
            self.log(&method, &url, attempt, started.elapsed(), &result);
            if !retry {
                let (status, text) = result?;
                // From the text, not through a `Value`: amounts keep their digits.
                return serde_json::from_str(&text)
                    .map_err(|e| ProBuyError::Unexpected(format!("{method} {path} answered {status} with {e}")));
            }
            attempt += 1;
            tokio::time::sleep(BACKOFF.delay(attempt, retry_after)).await;
        }
    }

    /// One attempt: a 2xx's body, or the error its answer (or its absence) means; and the
    /// answer's `Retry-After`.
    async fn once(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> (Result<(StatusCode, String), ProBuyError>, Option<Duration>) {
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(&self.config.api_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return (Err(self.transport(e)), None),
        };
        let status = response.status();
        let retry_after = kassa_backoff::retry_after(
            response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()),
        );
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => return (Err(self.transport(e)), retry_after),
        };
        if status.is_success() {
            return (Ok((status, text)), retry_after);
        }
        let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (Err(ProBuyError::from_answer(status.as_u16(), value)), retry_after)
    }

    fn transport(&self, e: reqwest::Error) -> ProBuyError {
        if e.is_timeout() { ProBuyError::Timeout(self.config.timeout) } else { ProBuyError::Network(e) }
    }

    fn log(
        &self,
        method: &Method,
        url: &str,
        attempt: u32,
        took: Duration,
        result: &Result<(StatusCode, String), ProBuyError>,
    ) {
        let outcome = match result {
            Ok((status, _)) => status.as_u16().to_string(),
            Err(e) => e.to_string(),
        };
        let took_ms = took.as_millis() as u64;
        if self.config.debug {
            tracing::info!(%method, url, attempt, took_ms, outcome, "probuy request");
        } else {
            tracing::debug!(%method, url, attempt, took_ms, outcome, "probuy request");
        }
    }
}

fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn validation(field: &str, why: &str) -> ProBuyError {
    ProBuyError::Validation { message: format!("{field} {why}"), details: [(field.to_owned(), why.to_owned())].into() }
}

/// Whether a failed attempt may be repeated without risking a second checkout.
fn retryable<T>(result: &Result<T, ProBuyError>, safety: Safety) -> bool {
    match (result, safety) {
        (Ok(_), _) => false,
        (Err(ProBuyError::Api { status: 429 | 503, .. }), _) => true,
        (Err(ProBuyError::Network(e)), Safety::Create) => e.is_connect(),
        (Err(ProBuyError::Network(_) | ProBuyError::Timeout(_)), Safety::Read) => true,
        (Err(ProBuyError::Api { status, .. }), Safety::Read) => *status >= 500,
        _ => false,
    }
}
