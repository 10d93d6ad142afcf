//! Signing in and out, and the account page (changing the password).

use super::view::{self, framed_account};
use super::{Dashboard, Signed, checked_form, cleared_cookie, local_path, page, query, see_other, session_cookie};
use crate::app::{DASHBOARD_MIN_PASSWORD_LEN, ErrorKind};
use crate::http::HttpState;
use crate::http::face::RawBody;
use crate::http::fields::has_control_characters;
use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use std::net::SocketAddr;

pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/dashboard/sign-in", get(sign_in_page).post(sign_in))
        .route("/dashboard/sign-out", post(sign_out))
        .route("/dashboard/account", get(account).post(change_password))
}

fn sign_in_form(next: &str, email: &str, error: Option<&str>) -> Markup {
    view::plain(
        "Sign in",
        html! {
            h1 { "Sign in to Kassa" }
            (view::notice(None, error))
            form.card method="post" action="/dashboard/sign-in" {
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="email" { "Email" }
                    input #email type="email" name="email" autocomplete="username" required value=(email);
                }
                div.field {
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                }
                button.primary type="submit" { "Sign in" }
            }
            p.hint { "No account? An operator creates one with " code { "kassa users create --merchant mer_… --email …" } "." }
        },
    )
}

/// `GET /dashboard/sign-in`
async fn sign_in_page(uri: Uri) -> Response {
    let q = query(&uri);
    let next = q.get("next").map(String::as_str).and_then(local_path).unwrap_or("/dashboard/test/overview");
    page(StatusCode::OK, sign_in_form(next, "", None))
}

/// `POST /dashboard/sign-in`: a cookie on success; the same form with one message for an
/// unknown email and a wrong password. Failures from one address are throttled like failed API
/// keys, and counted per email and address by the core (a lock keeps that address out).
async fn sign_in(
    State(s): State<HttpState>,
    headers: HeaderMap,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    RawBody(body, _): RawBody<Dashboard>,
) -> Response {
    let fields: std::collections::BTreeMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or_default();
    let next = local_path(field("next")).unwrap_or("/dashboard/test/overview").to_owned();
    let email = field("email").trim().to_owned();
    let client = client.map(|Extension(ConnectInfo(addr))| addr.ip());
    if !super::same_origin(&headers) {
        return page(StatusCode::FORBIDDEN, sign_in_form(&next, &email, Some("Sign in from this site's own page.")));
    }
    if let Some(wait) = client.and_then(|ip| s.limiter.failures_block(ip)) {
        let message =
            format!("Too many failed sign-ins from this address; try again in {} seconds.", wait.as_secs() + 1);
        let mut r = page(StatusCode::TOO_MANY_REQUESTS, sign_in_form(&next, &email, Some(&message)));
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs() + 1));
        return r;
    }
    let password = field("password");
    // Control characters are in no email or password; PostgreSQL could not even look them up.
    let answer = if has_control_characters(&email) || has_control_characters(password) {
        Err(crate::app::AppError::new(
            ErrorKind::Authentication,
            "invalid_credentials",
            "The email or the password is wrong.",
        ))
    } else {
        s.app.dashboard_sign_in(&email, password, client).await
    };
    match answer {
        Ok(signed_in) => {
            let mut r = see_other(&next);
            r.headers_mut().insert(header::SET_COOKIE, session_cookie(&s, &signed_in.token));
            r
        }
        Err(e) => {
            let status = match e.kind {
                ErrorKind::Authentication => {
                    if let Some(ip) = client {
                        s.limiter.authentication_failed(ip);
                    }
                    StatusCode::UNAUTHORIZED
                }
                ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
                _ => return super::PageError(e).into_response(),
            };
            let mut r = page(status, sign_in_form(&next, &email, Some(&e.message)));
            if let Some(after) = e.retry_after {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(after));
            }
            r
        }
    }
}

/// `POST /dashboard/sign-out`: the session ends on the server, not only in this browser.
async fn sign_out(
    State(s): State<HttpState>,
    signed: Result<Signed, Response>,
    headers: HeaderMap,
    RawBody(body, _): RawBody<Dashboard>,
) -> Response {
    if let Ok(signed) = signed {
        if let Err(refused) = checked_form(&signed, &headers, &body) {
            return *refused;
        }
        if let Some(token) = super::cookie_value(&headers)
            && let Err(e) = s.app.dashboard_sign_out(&token).await
        {
            return super::PageError(e).into_response();
        }
    }
    let mut r = see_other("/dashboard/sign-in?signed_out=1");
    r.headers_mut().insert(header::SET_COOKIE, cleared_cookie());
    r
}

fn account_page(signed: &Signed, notice: Option<&str>, error: Option<&str>) -> Markup {
    framed_account(
        signed,
        "Account",
        html! {
            h1 { "Account" }
            (view::notice(notice, error))
            dl.facts {
                dt { "Email" } dd { (signed.user.email) }
                dt { "Merchant" } dd { (signed.merchant_name) " (" code { (signed.user.merchant_id) } ")" }
            }
            h2 { "Change password" }
            form.card method="post" action="/dashboard/account" {
                (view::form_fields(signed, None))
                div.field {
                    label for="password" { "Current password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                }
                div.field {
                    label for="new_password" { "New password" }
                    input #new_password type="password" name="new_password" autocomplete="new-password" required
                        minlength=(DASHBOARD_MIN_PASSWORD_LEN) aria-describedby="new-password-hint";
                    p.hint #new-password-hint { "At least " (DASHBOARD_MIN_PASSWORD_LEN) " characters. Signs you out everywhere else." }
                }
                button.primary type="submit" { "Change password" }
            }
        },
    )
}

/// `GET /dashboard/account`
async fn account(signed: Signed, uri: Uri) -> Response {
    let changed = query(&uri).contains_key("changed").then_some("Password changed.");
    page(StatusCode::OK, account_page(&signed, changed, None))
}

/// `POST /dashboard/account`
async fn change_password(
    State(s): State<HttpState>,
    signed: Signed,
    headers: HeaderMap,
    RawBody(body, _): RawBody<Dashboard>,
) -> Response {
    let form = match checked_form(&signed, &headers, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    match s.app.change_dashboard_password(&signed.user, form.text("password"), form.text("new_password")).await {
        Ok(signed_in) => {
            let mut r = see_other("/dashboard/account?changed=1");
            r.headers_mut().insert(header::SET_COOKIE, session_cookie(&s, &signed_in.token));
            r
        }
        Err(e) if e.kind == ErrorKind::Validation => {
            page(StatusCode::UNPROCESSABLE_ENTITY, account_page(&signed, None, Some(&e.message)))
        }
        Err(e) => super::PageError(e).into_response(),
    }
}
