//! Every path and method in the gateway's OpenAPI document has an SDK method: this test calls
//! every SDK method through a recording proxy and checks that the calls cover the document.
//! A new endpoint without SDK support fails here.

use crate::client_for;
use kassa::{
    CancelPaymentIntent, CapturePaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreateRefund, Currency,
    ListEvents, ListParams, ListPaymentIntents, ListRefunds, UpdatePaymentIntent, UpdateRefund,
};
use kassa_testkit::proxy::Proxy;
use kassa_testkit::spawn_app;
use std::collections::BTreeSet;

fn matches_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

#[tokio::test]
async fn the_sdk_covers_every_operation_of_the_openapi_document() {
    let app = spawn_app().await;
    let proxy = Proxy::start(app.address).await;
    let kassa = client_for(&app, &proxy.url());
    let intents = kassa.payment_intents();

    // Every SDK method once (results do not matter here, only that each call is made).
    let pi =
        intents.create(&CreatePaymentIntent::new(900, Currency::USD).payment_method("pm_card_visa")).await.unwrap();
    let _ = intents.retrieve(&pi.id).await;
    let _ = intents.retrieve_by_reference("order-1").await;
    let _ = intents.update(&pi.id, &UpdatePaymentIntent::default().description("d")).await;
    let _ = intents.list(&ListPaymentIntents::default()).await;
    let _ = intents.confirm(&pi.id, &ConfirmPaymentIntent::default()).await;
    let pi = intents.wait_until_settled(&pi.id, std::time::Duration::from_secs(20)).await.unwrap();
    let _ = intents.capture(&pi.id, &CapturePaymentIntent::all()).await;
    let captures = kassa.captures().of_payment_intent(&pi.id, &ListParams::default()).await.unwrap();
    let _ = kassa.captures().retrieve(&captures.data[0].id).await;
    let _ = intents.cancel(&pi.id, &CancelPaymentIntent::default()).await;
    let _ = intents.events(&pi.id, &ListParams::default()).await;
    let refund = kassa.refunds().create(&CreateRefund::new(&pi.id).amount(100)).await.unwrap();
    let _ = kassa.refunds().retrieve(&refund.id).await;
    let _ = kassa.refunds().update(&refund.id, &UpdateRefund::default()).await;
    let _ = kassa.refunds().list(&ListRefunds::default()).await;
    let events = kassa.events().list(&ListEvents::default()).await.unwrap();
    let _ = kassa.events().retrieve(&events.data[0].id).await;
    let _ = kassa.test_helpers().simulator_operations(&pi.id).await;
    let endpoint = kassa
        .webhook_endpoints()
        .create(&kassa::CreateWebhookEndpoint::new("http://127.0.0.1:9/hooks", ["*"]))
        .await
        .unwrap();
    let _ = kassa.webhook_endpoints().retrieve(&endpoint.id).await;
    let _ = kassa.webhook_endpoints().list(&ListParams::default()).await;
    let _ = kassa.webhook_endpoints().update(&endpoint.id, &Default::default()).await;
    let _ = kassa.webhook_endpoints().rotate_secret(&endpoint.id, &Default::default()).await;
    let _ = kassa.webhook_endpoints().deliveries(&endpoint.id, &ListParams::default()).await;
    let _ = kassa.events().deliveries(&events.data[0].id, &ListParams::default()).await;
    let _ = kassa.events().redeliver(&events.data[0].id, &Default::default()).await;
    let _ = kassa.webhook_endpoints().delete(&endpoint.id).await;
    let order = kassa::CreateCheckoutSession::new(
        Currency::USD,
        vec![kassa::LineItem::new("Tea", 1, 500)],
        "https://shop.example/ok",
    );
    let url = kassa.checkout_sessions().create_redirect_url(&order).await.unwrap();
    let cs_id = url.rsplit('/').next().unwrap().to_owned();
    let _ = kassa.checkout_sessions().retrieve(&cs_id).await;
    let _ = kassa.checkout_sessions().list(&Default::default()).await;
    let _ = kassa.checkout_sessions().expire(&cs_id).await;
    let setup = kassa
        .checkout_sessions()
        .create(&kassa::CreateCheckoutSession::setup(Currency::USD, "https://shop.example/saved"))
        .await
        .unwrap();
    let token = setup.token.clone().unwrap();
    let _ = kassa.tokens().retrieve(&token).await;
    let _ = kassa.tokens().list(&Default::default()).await;
    let _ = kassa.tokens().disable(&token).await;
    let _ = kassa.tokens().enable(&token).await;
    let _ = kassa.tokens().delete(&token).await;
    let coupon = kassa.coupons().create(&kassa::CreateCoupon::percent_off(10)).await.unwrap();
    let _ = kassa.coupons().retrieve(&coupon.id).await;
    let _ = kassa.coupons().update(&coupon.id, &Default::default()).await;
    let _ = kassa.coupons().list(&ListParams::default()).await;
    let promo = kassa.promotion_codes().create(&kassa::CreatePromotionCode::new("TEN-OFF", &coupon.id)).await.unwrap();
    let _ = kassa.promotion_codes().retrieve(&promo.id).await;
    let _ = kassa.promotion_codes().update(&promo.id, &Default::default()).await;
    let _ = kassa.promotion_codes().list(&Default::default()).await;
    let connector = kassa::CreateConnector::new("probuy", [("api_token", "x")]).base_url("http://127.0.0.1:9");
    let _ = kassa.connectors().create(&connector).await;
    let _ = kassa.connectors().list(&ListParams::default()).await;
    let _ = kassa.connectors().retrieve("conn_x").await;
    let _ = kassa.connectors().update("conn_x", &Default::default()).await;
    let _ = kassa.connectors().delete("conn_x").await;
    let _ = kassa.customers().create(&kassa::CreateCustomer::with_email("a@example.com")).await;
    let _ = kassa.customers().list(&kassa::ListCustomers::default()).await;
    let _ = kassa.customers().retrieve("cus_x").await;
    let _ = kassa.customers().update("cus_x", &Default::default()).await;
    let _ = kassa.customers().delete("cus_x").await;
    let _ = kassa.products().create(&kassa::CreateProduct::named("Lamp")).await;
    let _ = kassa.products().list(&ListParams::default()).await;
    let _ = kassa.products().retrieve("prod_x").await;
    let _ = kassa.products().update("prod_x", &Default::default()).await;
    let _ = kassa.prices().create(&kassa::CreatePrice::new("prod_x", 500, kassa::Currency::USD)).await;
    let _ = kassa.prices().list(&kassa::ListPrices::default()).await;
    let _ = kassa.prices().retrieve("price_x").await;
    let _ = kassa.prices().update("price_x", &Default::default()).await;
    let _ = kassa.health().await;
    let _ = kassa.ready().await;
    let document = kassa.openapi().await.unwrap();

    let called: BTreeSet<(String, String)> =
        proxy.seen().iter().map(|s| (s.method.to_lowercase(), s.path().to_owned())).collect();
    let mut uncovered = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let covered = called.iter().any(|(m, p)| m == method && matches_template(template, p));
            if !covered {
                uncovered.push(format!("{} {template}", method.to_uppercase()));
            }
        }
    }
    assert!(uncovered.is_empty(), "operations without an SDK method: {uncovered:?}");
}
