//! `spotnana`: every Spotnana operation from a shell, and as tools for an
//! agent over MCP (feature `cli`).
//!
//! ```text
//! spotnana ops --api company                 # what there is
//! spotnana --sandbox call listCompanies      # call one, JSON on stdout
//! spotnana schema readCompany                # its input and output schemas
//! spotnana --sandbox mcp                     # an MCP server on stdio
//! ```
//!
//! Credentials come from the environment as for `Client::from_env()`
//! (`SPOTNANA_CLIENT_ID`, `SPOTNANA_CLIENT_SECRET`, optional
//! `SPOTNANA_BASE_URL`); `--sandbox` runs a local sandbox instead. Operations
//! that book, cancel, modify or delete (`spotnana::Access::Destructive`) run
//! only with `--allow-writes`.

mod mcp;

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use spotnana::{Access, Client, Error, Operation};

/// Every Spotnana operation from the command line, and an MCP server for agents.
#[derive(Parser)]
#[command(name = "spotnana", version, after_help = EXIT_CODES)]
struct Cli {
    /// Run against a local sandbox (offline, no credentials) instead of
    /// SPOTNANA_BASE_URL with SPOTNANA_CLIENT_ID and SPOTNANA_CLIENT_SECRET.
    #[arg(long, global = true)]
    sandbox: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the operations: id, method, path, access and summary.
    Ops {
        /// Only the operations of this API (company, air, trip, ...).
        #[arg(long)]
        api: Option<String>,
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Call one operation and print its JSON answer on stdout.
    Call {
        /// The operation id, as `spotnana ops` lists it (listCompanies).
        operation: String,
        /// The input object: path and query parameters by name, the body
        /// under "body". JSON text, @FILE, or - for standard input.
        #[arg(long, default_value = "{}")]
        input: String,
        /// Print the request that would be sent (method, URL, headers, body)
        /// and send nothing. It carries no token.
        #[arg(long)]
        dry_run: bool,
        /// Allow an operation that books, cancels, modifies or deletes.
        #[arg(long)]
        allow_writes: bool,
    },
    /// Print an operation's input and output JSON Schemas.
    Schema {
        /// The operation id.
        operation: String,
    },
    /// Serve the operations as MCP tools on stdin and stdout. Only read-only
    /// operations are offered unless --allow names more.
    Mcp {
        /// Also offer this operation or every operation of this API
        /// (repeatable). Destructive ones also need --allow-writes.
        #[arg(long, value_name = "OPERATION_OR_API")]
        allow: Vec<String>,
        /// Let --allow offer operations that book, cancel, modify or delete.
        #[arg(long)]
        allow_writes: bool,
    },
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 input/output failure; 2 bad arguments or invalid input \
(nothing was sent); 3 configuration (credentials missing or malformed); 4 no token could be obtained; 5 Spotnana \
answered an error status; 6 timeout; 7 could not connect; 8 connection failed; 9 the answer did not decode; 10 \
refused: the operation books, cancels, modifies or deletes and --allow-writes was not given.";

/// What ended the program: its message for stderr and its exit code.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure { message: message.into(), code }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure::new(exit_code(&error), error.to_string())
    }
}

/// The exit code of each kind of SDK error (listed in `EXIT_CODES`).
pub(crate) fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidRequest(_) => 2,
        Error::Config(_) => 3,
        Error::Auth(_) => 4,
        Error::Api(_) => 5,
        Error::Timeout(_) => 6,
        Error::Connect(_) => 7,
        Error::Transport(_) => 8,
        Error::Decode(_) => 9,
        _ => 1,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("spotnana: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("spotnana: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Ops { api, json } => ops(api.as_deref(), json),
        Command::Schema { operation } => {
            let op = find(&operation)?;
            print_json(&json!({ "input": op.input_schema, "output": op.output_schema }))
        }
        Command::Call { operation, input, dry_run, allow_writes } => {
            let op = find(&operation)?;
            let input = read_input(&input)?;
            if dry_run {
                let client = dry_run_client()?;
                return print_json(&describe(&client.request_json(&op.id, input)?));
            }
            if op.access == Access::Destructive && !allow_writes {
                return Err(Failure::new(
                    10,
                    format!("{} books, cancels, modifies or deletes; pass --allow-writes to run it", op.id),
                ));
            }
            let (client, _sandbox) = connect(cli.sandbox).await?;
            let mut answer = client.call_json(&op.id, input).await?;
            spotnana::redact_secrets(&mut answer);
            print_json(&answer)
        }
        Command::Mcp { allow, allow_writes } => {
            let policy = mcp::Policy::new(&allow, allow_writes).map_err(|m| Failure::new(2, m))?;
            let (client, _sandbox) = connect(cli.sandbox).await?;
            mcp::serve(client, policy).await.map_err(|m| Failure::new(1, m))
        }
    }
}

