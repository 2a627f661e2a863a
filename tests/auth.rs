//! OAuth2 client-credentials authentication against a loopback server that plays
//! Spotnana's token endpoint (`POST /v2/auth/oauth2-token`) and an API endpoint
//! (`GET /v2/companies`) that accepts only tokens it issued and that have not expired.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use spotnana::auth::AuthError;
use spotnana::{Client, ConfigError, Error, RetryPolicy};
use support::server::{Recorded, Reply, TestServer};

const TOKEN: &str = "/v2/auth/oauth2-token";
const API: &str = "/v2/companies";
const ID: &str = "test-client-id";
const SECRET: &str = "test-client-secret-s3cr3t";

/// How the fake Spotnana behaves.
#[derive(Clone)]
struct Spotnana {
    lifetime: Duration,
    /// Token-endpoint answers to give before behaving normally.
    token_script: Arc<Mutex<Vec<Reply>>>,
    /// How many API calls to answer 401 before accepting valid tokens.
    api_rejections: Arc<AtomicUsize>,
    issued: Arc<Mutex<HashMap<String, Instant>>>,
    serial: Arc<AtomicUsize>,
    expired_seen: Arc<AtomicUsize>,
}

impl Spotnana {
    fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            token_script: Arc::default(),
            api_rejections: Arc::default(),
            issued: Arc::default(),
            serial: Arc::default(),
            expired_seen: Arc::default(),
        }
    }

    fn answer(&self, r: &Recorded) -> Reply {
        if r.path() == TOKEN {
            if let Some(reply) = {
                let mut s = self.token_script.lock().unwrap();
                (!s.is_empty()).then(|| s.remove(0))
            } {
                return reply;
            }
            let form: HashMap<String, String> = url_form(&r.body);
            if form.get("client_secret").map(String::as_str) != Some(SECRET) {
                return Reply::json(401, json!({ "error": "invalid_client", "error_description": "bad secret" }));
            }
            let token = format!("tok-{}-{}", self.serial.fetch_add(1, Ordering::SeqCst), "x".repeat(20));
            self.issued.lock().unwrap().insert(token.clone(), Instant::now());
            return Reply::json(
                200,
                json!({ "access_token": token, "expires_in": self.lifetime.as_secs_f64().ceil() as u64, "token_type": "Bearer" }),
            );
        }
        let token = r.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
        let issued = self.issued.lock().unwrap().get(token).copied();
        let valid = issued.is_some_and(|at| at.elapsed() < self.lifetime);
        if issued.is_some() && !valid {
            self.expired_seen.fetch_add(1, Ordering::SeqCst);
        }
        let reject = self.api_rejections.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if reject || !valid {
            return Reply::json(
                401,
                json!({ "debugIdentifier": "dbg-401", "errorMessages": [{ "errorCode": "UNAUTHORIZED", "message": "Access Token Invalid" }] }),
            );
        }
        Reply::json(200, json!({ "elements": [], "length": 0 }))
    }

    async fn start(&self) -> TestServer {
        let me = self.clone();
        TestServer::start(move |r| me.answer(r)).await
    }
}

fn url_form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%2D", "-").replace('+', " ")))
        .collect()
}

fn client(server: &TestServer, secret: &str) -> Client {
    Client::builder()
        .with_base_url(server.url())
        .with_credentials(ID, secret)
        .with_retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(20)))
        .build()
        .expect("a loopback client builds")
}

async fn list(client: &Client) -> Result<(), Error> {
    client.list_companies().send().await.map(|_| ()).map_err(Error::from)
}

