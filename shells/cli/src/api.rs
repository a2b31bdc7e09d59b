//! The API subcommands: `payment-intents`, `refunds`, `payouts`, `events`, over the blocking
//! client. Flags mirror the API's parameters; every rule (validation, retries, idempotency
//! keys) is the SDK's, none is the CLI's.

use clap::{Args, Subcommand};
use molam_blocking::params::{
    CancelPaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent, CreatePayout, CreateRefund,
    ListEvents, ListParams, ListPaymentIntents, ListPayouts, ListRefunds,
};
use molam_blocking::resources::{
    CancellationReason, Currency, EventType, Metadata, PaymentIntentStatus, PayoutMethod,
    PayoutStatus, RefundReason,
};
use std::io::Write;

use molam_blocking::resources::{List, Resource};
use molam_blocking::{AccountId, ApiResponse, Client, Config, Error, RequestOptions};
use molam_core::pagination::{Pager, Paginate};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::failure::{Failure, Kind};
use crate::output::{list_table, object_table, to_value, with_human_times, Progress};

/// How to reach the API and how to print its answers.
#[derive(Debug, Args)]
pub struct ApiArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Print the API's JSON exactly as sent instead of a table (with --all: one object per
    /// line, JSON Lines, page by page).
    #[arg(long, global = true, help_heading = "API options")]
    json: bool,
}

impl ApiArgs {
    /// The client configuration (see [`ConnectionArgs::config`]).
    pub fn config(&self) -> Result<Config, Failure> {
        self.connection.config()
    }

    /// Whether to print JSON.
    pub fn json(&self) -> bool {
        self.json
    }
}

/// How to reach the API: flags over the `MOLAM_*` environment.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// API key (sk_test_…, sk_live_…, jwt_…). [env: MOLAM_API_KEY]
    #[arg(long, global = true, value_name = "KEY", help_heading = "API options")]
    api_key: Option<String>,
    /// API base URL. [env: MOLAM_API_BASE; default https://api.molam.com]
    #[arg(long, global = true, value_name = "URL", help_heading = "API options")]
    api_base: Option<String>,
    /// Allow plain http:// to a loopback address (local mocks). [env: MOLAM_ALLOW_INSECURE_HTTP]
    #[arg(long, global = true, help_heading = "API options")]
    allow_insecure_http: bool,
    /// Act for this connected account (Molam-Account: acct_…). [env: MOLAM_ACCOUNT]
    #[arg(long, global = true, value_name = "ACCT", help_heading = "API options")]
    account: Option<String>,
}

impl ConnectionArgs {
    /// The client configuration: `MOLAM_*` variables, then these flags. Errors name the flag
    /// and the variable to change.
    pub fn config(&self) -> Result<Config, Failure> {
        self.build_config()
    }

    fn build_config(&self) -> Result<Config, Failure> {
        // Blank variables, and whether a key is there at all, are the core's to judge.
        let env = |name: &str| std::env::var(name).ok();
        let mut builder =
            molam_core::config::ConfigBuilder::from_lookup(env).map_err(ConfigProblem)?;
        if let Some(key) = &self.api_key {
            builder = builder.api_key(key.clone());
        }
        if let Some(base) = &self.api_base {
            builder = builder.api_base(base.clone());
        }
        if self.allow_insecure_http {
            builder = builder.allow_insecure_http(true);
        }
        if let Some(account) = &self.account {
            let account = AccountId::new(account.clone())
                .map_err(|e| Failure::usage(format!("invalid --account: {}", e.reason)))?;
            builder = builder.account(account);
        }
        builder.build().map_err(|e| ConfigProblem(e).into())
    }
}

/// A configuration error on its way to a message naming the CLI's flags.
struct ConfigProblem(molam_core::ConfigError);

