//! Currencies as uppercase ISO 4217 codes.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// An uppercase ISO 4217 currency code, e.g. `USD`. The server checks it against the ISO
/// table and knows each currency's minor unit; amounts are always integers in that unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "USD"))]
#[serde(transparent)]
pub struct Currency(Cow<'static, str>);

macro_rules! currencies {
    ($($code:ident),+) => {
        impl Currency {
            $(
                #[doc = concat!("`", stringify!($code), "`")]
                pub const $code: Currency = Currency(Cow::Borrowed(stringify!($code)));
            )+
        }
    };
}

currencies!(USD, EUR, GBP, JPY, NOK, SEK, DKK, CHF, SAR, AED, KWD, BHD, CAD, AUD, NZD, SGD, HKD, INR, BRL, MXN, PLN);

impl Currency {
    /// Any code; the server decides whether it is supported.
    pub fn new(code: impl Into<String>) -> Currency {
        Currency(Cow::Owned(code.into()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
