//! Card numbers, brands and expiry dates.
//!
//! A full card number ([`Pan`]) exists only while a request is being handled: it has no
//! `Serialize`, and its `Debug` shows the last four digits only, so it cannot reach a log or
//! the database by accident. What is kept is [`CardDetails`]: brand, last four, expiry and a
//! keyed fingerprint.

use crate::validation::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A card network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    /// Visa.
    Visa,
    /// Mastercard.
    Mastercard,
    /// American Express.
    Amex,
    /// Discover.
    Discover,
    /// JCB.
    Jcb,
    /// Diners Club.
    Diners,
    /// UnionPay.
    Unionpay,
}

impl CardBrand {
    /// The lowercase name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
            CardBrand::Amex => "amex",
            CardBrand::Discover => "discover",
            CardBrand::Jcb => "jcb",
            CardBrand::Diners => "diners",
            CardBrand::Unionpay => "unionpay",
        }
    }

    /// Reads a brand name written by [`CardBrand::as_str`].
    pub fn from_name(name: &str) -> Option<CardBrand> {
        [
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
            CardBrand::Jcb,
            CardBrand::Diners,
            CardBrand::Unionpay,
        ]
        .into_iter()
        .find(|b| b.as_str() == name)
    }

    /// Identifies the brand from the number's leading digits (its IIN range).
    fn from_number(digits: &str) -> Option<CardBrand> {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
        let (p1, p2, p3, p4, p6) = (prefix(1), prefix(2), prefix(3), prefix(4), prefix(6));
        match () {
            _ if p2 == 34 || p2 == 37 => Some(CardBrand::Amex),
            _ if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) => Some(CardBrand::Mastercard),
            _ if p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || (622126..=622925).contains(&p6) => {
                Some(CardBrand::Discover)
            }
            _ if (3528..=3589).contains(&p4) => Some(CardBrand::Jcb),
            _ if p2 == 36 || p2 == 38 || p2 == 39 || (300..=305).contains(&p3) || p3 == 309 => Some(CardBrand::Diners),
            _ if p2 == 62 => Some(CardBrand::Unionpay),
            _ if p1 == 4 => Some(CardBrand::Visa),
            _ => None,
        }
    }

    /// Digits a card verification code of this brand has.
    pub fn cvc_len(self) -> usize {
        if self == CardBrand::Amex { 4 } else { 3 }
    }
}

/// A full card number: 12 to 19 digits, Luhn-valid, in a known brand range.
pub struct Pan {
    digits: String,
    brand: CardBrand,
}

impl Pan {
    /// Parses a number; spaces and dashes between digit groups are ignored.
    pub fn parse(input: &str) -> Result<Pan, Invalid> {
        let digits: String = input.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !(12..=19).contains(&digits.len()) {
            return Err(Invalid::new("invalid_number", "The card number must be 12 to 19 digits."));
        }
        if !luhn_valid(&digits) {
            return Err(Invalid::new("incorrect_number", "The card number is not a valid card number."));
        }
        let brand = CardBrand::from_number(&digits)
            .ok_or_else(|| Invalid::new("card_not_supported", "This card brand is not supported."))?;
        Ok(Pan { digits, brand })
    }

    /// The card's network.
    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    /// The last four digits, safe to show and store.
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The full number, for the fingerprint and the connector only. Never store or log it.
    pub fn expose_digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan(**** {})", self.last4())
    }
}

/// The Luhn checksum every card number satisfies.
pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card's expiry month and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    /// 1–12.
    pub month: u8,
    /// Four-digit year.
    pub year: u16,
}

impl Expiry {
    /// Parses the month (1–12).
    pub fn parse_month(month: i64) -> Result<u8, Invalid> {
        u8::try_from(month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| Invalid::new("invalid_expiry_month", "The expiry month must be 1 to 12."))
    }

    /// Parses the year: four digits, or two digits meaning 20YY.
    pub fn parse_year(year: i64) -> Result<u16, Invalid> {
        match year {
            0..=99 => Ok(2000 + year as u16),
            2000..=2199 => Ok(year as u16),
            _ => Err(Invalid::new("invalid_expiry_year", "The expiry year must be a four-digit year.")),
        }
    }

    /// Combines month and year, refusing a card whose last valid month is before
    /// `today = (year, month)`.
    pub fn new(month: u8, year: u16, today: (u16, u8)) -> Result<Expiry, Invalid> {
        if (year, month) < today {
            return Err(Invalid::new("invalid_expiry_year", "The card's expiry date is in the past."));
        }
        Ok(Expiry { month, year })
    }
}

/// Checks a card verification code against the brand's length.
pub fn check_cvc(cvc: &str, brand: CardBrand) -> Result<(), Invalid> {
    if cvc.len() == brand.cvc_len() && cvc.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Invalid::new("invalid_cvc", format!("The security code must be {} digits for this card.", brand.cvc_len())))
    }
}

/// What is kept of a card: enough to show it and to recognise it again, never the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetails {
    /// The network.
    pub brand: CardBrand,
    /// Last four digits.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u8,
    /// Four-digit expiry year.
    pub exp_year: u16,
    /// A keyed hash of the number: equal for the same card within a merchant, useless to
    /// anyone without the gateway's key.
    pub fingerprint: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_test_numbers_parse_with_their_brand() {
        let cases = [
            ("4242424242424242", CardBrand::Visa),
            ("4242 4242 4242 4242", CardBrand::Visa),
            ("5555555555554444", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("6011111111111117", CardBrand::Discover),
            ("3566002020360505", CardBrand::Jcb),
            ("36227206271667", CardBrand::Diners),
            ("6200000000000005", CardBrand::Unionpay),
        ];
        for (number, brand) in cases {
            let pan = Pan::parse(number).unwrap_or_else(|e| panic!("{number}: {e}"));
            assert_eq!(pan.brand(), brand, "{number}");
        }
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        assert_eq!(Pan::parse("4242424242424241").unwrap_err().code, "incorrect_number");
        assert_eq!(Pan::parse("42424242").unwrap_err().code, "invalid_number");
        assert_eq!(Pan::parse("4242abcd42424242").unwrap_err().code, "invalid_number");
        assert_eq!(Pan::parse("9999999999999995").unwrap_err().code, "card_not_supported");
    }

    #[test]
    fn debug_never_shows_the_number() {
        let shown = format!("{:?}", Pan::parse("4242424242424242").unwrap());
        assert!(!shown.contains("424242424242"), "{shown}");
        assert!(shown.contains("4242"));
    }

    #[test]
    fn expiry_rules() {
        assert!(Expiry::parse_month(13).is_err());
        assert_eq!(Expiry::parse_year(30).unwrap(), 2030);
        assert!(Expiry::new(1, 2026, (2026, 2)).is_err());
        assert!(Expiry::new(2, 2026, (2026, 2)).is_ok());
        assert!(check_cvc("1234", CardBrand::Amex).is_ok());
        assert!(check_cvc("123", CardBrand::Amex).is_err());
        assert!(check_cvc("12a", CardBrand::Visa).is_err());
    }
}
