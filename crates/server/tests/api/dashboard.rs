//! The merchant dashboard over HTTP, as a browser without JavaScript uses it: signing in (and
//! being locked out), finding a payment, acting on it through confirmations whose forms are
//! idempotent and carry the session's token, webhooks and keys, and nothing of another merchant
//! or mode.

use kassa_testkit::{TestApp, json_of, spawn_app};
use serde_json::json;

/// A person in a browser: follows nothing by itself, keeps the session cookie.
struct Person {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

struct Page {
    status: u16,
    location: Option<String>,
    set_cookie: Option<String>,
    html: String,
}

impl Page {
    /// The value of the first hidden field called `name`.
    fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.html.find(&marker).unwrap_or_else(|| panic!("no {name} field in {}", self.html)) + marker.len();
        self.html[start..].split('"').next().unwrap().to_owned()
    }
}

impl Person {
    fn new(app: &TestApp) -> Person {
        Person::from_address(app, std::net::Ipv4Addr::LOCALHOST)
    }

    /// A person whose connections come from `address` (any of the loopback range).
    fn from_address(app: &TestApp, address: std::net::Ipv4Addr) -> Person {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::V4(address))
            .build()
            .unwrap();
        Person { http, base: app.url(""), cookie: None }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", c),
            None => req,
        };
        let res = req.send().await.unwrap();
        let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        let (location, set_cookie) = (header("location"), header("set-cookie"));
        if let Some(c) = &set_cookie {
            let pair = c.split(';').next().unwrap().to_owned();
            self.cookie = (!pair.ends_with('=')).then_some(pair);
        }
        Page { status: res.status().as_u16(), location, set_cookie, html: res.text().await.unwrap() }
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.post(
            "/dashboard/sign-in",
            &[("email", email), ("password", password), ("next", "/dashboard/test/payments")],
        )
        .await
    }

    /// Opens a confirmation page and submits its form as shown.
    async fn confirm(&mut self, confirmation: &str) -> Page {
        let page = self.get(confirmation).await;
        assert_eq!(page.status, 200, "{}", page.html);
        // The sign-out form comes first in the frame; the confirmation's is the last.
        let marker = "method=\"post\" action=\"";
        let action =
            page.html[page.html.rfind(marker).expect("a form") + marker.len()..].split('"').next().unwrap().to_owned();
        let mut fields = vec![("csrf", page.field("csrf"))];
        for name in ["idempotency_key", "amount", "reason"] {
            if page.html.contains(&format!("name=\"{name}\" value=")) {
                fields.push((name, page.field(name)));
            }
        }
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(&action, &fields).await
    }
}

async fn user(app: &TestApp) -> (String, String) {
    let created = app.app.create_dashboard_user(&app.merchant.id, "Owner@Shop.example").await.unwrap();
    (created.user.email, created.password)
}

#[tokio::test]
async fn only_the_right_password_signs_in_and_repeated_failures_lock_the_user() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    assert_eq!(email, "owner@shop.example", "emails are kept in lower case");
    let mut person = Person::new(&app);

    let page = person.get("/dashboard/test/payments?q=x").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location.as_deref(), Some("/dashboard/sign-in?next=%2Fdashboard%2Ftest%2Fpayments%3Fq%3Dx"));

    let wrong = person.sign_in(&email, "not-the-password").await;
    assert_eq!(wrong.status, 401, "{}", wrong.html);
    assert!(wrong.set_cookie.is_none());
    let unknown = person.sign_in("nobody@shop.example", &password).await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.html.contains("The email or the password is wrong."), "same words for both: {}", unknown.html);

    let signed = person.sign_in("OWNER@shop.example", &password).await;
    assert_eq!(signed.status, 303, "{}", signed.html);
    assert_eq!(signed.location.as_deref(), Some("/dashboard/test/payments"));
    let cookie = signed.set_cookie.unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/dashboard"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert_eq!(person.get("/dashboard/test/payments").await.status, 200);

    // Five wrong passwords in a row from one address lock it out: even the right one waits.
    let mut stranger = Person::new(&app);
    for _ in 0..5 {
        assert_eq!(stranger.sign_in(&email, "guess").await.status, 401);
    }
    let locked = stranger.sign_in(&email, &password).await;
    assert_eq!(locked.status, 429, "{}", locked.html);
    assert!(locked.html.contains("Too many wrong passwords"), "{}", locked.html);
    // A session made before the lock keeps working; the lock is about signing in.
    assert_eq!(person.get("/dashboard/test/payments").await.status, 200);
}

