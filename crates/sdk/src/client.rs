//! The client and its configuration.

use crate::error::Error;
use crate::request::Request;
use crate::resources::{
    Captures, CheckoutSessions, Connectors, Coupons, Customers, Events, PaymentIntents, Prices, Products,
    PromotionCodes, Refunds, TestHelpers, Tokens, WebhookEndpoints,
};
use crate::retry::Backoff;
use reqwest::Method;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Where the gateway is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// A gateway started locally with `cargo run --release`: `http://127.0.0.1:4242`.
    Local,
    /// Any base URL, e.g. `https://pay.example.com`.
    Custom(String),
}

impl Environment {
    fn base_url(&self) -> &str {
        match self {
            Environment::Local => "http://127.0.0.1:4242",
            Environment::Custom(url) => url,
        }
    }
}

/// Configures a [`Client`]. Made by [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    api_key: String,
    base_url: String,
    timeout: Duration,
    max_retries: u32,
    user_agent_suffix: Option<String>,
    backoff: Backoff,
}

/// A Kassa API client. Cheap to clone; clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), kassa::Error> {
/// use kassa::{Client, CreatePaymentIntent, Currency};
/// use std::time::Duration;
///
/// let kassa = Client::builder("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
///     .base_url("http://127.0.0.1:4242")
///     .timeout(Duration::from_secs(10))
///     .max_retries(3)
///     .build()?;
/// let pi = kassa.payment_intents().create(&CreatePaymentIntent::new(2599, Currency::USD)).await?;
/// println!("{} is {}", pi.id, pi.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub base_url: String,
    pub api_key: String,
    pub timeout: Duration,
    pub max_retries: u32,
    pub backoff: Backoff,
}

impl fmt::Debug for Client {
    // Never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("timeout", &self.inner.timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// Checks the shape of a key: `sk_test_…`, `sk_live_…`, `pk_test_…` or `pk_live_…`.
fn check_api_key(key: &str) -> Result<(), Error> {
    let mut parts = key.splitn(3, '_');
    let (kind, mode, rest) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let ok = matches!(kind, Some("sk" | "pk"))
        && matches!(mode, Some("test" | "live"))
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        return Ok(());
    }
    let shown: String = key.chars().take(8).collect();
    Err(Error::Config(format!(
        "the API key must look like sk_test_… or sk_live_… (letters and digits after the prefix); got `{shown}…`"
    )))
}

impl ClientBuilder {
    fn new(api_key: String) -> ClientBuilder {
        ClientBuilder {
            api_key,
            base_url: Environment::Local.base_url().to_owned(),
            timeout: Duration::from_secs(30),
            max_retries: 2,
            user_agent_suffix: None,
            backoff: Backoff::default(),
        }
    }

    /// The gateway's base URL (default `http://127.0.0.1:4242`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The gateway's base URL from an [`Environment`].
    pub fn environment(mut self, environment: Environment) -> Self {
        self.base_url = environment.base_url().to_owned();
        self
    }

    /// How long one attempt may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after a network error, a timeout, a 409 in-flight idempotency conflict, a 429
    /// or a 5xx (default 2). Every retry of a POST reuses its idempotency key.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Appended to the `User-Agent` (e.g. `my-plugin/1.2`), so the gateway's logs show who calls.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The first retry waits up to `base`, doubling per retry up to `cap` (full jitter).
    /// Defaults: 250 ms and 8 s.
    pub fn retry_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff = Backoff { base, cap };
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        check_api_key(&self.api_key)?;
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("the base URL `{}` is not a URL: {e}", self.base_url)))?;
        match url.scheme() {
            "http" => {}
            "https" if cfg!(any(feature = "rustls", feature = "rustls-aws-lc")) => {}
            "https" => return Err(Error::Config("https needs the `rustls` feature of the kassa crate".into())),
            other => return Err(Error::Config(format!("the base URL must be http or https, not {other}"))),
        }
        let user_agent = match &self.user_agent_suffix {
            Some(s) => format!("kassa-rust/{} {s}", env!("CARGO_PKG_VERSION")),
            None => format!("kassa-rust/{}", env!("CARGO_PKG_VERSION")),
        };
        #[cfg(feature = "rustls")]
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Another thread may install one first; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .build()
            .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                api_key: self.api_key,
                timeout: self.timeout,
                max_retries: self.max_retries,
                backoff: self.backoff,
            }),
        })
    }
}

