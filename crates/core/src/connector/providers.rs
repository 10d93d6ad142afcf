//! Payment providers a merchant's connector reaches: which there are, what their credentials
//! are and how to check them. The core knows none by name; each is implemented over its
//! provider's client crate outside the core and handed to [`crate::app::App::new`].

use super::BoxFuture;
use kassa_domain::Mode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A connector's credentials: the provider's named secrets (each a string). Never shown, logged
/// or kept anywhere but sealed beside the connector.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credentials(BTreeMap<String, String>);

impl Credentials {
    /// Credentials of these fields.
    pub fn new(fields: BTreeMap<String, String>) -> Credentials {
        Credentials(fields)
    }

    /// The field `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({:?}: redacted)", self.0.keys().collect::<Vec<_>>())
    }
}

/// Why credentials did not pass their check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The provider refused them; in its words.
    Refused(String),
    /// The provider could not be asked (network, timeout, a 5xx); the check may be retried.
    Unreachable(String),
}

/// One credential field: its name, and whether a connector must give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialField {
    /// The field's name in `credentials`.
    pub name: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// A payment provider a connector can reach.
pub trait Provider: Send + Sync {
    /// Its name: a connector's `type`.
    fn name(&self) -> &'static str;

    /// Where its API is when a connector gives no base URL: its test host in test mode, its
    /// production host in live mode.
    fn default_base_url(&self, mode: Mode) -> &'static str;

    /// The fields of its credentials.
    fn credential_fields(&self) -> &'static [CredentialField];

    /// Asks the provider whether `credentials` are good at `base_url`, with its cheapest
    /// authenticated call; `Ok` without asking where it has none.
    fn check<'a>(&'a self, credentials: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>>;
}

/// The providers this gateway reaches, by name.
#[derive(Clone, Default)]
pub struct Providers(Arc<Vec<Arc<dyn Provider>>>);

impl Providers {
    /// These providers.
    pub fn new(providers: Vec<Arc<dyn Provider>>) -> Providers {
        Providers(Arc::new(providers))
    }

    /// The provider named `name`.
    pub fn get(&self, name: &str) -> Option<&dyn Provider> {
        self.0.iter().find(|p| p.name() == name).map(|p| p.as_ref())
    }

    /// Every provider's name.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|p| p.name()).collect()
    }

    /// Every provider.
    pub fn all(&self) -> impl Iterator<Item = &dyn Provider> {
        self.0.iter().map(|p| p.as_ref())
    }
}
