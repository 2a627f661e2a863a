//! Conformance against Prism, an independent OpenAPI mock server, run on
//! 127.0.0.1 from the npm registry's `@stoplight/prism-cli` (installed into
//! `tools/prism/` by `cargo xtask test`).
//!
//! - Requests: every operation is called through the SDK against Prism serving
//!   Spotnana's *upstream* documents; Prism must accept all of them (no 4xx with
//!   an `sl-violations` header).
//! - Responses: static mode (examples) and seeded dynamic mode (random data
//!   drawn from a fixed seed, so a run can be replayed), against the upstream
//!   documents and the normalised one, all with `--errors`.
//! - Validity is judged independently: a recording proxy keeps the exact body
//!   the SDK read, and the `jsonschema` crate checks it against the schema the
//!   document gives for that operation and status. A decode failure counts
//!   only when that judge finds the body valid. When Prism passes a body the
//!   judge rejects, that is counted and grouped as a fact about Prism.
//!
//! One set of Prism processes (one per upstream document, three for parts of
//! the normalised document) serves every mode: the mode and seed travel in each
//! request's `Prefer` header. `SPOTNANA_PRISM_SEEDS` (comma-separated, or
//! `none`) replaces the seeds CI runs; `SPOTNANA_PRISM_OPS` limits the run to
//! some operations. `cargo xtask prism --seeds 7 --ops getPnrV3` sets both.
//!
//! Ignored by plain `cargo test` because it needs Node and Prism; `cargo xtask
//! test` (the README's test command, run by CI) installs Prism and runs it.

use crate::support;

use crate::calls;

use std::collections::{BTreeMap, HashMap};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use spotnana::{Client, Error, RetryPolicy};
use support::conformance::{classify, Outcome};
use support::inputs::Inputs;
use support::judge::{Judge, Verdict};
use support::proxy::{Mode, Proxy};

/// The seed `cargo xtask test` (and so CI) runs in dynamic mode; `cargo
/// xtask prism` runs seeds 1 and 2 unless told otherwise, and `--seeds 1-20`
/// explores.
const CI_SEEDS: [u64; 1] = [1];

/// Calls in flight at once (lanes through the proxy).
const LANES: usize = 6;

/// Rounds of restarting dead Prism processes and repeating their calls.
const MAX_ROUNDS: usize = 8;

/// The judge's name for the normalised document.
const NORMALISED: &str = "spotnana";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn seeds() -> Vec<u64> {
    match std::env::var("SPOTNANA_PRISM_SEEDS") {
        Ok(list) if list.trim() == "none" => Vec::new(),
        Ok(list) => list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("SPOTNANA_PRISM_SEEDS: {s:?} is not a seed (a whole number)"))
            })
            .collect(),
        Err(_) => CI_SEEDS.to_vec(),
    }
}

fn only_operations() -> Option<Vec<String>> {
    std::env::var("SPOTNANA_PRISM_OPS").ok().map(|list| list.split(',').map(|s| s.trim().to_string()).collect())
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
}

impl Prism {
    fn start(doc: &Path) -> Prism {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port();
        // Prism's own log, kept for explaining crashes: target/prism-logs/.
        let logs = root().join("target/prism-logs");
        let _ = std::fs::create_dir_all(&logs);
        let stem = doc.file_stem().map_or("doc".into(), |s| s.to_string_lossy().into_owned());
        let file = |suffix: &str| {
            std::fs::File::create(logs.join(format!("{stem}-{port}.{suffix}")))
                .map_or_else(|_| Stdio::null(), Stdio::from)
        };
        let child = Command::new(prism_bin())
            .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(doc)
            .stdout(file("log"))
            .stderr(file("stderr.log"))
            .spawn()
            .expect("Prism starts");
        Prism { child, url: format!("http://127.0.0.1:{port}"), doc: doc.to_path_buf() }
    }

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

fn wait_ready(servers: &[&Prism]) {
    let deadline = Instant::now() + Duration::from_secs(180);
    for prism in servers {
        let addr = prism.url.trim_start_matches("http://").to_string();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(Instant::now() < deadline, "Prism did not start listening on {addr} within 180 s");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Where one operation is served: the Prism process, and how its document
/// spells the operation (for the judge).
#[derive(Clone)]
struct Route {
    server: usize,
    doc: String,
    method: String,
    path: String,
    /// How the normalised document (the SDK's contract) spells it, if it has it.
    contract: Option<(String, String)>,
}

/// Every operation id in `file`, with its method and path.
fn operations_in(file: &Path) -> Vec<(String, String, String)> {
    let doc: Value = serde_json::from_slice(&std::fs::read(file).expect("a spec document")).expect("JSON");
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push((id.to_string(), method.clone(), path.clone()));
            }
        }
    }
    out
}

