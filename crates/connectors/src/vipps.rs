//! Vipps MobilePay (ePayment): a merchant sales unit's four credentials, checked by fetching an
//! access token; payments opened as web redirects, followed by reference, captured, refunded
//! and canceled with Kassa's idempotency keys.

use kassa_core::connector::providers::{
    Account, Adjustment, CheckError, CredentialField, Credentials, Notification, OpenPayment, Opened, Operation,
    Provider, ProviderNotifications, ProviderPayments, ProviderState, Subscription,
};
use kassa_core::connector::{BoxFuture, ConnectorError, Decision};
use kassa_domain::Mode;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use vipps::{CreatePaymentRequest, Customer, Money, PaymentState, VippsError};

/// Vipps MobilePay. Keeps one client per sales unit, so an access token serves many calls.
#[derive(Default)]
pub struct Vipps {
    clients: Mutex<HashMap<String, vipps::Vipps>>,
}

const FIELDS: &[CredentialField] = &[
    CredentialField { name: "client_id", required: true },
    CredentialField { name: "client_secret", required: true },
    CredentialField { name: "subscription_key", required: true },
    CredentialField { name: "merchant_serial_number", required: true },
];

/// How long one call to Vipps waits; a job that gets no answer retries with the same key.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

fn config(c: &Credentials, base_url: &str) -> vipps::Config {
    let field = |name| c.get(name).unwrap_or_default();
    vipps::Config::new(
        field("client_id"),
        field("client_secret"),
        field("subscription_key"),
        field("merchant_serial_number"),
        base_url,
    )
}

impl Vipps {
    /// The client of `account`, made once per credentials and base URL.
    fn client(&self, account: Account<'_>) -> Result<vipps::Vipps, ConnectorError> {
        let key = serde_json::to_string(&(account.credentials, account.base_url)).unwrap_or_default();
        let mut clients = self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let mut config = config(account.credentials, account.base_url);
        config.timeout = CALL_TIMEOUT;
        // The job that calls retries with backoff of its own, across restarts.
        config.retries = 1;
        let client = vipps::Vipps::new(config).map_err(|e| ConnectorError(e.to_string()))?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// Vipps' answer as Kassa's: a refusal (a 4xx) is final, anything else is no answer. A 429,
/// and a 409 (the same idempotency key still at work: the poller and a returning customer may
/// ask at once), are asked again later with the same key.
fn decided<T>(result: Result<T, VippsError>) -> Result<Decision<T>, ConnectorError> {
    match result {
        Ok(value) => Ok(Decision::Approved(value)),
        Err(VippsError::Problem { status, problem }) if status < 500 && status != 429 && status != 409 => {
            let words = problem.detail.or(problem.title).unwrap_or_else(|| format!("HTTP {status}"));
            Ok(Decision::Declined(super::refused(format!("Vipps refused: {words}"))))
        }
        Err(e) => Err(ConnectorError(format!("Vipps: {e}"))),
    }
}

fn money(amount: i64, currency: kassa_domain::Currency) -> Result<Money, ConnectorError> {
    let currency = match currency.code() {
        "NOK" => vipps::Currency::Nok,
        "DKK" => vipps::Currency::Dkk,
        "EUR" => vipps::Currency::Eur,
        other => return Err(ConnectorError(format!("Vipps takes no {other}"))),
    };
    Ok(Money { currency, value: amount })
}

impl Provider for Vipps {
    fn name(&self) -> &'static str {
        "vipps"
    }

    fn display_name(&self) -> &'static str {
        "Vipps"
    }

    fn default_base_url(&self, mode: Mode) -> &'static str {
        match mode {
            Mode::Test => vipps::TEST_URL,
            Mode::Live => vipps::PRODUCTION_URL,
        }
    }

    fn credential_fields(&self) -> &'static [CredentialField] {
        FIELDS
    }

    fn check<'a>(&'a self, c: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>> {
        Box::pin(async move {
            let mut config = config(c, base_url);
            config.timeout = super::CHECK_TIMEOUT;
            config.retries = 0;
            let client = vipps::Vipps::new(config).map_err(|e| CheckError::Refused(e.to_string()))?;
            match client.access_token().await {
                Ok(_) => Ok(()),
                Err(VippsError::Problem { status, problem }) if status < 500 => {
                    let words = problem.detail.or(problem.title).unwrap_or_else(|| format!("HTTP {status}"));
                    Err(CheckError::Refused(words))
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

/// The ePayment events Kassa hears: every change a customer or Vipps makes.
const EVENTS: &[&str] = &[
    "epayments.payment.authorized.v1",
    "epayments.payment.aborted.v1",
    "epayments.payment.expired.v1",
    "epayments.payment.terminated.v1",
    "epayments.payment.cancelled.v1",
    "epayments.payment.captured.v1",
    "epayments.payment.refunded.v1",
];

impl ProviderNotifications for Vipps {
    fn subscribe<'a>(&'a self, account: Account<'a>, url: &'a str) -> BoxFuture<'a, Result<Subscription, String>> {
        Box::pin(async move {
            let client = self.client(account).map_err(|e| e.0)?;
            let registered = client.webhooks().register(url, EVENTS).await.map_err(|e| e.to_string())?;
            Ok(Subscription { id: registered.id, secret: registered.secret })
        })
    }

    fn unsubscribe<'a>(
        &'a self,
        account: Account<'a>,
        subscription: &'a Subscription,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let client = self.client(account).map_err(|e| e.0)?;
            client.webhooks().delete(&subscription.id).await.map_err(|e| e.to_string())
        })
    }

    fn read(&self, subscription: &Subscription, notification: &Notification<'_>) -> Result<String, String> {
        let request = vipps::WebhookRequest {
            path_and_query: notification.path_and_query,
            host: notification.host,
            date: notification.header("x-ms-date"),
            content_sha256: notification.header("x-ms-content-sha256"),
            authorization: notification.header("authorization"),
            body: notification.body,
        };
        vipps::verify_webhook(&subscription.secret, &request).map_err(|e| e.to_string())?;
        let event: serde_json::Value = serde_json::from_slice(notification.body).map_err(|e| e.to_string())?;
        event["reference"].as_str().map(str::to_owned).ok_or_else(|| "the event names no reference".to_owned())
    }
}

