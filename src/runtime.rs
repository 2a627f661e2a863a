//! What runs around every call: the bearer token, retries, and response checks.
//!
//! [`Runtime`] is the generated client's inner value (progenitor's
//! `with_inner_type`), and the `ClientHooks::exec` implementation below hands
//! each request to it. Generated code is never edited.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Request, Response, ResponseBuilderExt, StatusCode};
use tracing::field::Empty;
use tracing::Instrument;

use crate::decode::Answering;
use crate::error::{DecodeError, SdkFailure, SDK_FAILURE_STATUS};
use crate::generated::types::ErrorResponse;
use crate::generated::Client;
use crate::retry::{parse_retry_after, retry_reason_for_error, retry_reason_for_status, RetryPolicy};
use crate::token_cache::{Cached, TokenCache};

/// Shared per-client state: the token cache, the retry policy, the token URL.
#[derive(Clone)]
pub struct Runtime(Arc<Shared>);

struct Shared {
    tokens: TokenCache,
    retry: RetryPolicy,
    token_url: String,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("tokens", &self.0.tokens)
            .field("retry", &self.0.retry)
            .field("token_url", &self.0.token_url)
            .finish()
    }
}

impl ClientHooks<Runtime> for Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        self.inner().execute(self.client(), request, info.operation_id).await
    }
}

impl Runtime {
    pub(crate) fn new(tokens: TokenCache, retry: RetryPolicy, token_url: String) -> Self {
        Self(Arc::new(Shared { tokens, retry, token_url }))
    }

    pub(crate) fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self::new(self.0.tokens.clone(), retry, self.0.token_url.clone())
    }

    pub(crate) fn tokens(&self) -> &TokenCache {
        &self.0.tokens
    }

    /// Sends `request` with a bearer token, retrying as the policy allows, in a
    /// `spotnana.call` span that records the outcome.
    pub(crate) async fn execute(
        &self,
        http: &reqwest::Client,
        request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        let span = tracing::info_span!(
            "spotnana.call",
            operation,
            method = %request.method(),
            status = Empty,
            attempts = Empty,
            latency_ms = Empty,
        );
        let started = Instant::now();
        if span.is_disabled() {
            return self.attempts(http, request, started).await.0;
        }
        let (result, attempts) = self.attempts(http, request, started).instrument(span.clone()).await;
        span.record("attempts", attempts);
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        // A failure the SDK found itself has no HTTP status to log.
        if let Ok(response) = &result {
            if response.extensions().get::<Arc<SdkFailure>>().is_none() {
                span.record("status", response.status().as_u16());
            }
        }
        result
    }

    async fn attempts(
        &self,
        http: &reqwest::Client,
        request: Request,
        started: Instant,
    ) -> (reqwest::Result<Response>, u32) {
        let method = request.method().clone();
        let tokens = Some(&self.0.tokens).filter(|_| !self.is_token_request(&request));
        // Each attempt sends the request it holds and keeps a copy for the
        // next. The first sends the generated code's own request: a copy's
        // header map is cut to size, and reqwest and hyper would grow it again
        // to add their own headers. Measured with `cargo bench --bench
        // overhead`: SDK/generated at concurrency 64 went from 0.92 to 0.94-0.98.
        let mut next = Some(request);
        let (mut attempts, mut retries, mut reauthenticated) = (0u32, 0u32, false);
        loop {
            attempts += 1;
            let Some(mut request) = next.take() else {
                // Not reached: the loop repeats only requests that could be copied.
                let failure = SdkFailure::Request("the request body cannot be sent again".into());
                return (Ok(failure_response(failure)), attempts);
            };
            // A request whose body cannot be copied (a stream) is sent once.
            next = request.try_clone();
            let can_repeat = next.is_some();
            // The slow path (a token fetch) is boxed, so that every call's
            // future does not carry its state.
            let token = match tokens.map(|cache| cache.fresh().ok_or(cache)) {
                Some(Ok(token)) => Some(token),
                Some(Err(cache)) => match Box::pin(cache.get()).await {
                    Ok(token) => Some(token),
                    Err(e) => return (Ok(failure_response(SdkFailure::Auth(e))), attempts),
                },
                None => None,
            };
            if let Some(token) = &token {
                match token.bearer.clone() {
                    Some(value) => request.headers_mut().insert(AUTHORIZATION, value),
                    None => {
                        let e = crate::AuthError::InvalidResponse {
                            reason: "the access token contains characters not allowed in an HTTP header".into(),
                        };
                        return (Ok(failure_response(SdkFailure::Auth(e))), attempts);
                    }
                };
            }
            let outcome = http.execute(request).await;
            let (reason, retry_after) = match &outcome {
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED && can_repeat && !reauthenticated => {
                    if let (Some(cache), Some(token)) = (tokens, &token) {
                        cache.invalidate(token);
                        reauthenticated = true;
                        tracing::info!(attempt = attempts, "the API rejected the access token (401); retrying once with a new one");
                        continue;
                    }
                    return (finish(outcome, token, &method).await, attempts);
                }
                Ok(response) => match retry_reason_for_status(response.status(), &method) {
                    Some(reason) if can_repeat => (reason, retry_after(response)),
                    _ => return (finish(outcome, token, &method).await, attempts),
                },
                Err(e) => match retry_reason_for_error(e, &method) {
                    Some(reason) if can_repeat => (reason, None),
                    _ => return (outcome, attempts),
                },
            };
            retries += 1;
            match self.0.retry.delay(retries, retry_after, started.elapsed()) {
                Some(delay) => {
                    tracing::info!(attempt = attempts, reason, delay_ms = delay.as_millis() as u64, "retrying");
                    Box::pin(tokio::time::sleep(delay)).await;
                }
                None => return (finish(outcome, token, &method).await, attempts),
            }
        }
    }

    fn is_token_request(&self, request: &Request) -> bool {
        // The URL up to its path, from the positions `Url` keeps: no scan.
        request.url()[..url::Position::AfterPath] == self.0.token_url
    }
}

