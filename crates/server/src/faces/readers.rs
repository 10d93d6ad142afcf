//! Readers of order fields that several faces share: the same JSON shapes (snake_case consumer,
//! addresses, redirect URLs) arrive through `/v1` and through ProBuy's face.

use crate::app::PaymentMethodInput;
use crate::http::fields::Fields;
use kassa_domain::Invalid;
use kassa_domain::card::{Expiry, Pan, check_cvc};
use kassa_domain::checkout::{Address, Consumer};
use kassa_domain::contact::{CountryCode, Email};
use kassa_domain::{Currency, Timestamp};

/// An absolute http(s) URL (redirect targets).
pub fn web_url(f: &mut Fields, field: &str, required: bool) -> Option<String> {
    let raw = if required { f.required_string(field, 2048) } else { f.string(field, 2048) }?;
    match reqwest::Url::parse(&raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(raw),
        _ => {
            f.reject(field, Invalid::new("invalid_url", "Give an absolute http or https URL."));
            None
        }
    }
}

/// `consumer`: who pays; an email, when given, must look like one.
pub fn consumer(f: &mut Fields) -> Option<Consumer> {
    let mut c = f.object("consumer")?;
    let email = c.parsed_within("email", 254, Email::parse);
    let consumer = Consumer {
        first_name: c.string("first_name", 100),
        last_name: c.string("last_name", 100),
        email,
        phone_number: c.string("phone_number", 30),
    };
    f.absorb(c);
    Some(consumer)
}

/// A postal address; the country is ISO 3166-1 alpha-2.
pub fn address(f: &mut Fields, field: &str) -> Option<Address> {
    let mut a = f.object(field)?;
    let country = a.parsed_within("country_code", 2, CountryCode::parse);
    let address = Address {
        first_name: a.string("first_name", 100),
        last_name: a.string("last_name", 100),
        line1: a.string("line1", 200),
        line2: a.string("line2", 200),
        city: a.string("city", 100),
        region: a.string("region", 100),
        postal_code: a.string("postal_code", 20),
        country_code: country,
        phone_number: a.string("phone_number", 30),
    };
    f.absorb(a);
    Some(address)
}

/// A customer's details, as `/v1` and Stripe's face both name them (`email`, `name`, `phone`,
/// `description`, `metadata`): each field given is `Some`, an empty string `Some(None)` (cleared).
pub fn customer_changes(f: &mut Fields) -> kassa_domain::customer::CustomerChanges {
    use kassa_domain::customer::{MAX_DESCRIPTION, MAX_NAME, MAX_PHONE};
    let text = |f: &mut Fields, field: &str, max: usize| {
        f.string(field, max).map(|s| Some(s).filter(|s| !s.trim().is_empty()))
    };
    let email = f.string("email", 254).map(|e| match e.trim() {
        "" => Ok(None),
        e => Email::parse(e).map(Some),
    });
    let email = match email {
        Some(Ok(e)) => Some(e),
        Some(Err(invalid)) => {
            f.reject("email", invalid);
            None
        }
        None => None,
    };
    let metadata = f.string_map("metadata");
    kassa_domain::customer::CustomerChanges {
        email,
        name: text(f, "name", MAX_NAME),
        phone: text(f, "phone", MAX_PHONE),
        description: text(f, "description", MAX_DESCRIPTION),
        metadata,
    }
}

/// A new customer's details (the fields of [`customer_changes`]; metadata within its limits).
pub fn new_customer(f: &mut Fields) -> kassa_domain::customer::NewCustomer {
    let c = customer_changes(f);
    let metadata = c.metadata.and_then(|m| kassa_domain::Metadata::new(m).map_err(|e| f.reject("metadata", e)).ok());
    kassa_domain::customer::NewCustomer {
        email: c.email.flatten(),
        name: c.name.flatten(),
        phone: c.phone.flatten(),
        description: c.description.flatten(),
        metadata: metadata.unwrap_or_default(),
    }
}

/// `card`: `{number, exp_month, exp_year, cvc}`, parsed down to a valid number and expiry (the
/// security code is checked and dropped). `/v1` and Stripe's face read cards alike.
pub fn card(data: &mut Fields, today: (u16, u8)) -> Option<PaymentMethodInput> {
    if !data.has("card") {
        data.reject("card", Invalid::new("parameter_missing", "Missing required parameter: card."));
        return None;
    }
    let mut card = data.object("card")?;
    let pan = card.required_parsed("number", Pan::parse);
    let month = card.required_integer("exp_month", 1, 12, "invalid_expiry_month").map(|m| m as u8);
    let year = card
        .required_integer("exp_year", 0, 2199, "invalid_expiry_year")
        .and_then(|y| Expiry::parse_year(y).map_err(|e| card.reject("exp_year", e)).ok());
    let expiry = match (month, year) {
        (Some(m), Some(y)) => Expiry::new(m, y, today).map_err(|e| card.reject("exp_year", e)).ok(),
        _ => None,
    };
    let cvc = card.required_string("cvc", 4);
    if let (Some(cvc), Some(pan)) = (&cvc, &pan)
        && let Err(e) = check_cvc(cvc, pan.brand())
    {
        card.reject("cvc", e);
    }
    let valid = !card.has_errors();
    data.absorb(card);
    match (pan, expiry, valid) {
        (Some(pan), Some(expiry), true) => Some(PaymentMethodInput::Card { pan, expiry }),
        _ => None,
    }
}

/// A future instant given as Unix seconds.
pub fn future_instant(f: &mut Fields, field: &str, now: Timestamp) -> Option<Timestamp> {
    let secs = f.integer(field, 0, 32_503_680_000, "invalid_timestamp")?;
    let at = Timestamp(secs * 1_000_000);
    if at <= now {
        f.reject(field, Invalid::new("invalid_timestamp", "Must be in the future (Unix seconds)."));
        return None;
    }
    Some(at)
}

/// A promotion code's `restrictions`: `minimum_amount` with `minimum_amount_currency` (read by
/// `currency`: faces write currencies in their own case), `first_time_transaction`,
/// `once_per_customer`.
pub fn promotion_restrictions(
    f: &mut Fields,
    currency: fn(&str) -> Result<Currency, Invalid>,
) -> kassa_domain::checkout::Restrictions {
    let mut restrictions = kassa_domain::checkout::Restrictions::default();
    if let Some(mut r) = f.object("restrictions") {
        let minimum = r.amount("minimum_amount");
        let currency = r.parsed("minimum_amount_currency", currency);
        match (minimum, currency) {
            (Some(m), Some(c)) => restrictions.minimum_amount = Some((m, c)),
            (None, None) => {}
            (Some(_), None) => r.reject(
                "minimum_amount_currency",
                Invalid::new("parameter_missing", "minimum_amount needs a currency."),
            ),
            (None, Some(_)) if !r.has_errors() => r.reject(
                "minimum_amount",
                Invalid::new("parameter_missing", "minimum_amount_currency needs minimum_amount."),
            ),
            _ => {}
        }
        restrictions.first_time_only = r.boolean("first_time_transaction").unwrap_or(false);
        restrictions.once_per_customer = r.boolean("once_per_customer").unwrap_or(false);
        f.absorb(r);
    }
    restrictions
}
