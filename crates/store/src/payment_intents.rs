//! The `payment_intents` table.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, opt_from_json, opt_json, to_json};
use crate::day_totals::{self, Counted};
use crate::db::Row;
use crate::db::query;
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list};
use crate::{Backend, Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::contact::StatementDescriptor;
use kassa_domain::payment_intent::{CancellationReason, CaptureMethod, Status};
use kassa_domain::{
    Amount, CaptureId, ConnectorId, Currency, MerchantId, PaymentIntent, PaymentIntentId, Reference, Timestamp, TokenId,
};

macro_rules! select {
    (WHERE_ID $($rest:literal)*) => {
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3" $($rest)*)
    };
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, status, amount, currency, capture_method, amount_authorized, \
             amount_captured, amount_refunded, amount_refund_pending, amount_canceled, payment_method, customer, \
             description, statement_descriptor, metadata, last_error, cancellation_reason, pending_capture, \
             processor_authorization, reference, latest_capture, token_id, face_notes, connector, created_at, \
             updated_at FROM payment_intents ",
            $($rest),*
        )
    };
}

/// Filters of the list endpoint.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only the intent with this reference.
    pub reference: Option<Reference>,
    /// Only created in this range.
    pub created: TimeRange,
    /// Only intents a person's search finds.
    pub search: Option<Search>,
}

/// What a person typed into a search box: text found (case-insensitive) in an intent's id,
/// reference, customer or description, or one of the amounts (minor units) it may mean.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Text to look for.
    pub text: String,
    /// Amounts to match exactly.
    pub amounts: Vec<i64>,
}

/// Stores a new intent.
pub async fn insert(tx: &mut WriteTx, pi: &PaymentIntent) -> Result<()> {
    macro_rules! insert_payment {
        () => {
            "INSERT INTO payment_intents (id, merchant_id, livemode, status, amount, currency, capture_method, \
         amount_authorized, amount_captured, amount_refunded, amount_refund_pending, amount_canceled, payment_method, \
         customer, description, statement_descriptor, metadata, last_error, cancellation_reason, pending_capture, \
         processor_authorization, created_at, updated_at, reference, latest_capture, token_id, face_notes, \
         connector_id, connector, connector_reference, last_event_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
         $24, $25, $26, $27, $28, $29, $30, 0)"
        };
    }
    let counted = Counted::of(pi);
    let shard = day_totals::shard(tx.backend(), pi.id.as_str(), pi.updated_at.micros());
    if tx.backend() == Backend::Sqlite {
        bind_new(query(insert_payment!()), pi).execute(tx.conn()).await?;
        return day_totals::add(tx, &counted, shard, 1, counted.captured, counted.refunded).await;
    }
    // One statement: the payment and its count in the day's totals.
    let sql = concat!(
        "WITH inserted AS (",
        insert_payment!(),
        " RETURNING 1) INSERT INTO payment_day_totals (merchant_id, livemode, day, status, currency, failed, shard, \
         payments, captured, refunded) SELECT $2, $3, $31, $4, $6, $32, $33, 1, $34, $35 FROM inserted",
        day_totals::on_conflict_add!()
    );
    bind_new(query(sql), pi)
        .bind(counted.day)
        .bind(counted.failed)
        .bind(shard)
        .bind(counted.captured)
        .bind(counted.refunded)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Binds a new payment's columns, `$1`…`$30`.
fn bind_new(q: crate::db::Stmt, pi: &PaymentIntent) -> crate::db::Stmt {
    q.bind(pi.id.as_str().to_owned())
        .bind(pi.merchant_id.as_str().to_owned())
        .bind(live_flag(pi.mode))
        .bind(pi.status.as_str())
        .bind(pi.amount.get())
        .bind(pi.currency.code().to_owned())
        .bind(pi.capture_method.as_str())
        .bind(pi.amount_authorized.get())
        .bind(pi.amount_captured.get())
        .bind(pi.amount_refunded.get())
        .bind(pi.amount_refund_pending.get())
        .bind(pi.amount_canceled.get())
        .bind(opt_json(&pi.payment_method))
        .bind(pi.customer.clone())
        .bind(pi.description.clone())
        .bind(pi.statement_descriptor.as_ref().map(|s| s.as_str().to_owned()))
        .bind(to_json(&pi.metadata))
        .bind(opt_json(&pi.last_error))
        .bind(pi.cancellation_reason.map(|r| r.as_str()))
        .bind(opt_json(&pi.pending_capture))
        .bind(opt_json(&pi.authorization))
        .bind(pi.created_at.micros())
        .bind(pi.updated_at.micros())
        .bind(pi.reference.as_ref().map(|r| r.as_str().to_owned()))
        .bind(pi.latest_capture.as_ref().map(|c| c.as_str().to_owned()))
        .bind(pi.token.as_ref().map(|t| t.as_str().to_owned()))
        .bind(to_json(&pi.face_notes))
        .bind(pi.connector.as_ref().map(|c| c.connector_id.as_str().to_owned()))
        .bind(opt_json(&pi.connector))
        .bind(pi.connector.as_ref().and_then(|c| c.reference.clone()))
}

