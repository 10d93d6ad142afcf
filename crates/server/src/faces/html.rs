//! HTML pages for people (the hosted checkout page, the dashboard): one answer with the
//! headers every such page needs. Never cached (pages show money and secrets), never framed,
//! no scripts; each face says only which images it shows and what referrer it sends.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;

/// What differs between the faces' pages.
pub struct PagePolicy {
    /// The Content-Security-Policy in full (`img-src` differs by face).
    pub content_security_policy: &'static str,
    /// The Referrer-Policy.
    pub referrer_policy: &'static str,
}

/// An HTML answer with `status`, the markup and the security headers of `policy`.
pub fn page(policy: &PagePolicy, status: StatusCode, markup: Markup) -> Response {
    let mut r = (status, markup.into_string()).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy.content_security_policy));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // For browsers that predate CSP's frame-ancestors: the page is never framed.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static(policy.referrer_policy));
    r
}
