//! Receipts: a customer-facing page per payment that took money, at an address nobody can
//! guess, linked from the payment (v1 and the seed API), in the language the customer paid in.

use crate::checkout_page::Browser;
use kassa_testkit::{json_of, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_paid_payment_links_its_receipt_and_the_receipt_shows_its_refunds() {
    let app = spawn_app().await;
    let pending = app.post("/v1/payment_intents", json!({"amount": 2599, "currency": "USD"})).await;
    assert_eq!(pending.body["receipt_url"], serde_json::Value::Null, "no receipt before money is taken");

    let paid = app.succeeded_intent(2599).await;
    let id = json_of(&paid, "id").to_owned();
    let fetched = app.get(&format!("/v1/payment_intents/{id}")).await;
    let url = fetched.body["receipt_url"].as_str().expect("a receipt").to_owned();
    assert!(url.starts_with(&app.url("/receipts/rc_")), "{url}");
    let events = app.get("/v1/events?type=payment_intent.succeeded").await;
    assert_eq!(
        events.body["data"][0]["data"]["object"]["receipt_url"].as_str(),
        Some(url.as_str()),
        "events carry it too"
    );

    let browser = Browser::new();
    let page = browser.get(&url).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("data-testid=\"receipt\""));
    assert!(page.html.contains("$25.99"), "{}", page.html);
    assert!(page.html.contains("visa •••• 4242"), "{}", page.html);
    assert!(page.html.contains("Test merchant"), "the merchant's name");

    app.post("/v1/refunds", json!({"payment_intent": id, "amount": 599})).await;
    let page = browser.get(&url).await;
    assert!(page.html.contains("−$5.99"), "the refund is on the receipt: {}", page.html);

    // The seed API's payment result links the same receipt.
    let seed = app.get(&format!("/payments/{id}")).await;
    assert_eq!(seed.body["receipt_url"].as_str(), Some(url.as_str()), "{}", seed.text);
}

#[tokio::test]
async fn a_receipt_address_cannot_be_guessed_or_altered() {
    let app = spawn_app().await;
    let paid = app.succeeded_intent(1000).await;
    let url = app.get(&format!("/v1/payment_intents/{}", json_of(&paid, "id"))).await.body["receipt_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Browser::new();
    let mut altered = url.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(browser.get(&altered).await.status, 404, "a changed hash names nothing");
    let other = app.succeeded_intent(1000).await;
    let forged = url.replace(&json_of(&paid, "id")[3..], &json_of(&other, "id")[3..]);
    assert_eq!(browser.get(&forged).await.status, 404, "another payment's id with this one's hash");
    assert_eq!(browser.get(&app.url("/receipts/rc_x")).await.status, 404);
}

#[tokio::test]
async fn a_receipt_speaks_the_language_the_customer_paid_in() {
    let app = spawn_app().await;
    let body = json!({"currency": "NOK", "locale": "nb", "line_items": [{"name": "Te", "quantity": 2, "unit_amount": 1250}],
        "success_url": "https://shop.example/ok"});
    let cs = app.post("/v1/checkout_sessions", body).await.body;
    let browser = Browser::new();
    assert_eq!(browser.pay(json_of(&cs, "url"), "4242424242424242").await.status, 303);
    browser.settle(json_of(&cs, "url")).await;
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    let page = browser.get(pi["receipt_url"].as_str().expect("paid, so a receipt")).await;
    assert!(page.html.contains("Kvittering") && page.html.contains("lang=\"nb\""), "{}", page.html);
}
