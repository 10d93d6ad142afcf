//! The `webhook_endpoints`, `webhook_deliveries` and `webhook_attempts` tables.
//!
//! Deliveries are the outbox: one row per (event, subscribed endpoint), inserted in the
//! transaction that writes the event. Senders claim due deliveries with a lease, like jobs.

use crate::Db;
use crate::codec::{RowExt, corrupt, from_json, to_json};
use crate::db::Row;
use crate::db::query;
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, locking, scoped_list};
use crate::{Reader, Result, Scope, WriteTx, live_flag, mode_from_flag};
pub use kassa_domain::webhook::Attempt;
use kassa_domain::webhook::{Dialect, EnabledEvents, EndpointStatus, EndpointUrl, WebhookEndpoint};
use kassa_domain::{AttemptId, DeliveryId, EventId, MerchantId, Mode, Timestamp, WebhookEndpointId};

macro_rules! select_endpoint {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, url, description, enabled_events, metadata, status, disabled_reason, \
             secret, previous_secret, previous_secret_expires_at, dialect, created_at, updated_at, bound_to, face_notes \
             FROM webhook_endpoints ",
            $($rest),*
        )
    };
}

/// Stores a new endpoint.
pub async fn insert_endpoint(tx: &mut WriteTx, e: &WebhookEndpoint) -> Result<()> {
    query(
        "INSERT INTO webhook_endpoints (id, merchant_id, livemode, url, description, enabled_events, metadata, status, \
         disabled_reason, secret, previous_secret, previous_secret_expires_at, created_at, updated_at, deleted_at, \
         dialect, bound_to, face_notes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16, $17)",
    )
    .bind(e.id.as_str().to_owned())
    .bind(e.merchant_id.as_str().to_owned())
    .bind(live_flag(e.mode))
    .bind(e.url.as_str().to_owned())
    .bind(e.description.clone())
    .bind(to_json(&e.enabled_events))
    .bind(to_json(&e.metadata))
    .bind(e.status.as_str())
    .bind(e.disabled_reason.clone())
    .bind(e.secret.clone())
    .bind(e.previous_secret.as_ref().map(|(s, _)| s.clone()))
    .bind(e.previous_secret.as_ref().map(|(_, t)| t.micros()))
    .bind(e.created_at.micros())
    .bind(e.updated_at.micros())
    .bind(e.dialect.as_str().to_owned())
    .bind(e.bound_to.clone())
    .bind(to_json(&e.face_notes))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Writes back every field that can change.
pub async fn update_endpoint(tx: &mut WriteTx, e: &WebhookEndpoint) -> Result<()> {
    query(
        "UPDATE webhook_endpoints SET url = $2, description = $3, enabled_events = $4, metadata = $5, status = $6, \
         disabled_reason = $7, secret = $8, previous_secret = $9, previous_secret_expires_at = $10, updated_at = $11, \
         face_notes = $12 WHERE id = $1",
    )
    .bind(e.id.as_str().to_owned())
    .bind(e.url.as_str().to_owned())
    .bind(e.description.clone())
    .bind(to_json(&e.enabled_events))
    .bind(to_json(&e.metadata))
    .bind(e.status.as_str())
    .bind(e.disabled_reason.clone())
    .bind(e.secret.clone())
    .bind(e.previous_secret.as_ref().map(|(s, _)| s.clone()))
    .bind(e.previous_secret.as_ref().map(|(_, t)| t.micros()))
    .bind(e.updated_at.micros())
    .bind(to_json(&e.face_notes))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Reads one (not deleted) endpoint of the scope.
pub async fn get_endpoint<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    id: &WebhookEndpointId,
) -> Result<Option<WebhookEndpoint>> {
    let sql = select_endpoint!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL");
    let row = by_id(sql, id.as_str(), scope).fetch_optional(exec).await?;
    row.map(|r| endpoint_from_row(&r)).transpose()
}

/// Reads and locks one (not deleted) endpoint of the scope.
pub async fn lock_endpoint(tx: &mut WriteTx, scope: &Scope, id: &WebhookEndpointId) -> Result<Option<WebhookEndpoint>> {
    let sql = locking(
        tx.backend(),
        select_endpoint!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL"),
        select_endpoint!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL FOR UPDATE"),
    );
    let row = by_id(sql, id.as_str(), scope).fetch_optional(tx.conn()).await?;
    row.map(|r| endpoint_from_row(&r)).transpose()
}

/// Deletes an endpoint: it stops receiving deliveries, its delivery log stays.
pub async fn delete_endpoint(tx: &mut WriteTx, scope: &Scope, id: &WebhookEndpointId, now: Timestamp) -> Result<bool> {
    let sql = "UPDATE webhook_endpoints SET deleted_at = $4, updated_at = $4 \
               WHERE id = $1 AND merchant_id = $2 AND livemode = $3 AND deleted_at IS NULL";
    crate::sql::soft_delete(tx, sql, id.as_str(), scope, now).await
}

/// One page of the scope's endpoints.
pub async fn list_endpoints<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    dialect: Option<&str>,
    page: &PageRequest,
) -> Result<Page<WebhookEndpoint>> {
    let mut b = scoped_list(select_endpoint!("WHERE "), scope);
    b.push(" AND deleted_at IS NULL AND bound_to IS NULL");
    if let Some(dialect) = dialect {
        b.push(" AND dialect = ").text(dialect.to_owned());
    }
    fetch_page(exec, b, &TimeRange::default(), page, endpoint_from_row, |e| Cursor {
        created_at: e.created_at.micros(),
        id: e.id.to_string(),
    })
    .await
}

