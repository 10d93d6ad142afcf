//! The request layer every face is mounted with: counts each request by method, route and
//! status, and times it, once metrics are on (`/metrics`).

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ON: AtomicBool = AtomicBool::new(false);

/// Starts counting requests.
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
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