#[tokio::test]
async fn token_request_is_exactly_the_documented_form() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    let server = spotnana.start().await;
    list(&client(&server, SECRET)).await.expect("the call succeeds");
    let token_requests: Vec<Recorded> = server.requests().into_iter().filter(|r| r.path() == TOKEN).collect();
    let [request] = &token_requests[..] else { panic!("one token request, got {}", token_requests.len()) };
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(request.header("authorization"), None, "the secret goes in the body, not in Basic auth");
    let mut fields: Vec<(String, String)> = url_form(&request.body).into_iter().collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            ("client_id".to_string(), ID.to_string()),
            ("client_secret".to_string(), SECRET.to_string()),
            ("grant_type".to_string(), "client_credentials".to_string()),
        ]
    );
    let api = server.requests().into_iter().find(|r| r.path() == API).expect("the API call arrived");
    assert!(api.header("authorization").is_some_and(|h| h.starts_with("Bearer tok-0-")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_on_a_cold_client_make_one_token_request() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    let server = spotnana.start().await;
    let client = client(&server, SECRET);
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { list(&c).await })
        })
        .collect();
    let mut ok = 0;
    for call in calls {
        call.await.expect("no panic").expect("every call succeeds");
        ok += 1;
    }
    assert_eq!(ok, 1000);
    assert_eq!(server.count(TOKEN), 1, "one token request for 1,000 concurrent calls");
    assert_eq!(server.count(API), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_across_expiry_make_exactly_one_more_token_request_and_none_fails() {
    let lifetime = Duration::from_secs(2);
    let spotnana = Spotnana::new(lifetime);
    let server = spotnana.start().await;
    let client = client(&server, SECRET);
    let started = Instant::now();
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let mut n = 0;
                // Up to 2.5 s: past the first token's refresh point, short of the second's.
                while started.elapsed() < Duration::from_millis(2500) {
                    list(&c).await.expect("no call fails across the expiry");
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                n
            })
        })
        .collect();
    let mut calls = 0;
    for w in workers {
        calls += w.await.expect("no panic");
    }
    assert!(calls > 100, "the calls ran throughout ({calls})");
    assert_eq!(server.count(TOKEN), 2, "the first token and exactly one refresh");
    assert_eq!(spotnana.expired_seen.load(Ordering::SeqCst), 0, "no call carried an expired token");
    assert_eq!(server.count(API), calls, "no call needed a second attempt");
}

#[tokio::test]
async fn a_401_then_success_fetches_one_new_token_and_succeeds() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    spotnana.api_rejections.store(1, Ordering::SeqCst);
    let server = spotnana.start().await;
    list(&client(&server, SECRET)).await.expect("the retried call succeeds");
    assert_eq!(server.count(TOKEN), 2, "one extra token request after the 401");
    assert_eq!(server.count(API), 2);
    let api: Vec<_> = server.requests().into_iter().filter(|r| r.path() == API).collect();
    assert_ne!(api[0].header("authorization"), api[1].header("authorization"), "the retry carries the new token");
}

#[tokio::test]
async fn a_401_twice_is_a_typed_error_after_exactly_two_attempts() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    spotnana.api_rejections.store(usize::MAX, Ordering::SeqCst);
    let server = spotnana.start().await;
    let err = list(&client(&server, SECRET)).await.expect_err("two 401s fail");
    let Error::Api(api) = &err else { panic!("an API error, got {err:?}") };
    assert_eq!(api.status(), 401);
    assert_eq!(api.error_code(), Some("UNAUTHORIZED"));
    assert_eq!(server.count(API), 2, "exactly two attempts, no loop");
    assert_eq!(server.count(TOKEN), 2);
}

#[tokio::test]
async fn token_endpoint_429s_are_retried_after_retry_after() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    let limited = Reply::json(429, json!({ "error": "rate_limited" })).header("retry-after", "1");
    *spotnana.token_script.lock().unwrap() = vec![limited.clone(), limited];
    let server = spotnana.start().await;
    let started = Instant::now();
    list(&client(&server, SECRET)).await.expect("the third token request succeeds");
    let waited = started.elapsed();
    assert_eq!(server.count(TOKEN), 3);
    assert!(waited >= Duration::from_secs(2), "two Retry-After: 1 waits, took {waited:?}");
}

