//! ProBuy's amounts are JSON numbers in major units (`1000`, `46.5`, `1000.00`); Kassa's are
//! integers in minor units. The conversion is [`major_units`]'s, on the number's decimal
//! digits (no float arithmetic); this module reads the JSON and words the refusals ProBuy's way.
//!
//! serde_json keeps a JSON decimal as an `f64`, whose shortest round-trip spelling (what its
//! `Display` writes) is the decimal the client sent whenever that has at most 15 significant
//! digits. Kassa's largest amount has 11, so reading those digits is exact; longer spellings
//! are refused as having too many decimals or being too large.

use crate::faces::major_units::{self, Refusal};
use kassa_domain::Currency;
use kassa_domain::money::MAX_AMOUNT;
use serde_json::Value;
use serde_json::value::RawValue;

/// Minor units of a major-unit JSON number in `currency`. `Err` says why, in ProBuy's words.
pub fn to_minor(value: &Value, currency: Currency) -> Result<i64, String> {
    let Value::Number(n) = value else { return Err("Must be a number".into()) };
    let text = n.to_string();
    let too_large = || format!("Must be at most {}", to_major(MAX_AMOUNT, currency));
    if text.contains(['e', 'E']) {
        let negative = text.starts_with('-');
        return Err(match n.as_f64() {
            _ if negative => "Must not be negative".into(),
            Some(f) if f >= 1.0 => too_large(),
            _ => "Has too many decimals".into(),
        });
    }
    major_units::to_minor(&text, currency).map_err(|refusal| match refusal {
        Refusal::Negative => "Must not be negative".into(),
        Refusal::TooManyDecimals { exponent: 0 } => format!("{} has no decimals", currency.code()),
        Refusal::TooManyDecimals { exponent } => {
            format!("Must have at most {exponent} decimals in {}", currency.code())
        }
        Refusal::TooLarge => too_large(),
        Refusal::NotANumber => "Must be a number".into(),
    })
}

pub use major_units::to_major;

/// [`to_major`] as a JSON number written as is (`1000.00`, not `1000.0`).
pub fn major_json(minor: i64, currency: Currency) -> Box<RawValue> {
    RawValue::from_string(to_major(minor, currency)).expect("a decimal is valid JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn sar() -> Currency {
        Currency::parse("SAR").unwrap()
    }

    #[test]
    fn reads_major_units_by_the_currency_exponent() {
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        let cases = [
            (json!(1000), sar(), Ok(100_000)),
            (json!(1000.0), sar(), Ok(100_000)),
            (json!(46.5), sar(), Ok(4650)),
            (json!(0.1), sar(), Ok(10)),
            (json!(0.29), sar(), Ok(29)),
            (json!(1.005), kwd, Ok(1005)),
            (json!(500), jpy, Ok(500)),
        ];
        for (value, currency, expected) in cases {
            assert_eq!(to_minor(&value, currency), expected, "{value} {}", currency.code());
        }
        let refused = [json!(1.005), json!(-1), json!("10"), json!(1e30), json!(1e-9), json!(999_999_999.999)];
        for value in refused {
            assert!(to_minor(&value, sar()).is_err(), "{value}");
        }
        assert!(to_minor(&json!(5.5), jpy).is_err());
    }

    #[test]
    fn writes_decimals_with_every_digit() {
        assert_eq!(to_major(100_000, sar()), "1000.00");
        assert_eq!(to_major(5, sar()), "0.05");
        assert_eq!(to_major(500, Currency::parse("JPY").unwrap()), "500");
        assert_eq!(major_json(4650, sar()).get(), "46.50");
    }

    proptest! {
        #[test]
        fn the_decimal_a_client_writes_reads_back_exactly(minor in 0..=MAX_AMOUNT) {
            let text = to_major(minor, sar());
            let value: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(to_minor(&value, sar()), Ok(minor));
        }
    }
}
