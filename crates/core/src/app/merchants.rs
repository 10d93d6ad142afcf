//! Merchants and API keys. A key is shown once, when created; only its SHA-256 is stored
//! (keys carry ~190 random bits, so a fast hash is enough to make the stored value useless).

use super::{App, AppError, AppResult, ErrorKind};
use kassa_domain::id::random_base62;
use kassa_domain::merchant::SerialNumber;
use kassa_domain::{ApiKeyId, KeyKind, MerchantId, Mode};
use kassa_store::WriteTx;
use kassa_store::merchants::{self, ApiKey, Merchant};
use sha2::{Digest, Sha256};

/// A new merchant with its first test keys, shown once.
#[derive(Debug, Clone)]
pub struct CreatedMerchant {
    /// The merchant.
    pub merchant: Merchant,
    /// `sk_test_…`
    pub secret_key: String,
    /// `pk_test_…`
    pub publishable_key: String,
    /// The demo merchant's dashboard user, with its password (shown once).
    pub dashboard_user: Option<super::CreatedUser>,
}

/// The sign-in of the demo merchant's dashboard user.
pub const DEMO_USER_EMAIL: &str = "demo@kassa.test";

/// A new key, shown once.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    /// Its record.
    pub record: ApiKey,
    /// The key itself.
    pub key: String,
}

/// Who a valid key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The key's record id (rate limits are per key).
    pub key_id: ApiKeyId,
    /// The merchant.
    pub merchant_id: MerchantId,
    /// Secret or publishable.
    pub kind: KeyKind,
    /// Test or live.
    pub mode: Mode,
}

/// A random serial number no merchant has. The write transaction serializes creations on
/// SQLite; on PostgreSQL the unique index refuses the (one in a million) concurrent twin.
async fn free_serial_number(tx: &mut WriteTx) -> AppResult<SerialNumber> {
    for _ in 0..32 {
        let candidate = SerialNumber::generate();
        if !merchants::serial_number_taken(tx, candidate).await? {
            return Ok(candidate);
        }
    }
    Err(AppError::internal("no free merchant serial number after 32 draws"))
}

