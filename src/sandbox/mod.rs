//! A local Spotnana for trying the SDK and testing integrations offline.
//!
//! [`Sandbox::start`] runs an HTTP server on a free port of 127.0.0.1 inside your
//! tokio runtime. It plays Spotnana closely enough for the SDK to work unchanged:
//!
//! - **Tokens.** `POST /v2/auth/oauth2-token` follows Spotnana's documented
//!   client-credentials grant. Wrong credentials get 401 `invalid_client`; more
//!   token requests than the rate limit allows get 429 with `Retry-After`; an API
//!   call with an unknown or expired token gets 401 "Access Token Invalid".
//! - **Every operation answers.** Each operation of the enabled APIs in
//!   `openapi/spotnana.json` (all 210 with the default features) returns its
//!   first success response, built from the response schema (the schema's
//!   examples where it gives them). By default an answer holds only what the
//!   schema requires; [`Responses::Full`] fills every property instead, as a
//!   real PNR or trip does.
//! - **Requests are checked.** A missing required parameter, body or body field
//!   gets 400 with Spotnana's `ErrorResponse`.
//! - **Resources keep state.** Seventeen resource families (companies,
//!   users, trips, PNRs, events, ...; found by the shape of their paths)
//!   keep what you create: reads answer with it, updates change it, deletes
//!   remove it, and their lists and lookups find it by the query parameters
//!   that name its fields. Bookings land on their trips, and cancels show.
//!   [`Sandbox::stored`] gives what a family holds.
//! - **Faults on purpose.** [`Sandbox::inject`] makes the next calls of an
//!   operation answer a status, drop the connection before or after the
//!   request applies, hang, or answer late.
//! - **Secrets say what they are.** Every secret field of an answer (a
//!   client secret, a card number: `format: password`) holds
//!   [`SECRET_VALUE`], so a test can check that none reaches a log.
//! - **Lists page.** [`Sandbox::add_list_items`] fills the list of any
//!   paginated operation (events, users, legal entities, trips, hotels, ...);
//!   it then answers page by page, as Spotnana does, so `pages()` and
//!   `stream()` can be tried on lists longer than a page.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = spotnana::sandbox::Sandbox::start().await?;
//! let client = sandbox.client()?;
//! let companies = client.list_companies().send().await?;
//! # let _ = companies;
//! # Ok(()) }
//! ```
//!
//! The `sandbox` feature (on by default) compiles this module; it embeds the
//! normalised spec (about 1.8 MB).

mod bookings;
mod deliveries;
mod faults;
mod lists;
mod spec;
mod store;
mod synth;
mod tokens;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming as Body;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::generated::Client;
use crate::retry::RetryPolicy;
use spec::{Answer, Incoming, Spec};
use synth::Fill;

pub use deliveries::{Delivery, DELIVERY_ATTEMPTS, DELIVERY_TIMEOUT};
pub use faults::{Fault, NoSuchOperation};
pub use lists::NotPaginated;
pub use synth::SECRET_VALUE;

/// The embedded spec, parsed once per process.
fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(Spec::load)
}

/// A minimal request body that the sandbox (and the spec) accepts for
/// `operation_id`, built from its schema; `None` if the operation takes no body
/// or does not exist.
pub fn example_request(operation_id: &str) -> Option<Value> {
    spec().example_request(operation_id)
}

/// How much of its response schema each answer fills.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Responses {
    /// Only the required properties, the first enum value and the first union
    /// branch: small answers, quick to check by eye.
    #[default]
    Minimal,
    /// Every optional property set, arrays of at least two items, maps of two
    /// entries. Each call picks the next branch of every `oneOf` and the next
    /// value of every enum, so successive calls go through all of them. A
    /// schema that contains itself (`Money.otherCoinage`) is filled minimally
    /// where it recurs. Use it to test against answers the size of production
    /// ones.
    Full,
}

/// The body the sandbox answers `operation_id` with, in the given mode (the
/// first turn of [`Responses::Full`]); `None` if the operation's success
/// answer has no JSON body, or the operation does not exist.
///
/// Handy as a fixture: the bytes a real decode sees, without a server.
pub fn example_response(operation_id: &str, responses: Responses) -> Option<Value> {
    spec().example_response(operation_id, responses.first_fill())
}

impl Responses {
    /// How the first answer in this mode is filled.
    fn first_fill(self) -> Fill {
        match self {
            Responses::Minimal => Fill::Minimal,
            Responses::Full => Fill::Full { turn: 0 },
        }
    }
}

/// An instance of the model (component schema) `name`, such as `Card`,
/// built as the sandbox builds answers; `None` if the spec has no such
/// model. Decode it into `spotnana::types::{name}` for a fixture.
pub fn example_model(name: &str, responses: Responses) -> Option<Value> {
    spec().model(name, responses.first_fill())
}

