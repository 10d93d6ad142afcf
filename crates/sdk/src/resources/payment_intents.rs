//! `/v1/payment_intents`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{
    CancelPaymentIntent, CapturePaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, Event, List, ListParams,
    ListPaymentIntents, PaymentIntent, PaymentIntentStatus, UpdatePaymentIntent,
};
use reqwest::Method;
use std::time::{Duration, Instant};

/// Payment intents. Get one with [`Client::payment_intents`].
#[derive(Debug, Clone, Copy)]
pub struct PaymentIntents<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> PaymentIntents<'a> {
    /// Creates a payment intent; with a payment method and `confirm(true)` it is confirmed
    /// at once and answers `processing`.
    ///
    /// ```no_run
    /// # async fn run(kassa: kassa::Client) -> Result<(), kassa::Error> {
    /// use kassa::{CaptureMethod, CreatePaymentIntent, Currency};
    /// let pi = kassa
    ///     .payment_intents()
    ///     .create(&CreatePaymentIntent::new(2599, Currency::USD).capture_method(CaptureMethod::Manual))
    ///     .idempotency_key("order-1001")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, params: &CreatePaymentIntent) -> Request<'a, PaymentIntent> {
        self.client.request(Method::POST, "/v1/payment_intents".into()).json(params)
    }

    /// Retrieves a payment intent.
    pub fn retrieve(&self, id: &str) -> Request<'a, PaymentIntent> {
        self.client.request(Method::GET, format!("/v1/payment_intents/{}", segment(id)))
    }

    /// Retrieves the payment intent with your own `reference`.
    pub fn retrieve_by_reference(&self, reference: &str) -> Request<'a, PaymentIntent> {
        self.client.request(Method::GET, format!("/v1/payment_intents/by_reference/{}", segment(reference)))
    }

    /// Changes description, customer, statement descriptor or metadata, before confirmation.
    pub fn update(&self, id: &str, params: &UpdatePaymentIntent) -> Request<'a, PaymentIntent> {
        self.client.request(Method::POST, format!("/v1/payment_intents/{}", segment(id))).json(params)
    }

    /// One page of payment intents, newest first.
    pub fn list(&self, params: &ListPaymentIntents) -> Request<'a, List<PaymentIntent>> {
        self.client.request(Method::GET, "/v1/payment_intents".into()).query(params.to_query())
    }

    /// Every payment intent matching `params`, fetched lazily page by page.
    ///
    /// ```no_run
    /// # async fn run(kassa: kassa::Client) -> Result<(), kassa::Error> {
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = kassa.payment_intents().list_all(Default::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(&self, params: ListPaymentIntents) -> impl Stream<Item = Result<PaymentIntent, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }

    /// Confirms: the payment is authorized in the background and answers `processing` at once;
    /// see [`PaymentIntents::wait_until_settled`].
    pub fn confirm(&self, id: &str, params: &ConfirmPaymentIntent) -> Request<'a, PaymentIntent> {
        self.client.request(Method::POST, format!("/v1/payment_intents/{}/confirm", segment(id))).json(params)
    }

    /// Captures all or part of the authorization.
    pub fn capture(&self, id: &str, params: &CapturePaymentIntent) -> Request<'a, PaymentIntent> {
        self.client.request(Method::POST, format!("/v1/payment_intents/{}/capture", segment(id))).json(params)
    }

    /// Cancels, releasing any authorization.
    pub fn cancel(&self, id: &str, params: &CancelPaymentIntent) -> Request<'a, PaymentIntent> {
        self.client.request(Method::POST, format!("/v1/payment_intents/{}/cancel", segment(id))).json(params)
    }

    /// The payment's event log, oldest first.
    pub fn events(&self, id: &str, page: &ListParams) -> Request<'a, List<Event>> {
        let mut query = Vec::new();
        page.push_query(&mut query);
        self.client.request(Method::GET, format!("/v1/payment_intents/{}/events", segment(id))).query(query)
    }

    /// Polls until the payment leaves `processing` (backing off from 50 ms to 1 s), and
    /// returns it; [`Error::Timeout`] if it has not within `deadline`.
    pub async fn wait_until_settled(&self, id: &str, deadline: Duration) -> Result<PaymentIntent, Error> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(50);
        loop {
            let pi = self.retrieve(id).await?;
            if pi.status != PaymentIntentStatus::Processing {
                return Ok(pi);
            }
            if started.elapsed() + pause > deadline {
                return Err(Error::Timeout { after: deadline });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }
}
