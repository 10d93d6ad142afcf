//! Cursor pagination: a page ends at an item, the next page starts after it.
//!
//! Order is `(created_at, id)`, so a cursor names an exact position that does not move when
//! new items are inserted (unlike an offset).

use crate::Db;
use crate::sql::SqlBuilder;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A position in a list: the last item of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The item's creation time (µs).
    pub created_at: i64,
    /// The item's id, to break ties.
    pub id: String,
}

/// A page token that Kassa did not issue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("page_token is not a token from a previous page of this list")]
pub struct CursorError;

impl Cursor {
    /// What every token matches, for documents that describe it: the item's creation time
    /// (µs, at most 18 digits), a dot, its id.
    pub const PATTERN: &'static str = r"^-?[0-9]{1,18}\.[A-Za-z0-9_]+$";

    /// The token given to clients: `created_at.id`. Any token of this shape is a position in
    /// the list, so a document can describe exactly which tokens are accepted.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    /// Reads a token produced by [`Cursor::encode`] (or by an earlier Kassa, which encoded the
    /// same text in base64url).
    pub fn decode(token: &str) -> Result<Cursor, CursorError> {
        if token.contains('.') {
            return Cursor::parse(token);
        }
        let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| CursorError)?;
        Cursor::parse(&String::from_utf8(raw).map_err(|_| CursorError)?)
    }

    fn parse(raw: &str) -> Result<Cursor, CursorError> {
        let (created_at, id) = raw.split_once('.').ok_or(CursorError)?;
        let digits = created_at.strip_prefix('-').unwrap_or(created_at);
        if !(1..=18).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CursorError);
        }
        let created_at = created_at.parse().map_err(|_| CursorError)?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(CursorError);
        }
        Ok(Cursor { created_at, id: id.to_owned() })
    }
}

/// Direction of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Most recent first (every list endpoint).
    NewestFirst,
    /// Oldest first (an object's event log).
    OldestFirst,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page.
    pub limit: u32,
    /// Start after this item.
    pub after: Option<Cursor>,
    /// Direction.
    pub order: Order,
}

pub use kassa_domain::time::TimeRange;

/// One page of results and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor of the next page, if there is one.
    pub next: Option<Cursor>,
}

/// Appends the range, the cursor condition, the order and the limit (one extra row, to know
/// whether another page follows).
pub(crate) fn push_window(b: &mut SqlBuilder, range: &TimeRange, page: &PageRequest) {
    for (op, bound) in [(" > ", range.gt), (" >= ", range.gte), (" < ", range.lt), (" <= ", range.lte)] {
        if let Some(v) = bound {
            b.push(" AND created_at").push(op).int(v);
        }
    }
    let (cmp, dir) = match page.order {
        Order::NewestFirst => ("<", "DESC"),
        Order::OldestFirst => (">", "ASC"),
    };
    if let Some(c) = &page.after {
        b.push(&format!(" AND (created_at {cmp} "))
            .int(c.created_at)
            .push(" OR (created_at = ")
            .int(c.created_at)
            .push(&format!(" AND id {cmp} "))
            .text(c.id.clone())
            .push("))");
    }
    b.push(&format!(" ORDER BY created_at {dir}, id {dir} LIMIT ")).int(i64::from(page.limit) + 1);
}

/// Cuts the extra row off and makes the next cursor from the last item kept.
pub(crate) fn finish<T>(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> Cursor) -> Page<T> {
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next }
}

/// Runs a list statement built with [`push_window`] and decodes one page of it.
pub(crate) async fn fetch_page<'e, E, T>(
    exec: E,
    mut b: SqlBuilder,
    range: &TimeRange,
    page: &PageRequest,
    decode: fn(&crate::db::Row) -> crate::Result<T>,
    cursor: fn(&T) -> Cursor,
) -> crate::Result<Page<T>>
where
    E: Into<Db<'e>>,
{
    push_window(&mut b, range, page);
    let rows = b.build().fetch_all(exec).await?;
    let items = rows.iter().map(decode).collect::<crate::Result<Vec<_>>>()?;
    Ok(finish(items, page.limit, cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor { created_at: 1_700_000_000_123_456, id: "pi_abc".into() };
        assert_eq!(c.encode(), "1700000000123456.pi_abc");
        assert_eq!(Cursor::decode(&c.encode()), Ok(c.clone()));
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode("1700000000123456.pi_abc")), Ok(c), "an earlier token");
        // Every token of `Cursor::PATTERN`'s shape is accepted, and nothing else.
        for good in ["0.a", "-5.pi_1", "999999999999999999.X"] {
            assert!(Cursor::decode(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "!!!",
            ".pi_1",
            "1.",
            "+1.pi_1",
            "1234567890123456789.pi_1",
            "1.pi-1",
            &URL_SAFE_NO_PAD.encode("x.pi_1"),
            &URL_SAFE_NO_PAD.encode("1.pi_1' OR 1=1"),
        ] {
            assert_eq!(Cursor::decode(bad), Err(CursorError), "{bad}");
        }
    }
}