/// Settings for a [`Sandbox`]. Start from [`Sandbox::builder`].
#[derive(Clone)]
pub struct SandboxBuilder {
    client_id: String,
    client_secret: String,
    token_lifetime: Duration,
    token_rate_limit: u32,
    token_rate_window: Duration,
    responses: Responses,
    strict_ids: bool,
    /// Where to send webhooks, and the secret to sign them with.
    webhook: Option<(String, crate::Secret)>,
}

impl std::fmt::Debug for SandboxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_lifetime", &self.token_lifetime)
            .field("token_rate_limit", &self.token_rate_limit)
            .field("token_rate_window", &self.token_rate_window)
            .field("responses", &self.responses)
            .field("strict_ids", &self.strict_ids)
            .field("webhook", &self.webhook.as_ref().map(|(endpoint, _)| endpoint))
            .finish()
    }
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            token_lifetime: Duration::from_secs(3600),
            token_rate_limit: 30,
            token_rate_window: Duration::from_secs(60),
            responses: Responses::Minimal,
            strict_ids: false,
            webhook: None,
        }
    }
}

impl SandboxBuilder {
    /// The client id and secret the token endpoint accepts.
    pub fn with_credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self.client_secret = client_secret.into();
        self
    }

    /// How long issued tokens are valid (default: one hour, as Spotnana's).
    pub fn with_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// At most `requests` token requests per `window` (default: 30 per minute);
    /// more get 429 with `Retry-After`.
    pub fn with_token_rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.token_rate_limit = requests;
        self.token_rate_window = window;
        self
    }

    /// How much each answer fills of its schema (default: [`Responses::Minimal`]).
    pub fn with_responses(mut self, responses: Responses) -> Self {
        self.responses = responses;
        self
    }

    /// Answers 404 for every id the sandbox did not issue (default: off).
    ///
    /// By default an id you never created reads back as a synthesised
    /// resource, so that any operation works without setup; only deleted ids
    /// answer 404. Strict ids behave as Spotnana does: reading, updating or
    /// booking onto a trip, user or company you did not create is a 404
    /// `ErrorResponse`.
    pub fn with_strict_ids(mut self) -> Self {
        self.strict_ids = true;
        self
    }

    /// Sends webhooks to `endpoint`, signed with `secret` (`whsec_…`), as
    /// Spotnana does: a user created, updated or deleted is `TRAVELER_V2`;
    /// a PNR booked, updated or cancelled is `PNR_V3`. Each is re-sent with
    /// the same webhook id until the endpoint answers 200, at most
    /// [`DELIVERY_ATTEMPTS`] times; [`Sandbox::deliveries`] records them.
    ///
    /// A secret that is not `whsec_` and Base64 makes [`start`](Self::start) fail.
    pub fn with_webhook(mut self, endpoint: impl Into<String>, secret: impl Into<String>) -> Self {
        self.webhook = Some((endpoint.into(), crate::Secret::new(secret.into())));
        self
    }

    /// Starts the sandbox on a free port of 127.0.0.1.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let deliveries = match &self.webhook {
            Some((endpoint, secret)) => {
                let signer = crate::webhooks::Webhook::new(secret.expose_secret())
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
                Some(deliveries::Deliveries::start(endpoint.clone(), signer)?)
            }
            None => None,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            spec: spec(),
            tokens: tokens::Tokens::new(&self),
            store: store::Store::new(spec(), self.strict_ids),
            bookings: bookings::Bookings::new(spec()),
            deliveries,
            lists: lists::Lists::default(),
            faults: faults::Faults::default(),
            responses: self.responses,
            turns: AtomicUsize::new(0),
            calls: std::sync::Mutex::default(),
        });
        let serving = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = serving.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { state.handle(req).await }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
        Ok(Sandbox { addr, settings: self, state, task })
    }
}

