//! Recently checked API keys, so a request's key costs no database read: an entry is trusted
//! for [`KEY_CACHE_TTL`], then read again. A key revoked through this process stops working
//! at once (its entry is dropped); revoked on another node or by `kassa keys revoke`, within
//! [`KEY_CACHE_TTL`] on every node. Unknown and revoked keys are never cached, so a new key
//! works at once everywhere.

use super::merchants::Authenticated;
use kassa_domain::ApiKeyId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a checked key is trusted without reading it again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(2);
/// Most keys remembered (beyond, the cache starts over: bounded memory under key spraying).
const CAPACITY: usize = 10_000;

/// Valid keys by the hash of their secret, with when they were read.
#[derive(Default)]
pub(super) struct KeyCache(Mutex<HashMap<String, (Authenticated, Instant)>>);

impl KeyCache {
    pub(super) fn get(&self, hash: &str) -> Option<Authenticated> {
        let entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(hash).filter(|(_, read)| read.elapsed() < KEY_CACHE_TTL).map(|(auth, _)| auth.clone())
    }

    pub(super) fn put(&self, hash: String, auth: Authenticated) {
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(hash, (auth, Instant::now()));
    }

    pub(super) fn forget(&self, key: &ApiKeyId) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, (auth, _)| &auth.key_id != key);
    }
}
