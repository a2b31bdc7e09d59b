//! Reading request parameters as a server does: a JSON object body and list query strings,
//! each field checked, every failure a 400 that names the parameter.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::wire::{parse_query, ApiError};

/// The largest amount accepted, in minor units (REFERENCE.md §3): the SDK's own bound, so that
/// the SDK never sends what the mock refuses, nor refuses what it accepts.
pub(crate) const MAX_AMOUNT: i64 = molam_core::params::MAX_AMOUNT;

/// A POST body: a JSON object (an empty body counts as `{}`). JSON `null` fields count as absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Body {
    map: Map<String, Value>,
}

impl Body {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Body, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body { map }),
            Ok(_) => Err(ApiError::invalid_request(
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::invalid_request(format!(
                "The request body is not valid JSON: {e}."
            ))),
        }
    }

    /// Refuses any parameter outside `allowed` (a misspelt field is a client bug to surface).
    pub(crate) fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ApiError::invalid(
                k,
                format!("Received unknown parameter: {k}"),
            )),
            None => Ok(()),
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// A positive integer amount in minor units, at most [`MAX_AMOUNT`].
    pub(crate) fn amount(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let amount = v.as_i64().filter(|&a| a >= 1).ok_or_else(|| {
            ApiError::invalid(
                name,
                format!("Invalid {name}: must be a positive integer in the currency's minor unit."),
            )
        })?;
        if amount > MAX_AMOUNT {
            return Err(ApiError {
                code: Some("amount_too_large"),
                ..ApiError::invalid(name, format!("Amount must be no more than {MAX_AMOUNT}."))
            });
        }
        Ok(Some(amount))
    }

    pub(crate) fn required_amount(&self, name: &str) -> Result<i64, ApiError> {
        self.amount(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// An ISO 4217 code in any case, returned upper case. The list of codes is the core's
    /// (`molam_core::resources::Currency`), so the SDK and the mock refuse the same codes.
    pub(crate) fn currency(&self) -> Result<String, ApiError> {
        let v = self
            .get("currency")
            .ok_or_else(|| ApiError::missing("currency"))?;
        match v.as_str() {
            Some(c) if molam_core::resources::Currency::is_iso_4217(c) => {
                Ok(c.to_ascii_uppercase())
            }
            Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Err(ApiError::invalid(
                    "currency",
                    format!(
                        "Invalid currency: {} is not an ISO 4217 currency code.",
                        c.to_ascii_uppercase()
                    ),
                ))
            }
            _ => Err(ApiError::invalid(
                "currency",
                "Invalid currency: must be a three-letter ISO 4217 code.",
            )),
        }
    }

    /// A string of 1 to `max` characters.
    pub(crate) fn string(&self, name: &str, max: usize) -> Result<Option<String>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        match v.as_str() {
            Some(s) if !s.is_empty() && s.chars().count() <= max => Ok(Some(s.to_owned())),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("Invalid {name}: must be 1 to {max} characters."),
            )),
            None => Err(ApiError::invalid(
                name,
                format!("Invalid {name}: must be a string."),
            )),
        }
    }

    pub(crate) fn required_string(&self, name: &str, max: usize) -> Result<String, ApiError> {
        self.string(name, max)?
            .ok_or_else(|| ApiError::missing(name))
    }

    /// One of the `allowed` words.
    pub(crate) fn one_of(
        &self,
        name: &str,
        allowed: &[&'static str],
    ) -> Result<Option<&'static str>, ApiError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        v.as_str()
            .and_then(|s| allowed.iter().find(|a| **a == s).copied())
            .map(Some)
            .ok_or_else(|| {
                ApiError::invalid(
                    name,
                    format!("Invalid {name}: must be one of {}.", allowed.join(", ")),
                )
            })
    }

    /// `metadata`: at most 50 keys of at most 40 characters, string values of at most 500.
    pub(crate) fn metadata(&self) -> Result<BTreeMap<String, String>, ApiError> {
        let Some(v) = self.get("metadata") else {
            return Ok(BTreeMap::new());
        };
        let map = v
            .as_object()
            .ok_or_else(|| ApiError::invalid("metadata", "Invalid metadata: must be an object."))?;
        if map.len() > 50 {
            return Err(ApiError::invalid(
                "metadata",
                "Invalid metadata: at most 50 keys.",
            ));
        }
        let mut out = BTreeMap::new();
        for (k, v) in map {
            let param = format!("metadata[{k}]");
            if k.is_empty() || k.chars().count() > 40 {
                return Err(ApiError::invalid(
                    &param,
                    "Metadata keys must be 1 to 40 characters.",
                ));
            }
            match v {
                Value::Null => {}
                Value::String(s) if s.chars().count() <= 500 => {
                    out.insert(k.clone(), s.clone());
                }
                Value::String(_) => {
                    return Err(ApiError::invalid(
                        &param,
                        "Metadata values must be at most 500 characters.",
                    ))
                }
                _ => {
                    return Err(ApiError::invalid(
                        &param,
                        "Metadata values must be strings.",
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// The list parameters of REFERENCE.md §1 and one per-resource filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) limit: usize,
    pub(crate) starting_after: Option<String>,
    pub(crate) ending_before: Option<String>,
    pub(crate) created_gte: Option<i64>,
    pub(crate) created_lte: Option<i64>,
    pub(crate) filter: Option<String>,
}

impl ListQuery {
    /// Parses `query`; `filter` names the one resource filter allowed (`status`, `type`, …).
    pub(crate) fn parse(query: Option<&str>, filter: &str) -> Result<ListQuery, ApiError> {
        let pairs = parse_query(query.unwrap_or(""))
            .ok_or_else(|| ApiError::invalid_request("The query string has a bad % escape."))?;
        let mut q = ListQuery {
            limit: 10,
            starting_after: None,
            ending_before: None,
            created_gte: None,
            created_lte: None,
            filter: None,
        };
        for (name, value) in pairs {
            match name.as_str() {
                "limit" => {
                    q.limit = value
                        .parse::<usize>()
                        .ok()
                        .filter(|l| (1..=100).contains(l))
                        .ok_or_else(|| {
                            ApiError::invalid(
                                "limit",
                                "Invalid limit: must be an integer from 1 to 100.",
                            )
                        })?;
                }
                "starting_after" => q.starting_after = Some(object_id(&name, value)?),
                "ending_before" => q.ending_before = Some(object_id(&name, value)?),
                "created_gte" => q.created_gte = Some(unix_seconds(&name, &value)?),
                "created_lte" => q.created_lte = Some(unix_seconds(&name, &value)?),
                n if n == filter => {
                    if value.is_empty() {
                        return Err(ApiError::invalid(
                            n,
                            format!("Invalid {n}: must not be empty."),
                        ));
                    }
                    q.filter = Some(value);
                }
                _ => {
                    return Err(ApiError::invalid(
                        &name,
                        format!("Received unknown parameter: {name}"),
                    ))
                }
            }
        }
        if q.starting_after.is_some() && q.ending_before.is_some() {
            return Err(ApiError::invalid(
                "ending_before",
                "starting_after and ending_before cannot be used together.",
            ));
        }
        Ok(q)
    }
}

fn object_id(name: &str, value: String) -> Result<String, ApiError> {
    if is_object_id(&value) {
        Ok(value)
    } else {
        Err(ApiError::invalid(
            name,
            format!("Invalid {name}: must be an object id."),
        ))
    }
}

fn unix_seconds(name: &str, value: &str) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .map_err(|_| ApiError::invalid(name, format!("Invalid {name}: must be unix seconds.")))
}

/// `[A-Za-z0-9_]{1,255}`, the id alphabet of REFERENCE.md §4.
pub(crate) fn is_object_id(s: &str) -> bool {
    (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_integers_within_the_maximum() {
        let body = Body::parse(
            br#"{"a": 0, "b": 2.5, "c": "10", "d": 100000000000, "e": 2500, "g": 99999999999}"#,
        )
        .unwrap();
        assert_eq!(body.amount("a").unwrap_err().param.as_deref(), Some("a"));
        assert_eq!(
            body.amount("b").unwrap_err().code,
            Some("parameter_invalid")
        );
        assert_eq!(
            body.amount("c").unwrap_err().code,
            Some("parameter_invalid")
        );
        assert_eq!(body.amount("d").unwrap_err().code, Some("amount_too_large"));
        assert_eq!(body.amount("e").unwrap(), Some(2500));
        assert_eq!(body.amount("g").unwrap(), Some(99_999_999_999));
        assert_eq!(
            body.required_amount("f").unwrap_err().code,
            Some("parameter_missing")
        );
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_null_is_absent() {
        assert_eq!(Body::parse(b"").unwrap(), Body::default());
        let body = Body::parse(br#"{"description": null}"#).unwrap();
        assert_eq!(body.string("description", 10).unwrap(), None);
    }

    #[test]
    fn metadata_limits_name_the_offending_key() {
        let long = "x".repeat(501);
        let body =
            Body::parse(format!(r#"{{"metadata": {{"order": "{long}"}}}}"#).as_bytes()).unwrap();
        assert_eq!(
            body.metadata().unwrap_err().param.as_deref(),
            Some("metadata[order]")
        );
        let body = Body::parse(br#"{"metadata": {"n": 1}}"#).unwrap();
        assert_eq!(
            body.metadata().unwrap_err().param.as_deref(),
            Some("metadata[n]")
        );
    }

    #[test]
    fn list_query_defaults_and_bounds() {
        let q = ListQuery::parse(None, "status").unwrap();
        assert_eq!(q.limit, 10);
        assert_eq!(
            ListQuery::parse(Some("limit=0"), "status")
                .unwrap_err()
                .param
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            ListQuery::parse(Some("limit=101"), "status")
                .unwrap_err()
                .param
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            ListQuery::parse(Some("colour=red"), "status")
                .unwrap_err()
                .param
                .as_deref(),
            Some("colour")
        );
        let q =
            ListQuery::parse(Some("limit=100&status=succeeded&created_gte=5"), "status").unwrap();
        assert_eq!(
            (q.limit, q.filter.as_deref(), q.created_gte),
            (100, Some("succeeded"), Some(5))
        );
    }
}
