//! Coupons and the promotion codes that hand them out.

use super::error::field;
use super::list::{Page, PageRequest};
use super::{App, AppError, AppResult, Ctx, ErrorKind};
use kassa_domain::checkout::{Coupon, CouponValue, PromotionCode, Restrictions};
use kassa_domain::{CouponId, Metadata, PromotionCodeId, Timestamp};
use kassa_store::checkout::{self as store, PromotionCodeFilter};
use std::collections::BTreeMap;

/// A new coupon, parsed.
#[derive(Debug)]
pub struct NewCouponInput {
    /// Shown to customers.
    pub name: Option<String>,
    /// The discount.
    pub value: CouponValue,
    /// Redeemable until.
    pub expires_at: Option<Timestamp>,
    /// Most redemptions.
    pub max_redemptions: Option<i64>,
    /// Annotations.
    pub metadata: Metadata,
}

/// A new promotion code, parsed.
#[derive(Debug)]
pub struct NewPromotionCodeInput {
    /// The code.
    pub code: String,
    /// Its coupon, as given.
    pub coupon: String,
    /// Usable now.
    pub active: bool,
    /// Usable until.
    pub expires_at: Option<Timestamp>,
    /// Most redemptions.
    pub max_redemptions: Option<i64>,
    /// Conditions.
    pub restrictions: Restrictions,
    /// Annotations.
    pub metadata: Metadata,
}

/// Which promotion codes to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromotionCodeListFilter {
    /// Only this code (any case).
    pub code: Option<String>,
    /// Only codes of this coupon.
    pub coupon: Option<CouponId>,
    /// Only active (or inactive) codes.
    pub active: Option<bool>,
}

fn coupon_id(id: &str) -> AppResult<CouponId> {
    CouponId::parse(id).ok_or_else(|| AppError::not_found("coupon", id))
}

fn promotion_code_id(id: &str) -> AppResult<PromotionCodeId> {
    PromotionCodeId::parse(id).ok_or_else(|| AppError::not_found("promotion_code", id))
}

impl App {
    /// Creates a coupon.
    pub async fn create_coupon(&self, ctx: &Ctx, input: NewCouponInput) -> AppResult<Coupon> {
        let coupon = Coupon {
            id: CouponId::generate(),
            merchant_id: ctx.scope.merchant_id.clone(),
            mode: ctx.scope.mode,
            name: input.name,
            value: input.value,
            expires_at: input.expires_at,
            max_redemptions: input.max_redemptions,
            times_redeemed: 0,
            reserved: 0,
            active: true,
            metadata: input.metadata,
            created_at: self.clock().now(),
        };
        self.idempotent(ctx, async |tx| {
            store::insert_coupon(tx, &coupon).await?;
            Ok(coupon)
        })
        .await
    }

    /// One coupon.
    pub async fn get_coupon(&self, ctx: &Ctx, id: &str) -> AppResult<Coupon> {
        store::get_coupon(self.store().reader(), &ctx.scope, &coupon_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("coupon", id))
    }

    /// One page of coupons, newest first.
    pub async fn list_coupons(&self, ctx: &Ctx, page: PageRequest) -> AppResult<Page<Coupon>> {
        Ok(store::list_coupons(self.store().reader(), &ctx.scope, &page.to_store()).await?.into())
    }

