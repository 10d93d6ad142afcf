//! The Vipps face (ePayment v1 and its access token) over HTTP, as Vipps' SDK sends it: the
//! credentials' mapping onto Kassa's keys, a payment approved on the hosted page or by
//! forceApprove, partial capture, refund and cancel, the event log, replays by Idempotency-Key,
//! and Vipps problems for every refusal. (`compat/vipps` runs the official SDK.)

use crate::checkout_page::Browser;
use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestApp, TestResponse, spawn_app};
use serde_json::{Value, json};

/// A Vipps merchant sales unit made of the test merchant's keys.
pub(crate) struct Unit<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Unit<'a> {
    pub(crate) async fn sign_in(app: &'a TestApp) -> Unit<'a> {
        let res = token(app, &app.merchant.id, &app.merchant.secret_key, &app.merchant.publishable_key).await;
        assert_eq!(res.status, 200, "{}", res.text);
        Unit { app, token: res.body["access_token"].as_str().unwrap().to_owned() }
    }

    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> TestResponse {
        let m = &self.app.merchant;
        let mut req = self
            .app
            .client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), self.app.url(path))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Ocp-Apim-Subscription-Key", &m.publishable_key)
            .header("Merchant-Serial-Number", m.serial_number.to_string())
            .header("Content-Type", "application/json; charset=\"utf-8\"");
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            req = req.body(body.to_string());
        }
        TestResponse::from(req.send().await.unwrap()).await
    }

    pub(crate) async fn create(&self, reference: &str, value: i64, key: &str) -> TestResponse {
        let body = json!({
            "amount": {"currency": "NOK", "value": value},
            "paymentMethod": {"type": "WALLET"},
            "reference": reference,
            "userFlow": "WEB_REDIRECT",
            "returnUrl": "https://shop.example/return",
            "paymentDescription": "Wool socks",
            "metadata": {"order": "1001"}
        });
        self.call("POST", "/epayment/v1/payments", Some(body), Some(key)).await
    }

    pub(crate) async fn get(&self, reference: &str) -> Value {
        let res = self.call("GET", &format!("/epayment/v1/payments/{reference}"), None, None).await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.body
    }

    pub(crate) async fn modify(&self, reference: &str, op: &str, value: i64, key: &str) -> TestResponse {
        let body = json!({"modificationAmount": {"currency": "NOK", "value": value}});
        self.call("POST", &format!("/epayment/v1/payments/{reference}/{op}"), Some(body), Some(key)).await
    }

    async fn approve(&self, reference: &str) {
        let res = self.call("POST", &format!("/epayment/v1/test/payments/{reference}/approve"), None, None).await;
        assert_eq!((res.status, res.text.as_str()), (200, ""), "no body, so the SDK reads null");
        assert!(res.headers.get("content-type").is_none());
    }
}

async fn token(app: &TestApp, client_id: &str, secret: &str, subscription: &str) -> TestResponse {
    let req = app
        .client
        .post(app.url("/accesstoken/get"))
        .header("client_id", client_id)
        .header("client_secret", secret)
        .header("Ocp-Apim-Subscription-Key", subscription)
        .header("content-length", "0");
    TestResponse::from(req.send().await.unwrap()).await
}

fn amounts(aggregate: &Value) -> [i64; 4] {
    ["authorizedAmount", "capturedAmount", "refundedAmount", "cancelledAmount"]
        .map(|k| aggregate[k]["value"].as_i64().unwrap())
}

