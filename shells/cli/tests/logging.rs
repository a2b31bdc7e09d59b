//! `RUST_LOG` turns on the binaries' logs: the SDK's spans on stderr, stdout unchanged, and
//! never the API key (issue 12).

use std::process::{Command, Output};

use molam_mock::{MockConfig, MockServer};

const KEY: &str = "sk_test_logging_0123456789";

fn list_payment_intents(server: &MockServer, rust_log: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_molam"));
    command.env_remove("RUST_LOG");
    if let Some(spec) = rust_log {
        command.env("RUST_LOG", spec);
    }
    command
        .args(["payment-intents", "list", "--api-key", KEY])
        .args(["--api-base", server.base_url(), "--allow-insecure-http"])
        .output()
        .expect("run molam")
}

#[test]
fn rust_log_prints_the_call_and_attempt_spans_to_stderr_without_the_key() {
    let server = MockServer::start(MockConfig::default()).expect("start the mock");
    let quiet = list_payment_intents(&server, None);
    let logged = list_payment_intents(&server, Some("molam=debug"));
    assert_eq!(
        (quiet.status.code(), logged.status.code()),
        (Some(0), Some(0))
    );
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    assert_eq!(logged.stdout, quiet.stdout, "logs go to stderr only");

    let stderr = String::from_utf8_lossy(&logged.stderr);
    let call = stderr
        .lines()
        .find(|l| l.contains(" INFO molam.call{"))
        .unwrap_or_else(|| panic!("no molam.call span in:\n{stderr}"));
    assert!(
        call.contains(
            "molam.call{http.request.method=GET url.path=\"/v1/connect/payment_intents\" \
             http.response.status_code=200"
        ),
        "{call}"
    );
    assert!(
        stderr.contains("DEBUG molam.call{") && stderr.contains("molam.attempt{molam.attempt=1"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(KEY) && !stderr.contains("logging_0123"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_rust_log_is_reported_and_the_command_still_runs() {
    let server = MockServer::start(MockConfig::default()).expect("start the mock");
    let output = list_payment_intents(&server, Some("molam=loud"));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "molam: ignoring RUST_LOG: \"molam=loud\" is not a list of target=level \
         (levels: error, warn, info, debug, trace, off)\n"
    );
}
