//! Smartpay: a secret key (and, optionally, the public key that goes with it), checked by
//! listing one payment. A payment is a checkout session of one item (its order held for
//! capture); captures are Smartpay payments, refunds are spread over them, a cancel cancels the
//! order.

use kassa_core::connector::providers::{
    Account, Adjustment, BillingField, CheckError, CredentialField, Credentials, Notification, OpenPayment, Opened,
    Operation, Provider, ProviderNotifications, ProviderPayments, ProviderState, Subscription,
};
use kassa_core::connector::{BoxFuture, ConnectorError, Decision};
use kassa_domain::Mode;
use smartpay::{
    Address, CaptureMethod, CheckoutSessionRequest, CustomerInfo, Expandable, Item, OrderStatus, PaymentRequest,
    RefundReason, RefundRequest, ShippingInfo, SmartpayError, WebhookEndpointRequest,
};
use std::time::Duration;

/// Smartpay.
pub struct Smartpay;

const FIELDS: &[CredentialField] =
    &[CredentialField { name: "secret_key", required: true }, CredentialField { name: "public_key", required: false }];

/// How long one call to Smartpay waits; a job that gets no answer retries with the same key.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

fn client(account: Account<'_>) -> Result<smartpay::Smartpay, ConnectorError> {
    let config = smartpay::Config {
        api_prefix: account.base_url.to_owned(),
        timeout: CALL_TIMEOUT,
        retries: 1,
        ..smartpay::Config::default()
    };
    smartpay::Smartpay::new(account.credentials.get("secret_key").unwrap_or_default(), config)
        .map_err(|e| ConnectorError(format!("Smartpay: {e}")))
}

/// Smartpay's answer as Kassa's: a refusal (a 4xx) is final, anything else is no answer. A 429,
/// and a 409 (the same idempotency key still at work), are asked again later with the same key.
fn decided<T>(result: Result<T, SmartpayError>) -> Result<Decision<T>, ConnectorError> {
    match result {
        Ok(value) => Ok(Decision::Approved(value)),
        Err(SmartpayError::Api { status, error_code, message, .. })
            if status < 500 && status != 429 && status != 409 =>
        {
            Ok(Decision::Declined(super::refused(format!("Smartpay refused ({error_code}): {message}"))))
        }
        Err(SmartpayError::Invalid(message)) => Ok(Decision::Declined(super::refused(format!("Smartpay: {message}")))),
        Err(e) => Err(ConnectorError(format!("Smartpay: {e}"))),
    }
}

impl Provider for Smartpay {
    fn name(&self) -> &'static str {
        "smartpay"
    }

    fn display_name(&self) -> &'static str {
        "Smartpay"
    }

    fn default_base_url(&self, _: Mode) -> &'static str {
        // One host for both: the key's `sk_test_`/`sk_live_` says which.
        smartpay::API_PREFIX
    }

    fn credential_fields(&self) -> &'static [CredentialField] {
        FIELDS
    }

    fn check<'a>(&'a self, c: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>> {
        Box::pin(async move {
            let config = smartpay::Config {
                api_prefix: base_url.to_owned(),
                timeout: super::CHECK_TIMEOUT,
                retries: 0,
                ..smartpay::Config::default()
            };
            let client = smartpay::Smartpay::new(c.get("secret_key").unwrap_or_default(), config)
                .map_err(|e| CheckError::Refused(e.to_string()))?;
            let one = smartpay::ListOptions { max_results: Some(1), expand: false };
            match client.list_page::<serde_json::Value>("/payments", one, None).await {
                Ok(_) => Ok(()),
                Err(SmartpayError::Api { status, error_code, message, .. }) if status < 500 => {
                    Err(CheckError::Refused(format!("{error_code}: {message}")))
                }
                Err(e) => Err(super::unreachable(e)),
            }
        })
    }

    fn payments(&self) -> Option<&dyn ProviderPayments> {
        Some(self)
    }

    fn notifications(&self) -> Option<&dyn ProviderNotifications> {
        Some(self)
    }
}

/// The order events Kassa hears: a customer's decision, and a cancel by anyone. (Captures and
/// refunds are Kassa's own calls: their answers say how they went.)
const EVENTS: &[&str] = &["order.authorized", "order.rejected", "order.canceled"];

