//! The hosted checkout page and the dashboard in a real headless Chromium, driven through chromedriver.
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian: chromium, chromium-driver; `.ci/run`
//! installs them), so it runs only with `--features browser-tests`. Screenshots of each state
//! land in `target/screenshots/`.

mod dashboard;

use fantoccini::{Client, ClientBuilder, Locator};
use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A chromedriver process and one headless Chromium session on it.
struct Browser {
    client: Client,
    _driver: Child,
}

impl Browser {
    async fn open() -> Browser {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver on the PATH (Debian package chromium-driver)");
        // Only loopback traffic: no background services, no sync, no updates.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=390,1000",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--no-first-run",
            "--metrics-recording-only",
            "--disable-domain-reliability",
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({ "args": args }));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Browser { client, _driver: driver },
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start: {last:?}");
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    /// Types a card the way a customer would and presses Pay.
    async fn pay(&self, number: &str) {
        self.fill("#number", number).await;
        self.fill("#expiry", "12 / 34").await;
        self.fill("#cvc", "123").await;
        self.fill("#holder", "Sara Ali").await;
        self.click("button.primary").await;
    }

    async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
    }

    /// Waits until the browser's address starts with `prefix` (the page refreshes while processing).
    async fn wait_for_url(&self, prefix: &str) -> String {
        for _ in 0..200 {
            let url = self.client.current_url().await.unwrap().to_string();
            if url.starts_with(prefix) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {prefix}; at {}", self.client.current_url().await.unwrap());
    }

    async fn wait_for(&self, css: &str) {
        self.client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await.unwrap();
    }

    /// Waits until an element matching `css` says `expected`: the page that had one before (an
    /// earlier notice, say) may still be showing, or be replaced while it is read.
    async fn wait_for_text(&self, css: &str, expected: &str) {
        let mut seen = None;
        for _ in 0..200 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text == expected {
                    return;
                }
                seen = Some(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never said {expected:?}; last {seen:?}");
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

/// A session whose return URLs are on the gateway itself, so the browser never leaves loopback.
async fn session(app: &TestApp, extra: Value) -> (String, Value) {
    let mut body = json!({
        "currency": "USD",
        "line_items": [{"name": "Green tea", "quantity": 2, "unit_amount": 1250}, {"name": "Cup", "quantity": 1, "unit_amount": 1500, "tax_amount": 150}],
        "shipping_amount": 500,
        "success_url": app.url("/shop/thanks"),
        "failure_url": app.url("/shop/failed"),
        "cancel_url": app.url("/shop/cart"),
    });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let res = app.post("/v1/checkout_sessions", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    (json_of(&res.body, "url").to_owned(), res.body)
}

#[tokio::test]
async fn pay_with_a_good_card_and_land_on_the_success_url() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, cs) = session(&app, json!({})).await;
    browser.client.goto(&url).await.unwrap();
    assert_eq!(browser.text("[data-testid=total]").await, "$46.50");
    browser.screenshot("1-page").await;
    browser.pay("4242424242424242").await;
    let landed = browser.wait_for_url(&app.url("/shop/thanks")).await;
    assert!(landed.ends_with(&format!("session_id={}", json_of(&cs, "id"))), "{landed}");
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!((pi["status"].as_str(), pi["amount_captured"].as_i64()), (Some("succeeded"), Some(4650)));
    browser.close().await;
}

#[tokio::test]
async fn a_decline_is_shown_and_the_retry_succeeds() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, _) = session(&app, json!({})).await;
    browser.client.goto(&url).await.unwrap();
    browser.pay("4000000000009995").await;
    browser.wait_for("[data-testid=alert]").await;
    assert!(browser.text("[data-testid=alert]").await.contains("insufficient funds"));
    browser.screenshot("2-declined").await;
    browser.pay("4242424242424242").await;
    browser.wait_for_url(&app.url("/shop/thanks")).await;
    browser.close().await;
}

