//! The sums the dashboard's overview is drawn from besides the payments' day totals
//! ([`crate::day_totals`]), each one grouped query over a scope's period: the failed payments'
//! last failures (`payment_intents_failed` holds only those), refunds (`refunds_by_created`),
//! and each webhook endpoint's deliveries (the indexes that begin with the endpoint).

use crate::codec::RowExt;
use crate::db::query;
use crate::{Db, Result, Scope, live_flag};

/// The failures the scope's payments created in `[from, to)` were last left with: each stored
/// failure (JSON) and how many payments carry it.
pub async fn last_failures<'e, E: Into<Db<'e>>>(
    db: E,
    scope: &Scope,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64)>> {
    let rows = query(
        "SELECT last_error, COUNT(*) AS n FROM payment_intents \
         WHERE merchant_id = $1 AND livemode = $2 AND created_at >= $3 AND created_at < $4 AND last_error IS NOT NULL \
         GROUP BY last_error",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| Ok((r.text("last_error")?, r.int("n")?))).collect()
}

/// Refunds created in a period with one status and currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundTotal {
    /// Their status.
    pub status: String,
    /// Their currency.
    pub currency: String,
    /// How many.
    pub count: i64,
    /// Sum, minor units.
    pub amount: i64,
}

/// The scope's refunds created in `[from, to)`, by status and currency.
pub async fn refunds<'e, E: Into<Db<'e>>>(db: E, scope: &Scope, from: i64, to: i64) -> Result<Vec<RefundTotal>> {
    let rows = query(
        "SELECT status, currency, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS amount FROM refunds \
         WHERE merchant_id = $1 AND livemode = $2 AND created_at >= $3 AND created_at < $4 GROUP BY status, currency",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RefundTotal {
                status: r.text("status")?,
                currency: r.text("currency")?,
                count: r.int("n")?,
                amount: r.int("amount")?,
            })
        })
        .collect()
}

/// One webhook endpoint's deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDeliveries {
    /// `we_…`
    pub endpoint_id: String,
    /// Where it sends.
    pub url: String,
    /// Attempts since the period began that the endpoint answered with success.
    pub delivered: i64,
    /// Attempts since the period began that failed.
    pub failed_attempts: i64,
    /// Deliveries now waiting for a retry (tried, not yet delivered).
    pub retrying: i64,
    /// Deliveries given up on since the period began.
    pub given_up: i64,
}

/// Every live endpoint of the scope with its deliveries since `from` (through the indexes
/// that begin with the endpoint).
pub async fn endpoint_deliveries<'e, E: Into<Db<'e>>>(
    db: E,
    scope: &Scope,
    from: i64,
) -> Result<Vec<EndpointDeliveries>> {
    let rows = query(
        "SELECT e.id, e.url, \
         (SELECT COUNT(*) FROM webhook_attempts a WHERE a.endpoint_id = e.id AND a.created_at >= $3 AND a.succeeded = 1) AS delivered, \
         (SELECT COUNT(*) FROM webhook_attempts a WHERE a.endpoint_id = e.id AND a.created_at >= $3 AND a.succeeded = 0) AS failed_attempts, \
         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'pending' AND d.attempts > 0) AS retrying, \
         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'failed' AND d.finished_at >= $3) AS given_up \
         FROM webhook_endpoints e WHERE e.merchant_id = $1 AND e.livemode = $2 AND e.deleted_at IS NULL \
         ORDER BY e.created_at, e.id",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(from)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EndpointDeliveries {
                endpoint_id: r.text("id")?,
                url: r.text("url")?,
                delivered: r.int("delivered")?,
                failed_attempts: r.int("failed_attempts")?,
                retrying: r.int("retrying")?,
                given_up: r.int("given_up")?,
            })
        })
        .collect()
}
