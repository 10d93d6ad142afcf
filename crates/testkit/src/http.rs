//! Responses as tests look at them.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Status, headers and JSON body of a response.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Value::Null` if it was empty or not JSON; see `text`).
    pub body: Value,
    /// The raw body.
    pub text: String,
}

impl TestResponse {
    /// Reads a response.
    pub async fn from(res: reqwest::Response) -> TestResponse {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        TestResponse { status, headers, body, text }
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `error` object of an error response (panics if there is none).
    pub fn error(&self) -> &Value {
        assert!(self.body.get("error").is_some(), "expected an error body, got {}: {}", self.status, self.text);
        &self.body["error"]
    }

    /// The `param` of every entry of `error.details`.
    pub fn error_params(&self) -> Vec<String> {
        self.error()["details"]
            .as_array()
            .map(|d| d.iter().filter_map(|e| e["param"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// A string field of a JSON object (panics if missing).
pub fn json_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or_else(|| panic!("no string `{field}` in {value}"))
}