#[tokio::test]
async fn wrong_credentials_fail_at_once_with_one_token_request() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    let server = spotnana.start().await;
    let err = list(&client(&server, "wrong-secret")).await.expect_err("rejected");
    match &err {
        Error::Auth(AuthError::CredentialsRejected { status: 401, oauth_error: Some(code) }) => {
            assert_eq!(code, "invalid_client")
        }
        other => panic!("credentials rejected, got {other:?}"),
    }
    assert_eq!(server.count(TOKEN), 1, "no retry of rejected credentials");
    assert_eq!(server.count(API), 0);
    let message = err.to_string();
    assert!(message.contains("rejected the client credentials") && !message.contains("wrong-secret"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_with_wrong_credentials_make_one_token_request() {
    let spotnana = Spotnana::new(Duration::from_secs(3600));
    let server = spotnana.start().await;
    let client = client(&server, "wrong-secret");
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { list(&c).await })
        })
        .collect();
    for call in calls {
        let err = call.await.expect("no panic").expect_err("rejected");
        assert!(matches!(err, Error::Auth(AuthError::CredentialsRejected { .. })), "{err:?}");
    }
    assert_eq!(server.count(TOKEN), 1, "the calls queued behind the failed fetch share its error");
}

#[tokio::test]
async fn token_requests_follow_no_redirects() {
    let elsewhere =
        TestServer::start(|_| Reply::json(200, json!({ "access_token": "stolen", "token_type": "Bearer" }))).await;
    let target = format!("{}{TOKEN}", elsewhere.url());
    let server = TestServer::start(move |_| Reply::Respond {
        status: 307,
        headers: vec![("location".into(), target.clone())],
        body: vec![],
    })
    .await;
    let err = list(&client(&server, SECRET)).await.expect_err("a redirect is not followed");
    assert!(matches!(err, Error::Auth(AuthError::Unavailable { .. })), "{err:?}");
    assert!(elsewhere.requests().is_empty(), "the secret was not sent to the redirect target");
}

#[test]
fn plain_http_is_refused_unless_the_host_is_loopback() {
    let build = |url: &str| Client::builder().with_base_url(url).with_credentials(ID, SECRET).build().map(|_| ());
    assert!(matches!(build("http://api.spotnana.com"), Err(ConfigError::InsecureUrl { .. })));
    assert!(build("http://127.0.0.1:8080").is_ok());
    assert!(build("http://localhost:8080").is_ok());
    assert!(build("http://[::1]:8080").is_ok());
    assert!(build("https://api.spotnana.com").is_ok());
    let token = Client::builder().with_credentials(ID, SECRET).with_token_url("http://evil.example/token").build();
    assert!(matches!(token, Err(ConfigError::InsecureUrl { what: "token URL", .. })));
    assert!(matches!(Client::builder().build(), Err(ConfigError::NoCredentials)));
}

#[test]
fn from_env_names_the_missing_variable() {
    // The only test in this binary that touches these variables.
    std::env::remove_var("SPOTNANA_CLIENT_ID");
    std::env::remove_var("SPOTNANA_CLIENT_SECRET");
    let err = Client::from_env().expect_err("no variables set");
    assert!(err.to_string().contains("SPOTNANA_CLIENT_ID"), "{err}");
    std::env::set_var("SPOTNANA_CLIENT_ID", "id");
    let err = Client::from_env().expect_err("no secret set");
    assert!(err.to_string().contains("SPOTNANA_CLIENT_SECRET"), "{err}");
    std::env::set_var("SPOTNANA_CLIENT_SECRET", "secret");
    std::env::set_var("SPOTNANA_BASE_URL", "http://127.0.0.1:1");
    assert!(Client::from_env().is_ok());
    for v in ["SPOTNANA_CLIENT_ID", "SPOTNANA_CLIENT_SECRET", "SPOTNANA_BASE_URL"] {
        std::env::remove_var(v);
    }
}

/// What the token endpoint does with the second token request, the refresh.
#[derive(Clone, Copy)]
enum Refresh {
    /// Fails (400), once the API has rejected the first token.
    FailsAfterTheRejection,
    /// Never answers.
    Hangs,
}

