//! `kassa trigger <event type>`: makes, in test mode, the objects whose changes produce that
//! event (as stripe-cli's `trigger` does), through the public API with the Rust SDK and, where
//! a customer acts, the hosted page over HTTP. Run `kassa listen` beside it to see the events
//! arrive at a local webhook receiver.

use anyhow::{Context, bail};
use clap::Args;
use kassa_api::{BillingAddress, BillingDetails, ListParams, PaymentMethodData};
use kassa_api::{CreateCheckoutSession, LineItem, ListEvents};
use kassa_sdk::{
    CancelPaymentIntent, CaptureMethod, CapturePaymentIntent, Client, ConfirmPaymentIntent, CreatePaymentIntent,
    CreateRefund, Currency, PaymentIntent,
};
use std::time::{Duration, Instant};

/// The events `kassa trigger` can produce, and how.
pub const TRIGGERS: &[(&str, &str)] = &[
    ("payment_intent.created", "creates a payment intent"),
    ("payment_intent.updated", "creates a payment intent and changes its description"),
    ("payment_intent.processing", "confirms a manual-capture payment with pm_card_visa"),
    ("payment_intent.requires_capture", "confirms a manual-capture payment with pm_card_visa"),
    ("payment_intent.succeeded", "confirms a payment with pm_card_visa"),
    ("payment_intent.captured", "confirms a payment with pm_card_visa"),
    ("payment_intent.partially_captured", "captures part of an authorization, keeping the rest"),
    ("payment_intent.payment_failed", "confirms a payment with pm_card_declined"),
    ("payment_intent.canceled", "creates a payment intent and cancels it"),
    (
        "payment_intent.requires_action",
        "opens a payment through the merchant's connector (Vipps, Smartpay or ProBuy) and prints where the customer approves",
    ),
    ("refund.created", "refunds part of a paid payment"),
    ("refund.succeeded", "refunds part of a paid payment"),
    ("refund.updated", "refunds part of a paid payment and adds metadata to the refund"),
    ("checkout.session.completed", "pays a checkout session on its hosted page with 4242 4242 4242 4242"),
    ("checkout.session.expired", "creates a checkout session and expires it"),
    ("checkout.session.canceled", "creates a checkout session and cancels it on its page, as a customer"),
    ("token.created", "saves a card through a setup session on its hosted page"),
    ("token.approved", "saves a card through a setup session on its hosted page"),
    ("token.rejected", "tries to save a declined card (4000 0000 0000 0002)"),
    ("token.used", "saves a card and charges it"),
    ("token.disabled", "saves a card and disables it"),
    ("token.enabled", "saves a card, disables it and enables it again"),
    ("token.deleted", "saves a card and deletes it"),
];

/// `kassa trigger`.
#[derive(Args)]
pub struct TriggerArgs {
    /// The event type to produce (`kassa trigger --list` names them all).
    #[arg(required_unless_present = "list")]
    event: Option<String>,
    /// List the event types that can be triggered.
    #[arg(long)]
    list: bool,
    /// The merchant's test secret key.
    #[arg(long, env = "KASSA_API_KEY", hide_env_values = true, required_unless_present = "list")]
    api_key: Option<String>,
    /// The gateway.
    #[arg(long, env = "KASSA_BASE_URL", default_value = "http://127.0.0.1:4242")]
    base_url: String,
}

/// Runs one trigger and prints the events it produced.
pub async fn run(args: TriggerArgs) -> anyhow::Result<()> {
    if args.list {
        for (event, how) in TRIGGERS {
            println!("{event:36} {how}");
        }
        return Ok(());
    }
    let (Some(event), Some(key)) = (args.event, args.api_key) else { bail!("name an event type and give --api-key") };
    if !TRIGGERS.iter().any(|(name, _)| *name == event) {
        bail!("`{event}` cannot be triggered; `kassa trigger --list` names the event types that can");
    }
    if !key.starts_with("sk_test_") {
        bail!("kassa trigger works in test mode only: give a test secret key (sk_test_…)");
    }
    let kassa = Client::builder(&key).base_url(&args.base_url).build()?;
    let page = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let anchor = make(&kassa, &page, &args.base_url, &event).await?;
    let seen = wait_for_event(&kassa, &anchor, &event).await?;
    println!("Triggered {event} on {anchor}. Its events:");
    for (kind, id) in seen {
        println!("  {kind:36} {id}");
    }
    Ok(())
}

