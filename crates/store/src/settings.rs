//! The `settings` table: gateway-wide values created once.

use crate::codec::RowExt;
use crate::db::query;
use crate::{Result, WriteTx};

/// The value of `name`, storing `initial` first if it has none. Concurrent first starts agree
/// on one value.
pub async fn get_or_init(tx: &mut WriteTx, name: &str, initial: &str) -> Result<String> {
    query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name.to_owned())
        .bind(initial.to_owned())
        .execute(tx.conn())
        .await?;
    let row = query("SELECT value FROM settings WHERE name = $1").bind(name.to_owned()).fetch_one(tx.conn()).await?;
    row.text("value")
}

/// Stores `value` under `name` unless it has one; `true` if this call stored it (under
/// concurrent first starts, exactly one does).
pub async fn init(tx: &mut WriteTx, name: &str, value: &str) -> Result<bool> {
    let done = query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name.to_owned())
        .bind(value.to_owned())
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The value of `name`, if it has one.
pub async fn get(tx: &mut WriteTx, name: &str) -> Result<Option<String>> {
    let row =
        query("SELECT value FROM settings WHERE name = $1").bind(name.to_owned()).fetch_optional(tx.conn()).await?;
    row.map(|r| r.text("value")).transpose()
}