/// A running local Spotnana. It stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    settings: SandboxBuilder,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url())
            .field("client_id", &self.settings.client_id)
            .finish()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Sandbox {
    /// Settings to change before starting.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox with default settings.
    pub async fn start() -> std::io::Result<Sandbox> {
        SandboxBuilder::default().start().await
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.settings.client_id
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.settings.client_secret
    }

    /// How many token requests the sandbox has answered, successful or not.
    pub fn token_requests(&self) -> usize {
        self.state.tokens.requests()
    }

    /// How many authenticated requests for `operation_id` the sandbox has
    /// answered (with any status): for tests that count what the SDK sends.
    pub fn requests(&self, operation_id: &str) -> usize {
        self.state.calls.lock().unwrap_or_else(|p| p.into_inner()).get(operation_id).copied().unwrap_or(0)
    }

    /// Puts `count` more items in the list the paginated operation
    /// `operation_id` answers with, and returns how many it now holds.
    ///
    /// From then on the operation answers page by page from that list, reading
    /// the position and page size where its requests carry them (query or body;
    /// offset, page number or page token) and giving the list's length or the
    /// next page's token where its answers carry them. Items are synthesised
    /// from the item schema, each distinct: the item's first plain string
    /// property (one level down if it has none) holds `"{operation_id}-{n}"`,
    /// or a UUID ending in `n`. A page holds the size asked for, else the
    /// spec's default, else 10, and at most 1000. A list you fill for
    /// `listCompanies` answers instead of the companies you create.
    ///
    /// `Err` when the operation does not page (or its API is not enabled).
    pub fn add_list_items(&self, operation_id: &str, count: usize) -> Result<usize, NotPaginated> {
        self.state.lists.add(self.state.spec, self.state.spec.route_by_id(operation_id), operation_id, count)
    }

    /// Makes the next `times` calls of `operation_id` fail as `fault` says,
    /// after any faults already waiting for it. Each faulty call counts in
    /// [`requests`](Self::requests).
    ///
    /// ```no_run
    /// # async fn demo(sandbox: spotnana::sandbox::Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    /// use spotnana::sandbox::Fault;
    /// // The next createUser is stored, and its answer is lost.
    /// sandbox.inject("createUser", Fault::ResetAfterApply, 1)?;
    /// // The next two listCompanies answer 503 with Retry-After: 1.
    /// let busy = Fault::Status { status: 503, retry_after: Some(std::time::Duration::from_secs(1)) };
    /// sandbox.inject("listCompanies", busy, 2)?;
    /// # Ok(()) }
    /// ```
    pub fn inject(&self, operation_id: &str, fault: Fault, times: usize) -> Result<(), NoSuchOperation> {
        let known = self.state.spec.route_by_id(operation_id).is_some();
        let valid = match &fault {
            Fault::Status { status, .. } => http::StatusCode::from_u16(*status).is_ok(),
            _ => true,
        };
        if !known || !valid {
            return Err(NoSuchOperation::new(operation_id));
        }
        self.state.faults.add(operation_id, fault, times);
        Ok(())
    }

    /// What the sandbox holds of the resource family that `operation_id`
    /// belongs to (its create, read, update, delete or lists), in creation
    /// order: each resource's id and the fields sent for it. Empty for an
    /// operation outside the families (`openapi/NORMALIZATION.md`,
    /// `resource-families`).
    ///
    /// For tests that check what an integration left behind: exactly one
    /// user per employee, no duplicate booking.
    pub fn stored(&self, operation_id: &str) -> Vec<(String, Value)> {
        self.state.store.stored(operation_id)
    }

    /// Every webhook sent so far, in the order sent (empty without
    /// [`SandboxBuilder::with_webhook`]).
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.deliveries.as_ref().map(deliveries::Deliveries::done).unwrap_or_default()
    }

    /// Waits until `count` webhooks have been sent (delivered, or given up
    /// after [`DELIVERY_ATTEMPTS`]) or `within` has passed, and returns the
    /// ones sent.
    pub async fn wait_for_deliveries(&self, count: usize, within: Duration) -> Vec<Delivery> {
        match &self.state.deliveries {
            Some(d) => d.wait(count, within).await,
            None => Vec::new(),
        }
    }

    /// Invalidates every token issued so far, as a revocation or a secret
    /// rotation at Spotnana would: the next API call with one gets 401.
    pub fn revoke_tokens(&self) {
        self.state.tokens.revoke_all();
    }

    /// A client for this sandbox, authenticating with its credentials.
    pub fn client(&self) -> Result<Client, crate::ConfigError> {
        crate::ClientBuilder::new()
            .with_base_url(self.base_url())
            .with_credentials(self.client_id(), self.client_secret())
            .with_retry_policy(RetryPolicy::default())
            .build()
    }

    /// A minimal request body that the sandbox accepts for `operation_id`; see
    /// [`crate::sandbox::example_request`].
    pub fn example_request(&self, operation_id: &str) -> Option<Value> {
        example_request(operation_id)
    }

    /// The ids of every operation the sandbox answers.
    pub fn operation_ids(&self) -> Vec<String> {
        self.state.spec.operation_ids().map(str::to_string).collect()
    }
}

struct State {
    spec: &'static Spec,
    tokens: tokens::Tokens,
    store: store::Store,
    bookings: bookings::Bookings,
    deliveries: Option<deliveries::Deliveries>,
    lists: lists::Lists,
    faults: faults::Faults,
    responses: Responses,
    /// Answers synthesised so far in full mode: each picks the next union branch.
    turns: AtomicUsize,
    /// Authenticated requests answered, by operation id.
    calls: std::sync::Mutex<HashMap<String, usize>>,
}

type Reply = hyper::Response<Full<Bytes>>;