impl From<ConfigProblem> for Failure {
    fn from(problem: ConfigProblem) -> Self {
        use molam_core::ConfigError;
        let message = match &problem.0 {
            ConfigError::MissingApiKey => {
                "no API key: pass --api-key or set MOLAM_API_KEY (sk_test_… for the mock)"
                    .to_owned()
            }
            ConfigError::InsecureHttp(host) => format!(
                "plain http:// to {host} needs the opt-in for local mocks: pass \
                 --allow-insecure-http or set MOLAM_ALLOW_INSECURE_HTTP=1"
            ),
            ConfigError::InsecureRemoteHttp(host) => format!(
                "plain http:// to {host} is refused: it is not a loopback host (localhost, \
                 127.0.0.0/8, [::1]); --allow-insecure-http (MOLAM_ALLOW_INSECURE_HTTP) allows \
                 http:// only to those. Use an https:// URL in --api-base or MOLAM_API_BASE"
            ),
            ConfigError::InvalidApiKey => {
                format!("{} (change --api-key or MOLAM_API_KEY)", problem.0)
            }
            ConfigError::InvalidBaseUrl(_) => {
                format!("{} (change --api-base or MOLAM_API_BASE)", problem.0)
            }
            other => format!("invalid configuration: {other}"),
        };
        Failure::usage(message)
    }
}

/// A network failure names the URL that could not be reached.
pub fn name_the_url(failure: Failure, config: &Config) -> Failure {
    if failure.kind() != Kind::Network {
        return failure;
    }
    Failure::new(
        Kind::Network,
        format!(
            "cannot reach the Molam API at {} (--api-base or MOLAM_API_BASE): {failure}",
            config.api_base()
        ),
    )
}

/// `--amount` as a person writes it (`2500`, `25.00`) in the minor unit of `currency`.
fn amount(text: &str, currency: Currency) -> Result<i64, Failure> {
    currency
        .parse_amount("amount", text)
        .map_err(|e| Failure::usage(format!("invalid --amount: {}", e.reason)))
}

/// A refund's `--amount`: a whole number in the charge's minor unit. Only read here: which
/// amounts may be refunded is the core's rule, applied when the call validates its parameters.
fn refund_amount(text: &str) -> Result<i64, Failure> {
    use std::num::IntErrorKind;
    match text.trim().parse::<i64>() {
        Ok(amount) => Ok(amount),
        // Too many digits for an i64 is out of bounds too: the core says what the bounds are.
        Err(e) if *e.kind() == IntErrorKind::PosOverflow => Ok(i64::MAX),
        Err(e) if *e.kind() == IntErrorKind::NegOverflow => Ok(i64::MIN),
        Err(_) => Err(Failure::usage(format!(
            "invalid --amount: {text:?} is not a whole number; a refund's amount is in the \
             charge's minor unit (2500 refunds 25.00 USD, or 2500 XOF)"
        ))),
    }
}

/// An SDK error, with the core's refusal of `amount` named after the flag that set it
/// (`invalid --amount: …`, the reason as the core gives it).
fn naming_amount_flag(error: Error) -> Failure {
    match &error {
        Error::InvalidParams(refused) if refused.field == "amount" => {
            Failure::usage(format!("invalid --amount: {}", refused.reason))
        }
        _ => error.into(),
    }
}

/// `--idempotency-key`, shared by the creating and state-changing calls.
#[derive(Debug, Args)]
pub struct IdempotencyArgs {
    /// Idempotency key for this call (default: a UUID v4 generated once, reused on retries).
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
}

impl IdempotencyArgs {
    fn options(&self) -> Result<RequestOptions, Failure> {
        match &self.idempotency_key {
            Some(key) => Ok(RequestOptions::new().idempotency_key(key.clone())?),
            None => Ok(RequestOptions::new()),
        }
    }
}

/// The list parameters every list takes.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Objects per page, 1–100.
    #[arg(long)]
    limit: Option<u32>,
    /// Start after this object id (next page).
    #[arg(long, value_name = "ID")]
    starting_after: Option<String>,
    /// End before this object id (previous page).
    #[arg(long, value_name = "ID")]
    ending_before: Option<String>,
    /// Created at or after (unix seconds).
    #[arg(long, value_name = "UNIX")]
    created_gte: Option<i64>,
    /// Created at or before (unix seconds).
    #[arg(long, value_name = "UNIX")]
    created_lte: Option<i64>,
    /// Follow `has_more` through every page, 100 objects a request unless --limit says
    /// otherwise (progress on stderr when it is a terminal).
    #[arg(long)]
    all: bool,
}

