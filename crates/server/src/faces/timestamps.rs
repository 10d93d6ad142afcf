//! Timestamps in the spellings the faces' clients expect.

use kassa_domain::Timestamp;
use time::OffsetDateTime;

/// A timestamp as a UTC date-time.
pub fn datetime(t: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.micros()) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A timestamp as ISO 8601 UTC with milliseconds, `2023-01-01T12:00:05.000Z` (JavaScript's
/// `toISOString`), for the faces whose clients expect that spelling.
pub fn iso_millis(t: Timestamp) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    datetime(t).format(format).unwrap_or_default()
}

/// A timestamp as ISO 8601 UTC to the second, `2025-10-20T11:00:00Z`.
pub fn iso_seconds(t: Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    datetime(t).format(format).unwrap_or_default()
}
