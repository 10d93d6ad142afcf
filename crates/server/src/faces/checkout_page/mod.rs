//! The hosted checkout page, `/checkout/{session id}`: server-rendered HTML that works without
//! JavaScript. It holds no merchant key; the session's unguessable id is the only way in, and
//! its forms carry a token derived from that id. The card number goes from the form to the
//! payment method and is never logged, stored or sent back.

mod customer_return;
mod i18n;
mod receipt;
mod view;

use crate::app::{AppError, CheckoutSubject, CheckoutView, ErrorKind, PaymentMethodInput};
use crate::faces::html::PagePolicy;
use crate::http::HttpState;
use crate::http::face::{Face, Id, RawBody};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
pub use i18n::format_amount;
use i18n::words;
use kassa_domain::CheckoutSessionId;
use kassa_domain::card::{Expiry, Pan, check_cvc};
use kassa_domain::checkout::{CheckoutPhase, CheckoutSession};
use maud::Markup;
use std::collections::HashMap;
use std::net::SocketAddr;
use view::FormState;

/// Where the page is mounted (`/checkout`, or a face's own prefix).
#[derive(Clone, Copy)]
struct Mount(&'static str);

/// The hosted page at `/checkout`: public (the session's id and the forms' token are the only
/// way in), refusals as HTML pages.
pub struct CheckoutPage;

impl Face for CheckoutPage {
    // No prefix of its own: `/checkout/{id}` leaves no room for a catch-all beside it, and
    // Vipps' Checkout API lives at `/checkout/v3/…`.
    type Error = PageError;

    fn routes() -> Router<HttpState> {
        Router::new()
    }

    fn public_routes() -> Router<HttpState> {
        routes("/checkout")
            .route("/checkout/assets/style.css", get(stylesheet))
            .route("/receipts/{token}", get(receipt::show))
            .route("/return/{id}", get(customer_return::back))
    }
}

/// A refusal of the page, shown to a customer as a page.
#[derive(Debug)]
pub struct PageError(AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = match self.0.kind {
            ErrorKind::NotFound => return page(StatusCode::NOT_FOUND, view::not_found()),
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Validation | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            _ => return failure(self.0),
        };
        let locale = kassa_domain::checkout::Locale::En;
        page(status, view::final_state(locale, "This request cannot be answered here.", None, None))
    }
}

/// The page's routes under `prefix` (`/checkout`, or a face's own).
pub fn routes(prefix: &'static str) -> Router<HttpState> {
    Router::new()
        .route(&format!("{prefix}/{{id}}"), get(show))
        .route(&format!("{prefix}/{{id}}/promotion"), post(promotion))
        .route(&format!("{prefix}/{{id}}/pay"), post(pay))
        .route(&format!("{prefix}/{{id}}/pay-with"), post(pay_with))
        .route(&format!("{prefix}/{{id}}/cancel"), post(cancel))
        .layer(Extension(Mount(prefix)))
}

/// `GET /checkout/assets/style.css`
async fn stylesheet() -> Response {
    let mut r = include_str!("style.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

/// The hosted page shows the merchant's product images from anywhere over https, and tells
/// nobody where the customer came from.
const POLICY: PagePolicy = PagePolicy {
    content_security_policy: "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
                              form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    referrer_policy: "no-referrer",
};

fn page(status: StatusCode, markup: Markup) -> Response {
    crate::faces::html::page(&POLICY, status, markup)
}

fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn success_location(session: &CheckoutSession) -> String {
    // Stripe's template, for sessions made through its face (or by anyone who writes it).
    if session.success_url.contains("{CHECKOUT_SESSION_ID}") {
        return session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id.as_str());
    }
    match reqwest::Url::parse(&session.success_url) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("session_id", session.id.as_str());
            url.to_string()
        }
        Err(_) => session.success_url.clone(),
    }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The page for the session's state: the form, progress, a redirect, or a final message.