#[tokio::test]
async fn the_access_token_is_issued_for_a_matching_key_pair_only() {
    let app = spawn_app().await;
    let m = &app.merchant;
    let ok = token(&app, &m.id, &m.secret_key, &m.publishable_key).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!((ok.body["token_type"].as_str(), ok.body["expires_in"].as_str()), (Some("Bearer"), Some("3600")));
    let expires_on: i64 = ok.body["expires_on"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((expires_on - now - 3600).abs() < 60, "{expires_on} vs {now}");

    let other = app.create_merchant("Another shop").await;
    let (_, live_pk) = app.create_key(KeyKind::Publishable, Mode::Live).await;
    for (id, secret, pk) in [
        (other.id.as_str(), m.secret_key.as_str(), m.publishable_key.as_str()),
        (m.id.as_str(), m.secret_key.as_str(), other.publishable_key.as_str()),
        (m.id.as_str(), m.secret_key.as_str(), live_pk.as_str()),
        (m.id.as_str(), m.publishable_key.as_str(), m.publishable_key.as_str()),
        (m.id.as_str(), "sk_test_nope", m.publishable_key.as_str()),
    ] {
        let refused = token(&app, id, secret, pk).await;
        assert_eq!(refused.status, 401, "{id} {secret} {pk}: {}", refused.text);
        assert_eq!(refused.body["status"], 401);
        assert!(refused.body["traceId"].is_string() && refused.body["title"].is_string(), "{}", refused.text);
    }
    let missing = app.client.post(app.url("/accesstoken/get")).send().await.unwrap();
    assert_eq!(missing.status(), 401);
}

#[tokio::test]
async fn epayment_calls_need_the_token_the_subscription_key_and_the_serial_number() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    assert_eq!(unit.create("order-00000001", 1000, "k1").await.status, 201);
    let m = &app.merchant;
    let path = app.url("/epayment/v1/payments/order-00000001");
    let other = app.create_merchant("Another shop").await;
    let cases = [
        ("Bearer kat_test_forged", m.publishable_key.clone(), m.serial_number.to_string()),
        (format!("Bearer {}", unit.token).leak(), other.publishable_key.clone(), m.serial_number.to_string()),
        (format!("Bearer {}", unit.token).leak(), m.publishable_key.clone(), other.serial_number.to_string()),
        (format!("Bearer {}", unit.token).leak(), m.publishable_key.clone(), "12".to_owned()),
        (m.secret_key.clone().leak(), m.publishable_key.clone(), m.serial_number.to_string()),
    ];
    for (auth, pk, msn) in cases {
        let res = app
            .client
            .get(&path)
            .header("Authorization", auth)
            .header("Ocp-Apim-Subscription-Key", pk)
            .header("Merchant-Serial-Number", msn)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{auth}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    // Another merchant's own token does not see this merchant's payment.
    let other_token = token(&app, &other.id, &other.secret_key, &other.publishable_key).await;
    let res = app
        .client
        .get(&path)
        .bearer_auth(other_token.body["access_token"].as_str().unwrap())
        .header("Ocp-Apim-Subscription-Key", &other.publishable_key)
        .header("Merchant-Serial-Number", other.serial_number.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_payment_approved_on_the_hosted_page_is_captured_in_parts_refunded_and_logged() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    let created = unit.create("order-12345678", 1000, "create-1").await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["reference"], "order-12345678");
    let redirect = created.body["redirectUrl"].as_str().unwrap().to_owned();
    // The SDK retries the identical request after a lost answer: the first answer again.
    let replay = unit.create("order-12345678", 1000, "create-1").await;
    assert_eq!((replay.status, &replay.body), (201, &created.body));
    let duplicate = unit.create("order-12345678", 1000, "create-2").await;
    assert_eq!(duplicate.status, 409, "{}", duplicate.text);

    let fresh = unit.get("order-12345678").await;
    assert_eq!((fresh["state"].as_str(), amounts(&fresh["aggregate"])), (Some("CREATED"), [0, 0, 0, 0]));
    assert_eq!(fresh["redirectUrl"], redirect.as_str());
    assert_eq!(fresh["metadata"], json!({"order": "1001"}));

    // The customer approves by paying on the page.
    let browser = Browser::new();
    assert_eq!(browser.pay(&redirect, "4242424242424242").await.status, 303);
    let landed = browser.settle(&redirect).await;
    assert!(landed.location.unwrap().starts_with("https://shop.example/return"));
    let approved = unit.get("order-12345678").await;
    assert_eq!((approved["state"].as_str(), amounts(&approved["aggregate"])), (Some("AUTHORIZED"), [1000, 0, 0, 0]));
    let psp = approved["pspReference"].as_str().unwrap().to_owned();

    let first = unit.modify("order-12345678", "capture", 400, "cap-1").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        (first.body["state"].as_str(), amounts(&first.body["aggregate"])),
        (Some("AUTHORIZED"), [1000, 400, 0, 0])
    );
    let again = unit.modify("order-12345678", "capture", 400, "cap-1").await;
    assert_eq!(amounts(&again.body["aggregate"]), [1000, 400, 0, 0], "a replay captures nothing more");
    let rest = unit.modify("order-12345678", "capture", 600, "cap-2").await;
    assert_eq!(amounts(&rest.body["aggregate"]), [1000, 1000, 0, 0], "{}", rest.text);
    let over = unit.modify("order-12345678", "capture", 1, "cap-3").await;
    assert_eq!(over.status, 409, "nothing is left to capture: {}", over.text);

    let refund = unit.modify("order-12345678", "refund", 500, "ref-1").await;
    assert_eq!(amounts(&refund.body["aggregate"]), [1000, 1000, 500, 0], "{}", refund.text);
    let too_much = unit.modify("order-12345678", "refund", 501, "ref-2").await;
    assert_eq!(too_much.status, 400, "{}", too_much.text);
    assert!(too_much.body["errors"]["modificationAmount.value"].is_array(), "{}", too_much.text);
    let wrong_currency = unit
        .call(
            "POST",
            "/epayment/v1/payments/order-12345678/refund",
            Some(json!({"modificationAmount": {"currency": "EUR", "value": 1}})),
            Some("ref-3"),
        )
        .await;
    assert_eq!(wrong_currency.status, 400);

    let log = unit.call("GET", "/epayment/v1/payments/order-12345678/events", None, None).await;
    let entries: Vec<(String, i64, Option<String>)> = log
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!((e["pspReference"].as_str(), e["success"].as_bool()), (Some(psp.as_str()), Some(true)));
            (
                e["name"].as_str().unwrap().to_owned(),
                e["amount"]["value"].as_i64().unwrap(),
                e["idempotencyKey"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let names: Vec<(&str, i64)> = entries.iter().map(|(n, a, _)| (n.as_str(), *a)).collect();
    assert_eq!(
        names,
        [("CREATED", 1000), ("AUTHORIZED", 1000), ("CAPTURED", 400), ("CAPTURED", 600), ("REFUNDED", 500)]
    );
    assert_eq!(entries[0].2.as_deref(), Some("create-1"));
    assert_eq!(entries[2].2.as_deref(), Some("cap-1"));
}

#[tokio::test]
async fn cancel_terminates_an_approved_payment_and_closes_one_not_yet_approved() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    unit.create("order-approved", 2000, "c1").await;
    unit.approve("order-approved").await;
    unit.modify("order-approved", "capture", 500, "cap").await;
    let canceled = unit.call("POST", "/epayment/v1/payments/order-approved/cancel", None, Some("x1")).await;
    assert_eq!(canceled.status, 200, "{}", canceled.text);
    assert_eq!(
        (canceled.body["state"].as_str(), amounts(&canceled.body["aggregate"])),
        (Some("TERMINATED"), [2000, 500, 0, 1500])
    );
    let log = unit.call("GET", "/epayment/v1/payments/order-approved/events", None, None).await;
    let last = log.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["name"].as_str(), last["amount"]["value"].as_i64()), (Some("CANCELLED"), Some(1500)));

    let created = unit.create("order-waiting", 700, "c2").await;
    let page = created.body["redirectUrl"].as_str().unwrap().to_owned();
    let canceled = unit.call("POST", "/epayment/v1/payments/order-waiting/cancel", None, Some("x2")).await;
    assert_eq!(canceled.body["state"], "TERMINATED", "{}", canceled.text);
    let html = reqwest::get(&page).await.unwrap().text().await.unwrap();
    assert!(!html.contains("id=\"number\""), "the page takes no card any more");
}

