//! When to retry, and how long to wait: exponential backoff with full jitter, never shorter
//! than the gateway's `Retry-After` (the `kassa-backoff` crate, shared with the provider
//! clients).

pub(crate) use kassa_backoff::Backoff;
