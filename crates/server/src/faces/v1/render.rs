//! Domain values as native v1 wire objects: the v1 face's answers, its events and its
//! webhook deliveries.

use crate::app::{App, Event, Payload};
use crate::faces::timestamps::datetime;
use kassa_api as api;
use kassa_domain::Fact;
use kassa_domain::payment_intent::Status;
use kassa_domain::{PaymentIntent, Refund, Token};

/// A payment intent as its merchant sees it (answers, events, webhooks): with its receipt's
/// address once money was taken.
pub fn payment_intent_answer(app: &crate::app::App, pi: &PaymentIntent) -> api::PaymentIntent {
    api::PaymentIntent { receipt_url: app.receipt_url(pi), ..payment_intent(pi) }
}

/// A payment intent without its receipt's address (inside another object).
pub fn payment_intent(pi: &PaymentIntent) -> api::PaymentIntent {
    api::PaymentIntent {
        id: pi.id.to_string(),
        object: "payment_intent".into(),
        livemode: pi.mode.is_live(),
        status: api::PaymentIntentStatus::from(pi.status.as_str()),
        amount: pi.amount.get(),
        currency: api::Currency::new(pi.currency.code()),
        capture_method: api::CaptureMethod::from(pi.capture_method.as_str()),
        amount_authorized: pi.amount_authorized.get(),
        amount_captured: pi.amount_captured.get(),
        amount_capturable: pi.amount_capturable().get(),
        amount_refunded: pi.amount_refunded.get(),
        amount_refund_pending: pi.amount_refund_pending.get(),
        amount_canceled: pi.amount_canceled.get(),
        payment_method: pi.payment_method.as_ref().map(|pm| pm.id.clone()),
        payment_method_details: pi
            .payment_method
            .as_ref()
            .map(|pm| api::PaymentMethodDetails { kind: "card".into(), card: card(&pm.card) }),
        next_action: pi.connector.as_ref().filter(|_| pi.status == Status::RequiresAction).and_then(|c| {
            let url = c.redirect_url.clone()?;
            let redirect = api::RedirectToUrl { url, return_url: c.return_url.clone() };
            Some(api::NextAction { kind: "redirect_to_url".into(), redirect_to_url: Some(redirect) })
        }),
        connector: pi.connector.as_ref().map(|c| api::PaymentConnector {
            id: c.connector_id.to_string(),
            kind: c.provider.clone(),
            reference: c.reference.clone(),
        }),
        pending_capture: pi.pending_capture.as_ref().map(|p| api::PendingCapture {
            id: p.id.to_string(),
            amount: p.amount.get(),
            final_capture: p.final_capture,
        }),
        last_payment_error: pi.last_error.as_ref().map(|e| api::PaymentError {
            code: e.code.clone(),
            decline_code: e.decline_code.clone(),
            message: e.message.clone(),
        }),
        cancellation_reason: pi.cancellation_reason.map(|r| api::CancellationReason::from(r.as_str())),
        customer: pi.customer.clone(),
        description: pi.description.clone(),
        statement_descriptor: pi.statement_descriptor.as_ref().map(|s| s.as_str().to_owned()),
        reference: pi.reference.as_ref().map(|r| r.as_str().to_owned()),
        latest_capture: pi.latest_capture.as_ref().map(ToString::to_string),
        token: pi.token.as_ref().map(ToString::to_string),
        receipt_url: None,
        metadata: pi.metadata.entries().clone(),
        created_at: datetime(pi.created_at),
        updated_at: datetime(pi.updated_at),
    }
}

fn card(c: &kassa_domain::card::CardDetails) -> api::Card {
    api::Card {
        brand: c.brand.as_str().into(),
        last4: c.last4.clone(),
        exp_month: c.exp_month,
        exp_year: c.exp_year,
        fingerprint: c.fingerprint.clone(),
    }
}

/// A saved card.
pub fn token(t: &Token) -> api::Token {
    api::Token {
        id: t.id.to_string(),
        object: "token".into(),
        livemode: t.mode.is_live(),
        status: api::TokenStatus::from(t.status.as_str()),
        customer: t.customer.clone(),
        checkout_session: t.checkout_session_id.as_ref().map(ToString::to_string),
        card: t.card.as_ref().map(|saved| card(&saved.details)),
        metadata: t.metadata.entries().clone(),
        created_at: datetime(t.created_at),
        updated_at: datetime(t.updated_at),
    }
}

