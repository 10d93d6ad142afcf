//! Rewriting what a database holds at rest, for the one-time move of its secrets under the
//! operator's master key (`kassa-core`'s `app/at_rest.rs` decides what becomes what).

use crate::codec::RowExt;
use crate::db::query;
use crate::{Result, WriteTx};

/// The columns whose JSON may hold a card (and so its fingerprint).
pub const CARD_COLUMNS: [(&str, &str); 5] = [
    ("payment_intents", "payment_method"),
    ("tokens", "data"),
    ("events", "data"),
    ("idempotency_keys", "outcome"),
    ("jobs", "payload"),
];

/// Rewrites every value of `table.column` that contains `needle` through `rewrite` (a value
/// it answers `None` for stays); returns how many distinct values changed.
pub async fn rewrite_values(
    tx: &mut WriteTx,
    table: &'static str,
    column: &'static str,
    needle: &str,
    rewrite: impl Fn(&str) -> Option<String>,
) -> Result<u64> {
    let rows = query(format!(
        // Names from CARD_COLUMNS-like constants, never from input.
        "SELECT DISTINCT {column} AS v FROM {table} WHERE {column} LIKE $1"
    ))
    .bind(format!("%{needle}%"))
    .fetch_all(tx.conn())
    .await?;
    let mut changed = 0;
    for row in rows {
        let old = row.text("v")?;
        let Some(new) = rewrite(&old) else { continue };
        query(format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2"))
            .bind(new)
            .bind(old)
            .execute(tx.conn())
            .await?;
        changed += 1;
    }
    Ok(changed)
}

/// Every endpoint's stored secrets, deleted ones included: `(id, secret, previous_secret)`.
pub async fn endpoint_secrets(tx: &mut WriteTx) -> Result<Vec<(String, String, Option<String>)>> {
    let rows = query("SELECT id, secret, previous_secret FROM webhook_endpoints").fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok((r.text("id")?, r.text("secret")?, r.opt_text("previous_secret")?))).collect()
}

/// Replaces an endpoint's stored secrets.
pub async fn set_endpoint_secrets(tx: &mut WriteTx, id: &str, secret: &str, previous: Option<&str>) -> Result<()> {
    query("UPDATE webhook_endpoints SET secret = $2, previous_secret = $3 WHERE id = $1")
        .bind(id.to_owned())
        .bind(secret.to_owned())
        .bind(previous.map(str::to_owned))
        .execute(tx.conn())
        .await?;
    Ok(())
}
