//! Integration tests of the native API: the real gateway on a random port, a real database
//! (SQLite, or PostgreSQL with `KASSA_TEST_DATABASE_URL`), talked to over HTTP.

mod at_rest;
mod auth;
mod basics;
mod captures;
mod checkout;
mod checkout_page;
mod connections;
mod connectors;
mod contract;
mod dashboard;
mod events;
mod hostile;
mod idempotency;
mod jobs;
mod live_mode;
mod metrics;
mod openapi;
mod payment_intents;
mod probuy;
mod rate_limits;
mod receipts;
mod references;
mod refunds;
mod retries;
mod seed;
mod smartpay;
mod stripe;
mod through_probuy;
mod through_smartpay;
mod through_vipps;
mod tokens;
mod upgrade;
mod validation;
mod vipps;
mod webhooks;