impl Client {
    /// A builder for a client using `api_key` (`sk_test_…`).
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(api_key.into())
    }

    /// A client from `KASSA_API_KEY` and, if set, `KASSA_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        Client::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Client, Error> {
        let key = lookup("KASSA_API_KEY")
            .ok_or_else(|| Error::Config("KASSA_API_KEY is not set; give it a secret key such as sk_test_…".into()))?;
        let mut builder = Client::builder(key);
        if let Some(url) = lookup("KASSA_BASE_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The gateway's base URL.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Payment intents: create, confirm, capture, cancel, list …
    pub fn payment_intents(&self) -> PaymentIntents<'_> {
        PaymentIntents { client: self }
    }

    /// Captures (each one a record).
    pub fn captures(&self) -> Captures<'_> {
        Captures { client: self }
    }

    /// Refunds.
    pub fn refunds(&self) -> Refunds<'_> {
        Refunds { client: self }
    }

    /// Events.
    pub fn events(&self) -> Events<'_> {
        Events { client: self }
    }

    /// Checkout sessions (the hosted page).
    pub fn checkout_sessions(&self) -> CheckoutSessions<'_> {
        CheckoutSessions { client: self }
    }

    /// Tokens: customers' saved cards, charged without them present.
    pub fn tokens(&self) -> Tokens<'_> {
        Tokens { client: self }
    }

    /// Coupons.
    pub fn coupons(&self) -> Coupons<'_> {
        Coupons { client: self }
    }

    /// Promotion codes.
    pub fn promotion_codes(&self) -> PromotionCodes<'_> {
        PromotionCodes { client: self }
    }

    /// Products: what you sell.
    pub fn products(&self) -> Products<'_> {
        Products { client: self }
    }

    /// Prices: how much your products cost.
    pub fn prices(&self) -> Prices<'_> {
        Prices { client: self }
    }

    /// Customers: the people your payments are for.
    pub fn customers(&self) -> Customers<'_> {
        Customers { client: self }
    }

    /// Connectors: the merchant's accounts at payment providers.
    pub fn connectors(&self) -> Connectors<'_> {
        Connectors { client: self }
    }

    /// Webhook endpoints and their delivery log.
    pub fn webhook_endpoints(&self) -> WebhookEndpoints<'_> {
        WebhookEndpoints { client: self }
    }

    /// Test-mode helpers.
    pub fn test_helpers(&self) -> TestHelpers<'_> {
        TestHelpers { client: self }
    }

    /// `GET /health`: whether the gateway answers.
    pub fn health(&self) -> Request<'_, serde_json::Value> {
        self.request(Method::GET, "/health".into())
    }

    /// `GET /ready`: whether the gateway's database answers.
    pub fn ready(&self) -> Request<'_, serde_json::Value> {
        self.request(Method::GET, "/ready".into())
    }

    /// `GET /v1/openapi.json`: the gateway's OpenAPI document.
    pub fn openapi(&self) -> Request<'_, serde_json::Value> {
        self.request(Method::GET, "/v1/openapi.json".into())
    }

    pub(crate) fn request<T>(&self, method: Method, path: String) -> Request<'_, T> {
        Request::new(self, method, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default build speaks HTTPS with the ring provider, installing it when the program
    /// has none: a client for an https gateway builds, and a request fails as a network error
    /// (nothing listens), not with rustls' "no crypto provider" panic.
    #[cfg(feature = "rustls")]
    #[tokio::test]
    async fn https_works_without_the_program_installing_a_crypto_provider() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client = Client::builder("sk_test_abc")
            .base_url(format!("https://127.0.0.1:{port}"))
            .max_retries(0)
            .build()
            .unwrap();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        let failed = client.payment_intents().retrieve("pi_x").await.unwrap_err();
        assert!(matches!(failed, Error::Network { .. }), "{failed:?}");
    }

    #[test]
    fn key_shapes() {
        for good in ["sk_test_abc123", "sk_live_X9", "pk_test_Z"] {
            assert!(check_api_key(good).is_ok(), "{good}");
        }
        for bad in ["", "sk_test_", "sk_prod_abc", "rk_test_abc", "sk_test_ab-c", "Bearer sk_test_abc"] {
            assert!(check_api_key(bad).is_err(), "{bad}");
        }
        let shown = check_api_key("sk_secret_value_that_must_not_leak").unwrap_err().to_string();
        assert!(!shown.contains("must_not_leak"), "{shown}");
    }

    #[test]
    fn from_env_reads_the_key_and_the_base_url() {
        let vars = |key: Option<&'static str>, url: Option<&'static str>| {
            move |name: &str| match name {
                "KASSA_API_KEY" => key.map(str::to_owned),
                "KASSA_BASE_URL" => url.map(str::to_owned),
                _ => None,
            }
        };
        let client = Client::from_lookup(vars(Some("sk_test_abc"), Some("http://10.0.0.1:9000/"))).unwrap();
        assert_eq!(client.base_url(), "http://10.0.0.1:9000");
        assert_eq!(Client::from_lookup(vars(Some("sk_test_abc"), None)).unwrap().base_url(), "http://127.0.0.1:4242");
        let missing = Client::from_lookup(vars(None, None)).unwrap_err();
        assert!(matches!(missing, Error::Config(ref m) if m.contains("KASSA_API_KEY")), "{missing}");
        assert!(Client::from_lookup(vars(Some("nope"), None)).is_err());
    }
}
