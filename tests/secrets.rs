//! No secret leaks: the `Debug` of every public config, credential and error
//! type, and every log line captured at TRACE level during real token and API
//! traffic, contain neither the client secret nor an access token.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use spotnana::auth::{AccessToken, ClientSecret, StaticToken, TokenCache};
use spotnana::{Error, RetryPolicy};
use support::server::{Reply, TestServer};

const SECRET: &str = "leak-check-secret-9f8e7d";
const TOKEN: &str = "leak-check-token-1a2b3c";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} contains the client secret: {text}");
    assert!(!text.contains(TOKEN), "{what} contains the access token: {text}");
}

#[tokio::test]
async fn nothing_public_prints_a_secret_or_token() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("the only subscriber in this test binary");

    let attempts = Arc::new(Mutex::new(0));
    let seen = attempts.clone();
    let server = TestServer::start(move |r| {
        if r.path() == "/v2/auth/oauth2-token" {
            if r.body.windows(5).any(|w| w == b"wrong") {
                return Reply::json(401, json!({ "error": "invalid_client" }));
            }
            return Reply::json(200, json!({ "access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer" }));
        }
        let mut n = seen.lock().unwrap();
        *n += 1;
        match *n {
            1 => Reply::json(401, json!({ "errorMessages": [{ "message": "Access Token Invalid" }] })),
            2 => Reply::json(429, json!({})).header("retry-after", "0"),
            3 => Reply::with(200, "text/html", format!("<p>{TOKEN}</p>").as_bytes()),
            4 => Reply::json(200, json!({ "access_token": TOKEN, "elements": "wrong type" })),
            _ => Reply::json(
                400,
                json!({ "debugIdentifier": "dbg", "errorMessages": [{ "errorCode": "BAD", "message": "bad" }] }),
            ),
        }
    })
    .await;
    let builder = spotnana::Client::builder()
        .with_base_url(server.url())
        .with_credentials("leak-check-id", SECRET)
        .with_retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(1)));
    let builder_debug = format!("{builder:?}");
    let client = builder.build().expect("builds");

    let mut errors: Vec<Error> = Vec::new();
    for _ in 0..3 {
        if let Err(e) = client.list_companies().send().await {
            errors.push(e.into());
        }
    }
    assert!(errors.iter().any(|e| matches!(e, Error::Decode(_))), "{errors:?}");
    assert!(errors.iter().any(|e| matches!(e, Error::Api(_))), "{errors:?}");
    let wrong =
        spotnana::Client::builder().with_base_url(server.url()).with_credentials("id", "wrong").build().unwrap();
    errors.push(wrong.list_companies().send().await.map_err(Error::from).expect_err("rejected"));
    let config_errors = [
        spotnana::Client::builder()
            .with_base_url("http://example.com")
            .with_credentials("id", SECRET)
            .build()
            .expect_err("insecure"),
        spotnana::Client::builder().build().expect_err("no credentials"),
    ];

    let mut texts = vec![
        ("builder Debug", builder_debug),
        ("client Debug", format!("{client:?}")),
        ("token cache Debug", format!("{:?}", client.token_cache())),
        ("ClientSecret Debug", format!("{:?}", ClientSecret::new(SECRET))),
        ("AccessToken Debug", format!("{:?}", AccessToken::new(TOKEN))),
        ("StaticToken Debug", format!("{:?}", StaticToken::new(TOKEN))),
        ("static cache Debug", format!("{:?}", TokenCache::new(StaticToken::new(TOKEN)))),
        (
            "sandbox builder Debug",
            format!("{:?}", spotnana::sandbox::Sandbox::builder().with_credentials("id", SECRET)),
        ),
        ("retry policy Debug", format!("{:?}", RetryPolicy::default())),
        ("environment Debug", format!("{:?}", spotnana::Environment::Production)),
    ];
    for e in &errors {
        texts.push(("error Debug", format!("{e:?}")));
        texts.push(("error Display", format!("{e}")));
        if let Error::Decode(d) = e {
            texts.push(("decode error body", String::from_utf8_lossy(d.body().unwrap_or_default()).into_owned()));
        }
    }
    for e in &config_errors {
        texts.push(("config error Debug", format!("{e:?}")));
        texts.push(("config error Display", format!("{e}")));
    }
    for (what, text) in &texts {
        assert_clean(what, text);
    }
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).expect("UTF-8 logs");
    assert!(logs.lines().count() > 10, "TRACE logging captured the traffic:\n{logs}");
    assert!(logs.contains("spotnana.call"), "the call span is logged");
    for field in ["operation=\"list_companies\"", "method=GET", "status=", "attempts=", "latency_ms="] {
        assert!(logs.contains(field), "the call span records {field}:\n{logs}");
    }
    assert!(
        logs.contains("retrying") && logs.contains("429 Too Many Requests") && logs.contains("delay_ms="),
        "a retry event with reason and delay:\n{logs}"
    );
    for line in logs.lines() {
        assert_clean("log line", line);
    }
}

/// A token the client has replaced is redacted too. The API rejects the first
/// token (401); the client fetches a second and sends again, and the answer,
/// which does not decode, echoes both. Neither reaches the error, its body or
/// its `Debug`.
#[tokio::test]
async fn a_replaced_token_is_redacted_too() {
    const FIRST: &str = "first-token-5d4c3b";
    const SECOND: &str = "second-token-2a1f0e";
    let issued = Arc::new(Mutex::new(0));
    let server = TestServer::start(move |r| {
        if r.path() == "/v2/auth/oauth2-token" {
            let mut n = issued.lock().unwrap();
            *n += 1;
            let token = if *n == 1 { FIRST } else { SECOND };
            return Reply::json(200, json!({ "access_token": token, "expires_in": 3600, "token_type": "Bearer" }));
        }
        if r.header("authorization") == Some(&format!("Bearer {FIRST}")) {
            return Reply::json(401, json!({ "errorMessages": [{ "message": "Access Token Invalid" }] }));
        }
        Reply::json(200, json!({ "elements": format!("{FIRST} {SECOND}") }))
    })
    .await;
    let client =
        spotnana::Client::builder().with_base_url(server.url()).with_credentials("id", SECRET).build().expect("builds");

    let error = client.list_companies().send().await.expect_err("the answer does not decode");

    assert_eq!(server.count("/v2/auth/oauth2-token"), 2, "the rejected token was replaced");
    let Error::Decode(decode) = &error else { panic!("a decode error, got {error:?}") };
    let body = String::from_utf8_lossy(decode.body().expect("the body is kept")).into_owned();
    assert!(body.contains("[redacted] [redacted]"), "both echoes are redacted in place: {body}");
    for text in [body, format!("{error:?}"), format!("{error}")] {
        assert!(!text.contains(FIRST) && !text.contains(SECOND), "a token leaked: {text}");
    }
}
