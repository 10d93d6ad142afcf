//! The `captures` table.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, opt_from_json, opt_json, to_json};
use crate::db::Row;
use crate::db::query;
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, scoped_list};
use crate::{Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::capture::{Capture, CaptureStatus};
use kassa_domain::{Amount, CaptureId, Currency, MerchantId, PaymentIntentId, Timestamp};

macro_rules! select {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, payment_intent_id, amount, currency, status, final_capture, \
             amount_refunded, amount_refund_pending, description, metadata, face_notes, failure, created_at, updated_at \
             FROM captures ",
            $($rest),*
        )
    };
}

/// Stores a new capture.
pub async fn insert(tx: &mut WriteTx, c: &Capture) -> Result<()> {
    query(
        "INSERT INTO captures (id, merchant_id, livemode, payment_intent_id, amount, currency, status, final_capture, \
         amount_refunded, amount_refund_pending, description, metadata, failure, created_at, updated_at, face_notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(c.id.as_str().to_owned())
    .bind(c.merchant_id.as_str().to_owned())
    .bind(live_flag(c.mode))
    .bind(c.payment_intent_id.as_str().to_owned())
    .bind(c.amount.get())
    .bind(c.currency.code().to_owned())
    .bind(c.status.as_str())
    .bind(i64::from(c.final_capture))
    .bind(c.amount_refunded.get())
    .bind(c.amount_refund_pending.get())
    .bind(c.description.clone())
    .bind(to_json(&c.metadata))
    .bind(opt_json(&c.failure))
    .bind(c.created_at.micros())
    .bind(c.updated_at.micros())
    .bind(to_json(&c.face_notes))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back what settling and refunding change.
pub async fn update(tx: &mut WriteTx, c: &Capture) -> Result<()> {
    query(
        "UPDATE captures SET status = $2, amount_refunded = $3, amount_refund_pending = $4, failure = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(c.id.as_str().to_owned())
    .bind(c.status.as_str())
    .bind(c.amount_refunded.get())
    .bind(c.amount_refund_pending.get())
    .bind(opt_json(&c.failure))
    .bind(c.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back what the merchant may change: the description, the metadata and the face notes.
pub async fn update_notes(tx: &mut WriteTx, c: &Capture) -> Result<()> {
    query("UPDATE captures SET description = $2, metadata = $3, updated_at = $4, face_notes = $5 WHERE id = $1")
        .bind(c.id.as_str().to_owned())
        .bind(c.description.clone())
        .bind(to_json(&c.metadata))
        .bind(c.updated_at.micros())
        .bind(to_json(&c.face_notes))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Reads one capture of the scope. Changes to a capture are made with its payment intent
/// locked, so reading it in the same transaction is enough.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &CaptureId) -> Result<Option<Capture>> {
    let row = by_id(select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"), id.as_str(), scope)
        .fetch_optional(exec)
        .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// One page of a payment intent's captures, oldest first.
pub async fn list_for_intent<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    payment_intent: &PaymentIntentId,
    page: &PageRequest,
) -> Result<Page<Capture>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    b.push(" AND payment_intent_id = ").text(payment_intent.as_str());
    fetch_page(exec, b, &TimeRange::default(), page, from_row, |c| Cursor {
        created_at: c.created_at.micros(),
        id: c.id.to_string(),
    })
    .await
}

/// One page of the scope's captures, of every payment intent.
pub async fn list<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, page: &PageRequest) -> Result<Page<Capture>> {
    let b = scoped_list(select!("WHERE "), scope);
    fetch_page(exec, b, &TimeRange::default(), page, from_row, |c| Cursor {
        created_at: c.created_at.micros(),
        id: c.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<Capture> {
    Ok(Capture {
        id: CaptureId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        payment_intent_id: PaymentIntentId::from_trusted(r.text("payment_intent_id")?),
        amount: Amount::new(r.int("amount")?).map_err(|e| corrupt("amount", e))?,
        currency: Currency::parse(&r.text("currency")?).map_err(|e| corrupt("currency", e))?,
        status: CaptureStatus::from_name(&r.text("status")?).ok_or_else(|| corrupt("status", "unknown"))?,
        final_capture: r.int("final_capture")? == 1,
        amount_refunded: r.units("amount_refunded")?,
        amount_refund_pending: r.units("amount_refund_pending")?,
        description: r.opt_text("description")?,
        metadata: from_json("metadata", &r.text("metadata")?)?,
        face_notes: from_json("face_notes", &r.text("face_notes")?)?,
        failure: opt_from_json("failure", r.opt_text("failure")?)?,
        created_at: Timestamp(r.int("created_at")?),
        updated_at: Timestamp(r.int("updated_at")?),
    })
}
