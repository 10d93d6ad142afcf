//! The Kassa gateway.
//!
//! [`Server::build`] opens the store, builds the [`app::App`] over the built-in card
//! simulator and binds the listener; [`Server::run`] serves HTTP and runs the background
//! workers until shut down. Tests start it exactly like the binary does (see
//! `kassa-testkit`). `ARCHITECTURE.md` at the repository root maps the modules.

pub mod data_lock;
pub mod faces;
pub mod http;
pub mod master_key;
pub mod routes;
pub mod serve;

// The application core lives in `kassa-core`; its modules keep their paths here.
pub use kassa_core::{app, backup, clock, config, connector, secrets, webhooks, workers};

use app::App;
use clock::Clock;
use config::Config;
use connector::simulator::Simulator;
use http::HttpState;
use http::rate_limit::RateLimiter;
use kassa_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Opens the store and builds the application over the card simulator (no listener): what
/// the server and the operator CLI share.
pub async fn open_app(config: &Config) -> anyhow::Result<App> {
    let store = Store::connect(&config.store).await?;
    let clock = Arc::new(Clock::skewed(config.clock_skew_micros));
    let connector = Arc::new(Simulator::new(store.clone(), clock.clone(), config.simulator.clone()));
    Ok(App::new(store, connector, clock, faces::webhook_dialects(), kassa_connectors::providers(), config).await?)
}

/// A gateway ready to serve.
pub struct Server {
    app: App,
    listener: TcpListener,
    /// The Stripe face's own listener, when it is on.
    stripe_listener: Option<TcpListener>,
    config: Config,
    /// Held while serving an SQLite database.
    _data_lock: Option<data_lock::DataLock>,
}

impl Server {
    /// Connects to the database (running migrations), builds the app and binds the address.
    pub async fn build(mut config: Config) -> anyhow::Result<Server> {
        // Bind first: with port 0 the hosted pages' URLs need the port actually bound.
        let listener = TcpListener::bind(config.addr).await?;
        config.addr = listener.local_addr()?;
        let stripe_listener = match config.stripe_addr {
            Some(addr) => {
                let bound = TcpListener::bind(addr).await?;
                config.stripe_addr = Some(bound.local_addr()?);
                Some(bound)
            }
            None => None,
        };
        let data_lock = data_lock::acquire(&config.store.url, &format!("serving http://{}", config.addr))?;
        let app = open_app(&config).await?;
        if data_lock.is_some() {
            // Alone on the data: whatever a crashed process held resumes now.
            let released = app.release_all_leases().await?;
            if released != Default::default() {
                tracing::info!(?released, "released the leases of the last run");
            }
        }
        // Among the nodes before it serves: the leases it takes name a node the others can see.
        app.join_nodes().await?;
        Ok(Server { app, listener, stripe_listener, config, _data_lock: data_lock })
    }

    /// The application, for setup before serving (the demo merchant, tests' merchants).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.addr)
    }

    /// Where the Stripe face listens, when it is on.
    pub fn stripe_addr(&self) -> Option<SocketAddr> {
        self.config.stripe_addr
    }

    /// Serves until `shutdown` resolves, then stops taking requests, lets in-flight requests
    /// and jobs finish, and closes the database.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let limiter = Arc::new(RateLimiter::new(self.config.rate_limit));
        let state = HttpState { app: self.app.clone(), limiter: limiter.clone(), body_limit: self.config.body_limit };
        let stripe_router = routes::stripe_router(state.clone(), &self.config);
        let router = routes::router(state, &self.config);
        let (stop_tx, stop_rx) = watch::channel(false);
        let stop_rx_for_stripe = stop_rx.clone();
        let (stop_heart, heart_rx) = watch::channel(false);
        let heart = tokio::spawn(workers::heartbeat(self.app.clone(), heart_rx));
        let jobs = tokio::spawn(workers::run_jobs(self.app.clone(), stop_rx.clone()));
        let deliveries = tokio::spawn(workers::run_deliveries(self.app.clone(), stop_rx.clone()));
        let sessions = tokio::spawn(workers::expire_sessions(self.app.clone(), stop_rx.clone()));
        let announcer = tokio::spawn(workers::announce(self.app.clone(), stop_rx.clone()));
        let listener = tokio::spawn(workers::listen(self.app.clone(), stop_rx.clone()));
        let sampler =
            self.config.metrics.then(|| tokio::spawn(workers::sample_backlogs(self.app.clone(), stop_rx.clone())));
        let shares = tokio::spawn(share_limits(self.app.live_nodes(), limiter.clone()));
        let reaper = tokio::spawn(workers::reap(self.app.clone(), stop_rx, move || limiter.shrink()));
        let limits = serve::ConnectionLimits {
            header_read_timeout: self.config.header_read_timeout,
            max_connections: self.config.max_connections,
            shutdown_grace: self.config.shutdown_grace,
        };
        let stripe = self.stripe_listener.map(|listener| {
            let mut stopping = stop_rx_for_stripe;
            tokio::spawn(serve::serve(listener, stripe_router, limits, async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            }))
        });
        serve::serve(self.listener, router, limits, async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await;
        if let Some(stripe) = stripe {
            let _ = stripe.await;
        }
        let _ = jobs.await;
        let _ = deliveries.await;
        let _ = sessions.await;
        let _ = announcer.await;
        let _ = listener.await;
        let _ = reaper.await;
        if let Some(sampler) = sampler {
            let _ = sampler.await;
        }
        // Last: the workers' leases stay renewed until they are done, then are released.
        let _ = stop_heart.send(true);
        let _ = heart.await;
        shares.abort();
        self.app.close().await;
        Ok(())
    }
}

/// Shares the rate limits among the live nodes, whenever the heartbeat finds another count.
async fn share_limits(mut nodes: tokio::sync::watch::Receiver<usize>, limiter: Arc<RateLimiter>) {
    loop {
        limiter.share_among(*nodes.borrow_and_update());
        if nodes.changed().await.is_err() {
            return;
        }
    }
}
