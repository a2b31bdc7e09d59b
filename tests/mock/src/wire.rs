//! The HTTP side of the API as a server sees it: error bodies (REFERENCE.md §2), JSON replies,
//! query strings. Nothing here knows about payments.

use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

/// A reply an endpoint produced, before the common headers are added.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    /// `Retry-After` seconds, for 429 and 503.
    pub(crate) retry_after: Option<u64>,
}

impl Reply {
    /// 200 with `value` as JSON.
    pub(crate) fn ok<T: Serialize>(value: &T) -> Reply {
        Reply::json(StatusCode::OK, value)
    }

    pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                status,
                body,
                retry_after: None,
            },
            // Our own types always serialize; answer 500 rather than panic if one ever fails.
            Err(e) => ApiError::internal(format!("could not encode the response: {e}")).reply(),
        }
    }
}

/// An error answer of REFERENCE.md §2, and whether the request counts as executed (and so is
/// stored under its idempotency key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) kind: &'static str,
    pub(crate) code: Option<&'static str>,
    pub(crate) message: String,
    pub(crate) param: Option<String>,
    pub(crate) decline_code: Option<&'static str>,
    pub(crate) retry_after: Option<u64>,
    /// True when the endpoint ran (a decline, a wrong state, a missing object): the answer is
    /// final and is replayed. False for parameter validation, which Stripe does not store.
    pub(crate) executed: bool,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorObject<'a>,
}

/// The inner object of an error body, also used as a payment intent's `last_payment_error`.
#[derive(Serialize)]
pub(crate) struct ErrorObject<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<&'a str>,
    pub(crate) message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) param: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) decline_code: Option<&'a str>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            code: None,
            message: message.into(),
            param: None,
            decline_code: None,
            retry_after: None,
            executed: true,
        }
    }

    /// 400 `parameter_invalid` on `param` (not stored: validation happens before execution).
    pub(crate) fn invalid(param: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: Some("parameter_invalid"),
            param: Some(param.to_owned()),
            executed: false,
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// 400 `parameter_invalid` about the request as a whole (body, headers).
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        ApiError {
            code: Some("parameter_invalid"),
            executed: false,
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// 400 `parameter_missing` on `param`.
    pub(crate) fn missing(param: &str) -> Self {
        ApiError {
            code: Some("parameter_missing"),
            param: Some(param.to_owned()),
            executed: false,
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                format!("Missing required param: {param}."),
            )
        }
    }

    /// 400 with `code`: the request was valid but the object's state forbids it.
    pub(crate) fn state(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code: Some(code),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// 404 `resource_missing`.
    pub(crate) fn missing_object(kind: &str, id: &str) -> Self {
        ApiError {
            code: Some("resource_missing"),
            ..ApiError::new(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                format!("No such {kind}: '{id}'"),
            )
        }
    }

    /// 404 for a method and path the API does not have.
    pub(crate) fn unknown_route(method: &http::Method, path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("Unrecognized request URL ({method}: {path})."),
        )
    }

    /// 401 `authentication_error`.
    pub(crate) fn authentication(message: impl Into<String>) -> Self {
        ApiError {
            executed: false,
            ..ApiError::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
        }
    }

    /// 402 `payment_error` with `code` and `decline_code`.
    pub(crate) fn declined(code: &'static str, decline_code: &'static str, message: &str) -> Self {
        ApiError {
            code: Some(code),
            decline_code: Some(decline_code),
            ..ApiError::new(StatusCode::PAYMENT_REQUIRED, "payment_error", message)
        }
    }

    /// 403 `permission_error`.
    pub(crate) fn permission(message: impl Into<String>) -> Self {
        ApiError {
            executed: false,
            ..ApiError::new(StatusCode::FORBIDDEN, "permission_error", message)
        }
    }

    /// 409 `idempotency_key_in_use`.
    pub(crate) fn key_in_use(key: &str) -> Self {
        ApiError {
            code: Some("idempotency_key_in_use"),
            executed: false,
            ..ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_error",
                format!(
                    "A request with idempotency key '{key}' is still being processed; retry later."
                ),
            )
        }
    }

    /// 422 `idempotency_key_reused`.
    pub(crate) fn key_reused(key: &str) -> Self {
        ApiError {
            code: Some("idempotency_key_reused"),
            executed: false,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_error",
                format!("Idempotency key '{key}' was already used with a different request."),
            )
        }
    }

    /// 429 `rate_limit_error` (an injected fault).
    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            executed: false,
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "Too many requests hit the API too quickly (injected fault).",
            )
        }
    }

    /// 500 or 503 `api_error` (an injected fault, or a bug of the mock).
    pub(crate) fn server(status: StatusCode, retry_after: Option<u64>, message: &str) -> Self {
        ApiError {
            retry_after,
            executed: false,
            ..ApiError::new(status, "api_error", message)
        }
    }

    pub(crate) fn internal(message: String) -> Self {
        ApiError::server(StatusCode::INTERNAL_SERVER_ERROR, None, &message)
    }

    pub(crate) fn object(&self) -> ErrorObject<'_> {
        ErrorObject {
            kind: self.kind,
            code: self.code,
            message: &self.message,
            param: self.param.as_deref(),
            decline_code: self.decline_code,
        }
    }

    pub(crate) fn reply(&self) -> Reply {
        let body = serde_json::to_vec(&ErrorBody {
            error: self.object(),
        })
        .unwrap_or_else(|_| br#"{"error":{"type":"api_error","message":"internal"}}"#.to_vec());
        Reply {
            status: self.status,
            body,
            retry_after: self.retry_after,
        }
    }
}

/// Builds the HTTP response: JSON content type, `X-Request-Id`, and the optional headers.
pub(crate) fn response(reply: Reply, request_id: &str, replayed: bool) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(reply.body);
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", v);
    }
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Splits a query string into decoded `(name, value)` pairs; `None` when an escape is bad.
pub(crate) fn parse_query(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_are_percent_decoded() {
        let q = parse_query("limit=3&type=payment_intent.%2A&x=a+b").unwrap();
        assert_eq!(
            q,
            vec![
                ("limit".into(), "3".into()),
                ("type".into(), "payment_intent.*".into()),
                ("x".into(), "a b".into())
            ]
        );
    }

    #[test]
    fn bad_escapes_are_refused() {
        assert_eq!(parse_query("a=%zz"), None);
        assert_eq!(parse_query("a=%2"), None);
        assert_eq!(parse_query("a=%ff"), None);
    }

    #[test]
    fn error_body_has_the_shape_of_api_md() {
        let reply = ApiError::invalid("amount", "bad").reply();
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            String::from_utf8(reply.body).unwrap(),
            r#"{"error":{"type":"invalid_request_error","code":"parameter_invalid","message":"bad","param":"amount"}}"#
        );
    }
}