#[tokio::test]
async fn an_unknown_email_is_answered_as_a_known_one_and_a_lock_keeps_out_only_its_address() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    // Whoever guesses, from their own address: the same answers, in the same order, for an
    // email that has a user and one that has none.
    let mut answers = Vec::new();
    for (guessed, from) in [(email.as_str(), [127, 0, 0, 2]), ("nobody@shop.example", [127, 0, 0, 3])] {
        let mut guesser = Person::from_address(&app, from.into());
        let mut seen = Vec::new();
        for _ in 0..7 {
            let page = guesser.sign_in(guessed, "a-wrong-guess").await;
            let words = page.html.replace(guessed, "EMAIL");
            seen.push((page.status, words));
        }
        answers.push(seen);
    }
    let statuses: Vec<u16> = answers[0].iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
    assert!(answers[0][5].1.contains("Too many wrong passwords"), "{}", answers[0][5].1);
    assert_eq!(answers[0], answers[1], "a known and an unknown email are told apart by nothing");
    // The guesser's lock is theirs: the user, from their own address, signs in.
    let mut owner = Person::from_address(&app, [127, 0, 0, 4].into());
    let signed = owner.sign_in(&email, &password).await;
    assert_eq!(signed.status, 303, "{}", signed.html);
    // And the guesser stays locked out of that email even with the right password.
    let mut guesser = Person::from_address(&app, [127, 0, 0, 2].into());
    assert_eq!(guesser.sign_in(&email, &password).await.status, 429);
}

#[tokio::test]
async fn a_person_finds_a_payment_and_refunds_part_of_it_exactly_once() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let paid = app
        .create_payment_intent(json!({
            "amount": 4_200, "currency": "USD", "payment_method": "pm_card_visa", "confirm": true,
            "metadata": {"order": "A-77"}
        }))
        .await;
    let id = json_of(&paid, "id").to_owned();
    app.wait_until_settled(&id).await;
    let other = app
        .create_payment_intent(
            json!({"amount": 1_000, "currency": "USD", "reference": "ref-other", "customer": "cus_9"}),
        )
        .await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;

    let all = person.get("/dashboard/test/payments").await;
    assert!(all.html.contains(&id) && all.html.contains(json_of(&other, "id")), "{}", all.html);
    for (query, finds_paid) in [("ref-other", false), ("CUS_9", false), ("42.00", true), ("4200", true)] {
        let found = person.get(&format!("/dashboard/test/payments?q={query}")).await;
        assert_eq!(found.html.contains(&id), finds_paid, "{query}: {}", found.html);
        assert_eq!(found.html.contains(json_of(&other, "id")), !finds_paid, "{query}");
    }
    let succeeded = person.get("/dashboard/test/payments?status=succeeded").await;
    assert!(succeeded.html.contains(&id) && !succeeded.html.contains(json_of(&other, "id")));
    let by_id = person.get(&format!("/dashboard/test/payments?q={id}")).await;
    assert_eq!(by_id.location.as_deref(), Some(format!("/dashboard/test/payments/{id}").as_str()));

    let detail = person.get(&format!("/dashboard/test/payments/{id}")).await;
    assert!(detail.html.contains("$42.00") && detail.html.contains("visa •••• 4242"), "{}", detail.html);
    assert!(detail.html.contains("data-event-type=\"payment_intent.succeeded\""));

    // The confirmation says what will happen; its form refunds once however often it is sent.
    let confirmation = format!("/dashboard/test/payments/{id}/refund?amount=12.5&reason=requested_by_customer");
    let asked = person.get(&confirmation).await;
    assert!(
        asked.html.contains("Refund $12.50 to the customer&#39;s card?")
            || asked.html.contains("Refund $12.50 to the customer's card?"),
        "{}",
        asked.html
    );
    let fields = [
        ("csrf", asked.field("csrf")),
        ("idempotency_key", asked.field("idempotency_key")),
        ("amount", asked.field("amount")),
        ("reason", asked.field("reason")),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let action = format!("/dashboard/test/payments/{id}/refund");
    for _ in 0..3 {
        let done = person.post(&action, &fields).await;
        assert_eq!(done.status, 303, "{}", done.html);
        assert_eq!(done.location.as_deref(), Some(format!("/dashboard/test/payments/{id}?notice=refunded").as_str()));
    }
    let refunds = app.get(&format!("/v1/refunds?payment_intent={id}")).await;
    let list = refunds.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one refund for three clicks: {}", refunds.text);
    assert_eq!(list[0]["amount"], 1250);
    assert_eq!(list[0]["reason"], "requested_by_customer");
    let events = app.get("/v1/events?type=refund.created").await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1, "the same events as the API: {}", events.text);

    let after = person.get(&format!("/dashboard/test/payments/{id}?notice=refunded")).await;
    assert!(after.html.contains("Refund created."));
    assert!(after.html.contains("data-testid=\"refunded\">$12.50<"), "{}", after.html);
    assert!(after.html.contains("data-event-type=\"refund.created\""), "on the timeline");
    assert!(after.html.contains("metadata.order") && after.html.contains("A-77"));
}

