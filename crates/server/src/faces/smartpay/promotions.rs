//! Coupons and promotion codes: create, get, update, list, with Smartpay's fields
//! (`discountType amount|percentage`, epoch-millisecond `expiresAt`, `maxRedemptionCount`).

use super::Smartpay;
use super::collection::{self, expand_only};
use super::error::SmartpayError;
use super::ids;
use super::render;
use crate::app::{NewCouponInput, NewPromotionCodeInput};
use crate::http::HttpState;
use crate::http::face::{Body, Caller, Id, Params};
use crate::http::fields::{Fields, vouched};
use axum::Json;
use axum::extract::State;
use kassa_domain::checkout::{CouponValue, Restrictions, parse_code};
use kassa_domain::{Amount, Currency, Invalid, Metadata, Timestamp};
use serde_json::Value;

/// An epoch-millisecond instant in the future.
fn future_millis(f: &mut Fields, field: &str, now: Timestamp) -> Option<Timestamp> {
    let ms = f.integer(field, 0, i64::MAX / 1000, "invalid_timestamp")?;
    let at = Timestamp(ms * 1000);
    if at <= now {
        f.reject(
            field,
            Invalid::new("invalid_timestamp", format!("{field} must be in the future (epoch milliseconds).")),
        );
        return None;
    }
    Some(at)
}

fn read_metadata(f: &mut Fields) -> Metadata {
    let entries = f.string_map("metadata").unwrap_or_default();
    Metadata::new(entries).unwrap_or_else(|e| {
        f.reject("metadata", e);
        Metadata::default()
    })
}

fn max_redemptions(f: &mut Fields) -> Option<i64> {
    f.integer("maxRedemptionCount", 1, i64::from(u32::MAX), "invalid_max_redemption_count")
}

/// `POST /coupons`.
pub async fn create_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let name = f.required_string("name", 100);
    let kind = f.required_parsed("discountType", |t| match t {
        "amount" | "percentage" => Ok(t.to_owned()),
        _ => Err(Invalid::new("invalid_discount_type", "discountType is amount or percentage.")),
    });
    let value = match kind.as_deref() {
        Some("amount") => {
            let amount = f.required_integer("discountAmount", 1, i64::from(u32::MAX), "invalid_amount");
            let currency = f.required_parsed("currency", Currency::parse);
            match (amount.map(Amount::new), currency) {
                (Some(Ok(amount)), Some(currency)) => Some(CouponValue::AmountOff { amount, currency }),
                _ => None,
            }
        }
        Some(_) => {
            let percent = f.required_integer("discountPercentage", 1, 100, "invalid_percentage");
            percent.and_then(|p| CouponValue::percent(p).ok())
        }
        None => None,
    };
    let expires_at = future_millis(&mut f, "expiresAt", s.app.clock().now());
    let max = max_redemptions(&mut f);
    let metadata = read_metadata(&mut f);
    // The value of the other discount type, which the SDK may pass along.
    f.ignore(&["discountAmount", "discountPercentage", "currency"]);
    f.finish()?;
    let input = NewCouponInput { name, value: vouched(value)?, expires_at, max_redemptions: max, metadata };
    Ok(Json(render::coupon(&s.app.create_coupon(&ctx, input).await?)))
}

/// `GET /coupons/{id}`.
pub async fn retrieve_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    expand_only(q)?;
    let kassa_id = ids::parse(ids::COUPON, ctx.scope.mode, &id)?;
    Ok(Json(render::coupon(&s.app.get_coupon(&ctx, &kassa_id).await?)))
}

/// `PATCH /coupons/{id}` `{name?, active?, metadata?}`.
pub async fn update_coupon(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let name = f.string("name", 100);
    let active = f.boolean("active");
    let metadata = f.string_map("metadata");
    // The SDK sends an update's idempotencyKey in the body.
    f.ignore(&["idempotencyKey"]);
    f.finish()?;
    let kassa_id = ids::parse(ids::COUPON, ctx.scope.mode, &id)?;
    Ok(Json(render::coupon(&s.app.update_coupon(&ctx, &kassa_id, name, active, metadata).await?)))
}

/// `GET /coupons`.
pub async fn list_coupons(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_coupons(&ctx, asked.page.clone()).await?;
    let data = found.items.iter().map(render::coupon).collect();
    Ok(collection::respond(&asked, &found, data)?)
}

/// `POST /promotion-codes`.
pub async fn create_code(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let code = f.required_parsed("code", parse_code);
    let coupon = f.required_string("coupon", 100);
    let active = f.boolean("active").unwrap_or(true);
    let currency = f.parsed("currency", Currency::parse);
    let expires_at = future_millis(&mut f, "expiresAt", s.app.clock().now());
    let first_time_only = f.boolean("firstTimeTransaction").unwrap_or(false);
    let once_per_customer = f.boolean("onePerCustomer").unwrap_or(false);
    let max = max_redemptions(&mut f);
    let minimum = f.integer("minimumAmount", 1, i64::from(u32::MAX), "invalid_amount");
    let minimum_amount = match (minimum, currency) {
        (Some(m), Some(c)) => Amount::new(m).ok().map(|a| (a, c)),
        (Some(_), None) => {
            f.reject("currency", Invalid::new("parameter_missing", "A minimumAmount needs its currency."));
            None
        }
        (None, _) => None,
    };
    let metadata = read_metadata(&mut f);
    f.finish()?;
    let coupon = vouched(coupon)?;
    let input = NewPromotionCodeInput {
        code: vouched(code)?,
        coupon: ids::parse(ids::COUPON, ctx.scope.mode, &coupon)?,
        active,
        expires_at,
        max_redemptions: max,
        restrictions: Restrictions { minimum_amount, first_time_only, once_per_customer },
        metadata,
    };
    Ok(Json(render::promotion_code(&s.app.create_promotion_code(&ctx, input).await?)))
}

/// `GET /promotion-codes/{id}`.
pub async fn retrieve_code(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Params(q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    expand_only(q)?;
    let kassa_id = ids::parse(ids::PROMOTION_CODE, ctx.scope.mode, &id)?;
    Ok(Json(render::promotion_code(&s.app.get_promotion_code(&ctx, &kassa_id).await?)))
}

/// `PATCH /promotion-codes/{id}` `{active?, metadata?}`.
pub async fn update_code(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Id(id, _): Id<Smartpay>,
    Body(mut f, _): Body<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let active = f.boolean("active");
    let metadata = f.string_map("metadata");
    // The SDK sends an update's idempotencyKey in the body.
    f.ignore(&["idempotencyKey"]);
    f.finish()?;
    let kassa_id = ids::parse(ids::PROMOTION_CODE, ctx.scope.mode, &id)?;
    Ok(Json(render::promotion_code(&s.app.update_promotion_code(&ctx, &kassa_id, active, metadata).await?)))
}

/// `GET /promotion-codes`.
pub async fn list_codes(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Smartpay>,
    Params(mut q, _): Params<Smartpay>,
) -> Result<Json<Value>, SmartpayError> {
    let asked = collection::request(&mut q);
    collection::finish(q)?;
    let found = s.app.list_promotion_codes(&ctx, &Default::default(), asked.page.clone()).await?;
    let data = found.items.iter().map(render::promotion_code).collect();
    Ok(collection::respond(&asked, &found, data)?)
}
