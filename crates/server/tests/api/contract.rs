//! The contract every mounted face keeps, checked over one table: each refusal (no or a wrong
//! credential, the rate limit, another merchant's object, an idempotency key reused for
//! another request, a method the route lacks, a body over the limit, an unknown route under
//! the face's prefix) is answered with the face's status in the face's own error shape, and
//! an idempotent replay returns the first answer. A new face joins with one row.

use kassa_domain::KeyKind;
use kassa_testkit::{TestApp, TestResponse, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// How a face's clients present a merchant's secret key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presents {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// Smartpay: `Authorization: Basic <key>`, the raw key rather than base64.
    RawBasic,
    /// Vipps: a token from `/accesstoken/get` for the key's merchant (with a publishable key of
    /// it), then the token, the publishable key and the merchant's serial number on each call.
    VippsToken,
}

/// One face, as a client of it sees it.
struct FaceRow {
    name: &'static str,
    /// How a request carries the merchant's secret key.
    credential: Presents,
    /// A request that creates an object: method, path and a body (`n` makes bodies differ).
    create: (&'static str, &'static str, fn(u32) -> Value),
    /// A read behind the face's front door.
    probe: &'static str,
    /// The created object's path, from the create answer.
    object_path: fn(&Value) -> String,
    /// A route that exists, and a method it does not take.
    wrong_method: (&'static str, &'static str),
    /// A path under the face's prefix that no route serves (faces at the root own no prefix).
    unknown_route: Option<&'static str>,
    /// The error class in the face's own shape (`None`: not the face's shape).
    class: fn(&Value) -> Option<String>,
    /// Expected `(status, class)` of each refusal.
    expect: Expect,
}