fn render(s: &HttpState, view: &CheckoutView, base: &str, state: FormState, status: StatusCode) -> Response {
    let session = &view.session;
    let saving_card = matches!(view.subject, CheckoutSubject::Setup(_));
    let w = words(session.locale);
    let now = s.app.clock().now();
    let expired = || {
        page(
            StatusCode::GONE,
            view::final_state(session.locale, w.expired, Some(w.expired_hint), session.cancel_url.as_deref()),
        )
    };
    match view.phase() {
        CheckoutPhase::Authorizing => {
            let waiting_at = match &view.subject {
                CheckoutSubject::Payment(pi) => pi.connector.as_ref().and_then(|c| {
                    let name = s.app.providers().get(&c.provider).map(|p| p.display_name())?;
                    Some((c.redirect_url.as_deref()?, name))
                }),
                CheckoutSubject::Setup(_) => None,
            };
            page(StatusCode::OK, view::processing(session, saving_card, waiting_at))
        }
        CheckoutPhase::AwaitingPayment | CheckoutPhase::Declined if now >= session.expires_at => expired(),
        CheckoutPhase::AwaitingPayment | CheckoutPhase::Declined => {
            let csrf = s.app.checkout_csrf(&session.id);
            let markup = if saving_card {
                view::setup(session, &view.merchant_name, &csrf, base, &state)
            } else {
                let max_attempts = s.app.checkout_config().max_attempts;
                let elsewhere: Vec<view::Elsewhere> = session
                    .payment_method_types
                    .iter()
                    .filter_map(|kind| {
                        let name = s.app.providers().get(kind)?.display_name();
                        Some(view::Elsewhere { kind: kind.clone(), name })
                    })
                    .collect();
                view::checkout(session, view.last_error(), &csrf, base, &state, max_attempts, &elsewhere)
            };
            page(status, markup)
        }
        CheckoutPhase::Authorized | CheckoutPhase::Paid | CheckoutPhase::CardSaved => {
            see_other(&success_location(session))
        }
        CheckoutPhase::Failed => match session.failure_url.as_deref().or(session.cancel_url.as_deref()) {
            Some(url) => see_other(url),
            None => {
                let title = if saving_card { w.card_not_saved } else { w.failed };
                page(StatusCode::OK, view::final_state(session.locale, title, None, None))
            }
        },
        CheckoutPhase::CanceledByCustomer => match session.cancel_url.as_deref() {
            Some(url) => see_other(url),
            None => page(StatusCode::OK, view::final_state(session.locale, w.canceled, None, None)),
        },
        CheckoutPhase::CanceledByMerchant => page(
            StatusCode::OK,
            view::final_state(session.locale, w.canceled, Some(w.expired_hint), session.cancel_url.as_deref()),
        ),
        CheckoutPhase::Expired => expired(),
    }
}

/// Loads the session for a page request, or answers the not-found page.
async fn load(s: &HttpState, id: &str) -> Result<CheckoutView, Response> {
    s.app.checkout_page(id).await.map_err(|e| {
        if e.kind == ErrorKind::NotFound { page(StatusCode::NOT_FOUND, view::not_found()) } else { failure(e) }
    })
}

fn failure(e: AppError) -> Response {
    tracing::error!(error = %e, "hosted checkout page failed");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        view::final_state(kassa_domain::checkout::Locale::En, "Something went wrong; please try again.", None, None),
    )
}

/// A form post: its session, and its fields once their token is checked (or the page to answer).
async fn posted(s: &HttpState, id: &str, body: &[u8]) -> Result<(CheckoutView, HashMap<String, String>), Response> {
    let fields = form(body);
    let view = load(s, id).await?;
    match forged(s, &view.session, &fields) {
        Some(refusal) => Err(refusal),
        None => Ok((view, fields)),
    }
}

/// A form post carries the session's token; without it, the refusal page.
fn forged(s: &HttpState, session: &CheckoutSession, fields: &HashMap<String, String>) -> Option<Response> {
    let ok = fields.get("csrf").is_some_and(|t| s.app.checkout_csrf_valid(&session.id, t));
    (!ok).then(|| {
        let w = words(session.locale);
        page(StatusCode::FORBIDDEN, view::final_state(session.locale, w.session_changed, None, None))
    })
}

fn base_of(mount: Mount, id: &CheckoutSessionId) -> String {
    format!("{}/{id}", mount.0)
}

/// The page. A link may carry a promotion code for the customer (`?promotion-code=SPRING`, as
/// Smartpay's `getSessionURL` writes it): the code field is filled in, to apply with one click.
async fn show(
    State(s): State<HttpState>,
    Extension(mount): Extension<Mount>,
    Id(id, _): Id<CheckoutPage>,
    uri: axum::http::Uri,
) -> Response {
    let offered = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "promotion-code" || k == "promotion_code")
        .map(|(_, v)| v.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(40).collect())
        .unwrap_or_default();
    match load(&s, &id).await {
        Ok(view) => {
            let form = FormState { promo_input: offered, ..FormState::default() };
            render(&s, &view, &base_of(mount, &view.session.id), form, StatusCode::OK)
        }
        Err(r) => r,
    }
}

/// `MM/YY`, `MM / YY`, `MM/YYYY` or `MMYY`.
fn parse_expiry(raw: &str, today: (u16, u8)) -> Option<Expiry> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let (m, y) = match (raw.contains('/'), digits.len()) {
        (true, _) => {
            let (m, y) = raw.split_once('/')?;
            (m.trim().parse::<i64>().ok()?, y.trim().parse::<i64>().ok()?)
        }
        (false, 4) => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        (false, 6) => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    let month = Expiry::parse_month(m).ok()?;
    let year = Expiry::parse_year(y).ok()?;
    Expiry::new(month, year, today).ok()
}

