//! Wake-ups across nodes (PostgreSQL): a node tells the others of queued work it cannot start
//! itself at once (it runs no jobs, or its workers are all busy), so an idle node starts it
//! instead of at its next poll, and hears theirs. Work the node starts itself is not announced:
//! every other node would only race it to the claim. Announcements are coalesced (at most one
//! per [`ANNOUNCE_GAP`]) and sent off the request path; while a node hears the others its
//! workers poll only as a safety net.

use super::App;
use kassa_store::Queued;
use kassa_store::wakeups::{self, Announcement, Heard, Listener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// The shortest time between two announcements of one node.
pub const ANNOUNCE_GAP: Duration = Duration::from_millis(10);

/// What this node has to tell, and whether it hears the others.
#[derive(Default)]
pub(crate) struct Wakeups {
    untold_jobs: AtomicBool,
    untold_deliveries: AtomicBool,
    untold: Notify,
    listening: AtomicBool,
    /// Every job slot of this node is taken.
    jobs_saturated: AtomicBool,
    /// Every delivery slot of this node is taken.
    deliveries_saturated: AtomicBool,
}

impl App {
    /// Notes what a commit queued, for the other nodes to hear of.
    pub(crate) fn tell_others(&self, queued: Queued) {
        let w = &self.inner.wakeups;
        let queued = Queued {
            jobs: queued.jobs && (self.job_config().concurrency == 0 || w.jobs_saturated.load(Ordering::Relaxed)),
            deliveries: queued.deliveries && w.deliveries_saturated.load(Ordering::Relaxed),
        };
        if !(queued.jobs || queued.deliveries) || !self.store().announces() {
            return;
        }
        if queued.jobs {
            w.untold_jobs.store(true, Ordering::Relaxed);
        }
        if queued.deliveries {
            w.untold_deliveries.store(true, Ordering::Relaxed);
        }
        w.untold.notify_one();
    }

    /// Waits until this node has queued something since it last told the others, and tells
    /// them (one announcement for all of it).
    pub async fn announce_queued(&self) {
        let w = &self.inner.wakeups;
        w.untold.notified().await;
        let queued = Queued {
            jobs: w.untold_jobs.swap(false, Ordering::Relaxed),
            deliveries: w.untold_deliveries.swap(false, Ordering::Relaxed),
        };
        if !(queued.jobs || queued.deliveries) {
            return;
        }
        let announcement = Announcement { node: self.inner.node.clone(), queued };
        if let Err(e) = wakeups::announce(self.store(), &announcement).await {
            // The others find the work at their next poll.
            tracing::warn!(error = %e, "could not tell the other nodes of queued work");
        }
    }

    /// A session hearing the other nodes' announcements; `None` if this database has none
    /// (SQLite, or behind a transaction pooler without a direct URL).
    pub async fn listener(&self) -> kassa_store::Result<Option<Listener>> {
        self.store().listener().await
    }

    /// Hears the next announcement and wakes this node's workers for another node's work (for
    /// any work after a reconnect, since announcements may have been missed). Fails when the
    /// session does.
    pub async fn hear(&self, listener: &mut Listener) -> kassa_store::Result<()> {
        self.inner.wakeups.listening.store(true, Ordering::Relaxed);
        let heard = listener.next().await;
        let queued = match &heard {
            Ok(Heard::Announcement(a)) if a.node != self.inner.node => a.queued,
            Ok(Heard::Announcement(_)) => Queued::default(),
            Ok(Heard::Reconnected) | Err(_) => Queued { jobs: true, deliveries: true },
        };
        if heard.is_err() {
            self.inner.wakeups.listening.store(false, Ordering::Relaxed);
        }
        self.wake_for(queued);
        heard.map(|_| ())
    }

    /// Notes how many job slots this node's runner has free: with none, what it queues is
    /// announced to the others.
    pub fn note_free_job_slots(&self, free: usize) {
        self.inner.wakeups.jobs_saturated.store(free == 0, Ordering::Relaxed);
    }

    /// Notes how many delivery slots this node's sender has free (as for jobs).
    pub fn note_free_delivery_slots(&self, free: usize) {
        self.inner.wakeups.deliveries_saturated.store(free == 0, Ordering::Relaxed);
    }

    /// Stops counting on announcements (the listener is gone): the workers poll again.
    pub fn stop_hearing(&self) {
        self.inner.wakeups.listening.store(false, Ordering::Relaxed);
    }

    /// How long an idle worker waits before it looks for due work anyway: `base` (its poll
    /// interval), or the longer safety-net poll while this node hears the others.
    pub fn idle_poll(&self, base: Duration) -> Duration {
        if self.inner.wakeups.listening.load(Ordering::Relaxed) { base.max(self.inner.listening_poll) } else { base }
    }
}
