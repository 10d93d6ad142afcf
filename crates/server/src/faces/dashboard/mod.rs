//! The merchant dashboard at `/dashboard`: server-rendered pages that work without JavaScript,
//! one more face over the same app commands as the API. A person signs in with an email and
//! password (`kassa users create`); the session is an HttpOnly, SameSite=Strict cookie of which
//! the database holds only a hash. Every form carries a token derived from that cookie (CSRF)
//! and, where it changes money or objects, an idempotency key minted when the form was shown,
//! so a second click replays the first instead of acting twice. The mode is in the path
//! (`/dashboard/test/…`, `/dashboard/live/…`), so a tab never acts in a mode it does not show.

mod commerce;
mod connectors;
mod developers;
mod overview;
mod payments;
mod session;
mod view;

use crate::app::Scope;
use crate::app::{AppError, Ctx, ErrorKind, IdempotencyKey};
use crate::faces::html::PagePolicy;
use crate::http::HttpState;
use crate::http::face::Face;
use crate::http::fields::has_control_characters;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use kassa_domain::id::random_base62;
use kassa_domain::merchant::DashboardUser;
use kassa_domain::{KeyKind, Mode, RequestId};
use maud::Markup;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The dashboard, under `/dashboard`.
pub struct Dashboard;

/// The session cookie's name.
const COOKIE: &str = "kassa_dashboard";

impl Face for Dashboard {
    type Error = PageError;
    const PREFIX: Option<&'static str> = Some("/dashboard");

    fn routes() -> Router<HttpState> {
        Router::new()
    }

    /// Its own door: the session cookie, checked by [`Desk`] on every page.
    fn public_routes() -> Router<HttpState> {
        Router::new()
            .route("/dashboard", get(home))
            .route("/dashboard/", get(home))
            .route("/dashboard/assets/dashboard.css", get(stylesheet))
            .merge(session::routes())
            .merge(overview::routes())
            .merge(payments::routes())
            .merge(developers::routes())
            .merge(commerce::routes())
            .merge(connectors::routes())
    }
}

/// A refusal, shown as a page.
#[derive(Debug)]
pub struct PageError(AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = match e.kind {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Validation | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Conflict | ErrorKind::IdempotencyInFlight => StatusCode::CONFLICT,
            ErrorKind::Permission | ErrorKind::Authentication => StatusCode::FORBIDDEN,
            _ => {
                tracing::error!(error = %e, "dashboard page failed");
                return page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    view::bare("Something went wrong", "Something went wrong; please try again."),
                );
            }
        };
        let title = if status == StatusCode::NOT_FOUND { "Not found" } else { "Not possible" };
        page(status, view::bare(title, &e.message))
    }
}

/// The dashboard shows only its own images and keeps its referrer to itself.
const POLICY: PagePolicy = PagePolicy {
    content_security_policy: "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                              frame-ancestors 'none'; base-uri 'none'",
    referrer_policy: "same-origin",
};

/// An HTML answer with the headers every dashboard page has (`faces::html`).
fn page(status: StatusCode, markup: Markup) -> Response {
    crate::faces::html::page(&POLICY, status, markup)
}

/// 303 to a page of the dashboard (never elsewhere: `to` comes from our own code or is checked
/// by [`local_path`]).
fn see_other(to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `path` if it is a page of the dashboard, so a `next=` cannot send anyone to another site.
fn local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with("/dashboard/")
        && !path.contains("//")
        && !path.contains('\\')
        && path.bytes().all(|b| b.is_ascii_graphic());
    ok.then_some(path)
}

/// Registers each of `pages` (paths after the mode) under `/dashboard/test` and
/// `/dashboard/live`: literal segments, so the face's catch-all for unknown pages can sit
/// beside them.
fn in_both_modes(pages: Vec<(&str, MethodRouter<HttpState>)>) -> Router<HttpState> {
    pages.into_iter().fold(Router::new(), |router, (path, handler)| {
        router
            .route(&format!("/dashboard/test{path}"), handler.clone())
            .route(&format!("/dashboard/live{path}"), handler)
    })
}

/// `GET /dashboard`
async fn home(desk: Result<Signed, Response>) -> Response {
    match desk {
        Ok(_) => see_other("/dashboard/test/overview"),
        Err(to_sign_in) => to_sign_in,
    }
}

/// `GET /dashboard/assets/dashboard.css`
async fn stylesheet() -> Response {
    let mut r = include_str!("dashboard.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_owned())
    })
}

/// A signed-in person: who, for which merchant, and the form token of their session.
#[derive(Clone)]
pub struct Signed {
    user: DashboardUser,
    merchant_name: String,
    form_token: String,
}

impl FromRequestParts<HttpState> for Signed {
    /// Unsigned: off to the sign-in page, back here afterwards.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &HttpState) -> Result<Signed, Response> {
        let to_sign_in = || {
            let back = parts.uri.path_and_query().map(|p| p.as_str()).and_then(local_path);
            let next = back.filter(|_| parts.method == axum::http::Method::GET);
            let target = match next {
                Some(next) => {
                    format!(
                        "/dashboard/sign-in?{}",
                        form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish()
                    )
                }
                None => "/dashboard/sign-in".to_owned(),
            };
            see_other(&target)
        };
        let Some(token) = cookie_value(&parts.headers) else { return Err(to_sign_in()) };
        let user = match s.app.dashboard_session(&token).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(to_sign_in()),
            Err(e) => return Err(PageError(e).into_response()),
        };
        let merchant_name = match s.app.merchant(&user.merchant_id).await {
            Ok(m) => m.name,
            Err(e) => return Err(PageError(e).into_response()),
        };
        Ok(Signed { user, merchant_name, form_token: crate::app::dashboard_form_token(&token) })
    }
}

