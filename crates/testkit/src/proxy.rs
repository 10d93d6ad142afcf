//! A small real TCP proxy in front of the gateway that misbehaves on request: answers 503 or
//! 429, drops the connection before or after the gateway did the work, or delays past the
//! client's timeout. It records every request it sees. For the retry and error paths of the
//! clients (the `kassa` SDK, the provider crates).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What to do with the next request.
#[derive(Debug, Clone)]
pub enum Action {
    /// Pass it to the gateway and its answer back.
    Forward,
    /// Answer this status and JSON body (plus headers) without asking the gateway.
    Respond(u16, String, Vec<(&'static str, &'static str)>),
    /// Close the connection without answering (the request was lost).
    Drop,
    /// Pass it to the gateway, then close the connection instead of answering (the
    /// response was lost; the gateway did the work).
    ForwardThenDrop,
    /// Wait, then forward.
    DelayThenForward(Duration),
}

/// A request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST` …
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Its `Idempotency-Key` header, if any.
    pub idempotency_key: Option<String>,
}

impl Seen {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// The proxy: where it listens, what it will do next, what it saw.
#[derive(Clone)]
pub struct Proxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    plan: Arc<Mutex<VecDeque<Action>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Proxy {
    /// Starts a proxy in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy { addr: listener.local_addr().unwrap(), plan: Arc::default(), seen: Arc::default() };
        let p = proxy.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let p = p.clone();
                tokio::spawn(async move { p.serve(socket, upstream).await });
            }
        });
        proxy
    }

    /// `http://` and its address.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues actions for the next requests; when the queue is empty, requests are forwarded.
    pub fn plan(&self, actions: impl IntoIterator<Item = Action>) {
        self.plan.lock().unwrap().extend(actions);
    }

    /// Every request it saw, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    async fn serve(&self, mut client: TcpStream, upstream: SocketAddr) {
        let Some((head, body)) = read_request(&mut client).await else { return };
        let mut lines = head.lines();
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let target = request_line.next().unwrap_or_default().to_owned();
        let idempotency_key = head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("idempotency-key").then(|| value.trim().to_owned())
        });
        self.seen.lock().unwrap().push(Seen { method, target, idempotency_key });
        let action = self.plan.lock().unwrap().pop_front().unwrap_or(Action::Forward);
        match action {
            Action::Forward => {
                if let Some(response) = forward(&head, &body, upstream).await {
                    let _ = client.write_all(&response).await;
                }
            }
            Action::Respond(status, json, headers) => {
                let mut out = format!(
                    "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    json.len()
                );
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&json);
                let _ = client.write_all(out.as_bytes()).await;
            }
            Action::Drop => {}
            Action::ForwardThenDrop => {
                let _ = forward(&head, &body, upstream).await;
            }
            Action::DelayThenForward(d) => {
                tokio::time::sleep(d).await;
                if let Some(response) = forward(&head, &body, upstream).await {
                    let _ = client.write_all(&response).await;
                }
            }
        }
        let _ = client.shutdown().await;
    }
}

/// Reads one HTTP/1.1 request: the head as text and the body by its Content-Length.
async fn read_request(socket: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok()).flatten()
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

/// Sends the request upstream on a fresh connection and returns the whole response, with
/// `connection: close` so the client does not reuse the proxy's connection.
async fn forward(head: &str, body: &[u8], upstream: SocketAddr) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await.ok()?;
    let mut rewritten: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    rewritten.push_str("connection: close\r\n\r\n");
    up.write_all(rewritten.as_bytes()).await.ok()?;
    up.write_all(body).await.ok()?;
    let mut response = Vec::new();
    up.read_to_end(&mut response).await.ok()?;
    Some(response)
}