impl ProviderNotifications for Smartpay {
    fn subscribe<'a>(&'a self, account: Account<'a>, url: &'a str) -> BoxFuture<'a, Result<Subscription, String>> {
        Box::pin(async move {
            let request = WebhookEndpointRequest {
                url: Some(url.to_owned()),
                event_subscriptions: Some(EVENTS.iter().map(|e| (*e).to_owned()).collect()),
                description: Some("Kassa: this account's payments".into()),
                ..WebhookEndpointRequest::default()
            };
            let client = client(account).map_err(|e| e.0)?;
            let endpoint = client.create_webhook_endpoint(&request).await.map_err(|e| e.to_string())?;
            Ok(Subscription { id: endpoint.id, secret: endpoint.signing_secret })
        })
    }

    fn unsubscribe<'a>(
        &'a self,
        account: Account<'a>,
        subscription: &'a Subscription,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let client = client(account).map_err(|e| e.0)?;
            client.delete_webhook_endpoint(&subscription.id).await.map_err(|e| e.to_string())
        })
    }

    fn read(&self, subscription: &Subscription, notification: &Notification<'_>) -> Result<String, String> {
        let event = smartpay::webhooks::verify(
            &subscription.secret,
            notification.header(smartpay::webhooks::TIMESTAMP_HEADER),
            notification.header(smartpay::webhooks::SIGNATURE_HEADER),
            notification.body,
            smartpay::webhooks::DEFAULT_TOLERANCE,
        )
        .map_err(|e| e.to_string())?;
        order_of(&event.event_data.data).ok_or_else(|| "the event names no order".to_owned())
    }
}

/// The order an event's object is, or belongs to.
fn order_of(object: &serde_json::Value) -> Option<String> {
    if object["object"] == "order" {
        return object["id"].as_str().map(str::to_owned);
    }
    let order = &object["order"];
    order.as_str().or_else(|| order["id"].as_str()).map(str::to_owned)
}

impl ProviderPayments for Smartpay {
    fn currencies(&self) -> &'static [&'static str] {
        &["JPY"]
    }

    fn supports(&self, _: Operation) -> bool {
        true
    }

    fn required_billing(&self) -> &'static [BillingField] {
        // Smartpay's session takes a shipping address; Kassa gives it the billing address.
        &[BillingField::Line1, BillingField::City, BillingField::PostalCode, BillingField::Country]
    }

    fn open<'a>(
        &'a self,
        account: Account<'a>,
        payment: OpenPayment<'a>,
    ) -> BoxFuture<'a, Result<Decision<Opened>, ConnectorError>> {
        Box::pin(async move {
            let client = client(account)?;
            let billing = payment.billing;
            let address = billing.address.clone().unwrap_or_default();
            let (first_name, last_name) = match billing.name.as_deref().map(str::trim) {
                Some(name) => match name.rsplit_once(' ') {
                    Some((first, last)) => (Some(first.to_owned()), Some(last.to_owned())),
                    None => (Some(name.to_owned()), None),
                },
                None => (None, None),
            };
            let address = Address {
                line1: address.line1.unwrap_or_default(),
                line2: address.line2,
                locality: address.city.unwrap_or_default(),
                administrative_area: address.state,
                postal_code: address.postal_code.unwrap_or_default(),
                country: address.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            };
            let currency = payment.currency.code().to_owned();
            let name = payment.description.map_or_else(|| format!("Payment {}", payment.reference), str::to_owned);
            let request = CheckoutSessionRequest {
                amount: payment.amount,
                currency: currency.clone(),
                items: vec![Item::new(name, payment.amount, currency, 1)],
                customer_info: CustomerInfo {
                    email_address: billing.email.as_ref().map(|e| e.as_str().to_owned()),
                    first_name,
                    last_name,
                    phone_number: billing.phone.clone(),
                    address: Some(address.clone()),
                },
                shipping_info: ShippingInfo { address, fee_amount: None, fee_currency: None },
                success_url: payment.return_url.to_owned(),
                cancel_url: payment.return_url.to_owned(),
                // Kassa captures, automatically or when the merchant asks.
                capture_method: Some(CaptureMethod::Manual),
                reference: Some(payment.reference.to_owned()),
                description: payment.description.map(str::to_owned),
                idempotency_key: Some(payment.idempotency_key.to_owned()),
                ..CheckoutSessionRequest::default()
            };
            Ok(match decided(client.create_checkout_session(&request).await)? {
                Decision::Approved(session) => match session.order {
                    Some(order) => {
                        Decision::Approved(Opened { reference: order.id().to_owned(), redirect_url: session.url })
                    }
                    None => return Err(ConnectorError("Smartpay opened a session without an order".into())),
                },
                Decision::Declined(failure) => Decision::Declined(failure),
            })
        })
    }

    fn state<'a>(
        &'a self,
        account: Account<'a>,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ProviderState, ConnectorError>> {
        Box::pin(async move {
            let order = match decided(client(account)?.get_order(reference, false).await)? {
                Decision::Approved(order) => order,
                Decision::Declined(failure) => return Err(ConnectorError(failure.message)),
            };
            Ok(match order.status {
                OrderStatus::RequiresAuthorization => ProviderState::Waiting,
                OrderStatus::RequiresCapture => ProviderState::Authorized,
                OrderStatus::Canceled => super::failed("payment_canceled", "The payment was canceled at Smartpay."),
                OrderStatus::Rejected => super::failed("connector_declined", "Smartpay refused the payment."),
                OrderStatus::Failed => super::failed("connector_declined", "The payment failed at Smartpay."),
                // Kassa opens orders for manual capture: a captured one was captured by someone else.
                OrderStatus::Succeeded => return Err(ConnectorError("Smartpay says the order is captured".into())),
                OrderStatus::Other(status) => return Err(ConnectorError(format!("Smartpay said status {status}"))),
            })
        })
    }

    fn adjust<'a>(
        &'a self,
        account: Account<'a>,
        adjustment: Adjustment<'a>,
    ) -> BoxFuture<'a, Result<Decision<()>, ConnectorError>> {
        Box::pin(async move {
            let client = client(account)?;
            let currency = adjustment.currency.code().to_owned();
            match adjustment.operation {
                Operation::Capture => {
                    let request = PaymentRequest {
                        order: adjustment.reference.to_owned(),
                        amount: adjustment.amount,
                        currency,
                        cancel_remainder: Some(match adjustment.release_rest {
                            true => CaptureMethod::Automatic,
                            false => CaptureMethod::Manual,
                        }),
                        reference: None,
                        description: None,
                        metadata: Default::default(),
                        idempotency_key: Some(adjustment.idempotency_key.to_owned()),
                    };
                    Ok(decided(client.create_payment(&request).await)?.map(drop))
                }
                Operation::Cancel => Ok(decided(client.cancel_order(adjustment.reference).await)?.map(drop)),
                Operation::Refund => refund(&client, adjustment, currency).await,
            }
        })
    }
}