/// A signed-in person at a page of one mode (`/dashboard/{mode}/…`).
#[derive(Clone)]
pub struct Desk {
    signed: Signed,
    mode: Mode,
}

impl FromRequestParts<HttpState> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &HttpState) -> Result<Desk, Response> {
        let mode = match parts.uri.path().split('/').nth(2) {
            Some("test") => Mode::Test,
            Some("live") => Mode::Live,
            _ => return Err(PageError(AppError::not_found("page", parts.uri.path())).into_response()),
        };
        let signed = Signed::from_request_parts(parts, s).await?;
        Ok(Desk { signed, mode })
    }
}

impl Desk {
    /// `/dashboard/test` or `/dashboard/live`.
    fn base(&self) -> String {
        format!("/dashboard/{}", self.mode.as_str())
    }

    fn scope(&self) -> Scope {
        Scope { merchant_id: self.signed.user.merchant_id.clone(), mode: self.mode }
    }

    /// The context of a query: the signed-in merchant and this page's mode.
    fn reader(&self) -> Ctx {
        Ctx::new(self.scope(), KeyKind::Secret, RequestId::generate(), None)
    }

    /// The context of an action posted from a form: its idempotency key (minted when the form
    /// was shown) fingerprinted with the action and every field, so a second submission of the
    /// same form replays the first and a changed one is refused.
    fn actor(&self, action: &str, form: &Form) -> Ctx {
        let key = form.get("idempotency_key").filter(|k| !k.is_empty() && k.len() <= 64).map(|k| {
            let mut hash = Sha256::new();
            hash.update(action.as_bytes());
            for (name, value) in &form.0 {
                if name != "csrf" {
                    hash.update(b"\n");
                    hash.update(name.as_bytes());
                    hash.update(b"=");
                    hash.update(value.as_bytes());
                }
            }
            IdempotencyKey { key: format!("dashboard-{k}"), fingerprint: hex::encode(hash.finalize()) }
        });
        let request_id = crate::http::request_id::current().unwrap_or_else(RequestId::generate);
        Ctx::new(self.scope(), KeyKind::Secret, request_id, key)
    }
}

/// A form posted by a signed-in person at a page of one mode, its token checked: what every
/// action takes.
pub struct Posted {
    desk: Desk,
    form: Form,
}

impl axum::extract::FromRequest<HttpState> for Posted {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, s: &HttpState) -> Result<Posted, Response> {
        let (mut parts, body) = req.into_parts();
        let desk = Desk::from_request_parts(&mut parts, s).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, s).await.map_err(IntoResponse::into_response)?;
        let form = checked_form(&desk.signed, &headers, &bytes).map_err(|refused| *refused)?;
        Ok(Posted { desk, form })
    }
}

/// A fresh idempotency key for a form about to be shown.
fn new_idempotency_key() -> String {
    random_base62(24)
}

/// A posted form whose token matched the session's.
pub struct Form(BTreeMap<String, String>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim())
    }

    /// A field, trimmed, empty when absent.
    fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }
}

/// Reads a form post and checks its CSRF token against the session's (and, when the browser
/// names one, that it came from this origin).
fn checked_form(signed: &Signed, headers: &HeaderMap, body: &[u8]) -> Result<Form, Box<Response>> {
    let fields: BTreeMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let token_ok = fields.get("csrf").is_some_and(|t| same(t.as_bytes(), signed.form_token.as_bytes()));
    if !token_ok || !same_origin(headers) {
        let refusal = view::bare(
            "Form expired",
            "This form is out of date (it was shown before you signed in again). Go back, reload the page and try again.",
        );
        return Err(Box::new(page(StatusCode::FORBIDDEN, refusal)));
    }
    refuse_control_characters(&fields)?;
    Ok(Form(fields))
}

/// Fields with control characters (a NUL, say, which PostgreSQL cannot store or compare) are
/// refused before anything reads them, naming each.
fn refuse_control_characters(fields: &BTreeMap<String, String>) -> Result<(), Box<Response>> {
    let bad: Vec<&str> = fields
        .iter()
        .filter(|(k, v)| has_control_characters(k) || has_control_characters(v))
        .map(|(k, _)| if has_control_characters(k) { "(a field name)" } else { k.as_str() })
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let message = format!("These fields hold control characters, which no field takes: {}.", bad.join(", "));
    Err(Box::new(page(StatusCode::BAD_REQUEST, view::bare("Not possible", &message))))
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A post whose `Origin` names another host is refused (SameSite cookies stop most forgeries;
/// this stops the rest in browsers that send `Origin`).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin.split_once("://").is_some_and(|(_, authority)| authority == host)
}

/// The `Set-Cookie` of a new session, `Secure` when the gateway is served over HTTPS.
fn session_cookie(s: &HttpState, token: &str) -> HeaderValue {
    let secure = if s.app.public_url().starts_with("https://") { "; Secure" } else { "" };
    let max_age = crate::app::DASHBOARD_SESSION_LIFETIME.as_secs();
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("kassa_dashboard=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A query string's fields (any with control characters dropped: no page needs them, and a
/// NUL cannot reach PostgreSQL).
fn query(uri: &axum::http::Uri) -> BTreeMap<String, String> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .filter(|(k, v)| !has_control_characters(k) && !has_control_characters(v))
        .collect()
}

/// Runs an action to its end even if the browser goes away meanwhile (its outcome is recorded
/// under its idempotency key, so the retry replays it).
async fn detached<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Result<T, Response> {
    crate::http::request_id::detach(work)
        .await
        .map_err(|e| PageError(AppError::internal(format!("a dashboard action failed: {e}"))).into_response())
}