/// Makes the objects; answers the id the events are about (or related to).
async fn make(kassa: &Client, page: &reqwest::Client, base: &str, event: &str) -> anyhow::Result<String> {
    let intents = kassa.payment_intents();
    let paid = || async {
        let pi = intents
            .create(&CreatePaymentIntent::new(2_500, Currency::USD).payment_method("pm_card_visa").confirm(true))
            .await?;
        let pi = intents.wait_until_settled(&pi.id, Duration::from_secs(30)).await?;
        anyhow::Ok(pi)
    };
    Ok(match event {
        "payment_intent.created" => intents.create(&CreatePaymentIntent::new(2_500, Currency::USD)).await?.id,
        "payment_intent.updated" => {
            let pi = intents.create(&CreatePaymentIntent::new(2_500, Currency::USD)).await?;
            let changes = kassa_api::UpdatePaymentIntent::default().description("Changed by kassa trigger");
            intents.update(&pi.id, &changes).await?.id
        }
        "payment_intent.processing" | "payment_intent.requires_capture" => {
            let pi = intents.create(&manual().payment_method("pm_card_visa").confirm(true)).await?;
            intents.wait_until_settled(&pi.id, Duration::from_secs(30)).await?.id
        }
        "payment_intent.succeeded" | "payment_intent.captured" => paid().await?.id,
        "payment_intent.partially_captured" => {
            let pi = intents.create(&manual().payment_method("pm_card_visa").confirm(true)).await?;
            intents.wait_until_settled(&pi.id, Duration::from_secs(30)).await?;
            let part = CapturePaymentIntent::all().amount_to_capture(1_000).final_capture(false);
            intents.capture(&pi.id, &part).await?.id
        }
        "payment_intent.payment_failed" => {
            let pi = intents.create(&CreatePaymentIntent::new(2_500, Currency::USD)).await?;
            intents.confirm(&pi.id, &ConfirmPaymentIntent::with_payment_method("pm_card_declined")).await?;
            intents.wait_until_settled(&pi.id, Duration::from_secs(30)).await?.id
        }
        "payment_intent.canceled" => {
            let pi = intents.create(&CreatePaymentIntent::new(2_500, Currency::USD)).await?;
            intents.cancel(&pi.id, &CancelPaymentIntent::default()).await?.id
        }
        "payment_intent.requires_action" => {
            let connectors = kassa.connectors().list(&ListParams::default()).await?;
            let Some(connector) = connectors.data.first() else {
                bail!(
                    "payment_intent.requires_action needs a connector, and this merchant has none in test mode: \
                     create one with POST /v1/connectors (docs/connectors.md)"
                );
            };
            let pi = intents.create(&through(&connector.kind, base)?).await?;
            if let Some(redirect) = pi.next_action.as_ref().and_then(|a| a.redirect_to_url.as_ref()) {
                println!("The customer approves at {}", redirect.url);
            }
            pi.id
        }
        "refund.created" | "refund.succeeded" | "refund.updated" => {
            let pi: PaymentIntent = paid().await?;
            let refund = kassa.refunds().create(&CreateRefund::new(&pi.id).amount(500)).await?;
            if event == "refund.updated" {
                let note = kassa_api::UpdateRefund::default().metadata("note", "kassa trigger");
                kassa.refunds().update(&refund.id, &note).await?;
            }
            pi.id
        }
        "checkout.session.completed" | "checkout.session.canceled" => {
            let session = kassa.checkout_sessions().create(&order(base)).await?;
            if event == "checkout.session.completed" {
                pay_on_page(page, &session.url, "4242424242424242").await?;
            } else {
                post_form(page, &format!("{}/cancel", session.url), &[]).await?;
            }
            session.id
        }
        "checkout.session.expired" => {
            let session = kassa.checkout_sessions().create(&order(base)).await?;
            kassa.checkout_sessions().expire(&session.id).await?.id
        }
        token_event => {
            let declined = token_event == "token.rejected";
            let token = saved_card(kassa, page, base, declined).await?;
            let tokens = kassa.tokens();
            match token_event {
                "token.used" => {
                    let charge = CreatePaymentIntent::new(1_500, Currency::USD).token(token.clone()).confirm(true);
                    intents.create(&charge).await?;
                }
                "token.disabled" => {
                    tokens.disable(&token).await?;
                }
                "token.enabled" => {
                    tokens.disable(&token).await?;
                    tokens.enable(&token).await?;
                }
                "token.deleted" => {
                    tokens.delete(&token).await?;
                }
                _ => {}
            }
            token
        }
    })
}