fn reply(status: u16, body: Option<&Value>, extra: &[(&str, String)]) -> Reply {
    let mut builder = hyper::Response::builder().status(status);
    for (k, v) in extra {
        builder = builder.header(*k, v);
    }
    let bytes = match body {
        Some(v) => {
            builder = builder.header("content-type", "application/json");
            Bytes::from(v.to_string())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(bytes)).unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

/// Spotnana's `ErrorResponse` body.
fn error_body(code: &str, message: &str, detail: Option<&str>) -> Value {
    let mut item = json!({ "errorCode": code, "message": message });
    if let Some(d) = detail {
        item["errorDetail"] = json!(d);
    }
    json!({ "debugIdentifier": format!("sandbox-{:08x}", fastrand::u32(..)), "errorMessages": [item] })
}

impl State {
    fn fill(&self) -> Fill {
        match self.responses {
            Responses::Minimal => Fill::Minimal,
            Responses::Full => Fill::Full { turn: self.turns.fetch_add(1, Ordering::Relaxed) },
        }
    }

    /// Answers one request; `Err` closes the connection without an answer.
    async fn handle(&self, req: hyper::Request<Body>) -> Result<Reply, faults::Reset> {
        let (parts, body) = req.into_parts();
        let raw = match body.collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return Ok(reply(
                    400,
                    Some(&error_body("BAD_REQUEST", "the request body could not be read", None)),
                    &[],
                ))
            }
        };
        let path = parts.uri.path().to_string();
        if path == crate::config::TOKEN_PATH && parts.method == http::Method::POST {
            return Ok(self.tokens.issue(&raw));
        }
        let Some((route, params)) = self.spec.route(parts.method.as_str(), &path) else {
            return Ok(reply(
                404,
                Some(&error_body("NOT_FOUND", "no Spotnana operation has this method and path", Some(&path))),
                &[],
            ));
        };
        let bearer =
            parts.headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if !self.tokens.is_valid(bearer) {
            return Ok(reply(401, Some(&error_body("UNAUTHORIZED", "Access Token Invalid", None)), &[]));
        }
        let query: HashMap<String, String> = parts
            .uri
            .query()
            .map(|q| {
                q.split('&')
                    .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let is_json = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"));
        let body = if raw.is_empty() {
            None
        } else if is_json {
            match serde_json::from_slice::<Value>(&raw) {
                Ok(v) => Some(v),
                Err(e) => {
                    return Ok(reply(
                        400,
                        Some(&error_body("INVALID_JSON", "the request body is not valid JSON", Some(&e.to_string()))),
                        &[],
                    ))
                }
            }
        } else {
            Some(Value::Null)
        };
        *self.calls.lock().unwrap_or_else(|p| p.into_inner()).entry(route.id.clone()).or_default() += 1;
        let fault = self.faults.next(&route.id);
        match &fault {
            Some(Fault::Status { status, retry_after }) => {
                let wait: Vec<(&str, String)> =
                    retry_after.iter().map(|d| ("retry-after", d.as_secs().to_string())).collect();
                let body = error_body("INJECTED_FAULT", "a fault injected with Sandbox::inject", Some(&route.id));
                return Ok(reply(*status, Some(&body), &wait));
            }
            Some(Fault::ResetBeforeApply) => return Err(faults::Reset),
            Some(Fault::Hang) => {
                tokio::time::sleep(faults::HANG).await;
                return Err(faults::Reset);
            }
            Some(Fault::Delay(wait)) => tokio::time::sleep(*wait).await,
            Some(Fault::ResetAfterApply) | None => {}
        }
        let incoming = Incoming { query, headers: &parts.headers, body };
        if let Err(missing) = self.spec.validate(route, &incoming) {
            let detail = missing.join(", ");
            return Ok(reply(
                400,
                Some(&error_body("MISSING_REQUIRED_FIELD", "required fields are missing", Some(&detail))),
                &[],
            ));
        }
        let answer = self
            .lists
            .handle(self.spec, route, &incoming.query, incoming.body.as_ref(), self.fill())
            .or_else(|| {
                let call = store::Call {
                    route,
                    params: &params,
                    query: &incoming.query,
                    body: incoming.body.as_ref(),
                    fill: self.fill(),
                };
                self.bookings.handle(self.spec, &self.store, &call).or_else(|| self.store.handle(self.spec, &call))
            })
            .unwrap_or_else(|| self.spec.success(route, self.fill()));
        let changes = std::mem::take(&mut self.store.lock().changes);
        if let Some(deliveries) = &self.deliveries {
            deliveries.send(changes);
        }
        if fault == Some(Fault::ResetAfterApply) {
            return Err(faults::Reset);
        }
        let Answer { status, body } = answer;
        Ok(reply(status, body.as_ref(), &[]))
    }
}