impl PageArgs {
    fn params(&self) -> ListParams {
        let mut page = ListParams::new();
        // Every page costs a request: --all asks for the largest page the API serves.
        let limit = match (self.limit, self.all) {
            (None, true) => Some(ListParams::MAX_LIMIT),
            (limit, _) => limit,
        };
        if let Some(limit) = limit {
            page = page.limit(limit);
        }
        if let Some(id) = &self.starting_after {
            page = page.starting_after(id.clone());
        }
        if let Some(id) = &self.ending_before {
            page = page.ending_before(id.clone());
        }
        if let Some(t) = self.created_gte {
            page = page.created_gte(t);
        }
        if let Some(t) = self.created_lte {
            page = page.created_lte(t);
        }
        page
    }
}

/// `key=value`, for `--metadata`.
fn metadata_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?} is not key=value"))
}

fn metadata(pairs: &[(String, String)]) -> Metadata {
    let mut metadata = Metadata::new();
    for (key, value) in pairs {
        metadata.insert(key.clone(), value.clone());
    }
    metadata
}

fn currency(code: &str) -> Result<Currency, Failure> {
    Currency::new(code).map_err(|e| Failure::usage(format!("invalid --currency: {}", e.reason)))
}

/// `molam payment-intents …`
#[derive(Debug, Subcommand)]
pub enum PaymentIntentsCommand {
    /// Create a payment intent.
    Create {
        /// Amount: in the minor unit (2500 XOF is 2500, 1000 USD cents is 10.00 USD) or with
        /// the currency's decimals (10.00 USD).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// ISO 4217 currency (any case).
        #[arg(long)]
        currency: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Customer id.
        #[arg(long)]
        customer: Option<String>,
        /// Payment method to attach (pm_card_visa, pm_card_declined, pm_momo_success, …).
        #[arg(long)]
        payment_method: Option<String>,
        /// Where to send the customer after an action.
        #[arg(long)]
        return_url: Option<String>,
        /// Metadata pair key=value; repeatable.
        #[arg(long, value_parser = metadata_pair, value_name = "KEY=VALUE")]
        metadata: Vec<(String, String)>,
        #[command(flatten)]
        idempotency: IdempotencyArgs,
    },
    /// Retrieve a payment intent.
    Retrieve {
        /// pi_…
        id: String,
    },
    /// Confirm a payment intent.
    Confirm {
        /// pi_…
        id: String,
        /// Payment method (default: the one attached).
        #[arg(long)]
        payment_method: Option<String>,
        /// Where to send the customer after an action.
        #[arg(long)]
        return_url: Option<String>,
        #[command(flatten)]
        idempotency: IdempotencyArgs,
    },
    /// Cancel a payment intent that has not succeeded.
    Cancel {
        /// pi_…
        id: String,
        /// duplicate, fraudulent, requested_by_customer or abandoned.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        idempotency: IdempotencyArgs,
    },
    /// List payment intents, newest first.
    List {
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// `molam refunds …`
#[derive(Debug, Subcommand)]
pub enum RefundsCommand {
    /// Refund a charge (the payment intent's latest_charge).
    Create {
        /// ch_…
        #[arg(long)]
        charge: String,
        /// Amount to refund in the charge's minor unit (default: what is left).
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<String>,
        /// duplicate, fraudulent or requested_by_customer.
        #[arg(long)]
        reason: Option<String>,
        /// Metadata pair key=value; repeatable.
        #[arg(long, value_parser = metadata_pair, value_name = "KEY=VALUE")]
        metadata: Vec<(String, String)>,
        #[command(flatten)]
        idempotency: IdempotencyArgs,
    },
    /// Retrieve a refund.
    Retrieve {
        /// re_…
        id: String,
    },
    /// List refunds, newest first.
    List {
        /// Only the refunds of this payment intent.
        #[arg(long, value_name = "ID")]
        payment_intent: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// `molam payouts …`
#[derive(Debug, Subcommand)]
pub enum PayoutsCommand {
    /// Create a payout.
    Create {
        /// Amount: in the minor unit (2500) or with the currency's decimals (25.00 USD).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// ISO 4217 currency (any case).
        #[arg(long)]
        currency: String,
        /// bank_transfer or mobile_money.
        #[arg(long)]
        method: String,
        /// Bank account or mobile money number.
        #[arg(long)]
        destination: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Metadata pair key=value; repeatable.
        #[arg(long, value_parser = metadata_pair, value_name = "KEY=VALUE")]
        metadata: Vec<(String, String)>,
        #[command(flatten)]
        idempotency: IdempotencyArgs,
    },
    /// Retrieve a payout.
    Retrieve {
        /// po_…
        id: String,
    },
    /// Cancel a payout while it is pending.
    Cancel {
        /// po_…
        id: String,
        #[command(flatten)]
        idempotency: IdempotencyArgs,
    },
    /// List payouts, newest first.
    List {
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// `molam events …`
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Retrieve an event.
    Retrieve {
        /// evt_…
        id: String,
    },
    /// List events, newest first.
    List {
        /// Only this type (payment_intent.succeeded, payout.*, …).
        #[arg(long = "type", value_name = "TYPE")]
        event_type: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
}

const INTENT_FIELDS: &[&str] = &[
    "id",
    "status",
    "amount",
    "currency",
    "payment_method",
    "latest_charge",
    "amount_received",
    "amount_refunded",
    "description",
    "created",
];
const INTENT_COLUMNS: &[&str] = &["id", "status", "amount", "currency", "created"];
const REFUND_FIELDS: &[&str] = &[
    "id",
    "status",
    "amount",
    "currency",
    "charge",
    "payment_intent",
    "reason",
    "created",
];
const REFUND_COLUMNS: &[&str] = &[
    "id",
    "status",
    "amount",
    "currency",
    "payment_intent",
    "created",
];
const PAYOUT_FIELDS: &[&str] = &[
    "id",
    "status",
    "amount",
    "currency",
    "method",
    "destination",
    "arrival_date",
    "created",
];
const PAYOUT_COLUMNS: &[&str] = &["id", "status", "amount", "currency", "method", "created"];
const EVENT_FIELDS: &[&str] = &["id", "type", "created", "api_version"];
const EVENT_COLUMNS: &[&str] = &["id", "type", "object_id", "created"];

/// What a command prints.
pub struct Printer {
    json: bool,
}

impl Printer {
    /// Prints JSON or tables.
    pub fn new(json: bool) -> Self {
        Printer { json }
    }

    fn one<T: Serialize>(&self, response: ApiResponse<T>, fields: &[&str]) -> String {
        if self.json {
            return String::from_utf8_lossy(response.raw_body()).into_owned();
        }
        let request_id = response.request_id().map(str::to_owned);
        let value = to_value(&response.into_inner());
        let mut text = object_table(&with_human_times(value), fields);
        if let Some(request_id) = request_id {
            text.push_str(&format!("\n\nrequest {request_id}"));
        }
        text
    }

    fn many(&self, items: Vec<Value>, has_more: bool, columns: &[&str]) -> String {
        let items: Vec<Value> = items.into_iter().map(with_human_times).collect();
        let mut text = list_table(&items, columns);
        if has_more {
            text.push_str("\n(more: use --starting-after with the last id, or --all)");
        }
        text
    }
}

/// A page's objects exactly as the API sent them.
#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
}

/// Lists one page, or with `all` every page (the core's [`Pager`] picks each next page).
/// `--json` prints the page's body as sent, or with `all` each object as sent on its own
/// line, written page by page so that memory stays one page whatever the list's length; a
/// table has a row per object (`row` adds derived columns) and progress on a terminal.
fn list<P: Paginate, T: Serialize + Resource>(
    printer: &Printer,
    all: bool,
    params: P,
    mut fetch: impl FnMut(&P) -> Result<ApiResponse<List<T>>, Error>,
    (columns, row): (&[&str], fn(Value) -> Value),
) -> Result<String, Failure> {
    if !all {
        let page = fetch(&params)?;
        if printer.json {
            return Ok(String::from_utf8_lossy(page.raw_body()).into_owned());
        }
        let has_more = page.has_more;
        let items = page.data.iter().map(|item| row(to_value(item))).collect();
        return Ok(printer.many(items, has_more, columns));
    }
    let mut pager = Pager::new(params);
    let mut items = Vec::new();
    let (mut fetched, progress) = (0, Progress::start("every page"));
    let mut stdout = std::io::stdout().lock();
    while let Some(next) = pager.next_params().cloned() {
        let page = fetch(&next)?;
        fetched += page.data.len();
        if printer.json {
            let raw: RawPage<'_> = serde_json::from_slice(page.raw_body()).map_err(|e| {
                Failure::other(format!("a page of the list is not a JSON list: {e}"))
            })?;
            for object in raw.data {
                writeln!(stdout, "{}", object.get()).map_err(write_failed)?;
            }
            stdout.flush().map_err(write_failed)?;
        } else {
            items.extend(page.data.iter().map(|item| row(to_value(item))));
        }
        progress.fetched(fetched);
        pager.advance(&page);
    }
    progress.finish();
    Ok(if printer.json {
        String::new()
    } else {
        printer.many(items, false, columns)
    })
}

fn write_failed(error: std::io::Error) -> Failure {
    Failure::other(format!("cannot write to stdout: {error}"))
}

fn identity(object: Value) -> Value {
    object
}

/// The `object_id` column of the events table (a table only: `--json` prints events as sent).
fn with_object_id(mut event: Value) -> Value {
    let id = event
        .pointer("/data/object/id")
        .cloned()
        .unwrap_or(Value::Null);
    if let Value::Object(map) = &mut event {
        map.insert("object_id".to_owned(), id);
    }
    event
}

/// Runs a `payment-intents` subcommand.
pub fn payment_intents(
    client: &Client,
    printer: &Printer,
    command: PaymentIntentsCommand,
) -> Result<String, Failure> {
    Ok(match command {
        PaymentIntentsCommand::Create {
            amount: amount_text,
            currency: code,
            description,
            customer,
            payment_method,
            return_url,
            metadata: pairs,
            idempotency,
        } => {
            let currency = currency(&code)?;
            let mut params = CreatePaymentIntent::new(amount(&amount_text, currency)?, currency)
                .metadata(metadata(&pairs));
            if let Some(v) = description {
                params = params.description(v);
            }
            if let Some(v) = customer {
                params = params.customer(v);
            }
            if let Some(v) = payment_method {
                params = params.payment_method(v);
            }
            if let Some(v) = return_url {
                params = params.return_url(v);
            }
            let response = client
                .with_options(idempotency.options()?)
                .payment_intents()
                .create(&params)
                .map_err(naming_amount_flag)?;
            printer.one(response, INTENT_FIELDS)
        }
        PaymentIntentsCommand::Retrieve { id } => {
            printer.one(client.payment_intents().retrieve(&id)?, INTENT_FIELDS)
        }
        PaymentIntentsCommand::Confirm {
            id,
            payment_method,
            return_url,
            idempotency,
        } => {
            let mut params = ConfirmPaymentIntent::new();
            if let Some(v) = payment_method {
                params = params.payment_method(v);
            }
            if let Some(v) = return_url {
                params = params.return_url(v);
            }
            let response = client
                .with_options(idempotency.options()?)
                .payment_intents()
                .confirm(&id, &params)?;
            printer.one(response, INTENT_FIELDS)
        }
        PaymentIntentsCommand::Cancel {
            id,
            reason,
            idempotency,
        } => {
            let mut params = CancelPaymentIntent::new();
            if let Some(reason) = reason {
                params = params.cancellation_reason(CancellationReason::from_wire(&reason));
            }
            let response = client
                .with_options(idempotency.options()?)
                .payment_intents()
                .cancel(&id, &params)?;
            printer.one(response, INTENT_FIELDS)
        }
        PaymentIntentsCommand::List { status, page } => {
            let mut params = ListPaymentIntents::new().page(page.params());
            if let Some(status) = status {
                params = params.status(PaymentIntentStatus::from_wire(&status));
            }
            let handle = client.payment_intents();
            list(
                printer,
                page.all,
                params,
                |p| handle.list(p),
                (INTENT_COLUMNS, identity),
            )?
        }
    })
}

/// Runs a `refunds` subcommand.
pub fn refunds(
    client: &Client,
    printer: &Printer,
    command: RefundsCommand,
) -> Result<String, Failure> {
    Ok(match command {
        RefundsCommand::Create {
            charge,
            amount,
            reason,
            metadata: pairs,
            idempotency,
        } => {
            let mut params = CreateRefund::new().metadata(metadata(&pairs));
            if let Some(text) = amount {
                params = params.amount(refund_amount(&text)?);
            }
            if let Some(reason) = reason {
                params = params.reason(RefundReason::from_wire(&reason));
            }
            let response = client
                .with_options(idempotency.options()?)
                .refunds()
                .create(&charge, &params)
                .map_err(naming_amount_flag)?;
            printer.one(response, REFUND_FIELDS)
        }
        RefundsCommand::Retrieve { id } => {
            printer.one(client.refunds().retrieve(&id)?, REFUND_FIELDS)
        }
        RefundsCommand::List {
            payment_intent,
            page,
        } => {
            let mut params = ListRefunds::new().page(page.params());
            if let Some(id) = payment_intent {
                params = params.payment_intent(id);
            }
            let handle = client.refunds();
            list(
                printer,
                page.all,
                params,
                |p| handle.list(p),
                (REFUND_COLUMNS, identity),
            )?
        }
    })
}

/// Runs a `payouts` subcommand.
pub fn payouts(
    client: &Client,
    printer: &Printer,
    command: PayoutsCommand,
) -> Result<String, Failure> {
    Ok(match command {
        PayoutsCommand::Create {
            amount: amount_text,
            currency: code,
            method,
            destination,
            description,
            metadata: pairs,
            idempotency,
        } => {
            let currency = currency(&code)?;
            let mut params = CreatePayout::new(
                amount(&amount_text, currency)?,
                currency,
                PayoutMethod::from_wire(&method),
                destination,
            )
            .metadata(metadata(&pairs));
            if let Some(v) = description {
                params = params.description(v);
            }
            let response = client
                .with_options(idempotency.options()?)
                .payouts()
                .create(&params)
                .map_err(naming_amount_flag)?;
            printer.one(response, PAYOUT_FIELDS)
        }
        PayoutsCommand::Retrieve { id } => {
            printer.one(client.payouts().retrieve(&id)?, PAYOUT_FIELDS)
        }
        PayoutsCommand::Cancel { id, idempotency } => {
            let response = client
                .with_options(idempotency.options()?)
                .payouts()
                .cancel(&id)?;
            printer.one(response, PAYOUT_FIELDS)
        }
        PayoutsCommand::List { status, page } => {
            let mut params = ListPayouts::new().page(page.params());
            if let Some(status) = status {
                params = params.status(PayoutStatus::from_wire(&status));
            }
            let handle = client.payouts();
            list(
                printer,
                page.all,
                params,
                |p| handle.list(p),
                (PAYOUT_COLUMNS, identity),
            )?
        }
    })
}

/// Runs an `events` subcommand.
pub fn events(
    client: &Client,
    printer: &Printer,
    command: EventsCommand,
) -> Result<String, Failure> {
    Ok(match command {
        EventsCommand::Retrieve { id } => printer.one(client.events().retrieve(&id)?, EVENT_FIELDS),
        EventsCommand::List { event_type, page } => {
            let mut params = ListEvents::new().page(page.params());
            if let Some(t) = event_type {
                params = params.event_type(EventType::from_wire(&t));
            }
            let handle = client.events();
            let columns = (EVENT_COLUMNS, with_object_id as fn(Value) -> Value);
            list(printer, page.all, params, |p| handle.list(p), columns)?
        }
    })
}
