//! `molam-bench all`: runs every benchmark, in rounds where two variants are compared, and
//! hands the figures to [`crate::report`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use molam_mock::{FaultConfig, FaultKind, MockConfig, MockServer, ServerOptions};

use crate::external;
use crate::load::{Outcome, Plan, Variant};
use crate::report;

/// What `all` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Small counts and one round: checks the pipeline, writes no file.
    pub quick: bool,
    /// Rounds of each load comparison.
    pub rounds: usize,
    /// Where to write the markdown (default: `BENCHMARKS.md` at the workspace root).
    pub out: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            quick: false,
            rounds: 5,
            out: None,
        }
    }
}

/// One SDK-vs-raw load comparison.
#[derive(Serialize, Deserialize)]
pub struct Comparison {
    /// `blocking (ureq)` or `tokio (hyper)`.
    pub client: String,
    /// Calls at once.
    pub concurrency: usize,
    /// Each round's raw outcome.
    pub raw: Vec<Outcome>,
    /// Each round's SDK outcome, in the same order.
    pub sdk: Vec<Outcome>,
    /// The interleaved run: both clients in one process, in alternating short batches; the
    /// ratio and its verdict come from its per-batch ratios.
    #[serde(default)]
    pub interleaved: Option<Outcome>,
}

/// The in-flight memory runs.
#[derive(Serialize, Deserialize)]
pub struct InFlight {
    /// Calls started at once.
    pub calls: usize,
    /// How long the mock held each answer, ms.
    pub delay_ms: u64,
    /// The raw hyper client's outcome and the most calls the mock held at once during it.
    pub raw: (Outcome, u64),
    /// The SDK's.
    pub sdk: (Outcome, u64),
}

/// Everything measured by one `all`.
#[derive(Serialize, Deserialize)]
pub struct Results {
    /// Machine facts, in display order.
    pub machine: Vec<(String, String)>,
    /// Criterion rounds: ns per iteration by benchmark id.
    pub criterion: Vec<BTreeMap<String, f64>>,
    /// Load comparisons.
    pub load: Vec<Comparison>,
    /// Load rounds asked for.
    pub rounds: usize,
    /// The in-flight runs, unless they failed.
    pub in_flight: Result<InFlight, String>,
    /// The benches other crates own: title, command, what it printed or why it did not run.
    pub external: Vec<(String, String, Result<String, String>)>,
    /// Wall time of everything after the build.
    pub seconds: f64,
    /// A `--quick` run.
    pub quick: bool,
}

fn say(message: &str) {
    eprintln!("[molam-bench] {message}");
}

/// Runs everything and writes the report.
pub fn all(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(external::scratch())?;
    // `cargo bench` below rebuilds this package's binary in place: the load runs start a
    // copy of the executable that is running now.
    let exe = external::scratch().join("molam-bench-load");
    std::fs::copy(std::env::current_exe()?, &exe)?;
    LOAD_EXE.set(exe).map_err(|_| "all runs once")?;
    let (database_url, database_up) = external::database();
    let e2e = external::has_e2e_roundtrip();
    say("building the benches (not timed)");
    let built = external::build_benches(database_up, e2e);
    if let Some(failure) = built.failure {
        return Err(format!("building the benches failed: {failure}").into());
    }
    let started = Instant::now();
    let machine = machine();

    let criterion_rounds = if options.quick { 1 } else { 3 };
    let mut criterion = Vec::new();
    for round in 1..=criterion_rounds {
        say(&format!("criterion round {round}/{criterion_rounds}"));
        criterion.push(external::criterion_round(round, options.quick)?);
    }

    let rounds = if options.quick { 1 } else { options.rounds };
    let load = load_comparisons(options.quick, rounds)?;
    let in_flight = in_flight(options.quick);

    let mut others = Vec::new();
    say("the mock's throughput bench");
    let mock = external::mock_throughput(options.quick);
    others.push((
        "The mock alone".to_owned(),
        "cargo bench -p molam-mock --bench throughput".to_owned(),
        finished(mock),
    ));
    if let Some(ran) = e2e.then(external::e2e_roundtrip).flatten() {
        say("the clients' round-trip bench");
        others.push((
            "The clients' round-trip bench".to_owned(),
            "cargo bench -p molam-e2e --bench roundtrip".to_owned(),
            finished(ran),
        ));
    }
    let postgres_command = "cargo bench -p molam-postgres --bench throughput -- --quick".to_owned();
    if database_up {
        say("the PostgreSQL bench");
        others.push((
            "PostgreSQL".to_owned(),
            postgres_command,
            finished(external::postgres_throughput()),
        ));
    } else {
        let why = format!(
            "not run: nothing answers at {database_url} (set DATABASE_URL to a reachable \
             PostgreSQL to include it)"
        );
        say(&why);
        others.push(("PostgreSQL".to_owned(), postgres_command, Err(why)));
    }

    let mut machine = machine;
    machine.push(("1-minute load average at end".to_owned(), load_average()));
    let results = Results {
        machine,
        criterion,
        load,
        rounds,
        in_flight,
        external: others,
        seconds: started.elapsed().as_secs_f64(),
        quick: options.quick,
    };
    let saved = external::scratch().join("results.json");
    std::fs::write(&saved, serde_json::to_vec_pretty(&results)?)?;
    say(&format!("figures kept in {}", saved.display()));
    write(&results, options.out.clone())
}

