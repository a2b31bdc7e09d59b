//! `molam mock`: the stateful local Molam API of `molam-mock`, with all of its flags.

use molam_mock::cli::Cli as MockArgs;
use molam_mock::server::run_until_ctrl_c;

use crate::failure::Failure;

/// Serves the mock until Ctrl-C.
pub fn run(args: MockArgs) -> Result<(), Failure> {
    let (config, options) = args.into_config().map_err(Failure::usage)?;
    run_until_ctrl_c(config, &options, |bound| {
        println!("molam mock listening on {}", bound.base_url());
        if let Some(path) = &options.cert_out {
            println!("certificate written to {}", path.display());
        }
        println!(
            "point a client at it: MOLAM_API_BASE={} MOLAM_ALLOW_INSECURE_HTTP=1 MOLAM_API_KEY=sk_test_…",
            bound.base_url()
        );
        println!("dashboard: {}/__mock/dashboard", bound.base_url());
    })?;
    Ok(())
}
