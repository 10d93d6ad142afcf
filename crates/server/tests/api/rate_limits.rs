//! Per-key rate limits.

use kassa_domain::{KeyKind, Mode};
use kassa_testkit::spawn_app_with;

#[tokio::test]
async fn a_key_over_its_limit_gets_429_with_headers_and_other_keys_do_not() {
    let app = spawn_app_with(|c| {
        c.rate_limit.per_second = 1;
        c.rate_limit.burst = 3;
    })
    .await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let res = app.get("/v1/payment_intents").await;
        statuses.push(res.status);
        if res.status == 200 {
            assert_eq!(res.header("ratelimit-limit"), Some("3"));
            assert!(res.header("ratelimit-remaining").is_some() && res.header("ratelimit-reset").is_some());
        }
        last = Some(res);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let limited = last.unwrap();
    assert_eq!(limited.error()["type"], "rate_limit_error");
    assert_eq!((limited.header("retry-after"), limited.header("ratelimit-remaining")), (Some("1"), Some("0")));

    let (_, other_key) = app.create_key(KeyKind::Secret, Mode::Test).await;
    let other = app.request("GET", "/v1/payment_intents", None, Some(&other_key), None).await;
    assert_eq!(other.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.get("/v1/payment_intents").await.status, 200, "tokens refill");
}

/// Guessing keys: an address that keeps failing to authenticate is refused before its next key
/// is looked at (a right guess then gains nothing), until its bucket refills.
#[tokio::test]
async fn an_address_that_keeps_presenting_wrong_keys_is_refused_for_a_while() {
    let app = kassa_testkit::spawn_app().await;
    let mut statuses = Vec::new();
    for n in 0..80 {
        let guess = format!("sk_test_guess{n:027}");
        statuses.push(app.request("GET", "/v1/payment_intents", None, Some(&guess), None).await.status);
    }
    let refused = statuses.iter().position(|s| *s == 429).expect("guessing is throttled");
    assert!(refused >= 50, "a burst of honest mistakes is answered 401 first: {statuses:?}");
    assert!(statuses[..refused].iter().all(|s| *s == 401) && statuses[refused..].iter().all(|s| *s == 429));

    let blocked = app.get("/v1/payment_intents").await;
    assert_eq!(blocked.status, 429, "even the right key waits: {}", blocked.text);
    assert_eq!(blocked.error()["code"], "too_many_failed_authentications");
    assert!(blocked.header("retry-after").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(app.get("/v1/payment_intents").await.status, 200, "served again once the bucket refills");
}
