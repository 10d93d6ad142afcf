//! The `tokens` table: saved cards, kept as JSON snapshots beside the columns queries filter on.
//! A deleted token keeps its row (its events name it) but is never read back.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, to_json};
use crate::db::Row;
use crate::db::query;
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list};
use crate::{Result, Scope, WriteTx, live_flag};
use kassa_domain::token::{Token, TokenStatus};
use kassa_domain::{Timestamp, TokenId};

macro_rules! select {
    ($($rest:literal)*) => {
        concat!("SELECT id, created_at, data FROM tokens ", $($rest),*)
    };
}

/// The lookup key of a token's customer: an email in lower case (tokens of setup sessions name
/// their customer by email, any case); a customer's id (`cus_…`) as it is.
fn customer_key(customer: &str) -> String {
    let customer = customer.trim();
    if customer.contains('@') { customer.to_lowercase() } else { customer.to_owned() }
}

/// Stores a new token.
pub async fn insert(tx: &mut WriteTx, t: &Token) -> Result<()> {
    query(
        "INSERT INTO tokens (id, merchant_id, livemode, status, customer_key, data, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(t.id.as_str().to_owned())
    .bind(t.merchant_id.as_str().to_owned())
    .bind(live_flag(t.mode))
    .bind(t.status.as_str())
    .bind(t.customer.as_deref().map(customer_key))
    .bind(to_json(t))
    .bind(t.created_at.micros())
    .bind(t.updated_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back a token (its customer too: a token may change hands).
pub async fn update(tx: &mut WriteTx, t: &Token) -> Result<()> {
    query("UPDATE tokens SET status = $2, data = $3, updated_at = $4, customer_key = $5 WHERE id = $1")
        .bind(t.id.as_str().to_owned())
        .bind(t.status.as_str())
        .bind(to_json(t))
        .bind(t.updated_at.micros())
        .bind(t.customer.as_deref().map(customer_key))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Reads one token of the scope, unless it was deleted.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &TokenId) -> Result<Option<Token>> {
    let row = by_id(
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND status <> 'deleted'"),
        id.as_str(),
        scope,
    )
    .fetch_optional(exec)
    .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads and locks one token of the scope, unless it was deleted.
pub async fn lock(tx: &mut WriteTx, scope: &Scope, id: &TokenId) -> Result<Option<Token>> {
    let sql = locking(
        tx.backend(),
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND status <> 'deleted'"),
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND status <> 'deleted' FOR UPDATE"),
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Filters of the token list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this status.
    pub status: Option<TokenStatus>,
    /// Only this customer's (an email in any case, or a customer's id).
    pub customer: Option<String>,
    /// Only created in this range.
    pub created: TimeRange,
}

/// One page of the scope's tokens (never deleted ones).
pub async fn list<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<Token>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    b.push(" AND status <> 'deleted'");
    if let Some(status) = filter.status {
        b.push(" AND status = ").text(status.as_str());
    }
    if let Some(customer) = &filter.customer {
        b.push(" AND customer_key = ").text(customer_key(customer));
    }
    fetch_page(exec, b, &filter.created, page, from_row, |t| Cursor {
        created_at: t.created_at.micros(),
        id: t.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<Token> {
    let token: Token = from_json("data", &r.text("data")?)?;
    if token.id.as_str() != r.text("id")? || token.created_at != Timestamp(r.int("created_at")?) {
        return Err(corrupt("data", "snapshot of another token"));
    }
    Ok(token)
}