/// A refund, with its payment intent expanded when given.
pub fn refund(r: &Refund, expanded: Option<&PaymentIntent>) -> api::Refund {
    api::Refund {
        id: r.id.to_string(),
        object: "refund".into(),
        livemode: r.mode.is_live(),
        payment_intent: match expanded {
            Some(pi) => api::Expandable::Object(Box::new(payment_intent(pi))),
            None => api::Expandable::Id(r.payment_intent_id.to_string()),
        },
        capture: r.capture_id.as_ref().map(ToString::to_string),
        amount: r.amount.get(),
        currency: api::Currency::new(r.currency.code()),
        reason: r.reason.map(|x| api::RefundReason::from(x.as_str())),
        status: api::RefundStatus::from(r.status.as_str()),
        failure_code: r.failure.as_ref().map(|f| f.reason().to_owned()),
        failure_message: r.failure.as_ref().map(|f| f.message.clone()),
        metadata: r.metadata.entries().clone(),
        created_at: datetime(r.created_at),
        updated_at: datetime(r.updated_at),
    }
}

/// A capture.
pub fn capture(c: &kassa_domain::Capture) -> api::Capture {
    api::Capture {
        id: c.id.to_string(),
        object: "capture".into(),
        livemode: c.mode.is_live(),
        payment_intent: c.payment_intent_id.to_string(),
        amount: c.amount.get(),
        currency: api::Currency::new(c.currency.code()),
        status: api::CaptureStatus::from(c.status.as_str()),
        final_capture: c.final_capture,
        amount_refunded: c.amount_refunded.get(),
        amount_refund_pending: c.amount_refund_pending.get(),
        description: c.description.clone(),
        failure_code: c.failure.as_ref().map(|f| f.reason().to_owned()),
        failure_message: c.failure.as_ref().map(|f| f.message.clone()),
        metadata: c.metadata.entries().clone(),
        created_at: datetime(c.created_at),
        updated_at: datetime(c.updated_at),
    }
}

/// An event: its fact's object as v1 renders it, or, for an event written before facts, the
/// object as v1 rendered it then.
pub fn event(e: &Event, app: &App) -> api::Event {
    let object = match &e.payload {
        Payload::Fact(fact) => event_object(fact, app),
        Payload::LegacyV1Json(json) => serde_json::from_str(json).unwrap_or(serde_json::Value::Null),
    };
    api::Event {
        id: e.id.to_string(),
        object: "event".into(),
        livemode: e.mode.is_live(),
        kind: e.event_type.clone(),
        payment_intent: e.payment_intent_id.clone(),
        data: api::EventData { object },
        request: (e.request_id.is_some() || e.idempotency_key.is_some())
            .then(|| api::event::EventRequest { id: e.request_id.clone(), idempotency_key: e.idempotency_key.clone() }),
        created_at: datetime(e.created_at),
    }
}

fn event_object(fact: &Fact, app: &App) -> serde_json::Value {
    let rendered = match fact {
        Fact::PaymentIntent { payment_intent: pi, .. } => serde_json::to_value(payment_intent_answer(app, pi)),
        Fact::Refund { refund: r, .. } => serde_json::to_value(refund(r, None)),
        Fact::CheckoutSession { checkout_session: s } => {
            serde_json::to_value(checkout_session(s, &app.checkout_url(&s.id), None))
        }
        Fact::Token { token: t } => serde_json::to_value(token(t)),
        Fact::WebhookEndpoint { webhook_endpoint: w } => serde_json::to_value(webhook_endpoint(w, false)),
        Fact::Customer { customer: c } => serde_json::to_value(customer(c)),
        Fact::Product { product: p } => serde_json::to_value(product(p)),
        Fact::Price { price: p } => serde_json::to_value(price(p)),
    };
    // The wire types always serialize.
    rendered.unwrap_or(serde_json::Value::Null)
}

/// A webhook endpoint; its secret only when `with_secret` (create and rotate answers).
pub fn webhook_endpoint(e: &kassa_domain::webhook::WebhookEndpoint, with_secret: bool) -> api::WebhookEndpoint {
    api::WebhookEndpoint {
        id: e.id.to_string(),
        object: "webhook_endpoint".into(),
        livemode: e.mode.is_live(),
        url: e.url.as_str().to_owned(),
        description: e.description.clone(),
        enabled_events: e.enabled_events.names(),
        status: api::WebhookEndpointStatus::from(e.status.as_str()),
        disabled_reason: e.disabled_reason.clone(),
        secret: with_secret.then(|| e.secret.clone()),
        metadata: e.metadata.entries().clone(),
        created_at: datetime(e.created_at),
        updated_at: datetime(e.updated_at),
    }
}

