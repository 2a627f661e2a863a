//! The SDK's error type.
//!
//! Every method's `send()` returns [`Error`], which sorts every failure into a
//! variant that says what to do. (Inside, progenitor's generated code returns
//! `progenitor_client::Error`; the `send()` that users call converts it, so
//! the internal response that carries the runtime's own failures never shows.)
//! No variant holds a token, a client secret or a whole body.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::auth::AuthError;
use crate::generated::types::ErrorResponse;

/// The result type of the SDK's own functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// At most this many bytes of a body are kept in a [`DecodeError`].
pub const SNIPPET_LIMIT: usize = 256;

/// Anything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Spotnana answered with a non-success status.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// No bearer token could be obtained.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The call did not finish within the configured timeout.
    #[error("the request timed out; raise it with ClientBuilder::with_request_timeout if Spotnana is slow to answer: {0}")]
    Timeout(#[source] reqwest::Error),
    /// No connection could be made to Spotnana.
    #[error("could not connect to Spotnana; check the base URL and the network: {0}")]
    Connect(#[source] reqwest::Error),
    /// The connection failed in another way (reset, TLS, protocol).
    #[error("the connection to Spotnana failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// A response body was not what the API describes.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The client could not be built from its configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The request could not be built (a required parameter was not set, or a
    /// value could not be converted).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// The HTTP status, when the error came from a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => e.status,
            _ => None,
        }
    }

    /// Spotnana's `ErrorResponse`, when the API sent one.
    pub fn error_response(&self) -> Option<&ErrorResponse> {
        match self {
            Error::Api(e) => e.body.as_ref(),
            _ => None,
        }
    }
}

/// A non-success answer from Spotnana.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<ErrorResponse>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Option<ErrorResponse>) -> Self {
        Self { status, headers, body }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Spotnana's `ErrorResponse`, when the body was one.
    pub fn error_response(&self) -> Option<&ErrorResponse> {
        self.body.as_ref()
    }

    /// The `debugIdentifier` to quote to Spotnana support.
    pub fn debug_identifier(&self) -> Option<&str> {
        self.body.as_ref()?.debug_identifier.as_deref()
    }

    /// The first `errorCode`.
    pub fn error_code(&self) -> Option<&str> {
        self.body.as_ref()?.error_messages.first()?.error_code.as_deref()
    }

    /// The first error `message`.
    pub fn message(&self) -> Option<&str> {
        self.body.as_ref()?.error_messages.first()?.message.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spotnana answered HTTP {}", self.status)?;
        match (self.error_code(), self.message()) {
            (Some(code), Some(msg)) => write!(f, ": {code}: {msg}")?,
            (Some(s), None) | (None, Some(s)) => write!(f, ": {s}")?,
            (None, None) => {}
        }
        if let Some(id) = self.debug_identifier() {
            write!(f, " (debugIdentifier {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A response body that could not be decoded into its typed model.
///
/// `Debug` and `Display` show only the bounded [`snippet`](Self::snippet); the
/// whole body is available from [`body`](Self::body) for logging or support.
///
/// When the answer was a success (2xx) to a POST or PATCH,
/// [`may_have_applied`](Self::may_have_applied) is true and the message says
/// so: Spotnana may have made the booking or the change, so do not send the
/// request again before looking it up (the PNR or trip id is in the body).
#[derive(Clone)]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<StatusCode>,
    /// The `Content-Type` the server declared.
    pub content_type: Option<String>,
    /// What was wrong.
    pub reason: String,
    /// The first bytes of the body (at most [`SNIPPET_LIMIT`]), lossily decoded.
    pub snippet: String,
    /// The whole body, unless it names a credential field.
    body: Option<bytes::Bytes>,
    /// The method of a request Spotnana answered with success.
    applied: Option<reqwest::Method>,
}

impl DecodeError {
    pub(crate) fn new(status: Option<StatusCode>, content_type: Option<String>, reason: String, body: &[u8]) -> Self {
        let kept = (!names_credential(body)).then(|| bytes::Bytes::copy_from_slice(body));
        Self { status, content_type, reason, snippet: snippet(body), body: kept, applied: None }
    }

    /// Marks the error as the answer to a `method` request that Spotnana
    /// reported as successful.
    #[cfg_attr(not(spotnana_operations), allow(dead_code))]
    pub(crate) fn may_have_been_applied(mut self, method: reqwest::Method) -> Self {
        self.applied = Some(method);
        self
    }

    /// Whether Spotnana answered the request with success (2xx) although the
    /// answer could not be decoded, for a POST or PATCH: the request may have
    /// taken effect (a booking made, a profile changed). Do not retry it
    /// blindly; find out first, from [`body`](Self::body) or by reading the
    /// resource back.
    pub fn may_have_applied(&self) -> bool {
        self.applied.is_some()
    }

    /// The whole body that failed to decode (after the SDK removed any echo of
    /// the access token it sent). `None` when the body names a credential field
    /// such as `clientSecret`, which the SDK never hands on.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
        if let Some(method) = &self.applied {
            write!(
                f,
                "Spotnana accepted the {method} request{status} and may have applied it (a booking or change may \
                 exist now), but the SDK could not decode the answer: {}. Do not retry blindly: look the result up \
                 first; DecodeError::body() holds the whole answer, with any PNR or trip id; body starts {:?}",
                self.reason, self.snippet
            )
        } else {
            write!(f, "could not decode the response{status}: {}; body starts {:?}", self.reason, self.snippet)
        }
    }
}

impl std::error::Error for DecodeError {}

impl std::fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("reason", &self.reason)
            .field("snippet", &self.snippet)
            .field("body_len", &self.body.as_ref().map(bytes::Bytes::len))
            .field("may_have_applied", &self.may_have_applied())
            .finish()
    }
}

