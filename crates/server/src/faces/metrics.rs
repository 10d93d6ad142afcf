//! `GET /metrics` (with `KASSA_METRICS=on`): Prometheus' text format, from the `metrics`
//! facade the app and the HTTP layer record into: requests by route and status and their
//! latency, the queues' backlogs, webhook attempts by outcome and latency, database commit
//! latency, SQLite's commits and the writes they grouped, idempotent replays. On the API port: keep it reachable from your scraper only.

use crate::faces::v1::V1Error;
use crate::http::HttpState;
use crate::http::face::Face;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The process's recorder: installed once, by the first gateway that asks for metrics.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
            .expect("buckets are given")
            .install_recorder()
            .expect("no other metrics recorder in this process")
    })
}

/// Whether a gateway of this process serves metrics (the request layer costs nothing otherwise).
static ON: AtomicBool = AtomicBool::new(false);

/// Installs the recorder (idempotent).
pub fn install() {
    handle();
    ON.store(true, Ordering::Relaxed);
}

/// The scrape endpoint.
pub struct Metrics;

impl Face for Metrics {
    type Error = V1Error;

    fn routes() -> Router<HttpState> {
        Router::new()
    }

    fn public_routes() -> Router<HttpState> {
        Router::new().route("/metrics", get(scrape))
    }
}

async fn scrape(State(state): State<HttpState>) -> Response {
    if let Some(counts) = state.app.write_batches() {
        metrics::counter!("kassa_sqlite_commits_total").absolute(counts.batches());
        metrics::counter!("kassa_sqlite_committed_writes_total").absolute(counts.units());
        // Together near the elapsed time: the one writer is what limits throughput.
        metrics::counter!("kassa_sqlite_writer_held_microseconds_total", "by" => "units")
            .absolute(counts.unit_hold_micros());
        metrics::counter!("kassa_sqlite_writer_held_microseconds_total", "by" => "commits")
            .absolute(counts.commit_hold_micros());
    }
    let mut r = handle().render().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    r
}

/// Counts each request by method, route (the route's pattern, not its ids) and status, and
/// times it. Runs inside routing, where the route is known.
pub async fn record(req: Request, next: Next) -> Response {
    if !ON.load(Ordering::Relaxed) {
        return next.run(req).await;
    }
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("kassa_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("kassa_http_request_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
