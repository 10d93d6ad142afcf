//! The hosted checkout page, driven over HTTP with its forms (no JavaScript needed).

use futures_util::future::join_all;
use kassa_domain::{KeyKind, Mode};
use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A browser without JavaScript: no redirects followed, so each step can be checked.
pub(crate) struct Browser {
    http: reqwest::Client,
}

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) html: String,
}

impl Page {
    pub(crate) fn csrf(&self) -> String {
        let start = self.html.find("name=\"csrf\" value=\"").expect("a form token") + 19;
        self.html[start..start + 32].to_owned()
    }
}

impl Browser {
    pub(crate) fn new() -> Browser {
        Browser { http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap() }
    }

    pub(crate) async fn get(&self, url: &str) -> Page {
        Self::read(self.http.get(url).send().await.unwrap()).await
    }

    pub(crate) async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let res = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        Self::read(res).await
    }

    async fn read(res: reqwest::Response) -> Page {
        let status = res.status().as_u16();
        let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        Page { status, location, html: res.text().await.unwrap() }
    }

    /// Fills the card form and submits it.
    pub(crate) async fn pay(&self, url: &str, number: &str) -> Page {
        let page = self.get(url).await;
        assert_eq!(page.status, 200, "{}", page.html);
        let csrf = page.csrf();
        self.post(
            &format!("{url}/pay"),
            &[("csrf", &csrf), ("number", number), ("expiry", "12 / 34"), ("cvc", "123"), ("holder", "Sara Ali")],
        )
        .await
    }

    /// Follows the page until the payment is no longer processing; returns the final page.
    pub(crate) async fn settle(&self, url: &str) -> Page {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let page = self.get(url).await;
            if !page.html.contains("http-equiv=\"refresh\"") {
                return page;
            }
            assert!(Instant::now() < deadline, "still processing");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn order(extra: Value) -> Value {
    let mut body = json!({
        "currency": "USD",
        "line_items": [{"name": "Green tea", "quantity": 2, "unit_amount": 1250}, {"name": "Cup", "quantity": 1, "unit_amount": 1500, "tax_amount": 150}],
        "shipping_amount": 500,
        "consumer": {"email": "sara@example.com"},
        "success_url": "https://shop.example/paid?order=1001",
        "failure_url": "https://shop.example/failed",
        "cancel_url": "https://shop.example/cart"
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn session(app: &TestApp, extra: Value) -> Value {
    let res = app.post("/v1/checkout_sessions", order(extra)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[tokio::test]
async fn paying_with_a_good_card_lands_on_the_success_url() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url");
    let paid = browser.pay(url, "4242 4242 4242 4242").await;
    assert_eq!(
        (paid.status, paid.location.as_deref()),
        (303, Some(format!("/checkout/{}", json_of(&cs, "id")).as_str()))
    );
    let done = browser.settle(url).await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("https://shop.example/paid?order=1001&session_id={}", json_of(&cs, "id")).as_str())
    );
    let cs = app.get(&format!("/v1/checkout_sessions/{}?expand[]=payment_intent", json_of(&cs, "id"))).await.body;
    assert_eq!((cs["status"].as_str(), cs["payment_status"].as_str()), (Some("complete"), Some("paid")));
    let pi = &cs["payment_intent"];
    assert_eq!(
        (pi["status"].as_str(), pi["amount_captured"].as_i64()),
        (Some("succeeded"), Some(2500 + 1500 + 150 + 500))
    );
    assert_eq!(pi["payment_method_details"]["card"]["last4"], "4242");
    let events =
        app.get(&format!("/v1/events?type=checkout.session.completed&related_object={}", json_of(pi, "id"))).await.body;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    // Paying again changes nothing.
    let again = browser.post(&format!("{url}/pay"), &[("csrf", "00"), ("number", "4242424242424242")]).await;
    assert_eq!(again.status, 403);
    if let Some(dir) = app.database.sqlite_dir() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap()).into_owned();
            assert!(!text.contains("4242424242424242"), "a card number reached the database");
        }
    }
}

#[tokio::test]
async fn a_decline_shows_a_retry_and_a_second_card_succeeds() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url");
    browser.pay(url, "4000000000009995").await;
    let declined = browser.settle(url).await;
    assert_eq!(declined.status, 200);
    assert!(declined.html.contains("insufficient funds"), "{}", declined.html);
    assert!(declined.html.contains("Attempts left: 2"));
    let cs_now = app.get(&format!("/v1/checkout_sessions/{}", json_of(&cs, "id"))).await.body;
    assert_eq!(
        (cs_now["status"].as_str(), cs_now["payment_status"].as_str(), cs_now["failed_attempts"].as_u64()),
        (Some("open"), Some("failed"), Some(1))
    );
    browser.pay(url, "5555555555554444").await;
    let done = browser.settle(url).await;
    assert!(done.location.unwrap().starts_with("https://shop.example/paid"));
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!(
        (pi["status"].as_str(), pi["payment_method_details"]["card"]["brand"].as_str()),
        (Some("succeeded"), Some("mastercard"))
    );
}

