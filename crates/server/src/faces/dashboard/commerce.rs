//! What the merchant sells through: checkout sessions (list, expire), coupons and promotion
//! codes (list, create, deactivate).

use super::view::{self, Section, badge, framed, money, when};
use super::{Dashboard, Desk, Form, PageError, Posted, detached, new_idempotency_key, page, query, see_other};
use crate::app::{AppError, ErrorKind, NewCouponInput, NewPromotionCodeInput};
use crate::app::{CheckoutSessionFilter, Order, PageRequest, PageToken, PromotionCodeListFilter};
use crate::faces::major_units;
use crate::http::HttpState;
use crate::http::face::Id;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kassa_domain::checkout::{Coupon, CouponValue, PromotionCode, Purpose, Restrictions, parse_code};
use kassa_domain::{Amount, Currency, Metadata};
use maud::{Markup, html};

pub fn routes() -> Router<HttpState> {
    super::in_both_modes(vec![
        ("/checkout-sessions", get(sessions)),
        ("/checkout-sessions/{id}/expire", post(expire_session)),
        ("/coupons", get(coupons).post(create_coupon)),
        ("/coupons/{id}/deactivate", post(deactivate_coupon)),
        ("/promotion-codes", post(create_code)),
        ("/promotion-codes/{id}/deactivate", post(deactivate_code)),
    ])
}

