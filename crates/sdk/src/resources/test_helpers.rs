//! `/v1/test_helpers` (test mode only).

use crate::client::Client;
use crate::request::Request;
use kassa_api::{List, SimulatorOperation};
use reqwest::Method;

/// Test-mode helpers. Get one with [`Client::test_helpers`].
#[derive(Debug, Clone, Copy)]
pub struct TestHelpers<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> TestHelpers<'a> {
    /// What the built-in card simulator was asked about a payment intent, oldest first.
    pub fn simulator_operations(&self, payment_intent: &str) -> Request<'a, List<SimulatorOperation>> {
        self.client
            .request(Method::GET, "/v1/test_helpers/simulator/operations".into())
            .query(vec![("payment_intent".into(), payment_intent.into())])
    }
}
