//! `GET /payment_intents/{id}/jobs`: the seed's five processing steps, read off Kassa's real
//! records rather than timers.
//!
//! Kassa authorizes with one durable `authorize` job: the card network screens the payment for
//! fraud, authorizes it, scores its risk and checks compliance in one answer, and (automatic
//! capture) captures in the same call. So steps 1 to 4 share that job's timeline (queued at
//! `created_at`, first claimed at `started_at`, answered at `finished_at`); a decline fails the
//! step its reason belongs to. The seed's vocabulary has no word for a step that never ran, and
//! its frontend waits for every step to finish: the steps after a decline (and a capture that
//! can no longer happen) are `failed` at the same time, with an `error_message` saying they did
//! not run and why. Step 5 is the same call for automatic capture, and the `capture` job for
//! manual capture.

use super::{Seed, SeedError};
use crate::faces::timestamps::iso_millis;
use crate::http::HttpState;
use crate::http::face::{Caller, Id, Params};
use axum::Json;
use axum::extract::State;
use kassa_domain::job::{JobRecord, JobState};
use kassa_domain::payment_intent::{CaptureMethod, Status};
use kassa_domain::{PaymentIntent, Timestamp};
use serde::Serialize;

/// The answer: `{payment_intent_id, jobs}`.
#[derive(Serialize)]
pub struct JobsView {
    payment_intent_id: String,
    jobs: Vec<StepView>,
}

/// One processing step.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct StepView {
    id: String,
    payment_intent_id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    description: &'static str,
    status: &'static str,
    order: u8,
    created_at: String,
    started_at: Option<String>,
    completed_at: Option<String>,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

/// The seed's steps: type, name, description.
const STEPS: [(&str, &str, &str); 5] = [
    ("anti_fraud", "Anti-Fraud Check", "Screening the payment for fraud patterns"),
    ("authorization", "Payment Authorization", "Authorizing the payment with the card issuer"),
    ("risk_assessment", "Risk Assessment", "Scoring the transaction's risk"),
    ("compliance_check", "Compliance Verification", "Checking regulatory compliance"),
    ("capture", "Payment Capture", "Capturing the authorized payment"),
];

/// The step a decline reason belongs to (0-based).
fn failed_step(decline: &str) -> usize {
    match decline {
        "fraudulent" | "stolen_card" | "lost_card" | "pickup_card" | "merchant_blacklist" => 0,
        "highest_risk_level" | "elevated_risk_level" => 2,
        "restricted_card" | "transaction_not_allowed" | "security_violation" => 3,
        _ => 1,
    }
}

#[derive(Clone, Copy)]
enum Phase {
    Pending,
    Processing,
    Completed,
    Failed,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Processing => "processing",
            Phase::Completed => "completed",
            Phase::Failed => "failed",
        }
    }
}

/// A step's state and the record whose times it shows (or, for a step that never ran, the time
/// it was given up).
struct Stage<'a> {
    phase: Phase,
    record: Option<&'a JobRecord>,
    error: Option<String>,
    given_up_at: Option<Timestamp>,
}

