//! The `access_tokens` table: bearer tokens exchanged for a merchant's keys, by hash.

use crate::Db;
use crate::codec::RowExt;
use crate::db::query;
use crate::{Result, WriteTx, live_flag, mode_from_flag};
use kassa_domain::{ApiKeyId, MerchantId, Mode, Timestamp};

/// A token's record (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// The secret key it was exchanged for (its rate limit and revocation apply).
    pub key_id: ApiKeyId,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Issued.
    pub created_at: Timestamp,
}

/// Stores a token's record.
pub async fn insert(tx: &mut WriteTx, t: &AccessToken) -> Result<()> {
    query(
        "INSERT INTO access_tokens (token_hash, merchant_id, livemode, key_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(t.token_hash.clone())
    .bind(t.merchant_id.as_str().to_owned())
    .bind(live_flag(t.mode))
    .bind(t.key_id.as_str().to_owned())
    .bind(t.expires_at.micros())
    .bind(t.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The record of the token with this hash, if one was issued.
pub async fn find<'e, E: Into<Db<'e>>>(exec: E, token_hash: &str) -> Result<Option<AccessToken>> {
    let row = query(
        "SELECT token_hash, merchant_id, livemode, key_id, expires_at, created_at FROM access_tokens \
         WHERE token_hash = $1",
    )
    .bind(token_hash.to_owned())
    .fetch_optional(exec)
    .await?;
    row.map(|r| {
        Ok(AccessToken {
            token_hash: r.text("token_hash")?,
            merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
            mode: mode_from_flag(r.int("livemode")?),
            key_id: ApiKeyId::from_trusted(r.text("key_id")?),
            expires_at: Timestamp(r.int("expires_at")?),
            created_at: Timestamp(r.int("created_at")?),
        })
    })
    .transpose()
}

/// Forgets tokens that expired before `now`.
pub async fn delete_expired(tx: &mut WriteTx, now: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM access_tokens WHERE expires_at < $1").bind(now.micros()).execute(tx.conn()).await?;
    Ok(done.rows_affected())
}
