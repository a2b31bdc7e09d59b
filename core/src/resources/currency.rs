//! ISO 4217 currency codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ParamError;

/// The active ISO 4217 codes that have a minor unit, each with its number of decimal places
/// (ISO 4217 list one; funds, precious metals and testing codes, whose minor unit is "N.A.",
/// cannot price a payment and are left out). Sorted, for a binary search.
#[rustfmt::skip]
const ISO_4217: [([u8; 3], u8); 169] = [
    (*b"AED", 2), (*b"AFN", 2), (*b"ALL", 2), (*b"AMD", 2), (*b"ANG", 2), (*b"AOA", 2),
    (*b"ARS", 2), (*b"AUD", 2), (*b"AWG", 2), (*b"AZN", 2), (*b"BAM", 2), (*b"BBD", 2),
    (*b"BDT", 2), (*b"BGN", 2), (*b"BHD", 3), (*b"BIF", 0), (*b"BMD", 2), (*b"BND", 2),
    (*b"BOB", 2), (*b"BOV", 2), (*b"BRL", 2), (*b"BSD", 2), (*b"BTN", 2), (*b"BWP", 2),
    (*b"BYN", 2), (*b"BZD", 2), (*b"CAD", 2), (*b"CDF", 2), (*b"CHE", 2), (*b"CHF", 2),
    (*b"CHW", 2), (*b"CLF", 4), (*b"CLP", 0), (*b"CNY", 2), (*b"COP", 2), (*b"COU", 2),
    (*b"CRC", 2), (*b"CUC", 2), (*b"CUP", 2), (*b"CVE", 2), (*b"CZK", 2), (*b"DJF", 0),
    (*b"DKK", 2), (*b"DOP", 2), (*b"DZD", 2), (*b"EGP", 2), (*b"ERN", 2), (*b"ETB", 2),
    (*b"EUR", 2), (*b"FJD", 2), (*b"FKP", 2), (*b"GBP", 2), (*b"GEL", 2), (*b"GHS", 2),
    (*b"GIP", 2), (*b"GMD", 2), (*b"GNF", 0), (*b"GTQ", 2), (*b"GYD", 2), (*b"HKD", 2),
    (*b"HNL", 2), (*b"HTG", 2), (*b"HUF", 2), (*b"IDR", 2), (*b"ILS", 2), (*b"INR", 2),
    (*b"IQD", 3), (*b"IRR", 2), (*b"ISK", 0), (*b"JMD", 2), (*b"JOD", 3), (*b"JPY", 0),
    (*b"KES", 2), (*b"KGS", 2), (*b"KHR", 2), (*b"KMF", 0), (*b"KPW", 2), (*b"KRW", 0),
    (*b"KWD", 3), (*b"KYD", 2), (*b"KZT", 2), (*b"LAK", 2), (*b"LBP", 2), (*b"LKR", 2),
    (*b"LRD", 2), (*b"LSL", 2), (*b"LYD", 3), (*b"MAD", 2), (*b"MDL", 2), (*b"MGA", 2),
    (*b"MKD", 2), (*b"MMK", 2), (*b"MNT", 2), (*b"MOP", 2), (*b"MRU", 2), (*b"MUR", 2),
    (*b"MVR", 2), (*b"MWK", 2), (*b"MXN", 2), (*b"MXV", 2), (*b"MYR", 2), (*b"MZN", 2),
    (*b"NAD", 2), (*b"NGN", 2), (*b"NIO", 2), (*b"NOK", 2), (*b"NPR", 2), (*b"NZD", 2),
    (*b"OMR", 3), (*b"PAB", 2), (*b"PEN", 2), (*b"PGK", 2), (*b"PHP", 2), (*b"PKR", 2),
    (*b"PLN", 2), (*b"PYG", 0), (*b"QAR", 2), (*b"RON", 2), (*b"RSD", 2), (*b"RUB", 2),
    (*b"RWF", 0), (*b"SAR", 2), (*b"SBD", 2), (*b"SCR", 2), (*b"SDG", 2), (*b"SEK", 2),
    (*b"SGD", 2), (*b"SHP", 2), (*b"SLE", 2), (*b"SLL", 2), (*b"SOS", 2), (*b"SRD", 2),
    (*b"SSP", 2), (*b"STN", 2), (*b"SVC", 2), (*b"SYP", 2), (*b"SZL", 2), (*b"THB", 2),
    (*b"TJS", 2), (*b"TMT", 2), (*b"TND", 3), (*b"TOP", 2), (*b"TRY", 2), (*b"TTD", 2),
    (*b"TWD", 2), (*b"TZS", 2), (*b"UAH", 2), (*b"UGX", 0), (*b"USD", 2), (*b"USN", 2),
    (*b"UYI", 0), (*b"UYU", 2), (*b"UYW", 4), (*b"UZS", 2), (*b"VED", 2), (*b"VES", 2),
    (*b"VND", 0), (*b"VUV", 0), (*b"WST", 2), (*b"XAF", 0), (*b"XCD", 2), (*b"XCG", 2),
    (*b"XOF", 0), (*b"XPF", 0), (*b"YER", 2), (*b"ZAR", 2), (*b"ZMW", 2), (*b"ZWG", 2),
    (*b"ZWL", 2),
];

