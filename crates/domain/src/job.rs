//! Durable work the gateway does in the background (authorizing, capturing, refunding,
//! verifying a card), as it can be shown: what it is and where it stands.

use crate::{JobId, Timestamp};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting or running.
    Pending,
    /// Done.
    Succeeded,
    /// Given up.
    Failed,
}

impl JobState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    /// The state of a stored name.
    pub fn parse(s: &str) -> Option<JobState> {
        [JobState::Pending, JobState::Succeeded, JobState::Failed].into_iter().find(|j| j.as_str() == s)
    }
}

/// A job's history, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    /// `job_…`
    pub id: JobId,
    /// What it does.
    pub kind: String,
    /// Where it stands.
    pub state: JobState,
    /// Claims so far.
    pub attempts: i64,
    /// Last failure.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: Timestamp,
    /// First claimed by a worker.
    pub started_at: Option<Timestamp>,
    /// Finished.
    pub finished_at: Option<Timestamp>,
}