#[tokio::test]
async fn a_customer_who_cancels_on_the_page_aborts_the_payment() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    let created = unit.create("order-aborted", 700, "c1").await;
    let page_url = created.body["redirectUrl"].as_str().unwrap().to_owned();
    let browser = Browser::new();
    let page = browser.get(&page_url).await;
    let csrf = page.csrf();
    browser.post(&format!("{page_url}/cancel"), &[("csrf", &csrf)]).await;
    assert_eq!(unit.get("order-aborted").await["state"], "ABORTED");
    let log = unit.call("GET", "/epayment/v1/payments/order-aborted/events", None, None).await;
    let names: Vec<&str> = log.body.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CREATED", "ABORTED"]);
}

#[tokio::test]
async fn every_bad_field_of_a_payment_is_named_in_a_vipps_problem() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    let body = json!({
        "amount": {"currency": "SEK", "value": 0},
        "paymentMethod": {"type": "CASH"},
        "reference": "short",
        "userFlow": "WEB_REDIRECT",
        "customer": {"phoneNumber": "12"},
        "paymentDescription": "x"
    });
    let res = unit.call("POST", "/epayment/v1/payments", Some(body), Some("bad-1")).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.headers["content-type"], "application/problem+json");
    let mut fields: Vec<&String> = res.body["errors"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "amount.currency",
            "amount.value",
            "customer.phoneNumber",
            "paymentDescription",
            "paymentMethod.type",
            "reference"
        ]
    );
    assert_eq!((res.body["status"].as_i64(), res.body["title"].as_str()), (Some(400), Some("Bad Request")));
    let missing = unit.call("GET", "/epayment/v1/payments/order-nowhere1", None, None).await;
    assert_eq!((missing.status, missing.body["status"].as_i64()), (404, Some(404)));
    let unknown = unit.call("GET", "/epayment/v1/nothing", None, None).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.headers["content-type"], "application/problem+json");
}

