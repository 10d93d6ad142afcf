//! The client: configuration, access tokens cached until shortly before they expire, and one
//! request path with the `Vipps-System-*` headers, an idempotency key per logical call reused
//! on its retries, and retries only where a retry can help.

use crate::error::{Problem, VippsError};
use crate::types::*;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

/// Vipps' test environment.
pub const TEST_URL: &str = "https://apitest.vipps.no";
/// Vipps' production environment.
pub const PRODUCTION_URL: &str = "https://api.vipps.no";

/// A token is fetched anew this long before it expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// Who you are to Vipps, and how the client behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// `Ocp-Apim-Subscription-Key`.
    pub subscription_key: String,
    /// `Merchant-Serial-Number`.
    pub merchant_serial_number: String,
    /// Where the API is: [`TEST_URL`], [`PRODUCTION_URL`], or any host (a path prefix and any
    /// port work, unlike the Node SDK's override).
    pub base_url: String,
    /// `Vipps-System-Name`, `-Version`, `-Plugin-Name`, `-Plugin-Version`.
    pub system: System,
    /// Longest one attempt waits (10 s by default).
    pub timeout: Duration,
    /// Further attempts after a network error, a 5xx or a 429 (3 by default; never after
    /// another 4xx, which a retry cannot fix).
    pub retries: u32,
    /// The first pause between attempts; it doubles, with jitter (500 ms by default).
    pub backoff: Duration,
}

/// What you tell Vipps about your system (empty strings when unset, as the Node SDK sends).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct System {
    /// Your system's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The plugin's name.
    pub plugin_name: String,
    /// The plugin's version.
    pub plugin_version: String,
}

