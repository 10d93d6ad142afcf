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
