//! Conformance against Prism, an independent OpenAPI mock server, run on
//! 127.0.0.1 from the npm registry's `@stoplight/prism-cli` (installed into
//! `tools/prism/` by `cargo xtask test`).
//!
//! - Requests: every operation is called through the SDK against Prism serving
//!   Spotnana's *upstream* documents; Prism must accept all of them (no 4xx with
//!   an `sl-violations` header).
//! - Responses: static mode (examples) and dynamic mode (`-d`, five runs), against
//!   the upstream documents and the normalised one, all with `--errors`, so a
//!   response Prism itself judges invalid comes back as a 500 naming its
//!   violations ("mock data invalid"). Every response Prism judges valid must
//!   decode into its typed model.
//!
//! - Prism's known limits are counted as "mock data invalid", never as passes:
//!   responses its validator flags, 500s it could not build, and its static
//!   mode's `{}` in place of a `$ref` with sibling keys (which its validator
//!   misses; recognised at the exact position the decoder stopped). A Prism
//!   process that dies mid-run is restarted and the run repeated.
//!
//! Ignored by plain `cargo test` because it needs Node and Prism; `cargo xtask
//! test` (the README's test command, run by CI) installs Prism and runs it.

mod support;

#[path = "every_operation/calls.rs"]
mod calls;

use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use spotnana::{Client, Error, RetryPolicy};
use support::inputs::Inputs;

/// Dynamic-mode runs; `PRISM_DYNAMIC_RUNS` may lower it while developing.
fn dynamic_runs() -> usize {
    std::env::var("PRISM_DYNAMIC_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5)
}

/// Calls in flight at once per mode.
const CONCURRENCY: usize = 6;

/// Rounds of restarting dead Prism processes and repeating their calls.
const MAX_ROUNDS: usize = 8;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn prism_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("PRISM_BIN") {
        return bin.into();
    }
    let bin = root().join("tools/prism/node_modules/.bin/prism");
    assert!(bin.exists(), "Prism is not installed: run `cargo xtask test`, or `npm ci --prefix tools/prism`");
    bin
}

/// A Prism process serving one document; killed on drop.
struct Prism {
    child: Child,
    url: String,
    doc: PathBuf,
    dynamic: bool,
}

impl Prism {
    /// Whether the process has exited (Prism 5.16 in dynamic mode sometimes dies).
    fn exited(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_some()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port()
}

fn start_prism(doc: &Path, dynamic: bool) -> Prism {
    let port = free_port();
    let mut cmd = Command::new(prism_bin());
    cmd.args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()]);
    if dynamic {
        cmd.arg("-d");
    }
    // Prism's own log, kept for explaining crashes: target/prism-logs/.
    let logs = root().join("target/prism-logs");
    let _ = std::fs::create_dir_all(&logs);
    let stem = doc.file_stem().map_or("doc".into(), |s| s.to_string_lossy().into_owned());
    let log = std::fs::File::create(logs.join(format!("{stem}-{}-{port}.log", if dynamic { "dynamic" } else { "static" })))
        .map_or_else(|_| Stdio::null(), Stdio::from);
    let err = std::fs::File::create(logs.join(format!("{stem}-{port}.stderr.log"))).map_or_else(|_| Stdio::null(), Stdio::from);
    let child = cmd.arg(doc).stdout(log).stderr(err).spawn().expect("Prism starts");
    Prism { child, url: format!("http://127.0.0.1:{port}"), doc: doc.to_path_buf(), dynamic }
}

fn wait_ready(servers: &[&Prism]) {
    let deadline = Instant::now() + Duration::from_secs(120);
    for prism in servers {
        let addr = prism.url.trim_start_matches("http://").to_string();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "Prism did not start listening on {addr} within 120 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Which upstream document defines each operation id.
fn upstream_owner() -> BTreeMap<String, PathBuf> {
    let mut owner = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("openapi/upstream"))
        .expect("upstream documents")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        for item in doc["paths"].as_object().into_iter().flatten().map(|(_, i)| i) {
            for op in item.as_object().into_iter().flatten().map(|(_, o)| o) {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    owner.entry(id.to_string()).or_insert_with(|| file.clone());
                }
            }
        }
    }
    owner
}

