//! The markdown of `BENCHMARKS.md`: medians of the rounds, ratios against issue 8's
//! targets, and the other crates' benches as they printed themselves.

use std::fmt::Write;

use crate::external;
use crate::load::Outcome;
use crate::runner::{Comparison, InFlight, Results};

/// SDK over raw, per target.
const SEQUENTIAL: f64 = 1.05;
const CONCURRENT: f64 = 1.10;
const WEBHOOK_64K: f64 = 1.10;
const CORE: f64 = 1.5;

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn time(ns: f64) -> String {
    if !ns.is_finite() {
        "—".to_owned()
    } else if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// Below this an SDK / raw ratio says the machine was noisier than the SDK costs: the SDK
/// does strictly more work than the raw client, so it cannot be faster by 5 %.
const NOISE: f64 = 0.95;

/// The verdict of a core pair: below [`NOISE`] the SDK's own implementation is faster.
fn core_verdict(ratio: f64, limit: f64) -> &'static str {
    if ratio.is_finite() && ratio < NOISE {
        "met (faster)"
    } else {
        verdict(ratio, limit)
    }
}

fn verdict(ratio: f64, limit: f64) -> &'static str {
    if !ratio.is_finite() {
        "not measured"
    } else if ratio < NOISE {
        "noise (< 0.95)"
    } else if ratio <= limit {
        "met"
    } else {
        "**missed**"
    }
}

/// One compared pair of criterion benches.
struct Pair {
    label: String,
    sdk_ns: f64,
    raw_ns: f64,
    ratio: f64,
    limit: Option<f64>,
}