/// Refunds `adjustment.amount` of the order over its payments (captures), oldest first. Each
/// refund carries the job's key as its reference, so a retry counts what an earlier attempt
/// already refunded and asks only for the rest; each call's own key names the payment and
/// how much was already done, so no call is ever sent twice with a different meaning.
async fn refund(
    client: &smartpay::Smartpay,
    adjustment: Adjustment<'_>,
    currency: String,
) -> Result<Decision<()>, ConnectorError> {
    let key = adjustment.idempotency_key;
    let order = match decided(client.get_order(adjustment.reference, false).await)? {
        Decision::Approved(order) => order,
        Decision::Declined(failure) => return Ok(Decision::Declined(failure)),
    };
    let mut done = 0;
    let mut refundable = Vec::new();
    for payment in &order.payments {
        let payment = match decided(client.get_payment(payment.id(), true).await)? {
            Decision::Approved(payment) => payment,
            Decision::Declined(failure) => return Ok(Decision::Declined(failure)),
        };
        let mut refunded = 0;
        for refund in &payment.refunds {
            let Expandable::Object(refund) = refund else {
                return Err(ConnectorError("Smartpay did not expand a payment's refunds".into()));
            };
            if refund.status == "failed" {
                continue;
            }
            refunded += refund.amount;
            if refund.reference.as_deref() == Some(key) {
                done += refund.amount;
            }
        }
        refundable.push((payment.id.clone(), payment.amount - refunded));
    }
    let mut remaining = adjustment.amount - done;
    for (payment, can) in refundable {
        let part = can.min(remaining);
        if part <= 0 {
            continue;
        }
        let request = RefundRequest {
            payment: payment.clone(),
            amount: part,
            currency: currency.clone(),
            reason: RefundReason::RequestedByCustomer,
            reference: Some(key.to_owned()),
            description: None,
            metadata: Default::default(),
            idempotency_key: Some(format!("{key}:{payment}:{}", adjustment.amount - remaining)),
        };
        if let Decision::Declined(failure) = decided(client.create_refund(&request).await)? {
            return Ok(Decision::Declined(failure));
        }
        remaining -= part;
    }
    if remaining > 0 {
        return Ok(Decision::Declined(super::refused(format!(
            "Smartpay holds {remaining} less captured money than the refund asks for."
        ))));
    }
    Ok(Decision::Approved(()))
}
