//! What runs around every call: the bearer token, retries, and response checks.
//!
//! [`Runtime`] is the generated client's inner value (progenitor's
//! `with_inner_type`). Every call reaches [`Runtime::execute`] through
//! `crate::call`, which the generated `send()`s end in; the result is a 2xx
//! response or the SDK's error, never a made-up status.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use progenitor_client::ClientHooks;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Request, Response, StatusCode, Version};
use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::error::{from_reqwest, ApiError, DecodeError};
use crate::generated::types::ErrorResponse;
use crate::generated::Client;
use crate::retry::{retry_after, retry_reason_for_error, retry_reason_for_status, RetryPolicy};
use crate::token_cache::{Cached, TokenCache};

/// Shared per-client state: the token cache, the retry policy, the token URL.
#[derive(Clone)]
pub struct Runtime(Arc<Shared>);

struct Shared {
    tokens: TokenCache,
    retry: RetryPolicy,
    token_url: String,
    /// The largest success body read, in bytes.
    max_response: usize,
}

/// The most of an error answer's body that is read: 64 KiB. Spotnana's
/// `ErrorResponse` is a few hundred bytes; a longer body (a gateway's page)
/// is cut there, and the error keeps its status and headers.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 << 10;

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("tokens", &self.0.tokens)
            .field("retry", &self.0.retry)
            .field("token_url", &self.0.token_url)
            .field("max_response", &self.0.max_response)
            .finish()
    }
}

// progenitor's hooks are not used: `build/send.rs` replaces the generated
// `send()`'s calls of them with `crate::call`, which goes through
// [`Runtime::execute`]. The trait's defaults satisfy the generated code.
impl ClientHooks<Runtime> for Client {}

impl Runtime {
    pub(crate) fn new(tokens: TokenCache, retry: RetryPolicy, token_url: String, max_response: usize) -> Self {
        Self(Arc::new(Shared { tokens, retry, token_url, max_response }))
    }

    pub(crate) fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self::new(self.0.tokens.clone(), retry, self.0.token_url.clone(), self.0.max_response)
    }

    /// The largest success body the client reads, in bytes.
    pub(crate) fn max_response(&self) -> usize {
        self.0.max_response
    }

    pub(crate) fn tokens(&self) -> &TokenCache {
        &self.0.tokens
    }

    /// Sends `request` with a bearer token, retrying as the policy allows, in a
    /// `spotnana.call` span that records the outcome.
    ///
    /// This is the one place an answer's status is judged: the result is a
    /// 2xx response, whose body is still to be read, or the SDK's error. Any
    /// other status, documented or not, is [`crate::Error::Api`], with
    /// Spotnana's `ErrorResponse` when its body is one.
    ///
    /// Most calls are sent once, with a token already cached, and answered
    /// without a retry. That path is [`Execute`]'s `Sending` state, set up
    /// here before the first poll (the generated code awaits at once); the
    /// rest (a token to fetch, a retry, a span a subscriber listens to, an
    /// error body to read) continues in a boxed future.
    pub(crate) fn execute<'a>(
        &'a self,
        http: &'a reqwest::Client,
        mut request: Request,
        operation: &'static str,
    ) -> Execute<'a, impl Future<Output = reqwest::Result<Response>> + Send + Unpin + 'a> {
        let call = Call::new(self, http, &request);
        if let Some(span) = call_span(operation, request.method()) {
            return Execute::boxed(call.traced(request, span));
        }
        let token = match call.tokens.map(|tokens| tokens.fresh_at(call.started)) {
            Some(None) => return Execute::boxed(async move { call.repeat(Some(request), None).await.0 }),
            Some(token) => token,
            None => None,
        };
        // Kept before the token goes in; the request itself is sent (a copy's
        // header map is cut to size, and reqwest and hyper would grow it again).
        let next = Resend::of(&request).map(Box::new);
        match call.authorize(&mut request, token.as_deref()) {
            Ok(()) => Execute { state: State::Sending { sending: http.execute(request), call, next, token } },
            // Boxed, so that the state's largest variant is the first attempt.
            Err(failure) => Execute::boxed(async move { Err(failure) }),
        }
    }

    fn is_token_request(&self, request: &Request) -> bool {
        !self.redacts(request.method(), request.url())
    }

    /// Whether answers to a `method` request to `url` are searched for the
    /// client's tokens: all but the token endpoint's, whose answer is a token
    /// the caller asked for. A token request is a POST (RFC 6749, section
    /// 3.2), so any other method is decided without looking at the URL.
    pub(crate) fn redacts(&self, method: &Method, url: &url::Url) -> bool {
        // The URL up to its path, from the positions `Url` keeps: no scan.
        *method != Method::POST || url[..url::Position::AfterPath] != self.0.token_url
    }
}