/// The scope's enabled endpoints and what they subscribe to (for fan-out), bound ones aside.
pub async fn subscribed_endpoints(tx: &mut WriteTx, scope: &Scope) -> Result<Vec<(WebhookEndpointId, EnabledEvents)>> {
    let rows = query(
        "SELECT id, enabled_events FROM webhook_endpoints \
         WHERE merchant_id = $1 AND livemode = $2 AND status = 'enabled' AND deleted_at IS NULL AND bound_to IS NULL",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .fetch_all(tx.conn())
    .await?;
    subscriptions(&rows)
}

/// The scope's enabled endpoints bound to `object` and what they subscribe to.
pub async fn bound_endpoints(
    tx: &mut WriteTx,
    scope: &Scope,
    object: &str,
) -> Result<Vec<(WebhookEndpointId, EnabledEvents)>> {
    let rows = query(
        "SELECT id, enabled_events FROM webhook_endpoints \
         WHERE bound_to = $1 AND merchant_id = $2 AND livemode = $3 AND status = 'enabled' AND deleted_at IS NULL",
    )
    .bind(object.to_owned())
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .fetch_all(tx.conn())
    .await?;
    subscriptions(&rows)
}

pub(crate) fn subscriptions(rows: &[Row]) -> Result<Vec<(WebhookEndpointId, EnabledEvents)>> {
    rows.iter()
        .map(|r| {
            Ok((
                WebhookEndpointId::from_trusted(r.text("id")?),
                from_json("enabled_events", &r.text("enabled_events")?)?,
            ))
        })
        .collect()
}

/// Reads an endpoint by id alone, deleted or not (for a sender holding a delivery).
pub async fn endpoint_by_id<'e, E: Into<Db<'e>>>(
    exec: E,
    id: &WebhookEndpointId,
) -> Result<Option<(WebhookEndpoint, bool)>> {
    let row = query(
        "SELECT id, merchant_id, livemode, url, description, enabled_events, metadata, status, disabled_reason, \
         secret, previous_secret, previous_secret_expires_at, dialect, created_at, updated_at, deleted_at, bound_to, \
         face_notes FROM webhook_endpoints WHERE id = $1",
    )
    .bind(id.as_str().to_owned())
    .fetch_optional(exec)
    .await?;
    row.map(|r| Ok((endpoint_from_row(&r)?, r.opt_int("deleted_at")?.is_some()))).transpose()
}

fn endpoint_from_row(r: &Row) -> Result<WebhookEndpoint> {
    let previous = match (r.opt_text("previous_secret")?, r.opt_int("previous_secret_expires_at")?) {
        (Some(s), Some(t)) => Some((s, Timestamp(t))),
        _ => None,
    };
    Ok(WebhookEndpoint {
        id: WebhookEndpointId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        url: EndpointUrl::from_trusted(r.text("url")?),
        description: r.opt_text("description")?,
        enabled_events: from_json("enabled_events", &r.text("enabled_events")?)?,
        metadata: from_json("metadata", &r.text("metadata")?)?,
        face_notes: from_json("face_notes", &r.text("face_notes")?)?,
        status: EndpointStatus::from_name(&r.text("status")?).ok_or_else(|| corrupt("status", "unknown"))?,
        disabled_reason: r.opt_text("disabled_reason")?,
        secret: r.text("secret")?,
        previous_secret: previous,
        dialect: Dialect::new(r.text("dialect")?),
        bound_to: r.opt_text("bound_to")?,
        created_at: Timestamp(r.int("created_at")?),
        updated_at: Timestamp(r.int("updated_at")?),
    })
}

/// Queues the delivery of `event` to `endpoint`, due at `due`.
pub async fn insert_delivery(
    tx: &mut WriteTx,
    id: &DeliveryId,
    scope: &Scope,
    endpoint: &WebhookEndpointId,
    event: &EventId,
    due: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO webhook_deliveries (id, merchant_id, livemode, endpoint_id, event_id, state, attempts, \
         next_attempt_at, locked_until, lock_token, created_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, NULL, NULL, $6, NULL)",
    )
    .bind(id.as_str().to_owned())
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(endpoint.as_str().to_owned())
    .bind(event.as_str().to_owned())
    .bind(due.micros())
    .execute(tx.conn())
    .await?;
    tx.queue(crate::Queued { jobs: false, deliveries: true });
    Ok(())
}

