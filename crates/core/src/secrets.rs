//! The operator's master key and the keys derived from it. Keys that protect data at rest do
//! not live with the data: the master key comes from `KASSA_MASTER_KEY` or a key file outside
//! the data directory, and a copy of the database alone yields neither the card fingerprints'
//! key (so the card numbers behind a brand, last four and fingerprint cannot be searched for)
//! nor the webhook signing secrets (sealed with AES-256-GCM).

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;

/// Length of the master key, in bytes.
pub const MASTER_KEY_LEN: usize = 32;

/// The prefix of a sealed value: `sealed1:<base64 of nonce ‖ ciphertext ‖ tag>`.
const SEALED: &str = "sealed1:";

/// The operator's master key (32 random bytes, written as 64 hex characters).
#[derive(Clone)]
pub struct MasterKey([u8; MASTER_KEY_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate() -> MasterKey {
        let mut key = [0u8; MASTER_KEY_LEN];
        rand::rng().fill_bytes(&mut key);
        MasterKey(key)
    }

    /// The key from its bytes (tests, fixtures).
    pub fn from_bytes(bytes: [u8; MASTER_KEY_LEN]) -> MasterKey {
        MasterKey(bytes)
    }

    /// Parses 64 hex characters (surrounding whitespace ignored).
    pub fn parse_hex(s: &str) -> Result<MasterKey, String> {
        let bytes = hex::decode(s.trim()).map_err(|_| "a master key is 64 hex characters".to_owned())?;
        let key: [u8; MASTER_KEY_LEN] =
            bytes.try_into().map_err(|_| "a master key is 64 hex characters (32 bytes)".to_owned())?;
        Ok(MasterKey(key))
    }

    /// The key as 64 hex characters, for its file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A key for one purpose, independent of the keys for the others.
    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"kassa/");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// What the master key protects, derived once at start.
pub struct Secrets {
    fingerprints: [u8; 32],
    forms: [u8; 32],
    check: String,
    sealing: LessSafeKey,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(…)")
    }
}

/// A sealed value that does not open: another master key sealed it, or it was altered.
#[derive(Debug, thiserror::Error)]
#[error("a sealed secret could not be opened: the database was sealed with another master key, or altered")]
pub struct Unsealable;

impl Secrets {
    /// The keys of `master`.
    pub fn new(master: &MasterKey) -> Secrets {
        let sealing = UnboundKey::new(&AES_256_GCM, &master.derive("webhook-secrets/v1")).expect("a 32-byte key");
        Secrets {
            fingerprints: master.derive("card-fingerprints/v1"),
            forms: master.derive("forms/v1"),
            check: hex::encode(master.derive("check/v1")),
            sealing: LessSafeKey::new(sealing),
        }
    }

    /// A value the database keeps to recognize the master key it was sealed with (it reveals
    /// nothing about the key).
    pub fn check_value(&self) -> &str {
        &self.check
    }

    /// The key of the hosted page's form tokens and of client secrets.
    pub fn forms_key(&self) -> &[u8] {
        &self.forms
    }

    /// A card fingerprint as stored: the database's own keyed hash of the card, keyed again
    /// with the master key, so the database alone cannot recompute it.
    pub fn fingerprint(&self, inner: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.fingerprints).expect("HMAC takes any key length");
        mac.update(inner.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..8])
    }

    /// Seals a secret for storage.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = plain.as_bytes().to_vec();
        self.sealing
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(SEALED), &mut sealed)
            .expect("AES-GCM seals any length this small");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{SEALED}{}", B64.encode(out))
    }

    /// Opens a stored secret; a value that was never sealed (written before secrets were) is
    /// returned as it is.
    pub fn open(&self, stored: &str) -> Result<String, Unsealable> {
        let Some(encoded) = stored.strip_prefix(SEALED) else { return Ok(stored.to_owned()) };
        let raw = B64.decode(encoded).map_err(|_| Unsealable)?;
        if raw.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| Unsealable)?;
        let mut sealed = sealed.to_vec();
        let plain = self.sealing.open_in_place(nonce, Aad::from(SEALED), &mut sealed).map_err(|_| Unsealable)?;
        String::from_utf8(plain.to_vec()).map_err(|_| Unsealable)
    }

    /// Whether a stored value is sealed.
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let secrets = Secrets::new(&MasterKey::from_bytes([1; 32]));
        let sealed = secrets.seal("whsec_abc");
        assert!(Secrets::is_sealed(&sealed) && !sealed.contains("whsec_abc"));
        assert_ne!(sealed, secrets.seal("whsec_abc"), "a fresh nonce each time");
        assert_eq!(secrets.open(&sealed).unwrap(), "whsec_abc");
        assert_eq!(secrets.open("whsec_legacy").unwrap(), "whsec_legacy", "unsealed values pass");
        let other = Secrets::new(&MasterKey::from_bytes([2; 32]));
        assert!(other.open(&sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(secrets.open(&tampered).is_err());
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_master() {
        let a = Secrets::new(&MasterKey::from_bytes([1; 32]));
        let b = Secrets::new(&MasterKey::from_bytes([2; 32]));
        assert_ne!(a.fingerprint("f00d"), b.fingerprint("f00d"));
        assert_eq!(a.fingerprint("f00d"), a.fingerprint("f00d"));
        assert_ne!(a.forms_key(), &a.fingerprints[..]);
        assert_ne!(a.check_value(), b.check_value());
    }

    #[test]
    fn master_keys_parse_from_64_hex_characters() {
        let key = MasterKey::generate();
        assert_eq!(MasterKey::parse_hex(&format!(" {}\n", key.to_hex())).unwrap().0, key.0);
        assert!(MasterKey::parse_hex("abcd").is_err());
        assert!(format!("{key:?}").contains('…'), "never printed");
    }
}
