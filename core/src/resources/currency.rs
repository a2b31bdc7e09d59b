//! ISO 4217 currency codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ParamError;

/// A currency: three ASCII letters, accepted in any case, kept and sent in upper case.
///
/// ```
/// use molam_core::resources::Currency;
/// let xof: Currency = "xof".parse()?;
/// assert_eq!(xof, Currency::XOF);
/// assert_eq!(xof.as_str(), "XOF");
/// assert_eq!(xof.minor_unit_exponent(), 0);
/// assert_eq!(Currency::USD.minor_unit_exponent(), 2);
/// assert!(Currency::new("CFA franc").is_err());
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

    /// Validates a code; errors name the `currency` field.
    pub fn new(code: &str) -> Result<Self, ParamError> {
        match code.as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_alphabetic) => Ok(Currency([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(ParamError::new(
                "currency",
                "must be a three-letter ISO 4217 code",
            )),
        }
    }

    /// The upper-case code, as sent on the wire.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a Currency holds three ASCII letters")
    }

    /// How many decimal places the minor unit has: amounts are integers in the minor unit,
    /// so 2500 XOF is 2500 francs (exponent 0) and 2500 USD is 25.00 dollars (exponent 2).
    ///
    /// From ISO 4217; codes not listed here (most of them, all with cents) count as 2.
    pub fn minor_unit_exponent(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            "CLF" | "UYW" => 4,
            _ => 2,
        }
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
        let code = String::deserialize(deserializer)?;
        Currency::new(&code).map_err(serde::de::Error::custom)
    }
}
