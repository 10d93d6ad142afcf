//! The examples in `examples/`, run against a real gateway.

#[allow(dead_code)]
#[path = "../../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../../examples/list_stream.rs"]
mod list_stream;

#[allow(dead_code)]
#[path = "../../examples/axum_checkout.rs"]
mod axum_checkout;

#[allow(dead_code)]
#[path = "../../examples/saved_card.rs"]
mod saved_card;

use crate::client;
use kassa_testkit::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn quickstart_runs() {
    let app = spawn_app().await;
    quickstart::run(&client(&app)).await.unwrap();
    let pis = app.get("/v1/payment_intents").await.body;
    let pi = &pis["data"][0];
    assert_eq!(
        (pi["status"].as_str(), pi["amount_captured"].as_i64(), pi["amount_refunded"].as_i64()),
        (Some("succeeded"), Some(2000), Some(500))
    );
}

#[tokio::test]
async fn list_stream_sees_every_payment() {
    let app = spawn_app().await;
    for _ in 0..60 {
        app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;
    }
    assert_eq!(list_stream::run(&client(&app)).await.unwrap(), 60);
}

#[tokio::test]
async fn the_axum_checkout_backend_takes_a_payment_and_reports_errors() {
    let app = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, axum_checkout::app(client(&app))).into_future());
    let http = reqwest::Client::new();

    let created: Value = http
        .post(format!("{backend}/api/checkout/create"))
        .json(&json!({"amount": 2599, "currency": "USD", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((created["success"].as_bool(), created["status"].as_str()), (Some(true), Some("processing")));
    let id = created["payment_intent_id"].as_str().unwrap();
    let pi = app.wait_until_settled(id).await;
    assert_eq!(pi["status"], "succeeded");
    let status: Value = http.get(format!("{backend}/api/checkout/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["data"]["status"], "succeeded");

    let refused = http
        .post(format!("{backend}/api/checkout/create"))
        .json(&json!({"amount": 0, "currency": "USD", "card": {"number": "4242424242424241", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert!(body["error"].as_str().unwrap().contains("payment_method_data[card][number]"), "{body}");
}

/// What a customer does on the hosted setup page: type a card and save it.
async fn save_card_on_page(url: &str, number: &str) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = http.get(url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Save a card for"), "{page}");
    let start = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    let csrf = &page[start..start + 32];
    let form = format!("csrf={csrf}&number={number}&expiry=12%2F34&cvc=123&holder=Kari+Nordmann");
    let saved = http
        .post(format!("{url}/pay"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
}

#[tokio::test]
async fn saved_card_saves_a_card_on_the_page_and_charges_it_each_month_once() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let (url, token) = saved_card::start(&kassa, "kari@example.com").await.unwrap();
    assert_eq!(kassa.tokens().retrieve(&token).await.unwrap().status, kassa::TokenStatus::RequiresAuthorization);
    save_card_on_page(&url, "4242424242424242").await;
    let status = saved_card::wait_for_card(&kassa, &token, std::time::Duration::from_secs(20)).await.unwrap();
    assert_eq!(status, kassa::TokenStatus::Active);
    let december = saved_card::charge_month(&kassa, &token, "2026-12").await.unwrap();
    assert_eq!(
        (december.status, december.token.as_deref()),
        (kassa::PaymentIntentStatus::Succeeded, Some(token.as_str()))
    );
    let again = saved_card::charge_month(&kassa, &token, "2026-12").await.unwrap();
    assert_eq!(again.id, december.id, "one charge per month");
    let january = saved_card::charge_month(&kassa, &token, "2027-01").await.unwrap();
    assert_ne!(january.id, december.id);
    kassa.tokens().disable(&token).await.unwrap();
    let refused = saved_card::charge_month(&kassa, &token, "2027-02").await.unwrap_err();
    assert_eq!(refused.status(), Some(409), "{refused}");
}