async fn pay(
    State(s): State<HttpState>,
    Extension(mount): Extension<Mount>,
    Id(id, _): Id<CheckoutPage>,
    RawBody(body, _): RawBody<CheckoutPage>,
) -> Response {
    let (view, fields) = match posted(&s, &id, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let base = base_of(mount, &view.session.id);
    let w = words(view.session.locale);
    let value = |k: &str| fields.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut state = FormState { expiry: value("expiry"), holder: value("holder"), ..FormState::default() };
    let pan = Pan::parse(&value("number")).map_err(|_| state.field_errors.push(("number", w.invalid_number))).ok();
    let expiry = parse_expiry(&value("expiry"), s.app.clock().year_month());
    if expiry.is_none() {
        state.field_errors.push(("expiry", w.invalid_expiry));
    }
    if let Some(p) = &pan
        && check_cvc(&value("cvc"), p.brand()).is_err()
    {
        state.field_errors.push(("cvc", w.invalid_cvc));
    }
    if state.holder.is_empty() {
        state.field_errors.push(("holder", w.missing_holder));
    }
    let (Some(pan), Some(expiry), true) = (pan, expiry, state.field_errors.is_empty()) else {
        return render(&s, &view, &base, state, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match s.app.checkout_pay(&id, PaymentMethodInput::Card { pan, expiry }).await {
        Ok(_) => see_other(&base),
        Err(e) if e.kind == ErrorKind::Validation => {
            let message = if e.param.as_deref() == Some(crate::app::field::PROMOTION_CODE) {
                format!("{} {}", w.code_refused, e.message)
            } else {
                e.message.clone()
            };
            state.alert = Some(message);
            render(&s, &view, &base, state, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) if e.kind == ErrorKind::Conflict => see_other(&base),
        Err(e) => failure(e),
    }
}

async fn promotion(
    State(s): State<HttpState>,
    Extension(mount): Extension<Mount>,
    Id(id, _): Id<CheckoutPage>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    RawBody(body, _): RawBody<CheckoutPage>,
) -> Response {
    let (view, fields) = match posted(&s, &id, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let base = base_of(mount, &view.session.id);
    let code = if fields.contains_key("remove") { None } else { fields.get("code").map(|c| c.trim().to_owned()) };
    // Guessing codes across many sessions from one address is throttled too.
    if code.is_some() && client.is_some_and(|Extension(ConnectInfo(addr))| !s.limiter.try_code(addr.ip())) {
        let state = FormState {
            promo_error: Some(words(view.session.locale).codes_throttled.to_owned()),
            promo_input: code.unwrap_or_default(),
            ..FormState::default()
        };
        let mut page = render(&s, &view, &base, state, StatusCode::TOO_MANY_REQUESTS);
        page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return page;
    }
    match s.app.checkout_apply_code(&id, code.as_deref()).await {
        Ok(_) => see_other(&base),
        Err(e) if e.kind == ErrorKind::Validation => {
            let state = FormState {
                promo_error: Some(e.message.clone()),
                promo_input: code.unwrap_or_default(),
                ..FormState::default()
            };
            render(&s, &view, &base, state, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) if e.kind == ErrorKind::Conflict => see_other(&base),
        Err(e) => failure(e),
    }
}

/// "Pay with …": the payment opens at the provider and the customer is sent there (or, if the
/// provider is slow to answer, back to the page, which shows the way once it has).
async fn pay_with(
    State(s): State<HttpState>,
    Extension(mount): Extension<Mount>,
    Id(id, _): Id<CheckoutPage>,
    RawBody(body, _): RawBody<CheckoutPage>,
) -> Response {
    let (view, fields) = match posted(&s, &id, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let base = base_of(mount, &view.session.id);
    let provider = fields.get("provider").map(String::as_str).unwrap_or_default();
    match s.app.checkout_pay_through(&id, provider).await {
        Ok(pi) => match pi.connector.as_ref().and_then(|c| c.redirect_url.as_deref()) {
            Some(url) => see_other(url),
            None => see_other(&base),
        },
        Err(e) if e.kind == ErrorKind::Validation => {
            let state = FormState { alert: Some(e.message.clone()), ..FormState::default() };
            render(&s, &view, &base, state, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) if e.kind == ErrorKind::Conflict => see_other(&base),
        Err(e) => failure(e),
    }
}

async fn cancel(
    State(s): State<HttpState>,
    Extension(mount): Extension<Mount>,
    Id(id, _): Id<CheckoutPage>,
    RawBody(body, _): RawBody<CheckoutPage>,
) -> Response {
    let (CheckoutView { session, .. }, _) = match posted(&s, &id, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    // A session that already closed (paid, expired) answers with a conflict: the page shows why.
    match s.app.checkout_cancel(&id).await {
        Ok(_) => see_other(&base_of(mount, &session.id)),
        Err(e) if e.kind == ErrorKind::Conflict => see_other(&base_of(mount, &session.id)),
        Err(e) => failure(e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_expiry;

    #[test]
    fn expiries_read_in_the_ways_customers_type_them() {
        let today = (2026, 12);
        for typed in ["12/34", "12 / 34", "12/2034", "1234", " 12 /34 ", "12-34"] {
            assert!(parse_expiry(typed, today).is_some(), "{typed}");
        }
        for typed in ["13/34", "00/34", "11/26", "", "1/2/3", "99999999999999999999/1"] {
            assert!(parse_expiry(typed, today).is_none(), "{typed}");
        }
    }

    proptest::proptest! {
        #[test]
        fn anything_typed_is_read_or_refused_without_a_panic(typed in ".{0,24}", year in 2000u16..2100, month in 1u8..=12) {
            let _ = parse_expiry(&typed, (year, month));
        }
    }
}
