//! The `connectors` table: merchants' accounts at payment providers, credentials sealed.

use crate::Db;
use crate::codec::RowExt;
use crate::db::{Row, query};
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list, soft_delete};
use crate::{Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::connector::{ConnectorAccount, ProviderUrl};
use kassa_domain::{ConnectorId, MerchantId, Timestamp};

macro_rules! select {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, provider, base_url, description, credentials, notifications, \
             created_at, updated_at FROM connectors ",
            $($rest),*
        )
    };
}

/// A connector as stored: the account, and its credentials as sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConnector {
    /// The account.
    pub account: ConnectorAccount,
    /// The credentials, sealed with the master key.
    pub sealed_credentials: String,
    /// The provider's subscription to notify Kassa, sealed, if it has one.
    pub sealed_notifications: Option<String>,
}

/// Stores a new connector. Fails with a unique violation if the scope has one for the provider.
pub async fn insert(tx: &mut WriteTx, c: &StoredConnector) -> Result<()> {
    let a = &c.account;
    query(
        "INSERT INTO connectors (id, merchant_id, livemode, provider, base_url, description, credentials, created_at, \
         updated_at, notifications) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(a.id.as_str().to_owned())
    .bind(a.merchant_id.as_str().to_owned())
    .bind(live_flag(a.mode))
    .bind(a.provider.clone())
    .bind(a.base_url.as_str().to_owned())
    .bind(a.description.clone())
    .bind(c.sealed_credentials.clone())
    .bind(a.created_at.micros())
    .bind(a.updated_at.micros())
    .bind(c.sealed_notifications.clone())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back what may change: the base URL, the description, the credentials.
pub async fn update(tx: &mut WriteTx, c: &StoredConnector) -> Result<()> {
    let a = &c.account;
    query("UPDATE connectors SET base_url = $2, description = $3, credentials = $4, updated_at = $5 WHERE id = $1")
        .bind(a.id.as_str().to_owned())
        .bind(a.base_url.as_str().to_owned())
        .bind(a.description.clone())
        .bind(c.sealed_credentials.clone())
        .bind(a.updated_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Reads one (not deleted) connector of the scope.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &ConnectorId) -> Result<Option<StoredConnector>> {
    let sql = select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL");
    let row = by_id(sql, id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads one connector by its id alone, deleted or not (a provider's notification names no
/// merchant).
pub async fn get_by_id<'e, E: Into<Db<'e>>>(exec: E, id: &ConnectorId) -> Result<Option<StoredConnector>> {
    let row = query(select!("WHERE id = $1")).bind(id.as_str().to_owned()).fetch_optional(exec).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads one connector of the scope, deleted or not: the payments that went through a deleted
/// connector still settle through it.
pub async fn get_any<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &ConnectorId) -> Result<Option<StoredConnector>> {
    let row = by_id(select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"), id.as_str(), scope)
        .fetch_optional(exec)
        .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Reads and locks one (not deleted) connector of the scope.
pub async fn lock(tx: &mut WriteTx, scope: &Scope, id: &ConnectorId) -> Result<Option<StoredConnector>> {
    let sql = locking(
        tx.backend(),
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL"),
        select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL FOR UPDATE"),
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| from_row(&r)).transpose()
}

/// The scope's (not deleted) connector for `provider`, if it has one.
pub async fn of_provider<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    provider: &str,
) -> Result<Option<StoredConnector>> {
    let row = query(select!("WHERE merchant_id = $1 AND livemode = $2 AND provider = $3 AND deleted_at IS NULL"))
        .bind(scope.merchant_id.as_str().to_owned())
        .bind(live_flag(scope.mode))
        .bind(provider.to_owned())
        .fetch_optional(exec)
        .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// Deletes a connector (its row stays for the payments that went through it). `false` if the
/// scope has no such connector.
pub async fn delete(tx: &mut WriteTx, scope: &Scope, id: &ConnectorId, now: Timestamp) -> Result<bool> {
    let sql = "UPDATE connectors SET deleted_at = $4, updated_at = $4 \
               WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL";
    soft_delete(tx, sql, id.as_str(), scope, now).await
}

/// One page of the scope's (not deleted) connectors, newest first.
pub async fn list<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, page: &PageRequest) -> Result<Page<StoredConnector>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    b.push(" AND deleted_at IS NULL");
    fetch_page(exec, b, &TimeRange::default(), page, from_row, |c| Cursor {
        created_at: c.account.created_at.micros(),
        id: c.account.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<StoredConnector> {
    Ok(StoredConnector {
        account: ConnectorAccount {
            id: ConnectorId::from_trusted(r.text("id")?),
            merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
            mode: mode_from_flag(r.int("livemode")?),
            provider: r.text("provider")?,
            base_url: ProviderUrl::from_trusted(r.text("base_url")?),
            description: r.opt_text("description")?,
            created_at: Timestamp(r.int("created_at")?),
            updated_at: Timestamp(r.int("updated_at")?),
        },
        sealed_credentials: r.text("credentials")?,
        sealed_notifications: r.opt_text("notifications")?,
    })
}
