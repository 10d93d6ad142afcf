//! A database written by an earlier Kassa opens with this one: its migrations apply, its old
//! events (stored as rendered v1 JSON) still render exactly as they did, and new events (domain
//! facts) join them, delivered to its old endpoints in their dialect.

use kassa_testkit::{TestApp, TestDatabase};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The demo merchant's secret key in the fixture.
const KEY: &str = "sk_test_QAtHCTo25jdT0CmNugRJvvoR85XlRgfX";
/// Its payment of 25.99 USD, captured 20.00 and refunded 5.00 before the upgrade.
const PAYMENT: &str = "pi_";

#[tokio::test]
async fn a_database_of_the_previous_main_opens_and_its_events_still_render() {
    let database = TestDatabase::fresh().await;
    database.load_earlier(4, include_str!("../fixtures/main-e42e766.sql")).await;
    // This node's clock runs an hour behind the one that wrote the fixture: the payment's new
    // events must still follow its old ones (on PostgreSQL its row has no event clock yet, so
    // the first new event reads the log).
    let newest_written: i64 = 1_796_171_319_855_166;
    let now_micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64;
    let app =
        TestApp::restart_on(database, |c| c.clock_skew_micros = newest_written - 3_600_000_000 - now_micros).await;

    // The fixture's merchant, created before serial numbers, got one at start.
    let merchants = app.app.list_merchants().await.expect("merchants");
    let serials: std::collections::BTreeSet<u32> = merchants.iter().map(|m| m.serial_number.get()).collect();
    assert_eq!(serials.len(), merchants.len(), "serial numbers are unique: {merchants:?}");
    assert!(merchants.iter().any(|m| m.id.as_str() == "mer_8sDsa9tx5E4j4E2XlgQYZnmU"));

    let before: Value = serde_json::from_str(include_str!("../fixtures/main-e42e766-events.json")).unwrap();
    let events = app.request("GET", "/v1/events?limit=100", None, Some(KEY), None).await;
    assert_eq!(events.status, 200, "{}", events.text);
    // Card fingerprints were keyed again with the master key at the first start with one: the
    // same card keeps one fingerprint, no old value survives, and everything else is as it was.
    let mut renamed = std::collections::BTreeMap::new();
    let (mut now_seen, mut before_seen) = (events.body["data"].clone(), before["data"].clone());
    pair_fingerprints(&mut before_seen, &mut now_seen, &mut renamed);
    assert!(!renamed.is_empty(), "the fixture has cards");
    for (old, new) in &renamed {
        assert_ne!(old, new, "fingerprint {old} was not keyed again");
    }
    let distinct: std::collections::BTreeSet<_> = renamed.values().collect();
    assert_eq!(distinct.len(), renamed.len(), "distinct cards keep distinct fingerprints");
    assert_eq!(now_seen, before_seen, "the old events render as the old gateway rendered them");

    // The old payment still works: refund some more of it.
    let payment = before["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "refund.succeeded")
        .map(|e| e["data"]["object"]["payment_intent"].as_str().unwrap().to_owned())
        .expect("the fixture has a refund");
    assert!(payment.starts_with(PAYMENT));
    let pi = app.request("GET", &format!("/v1/payment_intents/{payment}"), None, Some(KEY), None).await;
    assert_eq!(
        (pi.body["amount_captured"].as_i64(), pi.body["amount_refunded"].as_i64()),
        (Some(2000), Some(500)),
        "{}",
        pi.text
    );
    // Captured before captures were records: one capture for all it captured, its refunds'.
    let captures = app.request("GET", &format!("/v1/payment_intents/{payment}/captures"), None, Some(KEY), None).await;
    let records = captures.body["data"].as_array().expect("captures");
    let derived = format!("cap_{}", &payment[3..]);
    assert_eq!(records.len(), 1, "{}", captures.text);
    assert_eq!(
        (records[0]["id"].as_str(), records[0]["amount"].as_i64(), records[0]["amount_refunded"].as_i64()),
        (Some(derived.as_str()), Some(2000), Some(500)),
        "{}",
        captures.text
    );
    assert_eq!(pi.body["latest_capture"].as_str(), Some(derived.as_str()));
    let refund = app
        .request(
            "POST",
            "/v1/refunds",
            Some(json!({"payment_intent": payment, "capture": derived, "amount": 300})),
            Some(KEY),
            None,
        )
        .await;
    assert_eq!((refund.status, refund.body["status"].as_str()), (200, Some("succeeded")), "{}", refund.text);
    let record = app.request("GET", &format!("/v1/captures/{derived}"), None, Some(KEY), None).await;
    assert_eq!(record.body["amount_refunded"], 800, "{}", record.text);

    // Its log now holds the old events and the new facts, oldest first, in one shape.
    let log = app.request("GET", &format!("/v1/payment_intents/{payment}/events"), None, Some(KEY), None).await;
    let types: Vec<&str> = log.body["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "payment_intent.created",
            "payment_intent.processing",
            "payment_intent.requires_capture",
            "payment_intent.captured",
            "payment_intent.succeeded",
            "refund.created",
            "refund.succeeded",
            "refund.created",
            "refund.succeeded",
        ],
        "{}",
        log.text
    );
    let newest = &log.body["data"][8];
    assert_eq!(newest["data"]["object"]["object"], "refund");
    assert_eq!(newest["data"]["object"]["amount"], 300);
    assert_eq!(newest["data"]["object"]["payment_intent"], payment.as_str());

    // The old endpoint (dialect v1 by migration) gets the new event: an attempt is logged.
    let id = newest["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let attempts = app.request("GET", &format!("/v1/events/{id}/deliveries"), None, Some(KEY), None).await;
        if attempts.body["data"].as_array().is_some_and(|a| !a.is_empty()) {
            assert_eq!(attempts.body["data"][0]["url"], "http://localhost:9/hook", "{}", attempts.text);
            break;
        }
        assert!(Instant::now() < deadline, "no delivery attempt of the new event: {}", attempts.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What an earlier Kassa's faces kept in merchants' metadata now lives beside each object: the
/// faces show what they showed, the native API shows the merchant's own keys only, and a native
/// metadata update can no longer rewrite what a face relies on.
#[tokio::test]
async fn face_data_kept_in_metadata_by_an_earlier_kassa_reads_the_same_through_every_face() {
    let fixture: Value = serde_json::from_str(include_str!("../fixtures/main-655e519-faces.json")).unwrap();
    let database = TestDatabase::fresh().await;
    database.load_earlier(19, include_str!("../fixtures/main-655e519-faces.sql")).await;
    // Its sessions expire half an hour after it was written: the gateway reads it a minute after.
    let written_micros: i64 = 1_796_644_892_000_000;
    let now_micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64;
    let mut app =
        TestApp::restart_on(database, |c| c.clock_skew_micros = written_micros + 60_000_000 - now_micros).await;
    let keys = &fixture["keys"];
    app.merchant = kassa_testkit::TestMerchant {
        id: keys["merchant"].as_str().unwrap().to_owned(),
        serial_number: keys["serial_number"].as_str().unwrap().parse().unwrap(),
        secret_key: keys["secret_key"].as_str().unwrap().to_owned(),
        publishable_key: keys["publishable_key"].as_str().unwrap().to_owned(),
    };

    let now = face_readings(&app, &fixture["ids"]).await.to_string().replace(&app.url(""), "{origin}");
    let now: Value = serde_json::from_str(&now).unwrap();
    for (name, before) in fixture["readings"].as_object().unwrap() {
        assert_eq!(&now[name], before, "{name} reads as it did before the upgrade");
    }

    // The native API shows each object's metadata as the merchant wrote it.
    let mut seen = 0;
    for list in ["payment_intents", "checkout_sessions", "refunds", "webhook_endpoints"] {
        let page = app.get(&format!("/v1/{list}?limit=100")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for object in page.body["data"].as_array().unwrap() {
            let keys: Vec<&String> = object["metadata"].as_object().unwrap().keys().collect();
            assert!(
                keys.iter().all(|k| !["smartpay_", "vipps_", "probuy_"].iter().any(|p| k.starts_with(p))),
                "{list}: {object}"
            );
            seen += keys.len();
        }
    }
    assert!(seen >= 4, "the merchant's own keys stay");
    // So do the events written before the upgrade, which hold the objects as they were then.
    let events = app.get("/v1/events?limit=100").await;
    let facts = events.body["data"].as_array().unwrap();
    assert!(facts.len() >= 10, "{}", events.text);
    for event in facts {
        if let Some(metadata) = event["data"]["object"]["metadata"].as_object() {
            let face_keys = metadata.keys().filter(|k| k.starts_with("smartpay_") || k.starts_with("vipps_"));
            assert_eq!(face_keys.count(), 0, "{event}");
        }
    }
    let session =
        app.get(&format!("/v1/checkout_sessions/{}", fixture["ids"]["probuy_checkout"].as_str().unwrap())).await;
    assert_eq!(session.body["metadata"], json!({}), "ProBuy's extras are not the merchant's: {}", session.text);

    // A native metadata update names the merchant's own keys, not a face's notes.
    let refund = app.get("/v1/refunds?limit=1").await.body["data"][0]["id"].as_str().unwrap().to_owned();
    let update = json!({"metadata": {"smartpay_reference": "mine", "reference": "mine too"}});
    let updated = app.post(&format!("/v1/refunds/{refund}"), update).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["metadata"]["smartpay_reference"], "mine");
    let path = format!("/refunds/{}", fixture["ids"]["smartpay_refund"].as_str().unwrap());
    let smartpay = crate::smartpay::ok(&app, "GET", &path, None).await;
    assert_eq!(
        (smartpay["reference"].as_str(), smartpay["description"].as_str()),
        (Some("ret-1"), Some("one cup broken"))
    );
    assert_eq!(smartpay["metadata"], json!({"ticket": "77", "smartpay_reference": "mine", "reference": "mine too"}));
}

/// A code that one customer redeemed on the fixture's session, before sessions could save cards.
const REDEMPTION: &str = "\
INSERT INTO promotion_codes (id, merchant_id, livemode, code, code_key, coupon_id, active, expires_at, max_redemptions, times_redeemed, reserved, restrictions, metadata, created_at, updated_at) VALUES ('promo_Wq0n3hbZ5b8oZ6xgC2ZbR1kT', 'mer_8sDsa9tx5E4j4E2XlgQYZnmU', 0, 'KARI10', 'kari10', 'co_xQqrtQ2C7744xYeZkQfp5una', 1, NULL, NULL, 1, 0, '{\"minimum_amount\":null,\"first_time_only\":false,\"once_per_customer\":true}', '{}', 1796171316000000, 1796171316000000);
INSERT INTO promotion_redemptions (session_id, merchant_id, livemode, promotion_code_id, coupon_id, customer_key, state, created_at, updated_at) VALUES ('cs_lAwl0DEAZ93XfCnvOTzpccwG', 'mer_8sDsa9tx5E4j4E2XlgQYZnmU', 0, 'promo_Wq0n3hbZ5b8oZ6xgC2ZbR1kT', 'co_xQqrtQ2C7744xYeZkQfp5una', 'kari@example.com', 'redeemed', 1796171317000000, 1796171317000000);
";

#[tokio::test]
async fn sessions_and_their_redemptions_survive_the_rebuild_that_lets_sessions_save_cards() {
    let database = TestDatabase::fresh().await;
    database.load_earlier(4, include_str!("../fixtures/main-e42e766.sql")).await;
    database.load_earlier(4, REDEMPTION).await;
    let app = TestApp::restart_on(database, |_| {}).await;

    let session = app.request("GET", "/v1/checkout_sessions/cs_lAwl0DEAZ93XfCnvOTzpccwG", None, Some(KEY), None).await;
    assert_eq!(session.status, 200, "{}", session.text);
    assert_eq!(
        (session.body["mode"].as_str(), session.body["payment_intent"].as_str(), session.body["status"].as_str()),
        (Some("payment"), Some("pi_0F8uFc94lszQelkHu2aPP2W5"), Some("expired"))
    );
    let of_payment = app
        .request("GET", "/v1/checkout_sessions?payment_intent=pi_0F8uFc94lszQelkHu2aPP2W5", None, Some(KEY), None)
        .await;
    assert_eq!(of_payment.body["data"][0]["id"], "cs_lAwl0DEAZ93XfCnvOTzpccwG");

    // The redemption came along: the customer cannot use the once-per-customer code again.
    let order = json!({
        "currency": "NOK",
        "line_items": [{"name": "Te", "quantity": 1, "unit_amount": 5000}],
        "consumer": {"email": "kari@example.com"},
        "promotion_code": "KARI10",
        "success_url": "https://shop.example/ok"
    });
    let again = app.request("POST", "/v1/checkout_sessions", Some(order.clone()), Some(KEY), None).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert_eq!(again.error()["details"][0]["code"], "promotion_code_already_redeemed", "{}", again.text);
    let mut other = order;
    other["consumer"]["email"] = json!("ola@example.com");
    assert_eq!(app.request("POST", "/v1/checkout_sessions", Some(other), Some(KEY), None).await.status, 200);

    // And the upgraded database takes setup sessions.
    let setup = json!({"mode": "setup", "success_url": "https://shop.example/saved"});
    let created = app.request("POST", "/v1/checkout_sessions", Some(setup), Some(KEY), None).await;
    assert_eq!((created.status, created.body["mode"].as_str()), (200, Some("setup")), "{}", created.text);
}

/// Walks two renderings of the same events side by side: every fingerprint of `now` must map
/// from its counterpart in `before` one to one (recorded in `renamed`), after which both are
/// blanked so the rest can be compared exactly.
fn pair_fingerprints(before: &mut Value, now: &mut Value, renamed: &mut std::collections::BTreeMap<String, String>) {
    match (before, now) {
        (Value::Object(b), Value::Object(n)) => {
            for (k, bv) in b.iter_mut() {
                let Some(nv) = n.get_mut(k) else { continue };
                if k == "fingerprint"
                    && let (Some(old), Some(new)) = (bv.as_str(), nv.as_str())
                {
                    let seen = renamed.entry(old.to_owned()).or_insert_with(|| new.to_owned());
                    assert_eq!(seen, new, "one card, one fingerprint");
                    *bv = Value::Null;
                    *nv = Value::Null;
                } else {
                    pair_fingerprints(bv, nv, renamed);
                }
            }
        }
        (Value::Array(b), Value::Array(n)) => {
            for (bv, nv) in b.iter_mut().zip(n.iter_mut()) {
                pair_fingerprints(bv, nv, renamed);
            }
        }
        _ => {}
    }
}

/// What each face shows of the objects a face annotated (`ids` names them): Smartpay's
/// sessions, orders, payments, refunds, saved card and webhook endpoint, Vipps' payments and
/// webhooks, ProBuy's checkout.
async fn face_readings(app: &TestApp, ids: &Value) -> Value {
    use crate::smartpay::ok;
    let id = |name: &str| ids[name].as_str().unwrap_or_else(|| panic!("no {name} in {ids}")).to_owned();
    let mut readings = serde_json::Map::new();
    for (name, path) in [
        ("smartpay_session", format!("/checkout-sessions/{}", id("smartpay_session"))),
        ("smartpay_order", format!("/orders/{}?expand=all", id("smartpay_order"))),
        ("smartpay_payment", format!("/payments/{}", id("smartpay_payment"))),
        ("smartpay_refund", format!("/refunds/{}", id("smartpay_refund"))),
        ("smartpay_endpoint", format!("/webhook-endpoints/{}", id("smartpay_endpoint"))),
        ("smartpay_setup", format!("/checkout-sessions/{}", id("smartpay_setup"))),
        ("smartpay_token", format!("/tokens/{}", id("smartpay_token"))),
        ("smartpay_token_order", format!("/orders/{}", id("smartpay_token_order"))),
    ] {
        readings.insert(name.into(), ok(app, "GET", &path, None).await);
    }
    let unit = crate::vipps::Unit::sign_in(app).await;
    for reference in ["order-web-01", "order-push-01"] {
        readings.insert(format!("vipps_{reference}"), unit.get(reference).await);
    }
    let hooks = unit.call("GET", "/webhooks/v1/webhooks", None, None).await;
    assert_eq!(hooks.status, 200, "{}", hooks.text);
    readings.insert("vipps_webhooks".into(), hooks.body);
    let probuy = app.get(&format!("/probuy/api/checkouts/{}", id("probuy_checkout"))).await;
    assert_eq!(probuy.status, 200, "{}", probuy.text);
    readings.insert("probuy_checkout".into(), probuy.body);
    Value::Object(readings)
}
