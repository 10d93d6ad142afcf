//! The answers kept for replays (see [`App::keep_answer`]), written off the request's path.
//!
//! A request that settled its idempotency key hands its answer over and returns at once; a
//! task writes the answers handed over meanwhile in one transaction. Until an answer is
//! written, a replay on this node finds it here. A replay on another node in that moment, or
//! after a crash that lost it, renders the stored outcome instead.

use super::Answer;
use kassa_domain::Scope;
use kassa_store::Store;
use kassa_store::idempotency::{self as keys};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::mpsc;

/// Most answers written in one transaction.
const BATCH: usize = 256;

type Key = (Scope, String);

struct Kept {
    scope: Scope,
    key: String,
    token: String,
    answer: Answer,
}

/// Answers on their way to the database.
#[derive(Default)]
pub(crate) struct AnswerKeeper {
    pending: Arc<Mutex<HashMap<Key, Answer>>>,
    queue: OnceLock<mpsc::UnboundedSender<Kept>>,
}

impl AnswerKeeper {
    /// Hands `answer` over for the key `key` of `scope`, which this request holds with `token`.
    pub(crate) fn keep(&self, store: &Store, scope: &Scope, key: &str, token: &str, answer: Answer) {
        self.lock().insert((scope.clone(), key.to_owned()), answer.clone());
        let queue = self.queue.get_or_init(|| {
            let (queue, receiver) = mpsc::unbounded_channel();
            tokio::spawn(write_answers(store.clone(), self.pending.clone(), receiver));
            queue
        });
        let kept = Kept { scope: scope.clone(), key: key.to_owned(), token: token.to_owned(), answer };
        if queue.send(kept).is_err() {
            self.lock().remove(&(scope.clone(), key.to_owned()));
        }
    }

    /// The answer for `key` of `scope` if it is still on its way to the database.
    pub(crate) fn pending(&self, scope: &Scope, key: &str) -> Option<Answer> {
        self.lock().get(&(scope.clone(), key.to_owned())).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Answer>> {
        lock(&self.pending)
    }
}

fn lock(pending: &Mutex<HashMap<Key, Answer>>) -> std::sync::MutexGuard<'_, HashMap<Key, Answer>> {
    pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes what is handed over, as many answers a transaction as have arrived meanwhile. The
/// writes are redoable (not waited for the disk): losing one costs only a byte-for-byte replay.
async fn write_answers(
    store: Store,
    pending: Arc<Mutex<HashMap<Key, Answer>>>,
    mut queue: mpsc::UnboundedReceiver<Kept>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = write(&store, &batch).await {
            tracing::warn!(error = %e, answers = batch.len(), "answers kept for replays were not written");
        }
        let mut pending = lock(&pending);
        for kept in batch.drain(..) {
            pending.remove(&(kept.scope, kept.key));
        }
    }
}

async fn write(store: &Store, batch: &[Kept]) -> kassa_store::Result<()> {
    let mut tx = store.begin().await?;
    for kept in batch {
        let answer = keys::Answer {
            status: kept.answer.status,
            content_type: kept.answer.content_type.clone(),
            body: kept.answer.body.clone(),
        };
        keys::record_answer(&mut tx, &kept.scope, &kept.key, &kept.token, &answer).await?;
    }
    let _queued = tx.commit_redoable().await?;
    Ok(())
}