/// A token endpoint that issues `token-a` (10 s), handles the refresh as
/// `refresh` says, then issues `token-b`; and an API that, when `rejects`,
/// answers `token-a` from 8.55 s on (in the refresh window) with a 401 once the
/// refresh has been asked for, and accepts any other call. The two wait on
/// each other, so the order of events does not depend on how fast the
/// machine is.
async fn refresh_server(refresh: Refresh, rejects: bool) -> TestServer {
    let tokens = Arc::new(AtomicUsize::new(0));
    let (asked, rejected) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let issued: Arc<Mutex<Option<Instant>>> = Arc::default();
    TestServer::start_async(move |request: Recorded| -> support::server::PendingReply {
        let (tokens, asked, rejected, issued) = (tokens.clone(), asked.clone(), rejected.clone(), issued.clone());
        Box::pin(async move {
            let until = |flag: Arc<AtomicUsize>| async move {
                let deadline = Instant::now() + Duration::from_secs(10);
                while flag.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            };
            if request.path() == TOKEN {
                return match (tokens.fetch_add(1, Ordering::SeqCst), refresh) {
                    (0, _) => {
                        *issued.lock().unwrap() = Some(Instant::now());
                        token("token-a", 10)
                    }
                    (1, Refresh::FailsAfterTheRejection) => {
                        asked.store(1, Ordering::SeqCst);
                        until(rejected).await;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Reply::json(400, json!({ "error": "invalid_client" }))
                    }
                    (1, Refresh::Hangs) => {
                        asked.store(1, Ordering::SeqCst);
                        Reply::Hang
                    }
                    _ => token("token-b", 3600),
                };
            }
            let in_window = issued.lock().unwrap().is_some_and(|at| at.elapsed() >= Duration::from_millis(8550));
            if rejects && request.header("authorization") == Some("Bearer token-a") && in_window {
                until(asked).await;
                rejected.store(1, Ordering::SeqCst);
                return Reply::json(
                    401,
                    json!({ "errorMessages": [{ "errorCode": "UNAUTHORIZED", "message": "Access Token Invalid" }] }),
                );
            }
            Reply::json(200, json!({ "elements": [] }))
        })
    })
    .await
}

fn token(name: &str, expires_in: u64) -> Reply {
    Reply::json(200, json!({ "access_token": name, "token_type": "Bearer", "expires_in": expires_in }))
}

/// A token a 401 rejected stays rejected when the background refresh that
/// was running meanwhile fails: the call fetches a new token and succeeds,
/// instead of being handed the rejected one again.
///
/// With a 10 s token, the refresh is due from 8.0–8.5 s and the token is
/// dropped at 9.5 s. At 8.6 s a call starts the refresh and is answered
/// 401; the refresh fails after that.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_never_restores_a_token_a_401_rejected() {
    let server = refresh_server(Refresh::FailsAfterTheRejection, true).await;
    let client = client(&server, SECRET);
    let started = Instant::now();
    list(&client).await.expect("the first call");
    tokio::time::sleep(Duration::from_millis(8600).saturating_sub(started.elapsed())).await;
    list(&client).await.expect("the rejected token is not handed back: a new one is fetched");
    assert_eq!(server.count(TOKEN), 3, "the first token, the failed refresh, the new token");
    let last = server.requests().into_iter().filter(|r| r.path() == API).last().expect("API calls");
    assert_eq!(last.header("authorization"), Some("Bearer token-b"));
}

/// A background refresh whose task is dropped (its runtime shut down) does
/// not leave the cache believing a refresh is running: the next call in
/// the refresh window starts one.
#[test]
fn a_refresh_dropped_with_its_runtime_does_not_block_the_next() {
    let runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let servers =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
    let server = servers.block_on(refresh_server(Refresh::Hangs, false));
    let client = client(&server, SECRET);
    let started = Instant::now();
    let first = runtime();
    first.block_on(async {
        list(&client).await.expect("the first call");
        tokio::time::sleep(Duration::from_millis(8600).saturating_sub(started.elapsed())).await;
        list(&client).await.expect("a call in the refresh window, on the still valid token");
        // The refresh runs on this runtime: wait until its request is out.
        while server.count(TOKEN) < 2 && started.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    drop(first);
    let requests = server.count(TOKEN);
    assert_eq!(requests, 2, "the refresh's token request hangs");
    runtime().block_on(async {
        list(&client).await.expect("a call on the still valid token");
        tokio::time::sleep(Duration::from_millis(100)).await;
    });
    assert_eq!(server.count(TOKEN), 3, "the next call in the window started a new refresh");
}
