//! Every resource through the SDK, against the real gateway.

use crate::client;
use futures_util::TryStreamExt;
use kassa::{
    CancelPaymentIntent, CancellationReason, CaptureMethod, CapturePaymentIntent, ConfirmPaymentIntent,
    CreatePaymentIntent, CreateRefund, Currency, Expandable, ListEvents, ListParams, ListPaymentIntents, ListRefunds,
    PaymentIntent, PaymentIntentStatus, PaymentMethodData, Range, RefundStatus, UpdatePaymentIntent, UpdateRefund,
};
use kassa_testkit::spawn_app;
use std::time::Duration;

#[tokio::test]
async fn manual_capture_payment_from_create_to_refund() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let intents = kassa.payment_intents();
    let pi = intents
        .create(
            &CreatePaymentIntent::new(5000, Currency::EUR)
                .capture_method(CaptureMethod::Manual)
                .customer("cus_7")
                .metadata("order", "A-1"),
        )
        .await
        .unwrap();
    assert_eq!(
        (pi.status.clone(), pi.amount, pi.currency.as_str()),
        (PaymentIntentStatus::RequiresPaymentMethod, 5000, "EUR")
    );
    let pi = intents.update(&pi.id, &UpdatePaymentIntent::default().description("Updated")).await.unwrap();
    assert_eq!(pi.description.as_deref(), Some("Updated"));
    let pi = intents
        .confirm(
            &pi.id,
            &ConfirmPaymentIntent::default().payment_method_data(PaymentMethodData::card(
                "4242 4242 4242 4242",
                12,
                2034,
                "123",
            )),
        )
        .await
        .unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::Processing);
    let pi = intents.wait_until_settled(&pi.id, Duration::from_secs(20)).await.unwrap();
    assert_eq!((pi.status.clone(), pi.amount_capturable), (PaymentIntentStatus::RequiresCapture, 5000));
    assert_eq!(pi.payment_method_details.as_ref().unwrap().card.last4, "4242");
    let pi = intents
        .capture(&pi.id, &CapturePaymentIntent::all().amount_to_capture(3000).final_capture(false))
        .await
        .unwrap();
    assert_eq!((pi.amount_captured, pi.status.clone()), (3000, PaymentIntentStatus::RequiresCapture));
    let pi = intents.cancel(&pi.id, &CancelPaymentIntent::default()).await.unwrap();
    assert_eq!((pi.status.clone(), pi.amount_canceled), (PaymentIntentStatus::Succeeded, 2000));

    let refund =
        kassa.refunds().create(&CreateRefund::new(&pi.id).amount(1000)).expand("payment_intent").await.unwrap();
    assert_eq!((refund.status.clone(), refund.amount), (RefundStatus::Succeeded, 1000));
    let expanded: &PaymentIntent = refund.payment_intent.as_object().expect("expanded");
    assert_eq!(expanded.amount_refunded, 1000);
    let refund = kassa.refunds().update(&refund.id, &UpdateRefund::default().metadata("why", "late")).await.unwrap();
    assert_eq!(refund.metadata["why"], "late");
    assert!(matches!(refund.payment_intent, Expandable::Id(ref id) if id == &pi.id));
    let again = kassa.refunds().retrieve(&refund.id).await.unwrap();
    assert_eq!(again.id, refund.id);

    let log = intents.events(&pi.id, &ListParams::default()).await.unwrap();
    let kinds: Vec<_> = log.data.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"payment_intent.created"));
    assert_eq!(kinds[kinds.len() - 3..], ["refund.created", "refund.succeeded", "refund.updated"]);
    let refund_event = log.data.last().unwrap();
    assert_eq!(refund_event.object_type(), Some("refund"));
    let refunded: kassa::Refund = refund_event.object_as().unwrap();
    assert_eq!((refunded.id.as_str(), refunded.metadata["why"].as_str()), (refund.id.as_str(), "late"));
    let event = kassa.events().retrieve(&refund_event.id).await.unwrap();
    assert_eq!(event.id, refund_event.id);
}

#[tokio::test]
async fn a_declined_card_is_a_failed_payment_with_its_reason() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let pi = kassa
        .payment_intents()
        .create(
            &CreatePaymentIntent::new(100, Currency::USD).payment_method("pm_card_insufficient_funds").confirm(true),
        )
        .await
        .unwrap();
    let pi = kassa.payment_intents().wait_until_settled(&pi.id, Duration::from_secs(20)).await.unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::Failed);
    let error = pi.last_payment_error.unwrap();
    assert_eq!((error.code.as_str(), error.decline_code.as_deref()), ("card_declined", Some("insufficient_funds")));
    let ops = kassa.test_helpers().simulator_operations(&pi.id).await.unwrap();
    assert_eq!(ops.data.len(), 1);
    assert_eq!(ops.data[0].outcome, "declined");
}

