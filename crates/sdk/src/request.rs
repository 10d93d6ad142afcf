//! One API call: built, then awaited. Awaiting sends it, retrying when that is safe.

use crate::client::Client;
use crate::error::Error;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Instant;

/// A call to the gateway, resolved by `.await`. Options such as
/// [`Request::idempotency_key`] can be set before awaiting.
///
/// Every POST carries an `Idempotency-Key`: yours, or a fresh UUIDv4. Retries reuse it, so a
/// retried request can never create a second object or move money twice.
#[must_use = "a request does nothing until it is awaited"]
pub struct Request<'a, T> {
    client: &'a Client,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Result<Option<Vec<u8>>, String>,
    idempotency_key: Option<String>,
    _response: PhantomData<fn() -> T>,
}

impl<'a, T> Request<'a, T> {
    pub(crate) fn new(client: &'a Client, method: Method, path: String) -> Self {
        Request {
            client,
            method,
            path,
            query: Vec::new(),
            body: Ok(None),
            idempotency_key: None,
            _response: PhantomData,
        }
    }

    pub(crate) fn json<B: Serialize>(mut self, body: &B) -> Self {
        self.body = serde_json::to_vec(body).map(Some).map_err(|e| e.to_string());
        self
    }

    pub(crate) fn query(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    /// Uses your idempotency key (≤ 255 characters), e.g. your order id, instead of a random
    /// one. Sending the same request again with the same key returns the first answer.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Asks for a referenced object in full (`expand[]=payment_intent` on refunds).
    pub fn expand(mut self, field: impl Into<String>) -> Self {
        self.query.push(("expand[]".into(), field.into()));
        self
    }
}

impl<'a, T: DeserializeOwned + Send + 'a> IntoFuture for Request<'a, T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<'a, T: DeserializeOwned + Send + 'a> Request<'a, T> {
    async fn send(self) -> Result<T, Error> {
        let body = self.body.map_err(|e| Error::Config(format!("the request body could not be serialized: {e}")))?;
        let key = (self.method == Method::POST)
            .then(|| self.idempotency_key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()));
        let inner = &self.client.inner;
        let mut url = reqwest::Url::parse(&format!("{}{}", inner.base_url, self.path))
            .map_err(|e| Error::Config(format!("bad URL: {e}")))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let mut retries = 0;
        loop {
            let started = Instant::now();
            let result = attempt::<T>(self.client, &self.method, &url, body.as_deref(), key.as_deref()).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match result {
                Ok((value, status, request_id)) => {
                    tracing::debug!(method = %self.method, path = %self.path, status, elapsed_ms, request_id = %request_id.as_deref().unwrap_or("-"), retries, "kassa request");
                    return Ok(value);
                }
                Err(error) if error.is_retryable() && retries < inner.max_retries => {
                    retries += 1;
                    let wait = inner.backoff.delay(retries, error.retry_after());
                    tracing::debug!(method = %self.method, path = %self.path, status = error.status().unwrap_or(0), elapsed_ms, request_id = %error.request_id().unwrap_or("-"), %error, retry_in_ms = wait.as_millis() as u64, "kassa request will be retried");
                    tokio::time::sleep(wait).await;
                }
                Err(error) => {
                    tracing::debug!(method = %self.method, path = %self.path, status = error.status().unwrap_or(0), elapsed_ms, request_id = %error.request_id().unwrap_or("-"), %error, retries, "kassa request failed");
                    return Err(error);
                }
            }
        }
    }
}

/// One try: send, read, decode or classify.
async fn attempt<T: DeserializeOwned>(
    client: &Client,
    method: &Method,
    url: &reqwest::Url,
    body: Option<&[u8]>,
    idempotency_key: Option<&str>,
) -> Result<(T, u16, Option<String>), Error> {
    let inner = &client.inner;
    let mut req = inner.http.request(method.clone(), url.clone()).bearer_auth(&inner.api_key).timeout(inner.timeout);
    if let Some(key) = idempotency_key {
        req = req.header("Idempotency-Key", key);
    }
    if let Some(bytes) = body {
        req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes.to_vec());
    }
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            Error::Timeout { after: inner.timeout }
        } else {
            Error::Network { message: e.to_string(), source: Some(Box::new(e)) }
        }
    };
    let response = req.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let request_id = response.headers().get("request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let retry_after =
        kassa_backoff::retry_after(response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()));
    let bytes = response.bytes().await.map_err(transport)?;
    if !(200..300).contains(&status) {
        return Err(Error::from_response(status, &bytes, request_id, retry_after));
    }
    match serde_json::from_slice::<T>(&bytes) {
        Ok(value) => Ok((value, status, request_id)),
        Err(e) => Err(Error::Decode { status, message: e.to_string(), request_id }),
    }
}

/// Percent-encodes one path segment (ids the caller passes in). An empty or all-dot id would
/// be a dot-segment that URL parsing removes (`/payment_intents/..` is `/`), so it is made
/// into a segment that names nothing.
pub(crate) fn segment(raw: &str) -> String {
    if raw.bytes().all(|b| b == b'.') {
        return format!("~{raw}");
    }
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_cannot_escape_their_place_in_the_path() {
        assert_eq!(super::segment("pi_123"), "pi_123");
        assert_eq!(super::segment("../refunds?x=1"), "..%2Frefunds%3Fx%3D1");
        assert_eq!(super::segment(".."), "~..");
        assert_eq!(super::segment(""), "~");
    }
}