/// Prism answered 500 with no violations: it could not build a response at all.
const NO_RESPONSE: &str = "Prism could not build a response (HTTP 500, no violations)";

#[derive(Default, Debug)]
struct Tally {
    accepted: usize,
    rejected: Vec<String>,
    decoded: usize,
    decode_failures: Vec<String>,
    mock_invalid: BTreeMap<String, Vec<String>>,
    not_served: Vec<String>,
    connections_dropped: usize,
}

/// Groups a violation list into a cause: the first violation's code and the
/// schema keyword path with array indices folded.
fn cause(violations: &str) -> String {
    let parsed: Vec<Value> = serde_json::from_str(violations).unwrap_or_default();
    let Some(first) = parsed.first() else { return NO_RESPONSE.into() };
    let message = first["message"].as_str().unwrap_or("?");
    let code = first["code"].as_str().unwrap_or("?");
    let deep = first["location"].as_array().map_or(0, |l| l.len());
    let recursion = message.contains("otherCoinage") || deep > 12;
    if recursion {
        format!("recursive schema truncated by Prism ({code})")
    } else if message.contains("must match format") {
        format!("Prism generated a value outside its format ({code}: {})", message.rsplit(' ').next().unwrap_or(""))
    } else {
        format!("{code}: {}", message.split(" must ").nth(1).unwrap_or(message))
    }
}

/// Prism's static mode writes `{}` (its `{"$ref": null}` with the null
/// dropped) in place of every `$ref` that has sibling keys, and its validator,
/// which skips such `$ref`s, lets the result through. A decode failure whose
/// position is such an object is that artefact, not the SDK's.
const REF_SIBLING_ARTEFACT: &str = "Prism's `$ref`-with-siblings artefact: `{}` in place of the referenced schema (Prism's validator skips such `$ref`s)";

/// The body up to the position serde_json names in `reason` ("... at line 1 column N").
fn before_failure<'a>(reason: &str, body: &'a [u8]) -> Option<&'a [u8]> {
    let column: usize = reason.rsplit("column ").next()?.trim().parse().ok()?;
    reason.contains("at line 1 column").then(|| &body[..column.min(body.len())])
}

fn is_ref_sibling_artefact(reason: &str, body: &[u8]) -> bool {
    before_failure(reason, body).is_some_and(|b| {
        let text = String::from_utf8_lossy(b);
        let text = text.trim_end();
        text.ends_with("{}") || text.ends_with("{\"$ref\":null}")
    })
}

fn classify(tally: &mut Tally, id: &str, result: Result<(), Error>, upstream: bool) {
    match result {
        Ok(()) => {
            tally.accepted += 1;
            tally.decoded += 1;
        }
        Err(Error::Api(api)) => {
            let violations = api.headers().get("sl-violations").and_then(|v| v.to_str().ok()).map(str::to_string);
            let status = api.status().as_u16();
            match violations {
                Some(v) if status < 500 && v.contains("\"request\"") => tally.rejected.push(format!("{id}: HTTP {status} {v}")),
                Some(v) => {
                    tally.accepted += 1;
                    tally.mock_invalid.entry(cause(&v)).or_default().push(id.to_string());
                }
                None if status == 404 => tally.not_served.push(id.to_string()),
                None if status >= 500 => {
                    tally.accepted += 1;
                    tally.mock_invalid.entry(NO_RESPONSE.to_string()).or_default().push(id.to_string());
                }
                None => tally.rejected.push(format!("{id}: HTTP {status} without violations")),
            }
        }
        Err(Error::Decode(d)) => {
            tally.accepted += 1;
            let body = d.body().unwrap_or_default();
            if upstream && is_ref_sibling_artefact(&d.reason, body) {
                tally.mock_invalid.entry(REF_SIBLING_ARTEFACT.to_string()).or_default().push(id.to_string());
                return;
            }
            let context = before_failure(&d.reason, body).map(|b| String::from_utf8_lossy(&b[b.len().saturating_sub(160)..]).into_owned());
            tally.decode_failures.push(format!("{id}: {d}; just before the failure: {context:?}"));
        }
        Err(e) => tally.rejected.push(format!("{id}: {e}")),
    }
}

