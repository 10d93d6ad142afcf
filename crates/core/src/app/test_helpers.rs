//! Test-mode views into the built-in card simulator.

use super::{App, AppError, AppResult, Ctx};
use kassa_domain::Mode;
use kassa_store::simulator::{self, SimOperation};

impl App {
    /// Everything the simulator was asked about one of the merchant's payment intents.
    pub async fn simulator_operations(&self, ctx: &Ctx, payment_intent: &str) -> AppResult<Vec<SimOperation>> {
        if ctx.scope.mode != Mode::Test {
            return Err(AppError::test_mode_only("Test helpers can only be used with test keys."));
        }
        // A setup session's card was verified under its token's id.
        let reference = if payment_intent.starts_with("tok_") {
            self.get_token(ctx, payment_intent).await?.id.to_string()
        } else {
            self.get_payment_intent(ctx, payment_intent).await?.id.to_string()
        };
        Ok(simulator::operations_for(self.store().reader(), &reference).await?)
    }
}