#[tokio::test]
async fn capture_and_cancel_go_through_confirmations_and_the_app_rules() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let held = app.authorized_intent(3_000).await;
    let id = json_of(&held, "id").to_owned();
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;

    let too_much = person.get(&format!("/dashboard/test/payments/{id}/capture?amount=30.01")).await;
    assert_eq!(too_much.status, 422, "{}", too_much.html);
    assert!(too_much.html.contains("At most $30.00") || too_much.html.contains("more than"), "{}", too_much.html);
    for bad in ["abc", "1.234", "-5", "0"] {
        let refused = person.get(&format!("/dashboard/test/payments/{id}/capture?amount={bad}")).await;
        assert_eq!(refused.status, 422, "{bad}: {}", refused.html);
        assert!(refused.html.contains("role=\"alert\""), "{bad}");
    }

    let captured = person.confirm(&format!("/dashboard/test/payments/{id}/capture?amount=20")).await;
    assert_eq!(captured.status, 303, "{}", captured.html);
    let api = app.get(&format!("/v1/payment_intents/{id}")).await;
    assert_eq!(api.body["status"], "succeeded");
    assert_eq!(api.body["amount_captured"], 2000, "{}", api.text);
    assert_eq!(api.body["amount_canceled"], 1000, "the rest is released");

    // Nothing is left to cancel or capture: the app refuses, the page says why.
    let cancel = person.confirm(&format!("/dashboard/test/payments/{id}/cancel")).await;
    assert_eq!(cancel.status, 409, "{}", cancel.html);
    assert!(cancel.html.contains("role=\"alert\""));

    let held = app.authorized_intent(1_500).await;
    let second = json_of(&held, "id").to_owned();
    let canceled = person.confirm(&format!("/dashboard/test/payments/{second}/cancel")).await;
    assert_eq!(canceled.status, 303, "{}", canceled.html);
    assert_eq!(app.get(&format!("/v1/payment_intents/{second}")).await.body["status"], "canceled");
}

#[tokio::test]
async fn forms_without_the_session_token_or_from_another_site_change_nothing() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let paid = app.succeeded_intent(2_000).await;
    let id = json_of(&paid, "id").to_owned();
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let action = format!("/dashboard/test/payments/{id}/refund");

    let forged = person.post(&action, &[("csrf", "0123456789abcdef0123456789abcdef"), ("amount", "20.00")]).await;
    assert_eq!(forged.status, 403, "{}", forged.html);
    let missing = person.post(&action, &[("amount", "20.00")]).await;
    assert_eq!(missing.status, 403);

    let asked = person.get(&format!("{action}?amount=20")).await;
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("csrf", asked.field("csrf")), ("amount", "20.00".into())])
        .finish();
    let cross_site = person
        .send(
            person
                .http
                .post(app.url(&action))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("origin", "https://evil.example")
                .body(body),
        )
        .await;
    assert_eq!(cross_site.status, 403, "{}", cross_site.html);

    // Signed out, the same form (right token and all) leads to the sign-in page.
    let mut stranger = Person::new(&app);
    let anonymous = stranger.post(&action, &[("csrf", &asked.field("csrf")), ("amount", "20.00")]).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.location.as_deref(), Some("/dashboard/sign-in"));

    let refunds = app.get(&format!("/v1/refunds?payment_intent={id}")).await;
    assert_eq!(refunds.body["data"].as_array().unwrap().len(), 0, "{}", refunds.text);
}