/// Writes back every field a transition can change (face notes are written once, at creation).
pub async fn update(tx: &mut WriteTx, pi: &PaymentIntent) -> Result<()> {
    macro_rules! update_payment {
        () => {
            "UPDATE payment_intents SET status = $2, amount_authorized = $3, amount_captured = $4, amount_refunded = $5, \
         amount_refund_pending = $6, amount_canceled = $7, payment_method = $8, customer = $9, description = $10, \
         statement_descriptor = $11, metadata = $12, last_error = $13, cancellation_reason = $14, \
         pending_capture = $15, processor_authorization = $16, updated_at = $17, amount = $18, latest_capture = $19, \
         connector_id = $20, connector = $21, connector_reference = $22 WHERE id = $1"
        };
    }
    let shard = day_totals::shard(tx.backend(), pi.id.as_str(), pi.updated_at.micros());
    if tx.backend() == Backend::Sqlite {
        let before = day_totals::counted_now(tx, pi.id.as_str()).await?;
        bind_changes(query(update_payment!()), pi).execute(tx.conn()).await?;
        return match before {
            Some(before) => day_totals::moved(tx, &before, &Counted::of(pi), shard).await,
            None => Ok(()),
        };
    }
    // One statement: the row as it was (the statement's snapshot), the update, and the move in
    // the day's totals (nothing written there when the payment stays in its bucket unchanged).
    let sql = concat!(
        "WITH before AS (SELECT merchant_id, livemode, created_at, status, currency, \
         CASE WHEN last_error IS NULL THEN 0 ELSE 1 END AS failed, amount_captured, amount_refunded \
         FROM payment_intents WHERE id = $1), updated AS (",
        update_payment!(),
        " RETURNING 1), moved AS (\
         SELECT merchant_id, livemode, created_at / $23 AS day, status, currency, failed, -1 AS payments, \
         -amount_captured AS captured, -amount_refunded AS refunded FROM before, updated \
         UNION ALL SELECT merchant_id, livemode, created_at / $23, $2, currency, $24, 1, $4, $5 FROM before, updated) \
         INSERT INTO payment_day_totals (merchant_id, livemode, day, status, currency, failed, shard, payments, \
         captured, refunded) SELECT merchant_id, livemode, day, status, currency, failed, $25, SUM(payments), \
         SUM(captured), SUM(refunded) FROM moved GROUP BY merchant_id, livemode, day, status, currency, failed \
         HAVING SUM(payments) <> 0 OR SUM(captured) <> 0 OR SUM(refunded) <> 0",
        day_totals::on_conflict_add!()
    );
    bind_changes(query(sql), pi)
        .bind(day_totals::DAY_MICROS)
        .bind(i64::from(pi.last_error.is_some()))
        .bind(shard)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Binds the columns an update writes, `$1`…`$22`.
fn bind_changes(q: crate::db::Stmt, pi: &PaymentIntent) -> crate::db::Stmt {
    q.bind(pi.id.as_str().to_owned())
        .bind(pi.status.as_str())
        .bind(pi.amount_authorized.get())
        .bind(pi.amount_captured.get())
        .bind(pi.amount_refunded.get())
        .bind(pi.amount_refund_pending.get())
        .bind(pi.amount_canceled.get())
        .bind(opt_json(&pi.payment_method))
        .bind(pi.customer.clone())
        .bind(pi.description.clone())
        .bind(pi.statement_descriptor.as_ref().map(|s| s.as_str().to_owned()))
        .bind(to_json(&pi.metadata))
        .bind(opt_json(&pi.last_error))
        .bind(pi.cancellation_reason.map(|r| r.as_str()))
        .bind(opt_json(&pi.pending_capture))
        .bind(opt_json(&pi.authorization))
        .bind(pi.updated_at.micros())
        .bind(pi.amount.get())
        .bind(pi.latest_capture.as_ref().map(|c| c.as_str().to_owned()))
        .bind(pi.connector.as_ref().map(|c| c.connector_id.as_str().to_owned()))
        .bind(opt_json(&pi.connector))
        .bind(pi.connector.as_ref().and_then(|c| c.reference.clone()))
}

/// The payment through connector `id` that its provider knows as `reference`.
pub async fn by_connector_reference<'e, E: Into<Db<'e>>>(
    exec: E,
    id: &ConnectorId,
    reference: &str,
) -> Result<Option<PaymentIntent>> {
    let row = query(select!("WHERE connector_id = $1 AND connector_reference = $2"))
        .bind(id.as_str().to_owned())
        .bind(reference.to_owned())
        .fetch_optional(exec)
        .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads one intent of the scope.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &PaymentIntentId) -> Result<Option<PaymentIntent>> {
    let row = by_id(select!(WHERE_ID), id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads one intent by its id alone (a customer coming back from a provider names no merchant).
pub async fn get_by_id<'e, E: Into<Db<'e>>>(exec: E, id: &PaymentIntentId) -> Result<Option<PaymentIntent>> {
    let row = query(select!("WHERE id = $1")).bind(id.as_str().to_owned()).fetch_optional(exec).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads the scope's intent with `reference`.
pub async fn by_reference<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    reference: &Reference,
) -> Result<Option<PaymentIntent>> {
    let row = query(select!("WHERE reference = $1 AND merchant_id = $2 AND livemode = $3"))
        .bind(reference.as_str().to_owned())
        .bind(scope.merchant_id.as_str().to_owned())
        .bind(live_flag(scope.mode))
        .fetch_optional(exec)
        .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// A payment through connector `id` that is not finished: its provider still decides, holds
/// money Kassa may capture, or returns a refund.
pub async fn unfinished_through<'e, E: Into<Db<'e>>>(exec: E, id: &ConnectorId) -> Result<Option<PaymentIntentId>> {
    let row = query(
        "SELECT id FROM payment_intents WHERE connector_id = $1 AND (status IN ('processing', 'requires_action', \
         'requires_capture') OR amount_refund_pending > 0) LIMIT 1",
    )
    .bind(id.as_str().to_owned())
    .fetch_optional(exec)
    .await?;
    row.map(|r| r.text("id").map(PaymentIntentId::from_trusted)).transpose()
}

/// Reads one intent and locks it until the transaction ends, so concurrent changes to the
/// same intent (two refunds, a capture and a cancel) happen one after the other.
pub async fn lock(tx: &mut WriteTx, scope: &Scope, id: &PaymentIntentId) -> Result<Option<PaymentIntent>> {
    let sql = locking(tx.backend(), select!(WHERE_ID), select!(WHERE_ID " FOR UPDATE"));
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// One page of the scope's intents.
pub async fn list<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<PaymentIntent>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    if let Some(status) = filter.status {
        b.push(" AND status = ").text(status.as_str());
    }
    if let Some(reference) = &filter.reference {
        b.push(" AND reference = ").text(reference.as_str());
    }
    if let Some(search) = &filter.search {
        let escaped = search.text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        b.push(" AND (");
        for (i, column) in ["id", "reference", "customer", "description"].into_iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            b.push(&format!("LOWER(COALESCE({column}, '')) LIKE ")).text(pattern.clone()).push(" ESCAPE '\\'");
        }
        for amount in &search.amounts {
            b.push(" OR amount = ").int(*amount);
        }
        b.push(")");
    }
    fetch_page(exec, b, &filter.created, page, from_row, |pi| Cursor {
        created_at: pi.created_at.micros(),
        id: pi.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<PaymentIntent> {
    Ok(PaymentIntent {
        id: PaymentIntentId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        status: Status::parse(&r.text("status")?).map_err(|e| corrupt("status", e))?,
        amount: Amount::new(r.int("amount")?).map_err(|e| corrupt("amount", e))?,
        currency: Currency::parse(&r.text("currency")?).map_err(|e| corrupt("currency", e))?,
        capture_method: CaptureMethod::parse(&r.text("capture_method")?).map_err(|e| corrupt("capture_method", e))?,
        amount_authorized: r.units("amount_authorized")?,
        amount_captured: r.units("amount_captured")?,
        amount_refunded: r.units("amount_refunded")?,
        amount_refund_pending: r.units("amount_refund_pending")?,
        amount_canceled: r.units("amount_canceled")?,
        payment_method: opt_from_json("payment_method", r.opt_text("payment_method")?)?,
        customer: r.opt_text("customer")?,
        description: r.opt_text("description")?,
        statement_descriptor: r.opt_text("statement_descriptor")?.map(StatementDescriptor::from_trusted),
        metadata: from_json("metadata", &r.text("metadata")?)?,
        last_error: opt_from_json("last_error", r.opt_text("last_error")?)?,
        cancellation_reason: r
            .opt_text("cancellation_reason")?
            .map(|s| CancellationReason::parse(&s).map_err(|e| corrupt("cancellation_reason", e)))
            .transpose()?,
        pending_capture: opt_from_json("pending_capture", r.opt_text("pending_capture")?)?,
        authorization: opt_from_json("processor_authorization", r.opt_text("processor_authorization")?)?,
        reference: r.opt_text("reference")?.map(Reference::from_trusted),
        latest_capture: r.opt_text("latest_capture")?.map(CaptureId::from_trusted),
        token: r.opt_text("token_id")?.map(TokenId::from_trusted),
        face_notes: from_json("face_notes", &r.text("face_notes")?)?,
        connector: opt_from_json("connector", r.opt_text("connector")?)?,
        created_at: Timestamp(r.int("created_at")?),
        updated_at: Timestamp(r.int("updated_at")?),
    })
}
