//! Faces: each way into Kassa translates its wire format into app commands and back: the
//! native v1 API, the hosted checkout page, and the compatibility faces (the seed API, ProBuy,
//! Smartpay, Vipps).

pub mod api_docs;
pub mod checkout_page;
pub mod dashboard;
pub mod html;
pub mod major_units;
pub mod metrics;
pub mod probuy;
pub mod provider_notifications;
pub mod readers;
pub mod seed;
pub mod smartpay;
pub mod stripe;
pub mod timestamps;
pub mod v1;
pub mod vipps;

/// The webhook dialects of the faces: how each renders and signs its endpoints' deliveries.
pub fn webhook_dialects() -> crate::app::Dialects {
    crate::app::Dialects::default()
        .with(v1::V1Webhooks)
        .with(vipps::VippsWebhooks)
        .with(vipps::VippsCheckoutCallbacks)
        .with(smartpay::SmartpayWebhooks)
        .with(stripe::StripeWebhooks)
}
