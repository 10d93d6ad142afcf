//! Sending webhooks: the HTTP side of deliveries. Which deliveries to send, and what their
//! outcome means, is in `app/deliveries.rs`.

pub mod sender;
