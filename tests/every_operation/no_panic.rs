//! A property test of the whole call path: every operation against a
//! scripted server on 127.0.0.1 that answers at random, seeded and bounded.
//!
//! Each case is one call of one operation through its typed method, with a
//! new client and a new server. The server picks, per request, a status
//! (unlisted 2xx among them), a `Retry-After`, a `Content-Type`, a
//! `Content-Length` (right, too long, too short, absent or not a number)
//! and a body (the operation's own answer, minimal or full-size, truncated,
//! over the client's size limit, not JSON, nested past any limit, of the
//! wrong shape). Its token endpoint answers with random `expires_in`
//! values, and now and then with an error.
//!
//! For every case: no panic; the call ends within its bound; and a POST or
//! PATCH is sent again only right after an answer that says it was not
//! processed (429, or a 401 that the SDK answers with a new token). The
//! number of cases is printed.
//!
//! `SPOTNANA_NO_PANIC_SEED` picks the seed (default 1) and
//! `SPOTNANA_NO_PANIC_CASES` the cases per operation (default 4).
//!
//! A module of `tests/every_operation.rs`, so that the 210 calls are
//! compiled once for both.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::calls;
use crate::support;
use crate::support::inputs::Inputs;
use crate::support::server::{Recorded, Reply, TestServer};
use serde_json::{json, Value};
use spotnana::sandbox::{example_response, Responses};
use spotnana::{Client, RetryPolicy};

const TOKEN: &str = "/v2/auth/oauth2-token";

/// The client's size limit in these cases; some bodies go over it.
const LIMIT: usize = 256 << 10;

/// How long one call may take at most: attempts are answered at once, and
/// the retry deadline (500 ms) is shorter than any `Retry-After` but 0.
const BOUND: Duration = Duration::from_secs(20);

/// splitmix64: a small, seedable generator, so that a failing case can be
/// run again from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Clone>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())].clone()
    }
}

const STATUSES: [u16; 22] =
    [200, 200, 200, 201, 202, 203, 204, 206, 226, 299, 304, 400, 401, 403, 404, 409, 429, 429, 500, 502, 503, 599];

const RETRY_AFTER: [Option<&str>; 8] = [
    None,
    Some("0"),
    Some("1"),
    Some("-1"),
    Some("18446744073709551615"),
    Some("99999999999999999999999999"),
    Some("Fri, 31 Dec 9999 23:59:59 GMT"),
    Some("soon"),
];

const CONTENT_TYPES: [Option<&str>; 7] = [
    Some("application/json"),
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("application/problem+json"),
    Some("text/html"),
    Some("text/plain; charset=\u{ff}"),
    None,
];

const EXPIRES_IN: [&str; 10] =
    ["3600", "3600", "0", "-1", "1", "0.001", "18446744073709551615", "1e300", "\"soon\"", "null"];

/// One answer, as raw HTTP/1.1, with the status it carries.
fn answer(rng: &mut Rng, operation: &str) -> (u16, Vec<u8>) {
    let status = rng.pick(&STATUSES);
    let body = body(rng, operation);
    let mut head = format!("HTTP/1.1 {status} Scripted\r\nconnection: close\r\n");
    if let Some(value) = rng.pick(&RETRY_AFTER) {
        head.push_str(&format!("retry-after: {value}\r\n"));
    }
    if let Some(value) = rng.pick(&CONTENT_TYPES) {
        head.push_str(&format!("content-type: {value}\r\n"));
    }
    let length = match rng.below(8) {
        0 => None,
        1 => Some((body.len() + 1 + rng.below(1000)).to_string()),
        2 => Some(body.len().saturating_sub(1 + rng.below(10)).to_string()),
        3 => Some(rng.pick(&["abc", "-1", "18446744073709551616", "1, 2"]).to_string()),
        _ => Some(body.len().to_string()),
    };
    if let Some(length) = length {
        head.push_str(&format!("content-length: {length}\r\n"));
    }
    head.push_str("\r\n");
    let mut raw = head.into_bytes();
    raw.extend_from_slice(&body);
    (status, raw)
}

fn body(rng: &mut Rng, operation: &str) -> Vec<u8> {
    let own = |responses| example_response(operation, responses).unwrap_or(Value::Null).to_string().into_bytes();
    match rng.below(11) {
        0 | 1 => own(Responses::Minimal),
        2 => own(Responses::Full),
        3 => {
            let mut whole = own(Responses::Minimal);
            whole.truncate(rng.below(whole.len().max(1)));
            whole
        }
        4 => {
            let mut over = b"{\"padding\":\"".to_vec();
            over.resize(LIMIT + 1 + rng.below(LIMIT), b'x');
            over.extend_from_slice(b"\"}");
            over
        }
        5 => b"<html><body>502 Bad Gateway</body></html>".to_vec(),
        6 => Vec::new(),
        7 => vec![b'['; 10_000 + rng.below(100_000)],
        8 => json!({ "debugIdentifier": "dbg", "errorMessages": [{ "errorCode": "E", "message": "m" }] })
            .to_string()
            .into_bytes(),
        9 => (0..rng.below(512)).map(|_| rng.next() as u8).collect(),
        _ => rng.pick(&["[1,2,3]", "\"a string\"", "null", "42", "{}", "{\"elements\":null}"]).as_bytes().to_vec(),
    }
}

