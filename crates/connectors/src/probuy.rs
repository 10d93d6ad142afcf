//! ProBuy: an API token, checked by asking for a checkout that does not exist (an accepted
//! token gets 404, a refused one 401). ProBuy's backend API (source document 000) opens a
//! checkout and reports where it stands, nothing more: a payment through it follows ProBuy's
//! statuses (authorized, then completed when ProBuy captures), and Kassa refuses to capture,
//! refund or cancel it. ProBuy has no idempotency keys: an open whose answer was lost is not
//! repeated by the client, and a retried job opens a second checkout (the first, never shown to
//! the customer, expires unpaid).

use kassa_core::connector::providers::{
    Account, Adjustment, BillingField, CheckError, CredentialField, Credentials, OpenPayment, Opened, Operation,
    Provider, ProviderPayments, ProviderState,
};
use kassa_core::connector::{BoxFuture, ConnectorError, Decision};
use kassa_domain::Mode;
use kassa_domain::payment_intent::PaymentFailure;
use probuy::{Address, CheckoutOrder, Consumer, Decimal, Item, ItemType, MerchantUrls, ProBuyError, Status};
use std::time::Duration;

/// ProBuy.
pub struct ProBuy;

const FIELDS: &[CredentialField] = &[CredentialField { name: "api_token", required: true }];

/// The APIs of ProBuy's environments.
const SANDBOX: &str = "https://sandboxapi.probuy.dev";
const PRODUCTION: &str = "https://api.probuy.dev";

/// How long one call to ProBuy waits.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

fn client(c: &Credentials, base_url: &str, timeout: Duration, retries: u32) -> Result<probuy::ProBuy, ProBuyError> {
    // The customer's page is where ProBuy's answer says (`checkout_url`), not derived from here.
    let environment = probuy::Environment::Custom { api: base_url.to_owned(), portal: base_url.to_owned() };
    let mut config = probuy::Config::new(c.get("api_token").unwrap_or_default(), environment);
    config.timeout = timeout;
    config.retry_count = retries;
    probuy::ProBuy::new(config)
}

/// ProBuy's answer as Kassa's: a refusal is final, no answer is retried.
fn decided<T>(result: Result<T, ProBuyError>) -> Result<Decision<T>, ConnectorError> {
    let refused = |message: String| Ok(Decision::Declined(super::refused(message)));
    match result {
        Ok(value) => Ok(Decision::Approved(value)),
        Err(ProBuyError::Validation { message, details }) => {
            let fields: Vec<String> = details.iter().map(|(f, why)| format!("{f} {why}")).collect();
            refused(format!("ProBuy refused: {message} ({})", fields.join("; ")))
        }
        Err(ProBuyError::Authentication { message, .. }) => refused(format!("ProBuy refused the token: {message}")),
        Err(ProBuyError::Api { status, message, .. }) if status < 500 && status != 429 => {
            refused(format!("ProBuy refused: {message}"))
        }
        Err(e) => Err(ConnectorError(format!("ProBuy: {e}"))),
    }
}

impl Provider for ProBuy {
    fn name(&self) -> &'static str {
        "probuy"
    }

    fn display_name(&self) -> &'static str {
        "ProBuy"
    }

    fn default_base_url(&self, mode: Mode) -> &'static str {
        match mode {
            Mode::Test => SANDBOX,
            Mode::Live => PRODUCTION,
        }
    }

    fn credential_fields(&self) -> &'static [CredentialField] {
        FIELDS
    }

    fn check<'a>(&'a self, c: &'a Credentials, base_url: &'a str) -> BoxFuture<'a, Result<(), CheckError>> {
        Box::pin(async move {
            let client =
                client(c, base_url, super::CHECK_TIMEOUT, 0).map_err(|e| CheckError::Refused(e.to_string()))?;
            match client.get_checkout_details("kassa-credential-check").await {
                Ok(_) => Ok(()),
                Err(ProBuyError::Api { status: 404, .. }) => Ok(()),
                Err(ProBuyError::Authentication { message, .. }) => Err(CheckError::Refused(message)),
                Err(ProBuyError::Api { status, message, .. }) if status < 500 => Err(CheckError::Refused(message)),
                Err(e) => Err(super::unreachable(e)),
            }
        })
    }

    fn payments(&self) -> Option<&dyn ProviderPayments> {
        Some(self)
    }
}

