//! Refunds: many partial refunds, never more than was captured, even concurrently.

use futures_util::future::join_all;
use kassa_testkit::{json_of, spawn_app};
use serde_json::json;

#[tokio::test]
async fn partial_capture_then_refunds_up_to_the_limit_and_one_unit_over() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(10_000).await;
    let pi_id = json_of(&pi, "id");
    app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({"amount": 6000})).await;

    let first = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 2500, "reason": "requested_by_customer", "metadata": {"ticket": "T-1"}})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let r = &first.body;
    assert!(json_of(r, "id").starts_with("re_"));
    assert_eq!(
        (r["object"].as_str(), r["status"].as_str(), r["amount"].as_i64()),
        (Some("refund"), Some("succeeded"), Some(2500))
    );
    assert_eq!((r["payment_intent"].as_str(), r["currency"].as_str()), (Some(pi_id), Some("USD")));
    assert_eq!((r["reason"].as_str(), r["metadata"]["ticket"].as_str()), (Some("requested_by_customer"), Some("T-1")));

    let second = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 3000})).await;
    assert_eq!(second.status, 200);
    let over = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 501})).await;
    assert_eq!(over.status, 422, "{}", over.text);
    assert_eq!(
        (over.error()["param"].as_str(), over.error()["code"].as_str()),
        (Some("amount"), Some("amount_too_large"))
    );
    let rest = app.post("/v1/refunds", json!({"payment_intent": pi_id})).await;
    assert_eq!((rest.status, rest.body["amount"].as_i64()), (200, Some(500)));
    let one_more = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 1})).await;
    assert_eq!((one_more.status, one_more.error()["code"].as_str()), (422, Some("charge_already_refunded")));

    let pi = app.get(&format!("/v1/payment_intents/{pi_id}")).await.body;
    assert_eq!(
        (pi["amount_captured"].as_i64(), pi["amount_refunded"].as_i64(), pi["amount_refund_pending"].as_i64()),
        (Some(6000), Some(6000), Some(0))
    );
    assert_eq!(pi["status"], "succeeded");
    let ops = app.get(&format!("/v1/test_helpers/simulator/operations?payment_intent={pi_id}")).await;
    let refunded: i64 = ops.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["operation"] == "refund")
        .map(|o| o["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(refunded, 6000, "the simulator returned exactly what Kassa recorded");
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_captured_amount() {
    let app = spawn_app().await;
    let pi = app.succeeded_intent(1000).await;
    let pi_id = json_of(&pi, "id").to_owned();
    // 12 refunds of 100 against 1000 captured: exactly 10 may succeed.
    let attempts = (0..12).map(|_| app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 100})));
    let results = join_all(attempts).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    let refused = results.iter().filter(|r| r.status == 422).count();
    assert_eq!((ok, refused), (10, 2), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(
        results
            .iter()
            .filter(|r| r.status == 422)
            .all(|r| r.error()["code"] == "charge_already_refunded" || r.error()["code"] == "amount_too_large")
    );
    let pi = app.get(&format!("/v1/payment_intents/{pi_id}")).await.body;
    assert_eq!(pi["amount_refunded"].as_i64().unwrap() + pi["amount_refund_pending"].as_i64().unwrap(), 1000);
    let listed = app.get(&format!("/v1/refunds?payment_intent={pi_id}&limit=100")).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn refunds_of_uncaptured_or_unknown_payments_are_refused() {
    let app = spawn_app().await;
    let authorized = app.authorized_intent(500).await;
    let res = app.post("/v1/refunds", json!({"payment_intent": json_of(&authorized, "id")})).await;
    assert_eq!((res.status, res.error()["current_status"].as_str()), (409, Some("requires_capture")));
    let missing = app.post("/v1/refunds", json!({"payment_intent": "pi_000000000000000000000000"})).await;
    assert_eq!((missing.status, missing.error()["param"].as_str()), (404, Some("payment_intent")));
    let invalid = app.post("/v1/refunds", json!({"amount": 0, "reason": "because"})).await;
    assert_eq!(invalid.status, 422);
    let mut params = invalid.error_params();
    params.sort();
    assert_eq!(params, ["amount", "payment_intent", "reason"]);
}

#[tokio::test]
async fn refunds_can_be_listed_retrieved_expanded_and_annotated() {
    let app = spawn_app().await;
    let a = app.succeeded_intent(1000).await;
    let b = app.succeeded_intent(2000).await;
    let ra = app.post("/v1/refunds", json!({"payment_intent": json_of(&a, "id"), "amount": 100})).await.body;
    let rb = app
        .post("/v1/refunds?expand[]=payment_intent", json!({"payment_intent": json_of(&b, "id"), "amount": 200}))
        .await
        .body;
    assert_eq!(rb["payment_intent"]["object"], "payment_intent", "expanded on create: {rb}");
    assert_eq!(rb["payment_intent"]["amount_refunded"], 200);

    let all = app.get("/v1/refunds").await.body;
    let ids: Vec<_> = all["data"].as_array().unwrap().iter().map(|r| json_of(r, "id").to_owned()).collect();
    assert_eq!(ids, [json_of(&rb, "id"), json_of(&ra, "id")]);
    let only_a = app.get(&format!("/v1/refunds?payment_intent={}", json_of(&a, "id"))).await.body;
    assert_eq!(only_a["data"].as_array().unwrap().len(), 1);
    let nonsense = app.get("/v1/refunds?payment_intent=pi_nope").await;
    assert_eq!((nonsense.status, nonsense.body["data"].as_array().map(Vec::len)), (200, Some(0)));

    let got = app.get(&format!("/v1/refunds/{}?expand[]=payment_intent", json_of(&ra, "id"))).await.body;
    assert_eq!(got["payment_intent"]["id"], a["id"]);
    let listed = app.get("/v1/refunds?expand[]=data.payment_intent").await.body;
    assert!(listed["data"].as_array().unwrap().iter().all(|r| r["payment_intent"]["object"] == "payment_intent"));
    let bad_expand = app.get("/v1/refunds?expand[]=customer").await;
    assert_eq!(bad_expand.status, 422);

    let updated =
        app.post(&format!("/v1/refunds/{}", json_of(&ra, "id")), json!({"metadata": {"note": "goodwill"}})).await;
    assert_eq!((updated.status, updated.body["metadata"]["note"].as_str()), (200, Some("goodwill")));
    let not_amount = app.post(&format!("/v1/refunds/{}", json_of(&ra, "id")), json!({"amount": 1})).await;
    assert_eq!(not_amount.status, 422);
    let events = app.get(&format!("/v1/events?related_object={}", json_of(&ra, "id"))).await.body;
    let types: Vec<_> =
        events["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(types, ["refund.updated", "refund.succeeded", "refund.created"]);
}
