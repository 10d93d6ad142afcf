//! `/v1/promotion_codes`

use super::V1;
use super::error::V1Error;
use super::read_metadata;
use super::render;
use crate::app::{NewPromotionCodeInput, PromotionCodeListFilter};
use crate::faces::readers::future_instant;
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::checkout::parse_code;
use kassa_domain::{CouponId, Invalid};

/// Create a promotion code for a coupon.
#[utoipa::path(post, path = "/v1/promotion_codes", tag = "Promotions", request_body = api::CreatePromotionCode,
    responses((status = 200, body = api::PromotionCode), (status = 404, description = "No such coupon", body = api::ErrorBody), (status = 409, body = api::ErrorBody), (status = 422, body = api::ErrorBody)))]
pub async fn create(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PromotionCode>, V1Error> {
    let code = f.required_parsed("code", parse_code);
    let coupon = f.required_string("coupon", 100);
    let active = f.boolean("active").unwrap_or(true);
    let expires_at = future_instant(&mut f, "expires_at", s.app.clock().now());
    let max_redemptions = f.integer("max_redemptions", 1, i64::from(u32::MAX), "invalid_max_redemptions");
    let restrictions = crate::faces::readers::promotion_restrictions(&mut f, kassa_domain::Currency::parse);
    let metadata = read_metadata(&mut f, "metadata");
    f.finish()?;
    let input = NewPromotionCodeInput {
        code: vouched(code)?,
        coupon: vouched(coupon)?,
        active,
        expires_at,
        max_redemptions,
        restrictions,
        metadata: metadata.unwrap_or_default(),
    };
    Ok(Json(render::promotion_code(&s.app.create_promotion_code(&ctx, input).await?)))
}

/// Retrieve a promotion code.
#[utoipa::path(get, path = "/v1/promotion_codes/{id}", tag = "Promotions", params(("id" = String, Path)),
    responses((status = 200, body = api::PromotionCode), (status = 404, body = api::ErrorBody)))]
pub async fn retrieve(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Params(q, _): Params<V1>,
) -> Result<Json<api::PromotionCode>, V1Error> {
    q.finish()?;
    Ok(Json(render::promotion_code(&s.app.get_promotion_code(&ctx, &id).await?)))
}

/// List promotion codes, newest first.
#[utoipa::path(get, path = "/v1/promotion_codes", tag = "Promotions",
    params(("limit" = Option<u32>, Query), ("page_token" = Option<String>, Query), ("code" = Option<String>, Query),
           ("coupon" = Option<String>, Query), ("active" = Option<bool>, Query)),
    responses((status = 200, body = api::List<api::PromotionCode>)))]
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::PromotionCode>>, V1Error> {
    let page = q.page();
    let code = q.take("code");
    let coupon =
        q.parsed("coupon", |c| CouponId::parse(c).ok_or_else(|| Invalid::new("invalid_coupon", "Not a coupon id.")));
    let active = q.parsed("active", |a| match a {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Invalid::new("parameter_invalid_boolean", "Must be true or false.")),
    });
    q.finish()?;
    let found = s.app.list_promotion_codes(&ctx, &PromotionCodeListFilter { code, coupon, active }, page).await?;
    Ok(Json(api::List::new(found.items.iter().map(render::promotion_code).collect(), found.next.map(|c| c.encode()))))
}

/// Change whether a code is active, or its metadata.
#[utoipa::path(post, path = "/v1/promotion_codes/{id}", tag = "Promotions", params(("id" = String, Path)),
    request_body = api::UpdatePromotionCode,
    responses((status = 200, body = api::PromotionCode), (status = 404, body = api::ErrorBody)))]
pub async fn update(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Id(id, _): Id<V1>,
    Body(mut f, _): Body<V1>,
) -> Result<Json<api::PromotionCode>, V1Error> {
    let active = f.boolean("active");
    let metadata = f.string_map("metadata");
    f.finish()?;
    Ok(Json(render::promotion_code(&s.app.update_promotion_code(&ctx, &id, active, metadata).await?)))
}