impl Config {
    /// The defaults for a merchant sales unit's credentials, against `base_url`.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        subscription_key: impl Into<String>,
        merchant_serial_number: impl Into<String>,
        base_url: impl Into<String>,
    ) -> Config {
        Config {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            subscription_key: subscription_key.into(),
            merchant_serial_number: merchant_serial_number.into(),
            base_url: base_url.into(),
            system: System::default(),
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    value: String,
    /// Seconds since the epoch.
    expires_on: u64,
}

/// A Vipps client (ePayment, Checkout and their access token). Cheap to clone; clones share
/// the token.
#[derive(Debug, Clone)]
pub struct Vipps {
    inner: std::sync::Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    config: Config,
    base: String,
    token: Mutex<Option<Token>>,
}

/// How a call authenticates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// Checkout: the credentials themselves in headers.
    KeyPair,
    /// ePayment: a bearer token.
    Token,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

impl Vipps {
    /// A client for `config`.
    pub fn new(config: Config) -> Result<Vipps, VippsError> {
        for (name, value) in [
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
            ("subscription_key", &config.subscription_key),
            ("merchant_serial_number", &config.merchant_serial_number),
        ] {
            if value.trim().is_empty() {
                return Err(VippsError::Config(format!("{name} is empty")));
            }
        }
        let base = config.base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(VippsError::Config(format!("base_url `{base}` is not an http(s) URL")));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("vipps-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| VippsError::Config(e.to_string()))?;
        Ok(Vipps { inner: std::sync::Arc::new(Inner { http, config, base, token: Mutex::new(None) }) })
    }

    /// Checkout v3.
    pub fn checkout(&self) -> Checkout<'_> {
        Checkout(self)
    }

    /// The Webhooks API.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks(self)
    }

    /// ePayment v1.
    pub fn epayment(&self) -> EPayment<'_> {
        EPayment(self)
    }

    /// An access token: the cached one, or a new one once it is within three minutes of expiry.
    pub async fn access_token(&self) -> Result<String, VippsError> {
        let mut cached = self.inner.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.expires_on > now_secs() + REFRESH_MARGIN.as_secs()) {
            return Ok(token.value.clone());
        }
        let c = &self.inner.config;
        let mut headers = HeaderMap::new();
        insert(&mut headers, "client_id", &c.client_id)?;
        insert(&mut headers, "client_secret", &c.client_secret)?;
        insert(&mut headers, "ocp-apim-subscription-key", &c.subscription_key)?;
        let answer: serde_json::Value = self.send(Method::POST, "/accesstoken/get", headers, None).await?;
        let value = answer["access_token"]
            .as_str()
            .ok_or_else(|| VippsError::Unexpected("a token answer without access_token".into()))?
            .to_owned();
        // Strings in Vipps' spec, numbers in practice: both are read.
        let number = |v: &serde_json::Value| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
        let expires_on = number(&answer["expires_on"])
            .or_else(|| number(&answer["expires_in"]).map(|s| now_secs() + s))
            .unwrap_or_else(now_secs);
        *cached = Some(Token { value: value.clone(), expires_on });
        Ok(value)
    }

    async fn forget_token(&self) {
        *self.inner.token.lock().await = None;
    }

    /// A call: its headers, an idempotency key for mutations (the same on every attempt), and
    /// a fresh token once if the cached one is refused.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        auth: Auth,
        idempotency_key: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<T, VippsError> {
        let body =
            body.map(|b| serde_json::to_vec(b)).transpose().map_err(|e| VippsError::Unexpected(e.to_string()))?;
        let mut refreshed = false;
        loop {
            let c = &self.inner.config;
            let mut headers = HeaderMap::new();
            insert(&mut headers, "ocp-apim-subscription-key", &c.subscription_key)?;
            insert(&mut headers, "merchant-serial-number", &c.merchant_serial_number)?;
            insert(&mut headers, "vipps-system-name", &c.system.name)?;
            insert(&mut headers, "vipps-system-version", &c.system.version)?;
            insert(&mut headers, "vipps-system-plugin-name", &c.system.plugin_name)?;
            insert(&mut headers, "vipps-system-plugin-version", &c.system.plugin_version)?;
            match auth {
                Auth::KeyPair => {
                    insert(&mut headers, "client_id", &c.client_id)?;
                    insert(&mut headers, "client_secret", &c.client_secret)?;
                }
                Auth::Token => {
                    insert(&mut headers, "authorization", &format!("Bearer {}", self.access_token().await?))?;
                }
            }
            if let Some(key) = idempotency_key {
                insert(&mut headers, "idempotency-key", key)?;
            }
            match self.send(method.clone(), path, headers, body.clone()).await {
                // A token revoked or expired early: one new token, then the same request.
                Err(VippsError::Problem { status: 401, .. }) if auth == Auth::Token && !refreshed => {
                    refreshed = true;
                    self.forget_token().await;
                }
                other => return other,
            }
        }
    }

    /// Sends with retries (network errors, timeouts, 5xx, 429; backoff with jitter) and reads
    /// the answer: JSON, or `null` for an empty 2xx.
    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Result<T, VippsError> {
        let c = &self.inner.config;
        let url = format!("{}{path}", self.inner.base);
        let mut attempt = 0;
        loop {
            let mut request = self.inner.http.request(method.clone(), &url).headers(headers.clone());
            if let Some(body) = &body {
                request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.clone());
            }
            let mut retry_after = None;
            let outcome = match request.send().await {
                Ok(response) => {
                    retry_after = kassa_backoff::retry_after(
                        response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()),
                    );
                    read(response).await
                }
                Err(e) if e.is_timeout() => Err(VippsError::Timeout(c.timeout)),
                Err(e) => Err(VippsError::Network(e)),
            };
            let retry = match &outcome {
                Err(VippsError::Network(_) | VippsError::Timeout(_)) => true,
                Err(VippsError::Problem { status, .. }) => *status == 429 || *status >= 500,
                _ => false,
            };
            tracing::debug!(%method, path, attempt, ok = outcome.is_ok(), "vipps request");
            if !retry || attempt >= c.retries {
                let text = outcome?;
                let text = if text.trim().is_empty() { "null".to_owned() } else { text };
                return serde_json::from_str(&text)
                    .map_err(|e| VippsError::Unexpected(format!("{method} {path}: {e}: {text}")));
            }
            attempt += 1;
            let backoff = kassa_backoff::Backoff::new(c.backoff, Duration::from_secs(30));
            tokio::time::sleep(backoff.delay(attempt, retry_after)).await;
        }
    }
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) -> Result<(), VippsError> {
    let value = HeaderValue::from_str(value).map_err(|_| VippsError::Config(format!("{name} cannot be a header")))?;
    headers.insert(HeaderName::from_static(name), value);
    Ok(())
}