/// A delivery claimed by a sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    /// `wd_…`
    pub id: DeliveryId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Where to.
    pub endpoint_id: WebhookEndpointId,
    /// What.
    pub event_id: EventId,
    /// Attempts so far, this one included.
    pub attempt: i64,
    /// When it was queued.
    pub created_at: Timestamp,
    /// Our claim.
    pub lock_token: String,
}

/// Claims up to `limit` due deliveries to enabled endpoints, never more than `per_endpoint`
/// in flight for one endpoint (counting those already claimed by any node).
///
/// The work is bounded whatever the backlog: only the oldest few hundred due deliveries are
/// considered, in-flight counts are taken once per endpoint, and candidates are ranked per
/// endpoint so one batch cannot overfill an endpoint. Two claimers racing for a row are
/// resolved by the outer condition, which PostgreSQL re-checks on the locked row.
pub async fn claim_due_deliveries(
    tx: &mut WriteTx,
    now: i64,
    locked_until: i64,
    token: &str,
    limit: u32,
    per_endpoint: u32,
) -> Result<Vec<ClaimedDelivery>> {
    // On PostgreSQL two claimers can pick the same rows: the outer condition, re-checked on
    // the locked row, lets only the first have them. SQLite's one writer needs no re-check,
    // and without statistics its planner would use the condition to scan every pending row.
    const CANDIDATES: &str = "UPDATE webhook_deliveries SET locked_until = $1, lock_token = $2, attempts = attempts + 1 \
        WHERE id IN ( \
          SELECT ranked.id FROM ( \
            SELECT c.id, c.next_attempt_at, c.created_at, \
                   ROW_NUMBER() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.created_at) AS place, \
                   COALESCE(busy.n, 0) AS in_flight \
            FROM ( \
              SELECT d.id, d.endpoint_id, d.next_attempt_at, d.created_at \
              FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
              WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
                AND (d.locked_until IS NULL OR d.locked_until < $3) \
                AND e.status = 'enabled' AND e.deleted_at IS NULL \
              ORDER BY d.next_attempt_at, d.created_at LIMIT 500 \
            ) c \
            LEFT JOIN ( \
              SELECT endpoint_id, COUNT(*) AS n FROM webhook_deliveries \
              WHERE state = 'pending' AND locked_until >= $3 GROUP BY endpoint_id \
            ) busy ON busy.endpoint_id = c.endpoint_id \
          ) ranked \
          WHERE ranked.place + ranked.in_flight <= $5 \
          ORDER BY ranked.next_attempt_at, ranked.created_at LIMIT $4 \
        )";
    const RECHECK: &str = " AND state = 'pending' AND (locked_until IS NULL OR locked_until < $3)";
    const RETURNING: &str =
        " RETURNING id, merchant_id, livemode, endpoint_id, event_id, attempts, created_at, lock_token";
    let claim = match tx.backend() {
        crate::Backend::Sqlite => format!("{CANDIDATES}{RETURNING}"),
        crate::Backend::Postgres => format!("{CANDIDATES}{RECHECK}{RETURNING}"),
    };
    let rows = query(claim)
        .bind(locked_until)
        .bind(token.to_owned())
        .bind(now)
        .bind(i64::from(limit))
        .bind(i64::from(per_endpoint))
        .fetch_all(tx.conn())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ClaimedDelivery {
                id: DeliveryId::from_trusted(r.text("id")?),
                merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
                mode: mode_from_flag(r.int("livemode")?),
                endpoint_id: WebhookEndpointId::from_trusted(r.text("endpoint_id")?),
                event_id: EventId::from_trusted(r.text("event_id")?),
                attempt: r.int("attempts")?,
                created_at: Timestamp(r.int("created_at")?),
                lock_token: r.text("lock_token")?,
            })
        })
        .collect()
}

