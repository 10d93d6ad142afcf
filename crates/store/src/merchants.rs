//! The `merchants` and `api_keys` tables.

use crate::Db;
use crate::codec::{RowExt, corrupt};
use crate::db::Row;
use crate::db::query;
use crate::{Result, WriteTx, live_flag, mode_from_flag};
use kassa_domain::merchant::SerialNumber;
pub use kassa_domain::merchant::{ApiKey, Merchant};
use kassa_domain::{ApiKeyId, KeyKind, MerchantId, Timestamp};

/// Stores a merchant.
pub async fn insert_merchant(tx: &mut WriteTx, m: &Merchant) -> Result<()> {
    query("INSERT INTO merchants (id, name, serial_number, created_at) VALUES ($1, $2, $3, $4)")
        .bind(m.id.as_str().to_owned())
        .bind(m.name.clone())
        .bind(i64::from(m.serial_number.get()))
        .bind(m.created_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Every merchant, oldest first.
pub async fn list_merchants<'e, E: Into<Db<'e>>>(exec: E) -> Result<Vec<Merchant>> {
    let rows = query("SELECT id, name, serial_number, created_at FROM merchants ORDER BY created_at, id")
        .fetch_all(exec)
        .await?;
    rows.iter().map(merchant_from_row).collect()
}

/// One merchant.
pub async fn get_merchant<'e, E: Into<Db<'e>>>(exec: E, id: &MerchantId) -> Result<Option<Merchant>> {
    let row = query("SELECT id, name, serial_number, created_at FROM merchants WHERE id = $1")
        .bind(id.as_str().to_owned())
        .fetch_optional(exec)
        .await?;
    row.as_ref().map(merchant_from_row).transpose()
}

fn merchant_from_row(r: &Row) -> Result<Merchant> {
    let serial = r.opt_int("serial_number")?.ok_or_else(|| corrupt("serial_number", "not assigned yet"))?;
    Ok(Merchant {
        id: MerchantId::from_trusted(r.text("id")?),
        name: r.text("name")?,
        serial_number: u32::try_from(serial)
            .ok()
            .and_then(SerialNumber::new)
            .ok_or_else(|| corrupt("serial_number", "out of range"))?,
        created_at: Timestamp(r.int("created_at")?),
    })
}

/// Whether a serial number is taken.
pub async fn serial_number_taken(tx: &mut WriteTx, serial: SerialNumber) -> Result<bool> {
    let row = query("SELECT id FROM merchants WHERE serial_number = $1")
        .bind(i64::from(serial.get()))
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.is_some())
}

/// Merchants created before serial numbers existed.
pub async fn without_serial_number(tx: &mut WriteTx) -> Result<Vec<MerchantId>> {
    let rows = query("SELECT id FROM merchants WHERE serial_number IS NULL").fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(MerchantId::from_trusted(r.text("id")?))).collect()
}

/// Gives a merchant created before serial numbers existed its number.
pub async fn set_serial_number(tx: &mut WriteTx, id: &MerchantId, serial: SerialNumber) -> Result<()> {
    query("UPDATE merchants SET serial_number = $2 WHERE id = $1 AND serial_number IS NULL")
        .bind(id.as_str().to_owned())
        .bind(i64::from(serial.get()))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether the merchant exists.
pub async fn merchant_exists<'e, E: Into<Db<'e>>>(exec: E, id: &MerchantId) -> Result<bool> {
    let row = query("SELECT id FROM merchants WHERE id = $1").bind(id.as_str().to_owned()).fetch_optional(exec).await?;
    Ok(row.is_some())
}

/// Whether any merchant exists (first start creates the demo merchant).
pub async fn any_merchant(tx: &mut WriteTx) -> Result<bool> {
    let row = query("SELECT id FROM merchants LIMIT 1").fetch_optional(tx.conn()).await?;
    Ok(row.is_some())
}

/// Stores a key under the hash of its secret.
pub async fn insert_key(tx: &mut WriteTx, key: &ApiKey, key_hash: &str) -> Result<()> {
    query(
        "INSERT INTO api_keys (id, merchant_id, kind, livemode, key_hash, last4, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
    )
    .bind(key.id.as_str().to_owned())
    .bind(key.merchant_id.as_str().to_owned())
    .bind(key.kind.as_str())
    .bind(live_flag(key.mode))
    .bind(key_hash.to_owned())
    .bind(key.last4.clone())
    .bind(key.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

const KEY_COLUMNS: &str = "id, merchant_id, kind, livemode, last4, created_at, revoked_at";

/// Finds a key by the hash of its secret.
pub async fn find_key_by_hash<'e, E: Into<Db<'e>>>(exec: E, key_hash: &str) -> Result<Option<ApiKey>> {
    let row = query(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1"))
        .bind(key_hash.to_owned())
        .fetch_optional(exec)
        .await?;
    row.map(|r| key_from_row(&r)).transpose()
}

/// One key's record.
pub async fn get_key<'e, E: Into<Db<'e>>>(exec: E, id: &ApiKeyId) -> Result<Option<ApiKey>> {
    let row = query(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1"))
        .bind(id.as_str().to_owned())
        .fetch_optional(exec)
        .await?;
    row.map(|r| key_from_row(&r)).transpose()
}

/// A merchant's keys, oldest first.
pub async fn list_keys<'e, E: Into<Db<'e>>>(exec: E, merchant: &MerchantId) -> Result<Vec<ApiKey>> {
    let rows = query(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE merchant_id = $1 ORDER BY created_at, id"))
        .bind(merchant.as_str().to_owned())
        .fetch_all(exec)
        .await?;
    rows.iter().map(key_from_row).collect()
}

/// Revokes a key. Returns `false` if no such key was active.
pub async fn revoke_key(tx: &mut WriteTx, id: &ApiKeyId, now: Timestamp) -> Result<bool> {
    let n = query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id.as_str().to_owned())
        .bind(now.micros())
        .execute(tx.conn())
        .await?
        .rows_affected();
    Ok(n == 1)
}

fn key_from_row(r: &Row) -> Result<ApiKey> {
    Ok(ApiKey {
        id: ApiKeyId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        kind: KeyKind::from_name(&r.text("kind")?).ok_or_else(|| corrupt("kind", "unknown"))?,
        mode: mode_from_flag(r.int("livemode")?),
        last4: r.text("last4")?,
        created_at: Timestamp(r.int("created_at")?),
        revoked_at: r.opt_int("revoked_at")?.map(Timestamp),
    })
}

/// Takes PostgreSQL's table lock on `merchants` until the transaction ends, so concurrent
/// first starts see each other's demo merchant.
pub async fn lock_table(tx: &mut WriteTx) -> Result<()> {
    if tx.backend() == crate::Backend::Postgres {
        query("LOCK TABLE merchants IN SHARE ROW EXCLUSIVE MODE").execute(tx.conn()).await?;
    }
    Ok(())
}
