//! How the business is doing over a period: what the dashboard's overview shows, computed here
//! from the store's grouped sums (`kassa_store::overview`) so that a face only draws it.

use super::{App, AppResult, Ctx};
use kassa_domain::payment_intent::{PaymentFailure, Status};
use kassa_domain::{Currency, Timestamp};
use kassa_store::day_totals::{self, DAY_MICROS, DayTotal};
use kassa_store::overview as sums;
use std::collections::BTreeMap;

/// The period an overview covers, ending today (UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Since midnight UTC.
    Today,
    /// Today and the 6 days before.
    Week,
    /// Today and the 29 days before.
    Month,
}

impl Period {
    /// `today`, `7d`, `30d`.
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "today" => Some(Period::Today),
            "7d" => Some(Period::Week),
            "30d" => Some(Period::Month),
            _ => None,
        }
    }

    /// As [`Period::parse`] reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Week => "7d",
            Period::Month => "30d",
        }
    }

    /// Days covered.
    pub fn days(self) -> i64 {
        match self {
            Period::Today => 1,
            Period::Week => 7,
            Period::Month => 30,
        }
    }
}

/// Payments' outcomes, counted over the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// Captured in full or in part (`succeeded`).
    pub succeeded: i64,
    /// Authorized, waiting for a capture.
    pub authorized: i64,
    /// Left with a failure: their last attempt was declined or failed, and nothing succeeded.
    pub failed: i64,
    /// Canceled.
    pub canceled: i64,
    /// Not paid yet, without a failure (waiting for a card, an action, the processor).
    pub open: i64,
}

impl Outcomes {
    /// Every payment counted.
    pub fn total(&self) -> i64 {
        self.succeeded + self.authorized + self.failed + self.canceled + self.open
    }
}

/// Money of one currency over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyVolume {
    /// The currency.
    pub currency: Currency,
    /// Captured per day (of the payments created that day), minor units, oldest day first.
    pub captured_by_day: Vec<i64>,
    /// All captured, minor units.
    pub captured: i64,
    /// Refunded of those payments, minor units.
    pub refunded: i64,
}

/// Refunds of one currency created in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundSummary {
    /// Succeeded: how many, how much.
    pub succeeded: (i64, i64),
    /// Still pending.
    pub pending: (i64, i64),
    /// Failed or canceled.
    pub failed: (i64, i64),
}

/// A webhook endpoint's health over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointHealth {
    /// `we_…`
    pub id: String,
    /// Where it sends.
    pub url: String,
    /// Attempts it answered with success.
    pub delivered: i64,
    /// Attempts that failed.
    pub failed_attempts: i64,
    /// Deliveries waiting for a retry now.
    pub retrying: i64,
    /// Deliveries given up on.
    pub given_up: i64,
}

impl EndpointHealth {
    /// Failing: it has deliveries waiting for a retry or given up, or more failed attempts than
    /// delivered ones.
    pub fn failing(&self) -> bool {
        self.retrying > 0 || self.given_up > 0 || self.failed_attempts > self.delivered
    }
}

/// The overview of a scope for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The period.
    pub period: Period,
    /// Midnight UTC of each day, oldest first.
    pub days: Vec<Timestamp>,
    /// Payments created each day.
    pub payments_by_day: Vec<i64>,
    /// Outcomes of the period's payments.
    pub outcomes: Outcomes,
    /// Captured volume per currency, largest count of payments first.
    pub volume: Vec<CurrencyVolume>,
    /// Why payments failed (the issuer's decline code, else Kassa's code), most frequent first.
    pub failure_reasons: Vec<(String, i64)>,
    /// Refunds created in the period, per currency.
    pub refunds: BTreeMap<String, RefundSummary>,
    /// Every webhook endpoint, failing ones first.
    pub endpoints: Vec<EndpointHealth>,
}

impl App {
    /// The overview of the caller's scope for `period`, ending today (UTC).
    pub async fn overview(&self, ctx: &Ctx, period: Period) -> AppResult<Overview> {
        let now = self.clock().now().micros();
        let today = now - now.rem_euclid(DAY_MICROS);
        let from = today - (period.days() - 1) * DAY_MICROS;
        let to = today + DAY_MICROS;
        let reader = self.store().reader();
        let scope = &ctx.scope;
        let rows = day_totals::of_days(reader, scope, from / DAY_MICROS, to / DAY_MICROS).await?;
        let failures = sums::last_failures(reader, scope, from, to).await?;
        let refunds = sums::refunds(reader, scope, from, to).await?;
        let endpoints = sums::endpoint_deliveries(reader, scope, from).await?;
        Ok(assemble(period, from, rows, failures, refunds, endpoints))
    }
}