/// Prism processes serving the normalised document, each a part of it.
const NORMALISED_PARTS: usize = 3;

/// Writes the normalised document's operations out as [`NORMALISED_PARTS`]
/// documents (operations dealt round-robin, so the heavy trip and PNR
/// operations spread over them), each with the component schemas its
/// operations reach, under `target/prism-docs/`. One Node process answers one
/// call at a time, and starts faster on a part than on the whole.
fn split_normalised(doc: &Value) -> Vec<(PathBuf, Vec<String>)> {
    let dir = root().join("target/prism-docs");
    std::fs::create_dir_all(&dir).expect("target/prism-docs");
    let mut by_part: BTreeMap<usize, (serde_json::Map<String, Value>, Vec<String>)> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(id) = op["operationId"].as_str() else { continue };
            let count: usize = by_part.values().map(|(_, ids)| ids.len()).sum();
            let (paths, ids) = by_part.entry(count % NORMALISED_PARTS).or_default();
            paths.entry(path.clone()).or_insert_with(|| Value::Object(Default::default()))[method] = op.clone();
            ids.push(id.to_string());
        }
    }
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    by_part
        .into_iter()
        .map(|(part_no, (paths, ids))| {
            let mut part = doc.clone();
            part["paths"] = Value::Object(paths);
            part.as_object_mut().expect("an object").remove(xtask::contract::HANDWRITTEN_KEY);
            // The schemas reachable from the paths and the other components.
            part["components"]["schemas"] = Value::Object(Default::default());
            let mut reached = serde_json::Map::new();
            let mut pending = refs_in(&part);
            while let Some(name) = pending.pop() {
                if let (false, Some(schema)) = (reached.contains_key(&name), schemas.get(&name)) {
                    pending.extend(refs_in(schema));
                    reached.insert(name, schema.clone());
                }
            }
            part["components"]["schemas"] = Value::Object(reached);
            let file = dir.join(format!("spotnana-part{part_no}.json"));
            std::fs::write(&file, part.to_string()).expect("a part of the normalised document");
            (file, ids)
        })
        .collect()
}

/// The component schema names `value` refers to.
fn refs_in(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => {
            let own = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(String::from);
            own.into_iter().chain(map.values().flat_map(refs_in)).collect()
        }
        Value::Array(items) => items.iter().flat_map(refs_in).collect(),
        _ => Vec::new(),
    }
}

#[derive(Default)]
struct Tally {
    accepted: usize,
    rejected: Vec<String>,
    decoded: usize,
    decode_failures: Vec<String>,
    prism_flagged: BTreeMap<String, usize>,
    /// Prism passed, the judge rejects: (cause, whether the SDK decoded it anyway).
    disagreements: BTreeMap<(String, bool), usize>,
    /// Valid under the served document, not under the normalised one, not decoded.
    beyond_contract: BTreeMap<String, usize>,
    /// Seconds spent judging (compiling validators and validating).
    judging: f64,
    connections_dropped: usize,
}

impl Tally {
    fn add(&mut self, id: &str, outcome: Outcome, replay: &str) {
        if !matches!(outcome, Outcome::Rejected(_) | Outcome::NotServed) {
            self.accepted += 1;
        }
        match outcome {
            Outcome::Decoded(disagreement) => {
                self.decoded += 1;
                if let Some(cause) = disagreement {
                    *self.disagreements.entry((cause, true)).or_default() += 1;
                }
            }
            Outcome::Rejected(why) => self.rejected.push(format!("{id}: {why}")),
            Outcome::PrismFlagged(cause) => *self.prism_flagged.entry(cause).or_default() += 1,
            Outcome::Disagreement(cause) => *self.disagreements.entry((cause, false)).or_default() += 1,
            Outcome::BeyondContract(cause) => *self.beyond_contract.entry(cause).or_default() += 1,
            Outcome::DecodeFailure(detail) => {
                self.decode_failures.push(format!("{id}: {detail}\n    replay: cargo xtask prism {replay} --ops {id}"))
            }
            // Operations a document does not have (the normalised one lacks the
            // 2 hand-written multipart ones) are simply not counted as accepted.
            Outcome::NotServed => {}
        }
    }
}