async fn read(response: reqwest::Response) -> Result<String, VippsError> {
    let status = response.status();
    let text = response.text().await.map_err(VippsError::Network)?;
    if status.is_success() {
        return Ok(text);
    }
    let problem = serde_json::from_str::<Problem>(&text).unwrap_or(Problem {
        detail: (!text.is_empty()).then(|| text.clone()),
        title: status.canonical_reason().map(str::to_owned),
        ..Problem::default()
    });
    Err(VippsError::Problem { status: status.as_u16(), problem: Box::new(problem) })
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn segment(reference: &str) -> Result<&str, VippsError> {
    // References are 8 to 50 letters, digits and dashes: nothing to escape in a path.
    let ok = !reference.is_empty() && reference.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    ok.then_some(reference).ok_or_else(|| VippsError::Config(format!("`{reference}` is not a Vipps reference")))
}

/// Checkout v3: sessions the customer pays on Vipps' (or the gateway's) page.
pub struct Checkout<'a>(&'a Vipps);

impl Checkout<'_> {
    /// `POST /checkout/v3/session`.
    pub async fn create_session(
        &self,
        request: &InitiateSessionRequest,
    ) -> Result<InitiateSessionResponse, VippsError> {
        self.0.call(Method::POST, "/checkout/v3/session", Auth::KeyPair, None, Some(request)).await
    }

    /// `GET /checkout/v3/session/{reference}`.
    pub async fn get_session(&self, reference: &str) -> Result<Session, VippsError> {
        let path = format!("/checkout/v3/session/{}", segment(reference)?);
        self.0.call(Method::GET, &path, Auth::KeyPair, None, None::<&()>).await
    }
}

/// The Webhooks API: where Vipps sends events about your payments.
pub struct Webhooks<'a>(&'a Vipps);

/// A registered webhook: its id, and the secret its requests are signed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RegisteredWebhook {
    /// Vipps' id of it.
    pub id: String,
    /// The HMAC secret ([`crate::verify_webhook`]).
    pub secret: String,
}

impl Webhooks<'_> {
    /// `POST /webhooks/v1/webhooks` `{url, events}`.
    pub async fn register(&self, url: &str, events: &[&str]) -> Result<RegisteredWebhook, VippsError> {
        let body = serde_json::json!({ "url": url, "events": events });
        self.0.call(Method::POST, "/webhooks/v1/webhooks", Auth::Token, Some(&key()), Some(&body)).await
    }

    /// `DELETE /webhooks/v1/webhooks/{id}`.
    pub async fn delete(&self, id: &str) -> Result<(), VippsError> {
        // Webhook ids are Vipps' (UUIDs), or a gateway's (`we_…`): nothing to escape either way.
        let ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let id = ok.then_some(id).ok_or_else(|| VippsError::Config(format!("`{id}` is not a webhook id")))?;
        let path = format!("/webhooks/v1/webhooks/{id}");
        let _: serde_json::Value = self.0.call(Method::DELETE, &path, Auth::Token, None, None::<&()>).await?;
        Ok(())
    }
}

/// ePayment v1: payments addressed by your reference.
pub struct EPayment<'a>(&'a Vipps);

/// The body of a capture or refund.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModificationRequest {
    modification_amount: Money,
}

