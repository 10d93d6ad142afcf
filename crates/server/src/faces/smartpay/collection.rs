//! Smartpay's lists: `maxResults`, `pageToken` and `expand` in, `{object: "collection",
//! pageToken, nextPageToken, maxResults, results, data}` out. A page token is Kassa's cursor.

use crate::app::AppError;
use crate::app::Page;
use crate::app::{Order, PageRequest, PageToken};
use crate::http::query::QueryParams;
use kassa_domain::Invalid;
use serde::Serialize;

/// Most items in one page.
const MAX_RESULTS: u32 = 100;
/// Items in a page when the caller does not say.
const DEFAULT_RESULTS: u32 = 20;

/// Query parameters the SDK adds to every call, which mean nothing to the gateway.
const SDK_NOISE: [&str; 3] = ["dev-lang", "sdk-version", "idempotencyKey"];

/// Whether referenced objects are inlined (`expand=all`) or named by id (`expand=no`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expand(pub bool);

/// Reads `expand` and ends reading a single object's query.
pub fn expand_only(mut q: QueryParams) -> Result<Expand, AppError> {
    let expand = expand(&mut q);
    finish(q)?;
    Ok(expand)
}

fn expand(q: &mut QueryParams) -> Expand {
    let value = q.parsed("expand", |e| match e {
        "all" => Ok(true),
        "no" | "" => Ok(false),
        _ => Err(Invalid::new("invalid_expand", "expand is `all` or `no`.")),
    });
    Expand(value.unwrap_or(false))
}

/// Ends reading a query: the SDK's own parameters are ignored, anything else unknown refused.
pub fn finish(mut q: QueryParams) -> Result<(), AppError> {
    for noise in SDK_NOISE {
        let _ = q.take_all(noise);
    }
    q.finish()
}

/// What a list call asked for.
pub struct ListRequest {
    /// The page.
    pub page: PageRequest,
    /// The token that asked for it, echoed.
    pub token: Option<String>,
    /// Inline referenced objects.
    pub expand: Expand,
}

/// Reads `maxResults`, `pageToken` and `expand`; the caller reads its filters, then calls
/// [`finish`].
pub fn request(q: &mut QueryParams) -> ListRequest {
    let limit = q
        .parsed("maxResults", |s| {
            s.parse::<u32>().ok().filter(|n| (1..=MAX_RESULTS).contains(n)).ok_or_else(|| {
                Invalid::new("invalid_max_results", format!("maxResults is an integer from 1 to {MAX_RESULTS}."))
            })
        })
        .unwrap_or(DEFAULT_RESULTS);
    let token = q.parsed("pageToken", |t| {
        PageToken::parse(t)
            .map(|c| (t.to_owned(), c))
            .map_err(|_| Invalid::new("invalid_page_token", "Give a nextPageToken from an earlier page."))
    });
    let (token, after) = token.unzip();
    let expand = expand(q);
    ListRequest { page: PageRequest { limit, after, order: Order::NewestFirst }, token, expand }
}

/// The answer to a list call: `data`, the page `found`, in Smartpay's envelope.
pub fn respond<U, T: Serialize>(
    asked: &ListRequest,
    found: &Page<U>,
    data: Vec<T>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    serde_json::to_value(Collection::new(asked, found, data)).map(axum::Json).map_err(AppError::internal)
}

/// One page, in Smartpay's envelope.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection<T> {
    object: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
    max_results: u32,
    results: usize,
    data: Vec<T>,
}

impl<T> Collection<T> {
    /// The page `data` of `found`, answering `asked`.
    pub fn new<U>(asked: &ListRequest, found: &Page<U>, data: Vec<T>) -> Collection<T> {
        Collection {
            object: "collection",
            page_token: asked.token.clone(),
            next_page_token: found.next.as_ref().map(PageToken::to_string),
            max_results: asked.page.limit,
            results: data.len(),
            data,
        }
    }
}