fn find(id: &str) -> Result<&'static Operation, Failure> {
    spotnana::operation(id).ok_or_else(|| {
        let near: Vec<&str> = spotnana::operations()
            .iter()
            .map(|op| op.id.as_str())
            .filter(|other| other.eq_ignore_ascii_case(id))
            .collect();
        let hint = near.first().map_or(String::new(), |n| format!(" (did you mean {n}?)"));
        Failure::new(2, format!("no operation `{id}`{hint}; `spotnana ops` lists them"))
    })
}

fn ops(api: Option<&str>, as_json: bool) -> Result<(), Failure> {
    if let Some(api) = api {
        if !spotnana::enabled_apis().any(|a| a == api) {
            let apis = spotnana::enabled_apis().collect::<Vec<_>>().join(", ");
            return Err(Failure::new(2, format!("no API `{api}` in this build; it has {apis}")));
        }
    }
    let listed: Vec<&Operation> =
        spotnana::operations().iter().filter(|op| api.is_none_or(|a| op.apis.iter().any(|x| x == a))).collect();
    if as_json {
        let rows: Vec<Value> = listed
            .iter()
            .map(|op| {
                json!({
                    "id": op.id, "method": op.method, "path": op.path, "summary": op.summary,
                    "apis": op.apis, "access": op.access.as_str(),
                })
            })
            .collect();
        return print_json(&Value::from(rows));
    }
    let mut out = String::new();
    for op in listed {
        out.push_str(&format!("{:<40} {:<6} {:<11} {:<60} {}\n", op.id, op.method, op.access, op.path, op.summary));
    }
    write_stdout(&out)
}

/// The input argument as JSON: text, `@file`, or `-` for standard input.
fn read_input(input: &str) -> Result<Value, Failure> {
    let text = if input == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::new(1, format!("could not read the input from stdin: {e}")))?;
        text
    } else if let Some(path) = input.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|e| Failure::new(1, format!("could not read the input file {path}: {e}")))?
    } else {
        input.to_string()
    };
    serde_json::from_str(&text).map_err(|e| Failure::new(2, format!("the input is not JSON: {e}")))
}

/// A client for building requests only: it never sends, so it needs no
/// credentials and holds no real token.
fn dry_run_client() -> Result<Client, Failure> {
    let mut builder = Client::builder().with_static_token("dry-run: never sent");
    if let Ok(url) = std::env::var("SPOTNANA_BASE_URL") {
        builder = builder.with_base_url(url);
    }
    builder.build().map_err(|e| Failure::from(Error::from(e)))
}

/// The client for real calls, and the sandbox it talks to (kept alive by
/// the caller) with `--sandbox`.
async fn connect(sandbox: bool) -> Result<(Client, Option<spotnana::sandbox::Sandbox>), Failure> {
    if !sandbox {
        let client = Client::from_env()
            .map_err(|e| Failure::new(3, format!("{e}; or pass --sandbox to run against a local sandbox")))?;
        return Ok((client, None));
    }
    let sandbox = spotnana::sandbox::Sandbox::start()
        .await
        .map_err(|e| Failure::new(1, format!("could not start the sandbox: {e}")))?;
    let client = sandbox.client().map_err(|e| Failure::from(Error::from(e)))?;
    Ok((client, Some(sandbox)))
}

/// A request as JSON: method, URL, headers (no `Authorization`: none is
/// added before sending) and body.
fn describe(request: &reqwest::Request) -> Value {
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .iter()
        .filter(|(name, _)| *name != reqwest::header::AUTHORIZATION)
        .map(|(name, value)| (name.to_string(), Value::from(value.to_str().unwrap_or("(not text)"))))
        .collect();
    let form = headers.get("content-type").is_some_and(|t| t == "application/x-www-form-urlencoded");
    let mut body = request.body().and_then(|b| b.as_bytes()).map_or(Value::Null, |bytes| {
        if form {
            // As an object, so that its secrets are found and blanked.
            let pairs = url::form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), Value::from(v.into_owned())));
            return Value::Object(pairs.collect());
        }
        serde_json::from_slice(bytes).unwrap_or_else(|_| Value::from(String::from_utf8_lossy(bytes).into_owned()))
    });
    spotnana::redact_secrets(&mut body);
    json!({ "method": request.method().as_str(), "url": request.url().as_str(), "headers": headers, "body": body })
}

fn print_json(value: &Value) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Failure::new(1, e.to_string()))?;
    text.push('\n');
    write_stdout(&text)
}

/// Writes to stdout; a closed pipe (`| head`) ends the program quietly.
fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(1, format!("writing stdout: {e}"))),
        _ => Ok(()),
    }
}