#[tokio::test]
async fn lists_page_and_stream_every_item() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let mut created = Vec::new();
    for i in 0..25 {
        let pi = kassa.payment_intents().create(&CreatePaymentIntent::new(100 + i, Currency::USD)).await.unwrap();
        created.push(pi.id);
    }
    created.reverse();
    let page = kassa.payment_intents().list(&ListPaymentIntents::default().limit(10)).await.unwrap();
    assert_eq!((page.data.len(), page.has_more), (10, true));
    let next = kassa
        .payment_intents()
        .list(&ListPaymentIntents::default().limit(10).page_token(page.next_page_token.clone().unwrap()))
        .await
        .unwrap();
    assert_eq!(next.data[0].id, created[10]);

    let streamed: Vec<_> = kassa
        .payment_intents()
        .list_all(ListPaymentIntents::default().limit(7))
        .map_ok(|pi| pi.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, created, "every item once, newest first, across 4 pages");

    let only_new: Vec<_> = kassa
        .payment_intents()
        .list_all(ListPaymentIntents::default().status(PaymentIntentStatus::RequiresPaymentMethod))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(only_new.len(), 25);
    let none: Vec<_> = kassa
        .payment_intents()
        .list_all(ListPaymentIntents::default().status(PaymentIntentStatus::Succeeded))
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
    let since = kassa.payment_intents().retrieve(&created[0]).await.unwrap().created_at;
    let recent =
        kassa.payment_intents().list(&ListPaymentIntents::default().created(Range::since(since))).await.unwrap();
    assert_eq!(recent.data.len(), 1);

    let events: Vec<_> = kassa
        .events()
        .list_all(ListEvents::default().kind("payment_intent.created").limit(10))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 25);
    let refunds: Vec<_> =
        kassa.refunds().list_all(ListRefunds::default().payment_intent(&created[0])).try_collect().await.unwrap();
    assert!(refunds.is_empty());
}

#[tokio::test]
async fn health_readiness_and_the_openapi_document() {
    let app = spawn_app().await;
    let kassa = client(&app);
    assert_eq!(kassa.health().await.unwrap()["status"], "ok");
    assert_eq!(kassa.ready().await.unwrap()["status"], "ready");
    assert!(kassa.openapi().await.unwrap()["paths"].as_object().is_some_and(|p| !p.is_empty()));
}

#[tokio::test]
async fn wait_until_settled_gives_up_at_its_deadline() {
    let app = kassa_testkit::spawn_app_with(|c| c.simulator.latency = Duration::from_secs(3)).await;
    let kassa = client(&app);
    let pi = kassa
        .payment_intents()
        .create(&CreatePaymentIntent::new(100, Currency::USD).payment_method("pm_card_visa").confirm(true))
        .await
        .unwrap();
    let err = kassa.payment_intents().wait_until_settled(&pi.id, Duration::from_millis(300)).await.unwrap_err();
    assert!(matches!(err, kassa::Error::Timeout { .. }), "{err}");
    let _ = CancellationReason::Abandoned;
}

#[tokio::test]
async fn a_payment_through_a_vipps_connector_says_where_the_customer_approves() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let provider = app.create_merchant("Vipps, played by Kassa").await;
    let serial = provider.serial_number.to_string();
    let credentials = [
        ("client_id", provider.id.as_str()),
        ("client_secret", provider.secret_key.as_str()),
        ("subscription_key", provider.publishable_key.as_str()),
        ("merchant_serial_number", serial.as_str()),
    ];
    let connector = kassa
        .connectors()
        .create(&kassa::CreateConnector::new("vipps", credentials).base_url(app.url("")))
        .await
        .unwrap();
    let billing = kassa::BillingDetails { phone: Some("4791234567".into()), ..Default::default() };
    let pi = kassa
        .payment_intents()
        .create(
            &CreatePaymentIntent::new(25000, Currency::new("NOK"))
                .capture_method(CaptureMethod::Manual)
                .payment_method_data(PaymentMethodData::connector("vipps").with_billing_details(billing))
                .return_url("https://shop.example/back")
                .confirm(true),
        )
        .await
        .unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::RequiresAction);
    let through = pi.connector.expect("the connector it goes through");
    assert_eq!((through.id.as_str(), through.kind.as_str()), (connector.id.as_str(), "vipps"));
    let redirect = pi.next_action.and_then(|a| a.redirect_to_url).expect("where the customer goes");
    assert!(redirect.url.starts_with(&app.url("/checkout/")), "{}", redirect.url);
    assert_eq!(redirect.return_url, "https://shop.example/back");
}

#[tokio::test]
async fn customers_are_created_changed_found_by_email_streamed_and_deleted() {
    let app = spawn_app().await;
    let kassa = client(&app);
    let customers = kassa.customers();
    let ada = customers.create(&kassa::CreateCustomer::with_email("ada@example.com")).await.unwrap();
    let grace = customers.create(&kassa::CreateCustomer::with_email("grace@example.com")).await.unwrap();
    let named = kassa::UpdateCustomer { name: Some("Ada Lovelace".into()), ..Default::default() };
    assert_eq!(customers.update(&ada.id, &named).await.unwrap().name.as_deref(), Some("Ada Lovelace"));
    let by_email = kassa::ListCustomers { email: Some("ADA@example.com".into()), ..Default::default() };
    let found = customers.list(&by_email).await.unwrap();
    assert_eq!(found.data.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [ada.id.as_str()]);
    let one_per_page =
        kassa::ListCustomers { page: ListParams { limit: Some(1), ..Default::default() }, ..Default::default() };
    let every: Vec<kassa::Customer> = customers.list_all(one_per_page).try_collect().await.unwrap();
    assert_eq!(every.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [grace.id.as_str(), ada.id.as_str()]);
    assert!(customers.delete(&ada.id).await.unwrap().deleted);
    assert!(customers.retrieve(&ada.id).await.is_err());
}
