//! `/v1/coupons` and `/v1/promotion_codes`: Kassa's coupons and codes in Stripe's words. A
//! coupon is `percent_off` (whole percents) or `amount_off` in a `currency`; its `duration` is
//! `once` (or `forever`, the same for one-off payments; `repeating` belongs to subscriptions,
//! not served). Deleting a coupon makes it invalid (Kassa keeps it for the discounts it gave).
//! A promotion code names its coupon as API version `2026-11-18.endive` does:
//! `promotion: {type: "coupon", coupon}`.

use super::lists::{self, LIST_PARAMS};
use super::params::{self, Kind};
use super::{Stripe, StripeError, render};
use crate::app::{NewCouponInput, NewPromotionCodeInput, PromotionCodeListFilter};
use crate::faces::readers::{future_instant, promotion_restrictions};
use crate::http::HttpState;
use crate::http::face::{Caller, Id, RawBody};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::{RawQuery, State};
use kassa_domain::checkout::{Coupon, CouponValue, PromotionCode, parse_code};
use kassa_domain::{CouponId, Currency, Invalid, random_base62};
use serde_json::{Value, json};

fn currency(code: &str) -> Result<Currency, Invalid> {
    Currency::parse(&code.to_ascii_uppercase())
}

/// A coupon in Stripe's shape.
fn coupon(c: &Coupon) -> Value {
    let (amount_off, currency, percent_off) = match c.value {
        CouponValue::AmountOff { amount, currency } => {
            (Some(amount.get()), Some(currency.code().to_ascii_lowercase()), None)
        }
        CouponValue::PercentOff(p) => (None, None, Some(p)),
    };
    json!({
        "id": c.id.as_str(),
        "object": "coupon",
        "amount_off": amount_off,
        "created": render::unix(c.created_at),
        "currency": currency,
        "duration": "once",
        "duration_in_months": null,
        "livemode": c.mode == kassa_domain::Mode::Live,
        "max_redemptions": c.max_redemptions,
        "metadata": serde_json::to_value(&c.metadata).unwrap_or_else(|_| json!({})),
        "name": c.name,
        "percent_off": percent_off,
        "redeem_by": c.expires_at.map(render::unix),
        "times_redeemed": c.times_redeemed,
        "valid": c.active,
    })
}

/// A promotion code in Stripe's shape (its coupon inside).
fn promotion_code(p: &PromotionCode, of: &Coupon) -> Value {
    let r = &p.restrictions;
    json!({
        "id": p.id.as_str(),
        "object": "promotion_code",
        "active": p.active,
        "code": p.code,
        "created": render::unix(p.created_at),
        "customer": null,
        "expires_at": p.expires_at.map(render::unix),
        "livemode": p.mode == kassa_domain::Mode::Live,
        "max_redemptions": p.max_redemptions,
        "metadata": serde_json::to_value(&p.metadata).unwrap_or_else(|_| json!({})),
        "promotion": {"type": "coupon", "coupon": coupon(of)},
        "restrictions": {
            "first_time_transaction": r.first_time_only,
            "minimum_amount": r.minimum_amount.map(|(a, _)| a.get()),
            "minimum_amount_currency": r.minimum_amount.map(|(_, c)| c.code().to_ascii_lowercase()),
        },
        "times_redeemed": p.times_redeemed,
    })
}

/// Create a coupon.
pub async fn create_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let typed = [
        ("amount_off", Kind::Integer),
        ("percent_off", Kind::Integer),
        ("max_redemptions", Kind::Integer),
        ("redeem_by", Kind::Integer),
    ];
    let mut f = params::read(&body, &typed)?;
    let name = f.string("name", 40);
    let amount_off = f.amount("amount_off");
    let currency = f.parsed("currency", currency);
    let percent_off = f.integer("percent_off", 1, 100, "parameter_invalid_integer");
    match f.string("duration", 20).as_deref() {
        None | Some("once" | "forever") => {}
        Some("repeating") => f.reject(
            "duration",
            Invalid::new("parameter_unsupported", "A repeating coupon belongs to subscriptions, which are not served."),
        ),
        Some(_) => f.reject("duration", Invalid::new("parameter_invalid", "Duration is once, forever or repeating.")),
    }
    if f.has("id") {
        f.string("id", 200);
        f.reject("id", Invalid::new("parameter_unsupported", "Coupons take Kassa's ids (co_…); name it with name."));
    }
    let max_redemptions = f.integer("max_redemptions", 1, i64::from(u32::MAX), "parameter_invalid_integer");
    let redeem_by = future_instant(&mut f, "redeem_by", s.app.clock().now());
    let metadata = params::metadata(&mut f);
    let value = match (amount_off, currency, percent_off) {
        (Some(amount), Some(currency), None) => Some(CouponValue::AmountOff { amount, currency }),
        (None, None, Some(p)) => CouponValue::percent(p).map_err(|e| f.reject("percent_off", e)).ok(),
        (Some(_), None, None) => {
            f.reject("currency", Invalid::new("parameter_missing", "amount_off needs a currency."));
            None
        }
        _ if !f.has_errors() => {
            f.reject(
                "percent_off",
                Invalid::new("parameter_missing", "Give percent_off, or amount_off with currency (not both)."),
            );
            None
        }
        _ => None,
    };
    params::finish(f, false)?;
    let input = NewCouponInput {
        name,
        value: vouched(value)?,
        expires_at: redeem_by,
        max_redemptions,
        metadata: metadata.unwrap_or_default(),
    };
    Ok(Json(coupon(&s.app.create_coupon(&ctx, input).await?)))
}

/// Retrieve a coupon.
pub async fn retrieve_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    Ok(Json(coupon(&s.app.get_coupon(&ctx, &id).await?)))
}