/// The servers, the proxy in front of them and the judge: shared by every mode.
struct Bench {
    prisms: Vec<Prism>,
    proxy: Proxy,
    judge: Judge,
    inputs: Arc<Inputs>,
    crashes: usize,
}

impl Bench {
    /// Runs `ids` over `routes` in `mode`, restarting Prism processes that die.
    async fn run(&mut self, label: &str, mode: Mode, routes: &HashMap<String, Route>, ids: &[String]) -> Tally {
        let replay = match mode {
            Mode::Static => "--seeds none".to_string(),
            Mode::Seeded(seed) => format!("--seeds {seed}"),
        };
        let mut tally = Tally::default();
        let mut pending: Vec<String> = ids.to_vec();
        for round in 1..=MAX_ROUNDS {
            let unreachable = self.calls(&mut tally, mode, routes, &pending, &replay).await;
            if unreachable.is_empty() {
                break;
            }
            let dead: Vec<usize> = (0..self.prisms.len()).filter(|&i| self.prisms[i].exited()).collect();
            if dead.is_empty() || round == MAX_ROUNDS {
                tally.rejected.extend(unreachable.iter().map(|id| format!("{id}: Prism could not be reached")));
                break;
            }
            // A Prism process that dies mid-run (Prism 5.16 in dynamic mode, on
            // recursive schemas) fails its calls through no fault of the SDK:
            // restart it and call those operations again.
            self.crashes += dead.len();
            for i in dead {
                println!(
                    "  {label}: Prism serving {} exited; restarted, {} calls repeated",
                    self.prisms[i].doc.display(),
                    unreachable.len()
                );
                self.prisms[i] = Prism::start(&self.prisms[i].doc.clone());
                wait_ready(&[&self.prisms[i]]);
                self.proxy.set_upstream(i, self.prisms[i].url.clone());
            }
            pending = unreachable;
        }
        tally
    }

    /// Calls `ids`, judging and sorting each result into `tally`; returns the
    /// ids whose Prism could not be reached even on a second try.
    async fn calls(
        &mut self,
        tally: &mut Tally,
        mode: Mode,
        routes: &HashMap<String, Route>,
        ids: &[String],
        replay: &str,
    ) -> Vec<String> {
        let mut unreachable = Vec::new();
        let mut clients: HashMap<(usize, usize), Client> = HashMap::new();
        let mut free_lanes: Vec<usize> = (0..LANES).collect();
        let mut pending = tokio::task::JoinSet::new();
        let mut queue = ids.iter();
        loop {
            while let Some(lane) = free_lanes.pop() {
                let Some(id) = queue.next() else {
                    free_lanes.push(lane);
                    break;
                };
                let Some(route) = routes.get(id) else {
                    tally.add(id, Outcome::NotServed, replay);
                    free_lanes.push(lane);
                    continue;
                };
                let client = clients
                    .entry((route.server, lane))
                    .or_insert_with(|| {
                        Client::builder()
                            .with_base_url(self.proxy.base_url(mode, route.server, lane))
                            .with_static_token("prism-token")
                            .with_retry_policy(RetryPolicy::disabled())
                            // Prism (Node) closes idle connections after 5 s.
                            .with_pool_idle_timeout(Duration::from_secs(2))
                            .build()
                            .expect("a loopback client")
                    })
                    .clone();
                let (inputs, id, route) = (self.inputs.clone(), id.clone(), route.clone());
                pending.spawn(async move {
                    let mut result = Box::pin(calls::call(&client, &inputs, &id)).await;
                    // Prism (Node) now and then drops a connection; one more try
                    // tells that from a request the SDK could not send at all.
                    let dropped = matches!(result, Err(Error::Connect(_) | Error::Transport(_)));
                    if dropped {
                        result = Box::pin(calls::call(&client, &inputs, &id)).await;
                    }
                    (id, route, lane, result, dropped)
                });
            }
            let Some(done) = pending.join_next().await else { break };
            let (id, route, lane, result, dropped) = done.expect("a call task");
            free_lanes.push(lane);
            let answer = self.proxy.take(mode, route.server, lane);
            tally.connections_dropped += usize::from(dropped);
            if matches!(result, Err(Error::Connect(_) | Error::Transport(_))) {
                unreachable.push(id);
                continue;
            }
            let judging = Instant::now();
            let (served, contract) = match (&result, &answer) {
                (Ok(()) | Err(Error::Decode(_)), Some(a)) => {
                    let served = self.judge.verdict(&route.doc, &route.method, &route.path, a.status, &a.body);
                    let contract = match &route.contract {
                        Some((method, path)) if route.doc != NORMALISED => {
                            self.judge.verdict(NORMALISED, method, path, a.status, &a.body)
                        }
                        _ => served.clone(),
                    };
                    (served, contract)
                }
                (_, None) => {
                    (Verdict::Unjudged("the proxy kept no answer".into()), Verdict::Unjudged("no answer".into()))
                }
                _ => (Verdict::Unjudged("not needed".into()), Verdict::Unjudged("not needed".into())),
            };
            tally.judging += judging.elapsed().as_secs_f64();
            tally.add(&id, classify(&result, answer.as_ref().map(|a| a.body.as_slice()), &served, &contract), replay);
        }
        unreachable
    }
}

