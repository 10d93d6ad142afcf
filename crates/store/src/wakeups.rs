//! Wake-ups between nodes on PostgreSQL: a node that queued work tells the others with
//! `NOTIFY`, and each node `LISTEN`s on a session of its own (never through a transaction
//! pooler, which would hand the session to others). Notifications are a hint, not a queue: one
//! lost while a listener reconnects is caught by the workers' slow poll.

use crate::db::query;
use crate::{Queued, Result, Store};
use sqlx::postgres::PgListener;

/// The channel every node listens on.
const CHANNEL: &str = "kassa_queued";

/// What another node queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The node that queued it.
    pub node: String,
    /// What it queued.
    pub queued: Queued,
}

impl Announcement {
    fn payload(&self) -> String {
        let mut text = self.node.clone();
        if self.queued.jobs {
            text.push_str(" jobs");
        }
        if self.queued.deliveries {
            text.push_str(" deliveries");
        }
        text
    }

    fn parse(payload: &str) -> Option<Announcement> {
        let mut words = payload.split(' ');
        let node = words.next().filter(|n| !n.is_empty())?.to_owned();
        let mut queued = Queued::default();
        for word in words {
            match word {
                "jobs" => queued.jobs = true,
                "deliveries" => queued.deliveries = true,
                _ => {}
            }
        }
        Some(Announcement { node, queued })
    }
}

/// Tells the nodes listening what `announcement.node` queued (PostgreSQL only).
pub async fn announce(store: &Store, announcement: &Announcement) -> Result<()> {
    query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(announcement.payload()).execute(store.reader()).await?;
    Ok(())
}

/// What a listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A node queued work.
    Announcement(Announcement),
    /// The session was lost and is back: what was announced meanwhile is unknown.
    Reconnected,
}

/// A session listening for announcements.
pub struct Listener(PgListener);

impl Listener {
    /// Listens on PostgreSQL at `url` (a direct connection, not a transaction pooler).
    pub async fn connect(url: &str) -> Result<Listener> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Listener(listener))
    }

    /// The next thing heard (reconnecting, if the session was lost).
    pub async fn next(&mut self) -> Result<Heard> {
        loop {
            match self.0.try_recv().await? {
                None => return Ok(Heard::Reconnected),
                Some(n) => {
                    if let Some(a) = Announcement::parse(n.payload()) {
                        return Ok(Heard::Announcement(a));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_reads_back_as_written() {
        for (jobs, deliveries) in [(true, false), (false, true), (true, true), (false, false)] {
            let a = Announcement { node: "node_abc".into(), queued: Queued { jobs, deliveries } };
            assert_eq!(Announcement::parse(&a.payload()), Some(a));
        }
        assert_eq!(Announcement::parse(""), None);
    }
}