/// A currency: an ISO 4217 code, accepted in any case, kept and sent in upper case.
///
/// [`Currency::new`] (and `parse`) accept only the codes of ISO 4217, so that the SDK, the
/// `molam` CLI and the mock refuse `XYZ` alike, before anything is sent. A currency read
/// from a response is kept whatever its three letters: a code ISO adds later must not make
/// a response undecodable.
///
/// ```
/// use molam_core::resources::Currency;
/// let xof: Currency = "xof".parse()?;
/// assert_eq!(xof, Currency::XOF);
/// assert_eq!(xof.as_str(), "XOF");
/// assert_eq!(xof.minor_unit_exponent(), 0);
/// assert_eq!(Currency::USD.minor_unit_exponent(), 2);
/// assert!(Currency::new("CFA franc").is_err());
/// assert_eq!(
///     Currency::new("XYZ").unwrap_err().to_string(),
///     "currency: XYZ is not an ISO 4217 currency code (e.g. XOF, XAF, USD, EUR)",
/// );
/// # Ok::<(), molam_core::ParamError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// West African CFA franc (no minor unit).
    pub const XOF: Currency = Currency(*b"XOF");
    /// Central African CFA franc (no minor unit).
    pub const XAF: Currency = Currency(*b"XAF");
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Pound sterling.
    pub const GBP: Currency = Currency(*b"GBP");
    /// Nigerian naira.
    pub const NGN: Currency = Currency(*b"NGN");
    /// Ghanaian cedi.
    pub const GHS: Currency = Currency(*b"GHS");
    /// Kenyan shilling.
    pub const KES: Currency = Currency(*b"KES");

    /// Validates a code against ISO 4217; errors name the `currency` field.
    pub fn new(code: &str) -> Result<Self, ParamError> {
        let letters = Currency::letters(code)
            .ok_or_else(|| ParamError::new("currency", "must be a three-letter ISO 4217 code"))?;
        if Currency::exponent_of(&letters).is_none() {
            let shown = String::from_utf8_lossy(&letters).into_owned();
            return Err(ParamError::new(
                "currency",
                format!("{shown} is not an ISO 4217 currency code (e.g. XOF, XAF, USD, EUR)"),
            ));
        }
        Ok(Currency(letters))
    }

    /// Whether `code` (any case) is an ISO 4217 currency with a minor unit.
    ///
    /// ```
    /// use molam_core::resources::Currency;
    /// assert!(Currency::is_iso_4217("xof"));
    /// assert!(!Currency::is_iso_4217("XYZ"));
    /// ```
    pub fn is_iso_4217(code: &str) -> bool {
        Currency::letters(code).is_some_and(|l| Currency::exponent_of(&l).is_some())
    }

    /// Three ASCII letters, upper-cased.
    fn letters(code: &str) -> Option<[u8; 3]> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => Some([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ]),
            _ => None,
        }
    }

    fn exponent_of(letters: &[u8; 3]) -> Option<u32> {
        ISO_4217
            .binary_search_by(|(code, _)| code.cmp(letters))
            .ok()
            .and_then(|i| ISO_4217.get(i))
            .map(|(_, exponent)| u32::from(*exponent))
    }

    /// The upper-case code, as sent on the wire.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a Currency holds three ASCII letters")
    }

    /// How many decimal places the minor unit has: amounts are integers in the minor unit,
    /// so 2500 XOF is 2500 francs (exponent 0) and 2500 USD is 25.00 dollars (exponent 2).
    ///
    /// From ISO 4217; a code read from a response that this table does not know counts as 2.
    pub fn minor_unit_exponent(&self) -> u32 {
        Currency::exponent_of(&self.0).unwrap_or(2)
    }

    /// Reads an amount written by a person into the minor unit: `"2500"` is 2500 (already in
    /// the minor unit), `"25.00"` and `"25.5"` in USD are 2500 and 2550. A currency without
    /// a minor unit (XOF, XAF, JPY) refuses a decimal point; no currency takes more decimal
    /// places than it has. The error names `field` and says what to write instead. The range
    /// (more than 0, at most [`crate::params::MAX_AMOUNT`]) is checked when the parameters are.
    ///
    /// ```
    /// use molam_core::resources::Currency;
    /// assert_eq!(Currency::USD.parse_amount("amount", "25.00"), Ok(2500));
    /// assert_eq!(Currency::USD.parse_amount("amount", "2500"), Ok(2500));
    /// assert_eq!(Currency::XOF.parse_amount("amount", "2500"), Ok(2500));
    /// assert_eq!(
    ///     Currency::XOF.parse_amount("amount", "25.00").unwrap_err().to_string(),
    ///     "amount: XOF has no minor unit, so amounts are whole numbers (2500 XOF is 2500)",
    /// );
    /// assert_eq!(
    ///     Currency::USD.parse_amount("amount", "-5").unwrap_err().to_string(),
    ///     "amount: must be more than 0, not -5",
    /// );
    /// ```
    pub fn parse_amount(&self, field: &str, text: &str) -> Result<i64, ParamError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(ParamError::new(
                field,
                format!("must be more than 0, not {text}"),
            ));
        }
        let exponent = self.minor_unit_exponent();
        let (whole, fraction) = match text.split_once('.') {
            None => (text, None),
            Some(_) if exponent == 0 => {
                return Err(ParamError::new(
                    field,
                    format!(
                        "{self} has no minor unit, so amounts are whole numbers (2500 {self} is 2500)"
                    ),
                ));
            }
            Some((whole, fraction)) => (whole, Some(fraction)),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let fraction_ok = fraction.is_none_or(|f| digits(f) && f.len() <= exponent as usize);
        if !digits(whole) || !fraction_ok {
            let example = match exponent {
                0 => format!("2500 for 2500 {self}"),
                _ => format!(
                    "25.{} or {} for 25 {self}",
                    "0".repeat(exponent as usize),
                    25 * 10_i64.pow(exponent)
                ),
            };
            return Err(ParamError::new(
                field,
                format!(
                    "{text:?} is not an amount in {self}, which has {exponent} decimal place(s): write {example}"
                ),
            ));
        }
        let too_large = || {
            ParamError::new(
                field,
                format!("must be at most {}", crate::params::MAX_AMOUNT),
            )
        };
        let scale = 10_i64.pow(exponent);
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        let minor = match fraction {
            // A whole number is already in the minor unit, as on the wire.
            None => return Ok(whole),
            Some(f) => {
                let padded = format!("{f:0<width$}", width = exponent as usize);
                padded.parse::<i64>().map_err(|_| too_large())?
            }
        };
        whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(minor))
            .ok_or_else(too_large)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = ParamError;

    fn from_str(code: &str) -> Result<Self, ParamError> {
        Currency::new(code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Lenient on purpose (see the type's documentation): any three letters.
        let code = String::deserialize(deserializer)?;
        Currency::letters(&code)
            .map(Currency)
            .ok_or_else(|| serde::de::Error::custom("currency must be three ASCII letters"))
    }
}