#[tokio::test]
async fn the_merchants_metadata_keeps_all_its_room_and_the_native_api_shows_only_it() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    let full: serde_json::Map<String, Value> = (0..20).map(|i| (format!("k{i}"), json!("v"))).collect();
    let body = json!({
        "amount": {"currency": "NOK", "value": 700},
        "paymentMethod": {"type": "WALLET"},
        "reference": "order-full-meta",
        "userFlow": "PUSH_MESSAGE",
        "customer": {"phoneNumber": "4791234567"},
        "customerInteraction": "CUSTOMER_PRESENT",
        "metadata": full
    });
    let res = unit.call("POST", "/epayment/v1/payments", Some(body), Some("full-1")).await;
    assert_eq!(res.status, 201, "twenty keys are the merchant's to use: {}", res.text);
    let payment = unit.get("order-full-meta").await;
    assert_eq!(payment["metadata"], Value::Object(full.clone()));
    assert!(payment.get("redirectUrl").is_none(), "a push message has no redirect: {payment}");

    // The native API shows the merchant's keys, not what the face remembers of the payment.
    let session = app.get("/v1/checkout_sessions?limit=1").await.body["data"][0].clone();
    assert_eq!(session["metadata"], Value::Object(full), "{session}");
}

/// Checks a delivery's signature as a Vipps receiver would (wire reference §6).
fn verify_vipps_signature(received: &kassa_testkit::Received, secret: &str, url: &str) {
    use base64::Engine;
    use hmac::Mac;
    use sha2::Digest;
    let b64 = base64::engine::general_purpose::STANDARD;
    let url = reqwest::Url::parse(url).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let date = received.header("x-ms-date").expect("x-ms-date");
    let hash = b64.encode(sha2::Sha256::digest(&received.body));
    assert_eq!(received.header("x-ms-content-sha256"), Some(hash.as_str()));
    assert_eq!(received.header("host"), Some(host.as_str()));
    let signed = format!("POST\n{}\n{date};{host};{hash}", url.path());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    let expected = format!(
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={}",
        b64.encode(mac.finalize().into_bytes())
    );
    assert_eq!(received.header("authorization"), Some(expected.as_str()));
}