fn pairs(results: &Results) -> Vec<Pair> {
    let Some(first) = results.criterion.first() else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    for id in first.keys() {
        let segments: Vec<&str> = id.split('/').collect();
        if !segments.contains(&"sdk") {
            continue;
        }
        let raw_id = segments
            .iter()
            .map(|s| if *s == "sdk" { "raw" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let label = segments
            .iter()
            .filter(|s| **s != "sdk")
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        let per_round = |key: &str| -> Vec<f64> {
            results
                .criterion
                .iter()
                .map(|round| round.get(key).copied().unwrap_or(f64::NAN))
                .collect()
        };
        let (sdk, raw) = (per_round(id), per_round(&raw_id));
        let ratios = sdk.iter().zip(&raw).map(|(s, r)| s / r).collect();
        let limit = if label.starts_with("webhook_verify") {
            label.ends_with("64KiB").then_some(WEBHOOK_64K)
        } else if label.starts_with("idempotency_key") {
            None
        } else {
            Some(CORE)
        };
        pairs.push(Pair {
            label,
            sdk_ns: median(sdk),
            raw_ns: median(raw),
            ratio: median(ratios),
            limit,
        });
    }
    pairs
}

fn rps(o: &Outcome) -> f64 {
    o.calls as f64 / o.seconds
}

/// SDK batch time over raw batch time, one per interleaved pair of batches.
fn batch_ratios(c: &Comparison) -> Vec<f64> {
    let Some(run) = &c.interleaved else {
        return Vec::new();
    };
    let mut ratios: Vec<f64> = (run.batch_sdk_s.iter().zip(&run.batch_raw_s))
        .map(|(s, r)| s / r)
        .filter(|ratio| ratio.is_finite())
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios
}

/// SDK time per call over raw time per call: the median of the interleaved batches' ratios
/// (of the rounds' ratios, for figures from before interleaving).
fn load_ratio(c: &Comparison) -> f64 {
    let ratios = batch_ratios(c);
    if !ratios.is_empty() {
        return median(ratios);
    }
    median(
        c.raw
            .iter()
            .zip(&c.sdk)
            .map(|(r, s)| rps(r) / rps(s))
            .collect(),
    )
}

/// A 95 % confidence interval of the median of `sorted` (ascending) that assumes nothing of
/// the distribution: the order statistics of ranks ⌊n/2 − 0.98·√n⌋ and ⌈n/2 + 0.98·√n⌉ + 1,
/// the binomial(n, ½) quantiles by the normal approximation. `None` under 10 values.
fn median_interval(sorted: &[f64]) -> Option<(f64, f64)> {
    let n = sorted.len();
    if n < 10 {
        return None;
    }
    let (mid, half) = (n as f64 / 2.0, 0.98 * (n as f64).sqrt());
    let low = ((mid - half).floor() as usize).max(1);
    let high = ((mid + half).ceil() as usize + 1).min(n);
    Some((sorted[low - 1], sorted[high - 1]))
}

/// The spread of the per-batch ratios: the 95 % interval of their median, the middle half
/// (25th–75th percentile) and the extremes.
fn load_spread(c: &Comparison) -> String {
    let ratios = batch_ratios(c);
    let (Some(low), Some(high)) = (ratios.first(), ratios.last()) else {
        return "—".to_owned();
    };
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    let interval = median_interval(&ratios).map_or(String::new(), |(from, to)| {
        format!("median within {from:.3}–{to:.3} (95 %); ")
    });
    format!(
        "{interval}middle half {:.3}–{:.3}, all {low:.3}–{high:.3}, {} pairs",
        at(0.25),
        at(0.75),
        ratios.len()
    )
}

/// The median batch ratio and its spread, as one line.
pub fn ratio_and_spread(c: &Comparison) -> String {
    format!("{:.3}; {}", load_ratio(c), load_spread(c))
}

/// The verdict of a client comparison: a call that failed in an interleaved batch makes
/// that batch short, so a run with any is not a measurement.
fn load_verdict(c: &Comparison) -> String {
    let failed = c.interleaved.as_ref().map_or(0, |run| run.errors);
    if failed > 0 {
        return format!("**not measured** ({failed} calls failed in the batches)");
    }
    verdict(load_ratio(c), load_limit(c)).to_owned()
}

fn load_limit(c: &Comparison) -> f64 {
    if c.concurrency == 1 {
        SEQUENTIAL
    } else {
        CONCURRENT
    }
}

fn mode(c: &Comparison) -> String {
    if c.concurrency == 1 {
        "sequential".to_owned()
    } else {
        format!("{} concurrent", c.concurrency)
    }
}

/// The whole document.
pub fn markdown(results: &Results, quick: bool) -> String {
    let mut md = String::new();
    let pairs = pairs(results);
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `cargo run -p molam-bench --release -- all`{}; rerun it rather than \
         editing this file. Every figure below was measured by that run.\n",
        if quick {
            " **--quick (a smoke run: small counts, one round)**"
        } else {
            ""
        }
    );
    let _ = writeln!(
        md,
        "**How to read it.** This machine is shared and drifts, so only *ratios measured in the \
         same run* are compared with targets: the SDK against the raw client or primitive doing \
         the same work. The clients' ratios come from short SDK and raw batches interleaved in \
         one process (the median of the per-batch ratios, with their spread); the core's from \
         criterion rounds run back to back (the median of the rounds' ratios). Absolute figures \
         are there for scale, never asserted. A ratio of 1.00 means the SDK costs nothing over \
         the raw path. For the clients a ratio below 0.95 is reported as noise, not as met (the \
         SDK does strictly more work than the raw client). In the core it is reported as faster: \
         there the SDK's path is its own implementation of the same work (a header template \
         cloned instead of the URL parsed and a header map filled per call, one UTF-8 check of a \
         body instead of one per string), and criterion's rounds are steady. How busy the shared machine was: the load \
         averages below, and the spread of the batch ratios.\n"
    );
    let _ = writeln!(md, "## Machine\n\n| | |\n|---|---|");
    for (name, value) in &results.machine {
        let _ = writeln!(md, "| {name} | {value} |");
    }
    let _ = writeln!(
        md,
        "| measuring time (after the build) | {:.0} s |\n",
        results.seconds
    );

    let _ = writeln!(md, "## Targets (issue 8)\n");
    md.push_str(&targets(results, &pairs));
    let _ = writeln!(
        md,
        "\n## The core (criterion, {} rounds)\n\n`cargo bench -p molam-bench --bench core` \
         (`benches/benches/core.rs`). Response bodies are real answers of the mock's \
         sans-IO handler. *raw* is `serde_json::to_vec` + `http::Request::builder` with the \
         same headers (build), `serde_json::from_slice` into the same type (parse), or \
         HMAC-SHA256 from the `hmac` crate over the same signed payload with a constant-time \
         compare (webhooks).\n",
        results.criterion.len()
    );
    let _ = writeln!(
        md,
        "| work | SDK | raw | SDK / raw | target | verdict |\n|---|---|---|---|---|---|"
    );
    for pair in &pairs {
        let (target, verdict) = match pair.limit {
            Some(limit) => (format!("≤ {limit:.2}"), core_verdict(pair.ratio, limit)),
            None => ("—".to_owned(), "—"),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.3} | {target} | {verdict} |",
            pair.label,
            time(pair.sdk_ns),
            time(pair.raw_ns),
            pair.ratio
        );
    }
    let parse_ns = median(
        results
            .criterion
            .iter()
            .map(|r| r.get("signature_header/parse").copied().unwrap_or(f64::NAN))
            .collect(),
    );
    let _ = writeln!(
        md,
        "| signature_header/parse (alone) | {} | — | — | — | — |",
        time(parse_ns)
    );

    load_section(&mut md, results);
    in_flight_section(&mut md, &results.in_flight);

    for (title, command, outcome) in &results.external {
        let _ = writeln!(md, "\n## {title}\n\n`{command}`, as it printed:\n");
        match outcome {
            Ok(text) if !text.is_empty() => {
                let _ = writeln!(md, "```text\n{text}\n```");
            }
            Ok(_) => {
                let _ = writeln!(md, "(it printed nothing)");
            }
            Err(why) => {
                let _ = writeln!(md, "{why}");
            }
        }
    }
    let notes = external::workspace().join("benches/NOTES.md");
    if let Ok(text) = std::fs::read_to_string(notes) {
        let _ = writeln!(md, "\n{}", text.trim());
    }
    md
}

