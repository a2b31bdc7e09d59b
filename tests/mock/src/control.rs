//! The `/__mock/*` control endpoints: no authentication, no faults, JSON in and out.
//!
//! | call | does |
//! |---|---|
//! | `GET /__mock/health` | `{"status":"ok"}` |
//! | `GET /__mock/stats` | counters: requests per route, objects created, replays, faults, webhooks |
//! | `GET /__mock/faults` | the fault configuration in force |
//! | `POST /__mock/faults` | replaces it (body: [`crate::FaultConfig`] as JSON) |
//! | `POST /__mock/advance` | `{"seconds": n}` moves the clock n seconds; `{}` jumps through every pending timer |
//! | `POST /__mock/reset` | forgets every object, key, event, counter and delivery; faults back to the start |
//! | `GET /__mock/webhooks` | endpoints, pending deliveries, the last attempts |
//! | `POST /__mock/webhooks` | `{"url": "http://…"}` registers an endpoint |
//! | `GET /__mock/dashboard` | the dashboard, an HTML page (see `dashboard.rs`) |
//! | `GET /__mock/dashboard/state` | what the dashboard shows, as JSON (no secret in it) |
//! | `POST /__mock/deliveries/{id}/resend` | sends a webhook delivery again, as one more attempt |

use serde::Deserialize;
use serde_json::json;

use crate::clock::MockTime;
use crate::config::{FaultConfig, MockConfig};
use crate::faults::Faults;
use crate::router::Endpoint;
use crate::shared::Shared;
use crate::wire::{ApiError, Reply};

/// The most `/__mock/advance` moves the clock in one call (ten years).
const MAX_ADVANCE_SECONDS: i64 = 10 * 366 * 86_400;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEndpoint {
    url: String,
}

fn json_body<'a, T: Deserialize<'a>>(raw: &'a [u8]) -> Result<T, ApiError> {
    let raw: &[u8] = if raw.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        raw
    };
    serde_json::from_slice(raw)
        .map_err(|e| ApiError::invalid_request(format!("Invalid control request: {e}.")))
}

pub(crate) fn handle(
    shared: &mut Shared,
    config: &MockConfig,
    endpoint: Endpoint,
    id: Option<&str>,
    raw: &[u8],
    now: MockTime,
) -> Reply {
    let dashboard = match endpoint {
        Endpoint::MockDashboard => Some(Ok(crate::dashboard::page())),
        Endpoint::MockDashboardState => Some(Ok(crate::dashboard::state(shared, now))),
        Endpoint::MockResendDelivery => Some(crate::dashboard::resend(shared, id, now)),
        _ => None,
    };
    if let Some(result) = dashboard {
        return result.unwrap_or_else(|e| e.reply());
    }
    match run(shared, config, endpoint, raw, now) {
        Ok(reply) => reply,
        Err(e) => e.reply(),
    }
}

fn run(
    shared: &mut Shared,
    config: &MockConfig,
    endpoint: Endpoint,
    raw: &[u8],
    now: MockTime,
) -> Result<Reply, ApiError> {
    Ok(match endpoint {
        Endpoint::MockHealth => Reply::ok(&json!({"status": "ok"})),
        Endpoint::MockStats => Reply::ok(&shared.stats.to_json()),
        Endpoint::MockGetFaults => Reply::ok(&shared.faults.config()),
        Endpoint::MockSetFaults => {
            let faults: FaultConfig = json_body(raw)?;
            faults.validate().map_err(ApiError::invalid_request)?;
            shared.faults = Faults::new(faults, config.seed);
            Reply::ok(&shared.faults.config())
        }
        Endpoint::MockAdvance => {
            let advance: Advance = json_body(raw)?;
            let mut now = now;
            match advance.seconds {
                Some(s) if !(0..=MAX_ADVANCE_SECONDS).contains(&s) => {
                    return Err(ApiError::invalid(
                        "seconds",
                        format!("seconds must be from 0 to {MAX_ADVANCE_SECONDS}."),
                    ));
                }
                Some(s) => {
                    shared.clock_offset_ms += s * 1000;
                    now = MockTime::from_unix_ms(now.unix_ms() + s * 1000);
                    shared.tick(now);
                }
                None => {
                    // Jump from one wake-up to the next until nothing is pending; each timer
                    // chain (pending → in_transit → paid) is finite, so this ends.
                    while let Some(due) = shared.world.timers.next_due() {
                        if due > now.unix_ms() {
                            shared.clock_offset_ms += due - now.unix_ms();
                            now = MockTime::from_unix_ms(due);
                        }
                        shared.tick(now);
                    }
                }
            }
            Reply::ok(&json!({
                "now": now.unix_seconds(),
                "offset_seconds": shared.clock_offset_ms / 1000,
                "pending_timers": shared.world.timers.len(),
            }))
        }
        Endpoint::MockReset => {
            let endpoints = shared.webhooks.endpoints.clone();
            *shared = Shared::new(config);
            for url in endpoints {
                shared.webhooks.add_endpoint(url);
            }
            Reply::ok(&json!({"reset": true}))
        }
        Endpoint::MockListWebhooks => Reply::ok(&json!({
            "endpoints": shared.webhooks.endpoints,
            "pending": shared.webhooks.pending(),
            "attempts": shared.webhooks.log().collect::<Vec<_>>(),
        })),
        Endpoint::MockAddWebhook => {
            let new: NewEndpoint = json_body(raw)?;
            if !(new.url.starts_with("http://") || new.url.starts_with("https://"))
                || new.url.parse::<http::Uri>().is_err()
            {
                return Err(ApiError::invalid(
                    "url",
                    "url must be an absolute http(s) URL.",
                ));
            }
            shared.webhooks.add_endpoint(new.url);
            Reply::ok(&json!({"endpoints": shared.webhooks.endpoints}))
        }
        _ => {
            return Err(ApiError::internal(
                "an API endpoint reached the control dispatcher".to_owned(),
            ))
        }
    })
}
