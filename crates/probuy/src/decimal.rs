//! Exact decimal amounts. ProBuy's amounts are JSON numbers in major units (`1000.50` SAR); a
//! float cannot hold most of them exactly, so [`Decimal`] keeps an integer and a scale, reads
//! a JSON number from its text and writes it back digit for digit.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::str::FromStr;

/// Most digits after the point.
const MAX_SCALE: u32 = 9;

/// An exact decimal number: `units × 10^-scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// A text that is not a plain decimal number (`12`, `-3.50`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a decimal number such as 1000.50 (at most {MAX_SCALE} decimals)")]
pub struct NotADecimal(pub String);

impl Decimal {
    /// `units` of the currency's smallest unit, for a currency with `exponent` decimals
    /// (`Decimal::from_minor(100050, 2)` is 1000.50).
    pub fn from_minor(units: i64, exponent: u32) -> Decimal {
        Decimal { units: i128::from(units), scale: exponent.min(MAX_SCALE) }
    }

    /// The amount in the smallest unit of a currency with `exponent` decimals, if it has no
    /// more decimals than that (`1000.5` → 100050 for 2; `1.005` → `None`).
    pub fn to_minor(self, exponent: u32) -> Option<i64> {
        let units = if exponent >= self.scale {
            self.units.checked_mul(10i128.checked_pow(exponent - self.scale)?)?
        } else {
            let divisor = 10i128.checked_pow(self.scale - exponent)?;
            (self.units % divisor == 0).then_some(self.units / divisor)?
        };
        i64::try_from(units).ok()
    }

    /// Whether it is greater than zero.
    pub fn is_positive(self) -> bool {
        self.units > 0
    }

    fn normalized(self) -> (i128, u32) {
        let (mut units, mut scale) = (self.units, self.scale);
        while scale > 0 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        (units, scale)
    }
}

impl PartialEq for Decimal {
    /// `1000.50` equals `1000.5`.
    fn eq(&self, other: &Decimal) -> bool {
        self.normalized() == other.normalized()
    }
}

impl Eq for Decimal {}

impl FromStr for Decimal {
    type Err = NotADecimal;

    fn from_str(s: &str) -> Result<Decimal, NotADecimal> {
        let bad = || NotADecimal(s.to_owned());
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(bad());
        }
        let scale = u32::try_from(fraction.len()).map_err(|_| bad())?;
        if scale > MAX_SCALE || whole.len() > 20 {
            return Err(bad());
        }
        let units: i128 = format!("{whole}{fraction}").parse().map_err(|_| bad())?;
        Ok(Decimal { units: if negative { -units } else { units }, scale })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        if self.scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let scale = self.scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A JSON number written digit for digit, never through a float.
        let raw = RawValue::from_string(self.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get().trim();
        // A number as JSON wrote it, or a string holding one (some servers quote amounts).
        let text = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_through_json_digit_for_digit() {
        for text in ["1000", "1000.50", "0.1", "-3.05", "12345678901234.99"] {
            let d: Decimal = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&d).unwrap(), text);
        }
        let quoted: Decimal = serde_json::from_str("\"99.90\"").unwrap();
        assert_eq!(quoted, "99.9".parse().unwrap());
    }

    #[test]
    fn minor_units_convert_exactly_or_not_at_all() {
        let d: Decimal = "1000.5".parse().unwrap();
        assert_eq!(d.to_minor(2), Some(100050));
        assert_eq!(d.to_minor(0), None, "half a riyal-less yen does not exist");
        assert_eq!(Decimal::from_minor(100050, 2).to_string(), "1000.50");
        assert_eq!(Decimal::from_minor(5, 3).to_string(), "0.005");
        assert_eq!("0.1".parse::<Decimal>().unwrap().to_minor(2), Some(10));
    }

    #[test]
    fn anything_but_a_plain_decimal_is_refused() {
        for bad in ["", "1e3", "1.", ".5", "1,5", "NaN", "1.0000000001", "--1", "+1"] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }
}
