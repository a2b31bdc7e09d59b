//! The benches run through cargo: this crate's criterion bench (in rounds, read back from
//! criterion's `estimates.json`), and the benches other crates own, run as they are with
//! their output kept verbatim.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (this crate's parent folder).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where the runner keeps criterion's files and the logs.
pub fn scratch() -> PathBuf {
    workspace().join("target").join("molam-bench")
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(workspace());
    command
}

/// What a command printed and whether it succeeded.
pub struct Ran {
    /// Exit status 0, within the time limit.
    pub ok: bool,
    /// Standard output.
    pub stdout: String,
    /// Why it did not succeed, if it did not.
    pub failure: Option<String>,
}

/// Runs `command`, its stderr to `log`, killed after `limit`.
fn run(mut command: Command, log: &Path, limit: Duration) -> Ran {
    let failed = |why: String| Ran {
        ok: false,
        stdout: String::new(),
        failure: Some(why),
    };
    let stderr = match std::fs::File::create(log) {
        Ok(file) => Stdio::from(file),
        Err(e) => return failed(format!("cannot write {}: {e}", log.display())),
    };
    let mut child = match command.stdout(Stdio::piped()).stderr(stderr).spawn() {
        Ok(child) => child,
        Err(e) => return failed(format!("cannot start: {e}")),
    };
    let mut stdout = child.stdout.take().map(|mut out| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => break None,
        }
    };
    let stdout = stdout
        .take()
        .and_then(|t| t.join().ok())
        .unwrap_or_default();
    let failure = match status {
        Some(status) if status.success() => None,
        Some(status) => Some(format!("exited with {status}; see {}", log.display())),
        None => Some(format!(
            "stopped after {} s; see {}",
            limit.as_secs(),
            log.display()
        )),
    };
    Ran {
        ok: failure.is_none(),
        stdout,
        failure,
    }
}

/// Builds every bench this runner starts, so that no measured phase waits on a compiler.
pub fn build_benches(postgres: bool, e2e: bool) -> Ran {
    let mut targets = vec![("molam-bench", "core"), ("molam-mock", "throughput")];
    if e2e {
        targets.push(("molam-e2e", "roundtrip"));
    }
    if postgres {
        targets.push(("molam-postgres", "throughput"));
    }
    for (package, bench) in targets {
        let mut command = cargo();
        command.args(["bench", "--no-run", "-p", package, "--bench", bench]);
        let log = scratch().join(format!("build-{package}.log"));
        let ran = run(command, &log, Duration::from_secs(1800));
        if !ran.ok {
            return ran;
        }
    }
    Ran {
        ok: true,
        stdout: String::new(),
        failure: None,
    }
}

/// Whether the clients' round-trip bench is in the tree.
pub fn has_e2e_roundtrip() -> bool {
    workspace().join("tests/e2e/benches/roundtrip.rs").exists()
}

/// One round of `benches/core.rs`: nanoseconds per iteration by benchmark id
/// (`group/function[/parameter]`).
pub fn criterion_round(round: usize, quick: bool) -> Result<BTreeMap<String, f64>, String> {
    let home = scratch().join("criterion").join(format!("round-{round}"));
    let _ = std::fs::remove_dir_all(&home);
    let mut command = cargo();
    command
        .env("CRITERION_HOME", &home)
        .args(["bench", "-p", "molam-bench", "--bench", "core", "--"])
        .arg("--noplot");
    if round.is_multiple_of(2) {
        command.env("MOLAM_BENCH_RAW_FIRST", "1");
    }
    if quick {
        command.args(["--warm-up-time", "0.1", "--measurement-time", "0.2"]);
    }
    let log = scratch().join(format!("criterion-round-{round}.log"));
    let ran = run(command, &log, Duration::from_secs(300));
    if let Some(failure) = ran.failure {
        return Err(format!("criterion round {round}: {failure}"));
    }
    let mut found = BTreeMap::new();
    collect_estimates(&home, &mut found);
    if found.is_empty() {
        return Err(format!(
            "criterion round {round} left no estimates in {}",
            home.display()
        ));
    }
    Ok(found)
}

fn collect_estimates(dir: &Path, found: &mut BTreeMap<String, f64>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if let Some((id, ns)) = read_estimate(&path) {
                found.insert(id, ns);
            }
        } else {
            collect_estimates(&path, found);
        }
    }
}

/// Criterion's own point estimate: the slope of the linear fit, or the mean.
fn read_estimate(dir: &Path) -> Option<(String, f64)> {
    let read = |name: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&std::fs::read(dir.join(name)).ok()?).ok()
    };
    let benchmark = read("benchmark.json")?;
    let estimates = read("estimates.json")?;
    let id = benchmark["full_id"].as_str()?.to_owned();
    let ns = estimates["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| estimates["mean"]["point_estimate"].as_f64())?;
    Some((id, ns))
}

/// The mock's own throughput bench (`tests/mock/benches/throughput.rs`), as it prints it.
pub fn mock_throughput(quick: bool) -> Ran {
    let mut command = cargo();
    command
        .env("MOLAM_BENCH_SECONDS", if quick { "1" } else { "3" })
        .args(["bench", "-p", "molam-mock", "--bench", "throughput"]);
    run(
        command,
        &scratch().join("mock-throughput.log"),
        Duration::from_secs(120),
    )
}

/// The clients' round-trip bench (`tests/e2e/benches/roundtrip.rs`), when it exists.
pub fn e2e_roundtrip() -> Option<Ran> {
    if !has_e2e_roundtrip() {
        return None;
    }
    let mut command = cargo();
    command.args(["bench", "-p", "molam-e2e", "--bench", "roundtrip"]);
    Some(run(
        command,
        &scratch().join("e2e-roundtrip.log"),
        Duration::from_secs(180),
    ))
}

/// `DATABASE_URL` (or the tests' default) and whether something listens at its host:port.
pub fn database() -> (String, bool) {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let authority = url
        .split_once("://")
        .map_or(url.as_str(), |(_, rest)| rest)
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    let reachable = host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok());
    (url, reachable)
}

/// The PostgreSQL layer's bench (`shells/postgres/benches/throughput.rs`), `--quick`.
pub fn postgres_throughput() -> Ran {
    let mut command = cargo();
    command.args([
        "bench",
        "-p",
        "molam-postgres",
        "--bench",
        "throughput",
        "--",
        "--quick",
    ]);
    run(
        command,
        &scratch().join("postgres-throughput.log"),
        Duration::from_secs(240),
    )
}

/// One line describing `program --version`-like output, or "unknown".
pub fn tool_version(program: &str, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}