/// The future of [`Runtime::execute`].
///
/// Written out rather than an `async fn`, for its size: an `async fn` keeps
/// its `Request` argument beside the copy kept for a retry, and the state of
/// every slower path beside the first attempt's. This holds only the first
/// attempt and what judging it needs (the copy for a retry is boxed). Every
/// call's future holds it, and futures are copied whole at each layer that
/// awaits them. The sizes measured are in `docs/maintaining.md`.
pub(crate) struct Execute<'a, F> {
    state: State<'a, F>,
}

enum State<'a, F> {
    /// The first attempt is in flight.
    /// The copy for a retry is boxed: the state is moved whole as the
    /// generated code hands it on, and a retry is rare.
    Sending { sending: F, call: Call<'a>, next: Option<Box<Resend>>, token: Option<Arc<Cached>> },
    /// Anything slower: a token to fetch, a retry, a span, an error body to read.
    Boxed(Answer<'a>),
    /// Answered: nothing is left to poll.
    Done,
}

/// A boxed future of an answer for the generated code.
type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response, crate::Error>> + Send + 'a>>;

impl<'a, F> Execute<'a, F> {
    fn boxed(rest: impl Future<Output = Result<Response, crate::Error>> + Send + 'a) -> Self {
        Execute { state: State::Boxed(Box::pin(rest)) }
    }
}

impl<'a, F: Future<Output = reqwest::Result<Response>> + Unpin> Future for Execute<'a, F> {
    type Output = Result<Response, crate::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let state = &mut self.state;
        let (outcome, verdict) = match state {
            State::Sending { sending, call, next, token } => {
                let outcome = std::task::ready!(Pin::new(sending).poll(cx));
                let verdict = call.judge(&outcome, next.is_some(), token.as_ref());
                (outcome, verdict)
            }
            State::Boxed(rest) => return rest.as_mut().poll(cx),
            State::Done => panic!("`Runtime::execute` polled after it completed"),
        };
        if matches!(verdict, Verdict::Answer) && !reads_error_body(&outcome) {
            // Most calls: the outcome is handed on as it came, and the state
            // dropped in place (each move of a `Response` is a 136-byte copy).
            *state = State::Done;
            return Poll::Ready(outcome.map_err(from_reqwest));
        }
        let State::Sending { call, next, token, .. } = std::mem::replace(state, State::Done) else {
            unreachable!("matched above")
        };
        let again = match (&verdict, next) {
            (Verdict::Answer, _) | (_, None) => None,
            (_, Some(resend)) => resend.into_request(match &outcome {
                Ok(response) => Some(response.url()),
                Err(e) => e.url(),
            }),
        };
        if again.is_none() {
            return match finish(outcome, token) {
                Finished::Ready(result) => Poll::Ready(result),
                Finished::ErrorBody(read) => {
                    *state = State::Boxed(read);
                    self.poll(cx)
                }
            };
        }
        let rest = async move { call.repeat(again, Some((verdict, outcome, token))).await.0 };
        *state = State::Boxed(Box::pin(rest));
        self.poll(cx)
    }
}

/// The `spotnana.call` span for a call, when a subscriber wants it.
fn call_span(operation: &'static str, method: &Method) -> Option<Span> {
    let span = tracing::info_span!(
        "spotnana.call",
        operation,
        method = %method,
        status = Empty,
        attempts = Empty,
        latency_ms = Empty,
    );
    (!span.is_disabled()).then_some(span)
}

/// What an attempt's outcome calls for.
enum Verdict {
    /// Hand the outcome to the caller.
    Answer,
    /// Drop the token the API rejected (401) and try once more with a new one.
    Reauthenticate,
    /// Try again after the retry policy's delay.
    Retry { reason: &'static str, retry_after: Option<Duration> },
}

/// One call's progress through its attempts.
struct Call<'a> {
    runtime: &'a Runtime,
    http: &'a reqwest::Client,
    method: Method,
    /// The cache to take a token from; `None` for the token request itself.
    tokens: Option<&'a TokenCache>,
    started: Instant,
    attempts: u32,
    retries: u32,
    reauthenticated: bool,
}

/// An attempt's verdict with the outcome and token it was reached on.
type Judged = (Verdict, reqwest::Result<Response>, Option<Arc<Cached>>);

