//! The route table: every method and path the mock serves, `/v1/` (REFERENCE.md §4) and the
//! `/__mock/` control endpoints. `tests/mock/openapi.yaml` describes the same set.

use http::Method;

use crate::params::is_object_id;

/// What a request asks for, once its method and path are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the variants are named after the calls of REFERENCE.md §4 and README.md
pub enum Endpoint {
    CreatePaymentIntent,
    RetrievePaymentIntent,
    ConfirmPaymentIntent,
    CancelPaymentIntent,
    ListPaymentIntents,
    RetrieveCharge,
    CreateRefund,
    RetrieveRefund,
    ListRefunds,
    CreatePayout,
    RetrievePayout,
    CancelPayout,
    ListPayouts,
    RetrieveEvent,
    ListEvents,
    MockHealth,
    MockStats,
    MockGetFaults,
    MockSetFaults,
    MockAdvance,
    MockReset,
    MockListWebhooks,
    MockAddWebhook,
    MockDashboard,
    MockDashboardState,
    MockResendDelivery,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The templated path, `{name}` standing for one id segment (`[A-Za-z0-9_]{1,255}`).
    pub path: &'static str,
    /// What the route does.
    pub endpoint: Endpoint,
}

const fn r(method: &'static str, path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        method,
        path,
        endpoint,
    }
}

/// Every route, in the order of REFERENCE.md §4 then the control endpoints.
pub const ROUTES: &[Route] = &[
    r(
        "POST",
        "/v1/connect/payment_intents",
        Endpoint::CreatePaymentIntent,
    ),
    r(
        "GET",
        "/v1/connect/payment_intents/{id}",
        Endpoint::RetrievePaymentIntent,
    ),
    r(
        "POST",
        "/v1/connect/payment_intents/{id}/confirm",
        Endpoint::ConfirmPaymentIntent,
    ),
    r(
        "POST",
        "/v1/connect/payment_intents/{id}/cancel",
        Endpoint::CancelPaymentIntent,
    ),
    r(
        "GET",
        "/v1/connect/payment_intents",
        Endpoint::ListPaymentIntents,
    ),
    r("GET", "/v1/connect/charges/{id}", Endpoint::RetrieveCharge),
    r(
        "POST",
        "/v1/connect/charges/{charge}/refund",
        Endpoint::CreateRefund,
    ),
    r("GET", "/v1/connect/refunds/{id}", Endpoint::RetrieveRefund),
    r("GET", "/v1/connect/refunds", Endpoint::ListRefunds),
    r("POST", "/v1/treasury/payouts", Endpoint::CreatePayout),
    r("GET", "/v1/treasury/payouts/{id}", Endpoint::RetrievePayout),
    r(
        "POST",
        "/v1/treasury/payouts/{id}/cancel",
        Endpoint::CancelPayout,
    ),
    r("GET", "/v1/treasury/payouts", Endpoint::ListPayouts),
    r("GET", "/v1/events/{id}", Endpoint::RetrieveEvent),
    r("GET", "/v1/events", Endpoint::ListEvents),
    r("GET", "/__mock/health", Endpoint::MockHealth),
    r("GET", "/__mock/stats", Endpoint::MockStats),
    r("GET", "/__mock/faults", Endpoint::MockGetFaults),
    r("POST", "/__mock/faults", Endpoint::MockSetFaults),
    r("POST", "/__mock/advance", Endpoint::MockAdvance),
    r("POST", "/__mock/reset", Endpoint::MockReset),
    r("GET", "/__mock/webhooks", Endpoint::MockListWebhooks),
    r("POST", "/__mock/webhooks", Endpoint::MockAddWebhook),
    r("GET", "/__mock/dashboard", Endpoint::MockDashboard),
    r(
        "GET",
        "/__mock/dashboard/state",
        Endpoint::MockDashboardState,
    ),
    r(
        "POST",
        "/__mock/deliveries/{id}/resend",
        Endpoint::MockResendDelivery,
    ),
];

/// A matched request: the route's index in [`ROUTES`] and the id in its path, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched<'a> {
    /// Index of the route in [`ROUTES`].
    pub index: usize,
    /// The route.
    pub route: &'static Route,
    /// The path's `{id}` segment.
    pub id: Option<&'a str>,
}

/// Finds the route for `method` and `path` (without query). Id segments must be valid ids.
///
/// ```
/// use molam_mock::router::{route, Endpoint};
/// let m = route(&http::Method::POST, "/v1/connect/payment_intents/pi_1/confirm").unwrap();
/// assert_eq!((m.route.endpoint, m.id), (Endpoint::ConfirmPaymentIntent, Some("pi_1")));
/// assert!(route(&http::Method::GET, "/v1/connect/payment_intents/pi%2F1").is_none());
/// ```
pub fn route<'a>(method: &Method, path: &'a str) -> Option<Matched<'a>> {
    ROUTES.iter().enumerate().find_map(|(index, route)| {
        if route.method != method.as_str() {
            return None;
        }
        let id = match_template(route.path, path)?;
        Some(Matched { index, route, id })
    })
}

fn match_template<'a>(template: &str, path: &'a str) -> Option<Option<&'a str>> {
    let mut id = None;
    let mut want = template.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return Some(id),
            (Some(w), Some(h)) if w.starts_with('{') => {
                if !is_object_id(h) {
                    return None;
                }
                id = Some(h);
            }
            (Some(w), Some(h)) if w == h => {}
            _ => return None,
        }
    }
}

/// Whether the path is a `/v1/` API path (faults and auth apply) rather than a control path.
pub(crate) fn is_api_path(path: &str) -> bool {
    path.starts_with("/v1/")
}