#[tokio::test]
async fn webhooks_registered_through_vipps_deliver_signed_epayment_events() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    let receiver = kassa_testkit::Receiver::start().await;
    let events = ["epayments.payment.authorized.v1", "epayments.payment.captured.v1", "epayments.payment.cancelled.v1"];
    let registered = unit
        .call("POST", "/webhooks/v1/webhooks", Some(json!({"url": receiver.url(), "events": events})), Some("wh-1"))
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    let (id, secret) = (registered.body["id"].as_str().unwrap(), registered.body["secret"].as_str().unwrap());
    let listed = unit.call("GET", "/webhooks/v1/webhooks", None, None).await;
    assert_eq!(listed.body["webhooks"][0]["events"], json!(events), "{}", listed.text);
    assert_eq!(listed.body["webhooks"][0]["url"], receiver.url().as_str());

    unit.create("order-hooked-01", 900, "c1").await;
    unit.approve("order-hooked-01").await;
    unit.modify("order-hooked-01", "capture", 400, "cap-1").await;
    unit.call("POST", "/epayment/v1/payments/order-hooked-01/cancel", None, Some("x-1")).await;
    let received = receiver.wait_for(3, std::time::Duration::from_secs(20)).await;
    let bodies: Vec<Value> = received.iter().map(|r| r.json()).collect();
    // Deliveries run concurrently: they arrive in any order (receivers order by the payment's state).
    let mut names: Vec<(&str, i64)> =
        bodies.iter().map(|b| (b["name"].as_str().unwrap(), b["amount"]["value"].as_i64().unwrap())).collect();
    names.sort();
    assert_eq!(names, [("AUTHORIZED", 900), ("CANCELLED", 500), ("CAPTURED", 400)], "only the events asked for");
    for (r, b) in received.iter().zip(&bodies) {
        verify_vipps_signature(r, secret, &receiver.url());
        assert_eq!(b["msn"], app.merchant.serial_number.to_string());
        assert_eq!(b["reference"], "order-hooked-01");
        assert_eq!(b["success"], true);
    }
    let captured = bodies.iter().find(|b| b["name"] == "CAPTURED").unwrap();
    assert_eq!(captured["idempotencyKey"], "cap-1", "the capture names its request's key");

    let deleted = unit.call("DELETE", &format!("/webhooks/v1/webhooks/{id}"), None, None).await;
    assert_eq!((deleted.status, deleted.text.as_str()), (204, ""));
    assert_eq!(unit.call("GET", "/webhooks/v1/webhooks", None, None).await.body["webhooks"], json!([]));
    let unknown = unit
        .call("POST", "/webhooks/v1/webhooks", Some(json!({"url": receiver.url(), "events": ["payment.done"]})), None)
        .await;
    assert_eq!((unknown.status, unknown.body["errors"]["events"].is_array()), (400, true), "{}", unknown.text);
}

#[tokio::test]
async fn hostile_bodies_are_refused_as_vipps_problems() {
    let app = spawn_app().await;
    let unit = Unit::sign_in(&app).await;
    let mut body = json!({
        "amount": {"currency": "NOK", "value": 100},
        "paymentMethod": {"type": "WALLET"},
        "reference": "order-hostile-1",
        "userFlow": "WEB_REDIRECT",
        "returnUrl": "https://shop.example/return",
        "paymentDescription": "Socks\u{0}"
    });
    let nul = unit.call("POST", "/epayment/v1/payments", Some(body.clone()), Some("h-1")).await;
    assert_eq!(nul.status, 400, "{}", nul.text);
    assert!(nul.body["errors"]["paymentDescription"].is_array(), "{}", nul.text);
    body["paymentDescription"] = json!("Socks");
    let twice = body.to_string().replacen(
        "\"reference\":\"order-hostile-1\"",
        "\"reference\":\"a-12345678\",\"reference\":\"b-12345678\"",
        1,
    );
    let m = &app.merchant;
    let res = app
        .client
        .post(app.url("/epayment/v1/payments"))
        .bearer_auth(&unit.token)
        .header("Ocp-Apim-Subscription-Key", &m.publishable_key)
        .header("Merchant-Serial-Number", m.serial_number.to_string())
        .header("Idempotency-Key", "h-2")
        .header("Content-Type", "application/json")
        .body(twice)
        .send()
        .await
        .unwrap();
    let res = TestResponse::from(res).await;
    assert_eq!((res.status, res.body["errorCode"].as_str()), (400, Some("invalid_json")), "{}", res.text);
    assert_eq!(
        unit.call("GET", "/epayment/v1/payments/order-hostile-1", None, None).await.status,
        404,
        "nothing written"
    );
}

