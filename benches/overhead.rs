//! `cargo bench --bench overhead`
//!
//! Measures, against one loopback server started here, in one run:
//! - token requests per 10,000 calls at concurrency 64 (cold cache);
//! - the median latency the SDK adds per call (token cache, bearer header,
//!   response checks) over the same request sent with raw reqwest carrying a
//!   fixed `Authorization` header, both decoding the same JSON model;
//! - the throughput ratio SDK / raw reqwest at concurrency 1 and 64, and beside
//!   it the ratio for the generated code alone (progenitor's request building and
//!   decoding, sent with plain reqwest), the floor any progenitor client sits on.
//!
//! Variants are interleaved round by round so machine noise hits both alike.

#[path = "overhead/plain.rs"]
mod plain;
#[path = "../tests/support/server.rs"]
#[allow(dead_code)] // the bench uses only part of the test server
mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;
use server::{Reply, TestServer};
use spotnana::{types, Client};

/// Rounds per throughput measurement: many short rounds rather than a few long
/// ones. On a shared VM the noise comes in bursts (a neighbour's load) lasting
/// longer than a round; in a short round all three variants run within a few
/// tens of milliseconds of each other, so a burst spoils whole rounds, which
/// the median then sets aside, rather than one variant's long round. With 15
/// rounds of 2,000 to 12,800 calls the median moved by ±4 % from run to run on
/// a noisy day.
const ROUNDS: usize = 101;

/// Calls per variant in one round: about 7 to 15 ms of loopback calls.
fn round_calls(concurrency: usize) -> usize {
    if concurrency == 1 {
        250
    } else {
        concurrency * 8
    }
}

/// Sequential calls per variant for the latency figure.
const LATENCY_CALLS: usize = 6_000;

/// The middle value of `v`.
fn mid(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The first and third quartiles of `v`: how far one round's ratio strays.
fn quartiles(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 4], v[v.len() * 3 / 4])
}

async fn sdk_call(client: &Client) {
    client.list_companies().send().await.expect("SDK call succeeds");
}

const COMPANY_ID: &str = "4974a66b-7493-4f41-908c-58ba81093947";

/// `readCompany`: a path parameter and no query parameters.
async fn sdk_read(client: &Client) {
    client.read_company().company_id(COMPANY_ID).send().await.expect("SDK read succeeds");
}

async fn raw_read(http: &reqwest::Client, url: &str) {
    let response = http.get(url).header("authorization", "Bearer fixed-token").send().await.expect("raw read succeeds");
    let bytes = response.bytes().await.expect("raw body");
    let _: types::Company = serde_json::from_slice(&bytes).expect("raw decode");
}

async fn raw_call(http: &reqwest::Client, url: &str) {
    let response = http.get(url).header("authorization", "Bearer fixed-token").send().await.expect("raw call succeeds");
    let bytes = response.bytes().await.expect("raw body");
    let _: types::ArrayOfReference = serde_json::from_slice(&bytes).expect("raw decode");
}

/// The generated code alone (see `overhead/plain.rs`): progenitor's builder,
/// default hooks and `ResponseValue` decoding, sent with plain reqwest.
async fn generated_call(client: &plain::Plain, read: bool) {
    if read {
        plain::ReadCompany::new(client).company_id(COMPANY_ID).send().await.expect("generated read succeeds");
    } else {
        plain::ListCompanies::new(client).send().await.expect("generated call succeeds");
    }
}

/// The three clients the bench compares.
#[derive(Clone, Copy)]
enum Variant {
    Sdk,
    Raw,
    Generated,
}

/// One client of each variant, and the URLs raw reqwest calls.
struct Clients {
    sdk: Client,
    http: reqwest::Client,
    url: String,
    read_url: String,
    generated: plain::Plain,
}

impl Clients {
    /// Calls per second of `variant` making `total` calls (`readCompany` when
    /// `read`, else `listCompanies`) with `concurrency` workers.
    async fn rate(&self, variant: Variant, read: bool, total: usize, concurrency: usize) -> f64 {
        match variant {
            Variant::Sdk => {
                let c = self.sdk.clone();
                throughput(total, concurrency, move || {
                    let c = c.clone();
                    async move {
                        if read {
                            sdk_read(&c).await
                        } else {
                            sdk_call(&c).await
                        }
                    }
                })
                .await
            }
            Variant::Raw => {
                let (h, u) = (self.http.clone(), if read { self.read_url.clone() } else { self.url.clone() });
                throughput(total, concurrency, move || {
                    let (h, u) = (h.clone(), u.clone());
                    async move {
                        if read {
                            raw_read(&h, &u).await
                        } else {
                            raw_call(&h, &u).await
                        }
                    }
                })
                .await
            }
            Variant::Generated => {
                let g = self.generated.clone();
                throughput(total, concurrency, move || {
                    let g = g.clone();
                    async move { generated_call(&g, read).await }
                })
                .await
            }
        }
    }
}