/// Gives a claimed delivery back unattempted (its attempt is not counted).
pub async fn unclaim_delivery(tx: &mut WriteTx, d: &ClaimedDelivery) -> Result<()> {
    query(
        "UPDATE webhook_deliveries SET locked_until = NULL, attempts = attempts - 1 \
         WHERE id = $1 AND lock_token = $2 AND state = 'pending'",
    )
    .bind(d.id.as_str().to_owned())
    .bind(d.lock_token.clone())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Ends a delivery we hold. Returns `false` if we no longer hold it.
pub async fn finish_delivery(tx: &mut WriteTx, d: &ClaimedDelivery, succeeded: bool, now: Timestamp) -> Result<bool> {
    let n = query(
        "UPDATE webhook_deliveries SET state = $3, finished_at = $4, locked_until = NULL \
         WHERE id = $1 AND lock_token = $2 AND state = 'pending'",
    )
    .bind(d.id.as_str().to_owned())
    .bind(d.lock_token.clone())
    .bind(if succeeded { "succeeded" } else { "failed" })
    .bind(now.micros())
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Schedules the next attempt of a delivery we hold. Returns `false` if we no longer hold it.
pub async fn retry_delivery_at(tx: &mut WriteTx, d: &ClaimedDelivery, at: Timestamp) -> Result<bool> {
    let n = query(
        "UPDATE webhook_deliveries SET next_attempt_at = $3, locked_until = NULL \
         WHERE id = $1 AND lock_token = $2 AND state = 'pending'",
    )
    .bind(d.id.as_str().to_owned())
    .bind(d.lock_token.clone())
    .bind(at.micros())
    .execute(tx.conn())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// When the next pending delivery becomes due or claimable (µs), if any: the first unclaimed
/// one in due order, or the first lease to run out. Both are index lookups that skip at
/// most the deliveries in flight, however long the backlog (`next_attempt_at > -1`, always
/// true, steers SQLite's planner to the index in due order).
pub async fn next_delivery_wakeup(reader: &Reader) -> Result<Option<i64>> {
    let due = query(
        "SELECT next_attempt_at FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at > -1 \
         AND locked_until IS NULL ORDER BY next_attempt_at LIMIT 1",
    )
    .fetch_optional(reader)
    .await?
    .map(|row| row.int("next_attempt_at"))
    .transpose()?;
    let lease_end =
        query("SELECT MIN(locked_until) AS wake FROM webhook_deliveries WHERE state = 'pending' AND locked_until > -1")
            .fetch_one(reader)
            .await?
            .opt_int("wake")?;
    Ok(due.into_iter().chain(lease_end).min())
}

/// Whether any delivery to `endpoint` succeeded at or after `since`.
pub async fn endpoint_succeeded_since(
    tx: &mut WriteTx,
    endpoint: &WebhookEndpointId,
    since: Timestamp,
) -> Result<bool> {
    let row =
        query("SELECT id FROM webhook_attempts WHERE endpoint_id = $1 AND succeeded = 1 AND created_at >= $2 LIMIT 1")
            .bind(endpoint.as_str().to_owned())
            .bind(since.micros())
            .fetch_optional(tx.conn())
            .await?;
    Ok(row.is_some())
}

/// Records an attempt.
pub async fn insert_attempt(tx: &mut WriteTx, a: &Attempt) -> Result<()> {
    query(
        "INSERT INTO webhook_attempts (id, merchant_id, livemode, delivery_id, endpoint_id, event_id, attempt, url, \
         status_code, error, response_body, latency_ms, succeeded, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(a.id.as_str().to_owned())
    .bind(a.merchant_id.as_str().to_owned())
    .bind(live_flag(a.mode))
    .bind(a.delivery_id.as_str().to_owned())
    .bind(a.endpoint_id.as_str().to_owned())
    .bind(a.event_id.as_str().to_owned())
    .bind(a.attempt)
    .bind(a.url.clone())
    .bind(a.status_code)
    .bind(a.error.clone())
    .bind(a.response_body.clone())
    .bind(a.latency_ms)
    .bind(i64::from(a.succeeded))
    .bind(a.created_at.micros())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Whose attempts to list.
#[derive(Debug, Clone)]
pub enum AttemptsOf {
    /// Every attempt at this endpoint.
    Endpoint(WebhookEndpointId),
    /// Every attempt to deliver this event.
    Event(EventId),
}

/// One page of attempts, newest first.
pub async fn list_attempts<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    of: &AttemptsOf,
    page: &PageRequest,
) -> Result<Page<Attempt>> {
    let mut b = scoped_list(
        "SELECT id, merchant_id, livemode, delivery_id, endpoint_id, event_id, attempt, url, status_code, error, \
         response_body, latency_ms, succeeded, created_at FROM webhook_attempts WHERE ",
        scope,
    );
    match of {
        AttemptsOf::Endpoint(id) => b.push(" AND endpoint_id = ").text(id.as_str()),
        AttemptsOf::Event(id) => b.push(" AND event_id = ").text(id.as_str()),
    };
    fetch_page(exec, b, &TimeRange::default(), page, attempt_from_row, |a| Cursor {
        created_at: a.created_at.micros(),
        id: a.id.to_string(),
    })
    .await
}

fn attempt_from_row(r: &Row) -> Result<Attempt> {
    Ok(Attempt {
        id: AttemptId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        delivery_id: DeliveryId::from_trusted(r.text("delivery_id")?),
        endpoint_id: WebhookEndpointId::from_trusted(r.text("endpoint_id")?),
        event_id: EventId::from_trusted(r.text("event_id")?),
        attempt: r.int("attempt")?,
        url: r.text("url")?,
        status_code: r.opt_int("status_code")?,
        error: r.opt_text("error")?,
        response_body: r.opt_text("response_body")?,
        latency_ms: r.int("latency_ms")?,
        succeeded: r.int("succeeded")? == 1,
        created_at: Timestamp(r.int("created_at")?),
    })
}