#[tokio::test]
async fn a_dashboard_shows_one_merchant_in_one_mode() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let ours = app.succeeded_intent(1_000).await;
    let other = app.create_merchant("Other shop").await;
    let theirs = app
        .request(
            "POST",
            "/v1/payment_intents",
            Some(json!({"amount": 777, "currency": "USD"})),
            Some(&other.secret_key),
            None,
        )
        .await;
    let theirs = json_of(&theirs.body, "id").to_owned();
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;

    let list = person.get("/dashboard/test/payments").await;
    assert!(list.html.contains(json_of(&ours, "id")) && !list.html.contains(&theirs));
    assert_eq!(person.get(&format!("/dashboard/test/payments/{theirs}")).await.status, 404);
    let refund = person.get(&format!("/dashboard/test/payments/{theirs}/refund?amount=1")).await;
    assert_eq!(refund.status, 404);

    let live = person.get("/dashboard/live/payments").await;
    assert_eq!(live.status, 200);
    assert!(live.html.contains("Live mode") && !live.html.contains(json_of(&ours, "id")), "{}", live.html);
    assert_eq!(person.get(&format!("/dashboard/live/payments/{}", json_of(&ours, "id"))).await.status, 404);
    assert_eq!(person.get("/dashboard/staging/payments").await.status, 404);
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_and_a_new_password_ends_the_others() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let old_cookie = person.cookie.clone().unwrap();
    let page = person.get("/dashboard/test/payments").await;

    let out = person.post("/dashboard/sign-out", &[("csrf", &page.field("csrf"))]).await;
    assert_eq!(out.status, 303);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    person.cookie = Some(old_cookie);
    let after = person.get("/dashboard/test/payments").await;
    assert_eq!(after.status, 303, "the old cookie signs no one in");

    let mut laptop = Person::new(&app);
    let mut phone = Person::new(&app);
    laptop.sign_in(&email, &password).await;
    phone.sign_in(&email, &password).await;
    let account = laptop.get("/dashboard/account").await;
    let short = laptop
        .post(
            "/dashboard/account",
            &[("csrf", &account.field("csrf")), ("password", &password), ("new_password", "short")],
        )
        .await;
    assert_eq!(short.status, 422, "{}", short.html);
    let wrong = laptop
        .post(
            "/dashboard/account",
            &[("csrf", &account.field("csrf")), ("password", "nope"), ("new_password", "a long new passphrase")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let changed = laptop
        .post(
            "/dashboard/account",
            &[("csrf", &account.field("csrf")), ("password", &password), ("new_password", "a long new passphrase")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.html);
    assert_eq!(laptop.get("/dashboard/test/payments").await.status, 200, "this browser stays signed in");
    assert_eq!(phone.get("/dashboard/test/payments").await.status, 303, "the others are signed out");
    assert_eq!(Person::new(&app).sign_in(&email, &password).await.status, 401);
    assert_eq!(Person::new(&app).sign_in(&email, "a long new passphrase").await.status, 303);
}

#[tokio::test]
async fn keys_are_shown_once_and_revoked_at_once_and_webhooks_are_managed() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;

    let keys = person.get("/dashboard/test/keys").await;
    let created = person.post("/dashboard/test/keys", &[("csrf", &keys.field("csrf")), ("kind", "secret")]).await;
    assert_eq!(created.status, 201, "{}", created.html);
    let start = created.html.find("sk_test_").unwrap();
    let key: String = created.html[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let works = app.request("GET", "/v1/payment_intents", None, Some(&key), None).await;
    assert_eq!(works.status, 200);
    assert!(!person.get("/dashboard/test/keys").await.html.contains(&key), "shown only once");

    let record = created.html[created.html.find("key_").unwrap()..].split('<').next().unwrap().to_owned();
    let revoked = person.confirm(&format!("/dashboard/test/keys/{record}/revoke")).await;
    assert_eq!(revoked.status, 303, "{}", revoked.html);
    let refused = app.request("GET", "/v1/payment_intents", None, Some(&key), None).await;
    assert_eq!(refused.status, 401);
    let foreign = app.create_merchant("Other").await;
    let their_keys = app.app.list_api_keys(&foreign.id).await.unwrap();
    let theirs = person.get(&format!("/dashboard/test/keys/{}/revoke", their_keys[0].id)).await;
    assert_eq!(theirs.status, 404, "another merchant's key is not ours to revoke");

    let hooks = person.get("/dashboard/test/webhooks").await;
    let bad = person
        .post(
            "/dashboard/test/webhooks",
            &[("csrf", &hooks.field("csrf")), ("idempotency_key", "k1"), ("url", "ftp://x"), ("events", "nope.event")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(bad.html.contains("URL:") && bad.html.contains("Events:"), "every problem is listed: {}", bad.html);
    let made = person
        .post(
            "/dashboard/test/webhooks",
            &[
                ("csrf", &hooks.field("csrf")),
                ("idempotency_key", "k2"),
                ("url", "https://shop.example/hooks"),
                ("events", "*"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.html);
    let endpoint_page = made.location.unwrap();
    let shown = person.get(&endpoint_page).await;
    assert!(shown.html.contains("whsec_"), "{}", shown.html);
    let endpoints = app.get("/v1/webhook_endpoints").await;
    let endpoint = &endpoints.body["data"][0];
    assert_eq!(endpoint["url"], "https://shop.example/hooks");
    let we = json_of(endpoint, "id").to_owned();
    let disabled = person
        .post(
            &format!("/dashboard/test/webhooks/{we}/disable"),
            &[("csrf", &shown.field("csrf")), ("idempotency_key", "k3")],
        )
        .await;
    assert_eq!(disabled.status, 303);
    assert_eq!(app.get(&format!("/v1/webhook_endpoints/{we}")).await.body["status"], "disabled");
}

#[tokio::test]
async fn connectors_are_connected_rotated_and_deleted_and_their_credentials_never_shown() {
    fn post(fields: &[(String, String)]) -> Vec<(&str, &str)> {
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
    let app = spawn_app().await;
    let provider = app.create_merchant("The provider").await;
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let listed = person.get("/dashboard/test/connectors").await;
    assert_eq!(listed.status, 200, "{}", listed.html);
    assert!(listed.html.contains("data-testid=\"connect-vipps\""), "a form per provider: {}", listed.html);
    let csrf = listed.field("csrf");
    let probuy = |token: &str, key: &str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("idempotency_key".to_owned(), key.to_owned()),
            ("type".to_owned(), "probuy".to_owned()),
            ("credential_api_token".to_owned(), token.to_owned()),
            ("base_url".to_owned(), app.url("/probuy")),
        ]
    };
    let wrong = probuy("not-a-token", "c1");
    let refused = person.post("/dashboard/test/connectors", &post(&wrong)).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("refused these credentials"), "{}", refused.html);
    assert!(!refused.html.contains("not-a-token"), "a credential is never sent back");
    let right = probuy(&provider.secret_key, "c2");
    let made = person.post("/dashboard/test/connectors", &post(&right)).await;
    assert_eq!(made.status, 303, "{}", made.html);
    let shown = person.get("/dashboard/test/connectors").await;
    assert!(shown.html.contains("Rotate the probuy credentials"), "{}", shown.html);
    assert!(!shown.html.contains(&provider.secret_key), "credentials are never shown");
    let connector = app.get("/v1/connectors").await.body["data"][0].clone();
    assert_eq!(connector["type"], "probuy");
    let id = json_of(&connector, "id").to_owned();

    // A rotation the provider refuses changes nothing; the delete goes through a confirmation.
    let rotate = vec![
        ("csrf".to_owned(), csrf.clone()),
        ("idempotency_key".to_owned(), "c3".to_owned()),
        ("type".to_owned(), "probuy".to_owned()),
        ("credential_api_token".to_owned(), "still-wrong".to_owned()),
    ];
    let rotated = person.post(&format!("/dashboard/test/connectors/{id}/rotate"), &post(&rotate)).await;
    assert_eq!(rotated.status, 422, "{}", rotated.html);
    let deleted = person.confirm(&format!("/dashboard/test/connectors/{id}/delete")).await;
    assert_eq!(deleted.status, 303, "{}", deleted.html);
    assert_eq!(app.get(&format!("/v1/connectors/{id}")).await.status, 404);
    let live = person.get("/dashboard/live/connectors").await;
    assert!(live.html.contains("https://api.probuy.dev"), "live mode's default host: {}", live.html);
}

#[tokio::test]
async fn coupons_and_promotion_codes_are_created_and_deactivated() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let page = person.get("/dashboard/test/coupons").await;
    let csrf = page.field("csrf");

    let neither =
        person.post("/dashboard/test/coupons", &[("csrf", &csrf), ("idempotency_key", "c0"), ("name", "x")]).await;
    assert_eq!(neither.status, 422);
    let made = person
        .post(
            "/dashboard/test/coupons",
            &[
                ("csrf", &csrf),
                ("idempotency_key", "c1"),
                ("name", "Five off"),
                ("amount_off", "5"),
                ("currency", "usd"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.html);
    let coupons = app.get("/v1/coupons").await;
    let coupon = &coupons.body["data"][0];
    assert_eq!(coupon["amount_off"], 500, "{}", coupons.text);
    let co = json_of(coupon, "id").to_owned();

    let code = person
        .post(
            "/dashboard/test/promotion-codes",
            &[("csrf", &csrf), ("idempotency_key", "p1"), ("code", "SPRING5"), ("coupon", &co)],
        )
        .await;
    assert_eq!(code.status, 303, "{}", code.html);
    let twice = person
        .post(
            "/dashboard/test/promotion-codes",
            &[("csrf", &csrf), ("idempotency_key", "p2"), ("code", "spring5"), ("coupon", &co)],
        )
        .await;
    assert_eq!(twice.status, 409, "a code is unique: {}", twice.html);
    let listed = person.get("/dashboard/test/coupons").await;
    assert!(listed.html.contains("SPRING5") && listed.html.contains("$5.00 off"), "{}", listed.html);

    let off = person
        .post(&format!("/dashboard/test/coupons/{co}/deactivate"), &[("csrf", &csrf), ("idempotency_key", "d1")])
        .await;
    assert_eq!(off.status, 303, "{}", off.html);
    assert_eq!(app.get(&format!("/v1/coupons/{co}")).await.body["active"], false);
}

#[tokio::test]
async fn control_characters_never_reach_the_database_from_the_dashboard() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    let nul_email = person.sign_in(&format!("{email}\0"), &password).await;
    assert_eq!(nul_email.status, 401, "{}", nul_email.html);
    person.sign_in(&email, &password).await;
    let search = person.get("/dashboard/test/payments?q=a%00b").await;
    assert_eq!(search.status, 200, "{}", search.html);
    let page = person.get("/dashboard/test/coupons").await;
    let named = person
        .post(
            "/dashboard/test/coupons",
            &[("csrf", &page.field("csrf")), ("idempotency_key", "c"), ("name", "bell\u{7}"), ("percent_off", "10")],
        )
        .await;
    assert_eq!(named.status, 400, "{}", named.html);
    assert!(named.html.contains("name"), "the field is named: {}", named.html);
    assert_eq!(app.get("/v1/coupons").await.body["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_payment_through_a_connector_shows_its_provider_and_offers_only_what_the_provider_takes() {
    let app = spawn_app().await;
    let provider = app.create_merchant("ProBuy, played by Kassa").await;
    let connector = app
        .post(
            "/v1/connectors",
            json!({"type": "probuy", "base_url": app.url("/probuy"), "credentials": {"api_token": provider.secret_key}}),
        )
        .await;
    assert_eq!(connector.status, 200, "{}", connector.text);
    let pi = app
        .post(
            "/v1/payment_intents",
            json!({"amount": 15000, "currency": "SAR", "capture_method": "manual", "confirm": true,
                "return_url": "https://shop.example/back", "payment_method_data": {"type": "probuy",
                "billing_details": {"name": "Sara Ali", "email": "sara@example.sa", "phone": "+966501234567",
                "address": {"line1": "King Fahd Rd 1", "city": "Riyadh", "country": "SA"}}}}),
        )
        .await
        .body;
    assert_eq!(pi["status"], "requires_action", "{pi}");
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let page = person.get(&format!("/dashboard/test/payments/{}", json_of(&pi, "id"))).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("data-testid=\"connector\">ProBuy"), "{}", page.html);
    assert!(page.html.contains(json_of(&pi["connector"], "reference")), "the provider's reference");
    assert!(page.html.contains("data-testid=\"provider-only\""), "{}", page.html);
    assert!(!page.html.contains("Cancel payment"), "ProBuy's API cannot cancel: no button that would fail");
}

#[tokio::test]
async fn a_payment_s_timeline_shows_its_provider_s_notifications_and_what_the_provider_said() {
    // Kassa would first ask Vipps only after a minute: the notification is what settles it.
    let app = kassa_testkit::spawn_app_with(|c| c.jobs.first_provider_poll = std::time::Duration::from_secs(60)).await;
    crate::through_vipps::with_vipps(&app).await;
    let pi = app.post("/v1/payment_intents", crate::through_vipps::vipps_payment("manual")).await.body;
    let id = json_of(&pi, "id");
    let page_url = json_of(&pi["next_action"]["redirect_to_url"], "url");
    assert_eq!(kassa_testkit::customer::pay_on_page(page_url, "4242424242424242").await, 303);
    app.wait_for(id, |p| p["status"] == "requires_capture").await;
    let (email, password) = user(&app).await;
    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let page = person.get(&format!("/dashboard/test/payments/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let notice = page.html.find("data-testid=\"provider-notice\"").expect("a notification on the timeline");
    let requires_capture = page.html.find("data-event-type=\"payment_intent.requires_capture\"").unwrap();
    assert!(page.html[notice..].contains("Notification from Vipps"), "{}", page.html);
    assert!(page.html[notice..].contains("asked: approved"), "{}", page.html);
    assert!(notice < requires_capture, "heard before the transition it caused: {}", page.html);
}

#[tokio::test]
async fn the_overview_shows_the_periods_payments_outcomes_failures_refunds_and_webhook_health() {
    let app = spawn_app().await;
    let (email, password) = user(&app).await;
    let mut settled = Vec::new();
    for (amount, method) in [(4_200, "pm_card_visa"), (1_000, "pm_card_visa"), (700, "pm_card_insufficient_funds")] {
        let pi = app
            .create_payment_intent(
                json!({"amount": amount, "currency": "USD", "payment_method": method, "confirm": true}),
            )
            .await;
        settled.push(app.wait_until_settled(json_of(&pi, "id")).await);
    }
    let canceled = app.create_payment_intent(json!({"amount": 300, "currency": "USD"})).await;
    let res = app.post(&format!("/v1/payment_intents/{}/cancel", json_of(&canceled, "id")), json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    app.create_payment_intent(json!({"amount": 900, "currency": "EUR"})).await;
    let refund = app.post("/v1/refunds", json!({"payment_intent": json_of(&settled[0], "id"), "amount": 500})).await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    // An endpoint nothing listens at: its deliveries fail.
    let endpoint =
        app.post("/v1/webhook_endpoints", json!({"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"]})).await;
    assert_eq!(endpoint.status, 200, "{}", endpoint.text);
    app.create_payment_intent(json!({"amount": 100, "currency": "USD"})).await;

    let mut person = Person::new(&app);
    person.sign_in(&email, &password).await;
    let home = person.get("/dashboard").await;
    assert_eq!(home.location.as_deref(), Some("/dashboard/test/overview"), "the dashboard opens on the overview");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let page = loop {
        let page = person.get("/dashboard/test/overview?period=7d").await;
        assert_eq!(page.status, 200, "{}", page.html);
        if page.html.contains("Failing") || std::time::Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let html = &page.html;
    let row = |label: &str, value: &str| format!("<th scope=\"row\">{label}</th><td class=\"amount\">{value}</td>");
    assert!(html.contains("<strong>6</strong> created"), "{html}");
    for (label, value) in [
        ("Succeeded", "2 (33%)"),
        ("Failed", "1 (17%)"),
        ("Canceled", "1 (17%)"),
        ("Not paid yet", "2 (33%)"),
        ("insufficient_funds", "1"),
        ("Succeeded, USD", "1 · $5.00"),
    ] {
        assert!(html.contains(&row(label, value)), "{label}: {value} in {html}");
    }
    assert!(html.contains("$52.00</strong> captured, $5.00 refunded"), "{html}");
    assert!(html.contains("Gross volume, EUR"), "every currency has its volume: {html}");
    assert!(html.contains("http://127.0.0.1:9/hook") && html.contains("Failing"), "{html}");
    assert!(html.contains("<svg role=\"img\""), "charts are drawn on the server");
    assert!(!html.contains("<script"), "no script");

    // Today's overview holds the same payments; live mode's none of them.
    let today = person.get("/dashboard/test/overview?period=today").await;
    assert!(today.html.contains("<strong>6</strong> created"), "{}", today.html);
    let live = person.get("/dashboard/live/overview?period=30d").await;
    assert!(live.html.contains("<strong>0</strong> created"), "{}", live.html);
    assert!(live.html.contains("No failed payment in this period."), "{}", live.html);
}
