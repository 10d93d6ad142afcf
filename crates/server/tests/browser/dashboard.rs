//! The merchant dashboard in headless Chromium: a person signs in, finds a payment, refunds
//! part of it from its page, sees the refund on the timeline, sends a webhook again and signs
//! out; with the basics of accessibility checked on each page (every field labelled, focus
//! order, text contrast of at least 4.5:1).

use super::Browser;
use fantoccini::Locator;
use fantoccini::key::Key;
use kassa_testkit::{Receiver, TestApp, json_of, spawn_app};
use serde_json::{Value, json};
use std::time::Duration;

/// Fields without a label, and text whose contrast with its background is under 4.5:1 (WCAG AA).
const A11Y_PROBLEMS: &str = r#"
const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !e.labels || e.labels.length === 0).map(e => 'unlabelled ' + (e.name || e.id));
function lum(c) {
  const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(el) {
  for (; el; el = el.parentElement) {
    const m = getComputedStyle(el).backgroundColor.match(/[\d.]+/g);
    if (m && (m.length < 4 || Number(m[3]) > 0.5)) return getComputedStyle(el).backgroundColor;
  }
  return 'rgb(255, 255, 255)';
}
const faint = [];
for (const el of document.querySelectorAll('body *')) {
  const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  if (!text || style.visibility === 'hidden' || style.display === 'none' || box.width <= 1 || box.right < 0) continue;
  const a = lum(style.color), b = lum(background(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) faint.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)}: ${el.textContent.trim().slice(0, 40)}`);
}
return unlabelled.concat(faint);
"#;

impl Browser {
    async fn a11y_problems(&self) -> Vec<String> {
        let found = self.client.execute(A11Y_PROBLEMS, vec![]).await.unwrap();
        serde_json::from_value(found).unwrap()
    }

    async fn assert_accessible(&self, page: &str) {
        let problems = self.a11y_problems().await;
        assert!(problems.is_empty(), "{page}: {problems:#?}");
    }

    async fn focused_id(&self) -> String {
        let id =
            self.client.execute("return document.activeElement.id || document.activeElement.tagName", vec![]).await;
        id.unwrap().as_str().unwrap_or_default().to_owned()
    }

    async fn press_tab(&self) {
        self.client.active_element().await.unwrap().send_keys(&char::from(Key::Tab).to_string()).await.unwrap();
    }
}

async fn paid(app: &TestApp, amount: i64, reference: &str) -> Value {
    let pi = app
        .create_payment_intent(json!({
            "amount": amount, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true,
            "reference": reference, "customer": "cus_sara"
        }))
        .await;
    app.wait_until_settled(json_of(&pi, "id")).await
}

#[tokio::test]
async fn sign_in_find_a_payment_refund_part_of_it_send_its_webhook_again_and_sign_out() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let we = app.post("/v1/webhook_endpoints", json!({"url": receiver.url(), "enabled_events": ["*"]})).await;
    assert_eq!(we.status, 200, "{}", we.text);
    let user = app.app.create_dashboard_user(&app.merchant.id, "sara@shop.example").await.unwrap();
    let payment = paid(&app, 4_650, "order-1001").await;
    paid(&app, 1_200, "order-1002").await;
    let id = json_of(&payment, "id").to_owned();
    let browser = Browser::open().await;

    // Signed out, the dashboard asks who you are; the fields are labelled and reached in order.
    browser.client.goto(&app.url("/dashboard")).await.unwrap();
    browser.wait_for_url(&app.url("/dashboard/sign-in")).await;
    browser.assert_accessible("sign-in").await;
    browser.screenshot("dashboard-1-sign-in").await;
    browser.client.execute("document.body.focus()", vec![]).await.unwrap();
    browser.press_tab().await;
    assert_eq!(browser.focused_id().await, "email");
    browser.press_tab().await;
    assert_eq!(browser.focused_id().await, "password");
    browser.press_tab().await;
    assert_eq!(browser.focused_id().await, "BUTTON");

    browser.fill("#email", &user.user.email).await;
    browser.fill("#password", "wrong password").await;
    browser.click("button.primary").await;
    browser.wait_for("[data-testid=error]").await;
    assert_eq!(browser.text("[data-testid=error]").await, "The email or the password is wrong.");
    browser.fill("#password", &user.password).await;
    browser.click("button.primary").await;
    // It opens on the overview: charts drawn on the server, each with its table.
    browser.wait_for_url(&app.url("/dashboard/test/overview")).await;
    browser.wait_for("[data-testid=outcomes] svg").await;
    browser.assert_accessible("overview").await;
    browser.screenshot("dashboard-2-overview").await;
    browser.client.goto(&app.url("/dashboard/test/payments")).await.unwrap();
    browser.wait_for("[data-testid=payments]").await;
    browser.assert_accessible("payments").await;
    browser.screenshot("dashboard-2-payments").await;

    // Find it by its reference.
    browser.fill("#q", "order-1001").await;
    browser.click("form.filters button.primary").await;
    browser.wait_for_url(&app.url("/dashboard/test/payments?q=order-1001")).await;
    let rows = browser.client.find_all(Locator::Css("[data-testid=payments] tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1, "only the payment searched for");
    browser.screenshot("dashboard-3-search").await;
    browser.click(&format!("a[href$='/payments/{id}']")).await;
    browser.wait_for("[data-testid=payment-id]").await;
    assert_eq!(browser.text("[data-testid=amount]").await, "$46.50");
    browser.assert_accessible("payment").await;
    browser.screenshot("dashboard-4-payment").await;

    // A partial refund, confirmed on its own page.
    browser.fill("#refund-amount", "10").await;
    browser.click("form.action[action$='/refund'] button").await;
    browser.wait_for("[data-testid=question]").await;
    assert_eq!(browser.text("[data-testid=question]").await, "Refund $10.00 to the customer's card?");
    browser.assert_accessible("confirmation").await;
    browser.screenshot("dashboard-5-confirm").await;
    browser.click("[data-testid=confirm]").await;
    browser.wait_for_text("[data-testid=notice]", "Refund created.").await;
    assert_eq!(browser.text("[data-testid=refunded]").await, "$10.00");
    browser.wait_for("li[data-event-type='refund.succeeded']").await;
    browser.screenshot("dashboard-6-refunded").await;
    let refunds = app.get(&format!("/v1/refunds?payment_intent={id}")).await;
    assert_eq!(refunds.body["data"][0]["amount"], 1000, "{}", refunds.text);

    // The payment's success event, sent again to the endpoint from the timeline.
    let succeeded = |r: &[kassa_testkit::Received]| {
        r.iter()
            .filter(|d| {
                d.json()["type"] == "payment_intent.succeeded" && d.json()["data"]["object"]["id"] == id.as_str()
            })
            .count()
    };
    for _ in 0..200 {
        if succeeded(&receiver.received()) >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(succeeded(&receiver.received()), 1, "delivered once before");
    browser.click("li[data-event-type='payment_intent.succeeded'] button").await;
    // The refund's notice is on the page until the new one replaces it.
    browser.wait_for_text("[data-testid=notice]", "The event was queued for delivery again.").await;
    for _ in 0..200 {
        if succeeded(&receiver.received()) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(succeeded(&receiver.received()), 2, "sent again");
    browser.client.refresh().await.unwrap();
    browser.wait_for("[data-testid=payment-id]").await;
    let deliveries = browser
        .client
        .find_all(Locator::Css("li[data-event-type='payment_intent.succeeded'] [data-testid=delivery]"))
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 2, "both deliveries and their answers are on the timeline");
    browser.client.set_window_size(1280, 900).await.unwrap();
    browser.screenshot("dashboard-7-timeline-desktop").await;

    // The connectors page: a form per provider, every field labelled, readable.
    browser.client.goto(&app.url("/dashboard/test/connectors")).await.unwrap();
    browser.wait_for("[data-testid=connect-vipps]").await;
    browser.assert_accessible("connectors").await;

    // Signing out ends the session; the pages ask again.
    browser.click("header form button").await;
    browser.wait_for_url(&app.url("/dashboard/sign-in")).await;
    browser.client.goto(&app.url(&format!("/dashboard/test/payments/{id}"))).await.unwrap();
    browser.wait_for_url(&app.url("/dashboard/sign-in")).await;
    browser.screenshot("dashboard-8-signed-out").await;
    browser.close().await;
}
