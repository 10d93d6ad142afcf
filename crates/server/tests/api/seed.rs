//! The seed payment backend's API (source document 002) at the gateway's root: its documented
//! flows, and the places where Kassa corrects it.

use futures_util::future::join_all;
use kassa_testkit::{TestApp, TestResponse, json_of, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::Duration;

fn order(amount: Value) -> Value {
    json!({
        "amount": amount, "currency": "USD", "customer_id": "cus_123",
        "payment_method_id": "pm_fake_visa", "capture_method": "automatic",
        "metadata": {"orderId": "ORD-1001"}
    })
}

async fn send(app: &TestApp, method: &str, path: &str, body: Option<Value>, key: Option<&str>) -> TestResponse {
    app.request(method, path, body, Some(&app.merchant.secret_key), key).await
}

async fn create(app: &TestApp, body: Value) -> Value {
    let key = format!("create-{}", uuid_like());
    let res = send(app, "POST", "/payment_intents", Some(body), Some(&key)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

async fn confirm(app: &TestApp, id: &str, query: &str) -> TestResponse {
    let key = format!("confirm-{}", uuid_like());
    send(app, "PATCH", &format!("/payment_intents/{id}/confirm{query}"), None, Some(&key)).await
}

/// Polls `GET /payment_intents/{id}` until it leaves `processing`.
async fn settled(app: &TestApp, id: &str) -> Value {
    for _ in 0..200 {
        let pi = send(app, "GET", &format!("/payment_intents/{id}"), None, None).await.body;
        if pi["status"] != "processing" {
            return pi;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{id} stayed processing");
}

fn is_js_iso(s: &Value) -> bool {
    let s = s.as_str().unwrap_or_default();
    s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.'
}

#[tokio::test]
async fn the_documented_flow_from_intent_to_refund() {
    let app = spawn_app_with(|c| c.simulator.latency = Duration::from_millis(1500)).await;

    let health = app.request("GET", "/health", None, None, None).await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    assert!(is_js_iso(&health.body["timestamp"]), "{}", health.text);

    let res = send(&app, "POST", "/payment_intents", Some(order(json!(2599))), Some("create-1")).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let pi = &res.body;
    let id = json_of(pi, "id");
    assert!(id.starts_with("pi_"));
    assert_eq!(res.header("location"), Some(format!("/payment_intents/{id}").as_str()));
    assert_eq!(
        (pi["status"].as_str(), pi["amount"].as_i64(), pi["currency"].as_str(), pi["customer_id"].as_str()),
        (Some("requires_confirmation"), Some(2599), Some("USD"), Some("cus_123"))
    );
    assert_eq!(
        (pi["payment_method_id"].as_str(), pi["capture_method"].as_str()),
        (Some("pm_fake_visa"), Some("automatic"))
    );
    assert_eq!(pi["metadata"], json!({"orderId": "ORD-1001"}));
    assert!(json_of(pi, "client_secret").starts_with(&format!("{id}_secret_")));
    assert!(is_js_iso(&pi["created_at"]) && is_js_iso(&pi["updated_at"]), "{pi}");

    let jobs = send(&app, "GET", &format!("/payment_intents/{id}/jobs"), None, None).await;
    assert_eq!((jobs.status, jobs.body["jobs"].as_array().map(Vec::len)), (200, Some(0)), "no jobs before confirm");

    let accepted = confirm(&app, id, "").await;
    assert_eq!(accepted.status, 202, "{}", accepted.text);
    assert_eq!(accepted.body, json!({"id": id, "status": "processing"}));
    assert_eq!(accepted.header("location"), Some(format!("/payment_intents/{id}").as_str()));
    assert_eq!(accepted.header("retry-after"), Some("3"));

    // The simulator takes 0.75 to 2.25 s: the result is not there yet.
    let early = send(&app, "GET", &format!("/payments/{id}"), None, None).await;
    assert_eq!(early.status, 425, "{}", early.text);
    assert_eq!(
        (early.error()["type"].as_str(), early.error()["code"].as_str()),
        (Some("invalid_request_error"), Some("payment_processing"))
    );
    assert!(early.error()["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(early.header("retry-after"), Some("3"));
    let running = send(&app, "GET", &format!("/payment_intents/{id}/jobs"), None, None).await.body;
    let statuses: Vec<&str> =
        running["jobs"].as_array().unwrap().iter().map(|j| j["status"].as_str().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == "processing" || *s == "pending"), "{running}");

    let done = settled(&app, id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(done["updated_at"].as_str() > done["created_at"].as_str());

    let payment = send(&app, "GET", &format!("/payments/{id}"), None, None).await;
    assert_eq!(payment.status, 200, "{}", payment.text);
    let pay_id = json_of(&payment.body, "payment_id").to_owned();
    assert!(pay_id.starts_with("pay_"));
    assert_eq!(
        (
            payment.body["payment_intent_id"].as_str(),
            payment.body["status"].as_str(),
            payment.body["captured_amount"].as_i64()
        ),
        (Some(id), Some("succeeded"), Some(2599))
    );
    assert_eq!(json_of(&payment.body, "auth_code").len(), 6);
    // When the payment was completed: what the seed's receipt shows.
    assert!(is_js_iso(&payment.body["created_at"]), "{}", payment.text);
    assert!(payment.body["created_at"].as_str() <= done["updated_at"].as_str());
    assert!(payment.body["created_at"].as_str() > done["created_at"].as_str());

    let jobs = send(&app, "GET", &format!("/payment_intents/{id}/jobs"), None, None).await.body;
    assert_eq!(jobs["payment_intent_id"], id);
    let jobs = jobs["jobs"].as_array().unwrap();
    let kinds: Vec<(&str, i64, &str)> = jobs
        .iter()
        .map(|j| (j["type"].as_str().unwrap(), j["order"].as_i64().unwrap(), j["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("anti_fraud", 1, "completed"),
            ("authorization", 2, "completed"),
            ("risk_assessment", 3, "completed"),
            ("compliance_check", 4, "completed"),
            ("capture", 5, "completed")
        ]
    );
    for j in jobs {
        assert!(is_js_iso(&j["started_at"]) && is_js_iso(&j["completed_at"]) && is_js_iso(&j["created_at"]), "{j}");
        assert!(j["started_at"].as_str() <= j["completed_at"].as_str(), "{j}");
        assert_eq!(j["payment_intent_id"], id);
        assert!(j["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
    // The steps are read off the real job: queued at confirm, answered just before the intent
    // changed (the simulator's 0.75 s at least lies between start and end).
    assert!(jobs[1]["completed_at"].as_str() <= done["updated_at"].as_str());
    let started = time::OffsetDateTime::parse(
        jobs[1]["started_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let completed = time::OffsetDateTime::parse(
        jobs[1]["completed_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(completed - started >= time::Duration::milliseconds(700), "{started} .. {completed}");

    let refund = send(
        &app,
        "POST",
        "/refunds",
        Some(json!({"payment_id": pay_id, "amount": 1000, "reason": "requested_by_customer"})),
        Some("refund-1"),
    )
    .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    let r = &refund.body;
    assert!(json_of(r, "id").starts_with("re_"));
    assert_eq!(refund.header("location"), Some(format!("/refunds/{}", json_of(r, "id")).as_str()));
    assert_eq!(
        (r["payment_id"].as_str(), r["amount"].as_i64(), r["reason"].as_str(), r["status"].as_str()),
        (Some(pay_id.as_str()), Some(1000), Some("requested_by_customer"), Some("succeeded"))
    );
    assert!(is_js_iso(&r["created_at"]));

    // Correction: refunds never exceed what was captured (the seed allowed any amount).
    let over =
        send(&app, "POST", "/refunds", Some(json!({"payment_id": pay_id, "amount": 1600})), Some("refund-2")).await;
    assert_eq!((over.status, over.error()["param"].as_str()), (422, Some("amount")), "{}", over.text);
    // The message names the amount with its currency, next to a form in dollars.
    assert!(over.error()["message"].as_str().unwrap().contains("15.99 USD"), "{}", over.text);
    let rest =
        send(&app, "POST", "/refunds", Some(json!({"payment_id": pay_id, "amount": 1599})), Some("refund-3")).await;
    assert_eq!(rest.status, 201, "{}", rest.text);
    let more = send(&app, "POST", "/refunds", Some(json!({"payment_id": pay_id, "amount": 1})), Some("refund-4")).await;
    assert_eq!(more.status, 422, "{}", more.text);
    let payment = send(&app, "GET", &format!("/payments/{id}"), None, None).await.body;
    assert_eq!(payment["refunded_amount"], 2599);
    let by_payment_id = send(&app, "GET", &format!("/payments/{pay_id}"), None, None).await;
    assert_eq!(by_payment_id.body, payment);
    let location = refund.header("location").unwrap().to_owned();
    let fetched = send(&app, "GET", &location, None, None).await;
    assert_eq!((fetched.status, &fetched.body), (200, &refund.body), "{}", fetched.text);
}

#[tokio::test]
async fn the_seeds_browser_frontend_may_call_it_from_another_origin() {
    let app = spawn_app().await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/payment_intents/pi_x/confirm"))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "PATCH")
        .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
        .send()
        .await
        .unwrap();
    let preflight = TestResponse::from(preflight).await;
    assert_eq!(preflight.status, 200, "{}", preflight.text);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let allowed = preflight.header("access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
    assert!(allowed.contains("idempotency-key") && allowed.contains("authorization"), "{allowed}");
    assert!(preflight.header("access-control-allow-methods").unwrap_or_default().contains("PATCH"));

    let created = app
        .client
        .post(app.url("/payment_intents"))
        .header("Origin", "http://localhost:3000")
        .bearer_auth(&app.merchant.secret_key)
        .header("Idempotency-Key", "cors-1")
        .json(&order(json!(100)))
        .send()
        .await
        .unwrap();
    let created = TestResponse::from(created).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("access-control-allow-origin"), Some("*"));
    assert!(
        created.header("access-control-expose-headers").unwrap_or_default().to_ascii_lowercase().contains("location")
    );
}

#[tokio::test]
async fn bearer_keys_are_required_and_checked() {
    let app = spawn_app().await;
    let missing = app.request("POST", "/payment_intents", Some(order(json!(100))), None, Some("k1")).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        (missing.error()["type"].as_str(), missing.error()["code"].as_str()),
        (Some("auth_error"), Some("missing_authorization"))
    );
    let wrong = app.request("GET", "/payment_intents/pi_x", None, Some("sk_test_nope"), None).await;
    assert_eq!((wrong.status, wrong.error()["code"].as_str()), (401, Some("invalid_key")));
    let publishable = app.merchant.publishable_key.clone();
    let browser = app.request("GET", "/payment_intents/pi_x", None, Some(&publishable), None).await;
    assert_eq!((browser.status, browser.error()["type"].as_str()), (401, Some("auth_error")));
}

#[tokio::test]
async fn idempotency_keys_are_mandatory_and_strict() {
    let app = spawn_app().await;
    let without = send(&app, "POST", "/payment_intents", Some(order(json!(100))), None).await;
    assert_eq!(
        (without.status, without.error()["code"].as_str()),
        (400, Some("missing_idempotency_key")),
        "{}",
        without.text
    );
    let pi = create(&app, order(json!(100))).await;
    let id = json_of(&pi, "id");
    let confirm_without = send(&app, "PATCH", &format!("/payment_intents/{id}/confirm"), None, None).await;
    assert_eq!(
        (confirm_without.status, confirm_without.error()["code"].as_str()),
        (400, Some("missing_idempotency_key"))
    );
    let refund_without = send(&app, "POST", "/refunds", Some(json!({"payment_id": "pay_x", "amount": 1})), None).await;
    assert_eq!(refund_without.status, 400);

    let first = send(&app, "POST", "/payment_intents", Some(order(json!(700))), Some("same-key")).await;
    let again = send(&app, "POST", "/payment_intents", Some(order(json!(700))), Some("same-key")).await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(first.body["id"], again.body["id"]);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // Correction: the same key with another body is refused, never answered with the cached reply.
    let other = send(&app, "POST", "/payment_intents", Some(order(json!(701))), Some("same-key")).await;
    assert_eq!(other.status, 409, "{}", other.text);
    assert_eq!(
        (other.error()["type"].as_str(), other.error()["code"].as_str()),
        (Some("invalid_request_error"), Some("idempotency_key_reused"))
    );

    // Concurrent confirms with one key start one authorization.
    let path = format!("/payment_intents/{id}/confirm");
    let racers = join_all((0..6).map(|_| send(&app, "PATCH", &path, None, Some("confirm-once")))).await;
    assert!(racers.iter().all(|r| r.status == 202 || r.status == 409), "{racers:?}");
    settled(&app, id).await;
    let events = app.get(&format!("/v1/payment_intents/{id}/events")).await.body;
    let confirms =
        events["data"].as_array().unwrap().iter().filter(|e| e["type"] == "payment_intent.processing").count();
    assert_eq!(confirms, 1, "{events}");
}

#[tokio::test]
async fn every_invalid_field_is_listed_and_nothing_is_rounded() {
    let app = spawn_app().await;
    let bad = json!({
        "amount": 25.99, "currency": "usd", "payment_method_id": "pm_fake_diners",
        "capture_method": "later", "metadata": {"n": 1}, "colour": "red"
    });
    let res = send(&app, "POST", "/payment_intents", Some(bad), Some("bad-1")).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(
        (res.error()["type"].as_str(), res.error()["code"].as_str()),
        (Some("validation_error"), Some("invalid_amount"))
    );
    let listed: Vec<(&str, &str)> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["param"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    for expected in [
        ("amount", "invalid_amount"),
        ("currency", "invalid_currency"),
        ("customer_id", "missing_customer"),
        ("payment_method_id", "invalid_payment_method"),
        ("capture_method", "invalid_capture_method"),
        ("colour", "parameter_unknown"),
    ] {
        assert!(listed.contains(&expected), "{expected:?} missing from {listed:?}");
    }
    assert!(listed.iter().any(|(p, _)| p.starts_with("metadata")), "{listed:?}");

    for (i, amount) in [json!(0), json!(-5), json!(1e3), json!("2599"), json!(100_000_000_000_000_i64), json!(u64::MAX)]
        .into_iter()
        .enumerate()
    {
        let res =
            send(&app, "POST", "/payment_intents", Some(order(amount.clone())), Some(&format!("amount-{i}"))).await;
        assert_eq!((res.status, res.error()["param"].as_str()), (422, Some("amount")), "{amount}: {}", res.text);
    }

    let malformed = app
        .client
        .post(app.url("/payment_intents"))
        .bearer_auth(&app.merchant.secret_key)
        .header("Idempotency-Key", "malformed")
        .header("Content-Type", "application/json")
        .body("{\"amount\": 25")
        .send()
        .await
        .unwrap();
    let malformed = TestResponse::from(malformed).await;
    assert_eq!(
        (malformed.status, malformed.error()["code"].as_str()),
        (400, Some("invalid_json")),
        "{}",
        malformed.text
    );

    let refund =
        send(&app, "POST", "/refunds", Some(json!({"amount": 10.5, "reason": "because"})), Some("bad-refund")).await;
    assert_eq!(refund.status, 422);
    let params: Vec<&str> =
        refund.body["errors"].as_array().unwrap().iter().map(|e| e["param"].as_str().unwrap()).collect();
    assert_eq!(params, ["payment_id", "amount", "reason"]);
}

#[tokio::test]
async fn forced_failure_fails_the_authorization_step_and_a_retry_can_succeed() {
    let app = spawn_app().await;
    let pi = create(&app, json!({"amount": 500, "currency": "EUR", "customer_id": "c1", "payment_method_id": "pm_fake_amex", "capture_method": "manual"})).await;
    let id = json_of(&pi, "id");
    assert_eq!(confirm(&app, id, "?force=failure").await.status, 202);
    let failed = settled(&app, id).await;
    assert_eq!(
        (failed["status"].as_str(), failed["failure_reason"].as_str()),
        (Some("failed"), Some("forced_failure")),
        "{failed}"
    );
    assert_eq!(failed["payment_method_id"], "pm_fake_amex", "the card is not replaced");
    let none = send(&app, "GET", &format!("/payments/{id}"), None, None).await;
    assert_eq!((none.status, none.error()["code"].as_str()), (404, Some("resource_not_found")));
    let steps = send(&app, "GET", &format!("/payment_intents/{id}/jobs"), None, None).await.body;
    let statuses: Vec<&str> = steps["jobs"].as_array().unwrap().iter().map(|j| j["status"].as_str().unwrap()).collect();
    // In the seed's vocabulary: the steps after the decline failed too, saying they did not run,
    // at the decline's time (so the frontend sees every step finished).
    assert_eq!(statuses, ["completed", "failed", "failed", "failed", "failed"]);
    assert!(steps["jobs"][1]["error_message"].as_str().is_some_and(|m| m.contains("forced")));
    for step in &steps["jobs"].as_array().unwrap()[2..] {
        let message = step["error_message"].as_str().unwrap_or_default();
        assert!(message.starts_with("Not run: the payment was declined"), "{step}");
        assert_eq!(step["completed_at"], steps["jobs"][1]["completed_at"], "{step}");
    }
    let refund = send(
        &app,
        "POST",
        "/refunds",
        Some(json!({"payment_id": format!("pay_{}", &id[3..]), "amount": 1})),
        Some("r-failed"),
    )
    .await;
    assert_eq!(
        (refund.status, refund.error()["code"].as_str()),
        (422, Some("payment_not_succeeded")),
        "{}",
        refund.text
    );

    let bad_force = confirm(&app, id, "?force=sometimes").await;
    assert_eq!((bad_force.status, bad_force.error()["param"].as_str()), (422, Some("force")));

    // Kassa lets a failed payment be confirmed again; manual capture stops at requires_capture.
    assert_eq!(confirm(&app, id, "").await.status, 202);
    let authorized = settled(&app, id).await;
    assert_eq!(authorized["status"], "requires_capture");
    let steps = send(&app, "GET", &format!("/payment_intents/{id}/jobs"), None, None).await.body;
    let statuses: Vec<&str> = steps["jobs"].as_array().unwrap().iter().map(|j| j["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["completed", "completed", "completed", "completed", "pending"]);
    let payment = send(&app, "GET", &format!("/payments/{id}"), None, None).await.body;
    assert_eq!((payment["status"].as_str(), payment["captured_amount"].as_i64()), (Some("requires_capture"), Some(0)));
    let twice = confirm(&app, id, "").await;
    assert_eq!((twice.status, twice.error()["code"].as_str()), (409, Some("payment_intent_unexpected_state")));

    // The merchant captures through /v1; the seed's view follows.
    let captured = app.post(&format!("/v1/payment_intents/{id}/capture"), json!({})).await;
    assert_eq!(captured.status, 200, "{}", captured.text);
    let steps = send(&app, "GET", &format!("/payment_intents/{id}/jobs"), None, None).await.body;
    assert_eq!(steps["jobs"][4]["status"], "completed", "{steps}");
    let payment = send(&app, "GET", &format!("/payments/{id}"), None, None).await.body;
    assert_eq!((payment["status"].as_str(), payment["captured_amount"].as_i64()), (Some("succeeded"), Some(500)));
}

#[tokio::test]
async fn every_refund_reason_of_the_seeds_frontend_is_kept_word_for_word() {
    let app = spawn_app().await;
    let pi = create(&app, order(json!(6000))).await;
    let id = json_of(&pi, "id");
    confirm(&app, id, "").await;
    assert_eq!(settled(&app, id).await["status"], "succeeded");
    let pay_id = format!("pay_{}", &id[3..]);
    let reasons =
        ["requested_by_customer", "duplicate", "fraudulent", "product_not_received", "product_unacceptable", "other"];
    for reason in reasons {
        let body = json!({"payment_id": pay_id, "amount": 100, "reason": reason});
        let refund = send(&app, "POST", "/refunds", Some(body), Some(&format!("reason-{reason}"))).await;
        assert_eq!((refund.status, refund.body["reason"].as_str()), (201, Some(reason)), "{}", refund.text);
        let fetched = send(&app, "GET", refund.header("location").unwrap(), None, None).await;
        assert_eq!(fetched.body["reason"], reason);
        // The same word through the native API.
        let native = app.get(&format!("/v1/refunds/{}", json_of(&refund.body, "id"))).await;
        assert_eq!(native.body["reason"], reason);
    }
    let unknown = json!({"payment_id": pay_id, "amount": 100, "reason": "changed_my_mind"});
    let refused = send(&app, "POST", "/refunds", Some(unknown), Some("reason-unknown")).await;
    assert_eq!((refused.status, refused.error()["param"].as_str()), (422, Some("reason")));
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_capture() {
    let app = spawn_app().await;
    let pi = create(&app, order(json!(2599))).await;
    let id = json_of(&pi, "id");
    confirm(&app, id, "").await;
    assert_eq!(settled(&app, id).await["status"], "succeeded");
    let pay_id = format!("pay_{}", &id[3..]);
    let keys: Vec<String> = (0..10).map(|i| format!("concurrent-{i}")).collect();
    let refunds = join_all(
        keys.iter()
            .map(|k| send(&app, "POST", "/refunds", Some(json!({"payment_id": pay_id, "amount": 300})), Some(k))),
    )
    .await;
    let ok = refunds.iter().filter(|r| r.status == 201).count();
    assert_eq!(ok, 8, "{:?}", refunds.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(refunds.iter().all(|r| r.status == 201 || r.status == 422));
}

#[tokio::test]
async fn unknown_and_foreign_objects_are_not_found() {
    let app = spawn_app().await;
    let pi = create(&app, order(json!(100))).await;
    let id = json_of(&pi, "id");
    let other = app.create_merchant("Other").await;
    let foreign = app.request("GET", &format!("/payment_intents/{id}"), None, Some(&other.secret_key), None).await;
    assert_eq!((foreign.status, foreign.error()["code"].as_str()), (404, Some("resource_not_found")));
    let unknown = send(&app, "GET", "/payments/pi_doesnotexist", None, None).await;
    assert_eq!(unknown.status, 404);
    let refund =
        send(&app, "POST", "/refunds", Some(json!({"payment_id": "pay_doesnotexist", "amount": 5})), Some("r-unknown"))
            .await;
    assert_eq!((refund.status, refund.error()["param"].as_str()), (404, Some("payment_id")), "{}", refund.text);
    let not_yet = send(&app, "GET", &format!("/payments/{id}"), None, None).await;
    assert_eq!(not_yet.status, 404, "no payment before confirmation");
}

#[tokio::test]
async fn forced_failures_and_fake_cards_are_for_test_keys_only() {
    use kassa_domain::{KeyKind, Mode};
    let app = spawn_app().await;
    let (_, live) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let fake = app.request("POST", "/payment_intents", Some(order(json!(100))), Some(&live), Some("live-1")).await;
    assert_eq!((fake.status, fake.error()["param"].as_str()), (422, Some("payment_method_id")), "{}", fake.text);

    // A live intent, made through /v1, cannot be forced to fail.
    let pi = app
        .request("POST", "/v1/payment_intents", Some(json!({"amount": 100, "currency": "USD"})), Some(&live), None)
        .await;
    assert_eq!(pi.status, 200, "{}", pi.text);
    let id = json_of(&pi.body, "id");
    let forced = app
        .request("PATCH", &format!("/payment_intents/{id}/confirm?force=failure"), None, Some(&live), Some("live-2"))
        .await;
    assert_eq!((forced.status, forced.error()["code"].as_str()), (400, Some("test_mode_only")), "{}", forced.text);
    let unchanged = app.request("GET", &format!("/payment_intents/{id}"), None, Some(&live), None).await;
    assert_eq!(unchanged.body["status"], "requires_payment_method");
    // The native API's test helpers refuse a live key with the same code.
    let helper = app
        .request("GET", &format!("/v1/test_helpers/simulator/operations?payment_intent={id}"), None, Some(&live), None)
        .await;
    assert_eq!((helper.status, helper.error()["code"].as_str()), (403, Some("test_mode_only")), "{}", helper.text);
}
