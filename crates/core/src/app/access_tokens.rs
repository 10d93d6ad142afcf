//! Bearer tokens a merchant exchanges its keys for (a client-credentials grant): the merchant id,
//! a secret key and a publishable key of the same mode in, an opaque token out, valid for an
//! hour in test mode and a day in live mode. Requests then present the token instead of the
//! secret key. Only the token's SHA-256 is stored; revoking the secret key ends its tokens.

use super::merchants::{Authenticated, hash_key};
use super::{App, AppError, AppResult, ErrorKind};
use kassa_domain::id::random_base62;
use kassa_domain::merchant::SerialNumber;
use kassa_domain::{KeyKind, MerchantId, Mode, Timestamp};
use kassa_store::access_tokens::{self, AccessToken};
use kassa_store::merchants;
use std::time::Duration;

/// A token just issued: shown once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The bearer token.
    pub token: String,
    /// Issued at.
    pub issued_at: Timestamp,
    /// Stops working at.
    pub expires_at: Timestamp,
    /// How long it lives.
    pub lifetime: Duration,
}

fn unauthorized(message: &str) -> AppError {
    AppError::new(ErrorKind::Authentication, "invalid_credentials", message.to_owned())
}

impl App {
    /// Checks a merchant's key pair: `secret_key` and `publishable_key` must be keys of
    /// `merchant_id`, of one mode. Answers as the secret key.
    pub async fn authenticate_key_pair(
        &self,
        merchant_id: &str,
        secret_key: &str,
        publishable_key: &str,
    ) -> AppResult<Authenticated> {
        let secret = self.authenticate(secret_key).await?;
        if secret.kind != KeyKind::Secret || secret.merchant_id.as_str() != merchant_id {
            return Err(unauthorized("The client id and secret do not belong together."));
        }
        let publishable = self
            .authenticate(publishable_key)
            .await
            .map_err(|_| unauthorized("The subscription key is not a publishable key of this merchant."))?;
        if publishable.kind != KeyKind::Publishable
            || publishable.merchant_id != secret.merchant_id
            || publishable.mode != secret.mode
        {
            return Err(unauthorized("The subscription key is not a publishable key of this merchant and mode."));
        }
        Ok(secret)
    }

    /// Issues a bearer token for a merchant's key pair (see [`App::authenticate_key_pair`]).
    pub async fn issue_access_token(
        &self,
        merchant_id: &str,
        secret_key: &str,
        publishable_key: &str,
    ) -> AppResult<IssuedToken> {
        let auth = self.authenticate_key_pair(merchant_id, secret_key, publishable_key).await?;
        let lifetime = match auth.mode {
            Mode::Test => Duration::from_secs(3600),
            Mode::Live => Duration::from_secs(24 * 3600),
        };
        let token = format!("kat_{}_{}", auth.mode.as_str(), random_base62(43));
        let now = self.clock().now();
        let record = AccessToken {
            token_hash: hash_key(&token),
            merchant_id: auth.merchant_id,
            mode: auth.mode,
            key_id: auth.key_id,
            expires_at: now.plus_millis(lifetime.as_millis() as i64),
            created_at: now,
        };
        let mut tx = self.store().begin().await?;
        access_tokens::delete_expired(&mut tx, now).await?;
        access_tokens::insert(&mut tx, &record).await?;
        self.commit(tx).await?;
        Ok(IssuedToken { token, issued_at: now, expires_at: record.expires_at, lifetime })
    }

    /// Checks a presented bearer token: issued here, not expired, its secret key not revoked.
    pub async fn authenticate_access_token(&self, presented: &str) -> AppResult<Authenticated> {
        let invalid = || unauthorized("The access token is invalid or has expired; fetch a new one.");
        if presented.len() > 200 || !presented.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(invalid());
        }
        let reader = self.store().reader();
        let record = access_tokens::find(reader, &hash_key(presented)).await?.ok_or_else(invalid)?;
        if record.expires_at <= self.clock().now() {
            return Err(invalid());
        }
        let key = merchants::get_key(reader, &record.key_id).await?.ok_or_else(invalid)?;
        if key.revoked_at.is_some() {
            return Err(invalid());
        }
        Ok(Authenticated { key_id: key.id, merchant_id: record.merchant_id, kind: KeyKind::Secret, mode: record.mode })
    }

    /// Checks that `publishable_key` is a publishable key of the caller's merchant and mode.
    pub async fn check_publishable_key(&self, caller: &Authenticated, publishable_key: &str) -> AppResult<()> {
        let wrong = || unauthorized("The subscription key is not a publishable key of this merchant and mode.");
        let key = self.authenticate(publishable_key).await.map_err(|_| wrong())?;
        if key.kind != KeyKind::Publishable || key.merchant_id != caller.merchant_id || key.mode != caller.mode {
            return Err(wrong());
        }
        Ok(())
    }

    /// Checks that `serial` is the caller's merchant's serial number.
    pub async fn check_serial_number(&self, merchant: &MerchantId, serial: &str) -> AppResult<()> {
        let wrong = || unauthorized("The merchant serial number does not belong to these credentials.");
        let serial = SerialNumber::parse(serial.trim()).map_err(|_| wrong())?;
        let found = merchants::get_merchant(self.store().reader(), merchant).await?.ok_or_else(wrong)?;
        if found.serial_number != serial {
            return Err(wrong());
        }
        Ok(())
    }
}
