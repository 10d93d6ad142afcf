//! Connectors: a merchant's accounts at payment providers. Credentials are checked with the
//! provider where it has a cheap authenticated call, sealed with the master key, and never
//! leave the gateway but towards the provider: not in an answer, an event, an idempotency
//! record or a log line.

use super::error::FieldError;
use super::list::{Page, PageRequest};
use super::{App, AppError, AppResult, Ctx, ErrorKind};
use crate::connector::providers::{Account, CheckError, Credentials, Provider, Subscription};
use kassa_domain::connector::{ConnectorAccount, ProviderUrl};
use kassa_domain::{ConnectorId, Invalid};
use kassa_store::connectors::{self as store, StoredConnector};
use kassa_store::payment_intents;
use std::collections::BTreeMap;

/// Longest credential value, in characters.
pub const MAX_CREDENTIAL_CHARS: usize = 500;

/// A create request, as given (checked here, against the provider it names).
#[derive(Debug)]
pub struct NewConnectorInput {
    /// The provider's name (`type`).
    pub provider: String,
    /// `credentials`: the provider's fields, each a string.
    pub credentials: serde_json::Map<String, serde_json::Value>,
    /// The provider API's base URL; the provider's own for the mode when `None`.
    pub base_url: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

/// An update; `None` leaves a field as it is. New credentials replace the old ones whole.
#[derive(Debug, Default)]
pub struct ConnectorChanges {
    /// New credentials.
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    /// New base URL.
    pub base_url: Option<String>,
    /// New description.
    pub description: Option<String>,
}

impl App {
    /// Adds a connector: one per provider, merchant and mode (409 `connector_exists`), its
    /// credentials checked with the provider first (422 `connector_credentials_invalid`).
    pub async fn create_connector(&self, ctx: &Ctx, input: NewConnectorInput) -> AppResult<ConnectorAccount> {
        let provider = self.provider(&input.provider)?;
        let mut errors = Vec::new();
        let credentials = parse_credentials(provider, &input.credentials, &mut errors);
        let base_url = self.base_url(provider, input.base_url.as_deref(), ctx, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        let (credentials, base_url) = (credentials.unwrap_or_default(), base_url.ok_or_else(unreachable)?);
        let id = ConnectorId::generate();
        let check = async || {
            if store::of_provider(self.store().reader(), &ctx.scope, provider.name()).await?.is_some() {
                return Err(exists(provider.name()));
            }
            checked(provider, &credentials, &base_url).await?;
            self.subscribe(provider, &credentials, &base_url, &id).await
        };
        self.idempotent_after(ctx, true, check, async |tx, notifications| {
            let now = self.clock().now();
            let account = ConnectorAccount {
                id: id.clone(),
                merchant_id: ctx.scope.merchant_id.clone(),
                mode: ctx.scope.mode,
                provider: provider.name().to_owned(),
                base_url: base_url.clone(),
                description: input.description.clone(),
                created_at: now,
                updated_at: now,
            };
            let stored = StoredConnector {
                account: account.clone(),
                sealed_credentials: self.seal(&credentials)?,
                sealed_notifications: notifications,
            };
            match store::insert(tx, &stored).await {
                Err(e) if e.is_unique_violation() => Err(exists(provider.name())),
                other => other.map(|()| account).map_err(AppError::from),
            }
        })
        .await
    }

    /// One connector.
    pub async fn get_connector(&self, ctx: &Ctx, id: &str) -> AppResult<ConnectorAccount> {
        let id = connector_id(id)?;
        let found = store::get(self.store().reader(), &ctx.scope, &id).await?;
        Ok(found.ok_or_else(|| AppError::not_found("connector", id.as_str()))?.account)
    }

    /// One page of the merchant's connectors, newest first.
    pub async fn list_connectors(&self, ctx: &Ctx, page: PageRequest) -> AppResult<Page<ConnectorAccount>> {
        let found: Page<StoredConnector> =
            store::list(self.store().reader(), &ctx.scope, &page.to_store()).await?.into();
        Ok(found.map(|c| c.account))
    }

    /// Rotates a connector's credentials or moves it to another base URL (checked with the
    /// provider as at creation), or changes its description.
    pub async fn update_connector(
        &self,
        ctx: &Ctx,
        id: &str,
        changes: ConnectorChanges,
    ) -> AppResult<ConnectorAccount> {
        let id = connector_id(id)?;
        let found = store::get(self.store().reader(), &ctx.scope, &id).await?;
        let current = found.ok_or_else(|| AppError::not_found("connector", id.as_str()))?;
        let provider = self.provider(&current.account.provider)?;
        let mut errors = Vec::new();
        let credentials = changes.credentials.as_ref().map(|c| parse_credentials(provider, c, &mut errors));
        let base_url = changes.base_url.as_deref().map(|u| self.base_url(provider, Some(u), ctx, &mut errors));
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        let credentials = match credentials {
            Some(given) => given.unwrap_or_default(),
            None => self.open_credentials(&current.sealed_credentials)?,
        };
        let base_url = base_url.flatten().unwrap_or_else(|| current.account.base_url.clone());
        let reaches_anew = changes.credentials.is_some() || changes.base_url.is_some();
        let check = async || match reaches_anew {
            // Notifications follow the account to where it now is.
            true => {
                checked(provider, &credentials, &base_url).await?;
                Ok(Some(self.subscribe(provider, &credentials, &base_url, &id).await?))
            }
            false => Ok(None),
        };
        let previous = current.sealed_notifications.clone();
        let account = (current.account.base_url.clone(), current.sealed_credentials.clone());
        let updated = self
            .idempotent_after(ctx, reaches_anew, check, async |tx, notifications| {
                let mut stored = store::lock(tx, &ctx.scope, &id)
                    .await?
                    .ok_or_else(|| AppError::not_found("connector", id.as_str()))?;
                stored.account.base_url = base_url.clone();
                if changes.description.is_some() {
                    stored.account.description = changes.description.clone();
                }
                stored.sealed_credentials = self.seal(&credentials)?;
                if let Some(notifications) = notifications {
                    stored.sealed_notifications = notifications;
                }
                stored.account.updated_at = self.clock().now();
                store::update(tx, &stored).await?;
                Ok(stored.account)
            })
            .await?;
        if reaches_anew && !ctx.was_replayed() {
            self.unsubscribe(provider, &account.1, &account.0, previous.as_deref()).await;
        }
        Ok(updated)
    }

    /// Asks `provider` to notify this gateway about connector `id`'s payments, where it can.
    /// Best effort: a provider that refuses (an address it cannot reach, say) still takes
    /// payments, which Kassa then follows by asking. Returns the sealed subscription.
    async fn subscribe(
        &self,
        provider: &dyn Provider,
        credentials: &Credentials,
        base_url: &ProviderUrl,
        id: &ConnectorId,
    ) -> AppResult<Option<String>> {
        let Some(notifications) = provider.notifications() else { return Ok(None) };
        let url = format!("{}/connectors/{id}/notifications", self.public_url());
        let account = Account { credentials, base_url: base_url.as_str() };
        match notifications.subscribe(account, &url).await {
            Ok(subscription) => {
                let plain = serde_json::to_string(&subscription).map_err(AppError::internal)?;
                Ok(Some(self.inner.secrets.seal(&plain)))
            }
            Err(why) => {
                tracing::warn!(connector = %id, provider = provider.name(), why, "no notifications: Kassa will ask");
                Ok(None)
            }
        }
    }

    /// Ends a sealed subscription of the account (sealed credentials at `base_url`), best effort.
    async fn unsubscribe(
        &self,
        provider: &dyn Provider,
        credentials: &str,
        base_url: &ProviderUrl,
        sealed: Option<&str>,
    ) {
        let (Some(notifications), Some(sealed)) = (provider.notifications(), sealed) else { return };
        let (Ok(subscription), Ok(credentials)) = (self.open_subscription(sealed), self.open_credentials(credentials))
        else {
            return;
        };
        let account = Account { credentials: &credentials, base_url: base_url.as_str() };
        let ended = notifications.unsubscribe(account, &subscription).await;
        if let Err(why) = ended {
            tracing::warn!(provider = provider.name(), why, "a provider's subscription could not be ended");
        }
    }

    /// A sealed subscription, opened.
    pub(crate) fn open_subscription(&self, sealed: &str) -> AppResult<Subscription> {
        let plain = self.inner.secrets.open(sealed).map_err(AppError::internal)?;
        serde_json::from_str(&plain).map_err(AppError::internal)
    }

    /// Deletes a connector: no new payment goes through it. Refused (409 `connector_in_use`)
    /// while a payment through it is unfinished: its provider still decides, holds money Kassa
    /// may capture, or returns a refund.
    pub async fn delete_connector(&self, ctx: &Ctx, id: &str) -> AppResult<ConnectorId> {
        let id = connector_id(id)?;
        let mut gone = None;
        let deleted = self
            .idempotent(ctx, async |tx| {
                let stored = store::lock(tx, &ctx.scope, &id)
                    .await?
                    .ok_or_else(|| AppError::not_found("connector", id.as_str()))?;
                if let Some(pi) = payment_intents::unfinished_through(tx.conn(), &id).await? {
                    return Err(AppError::new(
                        ErrorKind::Conflict,
                        "connector_in_use",
                        format!("Payment {pi} through this connector is not finished: capture or cancel it first."),
                    ));
                }
                store::delete(tx, &ctx.scope, &id, self.clock().now()).await?;
                gone = Some(stored);
                Ok(id.clone())
            })
            .await?;
        if let Some(stored) = gone
            && let Ok(provider) = self.provider(&stored.account.provider)
        {
            let sealed = stored.sealed_notifications.as_deref();
            self.unsubscribe(provider, &stored.sealed_credentials, &stored.account.base_url, sealed).await;
        }
        Ok(deleted)
    }

    /// The base URL given, or the provider's own for the mode. A URL the provider's client could
    /// not even send to is the merchant's to fix (not a 503); in live mode, as for webhook
    /// endpoints, an address that is not public is refused (names are not resolved here).
    fn base_url(
        &self,
        provider: &dyn Provider,
        given: Option<&str>,
        ctx: &Ctx,
        errors: &mut Vec<FieldError>,
    ) -> Option<ProviderUrl> {
        let raw = given.unwrap_or_else(|| provider.default_base_url(ctx.scope.mode));
        let invalid = |message: String| Invalid::new("invalid_base_url", message);
        let parsed = ProviderUrl::parse(raw, ctx.scope.mode).and_then(|url| match reqwest::Url::parse(url.as_str()) {
            Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
            _ => Err(invalid("Give the provider API's URL, such as https://api.example.com/v1.".to_owned())),
        });
        let checked = parsed.and_then(|url| match ctx.scope.mode {
            kassa_domain::Mode::Live => match self.inner.sender.live_url_refusal(url.as_str()) {
                Some(refusal) => Err(invalid(format!("Live-mode connectors reach public https hosts: {refusal}."))),
                None => Ok(url),
            },
            kassa_domain::Mode::Test => Ok(url),
        });
        checked.map_err(|e| errors.push(FieldError::new("base_url", e))).ok()
    }

    /// The providers a connector may reach.
    pub fn providers(&self) -> &crate::connector::providers::Providers {
        &self.inner.providers
    }

    fn provider(&self, name: &str) -> AppResult<&dyn Provider> {
        self.inner.providers.get(name).ok_or_else(|| {
            let known = self.inner.providers.names().join(", ");
            AppError::invalid_field(
                "type",
                Invalid::new("invalid_connector_type", format!("The type is one of {known}.")),
            )
        })
    }

    fn seal(&self, credentials: &Credentials) -> AppResult<String> {
        let plain = serde_json::to_string(credentials).map_err(AppError::internal)?;
        Ok(self.inner.secrets.seal(&plain))
    }

    pub(crate) fn open_credentials(&self, sealed: &str) -> AppResult<Credentials> {
        let plain = self.inner.secrets.open(sealed).map_err(AppError::internal)?;
        serde_json::from_str(&plain).map_err(AppError::internal)
    }
}

fn connector_id(id: &str) -> AppResult<ConnectorId> {
    ConnectorId::parse(id).ok_or_else(|| AppError::not_found("connector", id))
}

fn exists(provider: &str) -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "connector_exists",
        format!("This account already has a {provider} connector in this mode: update or delete it."),
    )
}

