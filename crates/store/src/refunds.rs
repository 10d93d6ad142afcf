//! The `refunds` table.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, opt_from_json, opt_json, to_json};
use crate::db::Row;
use crate::db::query;
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list};
use crate::{Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::refund::{RefundReason, RefundStatus};
use kassa_domain::{Amount, CaptureId, Currency, MerchantId, PaymentIntentId, Refund, RefundId, Timestamp};

macro_rules! select {
    (WHERE_ID $($rest:literal)*) => {
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3" $($rest)*)
    };
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, payment_intent_id, capture_id, amount, currency, reason, status, \
             failure, metadata, face_notes, created_at, updated_at FROM refunds ",
            $($rest),*
        )
    };
}

/// Filters of the list endpoint.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only refunds of this payment intent.
    pub payment_intent: Option<PaymentIntentId>,
    /// Only created in this range.
    pub created: TimeRange,
}

/// Stores a new refund.
pub async fn insert(tx: &mut WriteTx, r: &Refund) -> Result<()> {
    query(
        "INSERT INTO refunds (id, merchant_id, livemode, payment_intent_id, amount, currency, reason, status, failure, \
         metadata, created_at, updated_at, capture_id, face_notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(r.id.as_str().to_owned())
    .bind(r.merchant_id.as_str().to_owned())
    .bind(live_flag(r.mode))
    .bind(r.payment_intent_id.as_str().to_owned())
    .bind(r.amount.get())
    .bind(r.currency.code().to_owned())
    .bind(r.reason.map(|x| x.as_str()))
    .bind(r.status.as_str())
    .bind(opt_json(&r.failure))
    .bind(to_json(&r.metadata))
    .bind(r.created_at.micros())
    .bind(r.updated_at.micros())
    .bind(r.capture_id.as_ref().map(|c| c.as_str().to_owned()))
    .bind(to_json(&r.face_notes))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back status, failure, metadata and face notes.
pub async fn update(tx: &mut WriteTx, r: &Refund) -> Result<()> {
    query(
        "UPDATE refunds SET status = $2, failure = $3, metadata = $4, updated_at = $5, face_notes = $6 WHERE id = $1",
    )
    .bind(r.id.as_str().to_owned())
    .bind(r.status.as_str())
    .bind(opt_json(&r.failure))
    .bind(to_json(&r.metadata))
    .bind(r.updated_at.micros())
    .bind(to_json(&r.face_notes))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads one refund of the scope.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &RefundId) -> Result<Option<Refund>> {
    let row = by_id(select!(WHERE_ID), id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads one refund and locks it until the transaction ends.
pub async fn lock(tx: &mut WriteTx, scope: &Scope, id: &RefundId) -> Result<Option<Refund>> {
    let sql = locking(tx.backend(), select!(WHERE_ID), select!(WHERE_ID " FOR UPDATE"));
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// One page of the scope's refunds.
pub async fn list<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Refund>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    if let Some(pi) = &filter.payment_intent {
        b.push(" AND payment_intent_id = ").text(pi.as_str());
    }
    fetch_page(exec, b, &filter.created, page, from_row, |r| Cursor {
        created_at: r.created_at.micros(),
        id: r.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<Refund> {
    Ok(Refund {
        id: RefundId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        payment_intent_id: PaymentIntentId::from_trusted(r.text("payment_intent_id")?),
        capture_id: r.opt_text("capture_id")?.map(CaptureId::from_trusted),
        amount: Amount::new(r.int("amount")?).map_err(|e| corrupt("amount", e))?,
        currency: Currency::parse(&r.text("currency")?).map_err(|e| corrupt("currency", e))?,
        reason: r.opt_text("reason")?.map(|s| RefundReason::parse(&s).map_err(|e| corrupt("reason", e))).transpose()?,
        status: RefundStatus::from_name(&r.text("status")?).ok_or_else(|| corrupt("status", "unknown"))?,
        failure: opt_from_json("failure", r.opt_text("failure")?)?,
        metadata: from_json("metadata", &r.text("metadata")?)?,
        face_notes: from_json("face_notes", &r.text("face_notes")?)?,
        created_at: Timestamp(r.int("created_at")?),
        updated_at: Timestamp(r.int("updated_at")?),
    })
}
