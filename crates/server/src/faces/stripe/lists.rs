//! Stripe's lists: `{object: "list", data, has_more, url}`, newest first, `limit` 1–100 (10 by
//! default), `starting_after` / `ending_before` naming an object of the list, and
//! `created` (a unix time, or `created[gt|gte|lt|lte]`).

use super::params::Kind;
use crate::app::{AppError, Order, Page, PageRequest, PageToken, TimeRange};
use crate::http::fields::Fields;
use kassa_domain::{Invalid, Timestamp};
use serde_json::{Value, json};

/// The typed parameters every list takes.
pub const LIST_PARAMS: &[(&str, Kind)] = &[
    ("limit", Kind::Integer),
    ("created", Kind::Integer),
    ("created.gt", Kind::Integer),
    ("created.gte", Kind::Integer),
    ("created.lt", Kind::Integer),
    ("created.lte", Kind::Integer),
];

/// A list request, read.
pub struct ListRequest {
    limit: u32,
    /// `starting_after` or `ending_before`, and which.
    anchor: Option<(String, bool)>,
    /// The creation range, in µs.
    pub created: TimeRange,
}

const SECOND: i64 = 1_000_000;

/// Reads `limit`, `starting_after`, `ending_before` and `created` (unknown parameters are the
/// caller's to refuse, with [`Fields::finish`]).
pub fn read(f: &mut Fields) -> ListRequest {
    let limit = f.integer("limit", 1, 100, "limit_out_of_range").unwrap_or(10) as u32;
    let after = f.string("starting_after", 255);
    let before = f.string("ending_before", 255);
    if after.is_some() && before.is_some() {
        f.reject(
            "ending_before",
            Invalid::new("parameter_conflict", "Give starting_after or ending_before, not both."),
        );
    }
    let anchor = after.map(|a| (a, false)).or(before.map(|b| (b, true)));
    let mut created = TimeRange::default();
    if let Some(exact) = f.integer("created", 0, i64::MAX / SECOND - 1, "created_out_of_range") {
        created.gte = Some(exact * SECOND);
        created.lt = Some((exact + 1) * SECOND);
    } else if let Some(mut range) = f.object("created") {
        let bound = |range: &mut Fields, name| range.integer(name, 0, i64::MAX / SECOND - 1, "created_out_of_range");
        created.gte =
            bound(&mut range, "gte").map(|s| s * SECOND).or(bound(&mut range, "gt").map(|s| (s + 1) * SECOND));
        created.lt = bound(&mut range, "lt").map(|s| s * SECOND).or(bound(&mut range, "lte").map(|s| (s + 1) * SECOND));
        f.absorb(range);
    }
    ListRequest { limit, anchor, created }
}

impl ListRequest {
    /// The page to ask the core for, given when the anchor object was created (looked up by
    /// the route: an anchor that is not in the list is a 404, as Stripe answers).
    pub fn page(&self, anchor_created: Option<Timestamp>) -> Result<PageRequest, AppError> {
        self.page_at(anchor_created.zip(self.anchor()))
    }

    /// [`Self::page`] from the Kassa object (when it was created, and its id) that the
    /// anchor is a view of.
    pub fn page_at(&self, anchor: Option<(Timestamp, &str)>) -> Result<PageRequest, AppError> {
        let order = match self.anchor {
            Some((_, true)) => Order::OldestFirst,
            _ => Order::NewestFirst,
        };
        let mut page = PageRequest::first(self.limit, order);
        if let Some((created, id)) = anchor {
            let token = format!("{}.{id}", created.micros());
            page.after = Some(PageToken::parse(&token).map_err(|_| AppError::not_found("object", id))?);
        }
        Ok(page)
    }

    /// The id of `starting_after` / `ending_before`.
    pub fn anchor(&self) -> Option<&str> {
        self.anchor.as_ref().map(|(id, _)| id.as_str())
    }

    /// The answer: newest first whichever way the page was read.
    pub fn answer(&self, url: &str, page: Page<Value>) -> Value {
        let has_more = page.next.is_some();
        let mut data = page.items;
        if matches!(self.anchor, Some((_, true))) {
            data.reverse();
        }
        json!({"object": "list", "data": data, "has_more": has_more, "url": url})
    }
}