fn retry_after(response: &Response) -> Option<std::time::Duration> {
    response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

/// A response that carries a failure the SDK detected to `crate::Error`.
pub(crate) fn failure_response(failure: SdkFailure) -> Response {
    let message = match &failure {
        SdkFailure::Auth(e) => e.to_string(),
        SdkFailure::Decode(e) => e.to_string(),
        SdkFailure::Request(e) => e.clone(),
    };
    let printable: String = message.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect();
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = StatusCode::from_u16(SDK_FAILURE_STATUS).expect("599 is a valid status code");
    if let Ok(value) = HeaderValue::from_str(&printable) {
        response.headers_mut().insert("x-spotnana-sdk-error", value);
    }
    response.extensions_mut().insert(Arc::new(failure));
    Response::from(response)
}

/// Prepares an answer for the generated code.
///
/// A success answer is passed on unread: [`crate::decode::response`] reads its
/// body once, checks it and decodes it, and the [`Answering`] added here tells
/// it the request's method and the token to redact. An error answer is read
/// (in a boxed future, so that the success path's state stays small), with
/// any echo of the token redacted, and parsed as Spotnana's `ErrorResponse`
/// when it is one, so that every error status (documented or not) reaches
/// [`crate::Error::Api`] with it.
async fn finish(outcome: reqwest::Result<Response>, sent: Option<Arc<Cached>>, method: &reqwest::Method) -> reqwest::Result<Response> {
    let mut response = outcome?;
    let answering = Answering { method: method.clone(), token: sent };
    if response.status().is_success() {
        response.extensions_mut().insert(answering);
        return Ok(response);
    }
    Ok(Box::pin(read_error(response, answering)).await)
}

/// An error answer, read in full and rebuilt around its redacted body.
async fn read_error(mut response: Response, answering: Answering) -> Response {
    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    // Moved out, not cloned: the body is all that is read from `response` now.
    let headers = std::mem::take(response.headers_mut());
    let mut extensions = std::mem::take(response.extensions_mut());
    let body = match response.bytes().await {
        Ok(body) => answering.redact(body),
        Err(e) => {
            let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            let reason = format!("the body could not be read in full ({e})");
            return failure_response(SdkFailure::Decode(DecodeError::new(Some(status), content_type, reason, &[])));
        }
    };
    if let Ok(error) = serde_json::from_slice::<ErrorResponse>(&body) {
        extensions.insert(Arc::new(error));
    }
    extensions.insert(answering);
    // Handing reqwest the URL spares it parsing a placeholder one.
    let mut rebuilt = http::Response::builder().status(status).version(version).url(url).body(body).unwrap_or_default();
    *rebuilt.headers_mut() = headers;
    rebuilt.extensions_mut().extend(extensions);
    Response::from(rebuilt)
}