#[tokio::test]
async fn after_the_last_declined_attempt_the_customer_goes_to_the_failure_url() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url");
    for _ in 0..2 {
        browser.pay(url, "4000000000000002").await;
        assert_eq!(browser.settle(url).await.status, 200);
    }
    browser.pay(url, "4000000000000002").await;
    let last = browser.settle(url).await;
    assert_eq!((last.status, last.location.as_deref()), (303, Some("https://shop.example/failed")));
    let cs = app.get(&format!("/v1/checkout_sessions/{}?expand[]=payment_intent", json_of(&cs, "id"))).await.body;
    assert_eq!((cs["status"].as_str(), cs["failed_attempts"].as_u64()), (Some("canceled"), Some(3)));
    assert_eq!(cs["payment_intent"]["status"], "canceled");
}

#[tokio::test]
async fn cancel_returns_to_the_shop_and_voids_the_session() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url");
    let csrf = browser.get(url).await.csrf();
    let canceled = browser.post(&format!("{url}/cancel"), &[("csrf", &csrf)]).await;
    assert_eq!(canceled.status, 303);
    let after = browser.get(url).await;
    assert_eq!(after.location.as_deref(), Some("https://shop.example/cart"));
    let cs = app.get(&format!("/v1/checkout_sessions/{}", json_of(&cs, "id"))).await.body;
    assert_eq!(cs["status"], "canceled");
    let refused = browser
        .post(
            &format!("{url}/pay"),
            &[
                ("csrf", &csrf),
                ("number", "4242424242424242"),
                ("expiry", "12 / 34"),
                ("cvc", "123"),
                ("holder", "Sara Ali"),
            ],
        )
        .await;
    assert_eq!(
        refused.status, 303,
        "a canceled session takes no payment: back to the page, which sends the customer home"
    );
    assert!(url.ends_with(refused.location.as_deref().unwrap()));
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!((pi["status"].as_str(), pi["amount_captured"].as_i64()), (Some("canceled"), Some(0)));
}

#[tokio::test]
async fn a_promotion_code_on_the_page_changes_the_total() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let coupon = app.post("/v1/coupons", json!({"percent_off": 20})).await.body;
    app.post("/v1/promotion_codes", json!({"code": "TEA20", "coupon": json_of(&coupon, "id")})).await;
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url");
    let page = browser.get(url).await;
    assert!(page.html.contains("$46.50"), "total before: {}", page.html);
    let refused = browser.post(&format!("{url}/promotion"), &[("csrf", &page.csrf()), ("code", "NOPE")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("This code is not valid"));
    let applied = browser.post(&format!("{url}/promotion"), &[("csrf", &page.csrf()), ("code", "tea20")]).await;
    assert_eq!(applied.status, 303);
    let page = browser.get(url).await;
    // 20% of the 4000 of goods is 800: 4650 − 800.
    assert!(page.html.contains("−$8.00") && page.html.contains("$38.50"), "{}", page.html);
    browser.pay(url, "4242424242424242").await;
    browser.settle(url).await;
    let pi = app.get(&format!("/v1/payment_intents/{}", json_of(&cs, "payment_intent"))).await.body;
    assert_eq!(pi["amount_captured"], 3850, "{pi}");
    let promo = app.get("/v1/promotion_codes?code=TEA20").await.body;
    assert_eq!(promo["data"][0]["times_redeemed"], 1);
    assert_eq!(app.get(&format!("/v1/coupons/{}", json_of(&coupon, "id"))).await.body["times_redeemed"], 1);
}

