//! Events: one per state change, written with the change, listed and filtered.

use kassa_testkit::{json_of, spawn_app};
use serde_json::{Value, json};

/// The log of a payment authorized, captured in two parts and refunded in part, oldest first.
const PAYMENT_LOG: [&str; 8] = [
    "payment_intent.created",
    "payment_intent.processing",
    "payment_intent.requires_capture",
    "payment_intent.partially_captured",
    "payment_intent.captured",
    "payment_intent.succeeded",
    "refund.created",
    "refund.succeeded",
];

fn types(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

/// One payment worked on in turn by two nodes whose clocks disagree by two minutes (the first
/// runs ahead, as after a bad NTP step): its log keeps the order in which things happened, not
/// the order of the clocks that stamped them. SQLite is one node at a time, so the nodes take
/// turns on both databases.
#[tokio::test]
async fn a_payments_events_keep_their_order_when_the_nodes_clocks_disagree() {
    let minute = 60_000_000;
    let ahead = kassa_testkit::TestApp::restart_on(kassa_testkit::TestDatabase::fresh().await, |c| {
        c.clock_skew_micros = minute
    })
    .await;
    let pi = ahead.authorized_intent(5000).await;
    let pi_id = json_of(&pi, "id");
    ahead.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({"amount": 2000, "final_capture": false})).await;
    let merchant = ahead.merchant.clone();
    let database = ahead.stop().await;

    let mut behind = kassa_testkit::TestApp::restart_on(database, |c| c.clock_skew_micros = -minute).await;
    behind.merchant = merchant;
    let captured = behind.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({"amount": 1000})).await;
    assert_eq!(captured.status, 200, "{}", captured.text);
    let refund = behind.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 500})).await;
    assert_eq!(refund.status, 200, "{}", refund.text);

    let log = behind.get(&format!("/v1/payment_intents/{pi_id}/events")).await.body;
    assert_eq!(types(&log), PAYMENT_LOG, "{log}");
    // RFC 3339 in UTC, trailing zeros of the fraction left out: padded, they order as text.
    let stamps: Vec<String> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = e["created_at"].as_str().unwrap().trim_end_matches('Z');
            let (seconds, fraction) = text.split_once('.').unwrap_or((text, ""));
            format!("{seconds}.{fraction:0<6}")
        })
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "the log's times never go back: {stamps:?}");
    // The refund's own log, and the newest-first list of all events, agree.
    let refund_id = json_of(&refund.body, "id");
    let of_refund = behind.get(&format!("/v1/events?related_object={refund_id}")).await.body;
    assert_eq!(types(&of_refund), ["refund.succeeded", "refund.created"], "{of_refund}");
    let all = behind.get("/v1/events?limit=100").await.body;
    let mut newest_first = types(&log);
    newest_first.reverse();
    assert_eq!(types(&all), newest_first);
}

#[tokio::test]
async fn every_step_of_a_payment_is_an_event_with_the_object_after_it() {
    let app = spawn_app().await;
    let pi = app.authorized_intent(5000).await;
    let pi_id = json_of(&pi, "id");
    app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({"amount": 2000, "final_capture": false})).await;
    app.post(&format!("/v1/payment_intents/{pi_id}/capture"), json!({"amount": 1000})).await;
    let refund = app.post("/v1/refunds", json!({"payment_intent": pi_id, "amount": 500})).await.body;

    let log = app.get(&format!("/v1/payment_intents/{pi_id}/events")).await.body;
    assert_eq!(types(&log), PAYMENT_LOG);
    let data = log["data"].as_array().unwrap();
    assert!(
        data.iter()
            .all(|e| e["object"] == "event" && json_of(e, "id").starts_with("evt_") && e["payment_intent"] == pi_id)
    );
    assert_eq!(data[2]["data"]["object"]["status"], "requires_capture");
    assert_eq!(data[3]["data"]["object"]["amount_captured"], 2000);
    assert_eq!(data[4]["data"]["object"]["amount_captured"], 3000);
    assert_eq!(data[6]["data"]["object"]["object"], "refund");
    assert_eq!(data[6]["data"]["object"]["status"], "pending");
    assert_eq!(data[7]["data"]["object"]["status"], "succeeded");
    assert_eq!(data[7]["data"]["object"]["id"], refund["id"]);
    // Events say which request caused them, also those a job wrote when the processor answered
    // it.
    assert!(data[0]["request"]["id"].as_str().is_some_and(|r| r.starts_with("req_")));
    assert_eq!(data[2]["request"]["id"], data[1]["request"]["id"], "the authorization answers the confirm");
    assert!(data[3]["request"]["id"].is_string());
    assert_ne!(data[3]["request"]["id"], data[1]["request"]["id"], "the capture answers the capture request");
    // Timestamps never go backwards.
    let times: Vec<_> = data.iter().map(|e| e["created_at"].as_str().unwrap().to_owned()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
}

#[tokio::test]
async fn events_can_be_filtered_retrieved_and_paged() {
    let app = spawn_app().await;
    let a = app.succeeded_intent(100).await;
    let b = app
        .create_payment_intent(
            json!({"amount": 200, "currency": "USD", "payment_method": "pm_card_declined", "confirm": true}),
        )
        .await;
    app.wait_until_settled(json_of(&b, "id")).await;
    app.post("/v1/refunds", json!({"payment_intent": json_of(&a, "id")})).await;

    let all = app.get("/v1/events?limit=100").await.body;
    // 4 for the captured payment, 3 for the declined one, 2 for the refund.
    assert_eq!(all["data"].as_array().unwrap().len(), 9);
    let succeeded = app.get("/v1/events?type=payment_intent.succeeded").await.body;
    assert_eq!(types(&succeeded), ["payment_intent.succeeded"]);
    let refunds = app.get("/v1/events?type=refund.*").await.body;
    assert_eq!(types(&refunds), ["refund.succeeded", "refund.created"]);
    let failed = app
        .get(&format!("/v1/events?related_object={}&type=payment_intent.payment_failed", json_of(&b, "id")))
        .await
        .body;
    assert_eq!(failed["data"][0]["data"]["object"]["last_payment_error"]["decline_code"], "generic_decline");
    assert_eq!(app.get("/v1/events?type=payment_intent.exploded").await.status, 422);
    assert_eq!(app.get("/v1/events?type=nothing.*").await.status, 422);

    let first = &all["data"][0];
    let got = app.get(&format!("/v1/events/{}", json_of(first, "id"))).await;
    assert_eq!((got.status, &got.body), (200, first));

    let mut seen = 0;
    let mut path = "/v1/events?limit=4".to_owned();
    loop {
        let page = app.get(&path).await.body;
        seen += page["data"].as_array().unwrap().len();
        match page["next_page_token"].as_str() {
            Some(t) => path = format!("/v1/events?limit=4&page_token={t}"),
            None => break,
        }
    }
    assert_eq!(seen, 9);
    let created = first["created_at"].as_str().unwrap();
    let newest = app.get(&format!("/v1/events?created[gte]={created}")).await.body;
    assert_eq!(newest["data"].as_array().unwrap().len(), 1);
}
