//! The `dashboard_users`, `dashboard_sessions` and `dashboard_sign_in_failures` tables: who
//! may sign in to a merchant's dashboard (a password hash, never the password), who is signed
//! in (a cookie's hash), and the wrong sign-ins counted per email and client address.

use crate::Db;
use crate::codec::RowExt;
use crate::db::Row;
use crate::db::query;
use crate::sql::locking;
use crate::{Result, WriteTx};
pub use kassa_domain::merchant::DashboardUser;
use kassa_domain::{DashboardUserId, MerchantId, Timestamp};

const USER_COLUMNS: &str = "id, merchant_id, email, password_hash, created_at";

/// Stores a new user.
pub async fn insert_user(tx: &mut WriteTx, u: &DashboardUser) -> Result<()> {
    query(
        "INSERT INTO dashboard_users (id, merchant_id, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(u.id.as_str().to_owned())
    .bind(u.merchant_id.as_str().to_owned())
    .bind(u.email.clone())
    .bind(u.password_hash.clone())
    .bind(u.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The user with this email.
pub async fn user_by_email(db: impl Into<Db<'_>>, email: &str) -> Result<Option<DashboardUser>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM dashboard_users WHERE email = $1");
    let row = query(sql).bind(email.to_owned()).fetch_optional(db).await?;
    row.map(|r| user_from_row(&r)).transpose()
}

/// Wrong sign-ins for one email from one client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFailures {
    /// How many in a row.
    pub failures: i64,
    /// No sign-in for that email from that address until then.
    pub locked_until: Option<Timestamp>,
}

/// The wrong sign-ins counted for `email_hash` from `client`.
pub async fn sign_in_failures(db: impl Into<Db<'_>>, email_hash: &str, client: &str) -> Result<Option<SignInFailures>> {
    let row =
        query("SELECT failures, locked_until FROM dashboard_sign_in_failures WHERE email_hash = $1 AND client = $2")
            .bind(email_hash.to_owned())
            .bind(client.to_owned())
            .fetch_optional(db)
            .await?;
    row.map(|r| {
        Ok(SignInFailures { failures: r.int("failures")?, locked_until: r.opt_int("locked_until")?.map(Timestamp) })
    })
    .transpose()
}

/// Counts one more wrong sign-in for `email_hash` from `client`; `lock` says how long the
/// count locks them out. Returns the new count.
pub async fn count_sign_in_failure(
    tx: &mut WriteTx,
    email_hash: &str,
    client: &str,
    now: Timestamp,
    lock: impl FnOnce(i64) -> Option<Timestamp>,
) -> Result<SignInFailures> {
    const PLAIN: &str = "SELECT failures FROM dashboard_sign_in_failures WHERE email_hash = $1 AND client = $2";
    const FOR_UPDATE: &str =
        "SELECT failures FROM dashboard_sign_in_failures WHERE email_hash = $1 AND client = $2 FOR UPDATE";
    let before = query(locking(tx.backend(), PLAIN, FOR_UPDATE))
        .bind(email_hash.to_owned())
        .bind(client.to_owned())
        .fetch_optional(tx.conn())
        .await?;
    let failures = before.map(|r| r.int("failures")).transpose()?.unwrap_or(0) + 1;
    let counted = SignInFailures { failures, locked_until: lock(failures) };
    query(
        "INSERT INTO dashboard_sign_in_failures (email_hash, client, failures, locked_until, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email_hash, client) \
         DO UPDATE SET failures = $3, locked_until = $4, updated_at = $5",
    )
    .bind(email_hash.to_owned())
    .bind(client.to_owned())
    .bind(counted.failures)
    .bind(counted.locked_until.map(Timestamp::micros))
    .bind(now.micros())
    .execute(tx.conn())
    .await?;
    Ok(counted)
}

/// Forgets the wrong sign-ins for `email_hash` from `client` (it signed in).
pub async fn clear_sign_in_failures(tx: &mut WriteTx, email_hash: &str, client: &str) -> Result<()> {
    query("DELETE FROM dashboard_sign_in_failures WHERE email_hash = $1 AND client = $2")
        .bind(email_hash.to_owned())
        .bind(client.to_owned())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Forgets the wrong sign-ins last counted before `cutoff`.
pub async fn forget_sign_in_failures_before(tx: &mut WriteTx, cutoff: Timestamp) -> Result<()> {
    query("DELETE FROM dashboard_sign_in_failures WHERE updated_at < $1")
        .bind(cutoff.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether a user has this email.
pub async fn email_taken(tx: &mut WriteTx, email: &str) -> Result<bool> {
    let row = query("SELECT id FROM dashboard_users WHERE email = $1")
        .bind(email.to_owned())
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.is_some())
}

/// Replaces a user's password.
pub async fn set_password(tx: &mut WriteTx, id: &DashboardUserId, password_hash: &str) -> Result<()> {
    query("UPDATE dashboard_users SET password_hash = $2 WHERE id = $1")
        .bind(id.as_str().to_owned())
        .bind(password_hash.to_owned())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A merchant's users, oldest first.
pub async fn list_users<'e, E: Into<Db<'e>>>(exec: E, merchant: &MerchantId) -> Result<Vec<DashboardUser>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM dashboard_users WHERE merchant_id = $1 ORDER BY created_at, id");
    let rows = query(sql).bind(merchant.as_str().to_owned()).fetch_all(exec).await?;
    rows.iter().map(user_from_row).collect()
}

fn user_from_row(r: &Row) -> Result<DashboardUser> {
    Ok(DashboardUser {
        id: DashboardUserId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        email: r.text("email")?,
        password_hash: r.text("password_hash")?,
        created_at: Timestamp(r.int("created_at")?),
    })
}

/// Stores a signed-in session under the hash of its cookie.
pub async fn insert_session(
    tx: &mut WriteTx,
    token_hash: &str,
    user: &DashboardUserId,
    created_at: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    query("INSERT INTO dashboard_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash.to_owned())
        .bind(user.as_str().to_owned())
        .bind(created_at.micros())
        .bind(expires_at.micros())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The user of the session with this hash, if it has not expired at `now`.
pub async fn session_user<'e, E: Into<Db<'e>>>(
    exec: E,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<DashboardUser>> {
    let sql = "SELECT u.id, u.merchant_id, u.email, u.password_hash, u.failed_attempts, u.locked_until, u.created_at \
               FROM dashboard_sessions s JOIN dashboard_users u ON u.id = s.user_id \
               WHERE s.token_hash = $1 AND s.expires_at > $2";
    let row = query(sql).bind(token_hash.to_owned()).bind(now.micros()).fetch_optional(exec).await?;
    row.map(|r| user_from_row(&r)).transpose()
}

/// Ends a session.
pub async fn delete_session(tx: &mut WriteTx, token_hash: &str) -> Result<()> {
    query("DELETE FROM dashboard_sessions WHERE token_hash = $1")
        .bind(token_hash.to_owned())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every session of a user (their password changed).
pub async fn delete_sessions_of(tx: &mut WriteTx, user: &DashboardUserId) -> Result<()> {
    query("DELETE FROM dashboard_sessions WHERE user_id = $1")
        .bind(user.as_str().to_owned())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Forgets sessions that expired before `now`.
pub async fn delete_expired_sessions(tx: &mut WriteTx, now: Timestamp) -> Result<u64> {
    let done =
        query("DELETE FROM dashboard_sessions WHERE expires_at < $1").bind(now.micros()).execute(tx.conn()).await?;
    Ok(done.rows_affected())
}
