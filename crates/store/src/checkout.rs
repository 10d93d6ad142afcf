//! The `checkout_sessions`, `coupons`, `promotion_codes` and `promotion_redemptions` tables.
//!
//! A session is kept as a JSON snapshot of the domain value, beside the columns its queries
//! filter on. Coupons and codes keep their counters in columns, so a reservation is one
//! locked read and one update.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, to_json};
use crate::db::Row;
use crate::db::query;
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list};
use crate::{Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::checkout::{AppliedPromotion, CheckoutSession, Coupon, PromotionCode, SessionStatus};
use kassa_domain::{CheckoutSessionId, CouponId, MerchantId, PaymentIntentId, PromotionCodeId, Timestamp, TokenId};

// ---- coupons ----

const COUPON_COLUMNS: &str = "id, merchant_id, livemode, name, value, expires_at, max_redemptions, times_redeemed, \
                              reserved, active, metadata, created_at";

macro_rules! select_coupon {
    ($($rest:literal)*) => {
        concat!("SELECT id, merchant_id, livemode, name, value, expires_at, max_redemptions, times_redeemed, reserved, \
                 active, metadata, created_at FROM coupons ", $($rest),*)
    };
}

/// Stores a coupon.
pub async fn insert_coupon(tx: &mut WriteTx, c: &Coupon) -> Result<()> {
    query(format!(
        "INSERT INTO coupons ({COUPON_COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)"
    ))
    .bind(c.id.as_str().to_owned())
    .bind(c.merchant_id.as_str().to_owned())
    .bind(live_flag(c.mode))
    .bind(c.name.clone())
    .bind(to_json(&c.value))
    .bind(c.expires_at.map(Timestamp::micros))
    .bind(c.max_redemptions)
    .bind(c.times_redeemed)
    .bind(c.reserved)
    .bind(i64::from(c.active))
    .bind(to_json(&c.metadata))
    .bind(c.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back what can change: name, active, metadata and the counters.
pub async fn update_coupon(tx: &mut WriteTx, c: &Coupon, now: Timestamp) -> Result<()> {
    query(
        "UPDATE coupons SET name = $2, active = $3, metadata = $4, times_redeemed = $5, reserved = $6, updated_at = $7 \
         WHERE id = $1",
    )
    .bind(c.id.as_str().to_owned())
    .bind(c.name.clone())
    .bind(i64::from(c.active))
    .bind(to_json(&c.metadata))
    .bind(c.times_redeemed)
    .bind(c.reserved)
    .bind(now.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads one coupon of the scope.
pub async fn get_coupon<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &CouponId) -> Result<Option<Coupon>> {
    let row = by_id(select_coupon!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"), id.as_str(), scope)
        .fetch_optional(exec)
        .await?;
    row.map(|r| coupon_from_row(&r)).transpose()
}

/// Reads and locks one coupon of the scope.
pub async fn lock_coupon(tx: &mut WriteTx, scope: &Scope, id: &CouponId) -> Result<Option<Coupon>> {
    let sql = locking(
        tx.backend(),
        select_coupon!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"),
        select_coupon!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 FOR UPDATE"),
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| coupon_from_row(&r)).transpose()
}

/// One page of the scope's coupons.
pub async fn list_coupons<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, page: &PageRequest) -> Result<Page<Coupon>> {
    let b = scoped_list(select_coupon!("WHERE "), scope);
    fetch_page(exec, b, &TimeRange::default(), page, coupon_from_row, |c| Cursor {
        created_at: c.created_at.micros(),
        id: c.id.to_string(),
    })
    .await
}

fn coupon_from_row(r: &Row) -> Result<Coupon> {
    Ok(Coupon {
        id: CouponId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        name: r.opt_text("name")?,
        value: from_json("value", &r.text("value")?)?,
        expires_at: r.opt_int("expires_at")?.map(Timestamp),
        max_redemptions: r.opt_int("max_redemptions")?,
        times_redeemed: r.int("times_redeemed")?,
        reserved: r.int("reserved")?,
        active: r.int("active")? == 1,
        metadata: from_json("metadata", &r.text("metadata")?)?,
        created_at: Timestamp(r.int("created_at")?),
    })
}

// ---- promotion codes ----

macro_rules! select_promo {
    ($($rest:literal)*) => {
        concat!("SELECT id, merchant_id, livemode, code, coupon_id, active, expires_at, max_redemptions, times_redeemed, \
                 reserved, restrictions, metadata, created_at FROM promotion_codes ", $($rest),*)
    };
}

/// Stores a code. Fails with a unique violation if the merchant has the code already (any case).
pub async fn insert_promotion_code(tx: &mut WriteTx, p: &PromotionCode) -> Result<()> {
    query(
        "INSERT INTO promotion_codes (id, merchant_id, livemode, code, code_key, coupon_id, active, expires_at, \
         max_redemptions, times_redeemed, reserved, restrictions, metadata, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(p.id.as_str().to_owned())
    .bind(p.merchant_id.as_str().to_owned())
    .bind(live_flag(p.mode))
    .bind(p.code.clone())
    .bind(p.code.to_lowercase())
    .bind(p.coupon_id.as_str().to_owned())
    .bind(i64::from(p.active))
    .bind(p.expires_at.map(Timestamp::micros))
    .bind(p.max_redemptions)
    .bind(p.times_redeemed)
    .bind(p.reserved)
    .bind(to_json(&p.restrictions))
    .bind(to_json(&p.metadata))
    .bind(p.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back active, metadata and the counters.
pub async fn update_promotion_code(tx: &mut WriteTx, p: &PromotionCode, now: Timestamp) -> Result<()> {
    query(
        "UPDATE promotion_codes SET active = $2, metadata = $3, times_redeemed = $4, reserved = $5, updated_at = $6 \
         WHERE id = $1",
    )
    .bind(p.id.as_str().to_owned())
    .bind(i64::from(p.active))
    .bind(to_json(&p.metadata))
    .bind(p.times_redeemed)
    .bind(p.reserved)
    .bind(now.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads one code of the scope by id.
pub async fn get_promotion_code<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    id: &PromotionCodeId,
) -> Result<Option<PromotionCode>> {
    let row = by_id(select_promo!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"), id.as_str(), scope)
        .fetch_optional(exec)
        .await?;
    row.map(|r| promo_from_row(&r)).transpose()
}

/// Reads and locks one code of the scope by id.
pub async fn lock_promotion_code(
    tx: &mut WriteTx,
    scope: &Scope,
    id: &PromotionCodeId,
) -> Result<Option<PromotionCode>> {
    let sql = locking(
        tx.backend(),
        select_promo!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"),
        select_promo!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 FOR UPDATE"),
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| promo_from_row(&r)).transpose()
}

/// Finds a code as a customer typed it (case does not matter).
pub async fn find_promotion_code<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    code: &str,
) -> Result<Option<PromotionCode>> {
    let row =
        by_id(select_promo!("WHERE code_key = $1 AND merchant_id = $2 AND livemode = $3"), &code.to_lowercase(), scope)
            .fetch_optional(exec)
            .await?;
    row.map(|r| promo_from_row(&r)).transpose()
}

/// Filters of the code list.
#[derive(Debug, Clone, Default)]
pub struct PromotionCodeFilter {
    /// Only this code (any case).
    pub code: Option<String>,
    /// Only codes of this coupon.
    pub coupon: Option<CouponId>,
    /// Only active (or inactive) codes.
    pub active: Option<bool>,
}

/// One page of the scope's codes.
pub async fn list_promotion_codes<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &PromotionCodeFilter,
    page: &PageRequest,
) -> Result<Page<PromotionCode>> {
    let mut b = scoped_list(select_promo!("WHERE "), scope);
    if let Some(code) = &filter.code {
        b.push(" AND code_key = ").text(code.to_lowercase());
    }
    if let Some(coupon) = &filter.coupon {
        b.push(" AND coupon_id = ").text(coupon.as_str());
    }
    if let Some(active) = filter.active {
        b.push(" AND active = ").int(i64::from(active));
    }
    fetch_page(exec, b, &TimeRange::default(), page, promo_from_row, |p| Cursor {
        created_at: p.created_at.micros(),
        id: p.id.to_string(),
    })
    .await
}

fn promo_from_row(r: &Row) -> Result<PromotionCode> {
    Ok(PromotionCode {
        id: PromotionCodeId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        code: r.text("code")?,
        coupon_id: CouponId::from_trusted(r.text("coupon_id")?),
        active: r.int("active")? == 1,
        expires_at: r.opt_int("expires_at")?.map(Timestamp),
        max_redemptions: r.opt_int("max_redemptions")?,
        times_redeemed: r.int("times_redeemed")?,
        reserved: r.int("reserved")?,
        restrictions: from_json("restrictions", &r.text("restrictions")?)?,
        metadata: from_json("metadata", &r.text("metadata")?)?,
        created_at: Timestamp(r.int("created_at")?),
    })
}

// ---- sessions ----

macro_rules! select_session {
    ($($rest:literal)*) => {
        concat!("SELECT id, created_at, data FROM checkout_sessions ", $($rest),*)
    };
}

/// Stores a new session.
pub async fn insert_session(tx: &mut WriteTx, s: &CheckoutSession) -> Result<()> {
    query(
        "INSERT INTO checkout_sessions (id, merchant_id, livemode, status, payment_status, payment_intent_id, \
         customer_key, expires_at, data, created_at, updated_at, reference, token_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(s.id.as_str().to_owned())
    .bind(s.merchant_id.as_str().to_owned())
    .bind(live_flag(s.mode))
    .bind(s.status.as_str())
    .bind(s.payment_status.as_str())
    .bind(s.payment_intent_id().map(|p| p.as_str().to_owned()))
    .bind(s.consumer.customer_key())
    .bind(s.expires_at.micros())
    .bind(to_json(s))
    .bind(s.created_at.micros())
    .bind(s.updated_at.micros())
    .bind(s.reference.as_ref().map(|r| r.as_str().to_owned()))
    .bind(s.token_id().map(|t| t.as_str().to_owned()))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back a session.
pub async fn update_session(tx: &mut WriteTx, s: &CheckoutSession) -> Result<()> {
    query(
        "UPDATE checkout_sessions SET status = $2, payment_status = $3, customer_key = $4, data = $5, updated_at = $6 \
         WHERE id = $1",
    )
    .bind(s.id.as_str().to_owned())
    .bind(s.status.as_str())
    .bind(s.payment_status.as_str())
    .bind(s.consumer.customer_key())
    .bind(to_json(s))
    .bind(s.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads one session of the scope.
pub async fn get_session<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    id: &CheckoutSessionId,
) -> Result<Option<CheckoutSession>> {
    let row = by_id(select_session!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"), id.as_str(), scope)
        .fetch_optional(exec)
        .await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Reads a session by its id alone: the hosted page knows nothing but the (unguessable) id.
pub async fn get_session_by_id<'e, E: Into<Db<'e>>>(
    exec: E,
    id: &CheckoutSessionId,
) -> Result<Option<CheckoutSession>> {
    let row = query(select_session!("WHERE id = $1")).bind(id.as_str().to_owned()).fetch_optional(exec).await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Reads the scope's session with `reference`.
pub async fn session_by_reference<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    reference: &kassa_domain::Reference,
) -> Result<Option<CheckoutSession>> {
    let row = query(select_session!("WHERE reference = $1 AND merchant_id = $2 AND livemode = $3"))
        .bind(reference.as_str().to_owned())
        .bind(scope.merchant_id.as_str().to_owned())
        .bind(live_flag(scope.mode))
        .fetch_optional(exec)
        .await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Reads and locks a session by its id alone.
pub async fn lock_session(tx: &mut WriteTx, id: &CheckoutSessionId) -> Result<Option<CheckoutSession>> {
    let sql = locking(tx.backend(), select_session!("WHERE id = $1"), select_session!("WHERE id = $1 FOR UPDATE"));
    let row = query(sql).bind(id.as_str().to_owned()).fetch_optional(tx.conn()).await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Reads and locks the session paying with `payment_intent`, if one is.
pub async fn lock_session_of_payment(
    tx: &mut WriteTx,
    payment_intent: &PaymentIntentId,
) -> Result<Option<CheckoutSession>> {
    let sql = locking(
        tx.backend(),
        select_session!("WHERE payment_intent_id = $1"),
        select_session!("WHERE payment_intent_id = $1 FOR UPDATE"),
    );
    let row = query(sql).bind(payment_intent.as_str().to_owned()).fetch_optional(tx.conn()).await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Reads the setup session saving a card for `token`, if one is.
pub async fn session_of_token<'e, E: Into<Db<'e>>>(exec: E, token: &TokenId) -> Result<Option<CheckoutSession>> {
    let row =
        query(select_session!("WHERE token_id = $1")).bind(token.as_str().to_owned()).fetch_optional(exec).await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Reads and locks the setup session saving a card for `token`, if one is.
pub async fn lock_session_of_token(tx: &mut WriteTx, token: &TokenId) -> Result<Option<CheckoutSession>> {
    let sql = locking(
        tx.backend(),
        select_session!("WHERE token_id = $1"),
        select_session!("WHERE token_id = $1 FOR UPDATE"),
    );
    let row = query(sql).bind(token.as_str().to_owned()).fetch_optional(tx.conn()).await?;
    row.map(|r| session_from_row(&r)).transpose()
}

/// Filters of the session list.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only this status.
    pub status: Option<SessionStatus>,
    /// Only the session of this payment.
    pub payment_intent: Option<PaymentIntentId>,
    /// Only sessions of this customer email (any case).
    pub customer_email: Option<String>,
    /// Only created in this range.
    pub created: TimeRange,
}

/// One page of the scope's sessions.
pub async fn list_sessions<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &SessionFilter,
    page: &PageRequest,
) -> Result<Page<CheckoutSession>> {
    let mut b = scoped_list(select_session!("WHERE "), scope);
    if let Some(status) = filter.status {
        b.push(" AND status = ").text(status.as_str());
    }
    if let Some(pi) = &filter.payment_intent {
        b.push(" AND payment_intent_id = ").text(pi.as_str());
    }
    if let Some(email) = &filter.customer_email {
        b.push(" AND customer_key = ").text(email.trim().to_lowercase());
    }
    fetch_page(exec, b, &filter.created, page, session_from_row, |s| Cursor {
        created_at: s.created_at.micros(),
        id: s.id.to_string(),
    })
    .await
}

/// Ids of open sessions whose time is up and that have no payment running.
pub async fn expired_open_sessions<'e, E: Into<Db<'e>>>(
    exec: E,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<CheckoutSessionId>> {
    let rows = query(
        "SELECT id FROM checkout_sessions WHERE status = 'open' AND expires_at <= $1 AND payment_status <> 'processing' \
         ORDER BY expires_at LIMIT $2",
    )
    .bind(now.micros())
    .bind(i64::from(limit))
    .fetch_all(exec)
    .await?;
    rows.iter().map(|r| Ok(CheckoutSessionId::from_trusted(r.text("id")?))).collect()
}

/// Whether this customer has completed another checkout with the merchant.
pub async fn customer_has_paid(
    tx: &mut WriteTx,
    scope: &Scope,
    customer_key: &str,
    other_than: &CheckoutSessionId,
) -> Result<bool> {
    let row = query(
        "SELECT id FROM checkout_sessions WHERE merchant_id = $1 AND livemode = $2 AND customer_key = $3 \
         AND status = 'complete' AND id <> $4 LIMIT 1",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(customer_key.to_owned())
    .bind(other_than.as_str().to_owned())
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.is_some())
}

fn session_from_row(r: &Row) -> Result<CheckoutSession> {
    let session: CheckoutSession = from_json("data", &r.text("data")?)?;
    if session.id.as_str() != r.text("id")? {
        return Err(corrupt("data", "snapshot of another session"));
    }
    Ok(session)
}

// ---- redemptions ----

/// Reserves a redemption of `promotion` for `session` (again, after a failed attempt).
pub async fn reserve_redemption(
    tx: &mut WriteTx,
    session: &CheckoutSession,
    promotion: &AppliedPromotion,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO promotion_redemptions (session_id, merchant_id, livemode, promotion_code_id, coupon_id, customer_key, \
         state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'reserved', $7, $7) \
         ON CONFLICT (session_id) DO UPDATE SET promotion_code_id = $4, coupon_id = $5, customer_key = $6, \
         state = 'reserved', updated_at = $7",
    )
    .bind(session.id.as_str().to_owned())
    .bind(session.merchant_id.as_str().to_owned())
    .bind(live_flag(session.mode))
    .bind(promotion.promotion_code_id.as_str().to_owned())
    .bind(promotion.coupon_id.as_str().to_owned())
    .bind(session.consumer.customer_key())
    .bind(now.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Marks the session's redemption `redeemed` or `released`.
pub async fn settle_redemption(
    tx: &mut WriteTx,
    session: &CheckoutSessionId,
    redeemed: bool,
    now: Timestamp,
) -> Result<()> {
    query("UPDATE promotion_redemptions SET state = $2, updated_at = $3 WHERE session_id = $1 AND state = 'reserved'")
        .bind(session.as_str().to_owned())
        .bind(if redeemed { "redeemed" } else { "released" })
        .bind(now.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether this customer has redeemed (or is redeeming) `promo` in another session.
pub async fn customer_redeemed(
    tx: &mut WriteTx,
    promo: &PromotionCodeId,
    customer_key: &str,
    other_than: &CheckoutSessionId,
) -> Result<bool> {
    let row = query(
        "SELECT session_id FROM promotion_redemptions WHERE promotion_code_id = $1 AND customer_key = $2 \
         AND state IN ('reserved', 'redeemed') AND session_id <> $3 LIMIT 1",
    )
    .bind(promo.as_str().to_owned())
    .bind(customer_key.to_owned())
    .bind(other_than.as_str().to_owned())
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.is_some())
}
