//! The overview the dashboard opens on: how the business is doing over today, 7 or 30 days.
//! Every number comes from `App::overview`; this page only draws it, as SVG charts rendered
//! here (no script) each with a table beside it that a screen reader reads.

use super::view::{Section, framed, money, when};
use super::{Desk, PageError, page, query};
use crate::app::{Overview, Period};
use crate::http::HttpState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};

pub fn routes() -> Router<HttpState> {
    super::in_both_modes(vec![("/overview", get(show))])
}

const PERIODS: [(Period, &str); 3] = [(Period::Today, "Today"), (Period::Week, "7 days"), (Period::Month, "30 days")];

/// `GET /dashboard/{mode}/overview?period=today|7d|30d` (7 days by default).
async fn show(State(s): State<HttpState>, desk: Desk, uri: Uri) -> Response {
    let q = query(&uri);
    let period = q.get("period").and_then(|p| Period::parse(p)).unwrap_or(Period::Week);
    match s.app.overview(&desk.reader(), period).await {
        Ok(overview) => page(StatusCode::OK, framed(&desk, Section::Overview, "Overview", body(&desk, &overview))),
        Err(e) => PageError::from(e).into_response(),
    }
}

fn body(desk: &Desk, o: &Overview) -> Markup {
    let day_labels: Vec<String> = o.days.iter().map(|d| when(*d).chars().take(10).collect()).collect();
    let outcomes = &o.outcomes;
    let total = outcomes.total();
    let share = |n: i64| if total == 0 { "–".to_owned() } else { format!("{}%", (n * 100 + total / 2) / total) };
    html! {
        h1 { "Overview" }
        nav.periods aria-label="Period" {
            @for (p, label) in PERIODS {
                a href={ (desk.base()) "/overview?period=" (p.as_str()) } aria-current=[(p == o.period).then_some("page")] { (label) }
            }
        }
        div.charts {
            section data-testid="payments-by-day" {
                h2 { "Payments" }
                p.figure { strong { (total) } " created" }
                (columns("payments-chart", "Payments created per day", &day_labels, &o.payments_by_day, |n| n.to_string()))
            }
            @for v in o.volume.iter().take(3) {
                section data-testid={ "volume-" (v.currency) } {
                    h2 { "Gross volume, " (v.currency) }
                    p.figure { strong { (money(v.captured, v.currency)) } " captured" @if v.refunded > 0 { ", " (money(v.refunded, v.currency)) " refunded" } }
                    (columns(&format!("volume-{}", v.currency), &format!("Captured per day in {}", v.currency), &day_labels, &v.captured_by_day, |n| money(n, v.currency)))
                }
            }
            section data-testid="outcomes" {
                h2 { "Outcomes" }
                (bars("outcomes-chart", "Payments by outcome", &[
                    ("Succeeded".to_owned(), outcomes.succeeded, format!("{} ({})", outcomes.succeeded, share(outcomes.succeeded))),
                    ("Authorized, not captured".to_owned(), outcomes.authorized, format!("{} ({})", outcomes.authorized, share(outcomes.authorized))),
                    ("Failed".to_owned(), outcomes.failed, format!("{} ({})", outcomes.failed, share(outcomes.failed))),
                    ("Canceled".to_owned(), outcomes.canceled, format!("{} ({})", outcomes.canceled, share(outcomes.canceled))),
                    ("Not paid yet".to_owned(), outcomes.open, format!("{} ({})", outcomes.open, share(outcomes.open))),
                ]))
            }
            section data-testid="failure-reasons" {
                h2 { "Why payments failed" }
                @if o.failure_reasons.is_empty() {
                    p.muted { "No failed payment in this period." }
                } @else {
                    (bars("failures-chart", "Failed payments by reason", &o.failure_reasons.iter().map(|(reason, n)| (reason.clone(), *n, n.to_string())).collect::<Vec<_>>()))
                }
            }
            section data-testid="refunds" {
                h2 { "Refunds" }
                @if o.refunds.is_empty() {
                    p.muted { "No refund in this period." }
                } @else {
                    @let rows: Vec<(String, i64, String)> = o.refunds.iter().flat_map(|(code, r)| {
                        let currency = kassa_domain::Currency::parse(code).ok();
                        let shown = move |(n, amount): (i64, i64)| match currency {
                            Some(c) => format!("{n} · {}", money(amount, c)),
                            None => format!("{n} · {amount} {code}"),
                        };
                        [
                            (format!("Succeeded, {code}"), r.succeeded.1, shown(r.succeeded)),
                            (format!("Pending, {code}"), r.pending.1, shown(r.pending)),
                            (format!("Failed, {code}"), r.failed.1, shown(r.failed)),
                        ]
                    }).collect();
                    (bars("refunds-chart", "Refunded amounts by outcome", &rows))
                }
            }
            section data-testid="webhooks" {
                h2 { "Webhook deliveries" }
                @if o.endpoints.is_empty() {
                    p.muted { "No webhook endpoint." }
                } @else {
                    @let rows: Vec<(String, i64, String)> = o.endpoints.iter().flat_map(|e| [
                        (format!("{} delivered", e.url), e.delivered, e.delivered.to_string()),
                        (format!("{} failed attempts", e.url), e.failed_attempts, e.failed_attempts.to_string()),
                    ]).collect();
                    (bars("webhooks-chart", "Webhook attempts by endpoint", &rows))
                    table.list {
                        caption { "Endpoints" }
                        thead { tr { th scope="col" { "Endpoint" } th scope="col" { "Health" } th scope="col" { "Retrying now" } th scope="col" { "Given up" } } }
                        tbody {
                            @for e in &o.endpoints {
                                tr {
                                    td { (e.url) }
                                    td { @if e.failing() { span.badge.bad { "Failing" } } @else { span.badge.ok { "Healthy" } } }
                                    td.amount { (e.retrying) }
                                    td.amount { (e.given_up) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A column per day, with the table of the values below it.
fn columns(id: &str, title: &str, labels: &[String], values: &[i64], shown: impl Fn(i64) -> String) -> Markup {
    const W: i64 = 600;
    const H: i64 = 160;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = i64::try_from(values.len()).unwrap_or(1).max(1);
    let slot = W / n;
    let gap = (slot / 5).max(1);
    html! {
        figure.chart {
            svg role="img" aria-labelledby={ (id) "-title" } viewBox={ "0 0 " (W) " " (H + 20) } preserveAspectRatio="xMidYMid meet" {
                title id={ (id) "-title" } { (title) ": the table below lists each day" }
                line.axis x1="0" y1=(H) x2=(W) y2=(H) {}
                @for (i, v) in values.iter().enumerate() {
                    @let height = v * (H - 10) / max;
                    @let x = i64::try_from(i).unwrap_or(0) * slot + gap / 2;
                    rect.bar x=(x) y=(H - height) width=(slot - gap) height=(height) {}
                }
                text.tick x="0" y=(H + 16) { (labels.first().map(String::as_str).unwrap_or("")) }
                @if labels.len() > 1 {
                    text.tick x=(W) y=(H + 16) text-anchor="end" { (labels.last().map(String::as_str).unwrap_or("")) }
                }
                text.tick x="4" y="12" { "max " (shown(max)) }
            }
            details {
                summary { "Table" }
                table.list {
                    caption { (title) }
                    thead { tr { th scope="col" { "Day" } th scope="col" { "Value" } } }
                    tbody {
                        @for (label, v) in labels.iter().zip(values) {
                            tr { th scope="row" { (label) } td.amount { (shown(*v)) } }
                        }
                    }
                }
            }
        }
    }
}

/// A horizontal bar per row (label, value, shown value), with the table beside it.
fn bars(id: &str, title: &str, rows: &[(String, i64, String)]) -> Markup {
    const W: i64 = 600;
    const ROW: i64 = 22;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let h = ROW * i64::try_from(rows.len()).unwrap_or(0);
    html! {
        figure.chart.bars {
            svg role="img" aria-labelledby={ (id) "-title" } viewBox={ "0 0 " (W) " " (h.max(ROW)) } preserveAspectRatio="xMinYMin meet" {
                title id={ (id) "-title" } { (title) ": the table beside it lists the values" }
                @for (i, (_, v, _)) in rows.iter().enumerate() {
                    @let y = i64::try_from(i).unwrap_or(0) * ROW;
                    rect.bar x="0" y=(y + 3) width=(v * W / max) height=(ROW - 6) {}
                }
            }
            table.list {
                caption { (title) }
                tbody {
                    @for (label, _, shown) in rows {
                        tr { th scope="row" { (label) } td.amount { (shown) } }
                    }
                }
            }
        }
    }
}