impl ProviderPayments for Vipps {
    fn currencies(&self) -> &'static [&'static str] {
        &["NOK", "DKK", "EUR"]
    }

    fn supports(&self, _: Operation) -> bool {
        true
    }

    fn open<'a>(
        &'a self,
        account: Account<'a>,
        payment: OpenPayment<'a>,
    ) -> BoxFuture<'a, Result<Decision<Opened>, ConnectorError>> {
        Box::pin(async move {
            let client = self.client(account)?;
            let amount = money(payment.amount, payment.currency)?;
            let mut request = CreatePaymentRequest::web_redirect(amount, payment.reference, payment.return_url);
            // Vipps takes 3 to 100 characters, and a phone number of 10 to 15 digits.
            request.payment_description =
                payment.description.map(|d| d.chars().take(100).collect::<String>()).filter(|d| d.chars().count() >= 3);
            request.customer =
                payment.billing.phone.as_deref().and_then(phone_number).map(|phone_number| Customer { phone_number });
            let created = client.epayment().create_payment_with_key(&request, payment.idempotency_key).await;
            match decided(created)? {
                Decision::Approved(created) => match created.redirect_url {
                    Some(redirect_url) => Ok(Decision::Approved(Opened { reference: created.reference, redirect_url })),
                    None => Err(ConnectorError("Vipps opened the payment without a redirectUrl".into())),
                },
                Decision::Declined(failure) => Ok(Decision::Declined(failure)),
            }
        })
    }

    fn state<'a>(
        &'a self,
        account: Account<'a>,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ProviderState, ConnectorError>> {
        Box::pin(async move {
            let payment = match decided(self.client(account)?.epayment().get_payment(reference).await)? {
                Decision::Approved(payment) => payment,
                Decision::Declined(failure) => return Err(ConnectorError(failure.message)),
            };
            Ok(match payment.state {
                PaymentState::Created => ProviderState::Waiting,
                PaymentState::Authorized => ProviderState::Authorized,
                PaymentState::Aborted => super::failed("payment_aborted", "The payment was aborted in Vipps."),
                PaymentState::Expired => {
                    super::failed("payment_expired", "The customer did not approve the payment in time.")
                }
                PaymentState::Terminated => super::failed("payment_canceled", "The payment was canceled at Vipps."),
                PaymentState::Other(state) => return Err(ConnectorError(format!("Vipps said state {state}"))),
            })
        })
    }

    fn adjust<'a>(
        &'a self,
        account: Account<'a>,
        adjustment: Adjustment<'a>,
    ) -> BoxFuture<'a, Result<Decision<()>, ConnectorError>> {
        Box::pin(async move {
            let client = self.client(account)?;
            let epayment = client.epayment();
            let (reference, key) = (adjustment.reference, adjustment.idempotency_key);
            let amount = money(adjustment.amount, adjustment.currency)?;
            let done = match adjustment.operation {
                Operation::Capture if adjustment.release_rest => {
                    // Captured is captured: a refusal to release the rest is only logged (a retry
                    // of the job captures nothing twice, the key being the same).
                    let captured = decided(epayment.capture_payment_with_key(reference, amount, key).await)?;
                    if let Decision::Approved(_) = captured {
                        let release = epayment.cancel_payment_with_key(reference, &format!("{key}-release")).await;
                        if let Decision::Declined(why) = decided(release)? {
                            tracing::warn!(reference, message = %why.message, "Vipps kept the rest of a final capture");
                        }
                    }
                    return Ok(captured.map(drop));
                }
                Operation::Capture => epayment.capture_payment_with_key(reference, amount, key).await,
                Operation::Refund => epayment.refund_payment_with_key(reference, amount, key).await,
                Operation::Cancel => epayment.cancel_payment_with_key(reference, key).await,
            };
            Ok(decided(done)?.map(drop))
        })
    }
}

/// A phone number as Vipps takes it: 10 to 15 digits, country code first (spaces, dashes and a
/// leading `+` dropped); anything else is not sent.
fn phone_number(given: &str) -> Option<String> {
    let digits: String = given.chars().filter(|c| !matches!(c, ' ' | '-' | '+' | '(' | ')')).collect();
    ((10..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}
