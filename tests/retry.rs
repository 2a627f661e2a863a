//! Fault injection against a scripted loopback server that counts what it
//! receives: which failures are retried, for which methods, and what error the
//! caller gets. POSTs are never sent twice once they may have reached Spotnana.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use spotnana::{types, Client, Error, RetryPolicy};
use support::server::{Recorded, Reply, TestServer};

const API_GET: &str = "/v2/companies";
const API_POST: &str = "/v2/air/fare-rules/fetch";

/// A server that answers the first `n` API requests with `first`, then with `then`.
async fn scripted(first: Reply, n: usize, then: Reply) -> TestServer {
    let seen = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |r: &Recorded| {
        if r.path() == "/v2/auth/oauth2-token" {
            return Reply::json(
                200,
                json!({ "access_token": "retry-token", "expires_in": 3600, "token_type": "Bearer" }),
            );
        }
        if seen.fetch_add(1, Ordering::SeqCst) < n {
            first.clone()
        } else {
            then.clone()
        }
    })
    .await
}

fn client(server: &TestServer, timeout: Duration) -> Client {
    Client::builder()
        .with_base_url(server.url())
        .with_credentials("retry-id", "retry-secret")
        .with_retry_policy(RetryPolicy::default().with_max_attempts(3).with_base_delay(Duration::from_millis(10)))
        .with_request_timeout(timeout)
        .build()
        .expect("a loopback client builds")
}

async fn get(client: &Client) -> Result<(), Error> {
    client.list_companies().send().await.map(|_| ()).map_err(Error::from)
}

async fn post(client: &Client) -> Result<(), Error> {
    let body: types::FetchAirFareRuleRequest = serde_json::from_value(json!({ "pnrId": "1213124111" })).unwrap();
    client.fetch_air_fare_rules().body(body).send().await.map(|_| ()).map_err(Error::from)
}

fn ok_get() -> Reply {
    Reply::json(200, json!({ "elements": [] }))
}

