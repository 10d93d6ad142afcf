//! The kinds of state change that are recorded as events.

use serde::{Deserialize, Serialize};

/// Every event type Kassa emits. An event is written in the same transaction as the change it
/// describes, so no change is ever without its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// A payment intent was created.
    PaymentIntentCreated,
    /// A payment intent's description, metadata or other annotations changed.
    PaymentIntentUpdated,
    /// A payment intent was confirmed and is being authorized.
    PaymentIntentProcessing,
    /// The customer must approve the payment elsewhere (at a provider) before it is authorized.
    PaymentIntentRequiresAction,
    /// The authorization succeeded and the funds are held for a manual capture.
    PaymentIntentRequiresCapture,
    /// The payment completed: funds captured.
    PaymentIntentSucceeded,
    /// The authorization was declined or could not be completed.
    PaymentIntentPaymentFailed,
    /// The payment intent was canceled (any authorization released).
    PaymentIntentCanceled,
    /// A capture succeeded and more of the authorization can still be captured.
    PaymentIntentPartiallyCaptured,
    /// A capture succeeded and ended capturing: nothing more can be captured.
    PaymentIntentCaptured,
    /// A capture was refused by the processor; the authorization is unchanged.
    PaymentIntentCaptureFailed,
    /// A refund was requested.
    RefundCreated,
    /// A refund completed.
    RefundSucceeded,
    /// A refund was refused by the processor.
    RefundFailed,
    /// A refund's metadata changed.
    RefundUpdated,
    /// A webhook endpoint was disabled (it answered 410, or failed for the whole retry schedule).
    WebhookEndpointDisabled,
    /// A checkout session was paid (its payment authorized or captured).
    CheckoutSessionCompleted,
    /// A checkout session expired unpaid.
    CheckoutSessionExpired,
    /// A checkout session was canceled by the customer, or after its last failed attempt.
    CheckoutSessionCanceled,
    /// A token was created, waiting for its card (a setup session opened).
    TokenCreated,
    /// A token's card was verified: it can be charged.
    TokenApproved,
    /// A token's card was refused, or its session closed without one.
    TokenRejected,
    /// The merchant disabled a token.
    TokenDisabled,
    /// The merchant enabled a token again.
    TokenEnabled,
    /// The merchant deleted a token.
    TokenDeleted,
    /// A token was charged (a payment without the customer present).
    TokenUsed,
    /// A token was given to a customer: it is now that customer's saved card.
    TokenAttached,
    /// A token was taken from its customer.
    TokenDetached,
    /// A customer was created.
    CustomerCreated,
    /// A customer's details changed.
    CustomerUpdated,
    /// A customer was deleted.
    CustomerDeleted,
    /// A product was created.
    ProductCreated,
    /// A product changed.
    ProductUpdated,
    /// A price was created.
    PriceCreated,
    /// A price changed.
    PriceUpdated,
}

impl EventType {
    /// Every event type, for documentation and filters.
    pub const ALL: [EventType; 35] = [
        EventType::PaymentIntentCreated,
        EventType::PaymentIntentUpdated,
        EventType::PaymentIntentProcessing,
        EventType::PaymentIntentRequiresAction,
        EventType::PaymentIntentRequiresCapture,
        EventType::PaymentIntentSucceeded,
        EventType::PaymentIntentPaymentFailed,
        EventType::PaymentIntentCanceled,
        EventType::PaymentIntentPartiallyCaptured,
        EventType::PaymentIntentCaptured,
        EventType::PaymentIntentCaptureFailed,
        EventType::RefundCreated,
        EventType::RefundSucceeded,
        EventType::RefundFailed,
        EventType::RefundUpdated,
        EventType::WebhookEndpointDisabled,
        EventType::CheckoutSessionCompleted,
        EventType::CheckoutSessionExpired,
        EventType::CheckoutSessionCanceled,
        EventType::TokenCreated,
        EventType::TokenApproved,
        EventType::TokenRejected,
        EventType::TokenDisabled,
        EventType::TokenEnabled,
        EventType::TokenDeleted,
        EventType::TokenUsed,
        EventType::TokenAttached,
        EventType::TokenDetached,
        EventType::CustomerCreated,
        EventType::CustomerUpdated,
        EventType::CustomerDeleted,
        EventType::ProductCreated,
        EventType::ProductUpdated,
        EventType::PriceCreated,
        EventType::PriceUpdated,
    ];

    /// The dotted name, e.g. `payment_intent.succeeded`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::PaymentIntentCreated => "payment_intent.created",
            EventType::PaymentIntentUpdated => "payment_intent.updated",
            EventType::PaymentIntentProcessing => "payment_intent.processing",
            EventType::PaymentIntentRequiresAction => "payment_intent.requires_action",
            EventType::PaymentIntentRequiresCapture => "payment_intent.requires_capture",
            EventType::PaymentIntentSucceeded => "payment_intent.succeeded",
            EventType::PaymentIntentPaymentFailed => "payment_intent.payment_failed",
            EventType::PaymentIntentCanceled => "payment_intent.canceled",
            EventType::PaymentIntentPartiallyCaptured => "payment_intent.partially_captured",
            EventType::PaymentIntentCaptured => "payment_intent.captured",
            EventType::PaymentIntentCaptureFailed => "payment_intent.capture_failed",
            EventType::RefundCreated => "refund.created",
            EventType::RefundSucceeded => "refund.succeeded",
            EventType::RefundFailed => "refund.failed",
            EventType::RefundUpdated => "refund.updated",
            EventType::WebhookEndpointDisabled => "webhook_endpoint.disabled",
            EventType::CheckoutSessionCompleted => "checkout.session.completed",
            EventType::CheckoutSessionExpired => "checkout.session.expired",
            EventType::CheckoutSessionCanceled => "checkout.session.canceled",
            EventType::TokenCreated => "token.created",
            EventType::TokenApproved => "token.approved",
            EventType::TokenRejected => "token.rejected",
            EventType::TokenDisabled => "token.disabled",
            EventType::TokenEnabled => "token.enabled",
            EventType::TokenDeleted => "token.deleted",
            EventType::TokenUsed => "token.used",
            EventType::TokenAttached => "token.attached",
            EventType::TokenDetached => "token.detached",
            EventType::CustomerCreated => "customer.created",
            EventType::CustomerUpdated => "customer.updated",
            EventType::CustomerDeleted => "customer.deleted",
            EventType::ProductCreated => "product.created",
            EventType::ProductUpdated => "product.updated",
            EventType::PriceCreated => "price.created",
            EventType::PriceUpdated => "price.updated",
        }
    }

    /// Reads a dotted name.
    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// `true` if the event is about a refund (its object is a refund).
    pub fn is_refund(self) -> bool {
        self.as_str().starts_with("refund.")
    }
}
