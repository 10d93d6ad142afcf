//! Cursor-paginated lists, newest first.

use serde::{Deserialize, Serialize};

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct List<T> {
    /// Always `"list"`.
    pub object: String,
    /// The items of this page.
    pub data: Vec<T>,
    /// Whether another page follows.
    pub has_more: bool,
    /// Pass as `page_token` to get the next page; `null` on the last page.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

impl<T> List<T> {
    /// A page.
    pub fn new(data: Vec<T>, next_page_token: Option<String>) -> List<T> {
        List { object: "list".to_owned(), has_more: next_page_token.is_some(), data, next_page_token }
    }
}

/// Paging parameters every list accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    /// Items per page, 1–100 (default 20).
    pub limit: Option<u32>,
    /// The `next_page_token` of the previous page.
    pub page_token: Option<String>,
}

impl ListParams {
    /// Appends `limit` and `page_token` as query pairs.
    pub fn push_query(&self, out: &mut Vec<(String, String)>) {
        if let Some(limit) = self.limit {
            out.push(("limit".into(), limit.to_string()));
        }
        if let Some(token) = &self.page_token {
            out.push(("page_token".into(), token.clone()));
        }
    }
}

/// A time range filter on `created_at`: `created[gte]=…&created[lt]=…`. Bounds are Unix
/// seconds or RFC 3339 timestamps on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// Strictly after.
    pub gt: Option<time::OffsetDateTime>,
    /// At or after.
    pub gte: Option<time::OffsetDateTime>,
    /// Strictly before.
    pub lt: Option<time::OffsetDateTime>,
    /// At or before.
    pub lte: Option<time::OffsetDateTime>,
}

impl Range {
    /// Appends `name[gt]` … as query pairs, bounds in RFC 3339.
    pub fn push_query(&self, name: &str, out: &mut Vec<(String, String)>) {
        let fmt =
            |t: &time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        for (op, bound) in [("gt", &self.gt), ("gte", &self.gte), ("lt", &self.lt), ("lte", &self.lte)] {
            if let Some(t) = bound {
                out.push((format!("{name}[{op}]"), fmt(t)));
            }
        }
    }
}
