//! `kassa listen`: forwards a merchant's new events to a local URL, signed with a secret made
//! for the session, and prints one line per delivery. For developing a webhook receiver
//! against a gateway that cannot reach your machine.

use futures_util::TryStreamExt;
use kassa_domain::id::random_base62;
use kassa_sdk::{Client, Event, ListEvents, OffsetDateTime, Range};
use std::collections::HashSet;
use std::time::Duration;

/// Options of `kassa listen`.
#[derive(clap::Args)]
pub struct ListenArgs {
    /// Where to POST each event, e.g. http://localhost:3000/webhooks.
    #[arg(long)]
    forward_to: String,
    /// Only these event types (comma-separated); default all.
    #[arg(long, value_delimiter = ',')]
    events: Vec<String>,
    /// The merchant's secret key.
    #[arg(long, env = "KASSA_API_KEY", hide_env_values = true)]
    api_key: String,
    /// The gateway.
    #[arg(long, env = "KASSA_BASE_URL", default_value = "http://127.0.0.1:4242")]
    base_url: String,
    /// Milliseconds between looks for new events.
    #[arg(long, default_value_t = 250)]
    interval_ms: u64,
}

fn stamp() -> String {
    let now = OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Runs until interrupted.
pub async fn run(args: ListenArgs) -> anyhow::Result<()> {
    let kassa = Client::builder(&args.api_key).base_url(&args.base_url).build()?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
    let secret = format!("whsec_{}", random_base62(32));
    // Start after the newest event that exists now.
    let newest = kassa.events().list(&ListEvents::default().limit(1)).await?;
    let mut since = newest.data.first().map(|e| e.created_at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut seen_at_since: HashSet<String> = newest.data.iter().map(|e| e.id.clone()).collect();
    println!("Ready. Forwarding events to {} (Ctrl-C to stop).", args.forward_to);
    println!("Webhook signing secret for this session: {secret}");
    let filter: HashSet<&str> = args.events.iter().map(String::as_str).collect();
    loop {
        let mut fresh: Vec<Event> = kassa
            .events()
            .list_all(ListEvents::default().limit(100).created(Range { gte: Some(since), ..Range::default() }))
            .try_collect()
            .await?;
        fresh.retain(|e| !seen_at_since.contains(&e.id));
        fresh.reverse();
        for event in fresh {
            if event.created_at > since {
                since = event.created_at;
                seen_at_since.clear();
            }
            seen_at_since.insert(event.id.clone());
            if !filter.is_empty() && !filter.contains(event.kind.as_str()) {
                continue;
            }
            forward(&http, &args.forward_to, &secret, &event).await;
        }
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
}

async fn forward(http: &reqwest::Client, url: &str, secret: &str, event: &Event) {
    println!("{}   --> {} [{}]", stamp(), event.kind, event.id);
    let Ok(body) = serde_json::to_vec(event) else { return };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let result = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(kassa_api::signature::HEADER, kassa_api::signature::sign(&body, now, &[secret]))
        .header("Kassa-Event-Id", &event.id)
        .header("Kassa-Delivery-Attempt", "1")
        .body(body)
        .send()
        .await;
    match result {
        Ok(res) => println!("{}  <--  [{}] POST {url} [{}]", stamp(), res.status().as_u16(), event.id),
        Err(e) => println!("{}  <--  [ERR] POST {url} [{}]: {e}", stamp(), event.id),
    }
}