fn ok_post() -> Reply {
    Reply::json(200, json!({ "legRuleInfos": [] }))
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_for_get_and_post() {
    let limited = Reply::json(429, json!({})).header("retry-after", "1");
    for (path, reply) in [(API_GET, ok_get()), (API_POST, ok_post())] {
        let server = scripted(limited.clone(), 1, reply).await;
        let c = client(&server, Duration::from_secs(10));
        let started = Instant::now();
        let result = if path == API_GET { get(&c).await } else { post(&c).await };
        result.unwrap_or_else(|e| panic!("{path}: the retry succeeds: {e}"));
        assert_eq!(server.count(path), 2, "{path}: two attempts");
        assert!(started.elapsed() >= Duration::from_secs(1), "{path}: waited for Retry-After");
    }
}

#[tokio::test]
async fn a_503_is_retried_for_get_up_to_the_limit() {
    let server = scripted(Reply::json(503, json!({})), usize::MAX, ok_get()).await;
    let err = get(&client(&server, Duration::from_secs(10))).await.expect_err("always 503");
    assert_eq!(server.count(API_GET), 3, "max_attempts = 3");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(matches!(err, Error::Api(_)), "{err:?}");
}

#[tokio::test]
async fn a_503_on_post_is_not_retried() {
    let server = scripted(Reply::json(503, json!({})), usize::MAX, ok_post()).await;
    let err = post(&client(&server, Duration::from_secs(10))).await.expect_err("503");
    assert_eq!(server.count(API_POST), 1, "a POST that reached the server is sent once");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn a_reset_after_a_post_was_read_is_not_retried() {
    let server = scripted(Reply::Reset, usize::MAX, ok_post()).await;
    let err = post(&client(&server, Duration::from_secs(10))).await.expect_err("reset");
    assert_eq!(server.count(API_POST), 1, "exactly one request reached the server");
    assert!(matches!(err, Error::Transport(_) | Error::Connect(_)), "{err:?}");
}

#[tokio::test]
async fn a_reset_on_get_is_retried() {
    let server = scripted(Reply::Reset, 1, ok_get()).await;
    get(&client(&server, Duration::from_secs(10))).await.expect("the retry succeeds");
    assert_eq!(server.count(API_GET), 2);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = scripted(Reply::Hang, usize::MAX, ok_post()).await;
    let timeout = Duration::from_millis(500);
    let started = Instant::now();
    let err = post(&client(&server, timeout)).await.expect_err("times out");
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(took >= timeout && took < timeout + Duration::from_secs(3), "took {took:?}");
    assert_eq!(server.count(API_POST), 1);
}

#[tokio::test]
async fn a_400_exposes_spotnanas_error_response() {
    let body = json!({ "debugIdentifier": "dbg-7f3a", "errorMessages": [{ "errorCode": "INVALID_PNR", "message": "PNR not found", "errorDetail": "pnrId" }] });
    let server = scripted(Reply::json(400, body), usize::MAX, ok_post()).await;
    let err = post(&client(&server, Duration::from_secs(10))).await.expect_err("400");
    let Error::Api(api) = &err else { panic!("an API error: {err:?}") };
    assert_eq!(api.status(), 400);
    assert_eq!(api.debug_identifier(), Some("dbg-7f3a"));
    assert_eq!(api.error_code(), Some("INVALID_PNR"));
    assert_eq!(err.error_response().and_then(|e| e.error_messages[0].error_detail.as_deref()), Some("pnrId"));
    let shown = err.to_string();
    assert!(
        shown.contains("400")
            && shown.contains("INVALID_PNR")
            && shown.contains("PNR not found")
            && shown.contains("dbg-7f3a"),
        "{shown}"
    );
    assert_eq!(server.count(API_POST), 1);
}

#[tokio::test]
async fn bad_bodies_are_typed_decode_errors() {
    let truncated =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"elements\": [".to_vec();
    let cases = [
        ("malformed JSON", Reply::with(200, "application/json", b"{\"elements\": [1,,]}")),
        ("truncated body", Reply::Raw(truncated)),
        ("text/html", Reply::with(200, "text/html", b"<html>maintenance</html>")),
    ];
    for (what, reply) in cases {
        let server = scripted(reply, usize::MAX, ok_get()).await;
        let c = Client::builder()
            .with_base_url(server.url())
            .with_static_token("bad-bodies-token")
            .with_retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let err = get(&c).await.expect_err(what);
        let Error::Decode(decode) = &err else { panic!("{what}: a decode error, got {err:?}") };
        assert_eq!(decode.status.map(|s| s.as_u16()), Some(200), "{what}");
        assert!(decode.snippet.len() <= spotnana::SNIPPET_LIMIT, "{what}");
        if what == "text/html" {
            assert_eq!(decode.body(), Some(&b"<html>maintenance</html>"[..]), "the whole body is kept");
        }
    }
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // A date in the past means "now"; one two seconds ahead means a wait of
    // at least one second (HTTP dates have whole seconds).
    let past = Reply::json(429, json!({})).header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
    let server = scripted(past, 1, ok_get()).await;
    get(&client(&server, Duration::from_secs(10))).await.expect("retried at once");
    assert_eq!(server.count(API_GET), 2);

    let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let server = scripted(Reply::json(429, json!({})).header("retry-after", &later), 1, ok_get()).await;
    let started = Instant::now();
    get(&client(&server, Duration::from_secs(10))).await.expect("retried after the date");
    assert_eq!(server.count(API_GET), 2);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for the date");
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    // The default policy gives a call 30 s in all: a 40 s Retry-After ends it.
    let server = scripted(Reply::json(429, json!({})).header("retry-after", "40"), usize::MAX, ok_get()).await;
    let err = get(&client(&server, Duration::from_secs(10))).await.expect_err("429");
    assert_eq!(server.count(API_GET), 1, "no second attempt");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
}

#[tokio::test]
async fn an_unreadable_retry_after_falls_back_to_backoff() {
    let server = scripted(Reply::json(429, json!({})).header("retry-after", "soon"), 2, ok_get()).await;
    get(&client(&server, Duration::from_secs(10))).await.expect("retried with backoff");
    assert_eq!(server.count(API_GET), 3);
}

#[tokio::test]
async fn a_disabled_policy_sends_once() {
    let server = scripted(Reply::json(503, json!({})), usize::MAX, ok_get()).await;
    let c = client(&server, Duration::from_secs(10)).with_retry_policy(RetryPolicy::disabled());
    let err = get(&c).await.expect_err("503");
    assert_eq!(server.count(API_GET), 1);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}
