//! `/v1/checkout_sessions`, `/v1/coupons`, `/v1/promotion_codes`

use crate::client::Client;
use crate::error::Error;
use crate::pagination::paginate;
use crate::request::{Request, segment};
use futures_core::Stream;
use kassa_api::{
    CheckoutSession, Coupon, CreateCheckoutSession, CreateCoupon, CreatePromotionCode, List, ListCheckoutSessions,
    ListParams, ListPromotionCodes, PromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use reqwest::Method;

/// Checkout sessions. Get one with [`Client::checkout_sessions`].
#[derive(Debug, Clone, Copy)]
pub struct CheckoutSessions<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> CheckoutSessions<'a> {
    /// Creates a session (and its payment); send the customer to its `url`.
    pub fn create(&self, params: &CreateCheckoutSession) -> Request<'a, CheckoutSession> {
        self.client.request(Method::POST, "/v1/checkout_sessions".into()).json(params)
    }

    /// Creates a session and returns the URL of its hosted page: the one call a web shop needs
    /// before redirecting its customer.
    ///
    /// ```no_run
    /// # async fn run(kassa: kassa::Client) -> Result<(), kassa::Error> {
    /// use kassa::{CreateCheckoutSession, Currency, LineItem};
    /// let order = CreateCheckoutSession::new(Currency::SAR, vec![LineItem::new("Dates, 1 kg", 2, 4500)], "https://shop.example/paid");
    /// let url = kassa.checkout_sessions().create_redirect_url(&order).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_redirect_url(&self, params: &CreateCheckoutSession) -> Result<String, Error> {
        Ok(self.create(params).await?.url)
    }

    /// Retrieves a session; `.expand("payment_intent")` includes its payment.
    pub fn retrieve(&self, id: &str) -> Request<'a, CheckoutSession> {
        self.client.request(Method::GET, format!("/v1/checkout_sessions/{}", segment(id)))
    }

    /// One page of sessions, newest first.
    pub fn list(&self, params: &ListCheckoutSessions) -> Request<'a, List<CheckoutSession>> {
        self.client.request(Method::GET, "/v1/checkout_sessions".into()).query(params.to_query())
    }

    /// Every session matching `params`, fetched lazily.
    pub fn list_all(&self, params: ListCheckoutSessions) -> impl Stream<Item = Result<CheckoutSession, Error>> + 'a {
        let this = *self;
        let first = params.page.page_token.clone();
        paginate(first, move |token| {
            let mut page = params.clone();
            page.page.page_token = token;
            this.list(&page).into_future()
        })
    }

    /// Expires an open session now.
    pub fn expire(&self, id: &str) -> Request<'a, CheckoutSession> {
        self.client
            .request(Method::POST, format!("/v1/checkout_sessions/{}/expire", segment(id)))
            .json(&serde_json::json!({}))
    }
}

/// Coupons. Get one with [`Client::coupons`].
#[derive(Debug, Clone, Copy)]
pub struct Coupons<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Coupons<'a> {
    /// Creates a coupon.
    pub fn create(&self, params: &CreateCoupon) -> Request<'a, Coupon> {
        self.client.request(Method::POST, "/v1/coupons".into()).json(params)
    }

    /// Retrieves a coupon.
    pub fn retrieve(&self, id: &str) -> Request<'a, Coupon> {
        self.client.request(Method::GET, format!("/v1/coupons/{}", segment(id)))
    }

    /// Changes a coupon's name, `active` or metadata.
    pub fn update(&self, id: &str, params: &UpdateCoupon) -> Request<'a, Coupon> {
        self.client.request(Method::POST, format!("/v1/coupons/{}", segment(id))).json(params)
    }

    /// One page of coupons, newest first.
    pub fn list(&self, params: &ListParams) -> Request<'a, List<Coupon>> {
        let mut query = Vec::new();
        params.push_query(&mut query);
        self.client.request(Method::GET, "/v1/coupons".into()).query(query)
    }
}

/// Promotion codes. Get one with [`Client::promotion_codes`].
#[derive(Debug, Clone, Copy)]
pub struct PromotionCodes<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> PromotionCodes<'a> {
    /// Creates a code for a coupon.
    pub fn create(&self, params: &CreatePromotionCode) -> Request<'a, PromotionCode> {
        self.client.request(Method::POST, "/v1/promotion_codes".into()).json(params)
    }

    /// Retrieves a code.
    pub fn retrieve(&self, id: &str) -> Request<'a, PromotionCode> {
        self.client.request(Method::GET, format!("/v1/promotion_codes/{}", segment(id)))
    }

    /// Changes a code's `active` or metadata.
    pub fn update(&self, id: &str, params: &UpdatePromotionCode) -> Request<'a, PromotionCode> {
        self.client.request(Method::POST, format!("/v1/promotion_codes/{}", segment(id))).json(params)
    }

    /// One page of codes, newest first.
    pub fn list(&self, params: &ListPromotionCodes) -> Request<'a, List<PromotionCode>> {
        self.client.request(Method::GET, "/v1/promotion_codes".into()).query(params.to_query())
    }
}
