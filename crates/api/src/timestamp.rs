//! Timestamps are RFC 3339 strings in UTC on the wire.

/// Serde helpers for `OffsetDateTime` as RFC 3339.
pub use time::serde::rfc3339;