/// Prints a mode's problems and its table row.
fn report(label: &str, mode: Mode, tally: &Tally, seconds: f64) {
    for line in tally.rejected.iter().chain(&tally.decode_failures) {
        println!("  {label}, {}: {line}", mode.label());
    }
    let disagree =
        |decoded: bool| tally.disagreements.iter().filter(|((_, d), _)| *d == decoded).map(|(_, n)| n).sum::<usize>();
    println!(
        "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.1} |",
        mode.label(),
        tally.accepted,
        tally.rejected.len(),
        tally.decoded,
        tally.decode_failures.len(),
        tally.prism_flagged.values().sum::<usize>(),
        disagree(true),
        disagree(false),
        tally.beyond_contract.values().sum::<usize>(),
        tally.connections_dropped,
        tally.judging,
        seconds,
    );
}

#[test]
#[ignore = "needs Node and Prism: run `cargo xtask test`"]
fn prism_accepts_every_request_and_every_valid_response_decodes() {
    support::on_big_stack(async {
        let started = Instant::now();
        let normalised = root().join("openapi/spotnana.json");
        let doc = support::spec();
        let mut ids: Vec<String> = support::operations(&doc).into_iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), 210);
        if let Some(only) = only_operations() {
            ids.retain(|id| only.contains(id));
        }

        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("openapi/upstream"))
            .expect("upstream documents")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();

        // Routes: the first upstream document that defines an operation serves it.
        let mut upstream: HashMap<String, Route> = HashMap::new();
        for (server, file) in files.iter().enumerate() {
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            for (id, method, path) in operations_in(file) {
                upstream.entry(id).or_insert(Route { server, doc: stem.clone(), method, path, contract: None });
            }
        }
        let contract: HashMap<String, (String, String)> =
            operations_in(&normalised).into_iter().map(|(id, method, path)| (id, (method, path))).collect();
        for (id, route) in upstream.iter_mut() {
            route.contract = contract.get(id).cloned();
        }
        // Prism serves the normalised document in parts: the same operations
        // and schemas, started and answered in parallel.
        let parts = split_normalised(&support::spec());
        let normalised_routes: HashMap<String, Route> = parts
            .iter()
            .enumerate()
            .flat_map(|(i, (_, ids))| ids.iter().map(move |id| (i, id)))
            .filter_map(|(i, id)| {
                let (method, path) = contract.get(id)?.clone();
                Some((
                    id.clone(),
                    Route { server: files.len() + i, doc: NORMALISED.into(), method, path, contract: None },
                ))
            })
            .collect();

        let booted = Instant::now();
        let served: Vec<&PathBuf> = files.iter().chain(parts.iter().map(|(file, _)| file)).collect();
        let prisms: Vec<Prism> = served.iter().map(|f| Prism::start(f)).collect();
        wait_ready(&prisms.iter().collect::<Vec<_>>());
        let prism_boot = booted.elapsed().as_secs_f64();
        let proxy = Proxy::start(prisms.iter().map(|p| p.url.clone()).collect()).await;
        let judged = Instant::now();
        let judge_files: Vec<&Path> = files.iter().chain([&normalised]).map(PathBuf::as_path).collect();
        let judge = Judge::new(&judge_files);
        let judge_setup = judged.elapsed().as_secs_f64();
        let mut bench = Bench { prisms, proxy, judge, inputs: Arc::new(Inputs::default()), crashes: 0 };

        println!("| mode | data | requests accepted | rejected | responses decoded | decode failures | Prism flagged its own data | Prism passed, judge rejects (decoded anyway) | Prism passed, judge rejects (not decoded) | valid upstream, not under the normalised spec (not decoded) | connections dropped (retried) | judging s | seconds |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        println!("| {} Prism processes listening | | | | | | | | | | | | {prism_boot:.1} |", bench.prisms.len());
        println!(
            "| judge: {} documents loaded | | | | | | | | | | | {judge_setup:.1} | {judge_setup:.1} |",
            judge_files.len()
        );
        let mut modes = vec![Mode::Static];
        modes.extend(seeds().into_iter().map(Mode::Seeded));
        let mut tallies: Vec<(String, Mode, Tally)> = Vec::new();
        for mode in modes {
            for (label, routes) in [("upstream", &upstream), ("normalised", &normalised_routes)] {
                let run_started = Instant::now();
                let tally = bench.run(label, mode, routes, &ids).await;
                report(label, mode, &tally, run_started.elapsed().as_secs_f64());
                tallies.push((label.to_string(), mode, tally));
            }
        }
        println!("\nPrism processes that exited mid-run and were restarted: {} (their stderr: target/prism-logs/*.stderr.log)", bench.crashes);
        println!("wall time: {:.1} s", started.elapsed().as_secs_f64());

        let mut flagged: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
        let mut disagreements: BTreeMap<(&str, bool), BTreeMap<String, usize>> = BTreeMap::new();
        for (label, mode, tally) in &tallies {
            let column = format!("{label} {}", if *mode == Mode::Static { "static" } else { "dynamic" });
            for (cause, n) in &tally.prism_flagged {
                *flagged.entry(cause).or_default().entry(column.clone()).or_default() += n;
            }
            for ((cause, decoded), n) in &tally.disagreements {
                *disagreements.entry((cause, *decoded)).or_default().entry(column.clone()).or_default() += n;
            }
        }
        println!("\nPrism flagged its own data, by cause (responses, summed over seeds):");
        for (cause, columns) in &flagged {
            println!("- {cause}: {columns:?}");
        }
        let mut beyond: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
        for (label, mode, tally) in &tallies {
            let column = format!("{label} {}", if *mode == Mode::Static { "static" } else { "dynamic" });
            for (cause, n) in &tally.beyond_contract {
                *beyond.entry(cause).or_default().entry(column.clone()).or_default() += n;
            }
        }
        println!("\nValid under the upstream document, invalid under the normalised one (the SDK's contract), by the normalised judge's first error:");
        for (cause, columns) in &beyond {
            println!("- {cause}: {columns:?}");
        }
        println!("\nPrism passed a body the judge rejects, by the judge's first error (responses, summed over seeds):");
        for ((cause, decoded), columns) in &disagreements {
            println!(
                "- {cause} ({}): {columns:?}",
                if *decoded { "the SDK decoded it anyway" } else { "the SDK could not decode it" }
            );
        }

        if only_operations().is_none() {
            let upstream_static = &tallies[0].2;
            assert!(
                upstream_static.rejected.is_empty(),
                "Prism rejected requests:\n{}",
                upstream_static.rejected.join("\n")
            );
            assert_eq!(
                upstream_static.accepted, 210,
                "Prism accepts 210 of 210 requests against the upstream documents"
            );
        }
        let mut failures = Vec::new();
        for (label, mode, tally) in &tallies {
            failures.extend(tally.decode_failures.iter().map(|f| format!("{label}, {}: {f}", mode.label())));
            failures.extend(tally.rejected.iter().map(|f| format!("{label}, {}: rejected {f}", mode.label())));
        }
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    });
}