fn token_answer(rng: &mut Rng) -> Reply {
    match rng.below(12) {
        0 => Reply::json(500, json!({})),
        1 => Reply::json(429, json!({ "error": "rate_limited" }))
            .header("retry-after", &rng.pick(&RETRY_AFTER).unwrap_or("0").to_string()),
        2 => Reply::with(200, "text/html", b"<html>login</html>"),
        _ => {
            let body = format!(
                r#"{{"access_token":"tok-{}","token_type":"Bearer","expires_in":{}}}"#,
                rng.next(),
                rng.pick(&EXPIRES_IN)
            );
            Reply::with(200, "application/json", body.as_bytes())
        }
    }
}

/// What the server sent one API request: its method and the status.
type Answered = Arc<Mutex<Vec<(String, u16)>>>;

async fn scripted(seed: u64, operation: String) -> (TestServer, Answered) {
    let answered: Answered = Arc::default();
    let log = answered.clone();
    let rng = Mutex::new(Rng(seed));
    let server = TestServer::start(move |request: &Recorded| {
        let mut rng = rng.lock().unwrap();
        if request.path() == TOKEN {
            return token_answer(&mut rng);
        }
        let (status, raw) = answer(&mut rng, &operation);
        log.lock().unwrap().push((request.method.clone(), status));
        Reply::Raw(raw)
    })
    .await;
    (server, answered)
}

/// Why a case broke a property, if it did.
async fn case(seed: u64, operation: String, inputs: Arc<Inputs>) -> Option<String> {
    let (server, answered) = scripted(seed, operation.clone()).await;
    let client = Client::builder()
        .with_base_url(server.url())
        .with_credentials("prop-id", "prop-secret")
        .with_retry_policy(
            RetryPolicy::default().with_base_delay(Duration::from_millis(1)).with_deadline(Duration::from_millis(500)),
        )
        .with_request_timeout(Duration::from_secs(5))
        .with_max_response_size(LIMIT)
        .build()
        .expect("a loopback client builds");
    let id = operation.clone();
    let call = tokio::spawn(async move { calls::call(&client, &inputs, &id).await });
    let outcome = match tokio::time::timeout(BOUND, call).await {
        Err(_) => return Some(format!("seed {seed}, {operation}: did not end within {BOUND:?}")),
        Ok(Err(join)) if join.is_panic() => return Some(format!("seed {seed}, {operation}: panicked")),
        Ok(Err(join)) => return Some(format!("seed {seed}, {operation}: the task failed: {join}")),
        Ok(Ok(outcome)) => outcome,
    };
    if let Err(spotnana::Error::InvalidRequest(message)) = &outcome {
        return Some(format!("seed {seed}, {operation}: the call could not be made: {message}"));
    }
    let answered = answered.lock().unwrap().clone();
    for pair in answered.windows(2) {
        let ((_, previous), (method, _)) = (&pair[0], &pair[1]);
        if matches!(method.as_str(), "POST" | "PATCH") && !matches!(previous, 429 | 401) {
            return Some(format!(
                "seed {seed}, {operation}: a {method} was sent again after a {previous}: {answered:?}"
            ));
        }
    }
    None
}

/// A finished case's failure, if any (a case that panicked in this test's
/// own code is a failure too).
fn verdict(done: Result<Option<String>, tokio::task::JoinError>) -> Option<String> {
    done.unwrap_or_else(|e| Some(format!("a case's task failed: {e}")))
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_panics_repeats_a_post_or_outlives_its_bound() {
    let seed = env_number("SPOTNANA_NO_PANIC_SEED", 1);
    let per_operation = env_number("SPOTNANA_NO_PANIC_CASES", 4);
    let operations: Vec<String> = support::enabled_operations(&support::spec()).into_iter().map(|op| op.id).collect();
    if cfg!(feature = "all-apis") {
        assert_eq!(operations.len(), 210, "every operation");
    }
    let inputs = Arc::new(Inputs::default());
    let mut cases = tokio::task::JoinSet::new();
    let mut failures = Vec::new();
    let mut run = 0u64;
    for (n, operation) in operations.iter().enumerate() {
        for k in 0..per_operation {
            let case_seed = seed.wrapping_mul(1_000_003).wrapping_add((n as u64) << 8).wrapping_add(k);
            cases.spawn(case(case_seed, operation.clone(), inputs.clone()));
            run += 1;
            // Sixteen at a time: enough to keep two cores busy.
            if cases.len() >= 16 {
                failures.extend(cases.join_next().await.and_then(verdict));
            }
        }
    }
    while let Some(done) = cases.join_next().await {
        failures.extend(verdict(done));
    }
    println!(
        "no-panic property: {run} cases ({} operations x {per_operation}, seed {seed}), {} failed",
        operations.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
