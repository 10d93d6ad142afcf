//! Every item of a list, fetched page by page as the stream is read.

use crate::error::Error;
use futures_core::Stream;
use kassa_api::List;
use std::collections::VecDeque;
use std::future::Future;

/// Turns "fetch the page after this token" into a stream of items.
pub(crate) fn paginate<'a, T, F, Fut>(
    first_token: Option<String>,
    mut fetch: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: FnMut(Option<String>) -> Fut + 'a,
    Fut: Future<Output = Result<List<T>, Error>> + 'a,
{
    struct State<T> {
        buffered: VecDeque<T>,
        next: Option<String>,
        started: bool,
        failed: bool,
    }
    let state = State { buffered: VecDeque::new(), next: first_token, started: false, failed: false };
    futures_util::stream::unfold((state, ()), move |(mut s, ())| {
        let page = if s.buffered.is_empty() && !s.failed && (!s.started || s.next.is_some()) {
            s.started = true;
            Some(fetch(s.next.take()))
        } else {
            None
        };
        async move {
            if let Some(page) = page {
                match page.await {
                    Ok(list) => {
                        s.buffered.extend(list.data);
                        s.next = list.next_page_token;
                    }
                    Err(e) => {
                        s.failed = true;
                        return Some((Err(e), (s, ())));
                    }
                }
            }
            let item = s.buffered.pop_front()?;
            Some((Ok(item), (s, ())))
        }
    })
}
