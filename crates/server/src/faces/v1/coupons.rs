//! `/v1/coupons`

use super::V1;
use super::error::V1Error;
use super::read_metadata;
use super::render;
use crate::app::NewCouponInput;
use crate::faces::readers::future_instant;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::checkout::CouponValue;
use kassa_domain::{Currency, Invalid};

/// Create a coupon: `amount_off` with `currency`, or `percent_off`.
#[utoipa::path(post, path = "/v1/coupons", tag = "Promotions", request_body = api::CreateCoupon,
    responses((status = 200, body = api::Coupon), (status = 422, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Coupon>, V1Error> {
    let name = f.string("name", 100);
    let amount_off = f.amount("amount_off");
    let currency = f.parsed("currency", Currency::parse);
    let percent_off = f.integer("percent_off", 1, 100, "invalid_percent_off");
    let expires_at = future_instant(&mut f, "expires_at", s.app.clock().now());
    let max_redemptions = f.integer("max_redemptions", 1, i64::from(u32::MAX), "invalid_max_redemptions");
    let metadata = read_metadata(&mut f, "metadata");
    let value = match (amount_off, currency, percent_off) {
        (Some(amount), Some(currency), None) => Some(CouponValue::AmountOff { amount, currency }),
        (None, None, Some(p)) => CouponValue::percent(p).map_err(|e| f.reject("percent_off", e)).ok(),
        (Some(_), None, None) => {
            f.reject("currency", Invalid::new("parameter_missing", "amount_off needs a currency."));
            None
        }
        _ if !f.has_errors() => {
            f.reject("percent_off", Invalid::new("invalid_coupon", "Give amount_off with currency, or percent_off."));
            None
        }
        _ => None,
    };
    f.finish()?;
    let input = NewCouponInput {
        name,
        value: vouched(value)?,
        expires_at,
        max_redemptions,
        metadata: metadata.unwrap_or_default(),
    };
    Ok(Json(render::coupon(&s.app.create_coupon(&ctx, input).await?)))
}

/// Retrieve a coupon.
#[utoipa::path(get, path = "/v1/coupons/{id}", tag = "Promotions", params(("id" = String, Path)),
    responses((status = 200, body = api::Coupon), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::Coupon>, V1Error> {
    q.finish()?;
    Ok(Json(render::coupon(&s.app.get_coupon(&ctx, &id).await?)))
}

/// List coupons, newest first.
#[utoipa::path(get, path = "/v1/coupons", tag = "Promotions",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query)),
    responses((status = 200, body = api::List<api::Coupon>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::Coupon>>, V1Error> {
    let page = q.page();
    q.finish()?;
    let found = s.app.list_coupons(&ctx, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::coupon).collect(), found.next.map(|c| c.encode()))))
}

/// Change a coupon's name, whether it is active, or its metadata.
#[utoipa::path(post, path = "/v1/coupons/{id}", tag = "Promotions", params(("id" = String, Path)), request_body = api::UpdateCoupon,
    responses((status = 200, body = api::Coupon), (status = 404, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::Coupon>, V1Error> {
    let name = f.string("name", 100);
    let active = f.boolean("active");
    let metadata = f.string_map("metadata");
    f.finish()?;
    Ok(Json(render::coupon(&s.app.update_coupon(&ctx, &id, name, active, metadata).await?)))
}
