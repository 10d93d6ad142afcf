//! Money: integer amounts in a currency's minor unit, and ISO 4217 currencies.
//!
//! There are no floats here. An [`Amount`] is what a caller asks to move (positive, bounded);
//! [`MinorUnits`] are the running totals a payment keeps (never negative). Arithmetic is
//! checked, and the state machine only subtracts what it has proven is there.

use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest amount Kassa accepts in one request, in minor units (just under 10^11).
///
/// It keeps every total far inside both `i64` and the 2^53 integers a JavaScript client can
/// represent exactly.
pub const MAX_AMOUNT: i64 = 99_999_999_999;

/// A positive amount in minor units, at most [`MAX_AMOUNT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Amount(i64);

impl Amount {
    /// Parses a requested amount: it must be at least 1 and at most [`MAX_AMOUNT`].
    pub fn new(value: i64) -> Result<Amount, Invalid> {
        if value < 1 {
            Err(Invalid::new("invalid_amount", "Amount must be a positive integer in the currency's minor unit."))
        } else if value > MAX_AMOUNT {
            Err(Invalid::new("amount_too_large", format!("Amount must be at most {MAX_AMOUNT}.")))
        } else {
            Ok(Amount(value))
        }
    }

    /// The amount in minor units.
    pub fn get(self) -> i64 {
        self.0
    }

    /// The same amount as a running total.
    pub fn units(self) -> MinorUnits {
        MinorUnits(self.0)
    }
}

impl TryFrom<i64> for Amount {
    type Error = Invalid;
    fn try_from(value: i64) -> Result<Self, Invalid> {
        Amount::new(value)
    }
}

impl From<Amount> for i64 {
    fn from(a: Amount) -> i64 {
        a.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A non-negative running total in minor units (authorized, captured, refunded …).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MinorUnits(i64);

impl MinorUnits {
    /// Zero.
    pub const ZERO: MinorUnits = MinorUnits(0);

    /// Wraps a stored total; negative values are a corrupted store and are refused.
    pub fn new(value: i64) -> Option<MinorUnits> {
        (value >= 0).then_some(MinorUnits(value))
    }

    /// The total in minor units.
    pub fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_add(other.0).map(MinorUnits)
    }

    /// `self - other`, or `None` if the result would be negative.
    pub fn checked_sub(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_sub(other.0).filter(|v| *v >= 0).map(MinorUnits)
    }

    /// `true` when nothing is left.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// This total as a requestable [`Amount`], if it is positive.
    pub fn as_amount(self) -> Option<Amount> {
        Amount::new(self.0).ok()
    }
}

impl fmt::Display for MinorUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An ISO 4217 currency that can be paid in, with its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// The US dollar: the currency a setup session verifies cards in when none is given.
    pub const USD: Currency = Currency { code: *b"USD", exponent: 2 };
    /// Japanese yen (no minor unit).
    pub const JPY: Currency = Currency { code: *b"JPY", exponent: 0 };

    /// Parses an uppercase ISO 4217 code such as `USD`. Lowercase is refused: codes are
    /// uppercase everywhere in Kassa, so there is one spelling to compare and store.
    pub fn parse(code: &str) -> Result<Currency, Invalid> {
        let bytes: [u8; 3] = code.as_bytes().try_into().map_err(|_| unknown(code))?;
        ISO_4217
            .iter()
            .find(|(c, _)| c.as_bytes() == bytes)
            .map(|(_, exponent)| Currency { code: bytes, exponent: *exponent })
            .ok_or_else(|| unknown(code))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The bytes came from the ASCII table below.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Digits after the decimal point in the major unit: JPY 0, USD 2, KWD 3.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }
}

fn unknown(code: &str) -> Invalid {
    Invalid::new(
        "invalid_currency",
        format!("`{code}` is not a supported ISO 4217 currency code; use an uppercase code such as USD."),
    )
}

impl TryFrom<String> for Currency {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Invalid> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Active ISO 4217 currencies and their minor-unit exponents. Precious metals, testing codes
/// and supranational units of account (XAU, XTS, XDR …) are left out: nothing is paid in them.
const ISO_4217: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BOV", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHE", 2),
    ("CHF", 2),
    ("CHW", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("COU", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MXV", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("USN", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("USD").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        assert_eq!(Currency::parse("NOK").unwrap().code(), "NOK");
    }

    #[test]
    fn unknown_and_lowercase_codes_are_refused() {
        for bad in ["usd", "XXX", "US", "USDD", "", "XAU"] {
            assert_eq!(Currency::parse(bad).unwrap_err().code, "invalid_currency", "{bad}");
        }
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn amounts_are_positive_and_bounded() {
        assert!(Amount::new(0).is_err());
        assert!(Amount::new(-5).is_err());
        assert_eq!(Amount::new(MAX_AMOUNT + 1).unwrap_err().code, "amount_too_large");
        assert_eq!(Amount::new(1).unwrap().get(), 1);
    }

    #[test]
    fn minor_units_never_go_negative() {
        let five = MinorUnits::new(5).unwrap();
        assert_eq!(five.checked_sub(MinorUnits::new(6).unwrap()), None);
        assert_eq!(five.checked_sub(five), Some(MinorUnits::ZERO));
        assert!(MinorUnits::new(-1).is_none());
    }
}

/// An amount with its currency, for messages people read: `12.93 USD`, `1293 JPY` (integer
/// arithmetic on the currency's exponent; never a float).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    /// How much.
    pub units: MinorUnits,
    /// Of what.
    pub currency: Currency,
}

impl Money {
    /// `units` of `currency`.
    pub fn new(units: MinorUnits, currency: Currency) -> Money {
        Money { units, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = u32::from(self.currency.exponent());
        let minor = self.units.get();
        if exp == 0 {
            return write!(f, "{minor} {}", self.currency.code());
        }
        let scale = 10i64.pow(exp);
        write!(f, "{}.{:0width$} {}", minor / scale, minor % scale, self.currency.code(), width = exp as usize)
    }
}

#[cfg(test)]
mod money_display_tests {
    use super::*;

    #[test]
    fn money_reads_in_major_units_with_its_currency() {
        let m = |v, c| Money::new(MinorUnits::new(v).unwrap(), Currency::parse(c).unwrap()).to_string();
        assert_eq!(m(1293, "USD"), "12.93 USD");
        assert_eq!(m(5, "EUR"), "0.05 EUR");
        assert_eq!(m(1293, "JPY"), "1293 JPY");
        assert_eq!(m(1234567, "KWD"), "1234.567 KWD");
    }
}
