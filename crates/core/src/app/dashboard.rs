//! Who may sign in to a merchant's dashboard, and who is signed in. Passwords are hashed with
//! Argon2id (OWASP's parameters: 19 MiB, 2 passes) on a blocking thread; a signed-in session is
//! a random cookie of which only the SHA-256 is stored, so a copy of the database signs no one
//! in.
//!
//! Wrong sign-ins are counted per email *and client address*, whether a user has the email or
//! not: after [`FREE_FAILURES`] in a row that address is locked out for that email, for a while
//! that doubles with each further failure (30 s up to 15 min); the lock is checked before the
//! password, so guessing during it learns nothing. Someone who knows a user's email can lock
//! out only their own address, never the user signing in from theirs; and an email no one has
//! is answered exactly as one with a wrong password: the same statuses, words, locks and work
//! (one read, one Argon2 verification, one write), so neither the answer nor its time tells
//! which emails exist. Guessing from many addresses is slowed by the per-address throttle of
//! the face (failed sign-ins and API keys alike) and by Argon2's cost; passwords are 20
//! random characters when generated and at least 12 when chosen.

use super::merchants::hash_key;
use super::{App, AppError, AppResult, ErrorKind, field};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use kassa_domain::contact::Email;
use kassa_domain::id::random_base62;
use kassa_domain::{DashboardUserId, MerchantId, Timestamp};
use kassa_store::dashboard::{self, DashboardUser};
use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Duration;

/// Wrong passwords in a row, for one email from one address, before the first lock.
pub const FREE_FAILURES: i64 = 5;
/// The first lock; each further failure doubles it.
const FIRST_LOCK: Duration = Duration::from_secs(30);
/// The longest lock.
const LONGEST_LOCK: Duration = Duration::from_secs(15 * 60);
/// How long wrong sign-ins are remembered after the last one (µs): a day.
const FORGET_FAILURES_AFTER: i64 = 24 * 3600 * 1_000_000;
/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Shortest password a user may choose.
pub const MIN_PASSWORD_LEN: usize = 12;

/// A new dashboard user and their password, shown once.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    /// The user.
    pub user: DashboardUser,
    /// The generated password (only its hash is stored).
    pub password: String,
}

/// A successful sign-in: the cookie's value (shown once) and whose it is.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session token, for the cookie.
    pub token: String,
    /// Who signed in.
    pub user: DashboardUser,
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified against when the email is unknown so an unknown
/// address takes as long to refuse as a wrong password.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| hash_password(&random_base62(20)).unwrap_or_default());

fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|e| AppError::internal(format!("password salt: {e}")))?;
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::internal(format!("password hash: {e}")))?
        .to_string())
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::internal(format!("password hashing: {e}")))
}

/// How long a user stays locked after `failures` wrong passwords in a row.
fn lock_for(failures: i64) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = u32::try_from((failures - FREE_FAILURES).min(16)).unwrap_or(16);
    Some(FIRST_LOCK.saturating_mul(1 << doublings).min(LONGEST_LOCK))
}

fn after(now: Timestamp, d: Duration) -> Timestamp {
    Timestamp(now.micros().saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)))
}

fn normalized_email(raw: &str) -> AppResult<String> {
    let email = raw.trim().to_lowercase();
    Email::parse(&email).map_err(|e| AppError::invalid_field(field::EMAIL, e))?;
    Ok(email)
}

fn wrong_credentials() -> AppError {
    AppError::new(ErrorKind::Authentication, "invalid_credentials", "The email or the password is wrong.")
}

/// The token a signed-in session's forms carry (derived from the session's secret cookie, so a
/// page on another site cannot know it).
pub fn form_token(session_token: &str) -> String {
    hash_key(&format!("dashboard-form:{session_token}"))[..32].to_owned()
}

