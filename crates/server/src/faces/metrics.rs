//! `GET /metrics` (with `KASSA_METRICS=on`): Prometheus' text format, from the `metrics`
//! facade the app and the HTTP layer record into: requests by route and status and their
//! latency, the queues' backlogs, webhook attempts by outcome and latency, database commit
//! latency, SQLite's commits and the writes they grouped, idempotent replays. On the API port: keep it reachable from your scraper only.

use crate::faces::v1::V1Error;
use crate::http::HttpState;
use crate::http::face::Face;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

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

/// Installs the recorder (idempotent) and starts counting requests (the request layer costs
/// nothing otherwise).
pub fn install() {
    handle();
    crate::http::request_metrics::enable();
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
