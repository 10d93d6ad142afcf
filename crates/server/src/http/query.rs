//! Reading list parameters from the query string, collecting every problem like
//! [`super::fields::Fields`] does for bodies.

use crate::app::{AppError, FieldError};
use crate::app::{Order, PageRequest, PageToken, TimeRange};
use kassa_domain::Invalid;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;

/// The query string's parameters.
pub struct QueryParams {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl QueryParams {
    /// Parses `a=1&b=2` (URL-decoded).
    pub fn parse(query: Option<&str>) -> QueryParams {
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        QueryParams { pairs, errors: Vec::new() }
    }

    fn reject(&mut self, param: &str, invalid: Invalid) {
        self.errors.push(FieldError::new(param, invalid));
    }

    /// A parameter given at most once.
    pub fn take(&mut self, name: &str) -> Option<String> {
        let mut values: Vec<String> = Vec::new();
        self.pairs.retain(|(k, v)| {
            if k == name {
                values.push(v.clone());
                false
            } else {
                true
            }
        });
        match values.len() {
            0 => None,
            1 if values.iter().any(|v| super::fields::has_control_characters(v)) => {
                self.reject(name, super::fields::control_characters());
                None
            }
            1 => values.pop(),
            _ => {
                self.reject(name, Invalid::new("parameter_duplicated", format!("{name} may be given only once.")));
                None
            }
        }
    }

    /// Every value of a repeatable parameter (`expand[]`).
    pub fn take_all(&mut self, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        self.pairs.retain(|(k, v)| {
            if k == name {
                values.push(v.clone());
                false
            } else {
                true
            }
        });
        values
    }

    /// A value turned into a domain value by `parse`.
    pub fn parsed<T>(&mut self, name: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        let raw = self.take(name)?;
        parse(&raw).map_err(|e| self.reject(name, e)).ok()
    }

    /// `limit` and `page_token`, newest first.
    pub fn page(&mut self) -> PageRequest {
        let limit = self
            .parsed("limit", |s| {
                s.parse::<u32>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                    Invalid::new("invalid_limit", format!("limit must be an integer from 1 to {MAX_LIMIT}."))
                })
            })
            .unwrap_or(DEFAULT_LIMIT);
        let after = self.parsed("page_token", |s| {
            PageToken::parse(s).map_err(|e| Invalid::new("invalid_page_token", e.to_string()))
        });
        PageRequest { limit, after, order: Order::NewestFirst }
    }

    /// `name[gt]`, `name[gte]`, `name[lt]`, `name[lte]`: Unix seconds or RFC 3339.
    pub fn time_range(&mut self, name: &str) -> TimeRange {
        let mut bound = |op: &str| self.parsed(&format!("{name}[{op}]"), parse_instant);
        TimeRange { gt: bound("gt"), gte: bound("gte"), lt: bound("lt"), lte: bound("lte") }
    }

    /// Ends reading: unknown parameters and every problem become one validation error.
    pub fn finish(mut self) -> Result<(), AppError> {
        for (k, _) in std::mem::take(&mut self.pairs) {
            self.reject(&k, Invalid::new("parameter_unknown", format!("Received unknown parameter: {k}.")));
        }
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::validation(self.errors)) }
    }
}

/// Unix seconds or an RFC 3339 date-time, as microseconds.
fn parse_instant(s: &str) -> Result<i64, Invalid> {
    let invalid = || Invalid::new("invalid_timestamp", "Must be Unix seconds or an RFC 3339 date-time.");
    if let Ok(secs) = s.parse::<i64>() {
        return secs.checked_mul(1_000_000).ok_or_else(invalid);
    }
    let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| invalid())?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).map_err(|_| invalid())
}
