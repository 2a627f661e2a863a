//! The SDK's error type.
//!
//! Every method's `send()` returns [`Error`], which sorts every failure into a
//! variant that says what to do. No variant holds a token, a client secret or
//! a whole body, and none is a dependency's type: the transport variants hold
//! a [`TransportError`], whose source chain leads to the cause.

use std::fmt;

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
    #[error(
        "the request timed out; raise it with ClientBuilder::with_request_timeout if Spotnana is slow to answer: {0}"
    )]
    Timeout(#[source] TransportError),
    /// No connection could be made to Spotnana.
    #[error("could not connect to Spotnana; check the base URL and the network: {0}")]
    Connect(#[source] TransportError),
    /// The connection failed in another way (reset, TLS, protocol).
    #[error("the connection to Spotnana failed: {0}")]
    Transport(#[source] TransportError),
    /// A response body was not what the API describes.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The client could not be built from its configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The request could not be built (a required parameter was not set, or a
    /// value could not be converted), so nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A paginated list was still going after the stream's page limit. The
    /// items of the pages fetched came before this error.
    #[error(
        "the list did not end after {pages} pages, the stream's limit; if it really is that long, raise the limit \
         with .max_pages(n), otherwise the server is not moving on from page to page"
    )]
    PageLimit {
        /// Pages fetched.
        pages: usize,
    },
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
    /// The whole body (as far as it was read), secret fields blanked.
    body: bytes::Bytes,
    /// The method of a request Spotnana answered with success.
    applied: Option<reqwest::Method>,
    /// The size limit the body went over, when that was the failure.
    limit: Option<usize>,
}

impl DecodeError {
    pub(crate) fn new(status: Option<StatusCode>, content_type: Option<String>, reason: String, body: &[u8]) -> Self {
        let body = bytes::Bytes::from(crate::redact::secret_values(body).into_owned());
        Self { status, content_type, reason, snippet: snippet(&body), body, applied: None, limit: None }
    }

    /// An answer longer than `limit` bytes, the client's limit; `body` is
    /// what was read of it.
    pub(crate) fn too_large(status: StatusCode, content_type: Option<String>, limit: usize, body: &[u8]) -> Self {
        let reason = format!(
            "the answer is larger than the client's limit of {limit} bytes; raise it with \
             ClientBuilder::with_max_response_size if such answers are expected"
        );
        Self { limit: Some(limit), ..Self::new(Some(status), content_type, reason, body) }
    }

    /// The client's size limit, in bytes, when the answer was longer than
    /// it (see `ClientBuilder::with_max_response_size`).
    pub fn body_limit(&self) -> Option<usize> {
        self.limit
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

    /// The whole body that failed to decode, as far as it was read (all of
    /// it, unless it went over the size limit), with any echo of the access
    /// token and the value of every secret field (`clientSecret`, `cvv`, ...:
    /// the fields listed under `secret-fields` in `openapi/NORMALIZATION.md`)
    /// replaced by `[redacted]`.
    pub fn body(&self) -> Option<&[u8]> {
        Some(&self.body)
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
            .field("body_len", &self.body.len())
            .field("may_have_applied", &self.may_have_applied())
            .field("body_limit", &self.limit)
            .finish()
    }
}

/// The first [`SNIPPET_LIMIT`] bytes of a body (already redacted), lossily
/// decoded, cut at a character boundary.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_LIMIT)]);
    text.trim_end_matches(char::REPLACEMENT_CHARACTER).to_string()
}

/// What failed on the connection, for [`Error::Timeout`], [`Error::Connect`]
/// and [`Error::Transport`].
///
/// Its `Display` is the HTTP client's description, and
/// [`source`](std::error::Error::source) leads to the underlying cause (an
/// I/O error, a TLS failure). The type is the SDK's own, so that a new
/// version of the HTTP client is not a breaking change here.
pub struct TransportError(reqwest::Error);

impl TransportError {
    /// The URL of the request, when known.
    pub fn url(&self) -> Option<&str> {
        self.0.url().map(url::Url::as_str)
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

/// The SDK's error for a failure of the HTTP client.
pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(TransportError(e))
    } else if e.is_connect() {
        Error::Connect(TransportError(e))
    } else {
        Error::Transport(TransportError(e))
    }
}

/// progenitor's error, as the request building of a generated `send()`
/// returns it (a parameter not set or not valid, a request that cannot be
/// built). Answers never reach this: they go through `crate::call`.
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
            P::InvalidResponsePayload(body, e) => Error::Decode(DecodeError::new(None, None, e.to_string(), &body)),
            P::UnexpectedResponse(response) => {
                Error::Api(ApiError::new(response.status(), response.headers().clone(), None))
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
#[cfg_attr(not(spotnana_operations), allow(unused_macros))]
macro_rules! sdk_try {
    ($result:expr) => {
        match $result {
            ::std::result::Result::Ok(value) => value,
            ::std::result::Result::Err(e) => return ::std::result::Result::Err(crate::Error::from(Error::from(e))),
        }
    };
}
#[cfg_attr(not(spotnana_operations), allow(unused_imports))]
pub(crate) use sdk_try;