    /// Changes a coupon's name, whether it is active, and its metadata.
    pub async fn update_coupon(
        &self,
        ctx: &Ctx,
        id: &str,
        name: Option<String>,
        active: Option<bool>,
        metadata: Option<BTreeMap<String, String>>,
    ) -> AppResult<Coupon> {
        let co_id = coupon_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut coupon =
                store::lock_coupon(tx, &ctx.scope, &co_id).await?.ok_or_else(|| AppError::not_found("coupon", id))?;
            if let Some(m) = metadata {
                coupon.metadata = coupon.metadata.merged(m).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
            }
            if name.is_some() {
                coupon.name = name;
            }
            if let Some(a) = active {
                coupon.active = a;
            }
            store::update_coupon(tx, &coupon, self.clock().now()).await?;
            Ok(coupon)
        })
        .await
    }

    /// Creates a promotion code for a coupon. Codes are unique per merchant whatever their case.
    pub async fn create_promotion_code(&self, ctx: &Ctx, input: NewPromotionCodeInput) -> AppResult<PromotionCode> {
        let co_id = coupon_id(&input.coupon).map_err(|e| e.with_param("coupon"))?;
        self.idempotent(ctx, async |tx| {
            let coupon = store::get_coupon(tx.conn(), &ctx.scope, &co_id)
                .await?
                .ok_or_else(|| AppError::not_found("coupon", &input.coupon).with_param("coupon"))?;
            if let Some((_, currency)) = input.restrictions.minimum_amount
                && let CouponValue::AmountOff { currency: c, .. } = coupon.value
                && c != currency
            {
                return Err(AppError::invalid_field(
                    "restrictions[minimum_amount_currency]",
                    kassa_domain::Invalid::new(
                        "currency_mismatch",
                        "The minimum amount must be in the coupon's currency.",
                    ),
                ));
            }
            let promo = PromotionCode {
                id: PromotionCodeId::generate(),
                merchant_id: ctx.scope.merchant_id.clone(),
                mode: ctx.scope.mode,
                code: input.code.clone(),
                coupon_id: coupon.id,
                active: input.active,
                expires_at: input.expires_at,
                max_redemptions: input.max_redemptions,
                times_redeemed: 0,
                reserved: 0,
                restrictions: input.restrictions.clone(),
                metadata: input.metadata.clone(),
                created_at: self.clock().now(),
            };
            match store::insert_promotion_code(tx, &promo).await {
                Ok(()) => Ok(promo),
                Err(e) if e.is_unique_violation() => Err(AppError::new(
                    ErrorKind::Conflict,
                    "promotion_code_exists",
                    format!("A promotion code `{}` exists already (codes are unique whatever their case).", input.code),
                )
                .with_param("code")),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// One promotion code.
    pub async fn get_promotion_code(&self, ctx: &Ctx, id: &str) -> AppResult<PromotionCode> {
        store::get_promotion_code(self.store().reader(), &ctx.scope, &promotion_code_id(id)?)
            .await?
            .ok_or_else(|| AppError::not_found("promotion_code", id))
    }

    /// One page of promotion codes, newest first.
    pub async fn list_promotion_codes(
        &self,
        ctx: &Ctx,
        filter: &PromotionCodeListFilter,
        page: PageRequest,
    ) -> AppResult<Page<PromotionCode>> {
        let filter =
            PromotionCodeFilter { code: filter.code.clone(), coupon: filter.coupon.clone(), active: filter.active };
        Ok(store::list_promotion_codes(self.store().reader(), &ctx.scope, &filter, &page.to_store()).await?.into())
    }

    /// Changes whether a code is active, and its metadata.
    pub async fn update_promotion_code(
        &self,
        ctx: &Ctx,
        id: &str,
        active: Option<bool>,
        metadata: Option<BTreeMap<String, String>>,
    ) -> AppResult<PromotionCode> {
        let promo_id = promotion_code_id(id)?;
        self.idempotent(ctx, async |tx| {
            let mut promo = store::lock_promotion_code(tx, &ctx.scope, &promo_id)
                .await?
                .ok_or_else(|| AppError::not_found("promotion_code", id))?;
            if let Some(m) = metadata {
                promo.metadata = promo.metadata.merged(m).map_err(|e| AppError::invalid_field(field::METADATA, e))?;
            }
            if let Some(a) = active {
                promo.active = a;
            }
            store::update_promotion_code(tx, &promo, self.clock().now()).await?;
            Ok(promo)
        })
        .await
    }
}