/// A connector: never its credentials.
pub fn connector(c: &kassa_domain::connector::ConnectorAccount) -> api::Connector {
    api::Connector {
        id: c.id.to_string(),
        object: "connector".into(),
        kind: c.provider.clone(),
        livemode: c.mode.is_live(),
        base_url: c.base_url.as_str().to_owned(),
        description: c.description.clone(),
        status: "active".into(),
        created_at: datetime(c.created_at),
        updated_at: datetime(c.updated_at),
    }
}

/// A product.
pub fn product(p: &kassa_domain::catalog::Product) -> api::Product {
    api::Product {
        id: p.id.to_string(),
        object: "product".into(),
        livemode: p.mode.is_live(),
        name: p.name.clone(),
        description: p.description.clone(),
        active: p.active,
        metadata: p.metadata.entries().clone(),
        created_at: datetime(p.created_at),
        updated_at: datetime(p.updated_at),
    }
}

/// A price.
pub fn price(p: &kassa_domain::catalog::Price) -> api::Price {
    api::Price {
        id: p.id.to_string(),
        object: "price".into(),
        livemode: p.mode.is_live(),
        product: p.product_id.to_string(),
        currency: api::Currency::new(p.currency.code()),
        unit_amount: p.unit_amount.get(),
        active: p.active,
        nickname: p.nickname.clone(),
        lookup_key: p.lookup_key.clone(),
        metadata: p.metadata.entries().clone(),
        created_at: datetime(p.created_at),
        updated_at: datetime(p.updated_at),
    }
}

/// A customer.
pub fn customer(c: &kassa_domain::Customer) -> api::Customer {
    api::Customer {
        id: c.id.to_string(),
        object: "customer".into(),
        livemode: c.mode.is_live(),
        email: c.email.as_ref().map(|e| e.as_str().to_owned()),
        name: c.name.clone(),
        phone: c.phone.clone(),
        description: c.description.clone(),
        metadata: c.metadata.entries().clone(),
        created_at: datetime(c.created_at),
        updated_at: datetime(c.updated_at),
    }
}

/// One delivery attempt.
pub fn webhook_attempt(a: &kassa_domain::webhook::Attempt) -> api::WebhookAttempt {
    api::WebhookAttempt {
        id: a.id.to_string(),
        object: "webhook_attempt".into(),
        delivery: a.delivery_id.to_string(),
        endpoint: a.endpoint_id.to_string(),
        event: a.event_id.to_string(),
        attempt: a.attempt,
        url: a.url.clone(),
        response_status: a.status_code,
        response_body: a.response_body.clone(),
        error: a.error.clone(),
        latency_ms: a.latency_ms,
        succeeded: a.succeeded,
        created_at: datetime(a.created_at),
    }
}

/// A delivery just queued.
pub fn webhook_delivery(q: &crate::app::QueuedDelivery) -> api::WebhookDelivery {
    api::WebhookDelivery {
        id: q.id.to_string(),
        object: "webhook_delivery".into(),
        event: q.event_id.to_string(),
        endpoint: q.endpoint_id.to_string(),
        status: api::DeliveryStatus::Pending,
        created_at: datetime(q.created_at),
    }
}

fn address(a: &kassa_domain::checkout::Address) -> api::Address {
    api::Address {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        line1: a.line1.clone(),
        line2: a.line2.clone(),
        city: a.city.clone(),
        region: a.region.clone(),
        postal_code: a.postal_code.clone(),
        country_code: a.country_code.as_ref().map(|c| c.as_str().to_owned()),
        phone_number: a.phone_number.clone(),
    }
}

