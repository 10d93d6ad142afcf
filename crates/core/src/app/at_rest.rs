//! Secrets at rest under the operator's master key (`crate::secrets`): card fingerprints keyed
//! again with a key derived from it, webhook signing secrets sealed, and no secret in the
//! idempotency cache. A database written before is brought under the key once, in one
//! transaction, at its first start with one; a start with another key is refused.

use super::{App, AppError, AppResult, ErrorKind};
use crate::secrets::Secrets;
use kassa_domain::webhook::WebhookEndpoint;
use kassa_store::{at_rest, settings};

/// The setting that recognizes the master key a database is under.
const CHECK: &str = "master_key_check";
const FINGERPRINT: &str = "\"fingerprint\":\"";
const WEBHOOK_SECRET: &str = "\"secret\":\"whsec_";

/// `json` with every card fingerprint (`"fingerprint":"<inner>"`) passed through `wrap`.
pub(crate) fn rewrap_fingerprints(json: &str, wrap: impl Fn(&str) -> String) -> Option<String> {
    replace_values(json, FINGERPRINT, |inner| wrap(inner))
}

/// `json` with every webhook signing secret blanked.
pub(crate) fn redact_webhook_secrets(json: &str) -> Option<String> {
    replace_values(json, WEBHOOK_SECRET, |_| String::new())
        .map(|s| s.replace("\"secret\":\"whsec_\"", "\"secret\":\"\""))
}

/// Replaces the string value after each `marker` (up to its closing quote) with `f(value)`;
/// `None` if `marker` does not occur.
fn replace_values(json: &str, marker: &str, f: impl Fn(&str) -> String) -> Option<String> {
    if !json.contains(marker) {
        return None;
    }
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find(marker) {
        let (before, after) = rest.split_at(at + marker.len());
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&f(&after[..end]));
        rest = &after[end..];
    }
    out.push_str(rest);
    Some(out)
}

impl App {
    /// Checks the master key against the database, and brings a database written before
    /// secrets were kept under it under it.
    pub(super) async fn bring_under_master_key(&self) -> AppResult<()> {
        let secrets = &self.inner.secrets;
        let mut tx = self.store().begin().await?;
        if !settings::init(&mut tx, CHECK, secrets.check_value()).await? {
            let stored = settings::get(&mut tx, CHECK).await?;
            drop(tx);
            return match stored.as_deref() == Some(secrets.check_value()) {
                true => Ok(()),
                false => Err(AppError::new(
                    ErrorKind::Internal,
                    "master_key_mismatch",
                    "This database is under another master key: start with the key it was first started with \
                     (KASSA_MASTER_KEY or the key file named when it was created).",
                )),
            };
        }
        for (table, column) in at_rest::CARD_COLUMNS {
            let wrap = |json: &str| rewrap_fingerprints(json, |inner| secrets.fingerprint(inner));
            at_rest::rewrite_values(&mut tx, table, column, FINGERPRINT, wrap).await?;
        }
        at_rest::rewrite_values(&mut tx, "idempotency_keys", "outcome", WEBHOOK_SECRET, redact_webhook_secrets).await?;
        for (id, secret, previous) in at_rest::endpoint_secrets(&mut tx).await? {
            if Secrets::is_sealed(&secret) {
                continue;
            }
            let previous = previous.map(|p| secrets.seal(&p));
            at_rest::set_endpoint_secrets(&mut tx, &id, &secrets.seal(&secret), previous.as_deref()).await?;
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// The endpoint as stored: its secrets sealed.
    pub(crate) fn sealed_endpoint(&self, e: &WebhookEndpoint) -> WebhookEndpoint {
        let secrets = &self.inner.secrets;
        WebhookEndpoint {
            secret: secrets.seal(&e.secret),
            previous_secret: e.previous_secret.as_ref().map(|(s, until)| (secrets.seal(s), *until)),
            ..e.clone()
        }
    }

    /// The endpoint as read: its secrets opened.
    pub(crate) fn opened_endpoint(&self, mut e: WebhookEndpoint) -> AppResult<WebhookEndpoint> {
        let secrets = &self.inner.secrets;
        let open = |s: &str| secrets.open(s).map_err(AppError::internal);
        e.secret = open(&e.secret)?;
        if let Some((previous, until)) = e.previous_secret.take() {
            e.previous_secret = Some((open(&previous)?, until));
        }
        Ok(e)
    }
}

/// The endpoint as an idempotent outcome keeps it: without its secrets, which the answer
/// reads back from the endpoint itself.
pub(crate) fn without_secrets(e: &WebhookEndpoint) -> WebhookEndpoint {
    WebhookEndpoint { secret: String::new(), previous_secret: None, ..e.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_rewrapped_wherever_they_are() {
        let json = r#"{"card":{"fingerprint":"0123abcd","last4":"4242"},"x":[{"fingerprint":"ffff"}]}"#;
        let out = rewrap_fingerprints(json, |inner| format!("W({inner})")).unwrap();
        assert_eq!(out, r#"{"card":{"fingerprint":"W(0123abcd)","last4":"4242"},"x":[{"fingerprint":"W(ffff)"}]}"#);
        assert_eq!(rewrap_fingerprints(r#"{"a":1}"#, |i| i.to_owned()), None);
    }

    #[test]
    fn webhook_secrets_are_blanked_in_cached_answers() {
        let json = r#"{"Ok":{"id":"we_1","secret":"whsec_abc123","url":"https://x"}}"#;
        assert_eq!(redact_webhook_secrets(json).unwrap(), r#"{"Ok":{"id":"we_1","secret":"","url":"https://x"}}"#);
    }
}
