//! The `events` table: an append-only log of state changes.

use crate::Db;
use crate::codec::RowExt;
use crate::db::Row;
use crate::db::{Stmt, query};
use crate::page::{Cursor, Page, PageRequest, TimeRange, fetch_page};
use crate::sql::{by_id, scoped_list};
use crate::{Backend, Result, Scope, WriteTx, live_flag, mode_from_flag};
use kassa_domain::webhook::EnabledEvents;
use kassa_domain::{EventId, MerchantId, Mode, PaymentIntentId, Timestamp, WebhookEndpointId};

macro_rules! select {
    ($($rest:literal)*) => {
        concat!(
            "SELECT id, merchant_id, livemode, event_type, object_id, payment_intent_id, data, payload_version, \
             request_id, idempotency_key, created_at FROM events ",
            $($rest),*
        )
    };
}

/// An event as stored. `data` is its payload, which the app writes and reads in the format
/// `payload_version` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// `evt_…`
    pub id: EventId,
    /// Owner.
    pub merchant_id: MerchantId,
    /// Test or live.
    pub mode: Mode,
    /// Dotted type name.
    pub event_type: String,
    /// Id of the object in `data`.
    pub object_id: String,
    /// The payment intent the event concerns, if any: always set for an event about a payment
    /// intent (the related-object filter relies on it).
    pub payment_intent_id: Option<String>,
    /// The payload.
    pub data: String,
    /// How `data` reads.
    pub payload_version: i64,
    /// The API request that caused it.
    pub request_id: Option<String>,
    /// That request's idempotency key.
    pub idempotency_key: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Any of these types (each exact, or a prefix when it ends with `.*`); empty for all.
    pub event_types: Vec<String>,
    /// Only events whose object is this id, or whose payment intent is.
    pub related_object: Option<String>,
    /// Only created in this range.
    pub created: TimeRange,
}

