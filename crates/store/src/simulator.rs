//! The card simulator's books: authorizations and every operation, keyed by the caller's
//! idempotency key.

use crate::Db;
use crate::codec::RowExt;
use crate::db::Row;
use crate::db::query;
use crate::sql::locking;
use crate::{Result, WriteTx};
use kassa_domain::Timestamp;

/// A hold on a card, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimAuthorization {
    /// The simulator's authorization id.
    pub id: String,
    /// The caller's reference (a payment intent id).
    pub reference: String,
    /// Held.
    pub amount: i64,
    /// Currency code.
    pub currency: String,
    /// Captured so far.
    pub captured: i64,
    /// Refunded so far.
    pub refunded: i64,
    /// Released.
    pub voided: i64,
    /// Created.
    pub created_at: Timestamp,
}

/// One call the simulator answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOperation {
    /// The caller's idempotency key.
    pub idempotency_key: String,
    /// `authorize`, `capture`, `void`, `refund`.
    pub operation: String,
    /// The caller's reference.
    pub reference: String,
    /// The authorization concerned.
    pub authorization_id: Option<String>,
    /// Amount, where the operation has one.
    pub amount: Option<i64>,
    /// Currency code.
    pub currency: Option<String>,
    /// `approved` or `declined`.
    pub outcome: String,
    /// Why it was declined.
    pub decline_code: Option<String>,
    /// Approval code of an approved authorization.
    pub auth_code: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

const OP_COLUMNS: &str = "idempotency_key, operation, reference, authorization_id, amount, currency, outcome, \
                          decline_code, auth_code, created_at";

/// The recorded answer to the call with this idempotency key.
pub async fn find_operation(tx: &mut WriteTx, key: &str) -> Result<Option<SimOperation>> {
    let row = query(format!("SELECT {OP_COLUMNS} FROM simulator_operations WHERE idempotency_key = $1"))
        .bind(key.to_owned())
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| op_from_row(&r)).transpose()
}

/// Records an answer. Fails with a unique violation if the key was answered meanwhile.
pub async fn insert_operation(tx: &mut WriteTx, op: &SimOperation) -> Result<()> {
    query(format!("INSERT INTO simulator_operations ({OP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(op.idempotency_key.clone())
        .bind(op.operation.clone())
        .bind(op.reference.clone())
        .bind(op.authorization_id.clone())
        .bind(op.amount)
        .bind(op.currency.clone())
        .bind(op.outcome.clone())
        .bind(op.decline_code.clone())
        .bind(op.auth_code.clone())
        .bind(op.created_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every answer given about `reference`, oldest first.
pub async fn operations_for<'e, E: Into<Db<'e>>>(exec: E, reference: &str) -> Result<Vec<SimOperation>> {
    let rows = query(format!(
        "SELECT {OP_COLUMNS} FROM simulator_operations WHERE reference = $1 ORDER BY created_at, idempotency_key"
    ))
    .bind(reference.to_owned())
    .fetch_all(exec)
    .await?;
    rows.iter().map(op_from_row).collect()
}

/// Stores a new authorization.
pub async fn insert_authorization(tx: &mut WriteTx, a: &SimAuthorization) -> Result<()> {
    query(
        "INSERT INTO simulator_authorizations (id, reference, amount, currency, captured, refunded, voided, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.id.clone())
    .bind(a.reference.clone())
    .bind(a.amount)
    .bind(a.currency.clone())
    .bind(a.captured)
    .bind(a.refunded)
    .bind(a.voided)
    .bind(a.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads and locks an authorization.
pub async fn lock_authorization(tx: &mut WriteTx, id: &str) -> Result<Option<SimAuthorization>> {
    const SELECT: &str = "SELECT id, reference, amount, currency, captured, refunded, voided, created_at \
                          FROM simulator_authorizations WHERE id = $1";
    const FOR_UPDATE: &str = "SELECT id, reference, amount, currency, captured, refunded, voided, created_at \
                              FROM simulator_authorizations WHERE id = $1 FOR UPDATE";
    let sql = locking(tx.backend(), SELECT, FOR_UPDATE);
    let row = query(sql).bind(id.to_owned()).fetch_optional(tx.conn()).await?;
    row.map(|r| {
        Ok(SimAuthorization {
            id: r.text("id")?,
            reference: r.text("reference")?,
            amount: r.int("amount")?,
            currency: r.text("currency")?,
            captured: r.int("captured")?,
            refunded: r.int("refunded")?,
            voided: r.int("voided")?,
            created_at: Timestamp(r.int("created_at")?),
        })
    })
    .transpose()
}

/// Writes back an authorization's totals.
pub async fn update_authorization(tx: &mut WriteTx, a: &SimAuthorization) -> Result<()> {
    query("UPDATE simulator_authorizations SET captured = $2, refunded = $3, voided = $4 WHERE id = $1")
        .bind(a.id.clone())
        .bind(a.captured)
        .bind(a.refunded)
        .bind(a.voided)
        .execute(tx.conn())
        .await?;
    Ok(())
}

fn op_from_row(r: &Row) -> Result<SimOperation> {
    Ok(SimOperation {
        idempotency_key: r.text("idempotency_key")?,
        operation: r.text("operation")?,
        reference: r.text("reference")?,
        authorization_id: r.opt_text("authorization_id")?,
        amount: r.opt_int("amount")?,
        currency: r.opt_text("currency")?,
        outcome: r.text("outcome")?,
        decline_code: r.opt_text("decline_code")?,
        auth_code: r.opt_text("auth_code")?,
        created_at: Timestamp(r.int("created_at")?),
    })
}
