//! Lists as the core answers them: a page of items and an opaque token for the page after it.
//! A face says which page it wants with a [`PageRequest`], hands [`PageToken`]s out and reads
//! them back; how the store finds a position (a creation time and an id) stays below the core.

pub use kassa_domain::time::TimeRange;
use kassa_store::page as store;
use std::fmt;

/// Direction of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Most recent first (every list endpoint).
    NewestFirst,
    /// Oldest first (an object's event log, its captures).
    OldestFirst,
}

/// Where a page starts: the token the page before it gave. Stable under concurrent inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageToken(store::Cursor);

/// A page token that Kassa did not give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("page_token is not a token from a previous page of this list")]
pub struct InvalidPageToken;

impl PageToken {
    /// What every token matches, for documents that describe it.
    pub const PATTERN: &'static str = store::Cursor::PATTERN;

    /// Reads a token this or an earlier Kassa gave.
    pub fn parse(token: &str) -> Result<PageToken, InvalidPageToken> {
        store::Cursor::decode(token).map(PageToken).map_err(|_| InvalidPageToken)
    }

    /// The token as handed out.
    pub fn encode(&self) -> String {
        self.0.encode()
    }
}

impl fmt::Display for PageToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Items per page.
    pub limit: u32,
    /// Start after the item this token names; `None` for the first page.
    pub after: Option<PageToken>,
    /// Direction.
    pub order: Order,
}

impl PageRequest {
    /// The first page of `limit` items.
    pub fn first(limit: u32, order: Order) -> PageRequest {
        PageRequest { limit, after: None, order }
    }

    pub(crate) fn to_store(&self) -> store::PageRequest {
        store::PageRequest {
            limit: self.limit,
            after: self.after.as_ref().map(|t| t.0.clone()),
            order: match self.order {
                Order::NewestFirst => store::Order::NewestFirst,
                Order::OldestFirst => store::Order::OldestFirst,
            },
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next: Option<PageToken>,
}

impl<T> Page<T> {
    /// The same page with each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

impl<T> From<store::Page<T>> for Page<T> {
    fn from(page: store::Page<T>) -> Page<T> {
        Page { items: page.items, next: page.next.map(PageToken) }
    }
}

/// Every item of a list, read a page at a time (`read` is given each page's request).
pub(crate) async fn every<T, Read>(order: Order, mut read: impl FnMut(PageRequest) -> Read) -> super::AppResult<Vec<T>>
where
    Read: Future<Output = super::AppResult<Page<T>>>,
{
    let mut request = PageRequest::first(100, order);
    let mut all = Vec::new();
    loop {
        let page = read(request.clone()).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => request.after = Some(next),
            None => return Ok(all),
        }
    }
}