/// Calls `ids`, classifying each result into `tally`; returns the ids whose
/// Prism could not be reached even on a second try (its process may have died).
async fn run_calls(tally: &mut Tally, servers: &HashMap<String, String>, ids: &[String], upstream: bool) -> Vec<String> {
    let mut unreachable = Vec::new();
    let inputs = Arc::new(Inputs::default());
    let mut clients: HashMap<String, Client> = HashMap::new();
    for url in servers.values() {
        let client = Client::builder()
            .with_base_url(url.clone())
            .with_static_token("prism-token")
            .with_retry_policy(RetryPolicy::disabled())
            // Prism (Node) closes idle connections after 5 s.
            .with_pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("a loopback client");
        clients.insert(url.clone(), client);
    }
    let mut pending = tokio::task::JoinSet::new();
    let mut queue = ids.iter();
    loop {
        while pending.len() < CONCURRENCY {
            let Some(id) = queue.next() else { break };
            let Some(url) = servers.get(id) else {
                tally.not_served.push(id.clone());
                continue;
            };
            let (client, inputs, id) = (clients[url].clone(), inputs.clone(), id.clone());
            pending.spawn(async move {
                let mut result = Box::pin(calls::call(&client, &inputs, &id)).await;
                // Prism (Node) now and then drops a connection; one more try
                // tells that from a request the SDK could not send at all.
                let dropped = matches!(result, Err(Error::Connect(_) | Error::Transport(_)));
                if dropped {
                    result = Box::pin(calls::call(&client, &inputs, &id)).await;
                }
                (id, result, dropped)
            });
        }
        let Some(done) = pending.join_next().await else { break };
        let (id, result, dropped) = done.expect("a call task");
        tally.connections_dropped += usize::from(dropped);
        if matches!(result, Err(Error::Connect(_) | Error::Transport(_))) {
            unreachable.push(id);
        } else {
            classify(tally, &id, result, upstream);
        }
    }
    unreachable
}

/// Prints a mode's problems and its table row.
fn report(label: &str, tally: &Tally, seconds: f64) {
    for line in tally.rejected.iter().chain(&tally.decode_failures) {
        println!("  {label}: {line}");
    }
    println!(
        "| {label} | {} | {} | {} | {} | {} | {} | {:.1} |",
        tally.accepted,
        tally.rejected.len(),
        tally.decoded,
        tally.decode_failures.len(),
        tally.mock_invalid.values().map(Vec::len).sum::<usize>(),
        tally.connections_dropped,
        seconds,
    );
}

