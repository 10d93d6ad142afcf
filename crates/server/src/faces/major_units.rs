//! Amounts as people and some providers write them, in major units (`1000`, `46.5`,
//! `1000.00`), turned into Kassa's minor units and back by the currency's exponent, on the
//! decimal digits; no float arithmetic. Each face words the refusals its own way.

use kassa_domain::Currency;
use kassa_domain::money::MAX_AMOUNT;

/// Why a decimal is not an amount in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a plain non-negative decimal (`12`, `12.5`).
    NotANumber,
    /// Below zero.
    Negative,
    /// More decimals than the currency has (`exponent` of them).
    TooManyDecimals {
        /// How many the currency has.
        exponent: u8,
    },
    /// Above [`MAX_AMOUNT`].
    TooLarge,
}

/// Minor units of a decimal written in major units (`46.5` SAR → 4650).
pub fn to_minor(text: &str, currency: Currency) -> Result<i64, Refusal> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('-') {
        return Err(if to_minor(rest, currency).is_ok() { Refusal::Negative } else { Refusal::NotANumber });
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(Refusal::NotANumber);
    }
    let exponent = currency.exponent();
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(exponent) {
        return Err(Refusal::TooManyDecimals { exponent });
    }
    let whole = whole.trim_start_matches('0');
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| Refusal::TooLarge)? };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = usize::from(exponent)).parse().map_err(|_| Refusal::TooLarge)?
    };
    let minor = whole
        .checked_mul(10_i64.pow(u32::from(exponent)))
        .and_then(|w| w.checked_add(fraction))
        .ok_or(Refusal::TooLarge)?;
    if minor > MAX_AMOUNT { Err(Refusal::TooLarge) } else { Ok(minor) }
}

/// A minor-unit amount in major units with every decimal: `1000.00` for 100000 SAR, `500`
/// for 500 JPY.
pub fn to_major(minor: i64, currency: Currency) -> String {
    let exponent = u32::from(currency.exponent());
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!("{sign}{}.{:0width$}", minor / scale, minor % scale, width = exponent as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sar() -> Currency {
        Currency::parse("SAR").unwrap()
    }

    #[test]
    fn reads_major_units_by_the_currency_exponent() {
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        for (text, currency, minor) in [
            ("1000", sar(), 100_000),
            ("1000.0", sar(), 100_000),
            ("46.5", sar(), 4650),
            (".5", sar(), 50),
            ("0.29", sar(), 29),
            ("1.005", kwd, 1005),
            ("500", jpy, 500),
            (" 12.00 ", sar(), 1200),
        ] {
            assert_eq!(to_minor(text, currency), Ok(minor), "{text} {}", currency.code());
        }
        assert_eq!(to_minor("1.005", sar()), Err(Refusal::TooManyDecimals { exponent: 2 }));
        assert_eq!(to_minor("5.5", jpy), Err(Refusal::TooManyDecimals { exponent: 0 }));
        assert_eq!(to_minor("-1", sar()), Err(Refusal::Negative));
        assert_eq!(to_minor("1e3", sar()), Err(Refusal::NotANumber));
        assert_eq!(to_minor("", sar()), Err(Refusal::NotANumber));
        assert_eq!(to_minor(".", sar()), Err(Refusal::NotANumber));
        assert_eq!(to_minor("1,5", sar()), Err(Refusal::NotANumber));
        assert_eq!(to_minor("99999999999999999999", sar()), Err(Refusal::TooLarge));
        assert_eq!(to_minor("999999999.999", kwd), Err(Refusal::TooLarge));
    }

    #[test]
    fn writes_decimals_with_every_digit() {
        assert_eq!(to_major(100_000, sar()), "1000.00");
        assert_eq!(to_major(5, sar()), "0.05");
        assert_eq!(to_major(500, Currency::parse("JPY").unwrap()), "500");
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back_exactly(minor in 0..=MAX_AMOUNT) {
            prop_assert_eq!(to_minor(&to_major(minor, sar()), sar()), Ok(minor));
        }
    }
}