/// `molam-bench report`: the markdown again from the last run's figures (after editing
/// `benches/NOTES.md`, say), without measuring anything.
pub fn report_again(out: Option<PathBuf>) -> Result<(), Box<dyn std::error::Error>> {
    let saved = external::scratch().join("results.json");
    let results: Results = serde_json::from_slice(&std::fs::read(&saved)?)?;
    write(&results, out)
}

fn write(results: &Results, out: Option<PathBuf>) -> Result<(), Box<dyn std::error::Error>> {
    let markdown = report::markdown(results, results.quick);
    println!("{markdown}");
    if results.quick && out.is_none() {
        say("--quick: BENCHMARKS.md left as it was");
        return Ok(());
    }
    let default_out = out.is_none();
    let out = out.unwrap_or_else(|| external::workspace().join("BENCHMARKS.md"));
    let kept = std::fs::read_to_string(&out)
        .ok()
        .and_then(|old| python_section(&old).map(str::to_owned));
    let markdown = match kept {
        Some(section) => format!("{}\n\n{section}\n", markdown.trim_end()),
        None => markdown,
    };
    std::fs::write(&out, markdown)?;
    say(&format!("wrote {}", out.display()));
    if default_out {
        update_readme(results)?;
    }
    Ok(())
}

/// The Python table's section of BENCHMARKS.md, which `shells/python/bench/run.sh` writes
/// between these markers; a rewrite by this runner keeps it as it was.
fn python_section(markdown: &str) -> Option<&str> {
    const START: &str = "<!-- python:start -->";
    const END: &str = "<!-- python:end -->";
    let start = markdown.find(START)?;
    let end = markdown[start..].find(END)? + start + END.len();
    Some(&markdown[start..end])
}

/// Between these two lines of README.md the runner writes the targets table.
const README_START: &str = "<!-- benchmarks:start (written by `molam-bench all`) -->";
const README_END: &str = "<!-- benchmarks:end -->";

fn update_readme(results: &Results) -> Result<(), Box<dyn std::error::Error>> {
    let path = external::workspace().join("README.md");
    let text = std::fs::read_to_string(&path)?;
    let (Some(start), Some(end)) = (text.find(README_START), text.find(README_END)) else {
        say("README.md has no benchmarks markers: left as it was");
        return Ok(());
    };
    if end < start {
        return Ok(());
    }
    let head = &text[..start + README_START.len()];
    let tail = &text[end..];
    let block = report::readme_block(results);
    std::fs::write(&path, format!("{head}\n{block}{tail}"))?;
    say("updated the figures in README.md");
    Ok(())
}

fn finished(ran: external::Ran) -> Result<String, String> {
    match ran.failure {
        None => Ok(ran.stdout.trim().to_owned()),
        Some(failure) => Err(failure),
    }
}