struct Expect {
    unauthenticated: (u16, &'static str),
    rate_limited: (u16, &'static str),
    not_found: (u16, &'static str),
    key_reused: (u16, &'static str),
    method_not_allowed: (u16, &'static str),
    too_large: (u16, &'static str),
}

/// Puts `key` on a request as the face's clients would.
async fn present(app: &TestApp, face: &FaceRow, req: reqwest::RequestBuilder, key: &str) -> reqwest::RequestBuilder {
    match face.credential {
        Presents::Bearer => return req.bearer_auth(key),
        Presents::RawBasic => return req.header("Authorization", format!("Basic {key}")),
        Presents::VippsToken => {}
    }
    // The key's merchant, a publishable key of it, and its serial number; an unknown key gets
    // no token and presents a made-up one.
    let Ok(auth) = app.app.authenticate(key).await else {
        return req
            .bearer_auth("kat_test_not_a_token")
            .header("Ocp-Apim-Subscription-Key", &app.merchant.publishable_key)
            .header("Merchant-Serial-Number", app.merchant.serial_number.to_string());
    };
    let merchant = auth.merchant_id.to_string();
    let pk = app.app.create_api_key(&merchant, KeyKind::Publishable, auth.mode).await.unwrap().key;
    let serial = app.app.list_merchants().await.unwrap().into_iter().find(|m| m.id == auth.merchant_id).unwrap();
    let token = app
        .client
        .post(app.url("/accesstoken/get"))
        .header("client_id", &merchant)
        .header("client_secret", key)
        .header("Ocp-Apim-Subscription-Key", &pk)
        .send()
        .await
        .unwrap();
    let token: Value = token.json().await.unwrap();
    req.bearer_auth(token["access_token"].as_str().expect("a token"))
        .header("Ocp-Apim-Subscription-Key", pk)
        .header("Merchant-Serial-Number", serial.serial_number.get().to_string())
}

/// The native API: `{"error": {type, code, message, param, details: […], request_id}}`.
fn v1_class(body: &Value) -> Option<String> {
    let error = &body["error"];
    error["type"].as_str().filter(|_| error["code"].is_string() && error["details"].is_array()).map(str::to_owned)
}

/// The seed API: `{"error": {type, code, message}, "errors": [every invalid field]}`, no
/// `details` (which would be v1's shape).
fn seed_class(body: &Value) -> Option<String> {
    let error = &body["error"];
    error["type"].as_str().filter(|_| error["code"].is_string() && error.get("details").is_none()).map(str::to_owned)
}

/// Vipps: a problem, `{type, title, status, detail, traceId, errorCode, errors}`.
fn vipps_class(body: &Value) -> Option<String> {
    body["title"]
        .as_str()
        .filter(|_| body["status"].is_u64() && body["traceId"].is_string() && body["errors"].is_object())
        .map(str::to_owned)
}

/// ProBuy: `{"error": "ValidationError", "message": …}`.
fn probuy_class(body: &Value) -> Option<String> {
    body["error"].as_str().filter(|_| body["message"].is_string()).map(str::to_owned)
}

/// Smartpay: `{statusCode, errorCode, message, details}`; the class is the code's last part
/// (`coupon.not-found` → `not-found`), the object it names aside.
fn smartpay_class(body: &Value) -> Option<String> {
    let code = body["errorCode"]
        .as_str()
        .filter(|_| body["statusCode"].is_u64() && body["message"].is_string() && body["details"].is_array())?;
    Some(code.rsplit('.').next().unwrap_or(code).to_owned())
}

fn faces() -> Vec<FaceRow> {
    vec![
        FaceRow {
            name: "v1",
            credential: Presents::Bearer,
            create: ("POST", "/v1/payment_intents", |n| json!({"amount": 1000 + n, "currency": "USD"})),
            probe: "/v1/payment_intents",
            object_path: |b| format!("/v1/payment_intents/{}", b["id"].as_str().unwrap()),
            wrong_method: ("DELETE", "/v1/payment_intents"),
            unknown_route: Some("/v1/no_such_thing"),
            class: v1_class,
            expect: Expect {
                unauthenticated: (401, "authentication_error"),
                rate_limited: (429, "rate_limit_error"),
                not_found: (404, "invalid_request_error"),
                key_reused: (422, "idempotency_error"),
                method_not_allowed: (405, "invalid_request_error"),
                too_large: (413, "invalid_request_error"),
            },
        },
        FaceRow {
            name: "seed",
            credential: Presents::Bearer,
            create: (
                "POST",
                "/payment_intents",
                |n| json!({"amount": 1000 + n, "currency": "USD", "customer_id": "cus_1", "payment_method_id": "pm_fake_visa"}),
            ),
            probe: "/payment_intents/pi_none",
            object_path: |b| format!("/payment_intents/{}", b["id"].as_str().unwrap()),
            wrong_method: ("DELETE", "/payment_intents"),
            unknown_route: None,
            class: seed_class,
            expect: Expect {
                unauthenticated: (401, "auth_error"),
                rate_limited: (429, "rate_limit_error"),
                not_found: (404, "invalid_request_error"),
                key_reused: (409, "invalid_request_error"),
                method_not_allowed: (405, "invalid_request_error"),
                too_large: (413, "invalid_request_error"),
            },
        },
        FaceRow {
            name: "probuy",
            credential: Presents::Bearer,
            create: ("POST", "/probuy/api/checkouts/session", probuy_order),
            probe: "/probuy/api/checkouts/cs_none",
            object_path: |b| format!("/probuy/api/checkouts/{}", b["checkout_id"].as_str().unwrap()),
            wrong_method: ("DELETE", "/probuy/api/checkouts/session"),
            unknown_route: Some("/probuy/api/no_such_thing"),
            class: probuy_class,
            expect: Expect {
                unauthenticated: (401, "AuthenticationError"),
                rate_limited: (429, "RateLimitError"),
                not_found: (404, "NotFoundError"),
                key_reused: (409, "ConflictError"),
                method_not_allowed: (405, "NotFoundError"),
                too_large: (413, "ValidationError"),
            },
        },
        FaceRow {
            name: "vipps",
            credential: Presents::VippsToken,
            create: ("POST", "/epayment/v1/payments", |n| {
                json!({"amount": {"currency": "NOK", "value": 1000 + n}, "paymentMethod": {"type": "WALLET"},
                    "reference": format!("contract-{n:08}"), "userFlow": "WEB_REDIRECT",
                    "returnUrl": "https://shop.example/return"})
            }),
            probe: "/epayment/v1/payments/contract-none",
            object_path: |b| format!("/epayment/v1/payments/{}", b["reference"].as_str().unwrap()),
            wrong_method: ("DELETE", "/epayment/v1/payments"),
            unknown_route: Some("/epayment/v1/no_such_thing"),
            class: vipps_class,
            expect: Expect {
                unauthenticated: (401, "Unauthorized"),
                rate_limited: (429, "Too Many Requests"),
                not_found: (404, "Not Found"),
                key_reused: (409, "Conflict"),
                method_not_allowed: (405, "Method Not Allowed"),
                too_large: (413, "Payload Too Large"),
            },
        },
        FaceRow {
            name: "smartpay",
            credential: Presents::RawBasic,
            create: (
                "POST",
                "/smartpay/v1/coupons",
                |n| json!({"name": "Spring", "discountType": "amount", "discountAmount": 100 + n, "currency": "JPY"}),
            ),
            probe: "/smartpay/v1/coupons",
            object_path: |b| format!("/smartpay/v1/coupons/{}", b["id"].as_str().unwrap()),
            wrong_method: ("DELETE", "/smartpay/v1/coupons"),
            unknown_route: Some("/smartpay/v1/no_such_thing"),
            class: smartpay_class,
            expect: Expect {
                unauthenticated: (401, "unauthorized"),
                rate_limited: (429, "rate-limited"),
                not_found: (404, "not-found"),
                key_reused: (409, "idempotency-key-reused"),
                method_not_allowed: (405, "method-not-allowed"),
                too_large: (413, "too-large"),
            },
        },
    ]
}

fn probuy_order(n: u32) -> Value {
    let address = json!({"city": "Riyadh", "country_code": "SA", "first_name": "A", "last_name": "B",
        "line1": "1 King Fahd Road", "phone_number": "+966501234567", "region": "Riyadh"});
    json!({
        "order_reference_id": format!("ref-{n}"), "order_number": format!("ORD-{n}"), "currency": "SAR",
        "billing_address": address, "shipping_address": address, "total_amount": 100, "shipping_amount": 0,
        "item": {"name": "Tea", "quantity": 1, "unit_price": 100, "total_amount": 100, "reference_id": "t",
            "type": "Physical", "discount_amount": 0, "tax_amount": 0},
        "consumer": {"email": "a@example.com", "first_name": "A", "last_name": "B", "phone_number": "+966501234567"},
        "country_code": "SA",
        "merchant_url": {"success": "https://shop.example/ok", "failure": "https://shop.example/failed",
            "cancel": "https://shop.example/cancel"}
    })
}

/// Sends a request to the face: `key` as the face's credential, an optional idempotency key,
/// and a JSON body or raw bytes.
async fn send(
    app: &TestApp,
    face: &FaceRow,
    method: &str,
    path: &str,
    key: Option<&str>,
    idempotency_key: Option<&str>,
    body: Option<Vec<u8>>,
) -> TestResponse {
    let mut req = app.client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(path));
    if let Some(key) = key {
        req = present(app, face, req, key).await;
    }
    if let Some(k) = idempotency_key {
        req = req.header("Idempotency-Key", k);
    }
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body);
    }
    TestResponse::from(req.send().await.expect("the gateway answers")).await
}

fn json_bytes(v: &Value) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(v).unwrap())
}

/// Asserts a refusal's status and that its body is an error of `class` in the face's shape.
fn assert_refusal(face: &FaceRow, case: &str, res: &TestResponse, (status, class): (u16, &str)) {
    let seen = (face.class)(&res.body);
    assert_eq!(
        (res.status, seen.as_deref()),
        (status, Some(class)),
        "{} face, {case}: expected {status} {class} in its shape, got {}: {}",
        face.name,
        res.status,
        res.text
    );
    assert!(res.header("request-id").is_some_and(|id| id.starts_with("req_")), "{} {case}: no request id", face.name);
}

#[tokio::test]
async fn every_face_refuses_missing_and_invalid_credentials_in_its_shape() {
    let app = spawn_app().await;
    for face in faces() {
        let (method, path, body) = face.create;
        let body = json_bytes(&body(1));
        let none = send(&app, &face, method, path, None, Some("k-none"), body.clone()).await;
        assert_refusal(&face, "no credential", &none, face.expect.unauthenticated);
        let wrong = send(&app, &face, method, path, Some("sk_test_not_a_key"), Some("k-wrong"), body).await;
        assert_refusal(&face, "unknown key", &wrong, face.expect.unauthenticated);
    }
}

#[tokio::test]
async fn every_face_answers_its_rate_limit_with_headers_in_its_shape() {
    let app = spawn_app_with(|c| {
        c.rate_limit.per_second = 1;
        c.rate_limit.burst = 1;
    })
    .await;
    for face in faces() {
        // Each face gets its own key, so one face's requests do not spend another's budget.
        let (_, key) = app.create_key(kassa_domain::KeyKind::Secret, kassa_domain::Mode::Test).await;
        let mut last = None;
        for _ in 0..3 {
            last = Some(send(&app, &face, "GET", face.probe, Some(&key), None, None).await);
        }
        let limited = last.unwrap();
        assert_refusal(&face, "over the rate limit", &limited, face.expect.rate_limited);
        for header in ["retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
            assert!(limited.header(header).is_some(), "{} face: 429 without {header}", face.name);
        }
    }
}

#[tokio::test]
async fn every_face_hides_another_merchants_objects_behind_a_404_in_its_shape() {
    let app = spawn_app().await;
    let other = app.create_merchant("Another shop").await;
    for face in faces() {
        let (method, path, body) = face.create;
        let key = format!("own-{}", face.name);
        let created =
            send(&app, &face, method, path, Some(&app.merchant.secret_key), Some(&key), json_bytes(&body(1))).await;
        assert!(created.status < 300, "{} face: create failed: {}", face.name, created.text);
        let object = (face.object_path)(&created.body);
        let own = send(&app, &face, "GET", &object, Some(&app.merchant.secret_key), None, None).await;
        assert_eq!(own.status, 200, "{} face: own object: {}", face.name, own.text);
        let foreign = send(&app, &face, "GET", &object, Some(&other.secret_key), None, None).await;
        assert_refusal(&face, "another merchant's object", &foreign, face.expect.not_found);
    }
}

#[tokio::test]
async fn every_face_replays_an_idempotent_request_and_refuses_its_key_for_another() {
    let app = spawn_app().await;
    for face in faces() {
        let (method, path, body) = face.create;
        let key = format!("contract-{}", face.name);
        let secret = Some(app.merchant.secret_key.as_str());
        let first = send(&app, &face, method, path, secret, Some(&key), json_bytes(&body(1))).await;
        assert!(first.status < 300, "{} face: create failed: {}", face.name, first.text);
        let again = send(&app, &face, method, path, secret, Some(&key), json_bytes(&body(1))).await;
        assert_eq!((again.status, &again.body), (first.status, &first.body), "{} face: replay differs", face.name);
        assert_eq!(again.header("idempotent-replayed"), Some("true"), "{} face: replay not marked", face.name);
        let other = send(&app, &face, method, path, secret, Some(&key), json_bytes(&body(2))).await;
        assert_refusal(&face, "key reused for another body", &other, face.expect.key_reused);
    }
}

#[tokio::test]
async fn every_face_answers_a_method_its_route_lacks_in_its_shape() {
    let app = spawn_app().await;
    for face in faces() {
        let (method, path) = face.wrong_method;
        let res = send(&app, &face, method, path, Some(&app.merchant.secret_key), None, None).await;
        assert_refusal(&face, "method not allowed", &res, face.expect.method_not_allowed);
        assert!(res.header("allow").is_some(), "{} face: 405 without Allow", face.name);
    }
}

#[tokio::test]
async fn every_face_answers_a_body_over_the_limit_with_a_413_in_its_shape() {
    let app = spawn_app_with(|c| c.body_limit = 1024).await;
    for face in faces() {
        let (method, path, _) = face.create;
        let huge = format!(r#"{{"description": "{}"}}"#, "x".repeat(4096)).into_bytes();
        let secret = Some(app.merchant.secret_key.as_str());
        let key = format!("big-{}", face.name);
        let keyed = send(&app, &face, method, path, secret, Some(&key), Some(huge.clone())).await;
        assert_refusal(&face, "body over the limit (with a key)", &keyed, face.expect.too_large);
        if face.name != "seed" {
            // The seed face asks for a key first; the others read the body in the handler.
            let unkeyed = send(&app, &face, method, path, secret, None, Some(huge)).await;
            assert_refusal(&face, "body over the limit", &unkeyed, face.expect.too_large);
        }
    }
}

/// A request cut off by the timeout is answered 503 in the face's shape, not in the
/// framework's plain text. Only the native API has a request that waits on the processor
/// (a capture); the layer that shapes the timeout is the same for every face.
#[tokio::test]
async fn a_request_cut_off_by_the_timeout_is_a_503_in_the_faces_shape() {
    let app = spawn_app_with(|c| {
        c.simulator.latency = std::time::Duration::from_secs(4);
        c.request_timeout = std::time::Duration::from_millis(1000);
    })
    .await;
    let v1 = &faces()[0];
    let pi =
        app.post("/v1/payment_intents", json!({"amount": 1000, "currency": "USD", "capture_method": "manual"})).await;
    let id = pi.body["id"].as_str().expect("created");
    let confirm = json!({"payment_method": "pm_card_visa"});
    let confirmed = app.post(&format!("/v1/payment_intents/{id}/confirm"), confirm).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    // Polled by hand: on a loaded machine a read may itself outlast the short timeout.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let pi = app.get(&format!("/v1/payment_intents/{id}")).await;
        if pi.status == 200 && pi.body["status"] == "requires_capture" {
            break;
        }
        assert!(pi.status == 200 || pi.status == 503, "{}", pi.text);
        assert!(std::time::Instant::now() < deadline, "never authorized: {}", pi.text);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let capture = send(
        &app,
        v1,
        "POST",
        &format!("/v1/payment_intents/{id}/capture"),
        Some(&app.merchant.secret_key),
        None,
        json_bytes(&json!({})),
    )
    .await;
    assert_refusal(v1, "timeout", &capture, (503, "api_error"));
    assert_eq!(capture.body["error"]["code"], "timeout", "{}", capture.text);
    assert_eq!(capture.header("retry-after"), Some("1"), "a 503 says when to retry");
}

#[tokio::test]
async fn every_face_answers_unknown_routes_under_its_prefix_in_its_shape() {
    let app = spawn_app().await;
    for face in faces() {
        let Some(path) = face.unknown_route else { continue };
        for key in [Some(app.merchant.secret_key.as_str()), None] {
            let res = send(&app, &face, "GET", path, key, None, None).await;
            assert_refusal(&face, "unknown route", &res, face.expect.not_found);
        }
    }
}

/// Every string and number of `body`, in order (depth first), as JSON pointers.
fn leaves(body: &Value, at: String, out: &mut Vec<(String, bool)>) {
    match body {
        Value::Object(map) => map.iter().for_each(|(k, v)| leaves(v, format!("{at}/{k}"), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{at}/{i}"), out)),
        Value::String(_) => out.push((at, true)),
        Value::Number(_) => out.push((at, false)),
        _ => {}
    }
}

/// Rows of the objects a create can make, whatever the face.
async fn stored(app: &TestApp) -> Vec<String> {
    let mut counts = Vec::new();
    for table in ["payment_intents", "checkout_sessions", "coupons", "webhook_endpoints"] {
        counts.extend(app.database.texts(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")).await);
    }
    counts
}

/// Hostile bodies, built from each face's own create: a key given twice, a NUL in a string, a
/// number too large for any field, the wrong type at the top, nesting 2,000 deep. Each is a 4xx
/// in the face's shape, and nothing is stored.
#[tokio::test]
async fn every_face_refuses_hostile_bodies_in_its_shape_and_stores_nothing() {
    let app = spawn_app().await;
    let key = app.merchant.secret_key.clone();
    let before = stored(&app).await;
    for face in faces() {
        let (method, path, make) = face.create;
        let good = make(7);
        let mut points = Vec::new();
        leaves(&good, String::new(), &mut points);
        let first_string = points.iter().find(|(_, s)| *s).map(|(p, _)| p.clone()).expect("a string field");
        let first_number = points.iter().find(|(_, s)| !*s).map(|(p, _)| p.clone());
        let text = good.to_string();
        let first_key = good.as_object().unwrap().keys().next().unwrap().clone();
        let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
        cases.push(("a key twice", text.replacen('{', &format!("{{\"{first_key}\": null, "), 1).into_bytes()));
        let mut nul = good.clone();
        *nul.pointer_mut(&first_string).unwrap() = Value::String("a\u{0}b".into());
        cases.push(("a NUL", nul.to_string().into_bytes()));
        if let Some(number) = first_number {
            let mut huge = good.clone();
            *huge.pointer_mut(&number).unwrap() = json!(9_999_999_999_999_999_999u128 as f64);
            cases.push(("a huge number", huge.to_string().into_bytes()));
            let mut with_marker = good.clone();
            *with_marker.pointer_mut(&number).unwrap() = json!("__huge__");
            let overflow = with_marker.to_string().replace("\"__huge__\"", "1e400");
            cases.push(("a number beyond any float", overflow.into_bytes()));
        }
        cases.push(("a list instead of an object", b"[1, 2]".to_vec()));
        cases.push(("nesting 2,000 deep", format!("{}1{}", "{\"a\":".repeat(2000), "}".repeat(2000)).into_bytes()));
        for (i, (case, body)) in cases.into_iter().enumerate() {
            let idempotency = format!("hostile-{}-{i}", face.name);
            let res = send(&app, &face, method, path, Some(&key), Some(&idempotency), Some(body)).await;
            assert!((400..500).contains(&res.status), "{} face, {case}: {} {}", face.name, res.status, res.text);
            assert!((face.class)(&res.body).is_some(), "{} face, {case}: not in its shape: {}", face.name, res.text);
        }
    }
    assert_eq!(stored(&app).await, before, "no hostile body stored anything");
}

/// Amount tokens as a client might write them, valid JSON or not: integers of any size and
/// sign, decimals, exponents, leading zeros, and values of the wrong type.
fn amount_tokens() -> Vec<String> {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    let strategy = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0i64..=100_000_000_000).prop_map(|n| n.to_string()),
        "-?[0-9]{1,30}(\\.[0-9]{0,6})?([eE][+-]?[0-9]{1,4})?",
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| f.to_string()),
        "\"[0-9]{1,25}\"",
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("-0".to_owned()),
        Just("1e400".to_owned()),
    ];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..48).map(|_| strategy.new_tree(&mut runner).expect("a value").current()).collect()
}

/// Every face reads an amount it is given exactly or refuses it (proptest-generated tokens): whatever token stands where an
/// amount goes (each number of each face's create, in turn), the answer is never a 5xx, a
/// refusal is in the face's shape, and v1 accepts exactly the integers from 1 to its maximum
/// and stores them as sent.
#[tokio::test]
async fn every_face_reads_any_amount_exactly_or_refuses_it_in_its_shape() {
    let app = spawn_app().await;
    let key = app.merchant.secret_key.clone();
    let tokens = amount_tokens();
    let mut n = 1_000;
    for face in faces() {
        let (method, path, make) = face.create;
        let mut points = Vec::new();
        leaves(&make(0), String::new(), &mut points);
        for (number, _) in points.iter().filter(|(_, is_string)| !*is_string) {
            for token in &tokens {
                n += 1;
                let mut body = make(n);
                *body.pointer_mut(number).unwrap() = json!("__amount__");
                let text = body.to_string().replace("\"__amount__\"", token);
                let idempotency = format!("amounts-{n}");
                let res =
                    send(&app, &face, method, path, Some(&key), Some(&idempotency), Some(text.into_bytes())).await;
                let case = format!("{} face, {number} = {token}", face.name);
                assert!(res.status < 500, "{case}: {} {}", res.status, res.text);
                if res.status >= 400 {
                    assert!((face.class)(&res.body).is_some(), "{case}: not in its shape: {}", res.text);
                    continue;
                }
                let parsed: Option<Value> = serde_json::from_str(token).ok();
                // `null` leaves an optional field out.
                assert!(
                    parsed.as_ref().is_some_and(|v| v.is_null() || v.as_f64().is_some_and(|f| f >= 0.0)),
                    "{case}: accepted something that is not an amount: {}",
                    res.text
                );
                if face.name == "v1" {
                    let expected = parsed.and_then(|v| v.as_i64());
                    assert!(
                        expected.is_some_and(|a| (1..=kassa_domain::money::MAX_AMOUNT).contains(&a)),
                        "{case}: {}",
                        res.text
                    );
                    assert_eq!(res.body["amount"].as_i64(), expected, "{case}: stored as sent");
                }
            }
        }
    }
}
