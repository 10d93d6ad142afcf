//! `/v1/test_helpers`: test-mode views for integration tests and debugging.

use super::V1;
use super::error::V1Error;
use crate::app::AppError;
use crate::faces::timestamps::datetime;
use crate::http::HttpState;
use crate::http::face::{Caller, Params};
use crate::http::fields::vouched;
use axum::Json;
use axum::extract::State;
use kassa_api as api;
use kassa_domain::Invalid;

/// What the card simulator was asked about a payment intent (or, to verify its card, a token),
/// oldest first.
#[utoipa::path(get, path = "/v1/test_helpers/simulator/operations", tag = "Test helpers",
    params(("payment_intent" = String, Query, description = "A payment intent's id, or a token's (`tok_…`)")),
    responses((status = 200, body = api::List<api::SimulatorOperation>), (status = 403, body = api::ErrorBody),
        (status = 404, description = "No such payment intent or token", body = api::ErrorBody)))]
pub async fn simulator_operations(
    State(s): State<HttpState>,
    Caller(ctx, _): Caller<V1>,
    Params(mut q, _): Params<V1>,
) -> Result<Json<api::List<api::SimulatorOperation>>, V1Error> {
    let payment_intent = q.take("payment_intent");
    if payment_intent.is_none() {
        return Err(AppError::invalid_field(
            "payment_intent",
            Invalid::new("parameter_missing", "Missing required parameter: payment_intent."),
        )
        .into());
    }
    q.finish()?;
    let ops = s.app.simulator_operations(&ctx, &vouched(payment_intent)?).await?;
    let data = ops
        .into_iter()
        .map(|op| api::SimulatorOperation {
            object: "simulator_operation".into(),
            operation: op.operation,
            idempotency_key: op.idempotency_key,
            authorization_id: op.authorization_id,
            amount: op.amount,
            currency: op.currency,
            outcome: op.outcome,
            decline_code: op.decline_code,
            created_at: datetime(op.created_at),
        })
        .collect();
    Ok(Json(api::List::new(data, None)))
}