impl ProviderPayments for ProBuy {
    fn currencies(&self) -> &'static [&'static str] {
        &["SAR", "AED", "KWD", "BHD", "QAR", "OMR"]
    }

    fn supports(&self, _: Operation) -> bool {
        false
    }

    fn required_billing(&self) -> &'static [BillingField] {
        &[
            BillingField::Name,
            BillingField::Email,
            BillingField::Phone,
            BillingField::Line1,
            BillingField::City,
            BillingField::Country,
        ]
    }

    fn open<'a>(
        &'a self,
        account: Account<'a>,
        payment: OpenPayment<'a>,
    ) -> BoxFuture<'a, Result<Decision<Opened>, ConnectorError>> {
        Box::pin(async move {
            let client = client(account.credentials, account.base_url, CALL_TIMEOUT, 1)
                .map_err(|e| ConnectorError(format!("ProBuy: {e}")))?;
            let billing = payment.billing;
            let name = billing.name.clone().unwrap_or_default();
            let (first_name, last_name) = match name.trim().rsplit_once(' ') {
                Some((first, last)) => (first.to_owned(), last.to_owned()),
                None => (name.trim().to_owned(), name.trim().to_owned()),
            };
            let phone = billing.phone.clone().unwrap_or_default();
            let address = billing.address.clone().unwrap_or_default();
            let country = address.country.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default();
            let city = address.city.clone().unwrap_or_default();
            let postal = Address {
                city: city.clone(),
                country_code: country.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                line1: address.line1.clone().unwrap_or_default(),
                line2: address.line2.clone(),
                phone_number: phone.clone(),
                region: address.state.clone().unwrap_or(city),
            };
            let total = Decimal::from_minor(payment.amount, u32::from(payment.currency.exponent()));
            let title = payment.description.map_or_else(|| format!("Payment {}", payment.reference), str::to_owned);
            let order = CheckoutOrder {
                order_reference_id: payment.reference.to_owned(),
                order_number: payment.reference.to_owned(),
                currency: payment.currency.code().to_owned(),
                total_amount: total,
                shipping_amount: None,
                tax_amount: None,
                item: Item {
                    name: title,
                    description: None,
                    kind: ItemType::Digital,
                    reference_id: payment.reference.to_owned(),
                    sku: payment.reference.to_owned(),
                    quantity: 1,
                    discount_amount: None,
                    tax_amount: None,
                    unit_price: total,
                    total_amount: total,
                },
                consumer: Consumer {
                    email: billing.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default(),
                    first_name,
                    last_name,
                    phone_number: phone,
                },
                country_code: country,
                description: payment.description.map(str::to_owned),
                merchant_url: MerchantUrls {
                    success: payment.return_url.to_owned(),
                    failure: payment.return_url.to_owned(),
                    cancel: payment.return_url.to_owned(),
                },
                billing_address: postal.clone(),
                shipping_address: postal,
                platform: Some("web".into()),
                is_mobile: None,
                locale: None,
                additional_data: None,
            };
            Ok(decided(client.create_checkout_session(&order).await)?
                .map(|session| Opened { reference: session.checkout_id, redirect_url: session.checkout_url }))
        })
    }

    fn state<'a>(
        &'a self,
        account: Account<'a>,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<ProviderState, ConnectorError>> {
        Box::pin(async move {
            let client = client(account.credentials, account.base_url, CALL_TIMEOUT, 1)
                .map_err(|e| ConnectorError(format!("ProBuy: {e}")))?;
            let details = match decided(client.get_checkout_details(reference).await)? {
                Decision::Approved(details) => details,
                Decision::Declined(failure) => return Err(ConnectorError(failure.message)),
            };
            Ok(match details.status {
                Status::New | Status::Pending | Status::Approved => ProviderState::Waiting,
                Status::Authorized => ProviderState::Authorized,
                Status::Completed => ProviderState::Captured,
                Status::Declined => super::failed("connector_declined", "ProBuy declined the payment."),
                Status::Expired => super::failed("payment_expired", "The customer did not pay ProBuy in time."),
                Status::Cancelled => super::failed("payment_aborted", "The customer canceled the payment at ProBuy."),
                Status::Other(status) => return Err(ConnectorError(format!("ProBuy said status {status}"))),
            })
        })
    }

    fn adjust<'a>(
        &'a self,
        _: Account<'a>,
        adjustment: Adjustment<'a>,
    ) -> BoxFuture<'a, Result<Decision<()>, ConnectorError>> {
        // Refused before anything is stored (`supports`); a job that gets here says so.
        Box::pin(async move {
            Ok(Decision::Declined(PaymentFailure {
                code: "not_supported_by_connector".into(),
                decline_code: None,
                message: format!("ProBuy's API cannot {} a payment.", adjustment.operation.as_str()),
            }))
        })
    }
}