impl EPayment<'_> {
    /// `POST /epayment/v1/payments`, with a new idempotency key (reused on retries).
    pub async fn create_payment(&self, request: &CreatePaymentRequest) -> Result<CreatePaymentResponse, VippsError> {
        self.create_payment_with_key(request, &key()).await
    }

    /// Like [`EPayment::create_payment`], with your own idempotency key (to retry a call
    /// across restarts of your program).
    pub async fn create_payment_with_key(
        &self,
        request: &CreatePaymentRequest,
        idempotency_key: &str,
    ) -> Result<CreatePaymentResponse, VippsError> {
        self.0.call(Method::POST, "/epayment/v1/payments", Auth::Token, Some(idempotency_key), Some(request)).await
    }

    /// `GET /epayment/v1/payments/{reference}`.
    pub async fn get_payment(&self, reference: &str) -> Result<Payment, VippsError> {
        let path = format!("/epayment/v1/payments/{}", segment(reference)?);
        self.0.call(Method::GET, &path, Auth::Token, None, None::<&()>).await
    }

    /// `GET /epayment/v1/payments/{reference}/events`, oldest first.
    pub async fn get_payment_event_log(&self, reference: &str) -> Result<Vec<PaymentEvent>, VippsError> {
        let path = format!("/epayment/v1/payments/{}/events", segment(reference)?);
        self.0.call(Method::GET, &path, Auth::Token, None, None::<&()>).await
    }

    /// `POST …/cancel`: releases what is not captured.
    pub async fn cancel_payment(&self, reference: &str) -> Result<Modification, VippsError> {
        self.cancel_payment_with_key(reference, &key()).await
    }

    /// Like [`EPayment::cancel_payment`], with your own idempotency key.
    pub async fn cancel_payment_with_key(
        &self,
        reference: &str,
        idempotency_key: &str,
    ) -> Result<Modification, VippsError> {
        let path = format!("/epayment/v1/payments/{}/cancel", segment(reference)?);
        self.0.call(Method::POST, &path, Auth::Token, Some(idempotency_key), None::<&()>).await
    }

    /// `POST …/capture` of `amount`.
    pub async fn capture_payment(&self, reference: &str, amount: Money) -> Result<Modification, VippsError> {
        self.capture_payment_with_key(reference, amount, &key()).await
    }

    /// Like [`EPayment::capture_payment`], with your own idempotency key.
    pub async fn capture_payment_with_key(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Modification, VippsError> {
        let path = format!("/epayment/v1/payments/{}/capture", segment(reference)?);
        let body = ModificationRequest { modification_amount: amount };
        self.0.call(Method::POST, &path, Auth::Token, Some(idempotency_key), Some(&body)).await
    }

    /// `POST …/refund` of `amount`.
    pub async fn refund_payment(&self, reference: &str, amount: Money) -> Result<Modification, VippsError> {
        self.refund_payment_with_key(reference, amount, &key()).await
    }

    /// Like [`EPayment::refund_payment`], with your own idempotency key.
    pub async fn refund_payment_with_key(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<Modification, VippsError> {
        let path = format!("/epayment/v1/payments/{}/refund", segment(reference)?);
        let body = ModificationRequest { modification_amount: amount };
        self.0.call(Method::POST, &path, Auth::Token, Some(idempotency_key), Some(&body)).await
    }

    /// `POST /epayment/v1/test/payments/{reference}/approve` (test environment only): the
    /// customer approves, with this phone number if given.
    pub async fn force_approve_payment(&self, reference: &str, customer: Option<Customer>) -> Result<(), VippsError> {
        let path = format!("/epayment/v1/test/payments/{}/approve", segment(reference)?);
        let body = customer.map(|c| serde_json::json!({ "customer": c }));
        let _: serde_json::Value = self.0.call(Method::POST, &path, Auth::Token, None, body.as_ref()).await?;
        Ok(())
    }
}
