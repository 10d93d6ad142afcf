//! A real webhook receiver on a random port: records every request, answers as scripted, and
//! can go down (connection refused) and come back on the same port.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How to answer one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status to answer.
    pub status: u16,
    /// Wait before answering.
    pub delay: Duration,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: String,
}

impl Reply {
    /// Answer `status` at once.
    pub fn status(status: u16) -> Reply {
        Reply { status, delay: Duration::ZERO, headers: Vec::new(), body: format!("answer {status}") }
    }

    /// Answer after `delay`.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// With a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// One request received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its raw body.
    pub body: Bytes,
    /// When it arrived.
    pub at: Instant,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    plan: Mutex<VecDeque<Reply>>,
    fallback: Mutex<Option<Reply>>,
    arrived: Notify,
}

/// The receiver.
pub struct Receiver {
    /// Its address.
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    server: Mutex<Option<JoinHandle<()>>>,
    /// While down: the port, bound but not listening, so connections are refused and no other
    /// test's server can take it meanwhile.
    reserved: Mutex<Option<tokio::net::TcpSocket>>,
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    inner.received.lock().unwrap().push(Received { headers, body, at: Instant::now() });
    inner.arrived.notify_waiters();
    let reply = inner.plan.lock().unwrap().pop_front().or_else(|| inner.fallback.lock().unwrap().clone());
    let reply = reply.unwrap_or_else(|| Reply::status(200));
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = (StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK), reply.body).into_response();
    for (name, value) in reply.headers {
        if let Ok(v) = value.parse() {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

impl Receiver {
    /// Starts on a random port, answering 200 to everything.
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("an address");
        let receiver = Receiver { addr, inner: Arc::default(), server: Mutex::new(None), reserved: Mutex::new(None) };
        receiver.serve(listener);
        receiver
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let app = Router::new().fallback(receive).with_state(self.inner.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        *self.server.lock().unwrap() = Some(handle);
    }

    /// `http://127.0.0.1:port/webhooks`.
    pub fn url(&self) -> String {
        format!("http://{}/webhooks", self.addr)
    }

    /// Answers the next requests like this, in order.
    pub fn reply_next(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.plan.lock().unwrap().extend(replies);
    }

    /// Answers every request not otherwise scripted like this.
    pub fn reply_always(&self, reply: Reply) {
        *self.inner.fallback.lock().unwrap() = Some(reply);
    }

    /// Stops listening: connections are refused until [`Receiver::up`]. The port stays bound
    /// meanwhile (a socket that does not listen), so no other server can take it.
    pub async fn down(&self) {
        let server = self.server.lock().unwrap().take();
        if let Some(handle) = server {
            handle.abort();
            // The listener is closed once the aborted task is dropped.
            let _ = handle.await;
        }
        let mut tries = 0;
        let socket = loop {
            let bound = tokio::net::TcpSocket::new_v4().and_then(|s| {
                s.set_reuseaddr(true)?;
                s.bind(self.addr)?;
                Ok(s)
            });
            match bound {
                Ok(s) => break s,
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("cannot keep {} while down: {e}", self.addr),
            }
        };
        *self.reserved.lock().unwrap() = Some(socket);
    }

    /// Listens again on the same port.
    pub async fn up(&self) {
        let reserved = self.reserved.lock().unwrap().take();
        let listener = match reserved {
            Some(socket) => socket.listen(1024).expect("listening on the kept port"),
            None => tokio::net::TcpListener::bind(self.addr).await.expect("listening again"),
        };
        self.serve(listener);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests have arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.inner.arrived.notified();
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "expected {n} deliveries, got {} within {timeout:?}", got.len());
            let _ = tokio::time::timeout(left.min(Duration::from_millis(100)), notified).await;
        }
    }

    /// The `Kassa-Event-Id` of every request, in arrival order.
    pub fn event_ids(&self) -> Vec<String> {
        self.received().iter().filter_map(|r| r.header("kassa-event-id").map(str::to_owned)).collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(handle) = self.server.lock().unwrap().take() {
            handle.abort();
        }
    }
}
