//! `molam-bench`: every performance figure of the Molam SDK from one command.
//!
//! ```text
//! cargo run -p molam-bench --release -- all            # everything; writes BENCHMARKS.md
//! cargo run -p molam-bench --release -- all --quick    # a smoke run of the pipeline (no file)
//! ```
//!
//! `all` runs, in order: the criterion benches of the core (`benches/core.rs`) in rounds; the
//! load runs of both clients against their raw transports on a loopback mock, each run in a
//! process of its own, raw and SDK alternating in rounds; 10 000 async calls held in flight by
//! a delaying mock; then the benches other crates own, as they are (the mock's throughput, the
//! clients' round-trip, PostgreSQL's when `DATABASE_URL` answers). It prints the markdown and
//! writes it to `BENCHMARKS.md` at the workspace root.
//!
//! `report` writes the markdown again from the last run's figures (kept in
//! `target/molam-bench/results.json`), e.g. after editing `benches/NOTES.md`.
//!
//! `compare tokio|blocking [--concurrency N] [--pairs N]` runs only one client's interleaved
//! SDK-vs-raw batches (as many pairs as `all` runs at that concurrency, unless `--pairs` says)
//! and prints the median ratio, its 95 % interval and the spread (no file): for iterating on a
//! client's cost.
//!
//! `load` is the child side of one load run (a JSON plan in, a JSON outcome out); the
//! runner calls it, a person seldom needs to.
#![allow(clippy::unwrap_used)] // Only on values this program made itself.

mod external;
mod load;
mod report;
mod rss;
mod runner;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: molam-bench all [--quick] [--rounds N] [--out PATH]\n       \
         molam-bench report [--out PATH]\n       \
         molam-bench compare tokio|blocking [--concurrency N] [--pairs N]\n       \
         molam-bench load '<plan as JSON>'"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("all") => {
            let mut options = runner::Options::default();
            let mut rest = args[1..].iter();
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--quick" => options.quick = true,
                    "--rounds" => match rest.next().and_then(|n| n.parse().ok()) {
                        Some(n) if n > 0 => options.rounds = n,
                        _ => return usage(),
                    },
                    "--out" => match rest.next() {
                        Some(path) => options.out = Some(PathBuf::from(path)),
                        None => return usage(),
                    },
                    _ => return usage(),
                }
            }
            match runner::all(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("molam-bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("report") => {
            let out = match args.get(1).map(String::as_str) {
                Some("--out") => match args.get(2) {
                    Some(path) => Some(PathBuf::from(path)),
                    None => return usage(),
                },
                Some(_) => return usage(),
                None => None,
            };
            match runner::report_again(out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("molam-bench report: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("compare") => {
            let tokio = match args.get(1).map(String::as_str) {
                Some("tokio") => true,
                Some("blocking") => false,
                _ => return usage(),
            };
            let (mut concurrency, mut pairs) = (1, None);
            let mut rest = args[2..].iter();
            while let Some(arg) = rest.next() {
                let value = rest.next().and_then(|n| n.parse::<usize>().ok());
                match (arg.as_str(), value) {
                    ("--concurrency", Some(n)) if n > 0 => concurrency = n,
                    ("--pairs", Some(n)) if n > 0 => pairs = Some(n),
                    _ => return usage(),
                }
            }
            match runner::compare(tokio, concurrency, pairs) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("molam-bench compare: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("load") => {
            let Some(plan) = args.get(1) else {
                return usage();
            };
            let outcome = serde_json::from_str::<load::Plan>(plan)
                .map_err(|e| e.to_string())
                .and_then(|plan| load::run(&plan).map_err(|e| e.to_string()));
            match outcome {
                Ok(outcome) => {
                    println!("{}", serde_json::to_string(&outcome).unwrap());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("molam-bench load: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}
