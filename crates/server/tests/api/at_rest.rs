//! What a copy of the database gives away (#15, defect 2): with the master key outside it, not
//! the card numbers behind fingerprints, not webhook signing secrets (sealed), and no secret in
//! the idempotency cache; a gateway started with another master key is refused.

use hmac::Mac;
use kassa_testkit::{TestApp, spawn_app, test_config};
use serde_json::json;

#[tokio::test]
async fn a_copy_of_the_database_cannot_recompute_card_fingerprints() {
    let app = spawn_app().await;
    let pay =
        |n: u32| json!({"amount": 1000 + n, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true});
    let first = app.post("/v1/payment_intents", pay(1)).await;
    let second = app.post("/v1/payment_intents", pay(2)).await;
    let fingerprint =
        |b: &serde_json::Value| b["payment_method_details"]["card"]["fingerprint"].as_str().unwrap().to_owned();
    let seen = fingerprint(&first.body);
    assert_eq!(seen, fingerprint(&second.body), "one card, one fingerprint");

    // The attack: the database's own key and a guess of the card number.
    let db_key = app.database.texts("SELECT value FROM settings WHERE name = 'card_fingerprint_key'").await;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(db_key[0].as_bytes()).unwrap();
    mac.update(format!("{}:4242424242424242", app.merchant.id).as_bytes());
    let from_the_copy = hex::encode(&mac.finalize().into_bytes()[..8]);
    assert_ne!(from_the_copy, seen, "the database alone recomputes the fingerprint of a guessed number");
}

#[tokio::test]
async fn webhook_secrets_are_sealed_at_rest_and_never_cached_with_answers() {
    let app = spawn_app().await;
    let body = json!({"url": "https://merchant.example/hooks", "enabled_events": ["*"]});
    let created = app.post_idempotent("/v1/webhook_endpoints", body.clone(), "we-1").await;
    assert_eq!(created.status, 200, "{}", created.text);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));

    let stored = app.database.texts("SELECT secret FROM webhook_endpoints").await;
    assert!(stored.iter().all(|s| s.starts_with("sealed1:") && !s.contains(&secret[6..])), "{stored:?}");
    let cached = app.database.texts("SELECT outcome FROM idempotency_keys WHERE outcome IS NOT NULL").await;
    assert!(!cached.is_empty() && cached.iter().all(|o| !o.contains("whsec_")), "{cached:?}");

    let replayed = app.post_idempotent("/v1/webhook_endpoints", body, "we-1").await;
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.body["secret"], secret, "a replay still shows the secret, read from the endpoint");
    let id = created.body["id"].as_str().unwrap();
    let rotated = app.post_idempotent(&format!("/v1/webhook_endpoints/{id}/rotate_secret"), json!({}), "rot-1").await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let cached = app.database.texts("SELECT outcome FROM idempotency_keys WHERE outcome IS NOT NULL").await;
    assert!(cached.iter().all(|o| !o.contains("whsec_")), "{cached:?}");
}

#[tokio::test]
async fn a_gateway_with_another_master_key_is_refused() {
    let app = spawn_app().await;
    let database = app.stop().await;
    let mut config = test_config(&database);
    config.master_key = kassa_server::secrets::MasterKey::from_bytes([0x11; 32]);
    let refused = kassa_server::Server::build(config).await.err().expect("refused");
    assert!(refused.to_string().contains("another master key"), "{refused}");
    // With its own key it opens.
    let app = TestApp::restart_on(database, |_| {}).await;
    assert_eq!(app.get("/v1/payment_intents").await.status, 200);
}
