//! `kassa-bench`: drives a running gateway with concurrent clients and prints, per
//! operation, requests per second and latency percentiles. It starts nothing itself.
//!
//! Scenarios:
//! - `create`: `POST /v1/payment_intents`.
//! - `stripe-create`: the same through the Stripe face (`--stripe-url`), form-encoded and keyed
//!   as stripe-node sends it.
//! - `flow`: create and confirm (manual capture), poll until authorized, capture, refund.
//! - `retrieve`: `GET /v1/payment_intents/{id}` over a pool of existing intents.
//! - `webhooks`: a local receiver subscribed to `payment_intent.created`; creates as fast as
//!   possible, then reports events delivered per second and event-to-arrival latency.
//!
//! Every POST carries an `Idempotency-Key` of its own, as the SDK sends.
//!
//! By default each of `--concurrency` clients sends its next request when the last one is
//! answered (closed loop: throughput). With `--rate N`, requests start at a fixed N per second
//! whatever the answers (open loop), and each latency counts from when its request was due, not
//! from when it could be sent, so a stall shows in the percentiles instead of hiding them
//! (no coordinated omission). Each scenario ends with a one-line summary.

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Parser)]
#[command(name = "kassa-bench", about = "Load test a running Kassa gateway")]
struct Args {
    /// Gateway base URL.
    #[arg(long, env = "KASSA_BASE_URL", default_value = "http://127.0.0.1:4242")]
    url: String,
    /// A test secret key (start the gateway with KASSA_RATE_LIMIT=0, or 429s count as errors).
    #[arg(long, env = "KASSA_API_KEY")]
    key: String,
    /// Concurrent clients.
    #[arg(short, long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds per scenario.
    #[arg(short, long, default_value_t = 10)]
    duration: u64,
    /// Start requests (or flows) at this fixed rate per second instead of as fast as the
    /// clients go; latencies count from when each was due.
    #[arg(long)]
    rate: Option<f64>,
    /// The Stripe face's base URL (`kassa serve --stripe-addr`), for `stripe-create`.
    #[arg(long, env = "KASSA_STRIPE_URL")]
    stripe_url: Option<String>,
    /// Scenarios to run.
    #[arg(short, long, value_enum, default_values_t = [Scenario::Create, Scenario::Flow, Scenario::Retrieve])]
    scenario: Vec<Scenario>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Create,
    StripeCreate,
    Flow,
    Retrieve,
    Webhooks,
}

/// Latencies of successful calls and a count of failed ones, per operation.
#[derive(Default)]
struct Samples {
    ok: BTreeMap<&'static str, Vec<Duration>>,
    errors: BTreeMap<&'static str, u64>,
    first_error: Option<String>,
}

struct Client {
    http: reqwest::Client,
    url: String,
    stripe_url: Option<String>,
    key: String,
    /// This run's idempotency key prefix, and how many POSTs it sent.
    run: u64,
    sent: std::sync::atomic::AtomicU64,
}

