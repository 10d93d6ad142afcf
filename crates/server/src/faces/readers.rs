//! Readers of order fields that several faces share: the same JSON shapes (snake_case consumer,
//! addresses, redirect URLs) arrive through `/v1` and through ProBuy's face.

use crate::http::fields::Fields;
use kassa_domain::Invalid;
use kassa_domain::checkout::{Address, Consumer};
use kassa_domain::contact::{CountryCode, Email};

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
