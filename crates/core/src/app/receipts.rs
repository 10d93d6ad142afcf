//! Receipts: a customer-facing page per payment that took money, at an unguessable address
//! (the payment, its merchant and mode, and a keyed hash of them), so anyone holding the link
//! can see it and nobody can enumerate others.

use super::list::{Order, PageRequest};
use super::{App, AppError, AppResult};
use hmac::Mac;
use kassa_domain::checkout::{CheckoutSession, Locale};
use kassa_domain::{MerchantId, Mode, PaymentIntent, PaymentIntentId, Refund};
use kassa_store::checkout::{self as sessions, SessionFilter};
use kassa_store::refunds::{self, Filter as RefundFilter};
use kassa_store::{Scope, payment_intents};

/// What a receipt shows.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Who was paid.
    pub merchant_name: String,
    /// The payment.
    pub payment_intent: PaymentIntent,
    /// Its refunds, oldest first.
    pub refunds: Vec<Refund>,
    /// The language of the checkout it was paid through (English otherwise).
    pub locale: Locale,
}

const PREFIX: &str = "rc";

impl App {
    fn receipt_mac(&self, merchant: &MerchantId, mode: Mode, pi: &PaymentIntentId) -> String {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.inner.secrets.forms_key()).expect("any key");
        mac.update(format!("receipt:{merchant}:{}:{pi}", mode.as_str()).as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..10])
    }

    /// The receipt's address, once the payment took money (`None` before).
    pub fn receipt_url(&self, pi: &PaymentIntent) -> Option<String> {
        if pi.amount_captured.is_zero() {
            return None;
        }
        let random = |id: &str| id.split_once('_').map(|(_, r)| r.to_owned()).unwrap_or_default();
        let mode = if pi.mode == Mode::Live { 'l' } else { 't' };
        let token = format!(
            "{PREFIX}_{}_{mode}{}_{}",
            random(pi.merchant_id.as_str()),
            random(pi.id.as_str()),
            self.receipt_mac(&pi.merchant_id, pi.mode, &pi.id)
        );
        Some(format!("{}/receipts/{token}", self.public_url()))
    }

    /// The receipt at `token`, if the token is one this gateway made.
    pub async fn receipt(&self, token: &str) -> AppResult<Receipt> {
        let not_found = || AppError::not_found("receipt", token);
        let parts: Vec<&str> = token.split('_').collect();
        let [PREFIX, merchant, payment, mac] = parts.as_slice() else { return Err(not_found()) };
        let (mode, payment) = match payment.split_at_checked(1) {
            Some(("t", rest)) => (Mode::Test, rest),
            Some(("l", rest)) => (Mode::Live, rest),
            _ => return Err(not_found()),
        };
        let merchant_id = MerchantId::parse(&format!("mer_{merchant}")).ok_or_else(not_found)?;
        let pi_id = PaymentIntentId::parse(&format!("pi_{payment}")).ok_or_else(not_found)?;
        let expected = self.receipt_mac(&merchant_id, mode, &pi_id);
        // Compared in constant time: the hash is the secret of the address.
        let same =
            expected.len() == mac.len() && expected.bytes().zip(mac.bytes()).fold(0, |a, (x, y)| a | (x ^ y)) == 0;
        if !same {
            return Err(not_found());
        }
        let scope = Scope { merchant_id: merchant_id.clone(), mode };
        let reader = self.store().reader();
        let pi = payment_intents::get(reader, &scope, &pi_id).await?.ok_or_else(not_found)?;
        if pi.amount_captured.is_zero() {
            return Err(not_found());
        }
        let page = PageRequest::first(100, Order::OldestFirst).to_store();
        let filter = RefundFilter { payment_intent: Some(pi.id.clone()), ..Default::default() };
        let refunds = refunds::list(reader, &scope, &filter, &page).await?.items;
        let session_filter = SessionFilter { payment_intent: Some(pi.id.clone()), ..Default::default() };
        let one = PageRequest::first(1, Order::NewestFirst).to_store();
        let session: Option<CheckoutSession> =
            sessions::list_sessions(reader, &scope, &session_filter, &one).await?.items.pop();
        let merchant = self.merchant(&merchant_id).await?;
        Ok(Receipt {
            merchant_name: merchant.name,
            payment_intent: pi,
            refunds,
            locale: session.map_or(Locale::En, |s| s.locale),
        })
    }
}
