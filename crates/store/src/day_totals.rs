//! `payment_day_totals`: payments counted per UTC day of their creation, status, currency and
//! failure, with what they captured and refunded, kept by every write of a payment in its own
//! transaction. The overview reads a month from these sums instead of a million payments.
//!
//! A write adds its change (`-1` from the bucket the payment left, `+1` to the one it entered,
//! the amounts' difference) to one of [`SHARDS`] rows of the bucket, so concurrent payments of
//! one bucket on PostgreSQL do not queue on one row's lock; readers sum the shards. Only the
//! sums mean anything: a shard's own numbers may be negative.

use crate::codec::RowExt;
use crate::db::query;
use crate::{Backend, Db, Result, Scope, WriteTx, live_flag};
use kassa_domain::PaymentIntent;

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// Rows each bucket is spread over on PostgreSQL (SQLite's one writer needs one).
const SHARDS: u64 = 16;

/// Adds the change bound at `$1`…`$10` (see [`add`]) to its bucket.
macro_rules! add_to_bucket {
    () => {
        "INSERT INTO payment_day_totals (merchant_id, livemode, day, status, currency, failed, shard, payments, \
         captured, refunded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (merchant_id, livemode, day, status, currency, failed, shard) DO UPDATE SET \
         payments = payment_day_totals.payments + excluded.payments, \
         captured = payment_day_totals.captured + excluded.captured, \
         refunded = payment_day_totals.refunded + excluded.refunded"
    };
}

/// The conflict clause of a change added from a query's rows.
macro_rules! on_conflict_add {
    () => {
        " ON CONFLICT (merchant_id, livemode, day, status, currency, failed, shard) DO UPDATE SET \
         payments = payment_day_totals.payments + excluded.payments, \
         captured = payment_day_totals.captured + excluded.captured, \
         refunded = payment_day_totals.refunded + excluded.refunded"
    };
}
pub(crate) use on_conflict_add;

/// Where a payment counts, and what it adds there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counted {
    pub merchant_id: String,
    pub livemode: i64,
    pub day: i64,
    pub status: String,
    pub currency: String,
    pub failed: i64,
    pub captured: i64,
    pub refunded: i64,
}

impl Counted {
    /// Where `pi` counts as it is now.
    pub fn of(pi: &PaymentIntent) -> Counted {
        Counted {
            merchant_id: pi.merchant_id.as_str().to_owned(),
            livemode: live_flag(pi.mode),
            day: pi.created_at.micros().div_euclid(DAY_MICROS),
            status: pi.status.as_str().to_owned(),
            currency: pi.currency.code().to_owned(),
            failed: i64::from(pi.last_error.is_some()),
            captured: pi.amount_captured.get(),
            refunded: pi.amount_refunded.get(),
        }
    }

    fn same_bucket(&self, other: &Counted) -> bool {
        (&self.merchant_id, self.livemode, self.day, &self.status, &self.currency, self.failed)
            == (&other.merchant_id, other.livemode, other.day, &other.status, &other.currency, other.failed)
    }
}

/// The shard a write of payment `id` at `at` adds to.
pub(crate) fn shard(backend: Backend, id: &str, at: i64) -> i64 {
    if backend == Backend::Sqlite {
        return 0;
    }
    // FNV-1a: cheap, and spread enough for concurrent payments to pick different rows.
    let hash = id
        .bytes()
        .chain(at.to_le_bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    i64::try_from(hash % SHARDS).unwrap_or(0)
}

/// Adds `payments` (and the amounts) to `c`'s bucket.
pub(crate) async fn add(
    tx: &mut WriteTx,
    c: &Counted,
    shard: i64,
    payments: i64,
    captured: i64,
    refunded: i64,
) -> Result<()> {
    query(add_to_bucket!())
        .bind(c.merchant_id.clone())
        .bind(c.livemode)
        .bind(c.day)
        .bind(c.status.clone())
        .bind(c.currency.clone())
        .bind(c.failed)
        .bind(shard)
        .bind(payments)
        .bind(captured)
        .bind(refunded)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Moves a payment counted as `before` to where it counts as `after` (SQLite, where the
/// payment's row was read before its update).
pub(crate) async fn moved(tx: &mut WriteTx, before: &Counted, after: &Counted, shard: i64) -> Result<()> {
    if before.same_bucket(after) {
        if (before.captured, before.refunded) != (after.captured, after.refunded) {
            add(tx, after, shard, 0, after.captured - before.captured, after.refunded - before.refunded).await?;
        }
        return Ok(());
    }
    add(tx, before, shard, -1, -before.captured, -before.refunded).await?;
    add(tx, after, shard, 1, after.captured, after.refunded).await
}

/// Where the payment `id` counts now, read from its row (SQLite, before an update).
pub(crate) async fn counted_now(tx: &mut WriteTx, id: &str) -> Result<Option<Counted>> {
    let row = query(
        "SELECT merchant_id, livemode, created_at, status, currency, CASE WHEN last_error IS NULL THEN 0 ELSE 1 END AS failed, \
         amount_captured, amount_refunded FROM payment_intents WHERE id = $1",
    )
    .bind(id.to_owned())
    .fetch_optional(tx.conn())
    .await?;
    row.map(|r| {
        Ok(Counted {
            merchant_id: r.text("merchant_id")?,
            livemode: r.int("livemode")?,
            day: r.int("created_at")?.div_euclid(DAY_MICROS),
            status: r.text("status")?,
            currency: r.text("currency")?,
            failed: r.int("failed")?,
            captured: r.int("amount_captured")?,
            refunded: r.int("amount_refunded")?,
        })
    })
    .transpose()
}

/// Payments of one bucket summed over its shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayTotal {
    /// UTC days since the epoch.
    pub day: i64,
    /// The payments' status.
    pub status: String,
    /// Their currency.
    pub currency: String,
    /// Whether they carry a failure.
    pub failed: bool,
    /// How many.
    pub payments: i64,
    /// Sum captured, minor units.
    pub captured: i64,
    /// Sum refunded, minor units.
    pub refunded: i64,
}

/// The scope's buckets of the days `[from_day, to_day)`.
pub async fn of_days<'e, E: Into<Db<'e>>>(db: E, scope: &Scope, from_day: i64, to_day: i64) -> Result<Vec<DayTotal>> {
    let rows = query(
        "SELECT day, status, currency, failed, CAST(SUM(payments) AS BIGINT) AS payments, \
         CAST(SUM(captured) AS BIGINT) AS captured, CAST(SUM(refunded) AS BIGINT) AS refunded \
         FROM payment_day_totals WHERE merchant_id = $1 AND livemode = $2 AND day >= $3 AND day < $4 \
         GROUP BY day, status, currency, failed",
    )
    .bind(scope.merchant_id.as_str().to_owned())
    .bind(live_flag(scope.mode))
    .bind(from_day)
    .bind(to_day)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DayTotal {
                day: r.int("day")?,
                status: r.text("status")?,
                currency: r.text("currency")?,
                failed: r.int("failed")? != 0,
                payments: r.int("payments")?,
                captured: r.int("captured")?,
                refunded: r.int("refunded")?,
            })
        })
        .collect()
}
