//! How the gateway governs connections (`serve.rs`): a client that never finishes its request
//! head is dropped, a kept-alive connection left idle is closed, and connections beyond the cap
//! wait until one closes. Slowloris and idle floods cannot hold the server.

use kassa_testkit::spawn_app_with;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit.saturating_sub(started.elapsed()), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into_owned(), started.elapsed()),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the connection is still open after {limit:?}; got {:?}", String::from_utf8_lossy(&seen)),
        }
    }
}

#[tokio::test]
async fn a_request_head_never_finished_is_dropped_after_the_header_timeout() {
    let app = spawn_app_with(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let mut slow = TcpStream::connect(app.address).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: kassa\r\nX-Slow: ").await.unwrap();
    let (answer, after) = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(!answer.contains("200 OK"), "a partial head is never served: {answer}");
    assert!(after >= Duration::from_millis(900), "closed after the timeout, not before: {after:?}");

    let mut silent = TcpStream::connect(app.address).await.unwrap();
    let (_, after) = read_until_closed(&mut silent, Duration::from_secs(10)).await;
    assert!(after >= Duration::from_millis(900), "{after:?}");
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed() {
    let app = spawn_app_with(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let mut idle = TcpStream::connect(app.address).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: kassa\r\n\r\n").await.unwrap();
    let (answer, after) = read_until_closed(&mut idle, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "the request is answered: {answer}");
    assert!(after >= Duration::from_millis(900), "then the idle connection is closed: {after:?}");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = spawn_app_with(|c| {
        c.max_connections = 2;
        c.header_read_timeout = Duration::from_secs(30);
    })
    .await;
    let fresh = || reqwest::Client::builder().timeout(Duration::from_millis(800)).build().unwrap();
    let holders = [TcpStream::connect(app.address).await.unwrap(), TcpStream::connect(app.address).await.unwrap()];
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        fresh().get(app.url("/health")).send().await.is_err(),
        "a third connection is not served while two are open"
    );
    drop(holders);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(res) = fresh().get(app.url("/health")).send().await {
            assert_eq!(res.status(), 200);
            break;
        }
        assert!(Instant::now() < deadline, "never served after the holders left");
    }
}