fn names_credential(body: &[u8]) -> bool {
    CREDENTIAL_FIELDS.iter().any(|f| memchr::memmem::find(body, f.as_bytes()).is_some())
}

/// Field names whose values are credentials; a body naming one is never quoted.
const CREDENTIAL_FIELDS: [&str; 5] = ["access_token", "client_secret", "clientSecret", "scimToken", "refresh_token"];

/// The first [`SNIPPET_LIMIT`] bytes of a body, unless it may hold a credential.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if names_credential(body) {
        return "[withheld: the body may hold a credential]".to_string();
    }
    let mut end = text.len().min(SNIPPET_LIMIT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// A failure the SDK's transport layer detected itself, carried to
/// [`Error`] inside the response extensions of a synthetic response, since
/// progenitor's hooks can only return reqwest types.
#[derive(Clone, Debug)]
pub(crate) enum SdkFailure {
    Auth(AuthError),
    Decode(DecodeError),
    Request(String),
}

/// The status of the synthetic response that carries an [`SdkFailure`]. No
/// operation documents it, so generated code passes it through untouched.
pub(crate) const SDK_FAILURE_STATUS: u16 = 599;

impl From<SdkFailure> for Error {
    fn from(f: SdkFailure) -> Self {
        match f {
            SdkFailure::Auth(e) => Error::Auth(e),
            SdkFailure::Decode(e) => Error::Decode(e),
            SdkFailure::Request(e) => Error::InvalidRequest(e),
        }
    }
}

pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(e)
    } else if e.is_connect() {
        Error::Connect(e)
    } else {
        Error::Transport(e)
    }
}

impl From<progenitor_client::Error<ErrorResponse>> for Error {
    fn from(e: progenitor_client::Error<ErrorResponse>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(s) | P::Custom(s) => Error::InvalidRequest(s),
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => from_reqwest(e),
            P::ErrorResponse(rv) => {
                let status = rv.status();
                let headers = rv.headers().clone();
                Error::Api(ApiError::new(status, headers, Some(rv.into_inner())))
            }
            P::InvalidResponsePayload(body, e) => {
                Error::Decode(DecodeError::new(None, None, e.to_string(), &body))
            }
            P::UnexpectedResponse(response) => {
                if let Some(failure) = response.extensions().get::<Arc<SdkFailure>>() {
                    return Error::from((**failure).clone());
                }
                let body = response.extensions().get::<Arc<ErrorResponse>>().map(|b| (**b).clone());
                Error::Api(ApiError::new(response.status(), response.headers().clone(), body))
            }
        }
    }
}

/// `?` for the generated `send` bodies (`build/send.rs` writes it for each
/// of progenitor's `?`): the error goes through the body's `Error`
/// (progenitor's, as the body built it) and then [`Error::from`], the
/// conversion every other path uses.
///
/// A `match`, not `.map_err(..)?`: converting the `Result` first builds a
/// second one and copies the success value into it, and at the step that
/// hands on the answer that value is a 136-byte `Response`.
macro_rules! sdk_try {
    ($result:expr) => {
        match $result {
            ::std::result::Result::Ok(value) => value,
            ::std::result::Result::Err(e) => return ::std::result::Result::Err(crate::Error::from(Error::from(e))),
        }
    };
}
pub(crate) use sdk_try;
