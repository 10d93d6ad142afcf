//! The client: the raw secret key as `Authorization: Basic`, one idempotency key per logical
//! call reused on its retries (network errors, 429, 5xx), every refusal parsed whatever its
//! content type, lists as streams of pages walked with `pageToken`.

use crate::error::SmartpayError;
use crate::types::*;
use futures_core::Stream;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Smartpay's API.
pub const API_PREFIX: &str = "https://api.smartpay.co/v1";

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the API is (`https://api.smartpay.co/v1`, or a gateway's `…/smartpay/v1`).
    pub api_prefix: String,
    /// Longest one attempt waits (30 s by default).
    pub timeout: Duration,
    /// Further attempts after a network error, a 429 or a 5xx (1 by default, as the Node SDK).
    pub retries: u32,
    /// The first pause between attempts; it doubles, with jitter (200 ms by default).
    pub backoff: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            api_prefix: API_PREFIX.to_owned(),
            timeout: Duration::from_secs(30),
            retries: 1,
            backoff: Duration::from_millis(200),
        }
    }
}

/// List options: page size and whether referenced objects are inlined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Items per page (Smartpay's default 20).
    pub max_results: Option<u32>,
    /// `expand=all`.
    pub expand: bool,
}

/// A Smartpay client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Smartpay {
    http: reqwest::Client,
    secret_key: String,
    config: Config,
}

fn is_key(key: &str, prefix: &str) -> bool {
    let rest = key.strip_prefix(prefix).and_then(|r| r.strip_prefix("test_").or_else(|| r.strip_prefix("live_")));
    rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Checks an id's form (`order_test_…`) before it goes into a path.
fn id<'a>(value: &'a str, prefix: &str) -> Result<&'a str, SmartpayError> {
    if is_key(value, &format!("{prefix}_")) {
        Ok(value)
    } else {
        Err(SmartpayError::Invalid(format!("`{value}` is not a {prefix} id ({prefix}_test_… or {prefix}_live_…)")))
    }
}

fn fresh_key() -> String {
    (0..32)
        .map(|_| {
            let n = fastrand::u8(0..62);
            (match n {
                0..=9 => b'0' + n,
                10..=35 => b'a' + n - 10,
                _ => b'A' + n - 36,
            }) as char
        })
        .collect()
}

/// The address to send the customer to for `session`, with a promotion code filled in
/// (`getSessionURL`): the session's `url` with `promotion-code=<code>` added.
pub fn session_url(session: &CheckoutSession, promotion_code: Option<&str>) -> String {
    let Some(code) = promotion_code else { return session.url.clone() };
    match reqwest::Url::parse(&session.url) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("promotion-code", code);
            url.to_string()
        }
        Err(_) => session.url.clone(),
    }
}