fn assemble(
    period: Period,
    from: i64,
    rows: Vec<DayTotal>,
    failures: Vec<(String, i64)>,
    refunds: Vec<sums::RefundTotal>,
    endpoints: Vec<sums::EndpointDeliveries>,
) -> Overview {
    let days = usize::try_from(period.days()).unwrap_or(1);
    let mut payments_by_day = vec![0; days];
    let mut outcomes = Outcomes::default();
    // Per currency: payments counted (for the order), captured per day, refunded.
    let mut volume: BTreeMap<String, (i64, Vec<i64>, i64)> = BTreeMap::new();
    for row in &rows {
        let Some(day) = usize::try_from(row.day - from.div_euclid(DAY_MICROS)).ok().filter(|d| *d < days) else {
            continue;
        };
        payments_by_day[day] += row.payments;
        match Status::parse(&row.status) {
            Ok(Status::Succeeded) => outcomes.succeeded += row.payments,
            Ok(Status::RequiresCapture) => outcomes.authorized += row.payments,
            Ok(Status::Canceled) => outcomes.canceled += row.payments,
            _ if row.failed => outcomes.failed += row.payments,
            _ => outcomes.open += row.payments,
        }
        let entry = volume.entry(row.currency.clone()).or_insert_with(|| (0, vec![0; days], 0));
        entry.0 += row.payments;
        entry.1[day] += row.captured;
        entry.2 += row.refunded;
    }
    let mut volume: Vec<(i64, CurrencyVolume)> = volume
        .into_iter()
        .filter_map(|(code, (count, by_day, refunded))| {
            let currency = Currency::parse(&code).ok()?;
            let captured = by_day.iter().sum();
            Some((count, CurrencyVolume { currency, captured_by_day: by_day, captured, refunded }))
        })
        .collect();
    // Stable: equal counts keep the map's order of codes.
    volume.sort_by_key(|v| std::cmp::Reverse(v.0));

    let mut reasons: BTreeMap<String, i64> = BTreeMap::new();
    for (stored, count) in failures {
        let reason = serde_json::from_str::<PaymentFailure>(&stored)
            .map(|f| f.reason().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned());
        *reasons.entry(reason).or_default() += count;
    }
    let mut failure_reasons: Vec<(String, i64)> = reasons.into_iter().collect();
    failure_reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    let mut refund_summaries: BTreeMap<String, RefundSummary> = BTreeMap::new();
    for r in refunds {
        let summary = refund_summaries.entry(r.currency).or_default();
        let slot = match r.status.as_str() {
            "succeeded" => &mut summary.succeeded,
            "pending" | "requires_action" => &mut summary.pending,
            _ => &mut summary.failed,
        };
        slot.0 += r.count;
        slot.1 += r.amount;
    }

    let mut endpoints: Vec<EndpointHealth> = endpoints
        .into_iter()
        .map(|e| EndpointHealth {
            id: e.endpoint_id,
            url: e.url,
            delivered: e.delivered,
            failed_attempts: e.failed_attempts,
            retrying: e.retrying,
            given_up: e.given_up,
        })
        .collect();
    endpoints.sort_by_key(|e| !e.failing());

    Overview {
        period,
        days: (0..period.days()).map(|d| Timestamp(from + d * DAY_MICROS)).collect(),
        payments_by_day,
        outcomes,
        volume: volume.into_iter().map(|(_, v)| v).collect(),
        failure_reasons,
        refunds: refund_summaries,
        endpoints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: i64, status: &str, payments: i64, failed: bool, captured: i64) -> DayTotal {
        DayTotal { day, status: status.to_owned(), currency: "EUR".to_owned(), failed, payments, captured, refunded: 0 }
    }

    #[test]
    fn payments_are_counted_by_day_and_outcome_and_failures_by_reason() {
        let rows = vec![
            day(0, "succeeded", 2, false, 3000),
            day(6, "succeeded", 1, false, 500),
            day(6, "requires_payment_method", 2, true, 0),
            day(6, "requires_payment_method", 1, false, 0),
            day(6, "canceled", 1, false, 0),
            day(9, "succeeded", 5, false, 1),
        ];
        let failures = vec![
            (r#"{"code":"card_declined","decline_code":"insufficient_funds","message":"m"}"#.to_owned(), 1),
            (r#"{"code":"card_declined","decline_code":"insufficient_funds","message":"other"}"#.to_owned(), 2),
            (r#"{"code":"expired_card","decline_code":null,"message":"m"}"#.to_owned(), 1),
        ];
        let o = assemble(Period::Week, 0, rows, failures, vec![], vec![]);
        assert_eq!(o.payments_by_day, vec![2, 0, 0, 0, 0, 0, 5], "a row past the period is left out");
        assert_eq!(o.outcomes, Outcomes { succeeded: 3, authorized: 0, failed: 2, canceled: 1, open: 1 });
        assert_eq!(o.volume[0].captured_by_day, vec![3000, 0, 0, 0, 0, 0, 500]);
        assert_eq!(o.volume[0].captured, 3500);
        assert_eq!(o.failure_reasons, vec![("insufficient_funds".to_owned(), 3), ("expired_card".to_owned(), 1)]);
        assert_eq!(o.days.len(), 7);
    }
}
