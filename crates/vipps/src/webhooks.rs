//! Checking that a request came from Vipps: a webhook's HMAC signature (the Webhooks API's
//! scheme) and a Checkout callback's token.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Why a webhook was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header the scheme needs is missing.
    #[error("missing header {0}")]
    Missing(&'static str),
    /// `x-ms-content-sha256` is not the body's hash: the body was altered.
    #[error("the body does not match x-ms-content-sha256")]
    BodyAltered,
    /// The signature is not the secret's.
    #[error("the signature does not match")]
    Mismatch,
}

/// The parts of a webhook request the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    /// The path and query it was sent to (`/hooks/vipps?x=1`).
    pub path_and_query: &'a str,
    /// Its `Host` header (`shop.example` or `127.0.0.1:8080`).
    pub host: &'a str,
    /// `x-ms-date`.
    pub date: Option<&'a str>,
    /// `x-ms-content-sha256`.
    pub content_sha256: Option<&'a str>,
    /// `Authorization`.
    pub authorization: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

/// The `Authorization` value Vipps sends for `request` signed with `secret` (the secret string
/// from registering the webhook, used as UTF-8 bytes).
pub fn webhook_signature(secret: &str, path_and_query: &str, date: &str, host: &str, body: &[u8]) -> String {
    let content_hash = BASE64.encode(Sha256::digest(body));
    let signed = format!("POST\n{path_and_query}\n{date};{host};{content_hash}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(signed.as_bytes());
    format!(
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={}",
        BASE64.encode(mac.finalize().into_bytes())
    )
}

/// Checks a webhook's signature with `secret`: the body's hash, then the HMAC over method,
/// path, date, host and hash, compared in constant time.
pub fn verify_webhook(secret: &str, request: &WebhookRequest<'_>) -> Result<(), SignatureError> {
    let date = request.date.ok_or(SignatureError::Missing("x-ms-date"))?;
    let claimed_hash = request.content_sha256.ok_or(SignatureError::Missing("x-ms-content-sha256"))?;
    let authorization = request.authorization.ok_or(SignatureError::Missing("authorization"))?;
    if BASE64.encode(Sha256::digest(request.body)) != claimed_hash {
        return Err(SignatureError::BodyAltered);
    }
    let expected = webhook_signature(secret, request.path_and_query, date, request.host, request.body);
    if constant_time_eq(expected.as_bytes(), authorization.as_bytes()) { Ok(()) } else { Err(SignatureError::Mismatch) }
}

/// Whether a Checkout callback's `Authorization` header is the `callbackAuthorizationToken`
/// you gave when creating the session (compared in constant time).
pub fn verify_callback_token(authorization: Option<&str>, expected: &str) -> bool {
    authorization.is_some_and(|given| constant_time_eq(given.as_bytes(), expected.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==";
    const BODY: &[u8] = br#"{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}"#;

    fn request<'a>(authorization: &'a str, body: &'a [u8]) -> WebhookRequest<'a> {
        WebhookRequest {
            path_and_query: "/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63",
            host: "webhook.site",
            date: Some("Thu, 30 Mar 2023 08:38:32 GMT"),
            content_sha256: Some("lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4="),
            authorization: Some(authorization),
            body,
        }
    }

    /// The example of Vipps' webhook documentation.
    #[test]
    fn verifies_the_documented_example() {
        let authorization = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=";
        assert_eq!(verify_webhook(SECRET, &request(authorization, BODY)), Ok(()));
        assert_eq!(verify_webhook("another secret", &request(authorization, BODY)), Err(SignatureError::Mismatch));
        assert_eq!(verify_webhook(SECRET, &request(authorization, b"{}")), Err(SignatureError::BodyAltered));
    }

    #[test]
    fn callback_tokens_must_match_exactly() {
        assert!(verify_callback_token(Some("tok-1"), "tok-1"));
        assert!(!verify_callback_token(Some("tok-2"), "tok-1"));
        assert!(!verify_callback_token(None, "tok-1"));
    }

    proptest::proptest! {
        #[test]
        fn a_webhook_verifies_only_as_signed(
            secret in ".{1,40}",
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            path in "/[a-z/?=]{0,30}",
            date in "[A-Za-z0-9 ,:]{1,30}",
            authorization in ".{0,120}",
        ) {
            let signed = webhook_signature(&secret, &path, &date, "shop.example", &body);
            let hash = BASE64.encode(Sha256::digest(&body));
            let request = WebhookRequest {
                path_and_query: &path,
                host: "shop.example",
                date: Some(&date),
                content_sha256: Some(&hash),
                authorization: Some(&signed),
                body: &body,
            };
            proptest::prop_assert_eq!(verify_webhook(&secret, &request), Ok(()));
            if authorization != signed {
                let forged = WebhookRequest { authorization: Some(&authorization), ..request };
                proptest::prop_assert!(verify_webhook(&secret, &forged).is_err());
            }
            let altered = WebhookRequest { host: "evil.example", ..request };
            proptest::prop_assert_eq!(verify_webhook(&secret, &altered), Err(SignatureError::Mismatch));
        }
    }
}