#[tokio::test]
async fn cancel_goes_back_to_the_shop() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, cs) = session(&app, json!({})).await;
    browser.client.goto(&url).await.unwrap();
    browser.click("button.link").await;
    browser.wait_for_url(&app.url("/shop/cart")).await;
    let cs = app.get(&format!("/v1/checkout_sessions/{}", json_of(&cs, "id"))).await.body;
    assert_eq!(cs["status"], "canceled");
    browser.close().await;
}

#[tokio::test]
async fn a_promotion_code_changes_the_total() {
    let app = spawn_app().await;
    let coupon = app.post("/v1/coupons", json!({"percent_off": 20})).await.body;
    app.post("/v1/promotion_codes", json!({"code": "TEA20", "coupon": json_of(&coupon, "id")})).await;
    let browser = Browser::open().await;
    let (url, cs) = session(&app, json!({})).await;
    browser.client.goto(&url).await.unwrap();
    browser.fill("#code", "tea20").await;
    browser.click("form.promo button").await;
    browser.wait_for("[data-testid=discount]").await;
    assert_eq!(browser.text("[data-testid=total]").await, "$38.50");
    browser.screenshot("3-promotion").await;
    browser.pay("4242424242424242").await;
    browser.wait_for_url(&app.url("/shop/thanks")).await;
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!(pi["amount_captured"], 3850);
    browser.close().await;
}

#[tokio::test]
async fn an_expired_session_shows_a_clear_page_and_takes_no_card() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, cs) = session(&app, json!({})).await;
    app.post(&format!("/v1/checkout_sessions/{}/expire", json_of(&cs, "id")), json!({})).await;
    browser.client.goto(&url).await.unwrap();
    let html = browser.client.source().await.unwrap();
    assert!(html.contains("expired") && !html.contains("id=\"number\""), "{html}");
    browser.screenshot("4-expired").await;
    browser.close().await;
}

#[tokio::test]
async fn the_arabic_page_renders_right_to_left() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, _) = session(&app, json!({"locale": "ar"})).await;
    browser.client.set_window_size(1280, 900).await.unwrap();
    browser.client.goto(&url).await.unwrap();
    let dir = browser.client.execute("return getComputedStyle(document.body).direction", vec![]).await.unwrap();
    assert_eq!(dir, "rtl");
    // Mirrored: the card number label's text sits at the right edge of its field.
    let edges = browser
        .client
        .execute(
            "const r = document.createRange(); r.selectNodeContents(document.querySelector('label[for=number]'));\
             const l = r.getBoundingClientRect();\
             const i = document.getElementById('number').getBoundingClientRect();\
             return [Math.round(l.right), Math.round(i.right), Math.round(l.left), Math.round(i.left)];",
            vec![],
        )
        .await
        .unwrap();
    let edges: Vec<i64> = serde_json::from_value(edges).unwrap();
    assert_eq!(edges[0], edges[1], "the label's text and the field share the right edge: {edges:?}");
    assert!(edges[2] > edges[3], "the label's text is shorter than the field, so it starts further right: {edges:?}");
    browser.screenshot("5-arabic").await;
    browser.close().await;
}

/// A setup session (saves a card, charges nothing) in `locale`.
async fn setup_session(app: &TestApp, locale: &str) -> (String, Value) {
    let body = json!({
        "mode": "setup",
        "currency": "NOK",
        "locale": locale,
        "consumer": {"email": "kari@example.com"},
        "success_url": app.url("/shop/saved"),
        "cancel_url": app.url("/shop/plans"),
    });
    let res = app.post("/v1/checkout_sessions", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    (json_of(&res.body, "url").to_owned(), res.body)
}

#[tokio::test]
async fn save_a_card_without_paying_and_charge_it_later() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, cs) = setup_session(&app, "en").await;
    browser.client.goto(&url).await.unwrap();
    assert_eq!(browser.text("h1").await, "Save a card for Test merchant");
    assert!(browser.text("[data-testid=save-hint]").await.starts_with("Nothing is charged now."));
    let html = browser.client.source().await.unwrap();
    assert!(!html.contains("data-testid=\"total\"") && !html.contains("form class=\"promo\""), "no order, no amount");
    browser.screenshot("6-setup").await;
    browser.pay("4242424242424242").await;
    let landed = browser.wait_for_url(&app.url("/shop/saved")).await;
    assert!(landed.ends_with(&format!("session_id={}", json_of(&cs, "id"))), "{landed}");
    let token = app.get(&format!("/v1/tokens/{}", json_of(&cs, "token"))).await.body;
    assert_eq!((token["status"].as_str(), token["card"]["last4"].as_str()), (Some("active"), Some("4242")));
    let charged = app
        .post("/v1/payment_intents", json!({"amount": 9900, "currency": "NOK", "token": token["id"], "confirm": true}))
        .await;
    assert_eq!(charged.status, 200, "{}", charged.text);
    browser.close().await;
}