impl App {
    /// Creates a dashboard user for a merchant with a generated password, shown once.
    pub async fn create_dashboard_user(&self, merchant_id: &str, email: &str) -> AppResult<CreatedUser> {
        let merchant = MerchantId::parse(merchant_id).ok_or_else(|| AppError::not_found("merchant", merchant_id))?;
        let created = self.new_dashboard_user(merchant, email).await?;
        let mut tx = self.store().begin().await?;
        if !kassa_store::merchants::merchant_exists(tx.conn(), &created.user.merchant_id).await? {
            return Err(AppError::not_found("merchant", merchant_id));
        }
        insert_user(&mut tx, &created.user).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    /// A user with a generated password, hashed, not stored yet.
    pub(super) async fn new_dashboard_user(&self, merchant: MerchantId, email: &str) -> AppResult<CreatedUser> {
        let email = normalized_email(email)?;
        let password = random_base62(20);
        let hashed = {
            let password = password.clone();
            blocking(move || hash_password(&password)).await??
        };
        let user = DashboardUser {
            id: DashboardUserId::generate(),
            merchant_id: merchant,
            email,
            password_hash: hashed,
            created_at: self.clock().now(),
        };
        Ok(CreatedUser { user, password })
    }

    /// A merchant's dashboard users.
    pub async fn list_dashboard_users(&self, merchant: &MerchantId) -> AppResult<Vec<DashboardUser>> {
        Ok(dashboard::list_users(self.store().reader(), merchant).await?)
    }

    /// Checks an email and password from `client`; a new session on success. An unknown
    /// email and a wrong password are refused alike, and too many of either for one email
    /// from one address lock that address out for that email ([`ErrorKind::RateLimited`] with
    /// the wait).
    pub async fn dashboard_sign_in(&self, email: &str, password: &str, client: Option<IpAddr>) -> AppResult<SignedIn> {
        let email = email.trim().to_lowercase();
        let email_hash = hash_key(&format!("dashboard-sign-in:{email}"));
        let client = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let now = self.clock().now();
        let counted = dashboard::sign_in_failures(self.store().reader(), &email_hash, &client).await?;
        if let Some(until) = counted.and_then(|c| c.locked_until).filter(|until| *until > now) {
            let seconds = (until.micros() - now.micros()).div_euclid(1_000_000) + 1;
            return Err(AppError::new(
                ErrorKind::RateLimited,
                "user_locked",
                format!("Too many wrong passwords; try again in {}.", human_wait(seconds)),
            )
            .with_retry_after(u64::try_from(seconds).unwrap_or(1)));
        }
        let user = dashboard::user_by_email(self.store().reader(), &email).await?;
        let phc = user.as_ref().map_or_else(|| DECOY_HASH.clone(), |u| u.password_hash.clone());
        let password = password.to_owned();
        let matches = blocking(move || password_matches(&password, &phc)).await?;
        let mut tx = self.store().begin().await?;
        let Some(user) = user.filter(|_| matches) else {
            dashboard::count_sign_in_failure(&mut tx, &email_hash, &client, now, |failures| {
                lock_for(failures).map(|d| after(now, d))
            })
            .await?;
            dashboard::forget_sign_in_failures_before(&mut tx, Timestamp(now.micros() - FORGET_FAILURES_AFTER)).await?;
            self.commit(tx).await?;
            return Err(wrong_credentials());
        };
        if counted.is_some() {
            dashboard::clear_sign_in_failures(&mut tx, &email_hash, &client).await?;
        }
        let token = random_base62(43);
        dashboard::insert_session(&mut tx, &hash_key(&token), &user.id, now, after(now, SESSION_LIFETIME)).await?;
        dashboard::delete_expired_sessions(&mut tx, now).await?;
        self.commit(tx).await?;
        Ok(SignedIn { token, user })
    }

    /// The user a session cookie signs in, if it is a live session.
    pub async fn dashboard_session(&self, token: &str) -> AppResult<Option<DashboardUser>> {
        if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        Ok(dashboard::session_user(self.store().reader(), &hash_key(token), self.clock().now()).await?)
    }

    /// Ends a session; the cookie signs no one in any more, on any node.
    pub async fn dashboard_sign_out(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        dashboard::delete_session(&mut tx, &hash_key(token)).await?;
        self.commit(tx).await
    }

    /// Changes a signed-in user's password after checking the current one; every other
    /// session of theirs ends. Returns the new session that replaces this one.
    pub async fn change_dashboard_password(
        &self,
        user: &DashboardUser,
        current: &str,
        new: &str,
    ) -> AppResult<SignedIn> {
        if new.chars().count() < MIN_PASSWORD_LEN || new.len() > 1024 {
            return Err(AppError::invalid_field(
                field::NEW_PASSWORD,
                kassa_domain::validation::Invalid::new(
                    "password_too_short",
                    format!("Choose a password of at least {MIN_PASSWORD_LEN} characters."),
                ),
            ));
        }
        let (current, phc) = (current.to_owned(), user.password_hash.clone());
        if !blocking(move || password_matches(&current, &phc)).await? {
            return Err(AppError::new(ErrorKind::Validation, "wrong_password", "The current password is wrong.")
                .with_param(field::PASSWORD));
        }
        let hashed = {
            let new = new.to_owned();
            blocking(move || hash_password(&new)).await??
        };
        let mut tx = self.store().begin().await?;
        dashboard::set_password(&mut tx, &user.id, &hashed).await?;
        dashboard::delete_sessions_of(&mut tx, &user.id).await?;
        let now = self.clock().now();
        let token = random_base62(43);
        dashboard::insert_session(&mut tx, &hash_key(&token), &user.id, now, after(now, SESSION_LIFETIME)).await?;
        self.commit(tx).await?;
        Ok(SignedIn { token, user: DashboardUser { password_hash: hashed, ..user.clone() } })
    }
}

/// Stores a user made by [`App::new_dashboard_user`]; an email is one user on the gateway.
pub(super) async fn insert_user(tx: &mut kassa_store::WriteTx, user: &DashboardUser) -> AppResult<()> {
    if dashboard::email_taken(tx, &user.email).await? {
        return Err(AppError::new(ErrorKind::Conflict, "email_taken", "A dashboard user has this email already.")
            .with_param(field::EMAIL));
    }
    dashboard::insert_user(tx, user).await?;
    Ok(())
}

fn human_wait(seconds: i64) -> String {
    if seconds < 90 { format!("{seconds} seconds") } else { format!("{} minutes", (seconds + 59) / 60) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_start_after_the_free_failures_and_double_up_to_the_cap() {
        assert_eq!(lock_for(1), None);
        assert_eq!(lock_for(FREE_FAILURES - 1), None);
        assert_eq!(lock_for(FREE_FAILURES), Some(Duration::from_secs(30)));
        assert_eq!(lock_for(FREE_FAILURES + 1), Some(Duration::from_secs(60)));
        assert_eq!(lock_for(FREE_FAILURES + 4), Some(Duration::from_secs(480)));
        assert_eq!(lock_for(FREE_FAILURES + 5), Some(LONGEST_LOCK));
        assert_eq!(lock_for(i64::MAX), Some(LONGEST_LOCK));
    }

    #[test]
    fn a_password_matches_its_own_hash_only() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &phc));
        assert!(!password_matches("correct horse batterY", &phc));
        assert!(!password_matches("correct horse battery", "not a hash"));
        assert_ne!(phc, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn form_tokens_differ_per_session() {
        assert_eq!(form_token("a").len(), 32);
        assert_ne!(form_token("a"), form_token("b"));
    }
}
