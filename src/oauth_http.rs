//! The `oauth2` crate's HTTP client interface, implemented over the same reqwest
//! client that the generated API calls use, so the dependency tree holds one
//! reqwest and one hyper.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::retry::retry_after;

/// What can go wrong on one token request, before `oauth2` parses the answer.
///
/// Only 2xx answers reach `oauth2`; any other status is reported here with the
/// OAuth2 `error` code when the body carries one (never the body itself).
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenHttpError {
    /// The endpoint answered with a non-success status.
    #[error("token endpoint answered HTTP {status}")]
    Status { status: u16, retry_after: Option<Duration>, oauth_error: Option<String> },
    /// The request never completed (connection, timeout, TLS).
    #[error("token request failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request `oauth2` built could not be turned into a reqwest request.
    #[error("token request could not be built: {0}")]
    Build(String),
}

/// An `oauth2` HTTP client backed by a `reqwest::Client` that follows no redirects.
pub(crate) struct OAuthHttp(pub reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = TokenHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenHttpError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(TokenHttpError::Transport)?;
            let status = response.status();
            let headers = response.headers().clone();
            // A token answer is a few hundred bytes; the error-body limit bounds it.
            let bytes = match crate::decode::read_limited(response, crate::runtime::ERROR_BODY_LIMIT).await {
                Ok(bytes) => bytes,
                Err(crate::decode::Unread::TooLarge(_)) if !status.is_success() => bytes::Bytes::new(),
                Err(crate::decode::Unread::TooLarge(_)) => {
                    return Err(TokenHttpError::Build(format!(
                        "the token endpoint's answer is longer than {} bytes",
                        crate::runtime::ERROR_BODY_LIMIT
                    )))
                }
                Err(crate::decode::Unread::Failed(e)) => return Err(TokenHttpError::Transport(e)),
            };
            if !status.is_success() {
                return Err(TokenHttpError::Status {
                    status: status.as_u16(),
                    retry_after: retry_after(&headers),
                    oauth_error: oauth_error_code(&bytes),
                });
            }
            let mut builder = http::Response::builder().status(status.as_u16());
            if let Some(h) = builder.headers_mut() {
                *h = headers;
            }
            builder.body(bytes.to_vec()).map_err(|e| TokenHttpError::Build(e.to_string()))
        })
    }
}

/// The RFC 6749 `error` code of an error body (`invalid_client`, ...), if it is
/// one of the short ASCII codes the standard defines; never other body text.
fn oauth_error_code(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct OAuthError {
        error: String,
    }
    let parsed: OAuthError = serde_json::from_slice(body).ok()?;
    let plausible = parsed.error.len() <= 64 && parsed.error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    plausible.then_some(parsed.error)
}