/// The table of issue 8's targets, also put in the README by the runner.
fn targets(results: &Results, pairs: &[Pair]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| what | SDK / raw | target | verdict |\n|---|---|---|---|"
    );
    for c in &results.load {
        let ratio = load_ratio(c);
        let limit = load_limit(c);
        let _ = writeln!(
            md,
            "| {} client, {}: time per create-payment-intent | {ratio:.3} | ≤ {limit:.2} | {} |",
            c.client,
            mode(c),
            load_verdict(c)
        );
    }
    for pair in pairs {
        let headline =
            pair.label == "webhook_verify/64KiB" || pair.label == "roundtrip/create_payment_intent";
        if let (true, Some(limit)) = (headline, pair.limit) {
            let what = if pair.label.starts_with("webhook") {
                "webhook verify, 64 KiB body, vs raw HMAC-SHA256"
            } else {
                "core build + parse (create-payment-intent) vs serde_json + http::Request"
            };
            let _ = writeln!(
                md,
                "| {what} | {:.3} | ≤ {limit:.2} | {} |",
                pair.ratio,
                core_verdict(pair.ratio, limit)
            );
        }
    }

    md
}

/// The README's `## Performance` figures: the targets table and where it was measured.
pub fn readme_block(results: &Results) -> String {
    let mut md = String::new();
    let facts = |name: &str| {
        results
            .machine
            .iter()
            .find(|(k, _)| k == name)
            .map_or("unknown", |(_, v)| v.as_str())
    };
    let _ = writeln!(
        md,
        "Measured {} on {} ({} logical CPUs), {}; every figure in [BENCHMARKS.md](BENCHMARKS.md).\n",
        facts("date"),
        facts("CPU"),
        facts("logical CPUs (nproc)"),
        facts("rustc"),
    );
    md.push_str(&targets(results, &pairs(results)));
    md
}