#[tokio::test]
async fn a_checkout_session_is_paid_on_the_page_then_captured_through_epayment() {
    let app = spawn_app().await;
    let m = &app.merchant;
    let checkout = |method: reqwest::Method, path: &str| {
        app.client
            .request(method, app.url(path))
            .header("client_id", &m.id)
            .header("client_secret", &m.secret_key)
            .header("Ocp-Apim-Subscription-Key", &m.publishable_key)
            .header("Merchant-Serial-Number", m.serial_number.to_string())
    };
    let receiver = kassa_testkit::Receiver::start().await;
    let body = json!({
        "merchantInfo": {"callbackUrl": receiver.url(), "returnUrl": "https://shop.example/return",
            "callbackAuthorizationToken": "secret-callback-token"},
        "transaction": {"amount": {"currency": "NOK", "value": 4900}, "reference": "checkout-0001",
            "paymentDescription": "Two mugs"},
        "prefillCustomer": {"firstName": "Kari", "phoneNumber": "4791234567"}
    });
    let created =
        TestResponse::from(checkout(reqwest::Method::POST, "/checkout/v3/session").json(&body).send().await.unwrap())
            .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let page = created.body["checkoutFrontendUrl"].as_str().unwrap().to_owned();
    assert_eq!(created.body["pollingUrl"], app.url("/checkout/v3/session/checkout-0001").as_str());
    let details = |_: ()| checkout(reqwest::Method::GET, "/checkout/v3/session/checkout-0001").send();
    let fresh = TestResponse::from(details(()).await.unwrap()).await;
    assert_eq!(
        (fresh.body["sessionState"].as_str(), fresh.body["paymentDetails"]["state"].as_str()),
        (Some("SessionCreated"), Some("CREATED")),
        "{}",
        fresh.text
    );
    assert_eq!(fresh.body["merchantSerialNumber"], m.serial_number.to_string());

    let browser = Browser::new();
    assert_eq!(browser.pay(&page, "4242424242424242").await.status, 303);
    browser.settle(&page).await;
    let paid = TestResponse::from(details(()).await.unwrap()).await;
    assert_eq!(
        (paid.body["sessionState"].as_str(), paid.body["paymentDetails"]["state"].as_str()),
        (Some("PaymentSuccessful"), Some("AUTHORIZED")),
        "{}",
        paid.text
    );
    assert_eq!(paid.body["paymentDetails"]["aggregate"]["authorizedAmount"]["value"], 4900);

    let unit = Unit::sign_in(&app).await;
    // The merchant's callback URL hears of the end, with its own token, and nothing else.
    let calls = receiver.wait_for(1, std::time::Duration::from_secs(20)).await;
    assert_eq!(calls[0].header("authorization"), Some("secret-callback-token"));
    let told = calls[0].json();
    assert_eq!(
        (told["sessionState"].as_str(), told["reference"].as_str()),
        (Some("PaymentSuccessful"), Some("checkout-0001"))
    );
    assert_eq!(told["paymentDetails"]["state"], "AUTHORIZED");
    // Callbacks are no endpoints of the merchant's.
    assert_eq!(app.get("/v1/webhook_endpoints").await.body["data"], json!([]));
    assert_eq!(unit.call("GET", "/webhooks/v1/webhooks", None, None).await.body["webhooks"], json!([]));
    // Another session's end is not told to this one's callback.
    let other = json!({
        "merchantInfo": {"callbackUrl": "http://127.0.0.1:9/elsewhere", "returnUrl": "https://shop.example/return",
            "callbackAuthorizationToken": "other-token"},
        "transaction": {"amount": {"currency": "NOK", "value": 100}, "reference": "checkout-0002", "paymentDescription": "One mug"}
    });
    let second = checkout(reqwest::Method::POST, "/checkout/v3/session").json(&other).send().await.unwrap();
    assert_eq!(second.status(), 200);
    unit.call("POST", "/epayment/v1/payments/checkout-0002/cancel", None, Some("x-2")).await;

    // Managed through ePayment by its reference.
    let captured = unit.modify("checkout-0001", "capture", 4900, "cap").await;
    assert_eq!(amounts(&captured.body["aggregate"]), [4900, 4900, 0, 0], "{}", captured.text);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1, "one callback: the session ended once");

    // Wrong key pairs are refused.
    let wrong = app
        .client
        .get(app.url("/checkout/v3/session/checkout-0001"))
        .header("client_id", &m.id)
        .header("client_secret", "sk_test_wrong")
        .header("Ocp-Apim-Subscription-Key", &m.publishable_key)
        .header("Merchant-Serial-Number", m.serial_number.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let missing = TestResponse::from(
        checkout(reqwest::Method::POST, "/checkout/v3/session").json(&json!({})).send().await.unwrap(),
    )
    .await;
    assert_eq!(missing.status, 400);
    let mut fields: Vec<&String> = missing.body["errors"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["merchantInfo", "transaction"], "{}", missing.text);
}