/// Writes an event as [`bind_event`] binds it, at `$11`: on SQLite, whose one node stamps every
/// event with its own clock, brought past the newest event at start ([`newest_time`]).
macro_rules! insert_event_at {
    () => {
        "INSERT INTO events (id, merchant_id, livemode, event_type, object_id, payment_intent_id, data, \
         payload_version, request_id, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
}

/// Writes an event about no payment as [`bind_event`] binds it, stamped no earlier than `$11` and
/// strictly after every earlier event of its object (`events_by_object`): on PostgreSQL, where
/// several nodes write. The writers of one object hold its row's lock, so the latest is read
/// after the previous writer committed: the log keeps the order the events were written in even
/// when the nodes that wrote them disagree on the time.
macro_rules! insert_object_event {
    () => {
        "INSERT INTO events (id, merchant_id, livemode, event_type, object_id, payment_intent_id, data, \
         payload_version, request_id, idempotency_key, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN latest.next > $11 THEN latest.next ELSE $11 END \
         FROM (SELECT COALESCE(MAX(created_at) + 1, 0) AS next FROM events WHERE merchant_id = $2 AND livemode = $3 \
         AND object_id = $5 AND payment_intent_id IS NULL) AS latest"
    };
}

/// The clock of an event about a payment (PostgreSQL): a `WITH` item moving the payment's
/// `last_event_at` to `$11` or, if that is not later, one microsecond past it. The update takes
/// the payment's row lock (every writer of its events holds it already) and reads the row as
/// the previous writer committed it, so the order holds across nodes whose clocks disagree,
/// from one primary-key update rather than a read of the log (whose generic plan, cached before
/// `events` has statistics, can walk the merchant's whole history for a new payment). A payment
/// written before the column existed reads its latest event from the log once.
macro_rules! stamp_payment_event {
    () => {
        "stamped AS (UPDATE payment_intents SET last_event_at = GREATEST($11, COALESCE(last_event_at, \
         (SELECT MAX(created_at) FROM events WHERE merchant_id = $2 AND livemode = $3 AND payment_intent_id = $6)) + 1) \
         WHERE id = $6 RETURNING last_event_at)"
    };
}

/// Writes an event about a payment as [`bind_event`] binds it, at the time [`stamp_payment_event`]
/// gave it (`$11` should its payment be missing, which the foreign-keyless log allows).
macro_rules! append_payment_event {
    () => {
        "INSERT INTO events (id, merchant_id, livemode, event_type, object_id, payment_intent_id, data, \
         payload_version, request_id, idempotency_key, created_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE((SELECT last_event_at FROM stamped), $11)"
    };
}

fn bind_event(q: Stmt, e: &StoredEvent) -> Stmt {
    q.bind(e.id.as_str().to_owned())
        .bind(e.merchant_id.as_str().to_owned())
        .bind(live_flag(e.mode))
        .bind(e.event_type.clone())
        .bind(e.object_id.clone())
        .bind(e.payment_intent_id.clone())
        .bind(e.data.clone())
        .bind(e.payload_version)
        .bind(e.request_id.clone())
        .bind(e.idempotency_key.clone())
        .bind(e.created_at.micros())
}

/// Appends an event, ordered after its payment's (or object's) earlier events: its stored
/// `created_at` is `e.created_at` or, on PostgreSQL if that is not later than theirs, one
/// microsecond after the latest of them (SQLite's one node stamps them in order already).
pub async fn insert(tx: &mut WriteTx, e: &StoredEvent) -> Result<()> {
    let sql = match (tx.backend(), &e.payment_intent_id) {
        (Backend::Sqlite, _) => insert_event_at!(),
        (_, Some(_)) => concat!("WITH ", stamp_payment_event!(), " ", append_payment_event!()),
        (_, None) => insert_object_event!(),
    };
    bind_event(query(sql), e).execute(tx.conn()).await?;
    Ok(())
}

/// Appends an event (as [`insert`]) and reads the endpoints of its scope that could want it
/// (as [`crate::webhooks::subscribed_endpoints`]): on PostgreSQL in one round trip, since a
/// command's first event always asks both.
pub async fn insert_reading_subscribers(
    tx: &mut WriteTx,
    e: &StoredEvent,
) -> Result<Vec<(WebhookEndpointId, EnabledEvents)>> {
    if tx.backend() == Backend::Sqlite {
        // In process, two statements cost no more than one.
        insert(tx, e).await?;
        return crate::webhooks::subscribed_endpoints(tx, &Scope { merchant_id: e.merchant_id.clone(), mode: e.mode })
            .await;
    }
    // A data-modifying WITH runs once whether or not the query reads it; the endpoints are
    // read from the statement's snapshot, as a SELECT after the INSERT would read them.
    macro_rules! subscribers {
        () => {
            " SELECT id, enabled_events FROM webhook_endpoints \
             WHERE merchant_id = $2 AND livemode = $3 AND status = 'enabled' AND deleted_at IS NULL \
             AND bound_to IS NULL"
        };
    }
    let sql = match e.payment_intent_id {
        Some(_) => {
            concat!("WITH ", stamp_payment_event!(), ", appended AS (", append_payment_event!(), ")", subscribers!())
        }
        None => concat!("WITH appended AS (", insert_object_event!(), ")", subscribers!()),
    };
    let rows = bind_event(query(sql), e).fetch_all(tx.conn()).await?;
    crate::webhooks::subscriptions(&rows)
}

/// When the newest stored event was stamped, for a clock to start past it: on SQLite, where one
/// node stamps events in the order it writes them, the last one written (found by rowid, not by
/// a scan); `None` on PostgreSQL, whose inserts order each payment's events themselves.
pub async fn newest_time(store: &crate::Store) -> Result<Option<Timestamp>> {
    if store.backend() != Backend::Sqlite {
        return Ok(None);
    }
    let row = query("SELECT created_at FROM events ORDER BY rowid DESC LIMIT 1").fetch_optional(store.reader()).await?;
    row.map(|r| r.int("created_at").map(Timestamp)).transpose()
}

/// Reads one event of the scope.
pub async fn get<'e, E: Into<Db<'e>>>(exec: E, scope: &Scope, id: &EventId) -> Result<Option<StoredEvent>> {
    let row = by_id(select!("WHERE id = $1 AND merchant_id = $2 AND livemode = $3"), id.as_str(), scope)
        .fetch_optional(exec)
        .await?;
    row.map(|r| from_row(&r)).transpose()
}

/// One page of the scope's events.
pub async fn list<'e, E: Into<Db<'e>>>(
    exec: E,
    scope: &Scope,
    filter: &Filter,
    page: &PageRequest,
) -> Result<Page<StoredEvent>> {
    let mut b = scoped_list(select!("WHERE "), scope);
    for (n, t) in filter.event_types.iter().enumerate() {
        b.push(if n == 0 { " AND (" } else { " OR " });
        if t.ends_with(".*") {
            let prefix = t.trim_end_matches('*').replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            b.push("event_type LIKE ").text(format!("{prefix}%")).push(" ESCAPE '\\'");
        } else {
            b.push("event_type = ").text(t.clone());
        }
    }
    if !filter.event_types.is_empty() {
        b.push(")");
    }
    if let Some(id) = &filter.related_object {
        // Every event about a payment intent carries it as `payment_intent_id`, so for one the
        // related events are exactly those; for any other object they are the events about it,
        // which `events_by_object` holds (its condition, always true here, lets it be used).
        if id.starts_with(PaymentIntentId::PREFIX) {
            b.push(" AND payment_intent_id = ").text(id.clone());
        } else {
            b.push(" AND object_id = ")
                .text(id.clone())
                .push(" AND (payment_intent_id IS NULL OR object_id <> payment_intent_id)");
        }
    }
    fetch_page(exec, b, &filter.created, page, from_row, |e| Cursor {
        created_at: e.created_at.micros(),
        id: e.id.to_string(),
    })
    .await
}

fn from_row(r: &Row) -> Result<StoredEvent> {
    Ok(StoredEvent {
        id: EventId::from_trusted(r.text("id")?),
        merchant_id: MerchantId::from_trusted(r.text("merchant_id")?),
        mode: mode_from_flag(r.int("livemode")?),
        event_type: r.text("event_type")?,
        object_id: r.text("object_id")?,
        payment_intent_id: r.opt_text("payment_intent_id")?,
        data: r.text("data")?,
        payload_version: r.int("payload_version")?,
        request_id: r.opt_text("request_id")?,
        idempotency_key: r.opt_text("idempotency_key")?,
        created_at: Timestamp(r.int("created_at")?),
    })
}
