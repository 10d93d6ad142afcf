//! Small values customers and merchants give, parsed once so the rest can trust them.

use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address: something before and after one `@`, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address.
    pub fn parse(s: &str) -> Result<Email, Invalid> {
        let plausible = s.chars().count() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
        if plausible { Ok(Email(s.to_owned())) } else { Err(Invalid::new("invalid_email", "Give an email address.")) }
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 3166-1 alpha-2 country code (`SA`, `NO`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CountryCode(String);

impl CountryCode {
    /// Parses two uppercase letters.
    pub fn parse(s: &str) -> Result<CountryCode, Invalid> {
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CountryCode(s.to_owned()))
        } else {
            Err(Invalid::new("invalid_country_code", "Give an ISO 3166-1 alpha-2 code such as SA."))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the customer's statement shows: 1 to 22 characters, at least one letter, none of
/// `< > \ ' " *` (which card networks refuse).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatementDescriptor(String);

impl StatementDescriptor {
    /// Parses a descriptor.
    pub fn parse(s: &str) -> Result<StatementDescriptor, Invalid> {
        let ok = (1..=22).contains(&s.chars().count())
            && !s.chars().any(|c| "<>\\'\"*".contains(c))
            && s.chars().any(char::is_alphabetic);
        if ok {
            Ok(StatementDescriptor(s.to_owned()))
        } else {
            Err(Invalid::new(
                "invalid_statement_descriptor",
                "A statement descriptor is 1 to 22 characters with at least one letter and none of < > \\ ' \" *.",
            ))
        }
    }

    /// A descriptor read back from storage, where only parsed ones are written.
    pub fn from_trusted(s: String) -> StatementDescriptor {
        StatementDescriptor(s)
    }

    /// The descriptor.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StatementDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b", "ahmed@example.com", "x.y+z@sub.example.co"] {
            assert_eq!(Email::parse(ok).map(|e| e.as_str().to_owned()), Ok(ok.to_owned()));
        }
        for bad in ["", "@", "a@", "@b", "plain", &format!("{}@b.c", "a".repeat(252))] {
            assert_eq!(Email::parse(bad).map_err(|e| e.code), Err("invalid_email"), "{bad}");
        }
    }

    #[test]
    fn country_codes() {
        assert!(CountryCode::parse("SA").is_ok() && CountryCode::parse("NO").is_ok());
        for bad in ["", "S", "sa", "SAU", "S1", "ÅÅ"] {
            assert_eq!(CountryCode::parse(bad).map_err(|e| e.code), Err("invalid_country_code"), "{bad}");
        }
    }

    #[test]
    fn statement_descriptors() {
        assert!(StatementDescriptor::parse("KASSA*SHOP").is_err(), "no asterisk");
        assert!(StatementDescriptor::parse("KASSA SHOP 42").is_ok());
        assert!(StatementDescriptor::parse("1234").is_err(), "a letter at least");
        assert!(StatementDescriptor::parse(&"A".repeat(23)).is_err());
        assert!(StatementDescriptor::parse(&"Å".repeat(22)).is_ok(), "characters, not bytes");
    }
}

/// Who pays, as the customer or merchant gave it: what a provider may need to know of them.
/// Each part is optional here; a provider that needs one says so when the payment starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingDetails {
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// Phone number, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
}

impl BillingDetails {
    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        *self == BillingDetails::default()
    }
}

/// A postal address, each line as given; the country ISO 3166-1 alpha-2.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// Apartment, floor …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// State, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
}
