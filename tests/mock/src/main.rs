//! `molam-mock`: the stateful local Molam API on 127.0.0.1. See `--help`.

use std::process::ExitCode;

use clap::Parser;
use molam_mock::cli::Cli;
use molam_mock::server::run_until_ctrl_c;

fn main() -> ExitCode {
    molam_mock::logging::init_from_env("molam-mock");
    let (config, options) = match Cli::parse().into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("molam-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let result = run_until_ctrl_c(config, &options, |bound| {
        println!("molam-mock listening on {}", bound.base_url());
        if let Some(path) = &options.cert_out {
            println!("certificate written to {}", path.display());
        }
        println!(
            "point a client at it: MOLAM_API_BASE={} MOLAM_ALLOW_INSECURE_HTTP=1",
            bound.base_url()
        );
        println!("dashboard: {}/__mock/dashboard", bound.base_url());
    });
    match result {
        Ok(()) => {
            println!("molam-mock stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("molam-mock: {e}");
            ExitCode::FAILURE
        }
    }
}