fn machine() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or_else(|| "unknown".to_owned(), |(_, m)| m.trim().to_owned());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(external::workspace())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    let load = load_average();
    [
        ("date", external::tool_version("date", "-u")),
        ("CPU", model),
        ("logical CPUs (nproc)", cpus.to_string()),
        ("rustc", external::tool_version("rustc", "--version")),
        ("commit", commit),
        ("1-minute load average at start", load),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The 1-minute load average: how busy the shared machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The calls in one batch and the pairs of batches of an interleaved run at `concurrency`,
/// for `all` and `compare` alike. Short batches, alternating SDK and raw within one process:
/// the machine's drift over a run touches both alike, and each pair gives one ratio. A
/// sequential batch ratio spreads by ±8 % to ±14 % (middle half) on the two-core machines
/// measured so far, so it takes some 600 pairs (300,000 calls, a minute or more) for the
/// median's 95 % interval to narrow to about ±1 % to ±2 %: with 150, two runs of one build
/// differed by more than a percent.
fn batches(concurrency: usize) -> (usize, usize) {
    if concurrency == 1 {
        (250, 600)
    } else {
        (640, 60)
    }
}

/// `molam-bench compare`: only the interleaved SDK-vs-raw run of one client at one
/// concurrency, printed as the median and spread of its batch ratios (no file written). For
/// iterating on the clients' cost; `all` is what writes `BENCHMARKS.md`.
pub fn compare(
    tokio: bool,
    concurrency: usize,
    pairs: Option<usize>,
) -> Result<(), Box<dyn std::error::Error>> {
    LOAD_EXE
        .set(std::env::current_exe()?)
        .map_err(|_| "compare runs once")?;
    let mock = start_mock(None)?;
    let (sdk, client) = if tokio {
        (Variant::TokioSdk, "tokio (hyper)")
    } else {
        (Variant::BlockingSdk, "blocking (ureq)")
    };
    let (batch, default_pairs) = batches(concurrency);
    let pairs = pairs.unwrap_or(default_pairs);
    let interleaved = child(&Plan {
        variant: sdk,
        base_url: mock.base_url().to_owned(),
        concurrency,
        calls: batch,
        warmup: batch,
        in_flight: false,
        batches: pairs,
    })?;
    mock.shutdown();
    let comparison = Comparison {
        client: client.to_owned(),
        concurrency,
        raw: Vec::new(),
        sdk: Vec::new(),
        interleaved: Some(interleaved),
    };
    let failed = comparison.interleaved.as_ref().map_or(0, |run| run.errors);
    if failed > 0 {
        return Err(format!("{failed} calls failed in the batches: no ratio").into());
    }
    println!(
        "{client}, {concurrency} at once: SDK / raw {} (load average {})",
        report::ratio_and_spread(&comparison),
        load_average()
    );
    Ok(())
}

/// A mock on loopback for the load runs. Its connection limit is raised to hold every call a
/// run keeps in flight at once (the served default, 512, would refuse most of them), and its
/// memory budget with it: each connection's buffers are set aside from the budget first,
/// and what is left is for request bodies.
fn start_mock(faults: Option<FaultConfig>) -> Result<MockServer, Box<dyn std::error::Error>> {
    let mut options = ServerOptions {
        worker_threads: 2,
        ..ServerOptions::default()
    };
    let limits = &mut options.limits;
    limits.max_connections = 10_000 + 64;
    limits.body_budget_bytes = limits.max_connections * molam_axum::serve::CONNECTION_BYTES
        + molam_axum::serve::DEFAULT_BODY_BUDGET_BYTES;
    let config = MockConfig {
        faults: faults.unwrap_or_else(FaultConfig::off),
        ..MockConfig::default()
    };
    Ok(MockServer::start_with(config, options)?)
}

/// The copy of this executable that runs the load plans.
static LOAD_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Runs one plan in a child process of this executable.
fn child(plan: &Plan) -> Result<Outcome, String> {
    let exe = LOAD_EXE.get().ok_or("the load executable was not copied")?;
    let json = serde_json::to_string(plan).map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .arg("load")
        .arg(json)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            plan.variant.name(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{}: {e}", plan.variant.name()))
}

fn load_comparisons(
    quick: bool,
    rounds: usize,
) -> Result<Vec<Comparison>, Box<dyn std::error::Error>> {
    let mock = start_mock(None)?;
    let scale = if quick { 10 } else { 1 };
    let cases = [
        (
            "blocking (ureq)",
            Variant::BlockingRaw,
            Variant::BlockingSdk,
            1,
        ),
        (
            "blocking (ureq)",
            Variant::BlockingRaw,
            Variant::BlockingSdk,
            64,
        ),
        ("tokio (hyper)", Variant::TokioRaw, Variant::TokioSdk, 1),
        ("tokio (hyper)", Variant::TokioRaw, Variant::TokioSdk, 64),
    ];
    let mut comparisons = Vec::new();
    for (client, raw, sdk, concurrency) in cases {
        let (calls, warmup) = if concurrency == 1 {
            (3000 / scale, 300 / scale)
        } else {
            (6400 / scale, 640 / scale)
        };
        let plan = |variant| Plan {
            variant,
            base_url: mock.base_url().to_owned(),
            concurrency,
            calls,
            warmup,
            in_flight: false,
            batches: 0,
        };
        let (batch, pairs) = batches(concurrency);
        say(&format!(
            "{client}, {concurrency} at once: {pairs} interleaved batch pairs"
        ));
        let interleaved = child(&Plan {
            calls: batch / scale,
            warmup: batch / scale,
            batches: if quick { 2 } else { pairs },
            ..plan(sdk)
        })?;
        let mut comparison = Comparison {
            client: client.to_owned(),
            concurrency,
            raw: Vec::new(),
            sdk: Vec::new(),
            interleaved: Some(interleaved),
        };
        for round in 0..rounds {
            say(&format!(
                "{client}, {concurrency} at once: round {}/{rounds}",
                round + 1
            ));
            // Which variant goes first alternates, so neither always gets the warmer machine.
            if round.is_multiple_of(2) {
                comparison.raw.push(child(&plan(raw))?);
                comparison.sdk.push(child(&plan(sdk))?);
            } else {
                comparison.sdk.push(child(&plan(sdk))?);
                comparison.raw.push(child(&plan(raw))?);
            }
        }
        comparisons.push(comparison);
    }
    mock.shutdown();
    Ok(comparisons)
}

/// Calls held at the mock (delayed, not yet answered), sampled until `stop`.
fn watch_held(mock: &MockServer, stop: &AtomicBool) -> u64 {
    let mut highest = 0;
    while !stop.load(Ordering::Relaxed) {
        let stats = mock.mock().stats();
        let delayed = stats["faults"]["delay"].as_u64().unwrap_or(0);
        let created = stats["objects_created"]["payment_intent"]
            .as_u64()
            .unwrap_or(0);
        highest = highest.max(delayed.saturating_sub(created));
        std::thread::sleep(Duration::from_millis(20));
    }
    highest
}

fn in_flight(quick: bool) -> Result<InFlight, String> {
    let calls = if quick { 1000 } else { 10_000 };
    let delay_ms = 5000;
    let faults = FaultConfig {
        rate: 1.0,
        mix: [(FaultKind::Delay, 1)].into_iter().collect(),
        delay_ms,
        ..FaultConfig::off()
    };
    let mut runs = Vec::new();
    for variant in [Variant::TokioRaw, Variant::TokioSdk] {
        say(&format!("{} with {calls} calls in flight", variant.name()));
        // A fresh mock per run, so that its counters describe this run alone.
        let mock = start_mock(Some(faults.clone())).map_err(|e| e.to_string())?;
        let plan = Plan {
            variant,
            base_url: mock.base_url().to_owned(),
            concurrency: calls,
            calls,
            warmup: 0,
            in_flight: true,
            batches: 0,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (outcome, held) = std::thread::scope(|scope| {
            let watcher = scope.spawn(|| watch_held(&mock, &stop));
            let outcome = child(&plan);
            stop.store(true, Ordering::Relaxed);
            (outcome, watcher.join().unwrap_or(0))
        });
        mock.shutdown();
        runs.push((outcome?, held));
    }
    let sdk = runs.pop().ok_or("no SDK run")?;
    let raw = runs.pop().ok_or("no raw run")?;
    Ok(InFlight {
        calls,
        delay_ms,
        raw,
        sdk,
    })
}
