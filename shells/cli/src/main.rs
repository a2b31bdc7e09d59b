//! `molam`: the Molam command line.
//!
//! Exit codes: 0 success, 1 other failure, 2 usage or configuration, 3 API error, 4 network,
//! 5 webhook signature, 6 database (see `failure.rs`).
#![forbid(unsafe_code)]

mod api;
mod demo;
mod failure;
mod http_client;
mod listen;
mod migrate;
mod mock;
mod output;
mod trigger;
mod webhooks;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

/// The Molam command line: a local mock API, webhook tools, API calls and migrations.
#[derive(Debug, Parser)]
#[command(name = "molam", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the stateful mock Molam API on 127.0.0.1 (payments, refunds, payouts, events,
    /// signed webhooks, fault injection).
    Mock(molam_mock::cli::Cli),
    /// Receive webhooks locally, verify them, print a line each, and forward them.
    Listen(listen::ListenArgs),
    /// Create, confirm, cancel, retrieve and list payment intents.
    PaymentIntents {
        #[command(flatten)]
        api: api::ApiArgs,
        #[command(subcommand)]
        command: api::PaymentIntentsCommand,
    },
    /// Refund charges; retrieve and list refunds.
    Refunds {
        #[command(flatten)]
        api: api::ApiArgs,
        #[command(subcommand)]
        command: api::RefundsCommand,
    },
    /// Create, cancel, retrieve and list payouts.
    Payouts {
        #[command(flatten)]
        api: api::ApiArgs,
        #[command(subcommand)]
        command: api::PayoutsCommand,
    },
    /// Retrieve and list events.
    Events {
        #[command(flatten)]
        api: api::ApiArgs,
        #[command(subcommand)]
        command: api::EventsCommand,
    },
    /// Make an event happen: perform the API calls that cause it (payment_intent.succeeded,
    /// payout.failed, …; --list shows them all) and print what was created.
    Trigger(trigger::TriggerArgs),
    /// Sign or verify webhook bodies (read from stdin).
    Webhooks {
        #[command(subcommand)]
        command: webhooks::WebhooksCommand,
    },
    /// Apply the PostgreSQL schema (idempotency store, webhook inbox, secrets) to DATABASE_URL.
    Migrate(migrate::MigrateArgs),
    /// Run a checkout end to end against an in-process mock, with a webhook endpoint and
    /// inbox worker, and print the timeline (PostgreSQL when DATABASE_URL is set).
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    // RUST_LOG=molam=debug prints the SDK's spans to stderr (never a key or a secret).
    molam_mock::logging::init_from_env("molam");
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("molam: {failure}");
            failure.exit_code()
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::PaymentIntents { api, command } => with_client(&api, |client, printer| {
            api::payment_intents(client, printer, command)
        }),
        Command::Refunds { api, command } => with_client(&api, |client, printer| {
            api::refunds(client, printer, command)
        }),
        Command::Payouts { api, command } => with_client(&api, |client, printer| {
            api::payouts(client, printer, command)
        }),
        Command::Events { api, command } => with_client(&api, |client, printer| {
            api::events(client, printer, command)
        }),
        Command::Trigger(args) => trigger::run(args),
        Command::Demo(args) => runtime()?.block_on(demo::run(args)),
        Command::Mock(args) => mock::run(args),
        Command::Listen(args) => runtime()?.block_on(listen::run(args)),
        Command::Webhooks { command } => {
            println!("{}", webhooks::run(command, output::unix_now())?);
            Ok(())
        }
        Command::Migrate(args) => {
            println!("{}", runtime()?.block_on(migrate::run(args))?);
            Ok(())
        }
    }
}

/// Runs an API command with a client made from `api` and prints what it returns; a network
/// failure names the URL that could not be reached.
fn with_client(
    api: &api::ApiArgs,
    command: impl FnOnce(&molam_blocking::Client, &api::Printer) -> Result<String, Failure>,
) -> Result<(), Failure> {
    let config = api.config()?;
    let client = molam_blocking::Client::new(config.clone())?;
    let printed = command(&client, &api::Printer::new(api.json()))
        .map_err(|failure| api::name_the_url(failure, &config))?;
    // Streamed output (`--all --json`) was written as it came.
    if !printed.is_empty() {
        println!("{printed}");
    }
    Ok(())
}

/// A small multi-thread runtime for the commands that serve or talk to PostgreSQL.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))
}
