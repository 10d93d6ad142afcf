//! What an operator and a merchant's developer do from a terminal: the first start's dashboard
//! user signs in, `kassa users create` makes another, and `kassa trigger` produces the event it
//! names against the running gateway.

use crate::{Gateway, kassa};
use kassa_testkit::TestDatabase;
use serde_json::Value;

async fn sign_in(base: &str, email: &str, password: &str) -> Option<String> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = http
        .post(format!("{base}/dashboard/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs([("email", email), ("password", password), ("next", "/dashboard/test/payments")])
                .finish(),
        )
        .send()
        .await
        .unwrap();
    if res.status() != 303 {
        return None;
    }
    let cookie = res.headers().get("set-cookie")?.to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = http.get(format!("{base}/dashboard/test/payments")).header("cookie", &cookie).send().await.unwrap();
    (page.status() == 200).then_some(page.text().await.unwrap())
}

#[tokio::test]
async fn the_first_start_prints_a_dashboard_user_and_users_create_makes_more() {
    let db = TestDatabase::fresh().await;
    let gw = Gateway::start(&db, &[]).await;
    let email = gw.printed("dashboard user").expect("the banner names the dashboard user");
    let password = gw.printed("password").expect("and its password");
    let page = sign_in(&gw.base, &email, &password).await.expect("the printed credentials sign in");
    assert!(page.contains("Demo merchant"), "{page}");
    assert!(sign_in(&gw.base, &email, "not it").await.is_none());

    let merchant = gw.printed("merchant id").unwrap();
    let out = kassa(&db)
        .args(["users", "create", "--merchant", &merchant, "--email", "ops@shop.example", "--json"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(sign_in(&gw.base, "ops@shop.example", created["password"].as_str().unwrap()).await.is_some());
    let again = kassa(&db)
        .args(["users", "create", "--merchant", &merchant, "--email", "OPS@shop.example"])
        .output()
        .await
        .unwrap();
    assert!(!again.status.success(), "an email is one user");
    gw.kill().await;
}

#[tokio::test]
async fn trigger_makes_the_objects_that_produce_the_event_it_names() {
    let db = TestDatabase::fresh().await;
    let gw = Gateway::start(&db, &[]).await;
    let key = gw.printed("secret key").unwrap();
    let trigger = |args: &[&str]| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_kassa"));
        cmd.arg("trigger").args(args).args(["--base-url", &gw.base]).env_remove("KASSA_API_KEY");
        cmd
    };
    let listed = trigger(&["--list"]).output().await.unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.lines().count() >= 20 && listed.contains("checkout.session.completed"), "{listed}");

    for event in ["payment_intent.succeeded", "refund.succeeded", "checkout.session.completed", "token.rejected"] {
        let out = trigger(&[event, "--api-key", &key]).output().await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{event}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(&format!("Triggered {event}")), "{stdout}");
        let found = gw.send("GET", &format!("/v1/events?type={event}"), &key, None, None).await;
        assert_eq!(found.body["data"].as_array().map(Vec::len), Some(1), "{event}: {}", found.text);
    }

    // Through a connector: none yet, then a Vipps connector to a gateway playing Vipps.
    let event = "payment_intent.requires_action";
    let none = trigger(&[event, "--api-key", &key]).output().await.unwrap();
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("POST /v1/connectors"), "says how to make one");
    let vipps = kassa_testkit::spawn_app().await;
    let provider = vipps.create_merchant("Vipps, played by Kassa").await;
    let connector = serde_json::json!({"type": "vipps", "base_url": vipps.url(""), "credentials": {
        "client_id": provider.id, "client_secret": provider.secret_key,
        "subscription_key": provider.publishable_key,
        "merchant_serial_number": provider.serial_number.to_string()}});
    assert_eq!(gw.send("POST", "/v1/connectors", &key, None, Some(connector)).await.status, 200);
    let out = trigger(&[event, "--api-key", &key]).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let approve_at = format!("The customer approves at {}", vipps.url("/checkout/"));
    assert!(stdout.contains(&approve_at) && stdout.contains(&format!("Triggered {event}")), "{stdout}");

    let unknown = trigger(&["payment_intent.teleported", "--api-key", &key]).output().await.unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("kassa trigger --list"));
    let live = trigger(&["payment_intent.created", "--api-key", "sk_live_abc"]).output().await.unwrap();
    assert!(!live.status.success());
    assert!(String::from_utf8_lossy(&live.stderr).contains("test mode only"));
    gw.kill().await;
}