/// Runs `total` calls with `concurrency` workers; returns calls per second.
async fn throughput<F, Fut>(total: usize, concurrency: usize, call: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let per = total / concurrency;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                for _ in 0..per {
                    call().await;
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("worker");
    }
    (per * concurrency) as f64 / started.elapsed().as_secs_f64()
}

/// Clients and server share one thread (a current-thread runtime): with both
/// sides in a work-stealing runtime, where the scheduler happened to put the
/// client and server tasks moved one round's throughput by ±10 % or more,
/// drowning the per-call cost this measures; on two threads, each call waited
/// on a cross-thread wake-up. On one thread a round measures the CPU time a
/// call costs, client and server together.
fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async { measure(serve().await).await });
}

/// The loopback server the bench calls, and its count of token requests.
async fn serve() -> (TestServer, Arc<AtomicUsize>) {
    let body = json!({ "length": 2, "elements": [
        { "id": "4974a66b-7493-4f41-908c-58ba81093947", "name": "Acme" },
        { "id": "b93dc51f-12dd-46c7-b7d6-1cb12cd3f5b3", "name": "Globex" }
    ] });
    let company =
        json!({ "id": { "id": COMPANY_ID }, "name": "Acme", "billingCurrency": "USD", "companyRoles": ["ORG"] });
    // Answers are serialised once, so that the server (which shares the
    // process, the machine's cores and its allocator with the clients) spends
    // as little as it can per request and the client side dominates what is
    // measured.
    let (list, read) = (Reply::json(200, body), Reply::json(200, company));
    let token = Reply::json(200, json!({ "access_token": "bench-token", "expires_in": 3600, "token_type": "Bearer" }));
    let token_requests = Arc::new(AtomicUsize::new(0));
    let tokens_served = token_requests.clone();
    let server = TestServer::start_unrecorded(move |r| {
        if r.path().starts_with("/v2/companies/") {
            read.clone()
        } else if r.path() == "/v2/auth/oauth2-token" {
            tokens_served.fetch_add(1, Ordering::Relaxed);
            token.clone()
        } else {
            list.clone()
        }
    })
    .await;
    (server, token_requests)
}

