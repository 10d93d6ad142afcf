//! Webhooks through the SDK: endpoints, real deliveries verified by `webhooks::verify` and by
//! the axum extractor, and the delivery log.

use crate::client;
use kassa::webhooks::{self, WebhookError};
use kassa::{
    CreatePaymentIntent, CreateWebhookEndpoint, Currency, ListParams, RotateWebhookSecret, UpdateWebhookEndpoint,
    WebhookEndpointStatus,
};
use kassa_testkit::{Receiver, spawn_app};
use std::time::Duration;

#[tokio::test]
async fn deliveries_verify_and_tampering_is_caught() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let receiver = Receiver::start().await;
    let endpoint = kassa
        .webhook_endpoints()
        .create(&CreateWebhookEndpoint::new(receiver.url(), ["payment_intent.created"]))
        .await
        .unwrap();
    let secret = endpoint.secret.clone().expect("the secret is shown at creation");
    let pi = kassa.payment_intents().create(&CreatePaymentIntent::new(100, Currency::USD)).await.unwrap();
    let got = receiver.wait_for(1, Duration::from_secs(20)).await;
    let header = got[0].header("kassa-signature").unwrap();
    let event = webhooks::verify(&got[0].body, header, &secret, webhooks::DEFAULT_TOLERANCE).unwrap();
    assert_eq!(event.object_as::<kassa::PaymentIntent>().unwrap().id, pi.id);

    assert!(matches!(
        webhooks::verify(&got[0].body, header, "whsec_nope", webhooks::DEFAULT_TOLERANCE),
        Err(WebhookError::Signature(_))
    ));
    assert!(matches!(
        webhooks::verify(&got[0].body, "t=1,v1=00", &secret, webhooks::DEFAULT_TOLERANCE),
        Err(WebhookError::Signature(_))
    ));
    let stale = webhooks::signature_header(&got[0].body, &secret, 1_000_000_000);
    let err = webhooks::verify(&got[0].body, &stale, &secret, webhooks::DEFAULT_TOLERANCE).unwrap_err();
    assert!(err.to_string().contains("tolerance"), "{err}");
    let fresh_but_not_an_event = webhooks::signature_header(b"[]", &secret, time_now());
    assert!(matches!(
        webhooks::verify(b"[]", &fresh_but_not_an_event, &secret, webhooks::DEFAULT_TOLERANCE),
        Err(WebhookError::Payload(_))
    ));

    let endpoints = kassa.webhook_endpoints();
    assert!(endpoints.retrieve(&endpoint.id).await.unwrap().secret.is_none());
    let rotated = endpoints.rotate_secret(&endpoint.id, &RotateWebhookSecret { expires_in: Some(60) }).await.unwrap();
    assert_ne!(rotated.secret, endpoint.secret);
    let disabled = endpoints
        .update(&endpoint.id, &UpdateWebhookEndpoint { active: Some(false), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(disabled.status, WebhookEndpointStatus::Disabled);
    let log = endpoints.deliveries(&endpoint.id, &ListParams::default()).await.unwrap();
    assert_eq!(log.data.len(), 1);
    assert!(log.data[0].succeeded);
    let deleted = endpoints.delete(&endpoint.id).await.unwrap();
    assert!(deleted.deleted);
}

#[tokio::test]
async fn the_axum_receiver_example_handles_real_deliveries_once() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let (router, receiver) = crate::examples_webhooks::setup(&kassa, &url).await.unwrap();
    tokio::spawn(axum::serve(listener, router).into_future());

    let pi = kassa
        .payment_intents()
        .create(&CreatePaymentIntent::new(900, Currency::EUR).payment_method("pm_card_visa").confirm(true))
        .await
        .unwrap();
    kassa.payment_intents().wait_until_settled(&pi.id, Duration::from_secs(20)).await.unwrap();
    let expected = 4; // created, processing, captured, succeeded
    for _ in 0..200 {
        if receiver.handled.lock().unwrap().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let handled = receiver.handled.lock().unwrap().clone();
    assert_eq!(handled.len(), expected, "{handled:?}");
    // A redelivery is verified, and recognised as a duplicate.
    let first = handled[0].clone();
    let queued = kassa.events().redeliver(&first, &Default::default()).await.unwrap();
    assert_eq!(queued.data.len(), 1);
    for _ in 0..100 {
        let attempts = kassa.events().deliveries(&first, &ListParams::default()).await.unwrap();
        if attempts.data.len() == 2 {
            assert!(attempts.data.iter().all(|a| a.succeeded), "the receiver accepted both");
            assert_eq!(receiver.handled.lock().unwrap().len(), expected, "handled once");
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the redelivery did not arrive");
}

#[tokio::test]
async fn the_extractor_refuses_forged_requests() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let (router, receiver) = crate::examples_webhooks::setup(&kassa, &url).await.unwrap();
    tokio::spawn(axum::serve(listener, router).into_future());
    let http = reqwest::Client::new();
    let body = r#"{"id":"evt_forged","object":"event","livemode":false,"type":"payment_intent.succeeded","data":{"object":{}},"created_at":"2026-01-01T00:00:00Z"}"#;
    let unsigned = http.post(&url).body(body).send().await.unwrap();
    assert_eq!(unsigned.status(), 400);
    let forged = http
        .post(&url)
        .header("Kassa-Signature", webhooks::signature_header(body.as_bytes(), "whsec_guess", time_now()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("signature"));
    assert!(receiver.handled.lock().unwrap().is_empty());
}

fn time_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