impl<'a> Call<'a> {
    fn new(runtime: &'a Runtime, http: &'a reqwest::Client, request: &Request) -> Self {
        Call {
            runtime,
            http,
            method: request.method().clone(),
            tokens: Some(&runtime.0.tokens).filter(|_| !runtime.is_token_request(request)),
            started: Instant::now(),
            attempts: 1,
            retries: 0,
            reauthenticated: false,
        }
    }

    /// Adds the bearer token to `request`, or says why it cannot.
    fn authorize(&self, request: &mut Request, token: Option<&Cached>) -> Result<(), crate::Error> {
        if let Some(token) = token {
            let Some(value) = token.bearer.clone() else {
                let e = crate::auth::AuthError::InvalidResponse {
                    reason: "the access token contains characters not allowed in an HTTP header".into(),
                };
                return Err(crate::Error::Auth(e));
            };
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(())
    }

    fn judge(&self, outcome: &reqwest::Result<Response>, can_repeat: bool, token: Option<&Arc<Cached>>) -> Verdict {
        if !can_repeat {
            return Verdict::Answer;
        }
        let reason = match outcome {
            Ok(response) if response.status() == StatusCode::UNAUTHORIZED && !self.reauthenticated => {
                return match (self.tokens, token) {
                    (Some(_), Some(_)) => Verdict::Reauthenticate,
                    _ => Verdict::Answer,
                };
            }
            Ok(response) => {
                retry_reason_for_status(response.status(), &self.method).map(|r| (r, retry_after(response.headers())))
            }
            Err(e) => retry_reason_for_error(e, &self.method).map(|r| (r, None)),
        };
        match reason {
            Some((reason, retry_after)) => Verdict::Retry { reason, retry_after },
            None => Verdict::Answer,
        }
    }

    /// The whole call in the span, with the outcome recorded on it.
    async fn traced(self, request: Request, span: Span) -> Result<Response, crate::Error> {
        let started = self.started;
        let (result, attempts) = self.repeat(Some(request), None).instrument(span.clone()).await;
        span.record("attempts", attempts);
        span.record("latency_ms", u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        // A failure the SDK found itself has no HTTP status to log.
        let status = match &result {
            Ok(response) => Some(response.status()),
            Err(e) => e.status(),
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        result
    }

    /// The call from `judged` on (or from its first attempt, when `judged` is
    /// `None`): fetches a token when none is cached, waits out the policy's
    /// delays, and answers with the last outcome; returns how many attempts
    /// were made.
    async fn repeat(
        mut self,
        mut next: Option<Request>,
        mut judged: Option<Judged>,
    ) -> (Result<Response, crate::Error>, u32) {
        loop {
            if let Some((verdict, outcome, token)) = judged.take() {
                match verdict {
                    Verdict::Answer => return (self.answer(outcome, token).await, self.attempts),
                    Verdict::Reauthenticate => {
                        if let (Some(cache), Some(token)) = (self.tokens, &token) {
                            cache.invalidate(token);
                        }
                        self.reauthenticated = true;
                        tracing::info!(
                            attempt = self.attempts,
                            "the API rejected the access token (401); retrying once with a new one"
                        );
                    }
                    Verdict::Retry { reason, retry_after } => {
                        self.retries += 1;
                        let Some(delay) = self.runtime.0.retry.delay(self.retries, retry_after, self.started.elapsed())
                        else {
                            return (self.answer(outcome, token).await, self.attempts);
                        };
                        tracing::info!(
                            attempt = self.attempts,
                            reason,
                            delay_ms = delay.as_millis() as u64,
                            "retrying"
                        );
                        tokio::time::sleep(delay).await;
                    }
                }
                self.attempts += 1;
            }
            let Some(mut request) = next.take() else {
                // Not reached: only requests that could be copied are repeated.
                let failure = crate::Error::InvalidRequest("the request body cannot be sent again".into());
                return (Err(failure), self.attempts);
            };
            let token = match self.tokens {
                Some(cache) => match cache.get().await {
                    Ok(token) => Some(token),
                    Err(e) => return (Err(crate::Error::Auth(e)), self.attempts),
                },
                None => None,
            };
            // A request whose body cannot be copied (a stream) is sent once.
            next = request.try_clone();
            if let Err(failure) = self.authorize(&mut request, token.as_deref()) {
                return (Err(failure), self.attempts);
            }
            let outcome = self.http.execute(request).await;
            judged = Some((self.judge(&outcome, next.is_some(), token.as_ref()), outcome, token));
        }
    }

    async fn answer(
        &self,
        outcome: reqwest::Result<Response>,
        token: Option<Arc<Cached>>,
    ) -> Result<Response, crate::Error> {
        match finish(outcome, token) {
            Finished::Ready(result) => result,
            Finished::ErrorBody(read) => read.await,
        }
    }
}

/// What the first attempt keeps, to send its request again.
///
/// Most calls are never repeated, so this is made to cost nothing when it is
/// not used. reqwest's `try_clone` allocates five times: the URL, the header
/// map's two tables, and an extension map with an entry for the copy's
/// timeout, even when there is none.
enum Resend {
    /// A request with no body, no timeout of its own and at most four header
    /// values (every GET and DELETE the generated code builds): its method,
    /// headers and version, copied without allocating (the generated code's
    /// header values are static). The URL is taken back from the outcome:
    /// reqwest puts it on every response and every error.
    Bare { method: Method, headers: [Option<(HeaderName, HeaderValue)>; 4], version: Version },
    /// Any other request: reqwest's copy.
    Copy(Request),
}

impl Resend {
    /// What it takes to send `request` again; `None` when its body (a
    /// stream) cannot be copied: such a request is sent once.
    fn of(request: &Request) -> Option<Resend> {
        let bare = request.body().is_none() && request.timeout().is_none() && request.headers().len() <= 4;
        if !bare {
            return request.try_clone().map(Resend::Copy);
        }
        let mut headers: [Option<(HeaderName, HeaderValue)>; 4] = Default::default();
        for (slot, (name, value)) in headers.iter_mut().zip(request.headers()) {
            *slot = Some((name.clone(), value.clone()));
        }
        Some(Resend::Bare { method: request.method().clone(), headers, version: request.version() })
    }

    /// The request to send again, to `url`, the one the outcome came from;
    /// `None` if a bare request's outcome names none.
    fn into_request(self, url: Option<&url::Url>) -> Option<Request> {
        let (method, headers, version) = match self {
            Resend::Copy(request) => return Some(request),
            Resend::Bare { method, headers, version } => (method, headers, version),
        };
        let mut request = Request::new(method, url?.clone());
        for (name, value) in headers.into_iter().flatten() {
            request.headers_mut().append(name, value);
        }
        *request.version_mut() = version;
        Some(request)
    }
}

/// A success answer ready for the caller, or an error answer whose body
/// must be read first.
enum Finished {
    Ready(Result<Response, crate::Error>),
    ErrorBody(Answer<'static>),
}

/// Judges an answer, the one place where a status becomes success or error.
///
/// A success answer is passed on unread: [`crate::decode::body`] reads its
/// body once and decodes it. An error answer is read (in a boxed future, so
/// that the success path's state stays small), with any echo of the token
/// it was sent with redacted, and parsed as Spotnana's `ErrorResponse` when
/// it is one: every error status, documented or not, and whatever its body,
/// becomes [`crate::Error::Api`] alike.
fn finish(outcome: reqwest::Result<Response>, sent: Option<Arc<Cached>>) -> Finished {
    match outcome {
        Ok(response) if !response.status().is_success() => {
            Finished::ErrorBody(Box::pin(async move { Err(read_error(response, sent).await) }))
        }
        outcome => Finished::Ready(outcome.map_err(from_reqwest)),
    }
}

/// Whether [`finish`] reads the body of `outcome`: an answer with an error status.
fn reads_error_body(outcome: &reqwest::Result<Response>) -> bool {
    matches!(outcome, Ok(response) if !response.status().is_success())
}

/// An error answer, read (at most [`ERROR_BODY_LIMIT`] bytes) and turned
/// into the SDK's error.
async fn read_error(mut response: Response, sent: Option<Arc<Cached>>) -> crate::Error {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = match crate::decode::read_limited(response, ERROR_BODY_LIMIT).await {
        Ok(body) | Err(crate::decode::Unread::TooLarge(body)) => {
            sent.iter().fold(body, |body, token| token.redact(body))
        }
        Err(crate::decode::Unread::Failed(e)) => {
            let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
            let reason = format!("the body could not be read in full ({e})");
            return crate::Error::Decode(DecodeError::new(Some(status), content_type, reason, &[]));
        }
    };
    let error = serde_json::from_slice::<ErrorResponse>(&body).ok();
    crate::Error::Api(ApiError::new(status, headers, error))
}
