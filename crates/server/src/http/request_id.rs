//! A `req_…` id for every request: in the `Request-Id` header, in every error body and on
//! every log line of the request.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use kassa_domain::RequestId;
use std::time::Instant;
use tracing::Instrument;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of the request being handled by this task, if any.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Runs `work` on its own task, with this request's id and log span, so that it runs to
/// the end even if the request's own future is dropped (the client's timeout cut it off).
pub fn detach<F>(work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let span = tracing::Span::current();
    match current() {
        Some(id) => tokio::spawn(CURRENT.scope(id, work).instrument(span)),
        None => tokio::spawn(work.instrument(span)),
    }
}

/// Assigns the id and logs one line per request.
pub async fn middleware(req: Request, next: Next) -> Response {
    let id = RequestId::generate();
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let response = CURRENT.scope(id.clone(), async move { next.run(req).await }).instrument(span.clone()).await;
    let mut response = response;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert("request-id", value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_us = started.elapsed().as_micros() as u64,
            "handled"
        );
    });
    response
}