impl Client {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        Ok(serde_json::from_slice(&self.send(method, path, body).await?)?)
    }

    /// The answer's body, unread: the load generator shares the gateway's cores, so a
    /// scenario that needs nothing from an answer does not parse it.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<axum::body::Bytes> {
        let post = method == reqwest::Method::POST;
        let mut req = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(&self.key);
        if post {
            // As the SDK does: every POST carries a key of its own.
            let n = self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            req = req.header("Idempotency-Key", format!("bench-{}-{n}", self.run));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await?;
        let status = res.status();
        let body = res.bytes().await?;
        if !status.is_success() {
            bail!("{status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body)
    }
}

impl Client {
    /// A form-encoded POST to the Stripe face, keyed as stripe-node keys every POST.
    async fn send_stripe(&self, path: &str, form: String) -> anyhow::Result<axum::body::Bytes> {
        let base = self.stripe_url.as_deref().context("stripe-create needs --stripe-url")?;
        let n = self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let res = self
            .http
            .post(format!("{base}{path}"))
            .bearer_auth(&self.key)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Idempotency-Key", format!("stripe-node-retry-{:08x}-bench-{n:012x}", self.run))
            .body(form)
            .send()
            .await?;
        let status = res.status();
        let body = res.bytes().await?;
        if !status.is_success() {
            bail!("{status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body)
    }
}

async fn timed<T>(
    samples: &mut Samples,
    op: &'static str,
    f: impl std::future::Future<Output = anyhow::Result<T>>,
) -> Option<T> {
    timed_from(samples, op, Instant::now(), f).await
}

/// Like [`timed`], counting from `due` (when the request should have started).
async fn timed_from<T>(
    samples: &mut Samples,
    op: &'static str,
    started: Instant,
    f: impl std::future::Future<Output = anyhow::Result<T>>,
) -> Option<T> {
    match f.await {
        Ok(v) => {
            samples.ok.entry(op).or_default().push(started.elapsed());
            Some(v)
        }
        Err(e) => {
            *samples.errors.entry(op).or_default() += 1;
            samples.first_error.get_or_insert_with(|| format!("{op}: {e}"));
            None
        }
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

async fn create_once(client: &Client, samples: &mut Samples, n: u64, due: Instant) {
    let body = json!({"amount": 1000 + (n % 1000) as i64, "currency": "USD", "metadata": {"bench": "create"}});
    timed_from(samples, "create", due, client.send(reqwest::Method::POST, "/v1/payment_intents", Some(body))).await;
}

async fn stripe_create_once(client: &Client, samples: &mut Samples, n: u64, due: Instant) {
    let form = format!("amount={}&currency=usd&metadata%5Bbench%5D=create", 1000 + n % 1000);
    timed_from(samples, "create", due, client.send_stripe("/v1/payment_intents", form)).await;
}

async fn flow_once(client: &Client, samples: &mut Samples, started: Instant) {
    let body = json!({"amount": 2599, "currency": "USD", "capture_method": "manual", "payment_method": "pm_card_visa", "confirm": true});
    let create = client.call(reqwest::Method::POST, "/v1/payment_intents", Some(body));
    let Some(pi) = timed_from(samples, "flow: create+confirm", started, create).await else {
        return;
    };
    let pi_id = id(&pi);
    let path = format!("/v1/payment_intents/{pi_id}");
    let waited = timed(samples, "flow: wait for authorization", async {
        loop {
            let pi = client.call(reqwest::Method::GET, &path, None).await?;
            match pi["status"].as_str() {
                Some("processing") => tokio::time::sleep(Duration::from_millis(2)).await,
                Some("requires_capture") => return Ok(()),
                other => bail!("unexpected status {other:?}"),
            }
        }
    })
    .await;
    if waited.is_none() {
        return;
    }
    let capture_path = format!("{path}/capture");
    let capture = client.call(reqwest::Method::POST, &capture_path, Some(json!({})));
    if timed(samples, "flow: capture", capture).await.is_none() {
        return;
    }
    let refund =
        client.call(reqwest::Method::POST, "/v1/refunds", Some(json!({"payment_intent": pi_id, "amount": 500})));
    if timed(samples, "flow: refund", refund).await.is_some() {
        samples.ok.entry("flow: whole flow").or_default().push(started.elapsed());
    }
}

/// One unit of a scenario: a create, a whole flow, or a retrieve of the `n`th intent of `pool`.
async fn once(client: &Client, scenario: Scenario, samples: &mut Samples, n: u64, due: Instant, pool: &[String]) {
    match scenario {
        Scenario::Create => create_once(client, samples, n, due).await,
        Scenario::StripeCreate => stripe_create_once(client, samples, n, due).await,
        Scenario::Flow => flow_once(client, samples, due).await,
        Scenario::Webhooks => {}
        Scenario::Retrieve => {
            let path = format!("/v1/payment_intents/{}", pool[(n as usize) % pool.len()]);
            timed_from(samples, "retrieve", due, client.send(reqwest::Method::GET, &path, None)).await;
        }
    }
}

fn merge(into: &mut Samples, from: Samples) {
    for (op, mut lat) in from.ok {
        into.ok.entry(op).or_default().append(&mut lat);
    }
    for (op, n) in from.errors {
        *into.errors.entry(op).or_default() += n;
    }
    if into.first_error.is_none() {
        into.first_error = from.first_error;
    }
}

/// Open loop: starts one unit every `1 / rate` s until `duration` is over, however long each
/// takes, and waits for the last.
async fn run_at_rate(
    client: Arc<Client>,
    scenario: Scenario,
    rate: f64,
    duration: Duration,
    pool: Arc<Vec<String>>,
) -> anyhow::Result<(Samples, Duration)> {
    let merged = Arc::new(std::sync::Mutex::new(Samples::default()));
    let period = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut running = tokio::task::JoinSet::new();
    let mut n: u64 = 0;
    loop {
        let due = started + period.mul_f64(n as f64);
        if due >= started + duration {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let (client, merged, pool) = (client.clone(), merged.clone(), pool.clone());
        running.spawn(async move {
            let mut samples = Samples::default();
            once(&client, scenario, &mut samples, n, due, &pool).await;
            merge(&mut merged.lock().unwrap_or_else(|p| p.into_inner()), samples);
        });
        while running.try_join_next().is_some() {}
        n += 1;
    }
    while running.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let samples = std::mem::take(&mut *merged.lock().unwrap_or_else(|p| p.into_inner()));
    Ok((samples, elapsed))
}

async fn run(
    client: Arc<Client>,
    scenario: Scenario,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
) -> anyhow::Result<(Samples, Duration)> {
    let pool: Arc<Vec<String>> = Arc::new(if scenario == Scenario::Retrieve {
        let mut ids = Vec::new();
        for _ in 0..200 {
            let pi = client
                .call(reqwest::Method::POST, "/v1/payment_intents", Some(json!({"amount": 100, "currency": "USD"})))
                .await?;
            ids.push(id(&pi));
        }
        ids
    } else {
        Vec::new()
    });
    if let Some(rate) = rate {
        return run_at_rate(client, scenario, rate, duration, pool).await;
    }
    let merged = Arc::new(Mutex::new(Samples::default()));
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (client, merged, pool) = (client.clone(), merged.clone(), pool.clone());
        workers.push(tokio::spawn(async move {
            let mut samples = Samples::default();
            let mut n = worker as u64;
            while Instant::now() < deadline {
                once(&client, scenario, &mut samples, n, Instant::now(), &pool).await;
                n += concurrency as u64;
            }
            merge(&mut *merged.lock().await, samples);
        }));
    }
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed();
    let samples = std::mem::take(&mut *merged.lock().await);
    Ok((samples, elapsed))
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Prints the table of every operation, then one line for the scenario's own unit (`main`).
fn report(name: &str, main: &'static str, samples: &mut Samples, elapsed: Duration, load: &str) {
    println!("\n== {name} ({:.1} s)", elapsed.as_secs_f64());
    println!(
        "{:<30} {:>8} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "operation", "ok", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    let ops: Vec<_> = samples
        .ok
        .keys()
        .chain(samples.errors.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for op in ops {
        let lat = samples.ok.entry(op).or_default();
        lat.sort();
        let pct =
            |p: f64| lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
        println!(
            "{:<30} {:>8} {:>7} {:>10.1} {:>9} {:>9} {:>9} {:>9}",
            op,
            lat.len(),
            samples.errors.get(op).copied().unwrap_or(0),
            lat.len() as f64 / elapsed.as_secs_f64(),
            ms(pct(0.50)),
            ms(pct(0.90)),
            ms(pct(0.99)),
            ms(lat.last().copied().unwrap_or_default()),
        );
    }
    if let Some(e) = &samples.first_error {
        println!("first error: {e}");
    }
    let lat = samples.ok.entry(main).or_default();
    let pct = |p: f64| lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
    println!(
        "summary: {name}, {load}: {:.0}/s, p50 {} ms, p99 {} ms, p99.9 {} ms, {} errors",
        lat.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(pct(0.999)),
        samples.errors.values().sum::<u64>()
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http =
        reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).timeout(Duration::from_secs(30)).build()?;
    let run_id =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0);
    let client = Arc::new(Client {
        http,
        url: args.url.trim_end_matches('/').to_owned(),
        stripe_url: args.stripe_url.as_deref().map(|u| u.trim_end_matches('/').to_owned()),
        key: args.key.clone(),
        run: run_id,
        sent: std::sync::atomic::AtomicU64::new(0),
    });
    let health = client.http.get(format!("{}/ready", client.url)).send().await.context("is the gateway running?")?;
    let ready: Value = health.json().await?;
    println!(
        "kassa-bench: {} ({}), {} clients, {} s per scenario",
        client.url,
        ready["database"].as_str().unwrap_or("?"),
        args.concurrency,
        args.duration
    );
    for scenario in args.scenario {
        if scenario == Scenario::Webhooks {
            webhooks(client.clone(), args.concurrency, Duration::from_secs(args.duration), args.rate).await?;
            continue;
        }
        let (name, main) = match scenario {
            Scenario::Create => ("create payment intent", "create"),
            Scenario::StripeCreate => ("create payment intent through the Stripe face", "create"),
            Scenario::Flow => ("create + confirm + wait + capture + refund", "flow: whole flow"),
            Scenario::Retrieve => ("retrieve payment intent", "retrieve"),
            Scenario::Webhooks => unreachable!(),
        };
        if args.rate.is_some_and(|r| !(r > 0.0 && r <= 1_000_000.0)) {
            bail!("--rate must be a number of requests per second above 0");
        }
        let load = match args.rate {
            Some(rate) => format!("at a fixed {rate}/s"),
            None => format!("{} clients", args.concurrency),
        };
        let (mut samples, elapsed) =
            run(client.clone(), scenario, args.concurrency, Duration::from_secs(args.duration), args.rate).await?;
        report(name, main, &mut samples, elapsed, &load);
    }
    Ok(())
}

/// Arrivals at the benchmark's receiver: when, and the event's own creation time.
type Arrivals = Arc<Mutex<Vec<(Instant, time::OffsetDateTime)>>>;

async fn receive(
    axum::extract::State(arrivals): axum::extract::State<Arrivals>,
    body: axum::body::Bytes,
) -> &'static str {
    let at = Instant::now();
    let created = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|e| e["created_at"].as_str().map(str::to_owned))
        .and_then(|t| time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    arrivals.lock().await.push((at, created));
    "ok"
}

async fn webhooks(
    client: Arc<Client>,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
) -> anyhow::Result<()> {
    let arrivals: Arrivals = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(arrivals.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let endpoint = client
        .call(
            reqwest::Method::POST,
            "/v1/webhook_endpoints",
            Some(json!({"url": url, "enabled_events": ["payment_intent.created"]})),
        )
        .await?;
    let started = Instant::now();
    let (samples, _) = run(client.clone(), Scenario::Create, concurrency, duration, rate).await?;
    let created = samples.ok.get("create").map(Vec::len).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrivals.lock().await.len() < created && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let arrived = arrivals.lock().await.clone();
    let _ = client.call(reqwest::Method::DELETE, &format!("/v1/webhook_endpoints/{}", id(&endpoint)), None).await;
    let last = arrived.iter().map(|(at, _)| *at).max().unwrap_or(started);
    let elapsed = last.duration_since(started);
    // Latency from the event's creation (gateway clock) to its arrival (this machine's clock).
    let now_wall = time::OffsetDateTime::now_utc();
    let now_mono = Instant::now();
    let mut latencies: Vec<Duration> = arrived
        .iter()
        .filter_map(|(at, created)| {
            let arrived_wall = now_wall - time::Duration::try_from(now_mono.duration_since(*at)).ok()?;
            Duration::try_from(arrived_wall - *created).ok()
        })
        .collect();
    latencies.sort();
    let pct = |p: f64| {
        latencies.get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default()
    };
    let load = match rate {
        Some(rate) => format!("creating at a fixed {rate}/s"),
        None => format!("{concurrency} clients creating"),
    };
    println!("\n== webhook deliveries to a local receiver ({load} for {} s)", duration.as_secs());
    println!(
        "events created {created}, delivered {} in {:.1} s: {:.1} deliveries/s; event-to-arrival p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
        arrived.len(),
        elapsed.as_secs_f64(),
        arrived.len() as f64 / elapsed.as_secs_f64().max(0.001),
        ms(pct(0.5)),
        ms(pct(0.9)),
        ms(pct(0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
    Ok(())
}
