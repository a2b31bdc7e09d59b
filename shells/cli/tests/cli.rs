//! The `molam` binary, run as a user would, against the mock API started in this process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use molam_mock::{MockConfig, MockServer};
use serde_json::Value;

const KEY: &str = "sk_test_cli_0123456789";

/// The binary with a clean environment: no `MOLAM_*` or `DATABASE_URL` from the caller.
fn molam() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_molam"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("MOLAM_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command
}

/// `molam <args> --api-base <mock> --allow-insecure-http --api-key <KEY>`.
fn api(server: &MockServer, args: &[&str]) -> Output {
    molam()
        .args(args)
        .args(["--api-base", server.base_url(), "--allow-insecure-http"])
        .args(["--api-key", KEY])
        .output()
        .expect("run molam")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a JSON command that must succeed and returns its output.
fn api_json(server: &MockServer, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let output = api(server, &all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

fn mock() -> MockServer {
    MockServer::start(MockConfig::default()).expect("start the mock")
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
}

// ---- payment intents ----

#[test]
fn payment_intents_create_prints_a_table_with_the_request_id() {
    let server = mock();
    let output = api(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "2500",
            "--currency",
            "xof",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.lines()
            .any(|l| l.starts_with("id ") && l.contains("pi_")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("status") && l.ends_with("requires_payment_method")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("currency") && l.ends_with("XOF")),
        "{out}"
    );
    assert!(out.contains("request req_"), "{out}");
}

#[test]
fn payment_intents_create_retrieve_confirm_and_list() {
    let server = mock();
    let created = api_json(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "2500",
            "--currency",
            "XOF",
            "--description",
            "Order 1",
            "--metadata",
            "order=1",
        ],
    );
    assert_eq!(created["amount"], 2500);
    assert_eq!(created["metadata"]["order"], "1");
    let id = text(&created, "id");

    let retrieved = api_json(&server, &["payment-intents", "retrieve", id]);
    assert_eq!(text(&retrieved, "id"), id);
    assert_eq!(text(&retrieved, "description"), "Order 1");

    let confirmed = api_json(
        &server,
        &[
            "payment-intents",
            "confirm",
            id,
            "--payment-method",
            "pm_card_visa",
        ],
    );
    assert_eq!(text(&confirmed, "status"), "succeeded");
    assert!(text(&confirmed, "latest_charge").starts_with("ch_"));

    let listed = api_json(
        &server,
        &["payment-intents", "list", "--status", "succeeded"],
    );
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|pi| pi["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, [id]);
}

#[test]
fn payment_intents_cancel_cancels() {
    let server = mock();
    let created = api_json(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "900",
            "--currency",
            "XOF",
        ],
    );
    let canceled = api_json(
        &server,
        &[
            "payment-intents",
            "cancel",
            text(&created, "id"),
            "--reason",
            "requested_by_customer",
        ],
    );
    assert_eq!(text(&canceled, "status"), "canceled");
    assert_eq!(
        text(&canceled, "cancellation_reason"),
        "requested_by_customer"
    );
}

#[test]
fn the_same_idempotency_key_creates_once() {
    let server = mock();
    let args = [
        "payment-intents",
        "create",
        "--amount",
        "2500",
        "--currency",
        "XOF",
        "--idempotency-key",
        "order-77:create",
    ];
    let first = api_json(&server, &args);
    let second = api_json(&server, &args);
    assert_eq!(first["id"], second["id"]);
    let listed = api_json(&server, &["payment-intents", "list"]);
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));
}

/// Creates `n` XOF payment intents straight through the mock (no process per intent).
fn seed_intents(server: &MockServer, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let request = http::Request::post("/v1/connect/payment_intents")
                .header("authorization", format!("Bearer {KEY}"))
                .header("content-type", "application/json")
                .body(format!(r#"{{"amount": {}, "currency": "XOF"}}"#, 100 + i).into_bytes())
                .expect("request");
            let response = server.mock().handle(request, molam_mock::MockTime::now());
            let created: Value = serde_json::from_slice(response.body()).expect("JSON");
            text(&created, "id").to_owned()
        })
        .collect()
}

