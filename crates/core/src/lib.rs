//! The application core of the Kassa gateway: every command and query whatever face it came
//! through ([`app`]), the durable job and webhook workers ([`workers`]), the processor
//! connector and its card simulator ([`connector`]), the outbound webhook sender
//! ([`webhooks`]), the clock and the configuration.
//!
//! It takes domain values and returns domain values and errors that name fields by meaning.
//! It depends on neither an HTTP framework nor a wire format; the faces in `kassa-server`
//! translate, and render events through the [`app::WebhookDialect`]s they register.

pub mod app;
pub mod backup;
pub mod clock;
pub mod config;
pub mod connector;
pub mod secrets;
pub mod webhooks;
pub mod workers;