impl<'a> Stage<'a> {
    /// A step that will never run, because of what happened before it.
    fn not_run(record: Option<&'a JobRecord>, why: String, at: Timestamp) -> Stage<'a> {
        Stage { phase: Phase::Failed, record, error: Some(why), given_up_at: Some(at) }
    }
}

/// The steps of `pi` from its jobs (oldest first). Empty until it is confirmed.
pub fn steps(pi: &PaymentIntent, jobs: &[JobRecord]) -> Vec<StepView> {
    let latest = |kind: &str| jobs.iter().rev().find(|j| j.kind == kind);
    let Some(authorize) = latest("authorize") else { return Vec::new() };
    let answered = authorize.state != JobState::Pending;
    // The latest authorize job's decline is the intent's error while it is failed.
    let failure = match (authorize.state, pi.status) {
        (JobState::Failed, _) | (JobState::Succeeded, Status::Failed) => Some(
            pi.last_error
                .as_ref()
                .map(|f| (f.reason().to_owned(), f.message.clone()))
                .unwrap_or_else(|| ("processing_error".into(), authorize.last_error.clone().unwrap_or_default())),
        ),
        _ => None,
    };
    let running = if authorize.started_at.is_some() { Phase::Processing } else { Phase::Pending };
    let failed_at = failure.as_ref().map(|(reason, _)| failed_step(reason));
    let declined_at = authorize.finished_at.unwrap_or(pi.updated_at);
    let not_run = |f: usize| format!("Not run: the payment was declined at the {} step.", STEPS[f].1.to_lowercase());
    let mut stages: Vec<Stage> = (0..4)
        .map(|i| match (failed_at, answered) {
            (Some(f), _) if i > f => Stage::not_run(Some(authorize), not_run(f), declined_at),
            (Some(f), _) if i == f => Stage {
                phase: Phase::Failed,
                record: Some(authorize),
                error: failure.as_ref().map(|(_, m)| m.clone()),
                given_up_at: None,
            },
            (_, true) => Stage { phase: Phase::Completed, record: Some(authorize), error: None, given_up_at: None },
            (_, false) => Stage { phase: running, record: Some(authorize), error: None, given_up_at: None },
        })
        .collect();
    let capture = match failed_at {
        Some(f) => Stage::not_run(Some(authorize), not_run(f), declined_at),
        None => capture_stage(pi, authorize, latest("capture")),
    };
    stages.push(capture);
    stages.into_iter().enumerate().map(|(i, stage)| view(pi, authorize, i, stage)).collect()
}

fn capture_stage<'a>(pi: &PaymentIntent, authorize: &'a JobRecord, capture: Option<&'a JobRecord>) -> Stage<'a> {
    if pi.capture_method == CaptureMethod::Automatic {
        let phase = match (authorize.state, authorize.started_at) {
            (JobState::Pending, None) => Phase::Pending,
            (JobState::Pending, Some(_)) => Phase::Processing,
            _ => Phase::Completed,
        };
        return Stage { phase, record: Some(authorize), error: None, given_up_at: None };
    }
    match capture {
        Some(job) => {
            let phase = match (job.state, job.started_at) {
                (JobState::Pending, None) => Phase::Pending,
                (JobState::Pending, Some(_)) => Phase::Processing,
                (JobState::Succeeded, _) if pi.amount_captured.get() > 0 => Phase::Completed,
                _ => Phase::Failed,
            };
            let error = job.last_error.clone().filter(|_| matches!(phase, Phase::Failed));
            Stage { phase, record: Some(job), error, given_up_at: None }
        }
        // Waiting for the merchant to capture, unless that can no longer happen.
        None if pi.status == Status::Canceled => {
            Stage::not_run(None, "Not run: the payment was canceled before it was captured.".to_owned(), pi.updated_at)
        }
        None => Stage { phase: Phase::Pending, record: None, error: None, given_up_at: None },
    }
}

fn view(pi: &PaymentIntent, authorize: &JobRecord, i: usize, stage: Stage) -> StepView {
    let (kind, name, description) = STEPS[i];
    let created = stage.record.map_or(authorize.created_at, |r| r.created_at);
    let started = stage
        .record
        .and_then(|r| r.started_at)
        .filter(|_| !matches!(stage.phase, Phase::Pending) && stage.given_up_at.is_none());
    let completed = stage.given_up_at.or_else(|| {
        stage.record.and_then(|r| r.finished_at).filter(|_| matches!(stage.phase, Phase::Completed | Phase::Failed))
    });
    let updated: Timestamp = completed.or(started).unwrap_or(created);
    StepView {
        id: format!("{}_{kind}", stage.record.map_or(authorize.id.as_str(), |r| r.id.as_str())),
        payment_intent_id: pi.id.to_string(),
        kind,
        name,
        description,
        status: stage.phase.as_str(),
        order: i as u8 + 1,
        created_at: iso_millis(created),
        started_at: started.map(iso_millis),
        completed_at: completed.map(iso_millis),
        updated_at: iso_millis(updated),
        error_message: stage.error,
    }
}

/// `GET /payment_intents/{id}/jobs`.
pub async fn list(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<Seed>,
    Id(id, _): Id<Seed>,
    Params(q, _): Params<Seed>,
) -> Result<Json<JobsView>, SeedError> {
    q.finish()?;
    let (pi, jobs) = s.app.payment_intent_jobs(&ctx, &id).await?;
    Ok(Json(JobsView { payment_intent_id: pi.id.to_string(), jobs: steps(&pi, &jobs) }))
}