async fn measure((server, token_requests): (TestServer, Arc<AtomicUsize>)) {
    let sdk = || {
        Client::builder()
            .with_base_url(server.url())
            .with_credentials("bench-id", "bench-secret")
            .build()
            .expect("client")
    };
    // Baseline: raw reqwest with the SDK's transport settings (timeouts, no
    // redirects, its User-Agent), so the comparison isolates what the SDK
    // layer itself adds.
    // reqwest is built with `rustls-no-provider` (feature `rustls`): a bare
    // reqwest client needs a process-wide crypto provider.
    #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc-rs")))]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let transport = || {
        reqwest::Client::builder()
            .connect_timeout(spotnana::DEFAULT_CONNECT_TIMEOUT)
            .timeout(spotnana::DEFAULT_REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("spotnana-rust/", env!("CARGO_PKG_VERSION")))
    };
    let mut bearer =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {}", "fixed-token")).expect("a header value");
    bearer.set_sensitive(true);
    let with_token =
        transport().default_headers(reqwest::header::HeaderMap::from_iter([(reqwest::header::AUTHORIZATION, bearer)]));
    let clients = Clients {
        sdk: sdk(),
        http: transport().build().expect("reqwest client"),
        url: format!("{}/v2/companies", server.url()),
        read_url: format!("{}/v2/companies/{COMPANY_ID}", server.url()),
        // Cloned per call, as the SDK's client is: a base URL and a reqwest client.
        generated: plain::Plain { baseurl: server.url(), client: with_token.build().expect("reqwest client") },
    };

    // `OVERHEAD_PROFILE=sdk|generated|raw`: only 100,000 listCompanies calls (readCompany
    // with `OVERHEAD_OP=readCompany`) at concurrency 64 (or `OVERHEAD_CONCURRENCY`) of one
    // variant, for `perf stat` / `perf record`.
    if let Ok(variant) = std::env::var("OVERHEAD_PROFILE") {
        let started = Instant::now();
        let concurrency: usize = std::env::var("OVERHEAD_CONCURRENCY").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
        let calls: usize = std::env::var("OVERHEAD_CALLS").ok().and_then(|c| c.parse().ok()).unwrap_or(100_032);
        let read = std::env::var("OVERHEAD_OP").is_ok_and(|op| op == "readCompany");
        let which = match variant.as_str() {
            "sdk" => Variant::Sdk,
            "generated" => Variant::Generated,
            _ => Variant::Raw,
        };
        let rate = clients.rate(which, read, calls, concurrency).await;
        println!("{variant}: {rate:.0} calls/s over {:.1} s", started.elapsed().as_secs_f64());
        return;
    }

    // 1. Token requests per 10,000 calls at concurrency 64, cold cache.
    let cold = sdk();
    let before = token_requests.load(Ordering::Relaxed);
    throughput(10_000, 64, move || {
        let c = cold.clone();
        async move { sdk_call(&c).await }
    })
    .await;
    let token_requests = token_requests.load(Ordering::Relaxed) - before;

    // 2. Median per-call latency, sequential, interleaved.
    let (client, http, url) = (&clients.sdk, &clients.http, &clients.url);
    sdk_call(client).await;
    raw_call(http, url).await;
    let (mut sdk_lat, mut raw_lat) = (Vec::new(), Vec::new());
    for _ in 0..LATENCY_CALLS {
        let t = Instant::now();
        sdk_call(client).await;
        sdk_lat.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        raw_call(http, url).await;
        raw_lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let (sdk_med, raw_med) = (mid(sdk_lat), mid(raw_lat));

    // 3. Throughput ratio at concurrency 1 and 64, median of interleaved rounds,
    // for listCompanies (seven optional query parameters) and readCompany (none).
    let mut rows = Vec::new();
    for (op, concurrency) in [("listCompanies", 1usize), ("listCompanies", 64), ("readCompany", 1), ("readCompany", 64)]
    {
        let total = round_calls(concurrency);
        let mut ratios = Vec::new();
        let (mut sdk_rates, mut raw_rates, mut shaped_ratios, mut layer_ratios) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let read = op == "readCompany";
            // Each variant takes each place in the round equally often, so
            // whatever the first or last place costs falls on all three.
            let variants = [Variant::Sdk, Variant::Raw, Variant::Generated];
            let mut rates = [0.0; 3];
            for place in 0..3 {
                let at = (round + place) % 3;
                rates[at] = clients.rate(variants[at], read, total, concurrency).await;
            }
            let [s, r, g] = rates;
            ratios.push(s / r);
            shaped_ratios.push(g / r);
            layer_ratios.push(s / g);
            sdk_rates.push(s);
            raw_rates.push(r);
        }
        let spread = quartiles(layer_ratios.clone());
        rows.push((
            op,
            concurrency,
            mid(sdk_rates),
            mid(raw_rates),
            mid(ratios),
            mid(shaped_ratios),
            mid(layer_ratios),
            spread,
        ));
    }

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "overhead benchmark: loopback server, {cores} cores, {} profile",
        if cfg!(debug_assertions) { "debug" } else { "optimised" }
    );
    println!("token requests per 10,000 calls at concurrency 64 (cold cache): {token_requests}");
    println!(
        "median latency per call ({} calls each): SDK {:.1} us, raw reqwest + fixed header {:.1} us, added {:.1} us ({:.2}x)",
        LATENCY_CALLS,
        sdk_med,
        raw_med,
        sdk_med - raw_med,
        sdk_med / raw_med
    );
    println!("| operation | concurrency | SDK calls/s | raw calls/s | SDK/raw | generated code alone/raw | SDK/generated | its quartiles |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (op, c, s, r, ratio, shaped, layer, (low, high)) in rows {
        println!("| {op} | {c} | {s:.0} | {r:.0} | {ratio:.3} | {shaped:.3} | {layer:.3} | {low:.3} to {high:.3} |");
    }
    println!("(ratios: medians of {ROUNDS} interleaved rounds, each ratio taken within its round)");
    println!(
        "(generated code alone: progenitor's request building and ResponseValue decoding, sent with plain reqwest)"
    );
}