impl Smartpay {
    /// A client with `secret_key` (`sk_test_…` or `sk_live_…`).
    pub fn new(secret_key: impl Into<String>, config: Config) -> Result<Smartpay, SmartpayError> {
        let secret_key = secret_key.into();
        if !is_key(&secret_key, "sk_") {
            return Err(SmartpayError::Invalid("the secret key looks like sk_test_… or sk_live_…".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("smartpay-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SmartpayError::Unexpected(e.to_string()))?;
        Ok(Smartpay { http, secret_key, config })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&impl Serialize>,
        idempotency_key: Option<&str>,
    ) -> Result<T, SmartpayError> {
        let body = body.map(serde_json::to_vec).transpose().map_err(|e| SmartpayError::Unexpected(e.to_string()))?;
        let key = idempotency_key.map_or_else(fresh_key, str::to_owned);
        let mut url = reqwest::Url::parse(&format!("{}{path}", self.config.api_prefix.trim_end_matches('/')))
            .map_err(|e| SmartpayError::Invalid(format!("api_prefix: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(reqwest::header::AUTHORIZATION, format!("Basic {}", self.secret_key))
                .header(reqwest::header::ACCEPT, "application/json")
                .header("Idempotency-Key", &key);
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
                Err(e) => Err(SmartpayError::Network(e)),
            };
            let retry = match &outcome {
                Err(SmartpayError::Network(_)) => true,
                Err(SmartpayError::Api { status, .. }) => *status == 429 || *status >= 500,
                _ => false,
            };
            tracing::debug!(%method, path, attempt, ok = outcome.is_ok(), "smartpay request");
            if !retry || attempt >= self.config.retries {
                let text = outcome?;
                let text = if text.is_empty() { "null" } else { &text };
                return serde_json::from_str(text).map_err(|e| SmartpayError::Unexpected(format!("{path}: {e}")));
            }
            attempt += 1;
            let backoff = kassa_backoff::Backoff::new(self.config.backoff, Duration::from_secs(30));
            tokio::time::sleep(backoff.delay(attempt, retry_after)).await;
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, expand: bool) -> Result<T, SmartpayError> {
        let query = if expand { vec![("expand", "all".to_owned())] } else { Vec::new() };
        self.call(Method::GET, path, &query, None::<&()>, None).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        key: Option<&str>,
    ) -> Result<T, SmartpayError> {
        self.call(Method::POST, path, &[], Some(body), key).await
    }

    async fn patch<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T, SmartpayError> {
        self.call(Method::PATCH, path, &[], Some(body), None).await
    }

    async fn put<T: DeserializeOwned>(&self, path: &str) -> Result<T, SmartpayError> {
        self.call(Method::PUT, path, &[], None::<&()>, None).await
    }

    /// Every item of a list, page after page, as a stream.
    fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &'static str,
        options: ListOptions,
    ) -> impl Stream<Item = Result<T, SmartpayError>> + Send + 'static {
        let client = self.clone();
        let pages = futures_util::stream::try_unfold(Some(None::<String>), move |state| {
            let client = client.clone();
            async move {
                let Some(token) = state else { return Ok(None) };
                let page = client.list_page::<T>(path, options, token.as_deref()).await?;
                let next = page.next_page_token.clone().map(Some);
                Ok(Some((futures_util::stream::iter(page.data.into_iter().map(Ok)), next)))
            }
        });
        futures_util::TryStreamExt::try_flatten(pages)
    }

    /// One page of a list (`page_token` from the previous page's `next_page_token`).
    pub async fn list_page<T: DeserializeOwned>(
        &self,
        path: &str,
        options: ListOptions,
        page_token: Option<&str>,
    ) -> Result<Collection<T>, SmartpayError> {
        let mut query = Vec::new();
        if let Some(n) = options.max_results {
            query.push(("maxResults", n.to_string()));
        }
        if let Some(t) = page_token {
            query.push(("pageToken", t.to_owned()));
        }
        if options.expand {
            query.push(("expand", "all".to_owned()));
        }
        self.call(Method::GET, path, &query, None::<&()>, None).await
    }

    // ---- checkout sessions ----

    /// `createCheckoutSession` (flat). An `amount` of 0 is computed from the items and the
    /// shipping fee, as the Node SDK does.
    pub async fn create_checkout_session(
        &self,
        request: &CheckoutSessionRequest,
    ) -> Result<CheckoutSession, SmartpayError> {
        let mut request = request.clone();
        if request.amount == 0 {
            request.amount =
                request.items.iter().map(Item::value).sum::<i64>() + request.shipping_info.fee_amount.unwrap_or(0);
        }
        self.post("/checkout-sessions", &request, request.idempotency_key.as_deref()).await
    }

    /// `createCheckoutSession` with `mode: 'token'`: a page where the customer saves a card.
    pub async fn create_token_checkout_session(
        &self,
        request: &TokenSessionRequest,
    ) -> Result<CheckoutSession, SmartpayError> {
        #[derive(Serialize)]
        struct WithMode<'a> {
            mode: &'static str,
            #[serde(flatten)]
            request: &'a TokenSessionRequest,
        }
        self.post("/checkout-sessions", &WithMode { mode: "token", request }, request.idempotency_key.as_deref()).await
    }

    /// `getCheckoutSession`.
    pub async fn get_checkout_session(&self, session: &str, expand: bool) -> Result<CheckoutSession, SmartpayError> {
        self.get(&format!("/checkout-sessions/{}", id(session, "checkout")?), expand).await
    }

    /// `listCheckoutSessions`, every page.
    pub fn list_checkout_sessions(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<CheckoutSession, SmartpayError>> + Send + 'static {
        self.list("/checkout-sessions", options)
    }

    // ---- orders ----

    /// `createOrder`: charges a saved card.
    pub async fn create_order(&self, request: &TokenOrderRequest) -> Result<Order, SmartpayError> {
        self.post("/orders", request, request.idempotency_key.as_deref()).await
    }

    /// `getOrder`.
    pub async fn get_order(&self, order: &str, expand: bool) -> Result<Order, SmartpayError> {
        self.get(&format!("/orders/{}", id(order, "order")?), expand).await
    }

    /// `cancelOrder`: releases what is authorized and not captured.
    pub async fn cancel_order(&self, order: &str) -> Result<Order, SmartpayError> {
        self.put(&format!("/orders/{}/cancellation", id(order, "order")?)).await
    }

    /// `listOrders`, every page.
    pub fn list_orders(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Order, SmartpayError>> + Send + 'static {
        self.list("/orders", options)
    }

    // ---- payments (captures) and refunds ----

    /// `createPayment` (`capture`): captures part of an authorized order.
    pub async fn create_payment(&self, request: &PaymentRequest) -> Result<Payment, SmartpayError> {
        id(&request.order, "order")?;
        self.post("/payments", request, request.idempotency_key.as_deref()).await
    }

    /// `getPayment`.
    pub async fn get_payment(&self, payment: &str, expand: bool) -> Result<Payment, SmartpayError> {
        self.get(&format!("/payments/{}", id(payment, "payment")?), expand).await
    }

    /// `updatePayment`.
    pub async fn update_payment(&self, payment: &str, update: &NotesUpdate) -> Result<Payment, SmartpayError> {
        self.patch(&format!("/payments/{}", id(payment, "payment")?), update).await
    }

    /// `listPayments`, every page.
    pub fn list_payments(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Payment, SmartpayError>> + Send + 'static {
        self.list("/payments", options)
    }

    /// `createRefund` (`refund`).
    pub async fn create_refund(&self, request: &RefundRequest) -> Result<Refund, SmartpayError> {
        id(&request.payment, "payment")?;
        self.post("/refunds", request, request.idempotency_key.as_deref()).await
    }

    /// `getRefund`.
    pub async fn get_refund(&self, refund: &str) -> Result<Refund, SmartpayError> {
        self.get(&format!("/refunds/{}", id(refund, "refund")?), false).await
    }

    /// `updateRefund`.
    pub async fn update_refund(&self, refund: &str, update: &NotesUpdate) -> Result<Refund, SmartpayError> {
        self.patch(&format!("/refunds/{}", id(refund, "refund")?), update).await
    }

    /// `listRefunds`, every page.
    pub fn list_refunds(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Refund, SmartpayError>> + Send + 'static {
        self.list("/refunds", options)
    }

    // ---- webhook endpoints ----

    /// `createWebhookEndpoint`.
    pub async fn create_webhook_endpoint(
        &self,
        request: &WebhookEndpointRequest,
    ) -> Result<WebhookEndpoint, SmartpayError> {
        if request.url.is_none() {
            return Err(SmartpayError::Invalid("a webhook endpoint needs its url".into()));
        }
        self.post("/webhook-endpoints", request, None).await
    }

    /// `getWebhookEndpoint`.
    pub async fn get_webhook_endpoint(&self, endpoint: &str) -> Result<WebhookEndpoint, SmartpayError> {
        self.get(&format!("/webhook-endpoints/{}", id(endpoint, "webhookendpoint")?), false).await
    }

    /// `updateWebhookEndpoint`.
    pub async fn update_webhook_endpoint(
        &self,
        endpoint: &str,
        update: &WebhookEndpointRequest,
    ) -> Result<WebhookEndpoint, SmartpayError> {
        self.patch(&format!("/webhook-endpoints/{}", id(endpoint, "webhookendpoint")?), update).await
    }

    /// `deleteWebhookEndpoint`.
    pub async fn delete_webhook_endpoint(&self, endpoint: &str) -> Result<(), SmartpayError> {
        let path = format!("/webhook-endpoints/{}", id(endpoint, "webhookendpoint")?);
        let _: serde_json::Value = self.call(Method::DELETE, &path, &[], None::<&()>, None).await?;
        Ok(())
    }

    /// `listWebhookEndpoints`, every page.
    pub fn list_webhook_endpoints(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<WebhookEndpoint, SmartpayError>> + Send + 'static {
        self.list("/webhook-endpoints", options)
    }

    // ---- coupons and promotion codes ----

    /// `createCoupon`.
    pub async fn create_coupon(&self, request: &CouponRequest) -> Result<Coupon, SmartpayError> {
        self.post("/coupons", request, None).await
    }

    /// `getCoupon`.
    pub async fn get_coupon(&self, coupon: &str) -> Result<Coupon, SmartpayError> {
        self.get(&format!("/coupons/{}", id(coupon, "coupon")?), false).await
    }

    /// `updateCoupon`.
    pub async fn update_coupon(&self, coupon: &str, update: &ActiveUpdate) -> Result<Coupon, SmartpayError> {
        self.patch(&format!("/coupons/{}", id(coupon, "coupon")?), update).await
    }

    /// `listCoupons`, every page.
    pub fn list_coupons(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Coupon, SmartpayError>> + Send + 'static {
        self.list("/coupons", options)
    }

    /// `createPromotionCode`.
    pub async fn create_promotion_code(&self, request: &PromotionCodeRequest) -> Result<PromotionCode, SmartpayError> {
        id(&request.coupon, "coupon")?;
        self.post("/promotion-codes", request, None).await
    }

    /// `getPromotionCode`.
    pub async fn get_promotion_code(&self, code: &str) -> Result<PromotionCode, SmartpayError> {
        self.get(&format!("/promotion-codes/{}", id(code, "promotioncode")?), false).await
    }

    /// `updatePromotionCode` (`active`, `metadata`).
    pub async fn update_promotion_code(
        &self,
        code: &str,
        update: &ActiveUpdate,
    ) -> Result<PromotionCode, SmartpayError> {
        self.patch(&format!("/promotion-codes/{}", id(code, "promotioncode")?), update).await
    }

    /// `listPromotionCodes`, every page.
    pub fn list_promotion_codes(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<PromotionCode, SmartpayError>> + Send + 'static {
        self.list("/promotion-codes", options)
    }

    // ---- tokens ----

    /// `getToken`.
    pub async fn get_token(&self, token: &str) -> Result<Token, SmartpayError> {
        self.get(&format!("/tokens/{}", id(token, "paytok")?), false).await
    }

    /// `enableToken`.
    pub async fn enable_token(&self, token: &str) -> Result<Token, SmartpayError> {
        self.put(&format!("/tokens/{}/enable", id(token, "paytok")?)).await
    }

    /// `disableToken`.
    pub async fn disable_token(&self, token: &str) -> Result<Token, SmartpayError> {
        self.put(&format!("/tokens/{}/disable", id(token, "paytok")?)).await
    }

    /// `deleteToken`: gone (`token.not-found`) from then on.
    pub async fn delete_token(&self, token: &str) -> Result<(), SmartpayError> {
        let path = format!("/tokens/{}", id(token, "paytok")?);
        let _: serde_json::Value = self.call(Method::DELETE, &path, &[], None::<&()>, None).await?;
        Ok(())
    }

    /// `listTokens`, every page.
    pub fn list_tokens(
        &self,
        options: ListOptions,
    ) -> impl Stream<Item = Result<Token, SmartpayError>> + Send + 'static {
        self.list("/tokens", options)
    }
}

/// A 2xx's body, or the refusal it is: Smartpay's JSON error, or (for a body in another
/// format) the status and the text.
async fn read(response: reqwest::Response) -> Result<String, SmartpayError> {
    let status = response.status();
    let text = response.text().await.map_err(SmartpayError::Network)?;
    if status.is_success() {
        return Ok(text);
    }
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let field = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Err(SmartpayError::Api {
        status: status.as_u16(),
        error_code: field("errorCode").unwrap_or_else(|| "unexpected_error".to_owned()),
        message: field("message").unwrap_or_else(|| if text.is_empty() { status.to_string() } else { text.clone() }),
        details: body.get("details").and_then(|d| d.as_array()).cloned().unwrap_or_default(),
    })
}