/// `GET /dashboard/{mode}/checkout-sessions?page=`
async fn sessions(State(s): State<HttpState>, desk: Desk, uri: Uri) -> Response {
    let q = query(&uri);
    let after = q.get("page").and_then(|p| PageToken::parse(p).ok());
    let request = PageRequest { limit: 25, after, order: Order::NewestFirst };
    let found = match s.app.list_checkout_sessions(&desk.reader(), &CheckoutSessionFilter::default(), request).await {
        Ok(f) => f,
        Err(e) => return PageError(e).into_response(),
    };
    let base = format!("{}/checkout-sessions", desk.base());
    let notice = q.contains_key("expired").then_some("Session expired: its page takes no payment any more.");
    let body = html! {
        h1 { "Checkout sessions" }
        (view::notice(notice, None))
        @if found.items.is_empty() {
            p.empty { "No checkout sessions in this mode yet." }
        } @else {
            div.scroll {
                table.list data-testid="sessions" {
                    thead { tr { th scope="col" { "Total" } th scope="col" { "Status" } th scope="col" { "Session" } th scope="col" { "Customer" } th scope="col" { "Payment" } th scope="col" { "Created" } th scope="col" { "" } } }
                    tbody { @for cs in &found.items { tr {
                        td.amount { (money(cs.totals.total.get(), cs.currency)) }
                        td { (badge(cs.status.as_str())) }
                        td { a href=(s.app.checkout_url(&cs.id)) { code { (cs.id) } } }
                        td { @if let Some(e) = &cs.consumer.email { (e.as_str()) } }
                        td {
                            @match &cs.purpose {
                                Purpose::Payment(pi) => { a href={ (desk.base()) "/payments/" (pi) } { code { (pi) } } }
                                Purpose::Setup(token) => { "saves a card (" code { (token) } ")" }
                            }
                        }
                        td { (when(cs.created_at)) }
                        td {
                            @if cs.status.as_str() == "open" {
                                form.inline method="post" action={ (base) "/" (cs.id) "/expire" } {
                                    (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                                    button.link type="submit" { "Expire" }
                                }
                            }
                        }
                    } } }
                }
            }
        }
        (view::pager(&base, &[], found.next.map(|c| c.encode())))
    };
    page(StatusCode::OK, framed(&desk, Section::Sessions, "Checkout sessions", body))
}

/// `POST /dashboard/{mode}/checkout-sessions/{id}/expire`
async fn expire_session(
    State(s): State<HttpState>,
    Id(id, _): Id<Dashboard>,
    uri: Uri,
    Posted { desk, form }: Posted,
) -> Response {
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    match detached(async move { app.expire_checkout_session(&ctx, &id).await }).await {
        Ok(Ok(_)) => see_other(&format!("{}/checkout-sessions?expired=1", desk.base())),
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}

fn describe(value: &CouponValue) -> String {
    match value {
        CouponValue::AmountOff { amount, currency } => format!("{} off", money(amount.get(), *currency)),
        CouponValue::PercentOff(p) => format!("{p}% off"),
    }
}

async fn coupons_page(
    s: &HttpState,
    desk: &Desk,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let ctx = desk.reader();
    let all = PageRequest { limit: 100, after: None, order: Order::NewestFirst };
    let found: Result<(Vec<Coupon>, Vec<PromotionCode>), AppError> = async {
        let coupons = s.app.list_coupons(&ctx, all.clone()).await?.items;
        let codes = s.app.list_promotion_codes(&ctx, &PromotionCodeListFilter::default(), all).await?.items;
        Ok((coupons, codes))
    }
    .await;
    let (coupons, codes) = match found {
        Ok(f) => f,
        Err(e) => return PageError(e).into_response(),
    };
    let base = desk.base();
    let body = html! {
        h1 { "Coupons and promotion codes" }
        (view::notice(notice, error))
        h2 { "Coupons" }
        @if coupons.is_empty() { p.empty { "No coupons in this mode yet." } } @else {
            div.scroll {
                table.list data-testid="coupons" {
                    thead { tr { th scope="col" { "Coupon" } th scope="col" { "Discount" } th scope="col" { "Status" } th scope="col" { "Redeemed" } th scope="col" { "Created" } th scope="col" { "" } } }
                    tbody { @for c in &coupons { tr {
                        td { (c.name.as_deref().unwrap_or("(no name)")) br; small.muted { code { (c.id) } } }
                        td { (describe(&c.value)) }
                        td { @if c.active { (badge("active")) } @else { (badge("inactive")) } }
                        td { (c.times_redeemed) @if let Some(m) = c.max_redemptions { " of " (m) } }
                        td { (when(c.created_at)) }
                        td { @if c.active { (deactivate_form(desk, &format!("{base}/coupons/{}/deactivate", c.id))) } }
                    } } }
                }
            }
        }
        h2 { "Promotion codes" }
        @if codes.is_empty() { p.empty { "No promotion codes in this mode yet." } } @else {
            div.scroll {
                table.list data-testid="codes" {
                    thead { tr { th scope="col" { "Code" } th scope="col" { "Coupon" } th scope="col" { "Status" } th scope="col" { "Redeemed" } th scope="col" { "Created" } th scope="col" { "" } } }
                    tbody { @for p in &codes { tr {
                        td { strong { (p.code) } }
                        td { code { (p.coupon_id) } }
                        td { @if p.active { (badge("active")) } @else { (badge("inactive")) } }
                        td { (p.times_redeemed) @if let Some(m) = p.max_redemptions { " of " (m) } }
                        td { (when(p.created_at)) }
                        td { @if p.active { (deactivate_form(desk, &format!("{base}/promotion-codes/{}/deactivate", p.id))) } }
                    } } }
                }
            }
        }
        div.columns {
            section {
                h2 { "Create a coupon" }
                form method="post" action={ (base) "/coupons" } {
                    (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                    div.field { label for="coupon-name" { "Name" } input #coupon-name name="name" maxlength="200"; }
                    div.field {
                        label for="percent_off" { "Percent off" }
                        input #percent_off name="percent_off" inputmode="numeric" aria-describedby="off-hint";
                    }
                    div.row {
                        div.field { label for="amount_off" { "Or amount off" } input #amount_off name="amount_off" inputmode="decimal"; }
                        div.field { label for="currency" { "Currency" } input #currency name="currency" maxlength="3" placeholder="USD"; }
                    }
                    p.hint #off-hint { "Give a percentage (1–100), or an amount and its currency." }
                    button.primary type="submit" { "Create coupon" }
                }
            }
            section {
                h2 { "Create a promotion code" }
                @if coupons.iter().any(|c| c.active) {
                    form method="post" action={ (base) "/promotion-codes" } {
                        (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
                        div.field {
                            label for="code" { "Code" }
                            input #code name="code" required maxlength="40" placeholder="SPRING25";
                        }
                        div.field {
                            label for="coupon" { "Coupon" }
                            select #coupon name="coupon" {
                                @for c in coupons.iter().filter(|c| c.active) {
                                    option value=(c.id) { (c.name.as_deref().unwrap_or(c.id.as_str())) " (" (describe(&c.value)) ")" }
                                }
                            }
                        }
                        button.primary type="submit" { "Create code" }
                    }
                } @else {
                    p.hint { "Create an active coupon first; a code applies a coupon." }
                }
            }
        }
    };
    page(status, framed(desk, Section::Coupons, "Coupons", body))
}

fn deactivate_form(desk: &Desk, action: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (view::form_fields(&desk.signed, Some(&new_idempotency_key())))
            button.link type="submit" { "Deactivate" }
        }
    }
}

/// `GET /dashboard/{mode}/coupons`
async fn coupons(State(s): State<HttpState>, desk: Desk, uri: Uri) -> Response {
    let notice = match query(&uri).get("notice").map(String::as_str) {
        Some("coupon") => Some("Coupon created."),
        Some("code") => Some("Promotion code created."),
        Some("deactivated") => Some("Deactivated: it applies to no new checkout."),
        _ => None,
    };
    coupons_page(&s, &desk, notice, None, StatusCode::OK).await
}

fn coupon_value(form: &Form) -> Result<CouponValue, String> {
    let (percent, amount, currency) = (form.text("percent_off"), form.text("amount_off"), form.text("currency"));
    match (percent.is_empty(), amount.is_empty()) {
        (false, true) => {
            let p: i64 = percent.parse().map_err(|_| "Percent off must be a whole number from 1 to 100.".to_owned())?;
            CouponValue::percent(p).map_err(|e| e.message.to_string())
        }
        (true, false) => {
            let currency = Currency::parse(&currency.to_uppercase())
                .map_err(|_| "Give the currency of the amount off (such as USD).".to_owned())?;
            let minor = major_units::to_minor(amount, currency)
                .map_err(|_| format!("Amount off must be an amount in {}, such as 5.00.", currency.code()))?;
            let amount = Amount::new(minor).map_err(|_| "Amount off must be more than zero.".to_owned())?;
            Ok(CouponValue::AmountOff { amount, currency })
        }
        _ => Err("Give either a percentage or an amount off (one of them).".to_owned()),
    }
}

/// `POST /dashboard/{mode}/coupons`
async fn create_coupon(State(s): State<HttpState>, uri: Uri, Posted { desk, form }: Posted) -> Response {
    let value = match coupon_value(&form) {
        Ok(v) => v,
        Err(problem) => return coupons_page(&s, &desk, None, Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let input = NewCouponInput {
        name: Some(form.text("name").to_owned()).filter(|n| !n.is_empty()),
        value,
        expires_at: None,
        max_redemptions: None,
        metadata: Metadata::default(),
    };
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let done = detached(async move { app.create_coupon(&ctx, input).await.map(|_| ()) }).await;
    finish(&s, &desk, done, "coupon").await
}

/// `POST /dashboard/{mode}/promotion-codes`
async fn create_code(State(s): State<HttpState>, uri: Uri, Posted { desk, form }: Posted) -> Response {
    let code = match parse_code(form.text("code")) {
        Ok(c) => c,
        Err(e) => {
            let problem = format!("Code: {}", e.message);
            return coupons_page(&s, &desk, None, Some(&problem), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let input = NewPromotionCodeInput {
        code,
        coupon: form.text("coupon").to_owned(),
        active: true,
        expires_at: None,
        max_redemptions: None,
        restrictions: Restrictions::default(),
        metadata: Metadata::default(),
    };
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let done = detached(async move { app.create_promotion_code(&ctx, input).await.map(|_| ()) }).await;
    finish(&s, &desk, done, "code").await
}

/// `POST /dashboard/{mode}/coupons/{id}/deactivate`
async fn deactivate_coupon(
    State(s): State<HttpState>,
    Id(id, _): Id<Dashboard>,
    uri: Uri,
    Posted { desk, form }: Posted,
) -> Response {
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let done = detached(async move { app.update_coupon(&ctx, &id, None, Some(false), None).await.map(|_| ()) }).await;
    finish(&s, &desk, done, "deactivated").await
}

/// `POST /dashboard/{mode}/promotion-codes/{id}/deactivate`
async fn deactivate_code(
    State(s): State<HttpState>,
    Id(id, _): Id<Dashboard>,
    uri: Uri,
    Posted { desk, form }: Posted,
) -> Response {
    let ctx = desk.actor(uri.path(), &form);
    let app = s.app.clone();
    let done = detached(async move { app.update_promotion_code(&ctx, &id, Some(false), None).await.map(|_| ()) }).await;
    finish(&s, &desk, done, "deactivated").await
}

async fn finish(s: &HttpState, desk: &Desk, done: Result<Result<(), AppError>, Response>, notice: &str) -> Response {
    match done {
        Ok(Ok(())) => see_other(&format!("{}/coupons?notice={notice}", desk.base())),
        Ok(Err(e)) if matches!(e.kind, ErrorKind::Validation | ErrorKind::Conflict | ErrorKind::NotFound) => {
            let status =
                if e.kind == ErrorKind::Conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            coupons_page(s, desk, None, Some(&e.message), status).await
        }
        Ok(Err(e)) => PageError(e).into_response(),
        Err(r) => r,
    }
}