/// Update a coupon's `name` and `metadata`.
pub async fn update_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read_update(&body, &[])?;
    let name = f.string("name", 40);
    let metadata = f.string_map("metadata");
    f.finish()?;
    Ok(Json(coupon(&s.app.update_coupon(&ctx, &id, name, None, metadata).await?)))
}

/// Delete a coupon: it can no longer be redeemed.
pub async fn delete_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let gone = s.app.update_coupon(&ctx, &id, None, Some(false), None).await?;
    Ok(Json(json!({"id": gone.id.as_str(), "object": "coupon", "deleted": true})))
}

/// List coupons, newest first.
pub async fn list_coupons(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read(query.unwrap_or_default().as_bytes(), LIST_PARAMS)?;
    let request = lists::read(&mut f);
    f.finish()?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_coupon(&ctx, id).await?.created_at),
        None => None,
    };
    let page = s.app.list_coupons(&ctx, request.page(anchor)?).await?;
    Ok(Json(request.answer("/v1/coupons", page.map(|c| coupon(&c)))))
}

/// A code of its own, for a promotion code created without one (as Stripe makes one).
fn new_code() -> String {
    random_base62(8).to_ascii_uppercase()
}

/// Create a promotion code for a coupon: `promotion[type]=coupon` and `promotion[coupon]` (or
/// the older `coupon`), `code` (made when absent), `active`, `expires_at`, `max_redemptions`,
/// `restrictions`.
pub async fn create_promotion_code(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let typed = [
        ("active", Kind::Boolean),
        ("max_redemptions", Kind::Integer),
        ("expires_at", Kind::Integer),
        ("restrictions.minimum_amount", Kind::Integer),
        ("restrictions.first_time_transaction", Kind::Boolean),
    ];
    let mut f = params::read(&body, &typed)?;
    let mut coupon_id = f.string("coupon", 100);
    if let Some(mut promotion) = f.object("promotion") {
        if let Some(kind) = promotion.string("type", 20).filter(|t| t != "coupon") {
            promotion
                .reject("type", Invalid::new("parameter_invalid", format!("A promotion is a coupon, not {kind}.")));
        }
        coupon_id = coupon_id.or(promotion.string("coupon", 100));
        f.absorb(promotion);
    }
    if coupon_id.is_none() && !f.has_errors() {
        f.reject("promotion[coupon]", Invalid::new("parameter_missing", "Missing required param: promotion[coupon]."));
    }
    let code = f.parsed("code", parse_code);
    let active = f.boolean("active").unwrap_or(true);
    let expires_at = future_instant(&mut f, "expires_at", s.app.clock().now());
    let max_redemptions = f.integer("max_redemptions", 1, i64::from(u32::MAX), "parameter_invalid_integer");
    let restrictions = promotion_restrictions(&mut f, currency);
    let metadata = params::metadata(&mut f);
    f.finish()?;
    let input = NewPromotionCodeInput {
        code: code.unwrap_or_else(new_code),
        coupon: vouched(coupon_id)?,
        active,
        expires_at,
        max_redemptions,
        restrictions,
        metadata: metadata.unwrap_or_default(),
    };
    let promo = s.app.create_promotion_code(&ctx, input).await?;
    let of = s.app.get_coupon(&ctx, promo.coupon_id.as_str()).await?;
    Ok(Json(promotion_code(&promo, &of)))
}

/// Retrieve a promotion code.
pub async fn retrieve_promotion_code(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let promo = s.app.get_promotion_code(&ctx, &id).await?;
    let of = s.app.get_coupon(&ctx, promo.coupon_id.as_str()).await?;
    Ok(Json(promotion_code(&promo, &of)))
}

/// Update whether a code is `active`, and its `metadata`.
pub async fn update_promotion_code(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    Id(id, _): Id<Stripe>,
    RawBody(body, _): RawBody<Stripe>,
) -> Result<Json<Value>, StripeError> {
    let mut f = params::read_update(&body, &[("active", Kind::Boolean)])?;
    let active = f.boolean("active");
    let metadata = f.string_map("metadata");
    f.finish()?;
    let promo = s.app.update_promotion_code(&ctx, &id, active, metadata).await?;
    let of = s.app.get_coupon(&ctx, promo.coupon_id.as_str()).await?;
    Ok(Json(promotion_code(&promo, &of)))
}

/// List promotion codes, newest first (`code`, `coupon`, `active`).
pub async fn list_promotion_codes(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Stripe>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, StripeError> {
    let mut typed = LIST_PARAMS.to_vec();
    typed.push(("active", Kind::Boolean));
    let mut f = params::read(query.unwrap_or_default().as_bytes(), &typed)?;
    let request = lists::read(&mut f);
    let code = f.string("code", 40);
    let coupon_id = f.parsed("coupon", |c| {
        CouponId::parse(c).ok_or_else(|| Invalid::new("resource_missing", format!("No such coupon: '{c}'")))
    });
    let active = f.boolean("active");
    f.finish()?;
    let anchor = match request.anchor() {
        Some(id) => Some(s.app.get_promotion_code(&ctx, id).await?.created_at),
        None => None,
    };
    let filter = PromotionCodeListFilter { code, coupon: coupon_id, active };
    let page = s.app.list_promotion_codes(&ctx, &filter, request.page(anchor)?).await?;
    let mut data = Vec::with_capacity(page.items.len());
    for promo in &page.items {
        let of = s.app.get_coupon(&ctx, promo.coupon_id.as_str()).await?;
        data.push(promotion_code(promo, &of));
    }
    let page = crate::app::Page { items: data, next: page.next };
    Ok(Json(request.answer("/v1/promotion_codes", page)))
}
