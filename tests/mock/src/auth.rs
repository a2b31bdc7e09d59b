//! Bearer authentication as the mock understands it: any well-formed key is accepted and
//! owns its own data, and each connected account it names has its own too (REFERENCE.md §6);
//! `…_restricted_…` keys may not move money out (payouts).

use http::header::AUTHORIZATION;
use http::HeaderMap;

use crate::wire::ApiError;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The API key: it names the account whose objects the request sees.
    pub(crate) key: String,
    /// `sk_live_…` keys get `livemode: true` objects.
    pub(crate) livemode: bool,
    /// `sk_test_restricted_…` / `sk_live_restricted_…`: no payouts.
    pub(crate) restricted: bool,
    /// The connected account of `Molam-Account` (REFERENCE.md §6), if the platform named one.
    pub(crate) account: Option<String>,
}

impl Caller {
    /// The state this caller sees: its key's own, or that of the connected account it named.
    pub(crate) fn scope(&self) -> String {
        crate::platform::scope(&self.key, self.account.as_deref())
    }
}

/// Reads `Authorization: Bearer <key>`. Keys are `sk_test_…` or `sk_live_…` followed by
/// 1–247 of `[A-Za-z0-9_]`, or `jwt_…` followed by 1–4096 of `[A-Za-z0-9_.-]`.
pub(crate) fn authenticate(headers: &HeaderMap) -> Result<Caller, ApiError> {
    let value = headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::authentication(
            "You did not provide an API key. Send it as 'Authorization: Bearer sk_test_…'.",
        )
    })?;
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::authentication("The Authorization header must be 'Bearer <api key>'.")
        })?;
    let well_formed = if let Some(rest) = key
        .strip_prefix("sk_test_")
        .or_else(|| key.strip_prefix("sk_live_"))
    {
        (1..=247).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    } else if let Some(rest) = key.strip_prefix("jwt_") {
        (1..=4096).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    } else {
        false
    };
    if !well_formed {
        return Err(ApiError::authentication(
            "Invalid API key provided: expected sk_test_…, sk_live_… or jwt_….",
        ));
    }
    Ok(Caller {
        account: crate::platform::connected_account(headers)?,
        livemode: key.starts_with("sk_live_"),
        restricted: key.starts_with("sk_test_restricted_")
            || key.starts_with("sk_live_restricted_"),
        key: key.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn well_formed_keys_are_accepted_with_their_mode() {
        let c = authenticate(&with("Bearer sk_test_abc")).unwrap();
        assert_eq!((c.livemode, c.restricted), (false, false));
        assert!(authenticate(&with("Bearer sk_live_abc")).unwrap().livemode);
        assert!(
            authenticate(&with("Bearer sk_test_restricted_1"))
                .unwrap()
                .restricted
        );
        assert!(authenticate(&with("Bearer jwt_eyJ.abc-d_e")).is_ok());
    }

    #[test]
    fn missing_and_malformed_keys_are_401() {
        for h in [
            HeaderMap::new(),
            with("Bearer pk_test_abc"),
            with("Bearer sk_test_"),
            with("sk_test_abc"),
            with("Bearer sk_test_a-b"),
        ] {
            assert_eq!(
                authenticate(&h).unwrap_err().status,
                http::StatusCode::UNAUTHORIZED
            );
        }
    }
}