/// A checkout session at `url`, with its payment intent expanded when given.
pub fn checkout_session(
    s: &kassa_domain::checkout::CheckoutSession,
    url: &str,
    expanded: Option<&PaymentIntent>,
) -> api::CheckoutSession {
    api::CheckoutSession {
        id: s.id.to_string(),
        object: "checkout_session".into(),
        livemode: s.mode.is_live(),
        url: url.to_owned(),
        payment_method_types: s.payment_method_types.clone(),
        status: api::CheckoutSessionStatus::from(s.status.as_str()),
        payment_status: api::CheckoutPaymentStatus::from(s.payment_status.as_str()),
        currency: api::Currency::new(s.currency.code()),
        amount_subtotal: s.totals.subtotal.get(),
        amount_discount: s.totals.discount.get(),
        amount_tax: s.totals.tax.get(),
        amount_shipping: s.totals.shipping.get(),
        amount_total: s.totals.total.get(),
        line_items: s
            .line_items
            .iter()
            .map(|l| api::LineItem {
                name: l.name.clone(),
                description: l.description.clone(),
                kind: l.kind.map(|k| k.as_str().to_owned()),
                reference: l.reference.clone(),
                quantity: l.quantity,
                unit_amount: l.unit_amount.get(),
                discount_amount: Some(l.discount_amount.get()),
                tax_amount: Some(l.tax_amount.get()),
                image_url: l.image_url.clone(),
            })
            .collect(),
        consumer: api::Consumer {
            first_name: s.consumer.first_name.clone(),
            last_name: s.consumer.last_name.clone(),
            email: s.consumer.email.as_ref().map(|e| e.as_str().to_owned()),
            phone_number: s.consumer.phone_number.clone(),
        },
        billing_address: s.billing_address.as_ref().map(address),
        shipping_address: s.shipping_address.as_ref().map(address),
        success_url: s.success_url.clone(),
        failure_url: s.failure_url.clone(),
        cancel_url: s.cancel_url.clone(),
        capture_method: api::CaptureMethod::from(s.capture_method.as_str()),
        locale: s.locale.as_str().to_owned(),
        promotion_code: s.promotion.as_ref().map(|p| p.code.clone()),
        mode: if s.token_id().is_some() { "setup" } else { "payment" }.to_owned(),
        payment_intent: match (expanded, s.payment_intent_id()) {
            (Some(pi), _) => Some(api::Expandable::Object(Box::new(payment_intent(pi)))),
            (None, id) => id.map(|id| api::Expandable::Id(id.to_string())),
        },
        token: s.token_id().map(ToString::to_string),
        order_reference: s.order_reference.clone(),
        reference: s.reference.as_ref().map(|r| r.as_str().to_owned()),
        order_number: s.order_number.clone(),
        failed_attempts: s.failed_attempts,
        metadata: s.metadata.entries().clone(),
        expires_at: datetime(s.expires_at),
        created_at: datetime(s.created_at),
        updated_at: datetime(s.updated_at),
    }
}

/// A coupon.
pub fn coupon(c: &kassa_domain::checkout::Coupon) -> api::Coupon {
    use kassa_domain::checkout::CouponValue;
    let (amount_off, currency, percent_off) = match c.value {
        CouponValue::AmountOff { amount, currency } => {
            (Some(amount.get()), Some(api::Currency::new(currency.code())), None)
        }
        CouponValue::PercentOff(p) => (None, None, Some(p)),
    };
    api::Coupon {
        id: c.id.to_string(),
        object: "coupon".into(),
        livemode: c.mode.is_live(),
        name: c.name.clone(),
        amount_off,
        currency,
        percent_off,
        expires_at: c.expires_at.map(datetime),
        max_redemptions: c.max_redemptions,
        times_redeemed: c.times_redeemed,
        active: c.active,
        metadata: c.metadata.entries().clone(),
        created_at: datetime(c.created_at),
    }
}

/// A promotion code.
pub fn promotion_code(p: &kassa_domain::checkout::PromotionCode) -> api::PromotionCode {
    api::PromotionCode {
        id: p.id.to_string(),
        object: "promotion_code".into(),
        livemode: p.mode.is_live(),
        code: p.code.clone(),
        coupon: p.coupon_id.to_string(),
        active: p.active,
        expires_at: p.expires_at.map(datetime),
        max_redemptions: p.max_redemptions,
        times_redeemed: p.times_redeemed,
        restrictions: api::PromotionRestrictions {
            minimum_amount: p.restrictions.minimum_amount.map(|(a, _)| a.get()),
            minimum_amount_currency: p.restrictions.minimum_amount.map(|(_, c)| api::Currency::new(c.code())),
            first_time_transaction: p.restrictions.first_time_only,
            once_per_customer: p.restrictions.once_per_customer,
        },
        metadata: p.metadata.entries().clone(),
        created_at: datetime(p.created_at),
    }
}