/// A payment through a connector of `kind`, in a currency it takes, with what its provider
/// needs to know of the customer.
fn through(kind: &str, base: &str) -> anyhow::Result<CreatePaymentIntent> {
    let address = |line1: &str, city: &str, postal_code: &str, country: &str| BillingAddress {
        line1: Some(line1.into()),
        city: Some(city.into()),
        postal_code: Some(postal_code.into()),
        country: Some(country.into()),
        ..BillingAddress::default()
    };
    let (amount, currency, billing) = match kind {
        "vipps" => (
            25_000,
            Currency::NOK,
            BillingDetails { phone: Some("+47 912 34 567".into()), ..BillingDetails::default() },
        ),
        "smartpay" => (
            2_500,
            Currency::JPY,
            BillingDetails {
                name: Some("Aiko Tanaka".into()),
                email: Some("aiko@example.jp".into()),
                address: Some(address("1-2-3 Shibuya", "Tokyo", "150-0002", "JP")),
                ..BillingDetails::default()
            },
        ),
        "probuy" => (
            15_000,
            Currency::SAR,
            BillingDetails {
                name: Some("Sara Ali".into()),
                email: Some("sara@example.sa".into()),
                phone: Some("+966501234567".into()),
                address: Some(address("King Fahd Rd 1", "Riyadh", "12211", "SA")),
            },
        ),
        other => bail!("kassa trigger cannot pay through a {other} connector"),
    };
    let method = PaymentMethodData::connector(kind).with_billing_details(billing);
    Ok(CreatePaymentIntent::new(amount, currency)
        .capture_method(CaptureMethod::Manual)
        .description("Made by kassa trigger")
        .payment_method_data(method)
        .return_url(format!("{base}/"))
        .confirm(true))
}

fn manual() -> CreatePaymentIntent {
    CreatePaymentIntent::new(2_500, Currency::USD).capture_method(CaptureMethod::Manual)
}

fn order(base: &str) -> CreateCheckoutSession {
    CreateCheckoutSession::new(
        Currency::USD,
        vec![LineItem::new("Triggered order", 1, 2_500)],
        format!("{base}/checkout/done-by-kassa-trigger"),
    )
}

/// A card saved through a setup session, paid on its page as a customer would; the token's id.
async fn saved_card(kassa: &Client, page: &reqwest::Client, base: &str, declined: bool) -> anyhow::Result<String> {
    let setup = CreateCheckoutSession::setup(Currency::USD, format!("{base}/checkout/done-by-kassa-trigger"));
    let session = kassa.checkout_sessions().create(&setup).await?;
    let number = if declined { "4000000000000002" } else { "4242424242424242" };
    pay_on_page(page, &session.url, number).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = kassa.checkout_sessions().retrieve(&session.id).await?;
        let settled = !matches!(now.status, kassa_api::CheckoutSessionStatus::Open) || now.failed_attempts > 0;
        if settled {
            return now.token.context("the setup session has no token");
        }
        if Instant::now() > deadline {
            bail!("the setup session {} did not settle within 30 s", session.id);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Fills the hosted page's card form and sends it.
async fn pay_on_page(page: &reqwest::Client, url: &str, number: &str) -> anyhow::Result<()> {
    post_form(
        page,
        &format!("{url}/pay"),
        &[("number", number), ("expiry", "12 / 34"), ("cvc", "123"), ("holder", "Kassa Trigger")],
    )
    .await
    .map(drop)
    .with_context(|| format!("paying on {url}"))
}

/// Posts one of the page's forms with the page's token.
async fn post_form(page: &reqwest::Client, action: &str, fields: &[(&str, &str)]) -> anyhow::Result<u16> {
    let url = action.rsplit_once('/').map(|(page_url, _)| page_url).unwrap_or(action);
    let html = page.get(url).send().await?.text().await?;
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).context("the hosted page shows no form (is the session still open?)")? + marker.len();
    let csrf = html[start..].split('"').next().unwrap_or_default().to_owned();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf", &csrf)
        .extend_pairs(fields.iter().copied())
        .finish();
    let answer = page
        .post(action)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let status = answer.status().as_u16();
    if status >= 400 {
        bail!("the hosted page answered {status}");
    }
    Ok(status)
}

/// Waits for the event to appear among the anchor's events; answers them all, oldest first.
async fn wait_for_event(kassa: &Client, anchor: &str, event: &str) -> anyhow::Result<Vec<(String, String)>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let filter = ListEvents { related_object: Some(anchor.to_owned()), ..ListEvents::default() }.limit(100);
        let mut found: Vec<(String, String)> =
            kassa.events().list(&filter).await?.data.into_iter().map(|e| (e.kind.as_str().to_owned(), e.id)).collect();
        found.reverse();
        if found.iter().any(|(kind, _)| kind == event) {
            return Ok(found);
        }
        if Instant::now() > deadline {
            bail!("no {event} event about {anchor} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