fn load_section(md: &mut String, results: &Results) {
    let _ = writeln!(
        md,
        "\n## The clients on loopback ({} rounds)\n\n`benches/src/load.rs`: create-payment-intent \
         against the mock (in the runner's process, 2 server threads) on 127.0.0.1. **The ratio** \
         comes from one process per row holding both clients, which run in short alternating \
         batches (250 sequential calls, or 640 calls 64 at a time; which goes first alternates \
         by pair, after a warm-up batch of each): each pair of batches gives one SDK / raw \
         ratio, the row shows their median, a 95 % confidence interval of that median (from the \
         order statistics, assuming nothing of the distribution) and their spread (middle half, \
         then all). A ratio below 0.95 is reported as noise, never as met: the SDK does strictly more work. The req/s, \
         latency and memory figures come from the rounds, each run in a process of its own (so \
         peak RSS is that client's alone). *raw* sends the very \
         request the core builds (method, URL, headers, body; a fresh idempotency key of the \
         same length per call) through a ureq `Agent` / hyper-util client configured exactly as \
         the SDK's, and decodes the answer into the same `PaymentIntent`. *SDK* is handed one \
         `CreatePaymentIntent` built once (the caller's data, as raw's body is), which it \
         validates and serializes on every call. Concurrent blocking \
         calls are threads sharing one client; async calls are tasks on a 2-thread runtime.\n",
        results.rounds
    );
    let _ = writeln!(
        md,
        "| client | calls | variant | req/s | p50 | p99 | peak RSS | errors | SDK / raw (time per call, median of batches) | the median's 95 % interval; spread of the batch ratios | target | verdict |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for c in &results.load {
        let ratio = load_ratio(c);
        let limit = load_limit(c);
        for (name, runs) in [("raw", &c.raw), ("SDK", &c.sdk)] {
            let med = |f: &dyn Fn(&Outcome) -> f64| median(runs.iter().map(f).collect());
            let errors: usize = runs.iter().map(|o| o.errors).sum();
            let (r, spread, t, v) = if name == "SDK" {
                (
                    format!("{ratio:.3}"),
                    load_spread(c),
                    format!("≤ {limit:.2}"),
                    load_verdict(c),
                )
            } else {
                (String::new(), String::new(), String::new(), String::new())
            };
            let _ = writeln!(
                md,
                "| {} | {} | {name} | {:.0} | {} | {} | {:.1} MiB | {errors} | {r} | {spread} | {t} | {v} |",
                c.client,
                mode(c),
                med(&rps),
                time(med(&|o| o.p50_us * 1e3)),
                time(med(&|o| o.p99_us * 1e3)),
                med(&|o| o.peak_rss_kib as f64) / 1024.0,
            );
        }
    }
}

fn in_flight_section(md: &mut String, in_flight: &Result<InFlight, String>) {
    let _ = writeln!(md, "\n## Async calls in flight\n");
    let run = match in_flight {
        Ok(run) => run,
        Err(why) => {
            let _ = writeln!(md, "Not measured: {why}");
            return;
        }
    };
    let _ = writeln!(
        md,
        "{} create-payment-intent calls started at once on a 2-thread runtime, against a mock \
         that holds every answer {} ms (its `delay` fault), each client in a process of its \
         own. *RSS in flight* is the highest `VmRSS` sampled before the first answer came \
         back; *per call* is (RSS in flight − RSS before) / calls, connection included. \
         *held at the mock* is the most calls the mock was holding at one time.\n",
        run.calls, run.delay_ms
    );
    let _ = writeln!(
        md,
        "| client | RSS before | RSS in flight | per call | held at the mock | succeeded | failed |\n\
         |---|---|---|---|---|---|---|"
    );
    let per_call = |o: &Outcome| {
        (o.in_flight_rss_kib.saturating_sub(o.base_rss_kib)) as f64 / run.calls as f64
    };
    for (name, (o, held)) in [("raw hyper-util", &run.raw), ("molam-tokio", &run.sdk)] {
        let _ = writeln!(
            md,
            "| {name} | {:.1} MiB | {:.1} MiB | {:.1} KiB | {held} | {} | {} |",
            o.base_rss_kib as f64 / 1024.0,
            o.in_flight_rss_kib as f64 / 1024.0,
            per_call(o),
            o.calls,
            o.errors
        );
    }
    // A ratio of memory per call means something only when every call was held.
    let all_held = [&run.raw, &run.sdk]
        .iter()
        .all(|(o, held)| o.errors == 0 && *held >= run.calls as u64);
    if all_held {
        let _ = writeln!(
            md,
            "\nSDK / raw memory per in-flight call: {:.2}.",
            per_call(&run.sdk.0) / per_call(&run.raw.0)
        );
    } else {
        let _ = writeln!(
            md,
            "\nSDK / raw memory per in-flight call: not measured (calls failed, or the mock did \
             not hold them all at once)."
        );
    }
}

#[cfg(test)]
mod tests {
    use super::median_interval;

    #[test]
    fn the_median_interval_is_the_binomial_order_statistics() {
        // For 100 values the 95 % interval of the median is ranks 40 and 61 (1-based).
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(median_interval(&values), Some((40.0, 61.0)));
        // For 600 values, ranks 275 and 326 (they cover the median with probability 0.96).
        let values: Vec<f64> = (1..=600).map(f64::from).collect();
        assert_eq!(median_interval(&values), Some((275.0, 326.0)));
        assert_eq!(median_interval(&[1.0; 9]), None);
    }
}