fn unreachable() -> AppError {
    AppError::internal("a checked connector field went missing")
}

/// `credentials`, each field the provider knows a non-empty string; every bad field named.
fn parse_credentials(
    provider: &dyn Provider,
    given: &serde_json::Map<String, serde_json::Value>,
    errors: &mut Vec<FieldError>,
) -> Option<Credentials> {
    let fields = provider.credential_fields();
    let before = errors.len();
    let mut credentials = BTreeMap::new();
    for (name, value) in given {
        let param = format!("credentials[{name}]");
        if !fields.iter().any(|f| f.name == name) {
            let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
            let message = format!("A {} connector's credentials are {}.", provider.name(), known.join(", "));
            errors.push(FieldError::new(param, Invalid::new("unknown_parameter", message)));
            continue;
        }
        // Credentials travel in headers: no control character (a tab or a line break included).
        match value.as_str().map(str::trim) {
            Some(v)
                if !v.is_empty() && v.chars().count() <= MAX_CREDENTIAL_CHARS && !v.chars().any(char::is_control) =>
            {
                credentials.insert(name.clone(), v.to_owned());
            }
            _ => errors.push(FieldError::new(
                param,
                Invalid::new(
                    "invalid_credential",
                    format!("Give a string of 1 to {MAX_CREDENTIAL_CHARS} characters, none a control character."),
                ),
            )),
        }
    }
    for field in fields.iter().filter(|f| f.required && !given.contains_key(f.name)) {
        let param = format!("credentials[{}]", field.name);
        let message = format!("Missing required parameter: {param}.");
        errors.push(FieldError::new(param, Invalid::new("parameter_missing", message)));
    }
    (errors.len() == before).then(|| Credentials::new(credentials))
}

/// Asks the provider about `credentials`: a refusal is the merchant's to fix (422, in the
/// provider's words), no answer a retry's (503).
async fn checked(provider: &dyn Provider, credentials: &Credentials, base_url: &ProviderUrl) -> AppResult<()> {
    match provider.check(credentials, base_url.as_str()).await {
        Ok(()) => Ok(()),
        Err(CheckError::Refused(words)) => Err(AppError::new(
            ErrorKind::Validation,
            "connector_credentials_invalid",
            format!("{} refused these credentials: {words}", provider.name()),
        )
        .with_param("credentials")),
        Err(CheckError::Unreachable(why)) => Err(AppError::new(
            ErrorKind::Unavailable,
            "connector_unreachable",
            format!("{} could not be asked to check the credentials: {why}", provider.name()),
        )
        .with_retry_after(5)),
    }
}