#[tokio::test]
async fn a_refused_card_is_not_saved_and_the_setup_page_speaks_every_locale() {
    let app = spawn_app().await;
    let browser = Browser::open().await;
    let (url, cs) = setup_session(&app, "nb").await;
    browser.client.goto(&url).await.unwrap();
    assert_eq!(browser.text("h1").await, "Lagre et kort hos Test merchant");
    browser.pay("4000000000000002").await;
    browser.wait_for_url(&app.url("/shop/plans")).await;
    let token = app.get(&format!("/v1/tokens/{}", json_of(&cs, "token"))).await.body;
    assert_eq!(token["status"], "rejected");
    for (locale, heading, button) in [
        ("ar", "حفظ بطاقة لدى Test merchant", "حفظ البطاقة"),
        ("ja", "Test merchant にカードを登録", "カードを登録"),
        ("en", "Save a card for Test merchant", "Save card"),
    ] {
        let (url, _) = setup_session(&app, locale).await;
        browser.client.goto(&url).await.unwrap();
        assert_eq!(browser.text("h1").await, heading, "{locale}");
        assert_eq!(browser.text("button.primary").await, button, "{locale}");
        browser.screenshot(&format!("7-setup-{locale}")).await;
    }
    browser.close().await;
}

#[tokio::test]
async fn pay_with_vipps_at_the_provider_and_come_back_to_the_success_url() {
    let app = spawn_app().await;
    let provider = app.create_merchant("Vipps, played by Kassa").await;
    let connector = app
        .post(
            "/v1/connectors",
            json!({"type": "vipps", "base_url": app.url(""), "credentials": {
                "client_id": provider.id, "client_secret": provider.secret_key,
                "subscription_key": provider.publishable_key,
                "merchant_serial_number": provider.serial_number.to_string()}}),
        )
        .await;
    assert_eq!(connector.status, 200, "{}", connector.text);
    let browser = Browser::open().await;
    let (url, cs) = session(&app, json!({"currency": "NOK", "payment_method_types": ["card", "vipps"]})).await;
    browser.client.goto(&url).await.unwrap();
    assert_eq!(browser.text("[data-testid=pay-with-vipps]").await, "Pay with Vipps");
    browser.screenshot("vipps-1-page").await;
    browser.click("[data-testid=pay-with-vipps]").await;
    // At the provider's own page (a different session), the customer approves with a card.
    browser.wait_for("#number").await;
    let at_vipps = browser.client.current_url().await.unwrap().to_string();
    assert!(at_vipps.starts_with(&app.url("/checkout/cs_")) && !at_vipps.starts_with(&url), "{at_vipps}");
    browser.pay("4242424242424242").await;
    let landed = browser.wait_for_url(&app.url("/shop/thanks")).await;
    assert!(landed.ends_with(&format!("session_id={}", json_of(&cs, "id"))), "{landed}");
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!((pi["status"].as_str(), pi["amount_captured"].as_i64()), (Some("succeeded"), Some(4650)), "{pi}");
    assert_eq!(pi["connector"]["type"], "vipps");
    browser.close().await;
}