/// How many requests the mock saw for `route` (`"GET /v1/connect/payment_intents"`).
fn requests_for(server: &MockServer, route: &str) -> u64 {
    server.mock().stats()["requests"][route]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn list_all_follows_every_page_at_the_largest_page_size() {
    let server = mock();
    let mut ids = seed_intents(&server, 130);
    let one_page = api_json(&server, &["payment-intents", "list", "--limit", "7"]);
    assert_eq!(one_page["data"].as_array().map(Vec::len), Some(7));
    assert_eq!(one_page["has_more"], true);

    let before = requests_for(&server, "GET /v1/connect/payment_intents");
    let output = api(&server, &["payment-intents", "list", "--all", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // 130 objects at 100 a page: two requests, not the 13 of the API's default page.
    assert_eq!(
        requests_for(&server, "GET /v1/connect/payment_intents") - before,
        2
    );
    // JSON Lines: one object per line, as the API sent it.
    let mut listed: Vec<String> = stdout(&output)
        .lines()
        .map(|line| {
            let pi: Value = serde_json::from_str(line).expect("each line is one JSON object");
            pi["id"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);

    let table = api(&server, &["payment-intents", "list", "--limit", "3"]);
    let out = stdout(&table);
    assert!(out.starts_with("ID"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("pi_")).count(),
        3,
        "{out}"
    );
}

#[test]
fn list_all_draws_no_progress_when_stderr_is_not_a_terminal() {
    let server = mock();
    seed_intents(&server, 30);
    let output = api(
        &server,
        &["payment-intents", "list", "--all", "--limit", "7"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "",
        "no \\r progress lines into a pipe or file"
    );
}

#[test]
fn tables_show_times_as_utc_dates_and_json_keeps_unix_seconds() {
    let server = mock();
    seed_intents(&server, 1);
    let table = stdout(&api(&server, &["payment-intents", "list"]));
    let row = table.lines().nth(1).expect("a row");
    let date = row.split_whitespace().rev().take(3).collect::<Vec<_>>();
    assert_eq!(date[0], "UTC", "{table}");
    assert!(
        date[2].len() == 10 && date[2].starts_with("20") && date[1].len() == 8,
        "{table}"
    );
    let json = api_json(&server, &["payment-intents", "list"]);
    assert!(json["data"][0]["created"].is_i64(), "{json}");
}

// ---- refunds, payouts, events ----

/// A succeeded payment intent's id and charge.
fn paid_intent(server: &MockServer, amount: &str) -> (String, String) {
    let created = api_json(
        server,
        &[
            "payment-intents",
            "create",
            "--amount",
            amount,
            "--currency",
            "XOF",
            "--payment-method",
            "pm_card_visa",
        ],
    );
    let confirmed = api_json(
        server,
        &["payment-intents", "confirm", text(&created, "id")],
    );
    (
        text(&confirmed, "id").to_owned(),
        text(&confirmed, "latest_charge").to_owned(),
    )
}

#[test]
fn refunds_create_retrieve_and_list() {
    let server = mock();
    let (intent, charge) = paid_intent(&server, "2500");
    let refund = api_json(
        &server,
        &[
            "refunds",
            "create",
            "--charge",
            &charge,
            "--amount",
            "1000",
            "--reason",
            "requested_by_customer",
        ],
    );
    assert_eq!(refund["amount"], 1000);
    assert_eq!(text(&refund, "payment_intent"), intent);
    let id = text(&refund, "id");
    assert_eq!(
        text(&api_json(&server, &["refunds", "retrieve", id]), "id"),
        id
    );
    let listed = api_json(&server, &["refunds", "list", "--payment-intent", &intent]);
    assert_eq!(listed["data"][0]["id"], id);
}

#[test]
fn refunding_more_than_the_charge_is_an_api_error() {
    let server = mock();
    let (_, charge) = paid_intent(&server, "2500");
    let output = api(
        &server,
        &["refunds", "create", "--charge", &charge, "--amount", "9999"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("req_"), "{}", stderr(&output));
}

#[test]
fn payouts_create_retrieve_cancel_and_list() {
    let server = mock();
    let payout = api_json(
        &server,
        &[
            "payouts",
            "create",
            "--amount",
            "1500",
            "--currency",
            "XOF",
            "--method",
            "mobile_money",
            "--destination",
            "+221770000000",
        ],
    );
    assert_eq!(text(&payout, "status"), "pending");
    let id = text(&payout, "id");
    assert_eq!(
        text(&api_json(&server, &["payouts", "retrieve", id]), "method"),
        "mobile_money"
    );
    let canceled = api_json(&server, &["payouts", "cancel", id]);
    assert_eq!(text(&canceled, "status"), "canceled");
    let listed = api_json(&server, &["payouts", "list", "--status", "canceled"]);
    assert_eq!(listed["data"][0]["id"], id);
}

#[test]
fn events_list_and_retrieve() {
    let server = mock();
    let (intent, _) = paid_intent(&server, "700");
    let listed = api_json(
        &server,
        &["events", "list", "--type", "payment_intent.succeeded"],
    );
    let event = &listed["data"][0];
    assert_eq!(event["data"]["object"]["id"], intent.as_str());
    let id = text(event, "id");
    let retrieved = api_json(&server, &["events", "retrieve", id]);
    assert_eq!(text(&retrieved, "type"), "payment_intent.succeeded");

    let table = stdout(&api(&server, &["events", "list"]));
    assert!(table.starts_with("ID"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("payment_intent.succeeded") && l.contains(&intent)),
        "{table}"
    );
}

// ---- bad input: exit codes and messages ----

#[test]
fn a_missing_api_key_is_a_usage_error_that_names_the_variable() {
    let server = mock();
    let output = molam()
        .args([
            "payment-intents",
            "list",
            "--api-base",
            server.base_url(),
            "--allow-insecure-http",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("MOLAM_API_KEY"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_blank_api_key_variable_is_no_api_key() {
    let server = mock();
    let output = molam()
        .args(["payment-intents", "list"])
        .env("MOLAM_API_KEY", "   ")
        .env("MOLAM_API_BASE", server.base_url())
        .env("MOLAM_ALLOW_INSECURE_HTTP", "1")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "molam: no API key: pass --api-key or set MOLAM_API_KEY (sk_test_… for the mock)\n"
    );
    assert_eq!(server.mock().stats()["requests_total"], 0);
}

#[test]
fn an_out_of_range_variable_is_named_as_the_variable_to_change() {
    let server = mock();
    let output = molam()
        .args(["payment-intents", "list"])
        .args(["--api-base", server.base_url(), "--allow-insecure-http"])
        .args(["--api-key", KEY])
        .env("MOLAM_MAX_RETRIES", "50")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "molam: invalid configuration: invalid value for MOLAM_MAX_RETRIES: must be 0 to 10 \
         retries (1 to 11 attempts)\n"
    );
    assert_eq!(server.mock().stats()["requests_total"], 0);
}

#[test]
fn the_api_key_comes_from_the_environment_too() {
    let server = mock();
    let output = molam()
        .args(["payment-intents", "list", "--json"])
        .env("MOLAM_API_KEY", KEY)
        .env("MOLAM_API_BASE", server.base_url())
        .env("MOLAM_ALLOW_INSECURE_HTTP", "1")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn an_invalid_api_key_is_refused_without_being_printed() {
    let server = mock();
    let output = molam()
        .args([
            "payment-intents",
            "list",
            "--api-base",
            server.base_url(),
            "--allow-insecure-http",
        ])
        .args(["--api-key", "pk_live_supersecretvalue123"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        !stderr(&output).contains("supersecretvalue"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_decimal_amount_in_a_currency_without_minor_unit_is_refused() {
    let server = mock();
    let output = api(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "25.00",
            "--currency",
            "XOF",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "molam: invalid --amount: XOF has no minor unit, so amounts are whole numbers \
         (2500 XOF is 2500)\n"
    );
}

#[test]
fn a_decimal_amount_is_read_in_the_currency_minor_unit() {
    let server = mock();
    let intent = api_json(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "25.00",
            "--currency",
            "USD",
        ],
    );
    assert_eq!(
        (intent["amount"].as_i64(), text(&intent, "currency")),
        (Some(2500), "USD")
    );
    let payout = api_json(
        &server,
        &[
            "payouts",
            "create",
            "--amount",
            "10.5",
            "--currency",
            "usd",
            "--method",
            "bank_transfer",
            "--destination",
            "US0001",
        ],
    );
    assert_eq!(payout["amount"].as_i64(), Some(1050));
}

/// Why the core refuses a refund of `amount`, word for word.
fn core_refusal_of_refund_amount(amount: i64) -> String {
    let refused = molam_core::params::CreateRefund::new()
        .amount(amount)
        .validate()
        .expect_err("the core refuses this amount");
    assert_eq!(refused.field, "amount");
    refused.reason
}

#[test]
fn a_negative_amount_gets_a_clear_message_not_unexpected_argument() {
    let server = mock();
    let refused_by_the_core = format!(
        "molam: invalid --amount: {}\n",
        core_refusal_of_refund_amount(-5)
    );
    for (args, message) in [
        (
            &[
                "payment-intents",
                "create",
                "--amount",
                "-5",
                "--currency",
                "USD",
            ][..],
            "molam: invalid --amount: must be more than 0, not -5\n",
        ),
        (
            &["refunds", "create", "--charge", "ch_1", "--amount", "-5"][..],
            refused_by_the_core.as_str(),
        ),
    ] {
        let output = api(&server, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&output), message, "{args:?}");
    }
    assert_eq!(server.mock().stats()["requests_total"], 0);
}

#[test]
fn a_refund_amount_the_core_refuses_is_never_sent() {
    // Zero, negative, past the core's bound, and too long for any integer: each is refused
    // with the core's reason, under the flag's name, before a request is made.
    for (text, as_read) in [
        ("0", 0),
        ("-1", -1),
        ("100000000000", 100_000_000_000),
        ("99999999999999999999999", i64::MAX),
        ("-99999999999999999999999", i64::MIN),
    ] {
        let server = mock();
        let output = api(
            &server,
            &["refunds", "create", "--charge", "ch_1", "--amount", text],
        );
        assert_eq!(output.status.code(), Some(2), "{text}: {}", stderr(&output));
        assert_eq!(
            stderr(&output),
            format!(
                "molam: invalid --amount: {}\n",
                core_refusal_of_refund_amount(as_read)
            ),
            "{text}"
        );
        assert_eq!(server.mock().stats()["requests_total"], 0, "{text}");
    }
}

#[test]
fn a_refund_amount_that_is_not_a_whole_number_says_so() {
    let server = mock();
    let output = api(
        &server,
        &["refunds", "create", "--charge", "ch_1", "--amount", "25.00"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "molam: invalid --amount: \"25.00\" is not a whole number; a refund's amount is in the \
         charge's minor unit (2500 refunds 25.00 USD, or 2500 XOF)\n"
    );
    assert_eq!(server.mock().stats()["requests_total"], 0);
}

#[test]
fn a_mistyped_flag_gets_a_suggestion() {
    let output = molam()
        .args([
            "payment-intents",
            "create",
            "--ammount",
            "5",
            "--currency",
            "USD",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("tip: a similar argument exists: '--amount'"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_currency_outside_iso_4217_is_refused_before_any_request() {
    let server = mock();
    let output = api(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "2500",
            "--currency",
            "XYZ",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "molam: invalid --currency: XYZ is not an ISO 4217 currency code (e.g. XOF, XAF, USD, EUR)\n"
    );
    assert_eq!(server.mock().stats()["requests_total"], 0);
}

#[test]
fn a_zero_amount_is_refused_before_any_request() {
    let server = mock();
    let output = api(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "0",
            "--currency",
            "XOF",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let refused =
        molam_core::params::CreatePaymentIntent::new(0, molam_core::resources::Currency::XOF)
            .validate()
            .expect_err("the core refuses a zero amount");
    assert_eq!(
        stderr(&output),
        format!("molam: invalid --amount: {}\n", refused.reason)
    );
    assert_eq!(server.mock().stats()["requests_total"], 0);
    let listed = api_json(&server, &["payment-intents", "list"]);
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(0));
}

#[test]
fn an_unknown_id_is_an_api_error_with_its_request_id() {
    let server = mock();
    let output = api(&server, &["payment-intents", "retrieve", "pi_doesnotexist"]);
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        err.contains("pi_doesnotexist") || err.contains("resource_missing"),
        "{err}"
    );
    assert!(err.contains("req_"), "{err}");
}

#[test]
fn an_id_that_could_change_the_path_is_refused() {
    let server = mock();
    let output = api(&server, &["payouts", "retrieve", "../payment_intents"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_declined_card_is_an_api_error() {
    let server = mock();
    let created = api_json(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "500",
            "--currency",
            "XOF",
        ],
    );
    let output = api(
        &server,
        &[
            "payment-intents",
            "confirm",
            text(&created, "id"),
            "--payment-method",
            "pm_card_declined",
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("card_declined") || stderr(&output).contains("declined"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreachable_api_is_a_network_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let output = molam()
        .args(["events", "list", "--api-key", KEY, "--allow-insecure-http"])
        .args(["--api-base", &format!("http://127.0.0.1:{port}")])
        .env("MOLAM_MAX_RETRIES", "0")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with(&format!(
            "molam: cannot reach the Molam API at http://127.0.0.1:{port} \
             (--api-base or MOLAM_API_BASE): "
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn plain_http_without_the_opt_in_is_refused() {
    let server = mock();
    let output = molam()
        .args([
            "events",
            "list",
            "--api-key",
            KEY,
            "--api-base",
            server.base_url(),
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let host = server.addr().ip().to_string();
    assert_eq!(
        stderr(&output),
        format!(
            "molam: plain http:// to {host} needs the opt-in for local mocks: pass \
             --allow-insecure-http or set MOLAM_ALLOW_INSECURE_HTTP=1\n"
        )
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused_even_with_the_opt_in() {
    let output = molam()
        .args(["events", "list", "--api-key", KEY])
        .args(["--api-base", "http://example.com", "--allow-insecure-http"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "molam: plain http:// to example.com is refused: it is not a loopback host \
         (localhost, 127.0.0.0/8, [::1]); --allow-insecure-http (MOLAM_ALLOW_INSECURE_HTTP) \
         allows http:// only to those. Use an https:// URL in --api-base or MOLAM_API_BASE\n"
    );
}

// ---- webhooks sign / verify ----

fn with_stdin(mut command: Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

const VECTOR_BODY: &str = r#"{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}"#;

#[test]
fn webhooks_sign_produces_the_api_vector() {
    let mut command = molam();
    command.args([
        "webhooks",
        "sign",
        "--secret",
        "whsec_test_5f1c2a9e",
        "--timestamp",
        "1700000000",
    ]);
    let output = with_stdin(command, VECTOR_BODY.as_bytes());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output).trim_end(),
        "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73"
    );
}

#[test]
fn webhooks_sign_then_verify_round_trips_and_tampering_fails_with_exit_5() {
    let body = br#"{"id":"evt_42","type":"payout.paid"}"#;
    let mut sign = molam();
    sign.args([
        "webhooks",
        "sign",
        "--secret",
        "whsec_round_trip",
        "--timestamp",
        "1800000000",
        "--kid",
        "k7",
    ]);
    let signed = with_stdin(sign, body);
    assert_eq!(signed.status.code(), Some(0));
    let header = stdout(&signed).trim_end().to_owned();
    assert!(header.starts_with("t=1800000000,kid=k7,v1="), "{header}");

    let verify = |secret: &str, now: &str, input: &[u8]| {
        let mut command = molam();
        command.args([
            "webhooks", "verify", "--secret", secret, "--header", &header, "--now", now,
        ]);
        with_stdin(command, input)
    };
    let ok = verify("k7:whsec_round_trip", "1800000100", body);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert_eq!(
        stdout(&ok).trim_end(),
        format!("verified: {} bytes", body.len())
    );

    let tampered = verify(
        "whsec_round_trip",
        "1800000100",
        br#"{"id":"evt_43","type":"payout.paid"}"#,
    );
    assert_eq!(tampered.status.code(), Some(5));
    assert!(
        stderr(&tampered).contains("no signature matches"),
        "{}",
        stderr(&tampered)
    );

    let stale = verify("whsec_round_trip", "1800000301", body);
    assert_eq!(stale.status.code(), Some(5));
    assert!(stderr(&stale).contains("timestamp"), "{}", stderr(&stale));

    let wrong = verify("whsec_someone_else", "1800000100", body);
    assert_eq!(wrong.status.code(), Some(5));
    assert!(!stderr(&wrong).contains("whsec_"), "{}", stderr(&wrong));
}

#[test]
fn a_secret_containing_a_colon_is_read_the_same_by_sign_and_verify() {
    let body = VECTOR_BODY.as_bytes();
    let mut sign = molam();
    sign.args([
        "webhooks",
        "sign",
        "--secret",
        "whsec_a:b",
        "--timestamp",
        "1700000000",
    ]);
    let signed = with_stdin(sign, body);
    let header = stdout(&signed).trim_end().to_owned();
    assert!(
        !header.contains("kid="),
        "whsec_a is not a key id: {header}"
    );
    let verify = |secret: &str| {
        let mut command = molam();
        command.args([
            "webhooks", "verify", "--secret", secret, "--header", &header,
        ]);
        command.args(["--now", "1700000000"]);
        with_stdin(command, body)
    };
    assert_eq!(verify("whsec_a:b").status.code(), Some(0));
    assert_eq!(verify("b").status.code(), Some(5));
    // kid:secret still publishes a secret under a key id, in both commands.
    let mut sign = molam();
    sign.args([
        "webhooks",
        "sign",
        "--secret",
        "k1:whsec_a:b",
        "--timestamp",
        "1700000000",
    ]);
    assert!(stdout(&with_stdin(sign, body)).starts_with("t=1700000000,kid=k1,v1="));
}

#[test]
fn webhooks_verify_reports_a_malformed_header() {
    let mut command = molam();
    command.args([
        "webhooks",
        "verify",
        "--secret",
        "whsec_x",
        "--header",
        "t=1700000000,v1=56de",
        "--now",
        "1700000000",
    ]);
    let output = with_stdin(command, b"{}");
    assert_eq!(output.status.code(), Some(5));
    assert!(stderr(&output).contains("malformed"), "{}", stderr(&output));
}

/// `molam webhooks verify` of the vector with these `--secret` values (one flag each).
fn verify_vector_with(secrets: &[&str]) -> Output {
    let mut command = molam();
    command.args([
        "webhooks",
        "verify",
        "--header",
        VECTOR_HEADER,
        "--now",
        "1700000000",
    ]);
    for secret in secrets {
        command.args(["--secret", secret]);
    }
    with_stdin(command, VECTOR_BODY.as_bytes())
}

const VECTOR_HEADER: &str =
    "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73";

#[test]
fn a_secret_list_is_read_as_molam_webhook_secret_is_trimmed_entry_by_entry() {
    let output = verify_vector_with(&[" k1:whsec_other , whsec_test_5f1c2a9e "]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = verify_vector_with(&["whsec_other", "whsec_test_5f1c2a9e"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn an_empty_entry_in_a_secret_list_is_refused_by_its_position() {
    let output = verify_vector_with(&["whsec_test_5f1c2a9e, ,whsec_other"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).trim_end(),
        "molam: invalid --secret: entry 2: empty: put a secret there or remove the extra comma"
    );
    // Entries are numbered across repeated flags.
    let output = verify_vector_with(&["whsec_test_5f1c2a9e", "whsec_a,"]);
    assert!(
        stderr(&output).contains("entry 3: empty"),
        "{}",
        stderr(&output)
    );
}

/// A secret whose key id and secret are both invalid, each holding text that must never be
/// printed.
const BAD_SECRET: &str = "bad kid_hunter2:whsec_hunter2 value";

fn assert_refused_without_echo(output: &Output, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains(expected), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!stdout(output).contains("hunter2"), "{}", stdout(output));
}

#[test]
fn a_bad_secret_is_refused_by_every_command_without_showing_it() {
    let key_id = "entry 2: key id must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -";
    let output = verify_vector_with(&["whsec_test_5f1c2a9e", BAD_SECRET]);
    assert_refused_without_echo(&output, &format!("invalid --secret: {key_id}"));

    let mut sign = molam();
    sign.args(["webhooks", "sign", "--timestamp", "1700000000"])
        .env("MOLAM_WEBHOOK_SECRET", format!("whsec_ok,{BAD_SECRET}"));
    let output = with_stdin(sign, b"{}");
    assert_refused_without_echo(
        &output,
        &format!("invalid --secret or MOLAM_WEBHOOK_SECRET: {key_id}"),
    );

    let mut by_flag = molam();
    by_flag
        .args(["listen", "--port", "0", "--secret", "whsec_ok"])
        .args(["--secret", BAD_SECRET]);
    let mut by_env = molam();
    by_env
        .args(["listen", "--port", "0"])
        .env("MOLAM_WEBHOOK_SECRET", format!("whsec_ok,{BAD_SECRET}"));
    for listen in [by_flag, by_env] {
        let output = refused(listen);
        assert_refused_without_echo(
            &output,
            &format!("invalid --secret or MOLAM_WEBHOOK_SECRET: {key_id}"),
        );
        assert!(
            !stdout(&output).contains("listening"),
            "{}",
            stdout(&output)
        );
    }
}

#[test]
fn webhooks_sign_takes_one_secret_and_a_valid_kid() {
    let sign = |secret: &str, kid: Option<&str>| {
        let mut command = molam();
        command.args([
            "webhooks",
            "sign",
            "--secret",
            secret,
            "--timestamp",
            "1700000000",
        ]);
        if let Some(kid) = kid {
            command.args(["--kid", kid]);
        }
        with_stdin(command, b"{}")
    };
    let list = sign("k2:whsec_new,whsec_old", None);
    assert_eq!(list.status.code(), Some(2));
    assert!(
        stderr(&list).contains("sign signs with one secret"),
        "{}",
        stderr(&list)
    );
    let bad_kid = sign("whsec_new", Some("k/1"));
    assert_eq!(bad_kid.status.code(), Some(2));
    assert!(
        stderr(&bad_kid).contains("invalid --kid: key id must be"),
        "{}",
        stderr(&bad_kid)
    );
    let spaced = sign(" whsec_test_5f1c2a9e ", None);
    assert_eq!(
        stdout(&spaced).trim_end(),
        format!(
            "t=1700000000,v1={}",
            molam_core::webhook::sign("whsec_test_5f1c2a9e", 1_700_000_000, b"{}")
        )
    );
}

// ---- long-running commands: mock and listen ----

/// A child process killed and reaped when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How long a command that must refuse to start may take to exit.
const REFUSAL_DEADLINE: Duration = Duration::from_secs(5);

/// Runs a long-running command (`listen`) that is expected to refuse its arguments and exit:
/// its output once it has exited. If it is still running after [`REFUSAL_DEADLINE`], the test
/// fails instead of hanging, and the child is killed.
fn refused(mut command: Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    let mut running = Running(child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = running.0.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            started.elapsed() < REFUSAL_DEADLINE,
            "molam {:?} was still running after {} s instead of refusing to start",
            command.get_args().collect::<Vec<_>>(),
            REFUSAL_DEADLINE.as_secs()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Spawns `command` and returns it with the first stdout line that contains `marker`.
fn spawn_until(mut command: Command, marker: &str) -> (Running, String, mpsc::Receiver<String>) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let (lines, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let running = Running(child);
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the marker line");
        if line.contains(marker) {
            return (running, line, rx);
        }
    }
}

/// POSTs over a fresh connection and returns the status code and the body.
fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The next line of a child's stdout containing `marker`, waiting at most 10 s.
fn next_line(lines: &mpsc::Receiver<String>, marker: &str) -> String {
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no line with {marker:?}"));
        if line.contains(marker) {
            return line;
        }
    }
}

fn url_in(line: &str) -> String {
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL")
        .to_owned()
}

#[test]
fn molam_mock_serves_the_api_with_its_flags() {
    let mut command = molam();
    command.args(["mock", "--port", "0", "--seed", "7"]);
    let (_running, line, lines) = spawn_until(command, "listening on");
    let base = url_in(&line);
    let dashboard = next_line(&lines, "dashboard:");
    assert_eq!(dashboard, format!("dashboard: {base}/__mock/dashboard"));
    let output = molam()
        .args([
            "payment-intents",
            "create",
            "--amount",
            "2500",
            "--currency",
            "XOF",
            "--json",
        ])
        .args([
            "--api-base",
            &base,
            "--allow-insecure-http",
            "--api-key",
            KEY,
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn molam_mock_rejects_a_bad_flag_value() {
    let output = molam()
        .args(["mock", "--fault-rate", "2"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
}

/// An endpoint that answers 200 to one request and hands over the raw request.
fn forward_target() -> (SocketAddr, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then as many body bytes as Content-Length says.
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break;
                    }
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = tx.send(String::from_utf8_lossy(&raw).into_owned());
        }
    });
    (addr, rx)
}

#[test]
fn molam_listen_verifies_prints_and_forwards_the_raw_delivery() {
    let (target, forwarded) = forward_target();
    let mut command = molam();
    command
        .args(["listen", "--port", "0", "--secret", "whsec_listen_0001"])
        .args(["--forward-to", &format!("http://{target}/hooks")]);
    let (_running, line, lines) = spawn_until(command, "listening for Molam webhooks on");
    let url = url_in(&line);
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned();

    let body = VECTOR_BODY.as_bytes();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        .to_string();
    let mut sign = molam();
    sign.args([
        "webhooks",
        "sign",
        "--secret",
        "whsec_listen_0001",
        "--timestamp",
        &now,
    ]);
    let header = stdout(&with_stdin(sign, body)).trim_end().to_owned();

    let (status, answer) = post(
        &addr,
        "/webhooks",
        &[
            ("Content-Type", "application/json"),
            ("Molam-Signature", &header),
        ],
        body,
    );
    assert_eq!((status, answer.as_str()), (200, "ok"));
    let raw = forwarded
        .recv_timeout(Duration::from_secs(10))
        .expect("forwarded");
    assert!(raw.starts_with("POST /hooks HTTP/1.1"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains(&format!("molam-signature: {header}")),
        "{raw}"
    );
    assert!(raw.ends_with(VECTOR_BODY), "{raw}");

    let summary = next_line(&lines, "evt_1NtestVector");
    assert!(
        summary.contains(&format!(
            "✓ payment_intent.succeeded evt_1NtestVector pi_3Ntest → http://{target}/hooks 200 in "
        )) && summary.ends_with(" ms: ok"),
        "{summary}"
    );

    let (status, _) = post(
        &addr,
        "/webhooks",
        &[
            ("Content-Type", "application/json"),
            ("Molam-Signature", &header.replace("t=", "t=1")),
        ],
        body,
    );
    assert_eq!(status, 401);
    let rejected = next_line(&lines, "✗");
    assert!(rejected.contains("401"), "{rejected}");
}

#[test]
fn molam_listen_needs_a_secret() {
    let output = molam()
        .args(["listen", "--port", "0"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--secret"), "{}", stderr(&output));
}

// ---- the demo ----

#[test]
fn the_demo_runs_a_checkout_and_handles_every_webhook() {
    let output = molam().arg("demo").output().expect("run the demo");
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    for expected in [
        "✓ in-memory storage",
        "✓ webhook endpoint",
        "✓ mock API",
        "✓ create payment intent",
        "✓ confirm (pm_card_visa)",
        "✓ refund 1000 XOF",
        "✓ payout 1500 XOF",
        "✗ confirm (declined card)",
        "card_declined (402), as expected",
        "✓ payout arrived",
        "✓ all webhooks handled",
    ] {
        assert!(out.contains(expected), "no {expected:?} in\n{out}");
    }
    let received = out
        .lines()
        .filter(|l| l.contains("⇐ webhook verified"))
        .count();
    let processed = out
        .lines()
        .filter(|l| l.contains("⚙ processed by worker"))
        .count();
    assert!(received >= 7, "{out}");
    assert_eq!(received, processed, "{out}");
    for event_type in [
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "refund.created",
        "payout.paid",
    ] {
        assert!(
            out.lines()
                .any(|l| l.contains("⚙ processed by worker") && l.contains(event_type)),
            "{event_type} not processed in\n{out}"
        );
    }
    // Every line of the timeline is stamped relative to the start.
    assert!(
        out.lines()
            .filter(|l| l.contains('✓'))
            .all(|l| l.trim_start().starts_with('+')),
        "{out}"
    );
}

// ---- PostgreSQL: migrate and the demo on a database ----

/// The test database, or `None` (with a note) when none answers and none is required: the
/// one rule of `molam_postgres::testing`.
fn database_url() -> Option<String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(molam_postgres::testing::reachable_url())
}

/// Starts from scratch: the schema of an earlier run is dropped.
fn drop_schema(url: &str, schema: &str) {
    use molam_postgres::tokio_postgres::{self, NoTls};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
        let connection = tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .await
            .expect("drop the test schema");
        drop(client);
        let _ = connection.await;
    });
}

#[test]
fn migrate_applies_the_schema_then_finds_it_up_to_date() {
    let Some(url) = database_url() else { return };
    let schema = "molam_cli_test";
    drop_schema(&url, schema);
    let run = || {
        molam()
            .args(["migrate", "--schema", schema])
            .env("DATABASE_URL", &url)
            .output()
            .expect("run")
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("applied 001 idempotency_and_webhooks"),
        "{}",
        stdout(&first)
    );
    let second = run();
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stdout(&second).starts_with("schema up to date"),
        "{}",
        stdout(&second)
    );
}

#[test]
fn migrate_reports_an_unreachable_database_as_a_database_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let output = molam()
        .arg("migrate")
        .env(
            "DATABASE_URL",
            format!("postgres://postgres:hunter2@127.0.0.1:{port}/none"),
        )
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(!stderr(&output).contains("hunter2"), "{}", stderr(&output));
}

#[test]
fn migrate_refuses_a_malformed_url_and_schema() {
    let output = molam()
        .arg("migrate")
        .env("DATABASE_URL", "not a url at all")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let output = molam()
        .args(["migrate", "--schema", "x; DROP TABLE y"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_demo_runs_on_postgresql_when_database_url_is_set() {
    let Some(url) = database_url() else { return };
    // A schema of its own: the shared database may hold other branches' demo schemas.
    let schema = format!("molam_demo_cli_{}", std::process::id());
    drop_schema(&url, &schema);
    let output = molam()
        .args(["demo", "--schema", &schema])
        .env("DATABASE_URL", &url)
        .output()
        .expect("run the demo");
    drop_schema(&url, &schema);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(out.contains("✓ PostgreSQL"), "{out}");
    assert!(out.contains(&format!("schema {schema} migrated")), "{out}");
    assert!(out.contains("✓ all webhooks handled"), "{out}");
}

// ---- trigger ----

#[test]
fn trigger_list_shows_every_event_type_of_the_contract() {
    let output = molam().args(["trigger", "--list"]).output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    let listed: Vec<String> = stdout(&output)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert_eq!(listed, molam_core::resources::EventType::KNOWN);
}

#[test]
fn trigger_refuses_an_unknown_event_type_and_names_the_list() {
    let server = mock();
    let output = api(&server, &["trigger", "payout.paied"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "molam: \"payout.paied\" is not an event type of the API; `molam trigger --list` shows them: payment_intent.created,"
        ),
        "{}",
        stderr(&output)
    );
}

/// The event id `molam trigger` printed (`  event     evt_… <type> <object>`).
fn triggered_event(output: &Output) -> String {
    stdout(output)
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("event"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no event line in {}", stdout(output)))
        .to_owned()
}

#[test]
fn trigger_makes_every_event_type_appear_in_events_list_and_at_a_listen_endpoint() {
    let server = mock();
    let mut listen = molam();
    listen.args(["listen", "--port", "0", "--secret", "whsec_mock_secret"]);
    listen.args(["--register-with", server.base_url()]);
    let (_running, _, lines) = spawn_until(listen, "registered with the mock");

    let mut expected = Vec::new();
    for event_type in molam_core::resources::EventType::KNOWN {
        let output = api(&server, &["trigger", event_type]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{event_type}: {}{}",
            stdout(&output),
            stderr(&output)
        );
        assert!(
            stdout(&output).starts_with(&format!("triggering {event_type}: ")),
            "{}",
            stdout(&output)
        );
        let event_id = triggered_event(&output);
        let listed = api_json(&server, &["events", "list", "--type", event_type]);
        let ids: Vec<&str> = listed["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|e| e["id"].as_str())
            .collect();
        assert!(ids.contains(&event_id.as_str()), "{event_type}: {listed}");
        expected.push(format!("✓ {event_type} {event_id} "));
    }
    // Deliveries may arrive in any order: collect the listener's lines until each is seen.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while expected
        .iter()
        .any(|e| !seen.iter().any(|l: &String| l.contains(e)))
    {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("not delivered: {expected:?}\nlistener said: {seen:#?}"),
        }
    }
}

// ---- listen: https, Connect, --events, answers ----

/// A signed delivery of `body`, as Molam sends it, signed with the mock's default secret.
fn deliver(addr: &str, body: &str) -> (u16, String) {
    let secret = molam_core::webhook::WebhookSecret::new("whsec_mock_secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let header = molam_core::webhook::sign_header(
        &secret,
        i64::try_from(now).expect("now"),
        body.as_bytes(),
    );
    post(
        addr,
        "/webhooks",
        &[
            ("Content-Type", "application/json"),
            ("Molam-Signature", &header),
        ],
        body.as_bytes(),
    )
}

fn event_body(id: &str, event_type: &str, object: &str, account: Option<&str>) -> String {
    let account = account
        .map(|a| format!(r#","account":"{a}""#))
        .unwrap_or_default();
    format!(
        r#"{{"id":"{id}","object":"event","type":"{event_type}"{account},"data":{{"object":{{"id":"{object}","object":"payment_intent","amount":2500,"currency":"XOF","status":"succeeded"}}}}}}"#
    )
}

#[test]
fn listen_forwards_to_https_routes_connect_events_filters_and_shows_each_answer() {
    // The https endpoint: a TLS mock, whose POST /__mock/reset answers 200 {"reset":true}.
    let https = MockServer::start_with(
        MockConfig::default(),
        molam_mock::ServerOptions {
            tls: true,
            ..Default::default()
        },
    )
    .expect("TLS mock");
    let dir = std::env::temp_dir().join(format!("molam-cli-listen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cert = dir.join("cert.pem");
    std::fs::write(&cert, https.certificate_pem().expect("PEM")).expect("write cert");
    let https_target = format!("https://localhost:{}/__mock/reset", https.addr().port());
    let (connect_target, connect_forwarded) = forward_target();

    let mut command = molam();
    command
        .args(["listen", "--port", "0", "--secret", "whsec_mock_secret"])
        .args(["--forward-to", &https_target])
        .args(["--forward-ca-cert", &cert.to_string_lossy()])
        .args([
            "--forward-connect-to",
            &format!("http://{connect_target}/connect"),
        ])
        .args(["--events", "payment_intent.*"]);
    let (_running, line, lines) = spawn_until(command, "listening for Molam webhooks on");
    let addr = url_in(&line)
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned();

    // A platform event goes to the https endpoint; the line shows status, latency, answer.
    let platform = event_body("evt_platform1", "payment_intent.succeeded", "pi_p1", None);
    assert_eq!(
        deliver(&addr, &platform),
        (200, r#"{"reset":true}"#.to_owned())
    );
    let shown = next_line(&lines, "evt_platform1");
    assert!(
        shown.contains(&format!("→ {https_target} 200 in "))
            && shown.ends_with(r#" ms: {"reset":true}"#),
        "{shown}"
    );

    // A filtered-out type is answered 200 and goes nowhere (not even to the Connect URL).
    let payout = event_body("evt_filtered1", "payout.paid", "po_1", Some("acct_1"));
    assert_eq!(deliver(&addr, &payout).0, 200);

    // A Connect event goes to its own URL.
    let connect = event_body(
        "evt_connect1",
        "payment_intent.succeeded",
        "pi_c1",
        Some("acct_1"),
    );
    assert_eq!(deliver(&addr, &connect), (200, "ok".to_owned()));
    let raw = connect_forwarded
        .recv_timeout(Duration::from_secs(10))
        .expect("forwarded");
    assert!(raw.starts_with("POST /connect HTTP/1.1"), "{raw}");
    assert!(raw.ends_with(&connect), "{raw}");
    let shown = next_line(&lines, "evt_connect1");
    assert!(shown.contains("pi_c1 [acct_1]"), "{shown}");
    assert!(!shown.contains("evt_filtered1"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn listen_refuses_an_unknown_event_type_in_events() {
    let mut listen = molam();
    listen.args(["listen", "--secret", "whsec_x", "--events", "payout.paied"]);
    let output = refused(listen);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .starts_with("molam: --events \"payout.paied\" is not an event type of the API"),
        "{}",
        stderr(&output)
    );
}

// ---- platforms and forward compatibility (REFERENCE.md §6, §3) ----

#[test]
fn json_prints_exactly_the_body_the_api_sent_unknown_fields_included() {
    let server = MockServer::start(MockConfig {
        extra_object_fields: [("risk".to_owned(), serde_json::json!({"score": 3}))].into(),
        ..MockConfig::default()
    })
    .expect("start the mock");
    let create = api(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "2500",
            "--currency",
            "XOF",
            "--json",
        ],
    );
    assert_eq!(create.status.code(), Some(0), "{}", stderr(&create));
    let printed = stdout(&create);
    let intent: Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(intent["risk"]["score"], 3, "{printed}");
    let id = text(&intent, "id").to_owned();

    // The body the API sends for the same object, byte for byte (then the line's newline).
    let request = http::Request::get(format!("/v1/connect/payment_intents/{id}"))
        .header("authorization", format!("Bearer {KEY}"))
        .body(Vec::new())
        .expect("a request");
    let sent = server
        .mock()
        .handle(request, molam_mock::MockTime::now())
        .into_body();
    let retrieve = api(&server, &["payment-intents", "retrieve", &id, "--json"]);
    assert_eq!(retrieve.stdout, [sent.as_slice(), b"\n"].concat());

    let page = api(&server, &["payment-intents", "list", "--json"]);
    let page: Value = serde_json::from_slice(&page.stdout).expect("JSON");
    assert_eq!(page["url"], "/v1/connect/payment_intents");
    assert_eq!(page["data"][0]["risk"]["score"], 3);

    let events = api(&server, &["events", "list", "--all", "--json"]);
    assert_eq!(events.status.code(), Some(0), "{}", stderr(&events));
    for line in stdout(&events).lines() {
        let event: Value = serde_json::from_str(line).expect("one event per line");
        assert_eq!(event["risk"]["score"], 3, "{line}");
        assert_eq!(event.get("object_id"), None, "events print as sent: {line}");
    }
}

#[test]
fn account_acts_for_a_connected_account() {
    let server = mock();
    let create = api(
        &server,
        &[
            "payment-intents",
            "create",
            "--amount",
            "2500",
            "--currency",
            "XOF",
            "--json",
            "--account",
            "acct_cli_a",
        ],
    );
    assert_eq!(create.status.code(), Some(0), "{}", stderr(&create));
    let intent: Value = serde_json::from_slice(&create.stdout).expect("JSON");
    assert_eq!(intent["account"], "acct_cli_a");
    let id = text(&intent, "id").to_owned();
    let own = api(&server, &["payment-intents", "retrieve", &id]);
    assert_ne!(
        own.status.code(),
        Some(0),
        "the platform's own account does not see it"
    );
    let theirs = api(
        &server,
        &[
            "payment-intents",
            "retrieve",
            &id,
            "--account",
            "acct_cli_a",
        ],
    );
    assert_eq!(theirs.status.code(), Some(0), "{}", stderr(&theirs));
    let bad = api(
        &server,
        &["payment-intents", "list", "--account", "merchant-1"],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--account"), "{}", stderr(&bad));
}

#[test]
fn molam_listen_with_a_database_records_in_postgres_and_processes_each_event_once() {
    let Some(url) = database_url() else { return };
    let schema = &format!("molam_listen_test_{}", std::process::id());
    drop_schema(&url, schema);
    let mut command = molam();
    command
        .args(["listen", "--port", "0", "--secret", "whsec_listen_0001"])
        .args(["--schema", schema])
        .env("DATABASE_URL", &url);
    let url_for_cleanup = url.clone();
    let (running, line, lines) = spawn_until(command, "listening for Molam webhooks on");
    let url = url_in(&line);
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        .to_string();
    let body = VECTOR_BODY.as_bytes();
    let mut sign = molam();
    sign.args([
        "webhooks",
        "sign",
        "--secret",
        "whsec_listen_0001",
        "--timestamp",
        &now,
    ]);
    let header = stdout(&with_stdin(sign, body)).trim_end().to_owned();
    let headers = [
        ("Content-Type", "application/json"),
        ("Molam-Signature", header.as_str()),
    ];
    for _ in 0..2 {
        let (status, _) = post(&addr, "/webhooks", &headers, body);
        assert_eq!(status, 200);
    }
    // Every line until the worker has processed the event and then been quiet for 800 ms.
    let mut seen: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let done = seen.iter().any(|l| l.contains("processed"));
        let wait = Duration::from_millis(if done { 800 } else { 100 });
        match lines.recv_timeout(wait) {
            Ok(line) => seen.push(line),
            Err(_) if done => break,
            Err(_) => {}
        }
    }
    let processed: Vec<_> = seen.iter().filter(|l| l.contains("processed")).collect();
    assert_eq!(processed.len(), 1, "processed once: {seen:?}");
    assert!(
        processed[0].contains("payment_intent.succeeded evt_1NtestVector (attempt 1)"),
        "{seen:?}"
    );
    // The redelivery was recorded as a duplicate, not lost or dropped unseen.
    let duplicates = seen.iter().filter(|l| l.contains("(duplicate)")).count();
    assert_eq!(duplicates, 1, "{seen:?}");
    drop(running); // the listener first: its worker may hold the schema's locks
    drop_schema(&url_for_cleanup, schema);
}
