//! Builder methods on the request types, so a call reads as one expression:
//! `CreatePaymentIntent::new(2599, Currency::USD).capture_method(CaptureMethod::Manual)`.

use crate::event::ListEvents;
use crate::list::Range;
use crate::{
    CancelPaymentIntent, CancellationReason, CaptureMethod, CapturePaymentIntent, ConfirmPaymentIntent, Consumer,
    CreateCheckoutSession, CreatePaymentIntent, CreateRefund, Event, ListPaymentIntents, ListRefunds,
    PaymentIntentStatus, PaymentMethodData, RefundReason, UpdatePaymentIntent, UpdateRefund,
};
use time::OffsetDateTime;

macro_rules! setters {
    ($ty:ty { $($(#[$doc:meta])* $name:ident: $arg:ty => $field:ident),+ $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: impl Into<$arg>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )+
        }
    };
}

setters!(CreatePaymentIntent {
    /// Automatic (default) or manual capture.
    capture_method: CaptureMethod => capture_method,
    /// A test payment method such as `pm_card_visa`.
    payment_method: String => payment_method,
    /// Raw card data instead of a payment method id.
    payment_method_data: PaymentMethodData => payment_method_data,
    /// Where the customer comes back after approving elsewhere (a connector's payment method).
    return_url: String => return_url,
    /// A saved card (`tok_…`) to charge without the customer present; needs `confirm(true)`.
    token: String => token,
    /// Confirm at once (needs a payment method or a token).
    confirm: bool => confirm,
    /// Your customer reference.
    customer: String => customer,
    /// Free text.
    description: String => description,
    /// Text on the card statement.
    statement_descriptor: String => statement_descriptor,
    /// Your own reference, unique among your payment intents.
    reference: String => reference,
});

setters!(UpdatePaymentIntent {
    /// New description.
    description: String => description,
    /// New customer reference.
    customer: String => customer,
    /// New statement descriptor.
    statement_descriptor: String => statement_descriptor,
});

setters!(ConfirmPaymentIntent {
    /// A test payment method such as `pm_card_visa`.
    payment_method: String => payment_method,
    /// Raw card data, or a connector's type to pay through.
    payment_method_data: PaymentMethodData => payment_method_data,
    /// Where the customer comes back after approving elsewhere (a connector's payment method).
    return_url: String => return_url,
});

setters!(CapturePaymentIntent {
    /// Amount to capture (default: all that is capturable).
    amount_to_capture: i64 => amount_to_capture,
    /// `false` keeps the rest of the authorization for later captures.
    final_capture: bool => final_capture,
    /// Free text kept on the capture record.
    description: String => description,
});

setters!(CancelPaymentIntent {
    /// Why.
    cancellation_reason: CancellationReason => cancellation_reason,
});

setters!(CreateRefund {
    /// The capture to refund (`cap_…`).
    capture: String => capture,
    /// Amount to refund (default: all that is refundable).
    amount: i64 => amount,
    /// Why.
    reason: RefundReason => reason,
});

macro_rules! metadata_setter {
    ($($ty:ty),+) => {
        $(
            impl $ty {
                /// Sets one metadata entry (an empty value removes the key on updates).
                pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                    self.metadata.get_or_insert_with(Default::default).insert(key.into(), value.into());
                    self
                }
            }
        )+
    };
}

metadata_setter!(
    CreatePaymentIntent,
    UpdatePaymentIntent,
    CapturePaymentIntent,
    CreateRefund,
    UpdateRefund,
    CreateCheckoutSession
);

setters!(CreateCheckoutSession {
    /// Who pays (or, for a setup session, whose card is saved: the email binds the token).
    consumer: Consumer => consumer,
    /// Where the customer goes after the last declined attempt.
    failure_url: String => failure_url,
    /// Where the customer goes on cancel.
    cancel_url: String => cancel_url,
    /// Page language: `en`, `ar`, `ja`, `nb`.
    locale: String => locale,
    /// Lifetime in seconds.
    expires_in: i64 => expires_in,
    /// Automatic (default) or manual capture of the payment.
    capture_method: CaptureMethod => capture_method,
    /// A promotion code to apply.
    promotion_code: String => promotion_code,
    /// Your own reference, unique among your sessions.
    reference: String => reference,
    /// How the customer may pay: `card` and your connectors' types (`vipps` …).
    payment_method_types: Vec<String> => payment_method_types,
});

impl ConfirmPaymentIntent {
    /// Confirm with a test payment method.
    pub fn with_payment_method(payment_method: impl Into<String>) -> Self {
        ConfirmPaymentIntent::default().payment_method(payment_method)
    }
}

impl CapturePaymentIntent {
    /// Capture everything that is capturable.
    pub fn all() -> Self {
        CapturePaymentIntent::default()
    }
}

macro_rules! list_setters {
    ($($ty:ty),+) => {
        $(
            impl $ty {
                /// Items per page, 1–100.
                pub fn limit(mut self, limit: u32) -> Self {
                    self.page.limit = Some(limit);
                    self
                }

                /// Continue after a previous page.
                pub fn page_token(mut self, token: impl Into<String>) -> Self {
                    self.page.page_token = Some(token.into());
                    self
                }

                /// Only objects created in this range.
                pub fn created(mut self, range: Range) -> Self {
                    self.created = range;
                    self
                }
            }
        )+
    };
}

list_setters!(ListPaymentIntents, ListRefunds, ListEvents);

impl ListPaymentIntents {
    /// Only intents in this status.
    pub fn status(mut self, status: PaymentIntentStatus) -> Self {
        self.status = Some(status);
        self
    }
}

impl ListRefunds {
    /// Only refunds of this payment intent.
    pub fn payment_intent(mut self, id: impl Into<String>) -> Self {
        self.payment_intent = Some(id.into());
        self
    }
}

impl ListEvents {
    /// Only this type (`payment_intent.succeeded`) or prefix (`refund.*`).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// Only events about this object or related to it.
    pub fn related_object(mut self, id: impl Into<String>) -> Self {
        self.related_object = Some(id.into());
        self
    }
}

impl Range {
    /// At or after `t`.
    pub fn since(t: OffsetDateTime) -> Range {
        Range { gte: Some(t), ..Range::default() }
    }

    /// Strictly before `t`.
    pub fn before(t: OffsetDateTime) -> Range {
        Range { lt: Some(t), ..Range::default() }
    }
}

impl Event {
    /// The event's object as a typed value, e.g. `event.object_as::<PaymentIntent>()`.
    pub fn object_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data.object)
    }

    /// The object's type: `payment_intent`, `refund` …
    pub fn object_type(&self) -> Option<&str> {
        self.data.object.get("object").and_then(|o| o.as_str())
    }
}