#[tokio::test]
async fn concurrent_checkouts_never_exceed_a_codes_redemptions() {
    let app = spawn_app().await;
    let coupon = app.post("/v1/coupons", json!({"amount_off": 500, "currency": "USD"})).await.body;
    app.post("/v1/promotion_codes", json!({"code": "FIRST3", "coupon": json_of(&coupon, "id"), "max_redemptions": 3}))
        .await;
    let mut urls = Vec::new();
    for i in 0..8 {
        let cs =
            session(&app, json!({"promotion_code": "FIRST3", "consumer": {"email": format!("buyer{i}@example.com")}}))
                .await;
        urls.push(json_of(&cs, "url").to_owned());
    }
    let browser = Browser::new();
    let attempts = join_all(urls.iter().map(|url| browser.pay(url, "4242424242424242"))).await;
    let started = attempts.iter().filter(|p| p.status == 303).count();
    let refused = attempts.iter().filter(|p| p.status == 422 && p.html.contains("used as many times")).count();
    assert_eq!((started, refused), (3, 5), "{:?}", attempts.iter().map(|p| p.status).collect::<Vec<_>>());
    for url in &urls {
        browser.settle(url).await;
    }
    let promo = app.get("/v1/promotion_codes?code=FIRST3").await.body;
    assert_eq!(promo["data"][0]["times_redeemed"], 3);
    let complete = app.get("/v1/checkout_sessions?status=complete&limit=100").await.body;
    assert_eq!(complete["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn first_time_codes_are_for_first_time_customers() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let coupon = app.post("/v1/coupons", json!({"percent_off": 10})).await.body;
    app.post(
        "/v1/promotion_codes",
        json!({"code": "WELCOME", "coupon": json_of(&coupon, "id"), "restrictions": {"first_time_transaction": true}}),
    )
    .await;
    let first = session(&app, json!({"promotion_code": "WELCOME"})).await;
    browser.pay(json_of(&first, "url"), "4242424242424242").await;
    browser.settle(json_of(&first, "url")).await;
    let again = app
        .post(
            "/v1/checkout_sessions",
            order(json!({"promotion_code": "WELCOME", "consumer": {"email": "SARA@example.com"}})),
        )
        .await;
    assert_eq!((again.status, again.error()["code"].as_str()), (422, Some("promotion_code_first_time_only")));
    let newcomer = app
        .post(
            "/v1/checkout_sessions",
            order(json!({"promotion_code": "WELCOME", "consumer": {"email": "new@example.com"}})),
        )
        .await;
    assert_eq!(newcomer.status, 200);
}

#[tokio::test]
async fn an_expired_session_shows_a_clear_page_and_never_charges() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let cs = session(&app, json!({"expires_in": 1})).await;
    let url = json_of(&cs, "url");
    let csrf = browser.get(url).await.csrf();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let page = browser.get(url).await;
    assert_eq!(page.status, 410);
    assert!(page.html.contains("This checkout has expired") && page.html.contains("Nothing was charged"));
    let pay = browser
        .post(
            &format!("{url}/pay"),
            &[("csrf", &csrf), ("number", "4242424242424242"), ("expiry", "12/34"), ("cvc", "123"), ("holder", "S")],
        )
        .await;
    assert_eq!(pay.status, 303);
    assert_eq!(browser.get(url).await.status, 410);
    let ops = app
        .get(&format!("/v1/test_helpers/simulator/operations?payment_intent={}", json_of(&cs, "payment_intent")))
        .await
        .body;
    assert!(ops["data"].as_array().unwrap().is_empty(), "nothing reached the card network");
}

#[tokio::test]
async fn the_page_speaks_the_sessions_language() {
    let app = spawn_app().await;
    let browser = Browser::new();
    for (locale, lang, dir, word) in [
        ("ar", "ar", "rtl", "الدفع"),
        ("ja", "ja", "ltr", "お支払い"),
        ("nb", "nb", "ltr", "Betaling"),
        ("en-GB", "en", "ltr", "Checkout"),
    ] {
        let cs = session(&app, json!({"locale": locale, "currency": "NOK"})).await;
        let page = browser.get(json_of(&cs, "url")).await;
        assert!(page.html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")), "{locale}");
        assert!(page.html.contains(word), "{locale}");
    }
    let nb = session(&app, json!({"locale": "nb", "currency": "NOK"})).await;
    assert!(browser.get(json_of(&nb, "url")).await.html.contains("46,50\u{a0}kr"));
    let unknown = browser.get(&app.url("/checkout/cs_000000000000000000000000")).await;
    assert_eq!((unknown.status, unknown.html.contains("not valid")), (404, true));
    let css = browser.get(&app.url("/checkout/assets/style.css")).await;
    // Logical properties only, so that dir="rtl" mirrors the layout without a second sheet.
    assert_eq!(css.status, 200);
    assert!(!css.html.contains("left") && !css.html.contains("right") && css.html.contains("text-align: end"));
}

#[tokio::test]
async fn form_errors_are_named_inline_and_test_cards_are_refused_in_live_mode() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url");
    let csrf = browser.get(url).await.csrf();
    let bad = browser
        .post(
            &format!("{url}/pay"),
            &[("csrf", &csrf), ("number", "4242"), ("expiry", "13/20"), ("cvc", "1"), ("holder", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    for (id, described_by) in
        [("number", "number-error"), ("expiry", "expiry-hint expiry-error"), ("holder", "holder-error")]
    {
        assert!(bad.html.contains(&format!("id=\"{id}-error\"")), "{id} error shown");
        assert!(bad.html.contains(&format!("aria-describedby=\"{described_by}\"")), "{id} described by its error");
    }
    assert!(!bad.html.contains("id=\"cvc-error\""), "no CVC check without a valid card number to know its brand");
    assert!(!bad.html.contains("value=\"4242\""), "the card number is never sent back");

    // Live mode has no card processor: no live page takes a card (tests/api/live_mode.rs).
    let (_, live_key) = app.create_key(KeyKind::Secret, Mode::Live).await;
    let live = app.request("POST", "/v1/checkout_sessions", Some(order(json!({}))), Some(&live_key), None).await;
    assert_eq!((live.status, live.error()["code"].as_str()), (422, Some("no_card_processor")), "{}", live.text);
}

#[tokio::test]
async fn guessing_promotion_codes_locks_the_form_after_a_few_misses() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let coupon = app.post("/v1/coupons", json!({"percent_off": 20})).await.body;
    app.post("/v1/promotion_codes", json!({"code": "TEA20", "coupon": json_of(&coupon, "id")})).await;
    // A session takes the code after a typo or two (and the lock below is that session's
    // alone; this address's burst of tries is spent after it).
    let other = session(&app, json!({})).await;
    let other_url = json_of(&other, "url");
    let csrf = browser.get(other_url).await.csrf();
    let typo = browser.post(&format!("{other_url}/promotion"), &[("csrf", &csrf), ("code", "TEA2O")]).await;
    assert_eq!(typo.status, 422);
    let applied = browser.post(&format!("{other_url}/promotion"), &[("csrf", &csrf), ("code", "tea20")]).await;
    assert_eq!(applied.status, 303);
    let cs = session(&app, json!({})).await;
    let url = json_of(&cs, "url").to_owned();
    let csrf = browser.get(&url).await.csrf();
    // Sixty guesses at once: the session's row lock counts them one after the other.
    let guesses = (0..60).map(|i| {
        let (browser, url, csrf) = (&browser, &url, &csrf);
        async move {
            let code = format!("GUESS{i}");
            browser.post(&format!("{url}/promotion"), &[("csrf", csrf), ("code", &code)]).await
        }
    });
    let answers: Vec<u16> = join_all(guesses).await.iter().map(|a| a.status).collect();
    // Refused as wrong (422), or, past the address's burst, before being looked at (429).
    assert!(answers.iter().all(|s| *s == 422 || *s == 429), "{answers:?}");
    assert!(answers.iter().filter(|s| **s == 422).count() >= 5, "{answers:?}");
    // The right code no longer helps: the form is locked and the total unchanged.
    let late = browser.post(&format!("{url}/promotion"), &[("csrf", &csrf), ("code", "TEA20")]).await;
    assert!(late.status == 422 || late.status == 429, "{}", late.status);
    let page = browser.get(&url).await;
    assert!(page.html.contains("data-testid=\"promotion-locked\""), "{}", page.html);
    assert!(page.html.contains("$46.50") && !page.html.contains("name=\"code\""), "{}", page.html);
    let promo = app.get("/v1/promotion_codes?code=TEA20").await.body;
    assert_eq!(promo["data"][0]["times_redeemed"], 0);
}

/// Guessing codes across many sessions from one address: after a burst, the page answers 429
/// and says to wait, without looking at the code (each session also locks after 5 misses).
#[tokio::test]
async fn one_address_guessing_codes_across_sessions_is_throttled() {
    let app = spawn_app().await;
    let browser = Browser::new();
    let mut statuses = Vec::new();
    for n in 0..4 {
        let cs = session(&app, json!({})).await;
        let url = json_of(&cs, "url").to_owned();
        for guess in 0..4 {
            let csrf = browser.get(&url).await.csrf();
            let code = format!("GUESS{n}{guess}");
            let page = browser.post(&format!("{url}/promotion"), &[("csrf", &csrf), ("code", &code)]).await;
            if page.status == 429 {
                assert!(page.html.contains("wait a minute"), "{}", page.html);
            }
            statuses.push(page.status);
        }
    }
    assert_eq!(statuses[..10], [422; 10], "a burst of honest mistakes is answered: {statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "then the address waits: {statuses:?}");
}