#[test]
#[ignore = "needs Node and Prism: run `cargo xtask test`"]
fn prism_accepts_every_request_and_every_valid_response_decodes() {
    support::on_big_stack(async {
        let started = Instant::now();
        let owner = upstream_owner();
        let doc = support::spec();
        let ids: Vec<String> = support::operations(&doc).into_iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), 210);

        let mut files: Vec<PathBuf> = owner.values().cloned().collect();
        files.sort();
        files.dedup();
        let normalised = root().join("openapi/spotnana.json");
        let handwritten: Vec<String> = support::operations(&doc)
            .into_iter()
            .filter(|o| doc["paths"].get(&o.path).and_then(|i| i.get(o.method.to_lowercase())).is_none())
            .map(|o| o.id)
            .collect();

        println!("| mode | requests accepted | rejected | responses decoded | decode failures | mock data invalid | connections dropped by Prism (retried) | seconds |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        let mut tallies: Vec<(String, Tally)> = Vec::new();
        // One set of servers per document kind and mode; the dynamic runs reuse
        // theirs, since Prism draws new random data for every request.
        let sets = [("upstream, static", false, false, 1), ("normalised, static", false, true, 1), ("upstream, dynamic", true, false, dynamic_runs()), ("normalised, dynamic", true, true, dynamic_runs())];
        let mut crashes = 0;
        for (set, dynamic, use_normalised, runs) in sets {
            let booted = Instant::now();
            let mut prisms: Vec<Prism> = if use_normalised {
                vec![start_prism(&normalised, dynamic)]
            } else {
                files.iter().map(|f| start_prism(f, dynamic)).collect()
            };
            wait_ready(&prisms.iter().collect::<Vec<_>>());
            println!("| {set}: {} Prism process(es) listening | | | | | | | {:.1} |", prisms.len(), booted.elapsed().as_secs_f64());
            for run in 1..=runs {
                let label = if runs > 1 { format!("{set} run {run}") } else { set.to_string() };
                let started = Instant::now();
                let mut tally = Tally::default();
                let mut pending: Vec<String> = ids.clone();
                // A Prism process that dies mid-run (Prism 5.16 in dynamic mode,
                // on recursive schemas) fails its calls through no fault of the
                // SDK: restart it and call those operations again.
                for round in 1..=MAX_ROUNDS {
                    let by_doc: HashMap<PathBuf, String> = prisms.iter().map(|p| (p.doc.clone(), p.url.clone())).collect();
                    let servers: HashMap<String, String> = if use_normalised {
                        ids.iter().filter(|id| !handwritten.contains(id)).map(|id| (id.clone(), by_doc[&normalised].clone())).collect()
                    } else {
                        owner.iter().map(|(id, f)| (id.clone(), by_doc[f].clone())).collect()
                    };
                    let unreachable = run_calls(&mut tally, &servers, &pending, !use_normalised).await;
                    if unreachable.is_empty() {
                        break;
                    }
                    let dead: Vec<usize> = (0..prisms.len()).filter(|&i| prisms[i].exited()).collect();
                    if dead.is_empty() || round == MAX_ROUNDS {
                        tally.rejected.extend(unreachable.iter().map(|id| format!("{id}: Prism could not be reached")));
                        break;
                    }
                    crashes += dead.len();
                    for i in dead {
                        let (doc, dynamic) = (prisms[i].doc.clone(), prisms[i].dynamic);
                        println!("  {label}: Prism serving {} exited; restarted, {} calls repeated", doc.display(), unreachable.len());
                        prisms[i] = start_prism(&doc, dynamic);
                        wait_ready(&[&prisms[i]]);
                    }
                    pending = unreachable;
                }
                report(&label, &tally, started.elapsed().as_secs_f64());
                tallies.push((label, tally));
            }
            drop(prisms);
        }
        println!("\nPrism processes that exited mid-run and were restarted: {crashes} (their stderr: target/prism-logs/*.stderr.log)");
        println!("\nwall time: {:.1} s", started.elapsed().as_secs_f64());
        let mut causes: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (label, tally) in &tallies {
            for (cause, ops) in &tally.mock_invalid {
                let mode = label.split(" run").next().unwrap_or(label).to_string();
                *causes.entry(cause.clone()).or_default().entry(mode).or_default() += ops.len();
            }
        }
        println!("\nmock data invalid, by cause (responses, summed over runs):");
        for (cause, modes) in &causes {
            println!("- {cause}: {modes:?}");
        }

        let upstream_static = &tallies[0].1;
        assert!(upstream_static.rejected.is_empty(), "Prism rejected requests:\n{}", upstream_static.rejected.join("\n"));
        assert_eq!(upstream_static.accepted, 210, "Prism accepts 210 of 210 requests against the upstream documents");
        let mut failures = Vec::new();
        for (label, tally) in &tallies {
            failures.extend(tally.decode_failures.iter().map(|f| format!("{label}: {f}")));
            failures.extend(tally.rejected.iter().map(|f| format!("{label}: rejected {f}")));
        }
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    });
}