pub(super) fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl App {
    /// Creates a merchant with a test secret key and a test publishable key.
    pub async fn create_merchant(&self, name: &str) -> AppResult<CreatedMerchant> {
        let mut tx = self.store().begin().await?;
        let created = self.insert_merchant(&mut tx, MerchantId::generate(), name).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    /// On the first start (no merchant at all), creates the demo merchant and its dashboard
    /// user. Two nodes starting together create one: the check and the insert share a write
    /// transaction (the password is hashed before it, not with the table locked).
    pub async fn ensure_demo_merchant(&self) -> AppResult<Option<CreatedMerchant>> {
        if merchants::any_merchant(&mut self.store().begin().await?).await? {
            return Ok(None);
        }
        let id = MerchantId::generate();
        let user = self.new_dashboard_user(id.clone(), DEMO_USER_EMAIL).await?;
        let mut tx = self.store().begin().await?;
        merchants::lock_table(&mut tx).await?;
        if merchants::any_merchant(&mut tx).await? {
            return Ok(None);
        }
        let mut created = self.insert_merchant(&mut tx, id, "Demo merchant").await?;
        super::dashboard::insert_user(&mut tx, &user.user).await?;
        self.commit(tx).await?;
        created.dashboard_user = Some(user);
        Ok(Some(created))
    }

    async fn insert_merchant(&self, tx: &mut WriteTx, id: MerchantId, name: &str) -> AppResult<CreatedMerchant> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::new(
                ErrorKind::Validation,
                "invalid_name",
                "A merchant name must be 1 to 200 characters.",
            ));
        }
        let serial_number = free_serial_number(tx).await?;
        let merchant = Merchant { id, name: name.to_owned(), serial_number, created_at: self.clock().now() };
        merchants::insert_merchant(tx, &merchant).await?;
        let secret = self.insert_key(tx, &merchant.id, KeyKind::Secret, Mode::Test).await?;
        let publishable = self.insert_key(tx, &merchant.id, KeyKind::Publishable, Mode::Test).await?;
        Ok(CreatedMerchant { merchant, secret_key: secret.key, publishable_key: publishable.key, dashboard_user: None })
    }

    /// Gives every merchant created before serial numbers existed its number (at start).
    pub(super) async fn assign_missing_serial_numbers(&self) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        for id in merchants::without_serial_number(&mut tx).await? {
            let serial = free_serial_number(&mut tx).await?;
            merchants::set_serial_number(&mut tx, &id, serial).await?;
        }
        self.commit(tx).await
    }

    /// Moves the face notes an earlier Kassa kept in merchants' metadata to their own place.
    pub(super) async fn lift_face_notes_out_of_metadata(&self) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let moved = kassa_store::face_notes::lift_out_of_metadata(&mut tx).await?;
        self.commit(tx).await?;
        if moved > 0 {
            tracing::info!(rows = moved, "face notes moved out of merchant metadata");
        }
        Ok(())
    }

    /// Creates a key for an existing merchant.
    pub async fn create_api_key(&self, merchant_id: &str, kind: KeyKind, mode: Mode) -> AppResult<CreatedKey> {
        let not_found = || AppError::not_found("merchant", merchant_id);
        let merchant = MerchantId::parse(merchant_id).ok_or_else(not_found)?;
        let mut tx = self.store().begin().await?;
        if !merchants::merchant_exists(tx.conn(), &merchant).await? {
            return Err(not_found());
        }
        let created = self.insert_key(&mut tx, &merchant, kind, mode).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn insert_key(
        &self,
        tx: &mut WriteTx,
        merchant: &MerchantId,
        kind: KeyKind,
        mode: Mode,
    ) -> AppResult<CreatedKey> {
        let key = format!("{}_{}_{}", kind.prefix(), mode.as_str(), random_base62(32));
        let record = ApiKey {
            id: ApiKeyId::generate(),
            merchant_id: merchant.clone(),
            kind,
            mode,
            last4: key[key.len() - 4..].to_owned(),
            created_at: self.clock().now(),
            revoked_at: None,
        };
        merchants::insert_key(tx, &record, &hash_key(&key)).await?;
        Ok(CreatedKey { record, key })
    }

    /// Revokes a key by its record id; it stops working at once through this process, and
    /// within [`super::KEY_CACHE_TTL`] on every other node.
    pub async fn revoke_api_key(&self, key_id: &str) -> AppResult<()> {
        let not_found = || AppError::not_found("api_key", key_id);
        let id = ApiKeyId::parse(key_id).ok_or_else(not_found)?;
        let mut tx = self.store().begin().await?;
        if !merchants::revoke_key(&mut tx, &id, self.clock().now()).await? {
            return Err(not_found());
        }
        self.commit(tx).await?;
        self.inner.keys.forget(&id);
        Ok(())
    }

    /// Every merchant.
    pub async fn list_merchants(&self) -> AppResult<Vec<Merchant>> {
        Ok(merchants::list_merchants(self.store().reader()).await?)
    }

    /// One merchant.
    pub async fn merchant(&self, id: &MerchantId) -> AppResult<Merchant> {
        merchants::get_merchant(self.store().reader(), id)
            .await?
            .ok_or_else(|| AppError::not_found("merchant", id.as_str()))
    }

    /// A merchant's keys (records only).
    pub async fn list_api_keys(&self, merchant_id: &str) -> AppResult<Vec<ApiKey>> {
        let merchant = MerchantId::parse(merchant_id).ok_or_else(|| AppError::not_found("merchant", merchant_id))?;
        Ok(merchants::list_keys(self.store().reader(), &merchant).await?)
    }

    /// Checks a presented key.
    pub async fn authenticate(&self, presented: &str) -> AppResult<Authenticated> {
        let invalid = || {
            AppError::new(
                ErrorKind::Authentication,
                "invalid_api_key",
                "Invalid API key provided. Keys look like sk_test_… or sk_live_…; create one with `kassa keys create`.",
            )
        };
        if presented.len() > 200 || !presented.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(invalid());
        }
        let hash = hash_key(presented);
        if let Some(known) = self.inner.keys.get(&hash) {
            return Ok(known);
        }
        let key = merchants::find_key_by_hash(self.store().reader(), &hash).await?.ok_or_else(invalid)?;
        if key.revoked_at.is_some() {
            return Err(AppError::new(ErrorKind::Authentication, "api_key_revoked", "This API key has been revoked."));
        }
        let known = Authenticated { key_id: key.id, merchant_id: key.merchant_id, kind: key.kind, mode: key.mode };
        self.inner.keys.put(hash, known.clone());
        Ok(known)
    }
}
