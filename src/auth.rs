//! Where bearer tokens come from: Spotnana's OAuth2 client-credentials grant, a
//! fixed token, or a source of your own.
//!
//! Every source is wrapped in a [`TokenCache`], which reuses a
//! token until shortly before it expires, as Spotnana asks.

pub use crate::secret::{AccessToken, ClientSecret};
pub use crate::token_cache::{TokenCache, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME};

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use oauth2::{AuthType, ClientId, EndpointNotSet, EndpointSet, RequestTokenError, TokenResponse};

use crate::oauth_http::{OAuthHttp, TokenHttpError};
use crate::retry::Backoff;

/// Lifetime assumed when the token endpoint omits `expires_in`: five minutes.
///
/// Spotnana documents one hour; assuming less only costs an early refresh, while
/// assuming more would send expired tokens. A zero or negative `expires_in`
/// says nothing usable and is taken as this too; a huge one is taken as
/// [`MAX_TOKEN_LIFETIME`].
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// A bearer token and how long it is valid from the moment it was issued.
#[derive(Clone, Debug)]
pub struct Token {
    /// The bearer token.
    pub access_token: AccessToken,
    /// Lifetime from issue; `None` when the issuer did not say (a static token).
    pub expires_in: Option<Duration>,
}

/// The boxed future a [`TokenSource`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Token, AuthError>> + Send + 'a>>;

/// Something that can produce a fresh bearer token.
///
/// Implement this to manage tokens yourself; pass it to
/// [`ClientBuilder::with_token_source`](crate::ClientBuilder::with_token_source).
/// The SDK caches what it returns and calls it again only when the token is
/// about to expire or the API rejected it.
pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a new token.
    fn fetch(&self) -> TokenFuture<'_>;
}

/// Why no token could be obtained. Never contains the secret, a token or a body.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AuthError {
    /// The token endpoint refused the client id and secret.
    #[error(
        "Spotnana rejected the client credentials (HTTP {status}{}); check SPOTNANA_CLIENT_ID and SPOTNANA_CLIENT_SECRET and that they belong to this environment",
        .oauth_error.as_deref().map(|e| format!(", {e}")).unwrap_or_default()
    )]
    CredentialsRejected {
        /// HTTP status of the refusal (400 or 401, usually).
        status: u16,
        /// OAuth2 error code, such as `invalid_client`, when the endpoint gave one.
        oauth_error: Option<String>,
    },
    /// The token endpoint kept answering 429 or 5xx, or was unreachable, until the
    /// retry budget ran out.
    #[error("the token endpoint is unavailable after {attempts} attempts (last: {last}); retry later")]
    Unavailable {
        /// Token requests made.
        attempts: u32,
        /// The last failure: an HTTP status or a transport error.
        last: String,
    },
    /// The token endpoint answered 2xx with something that is not a token.
    #[error("the token endpoint's answer is not a valid OAuth2 token response: {reason}")]
    InvalidResponse {
        /// What was wrong, without the body.
        reason: String,
    },
    /// A custom [`TokenSource`] failed.
    #[error("the token source failed: {0}")]
    Source(String),
}

/// A fixed bearer token, for callers who obtain tokens themselves.
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wraps a token that the SDK will send as is and never refresh.
    pub fn new(token: impl Into<AccessToken>) -> Self {
        Self(token.into())
    }
}

impl TokenSource for StaticToken {
    fn fetch(&self) -> TokenFuture<'_> {
        let token = Token { access_token: self.0.clone(), expires_in: None };
        Box::pin(async move { Ok(token) })
    }
}

type OAuthClient<HasTokenUrl = EndpointSet> = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    GrantResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    HasTokenUrl,
>;

/// The token endpoint's answer (RFC 6749, section 5.1), read more leniently
/// than `oauth2`'s standard response: `expires_in` may be any JSON number or
/// a numeric string. What each value means:
/// - missing, `null`, not a number, zero or negative: no usable lifetime,
///   so [`DEFAULT_TOKEN_LIFETIME`];
/// - below [`MIN_TOKEN_LIFETIME`](crate::auth::MIN_TOKEN_LIFETIME) (a fraction of
///   a second): that minimum (the token cache raises it);
/// - larger than [`MAX_TOKEN_LIFETIME`](crate::auth::MAX_TOKEN_LIFETIME): that.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct GrantResponse {
    access_token: oauth2::AccessToken,
    token_type: oauth2::basic::BasicTokenType,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<oauth2::RefreshToken>,
}

impl GrantResponse {
    /// The lifetime `expires_in` gives, as described on the type.
    fn lifetime(&self) -> Duration {
        let seconds = match &self.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match seconds {
            // `> 0.0` is false for NaN too.
            Some(s) if s > 0.0 => Duration::try_from_secs_f64(s.min(crate::auth::MAX_TOKEN_LIFETIME.as_secs_f64()))
                .unwrap_or(crate::auth::MAX_TOKEN_LIFETIME),
            _ => DEFAULT_TOKEN_LIFETIME,
        }
    }
}

impl TokenResponse for GrantResponse {
    type TokenType = oauth2::basic::BasicTokenType;

    fn access_token(&self) -> &oauth2::AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &Self::TokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        Some(self.lifetime())
    }

    fn refresh_token(&self) -> Option<&oauth2::RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<oauth2::Scope>> {
        None
    }
}

/// Spotnana's OAuth2 client-credentials grant: `POST /v2/auth/oauth2-token` with
/// `client_id`, `client_secret` and `grant_type=client_credentials` in a form body.
///
/// A 429, a 5xx or a connection failure is retried with exponential backoff and
/// full jitter, honouring `Retry-After`; any other refusal fails at once.
pub(crate) struct ClientCredentials {
    oauth: OAuthClient,
    http: OAuthHttp,
    backoff: Backoff,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.oauth.client_id().as_str())
            .field("client_secret", &"[redacted]")
            .field("token_url", &self.oauth.token_uri().as_str())
            .finish()
    }
}

impl ClientCredentials {
    /// A grant against `token_url` that sends requests through `http`, which
    /// must not follow redirects.
    pub(crate) fn new(
        client_id: &str,
        client_secret: &ClientSecret,
        token_url: &str,
        http: reqwest::Client,
        backoff: Backoff,
    ) -> Result<Self, String> {
        let token_url = oauth2::TokenUrl::new(token_url.to_string()).map_err(|e| e.to_string())?;
        let oauth = OAuthClient::<EndpointNotSet>::new(ClientId::new(client_id.to_string()))
            .set_client_secret(oauth2::ClientSecret::new(client_secret.expose_secret().to_string()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(token_url);
        Ok(Self { oauth, http: OAuthHttp(http), backoff })
    }

    async fn request_once(
        &self,
    ) -> Result<Token, RequestTokenError<TokenHttpError, oauth2::basic::BasicErrorResponse>> {
        let response = self.oauth.exchange_client_credentials().request_async(&self.http).await?;
        Ok(Token {
            access_token: AccessToken::new(response.access_token().secret().clone()),
            expires_in: Some(response.lifetime()),
        })
    }

    async fn fetch_with_backoff(&self) -> Result<Token, AuthError> {
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let (last, retry_after) = match self.request_once().await {
                Ok(token) => return Ok(token),
                Err(RequestTokenError::Request(TokenHttpError::Status { status, .. })) if status < 400 => {
                    return Err(AuthError::Unavailable {
                        attempts: attempt,
                        last: format!(
                            "HTTP {status}; the token endpoint redirected, and token requests follow no redirects"
                        ),
                    });
                }
                Err(RequestTokenError::Request(TokenHttpError::Status { status, oauth_error, .. }))
                    if !(status == 429 || status >= 500) =>
                {
                    return Err(AuthError::CredentialsRejected { status, oauth_error });
                }
                Err(RequestTokenError::Request(TokenHttpError::Status { status, retry_after, .. })) => {
                    (format!("HTTP {status}"), retry_after)
                }
                Err(RequestTokenError::Request(TokenHttpError::Transport(e))) => (transport_summary(&e), None),
                Err(RequestTokenError::Request(TokenHttpError::Build(reason))) => {
                    return Err(AuthError::InvalidResponse { reason });
                }
                Err(RequestTokenError::ServerResponse(e)) => {
                    return Err(AuthError::CredentialsRejected {
                        status: 200,
                        oauth_error: Some(e.error().as_ref().to_string()),
                    });
                }
                Err(RequestTokenError::Parse(e, _body)) => {
                    return Err(AuthError::InvalidResponse { reason: e.to_string() });
                }
                Err(RequestTokenError::Other(reason)) => return Err(AuthError::InvalidResponse { reason }),
            };
            match self.backoff.delay(attempt, retry_after, started.elapsed()) {
                Some(delay) => {
                    tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, reason = %last, "token request failed; retrying");
                    tokio::time::sleep(delay).await;
                }
                None => return Err(AuthError::Unavailable { attempts: attempt, last }),
            }
        }
    }
}

/// A one-line description of a transport failure that names its kind.
fn transport_summary(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    format!("{kind}: {e}")
}

impl TokenSource for ClientCredentials {
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(self.fetch_with_backoff())
    }
}

impl<T: TokenSource> TokenSource for Arc<T> {
    fn fetch(&self) -> TokenFuture<'_> {
        (**self).fetch()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifetime(expires_in: serde_json::Value) -> Duration {
        let mut answer = serde_json::json!({ "access_token": "t", "token_type": "Bearer" });
        if !expires_in.is_null() {
            answer["expires_in"] = expires_in;
        }
        serde_json::from_value::<GrantResponse>(answer).expect("a token answer").lifetime()
    }

    #[test]
    fn expires_in_is_read_leniently() {
        assert_eq!(lifetime(serde_json::json!(3600)), Duration::from_secs(3600));
        assert_eq!(lifetime(serde_json::json!("3600")), Duration::from_secs(3600));
        assert_eq!(lifetime(serde_json::json!(0)), DEFAULT_TOKEN_LIFETIME, "zero says nothing usable");
        assert_eq!(lifetime(serde_json::json!(-5)), DEFAULT_TOKEN_LIFETIME, "nor does a negative lifetime");
        assert_eq!(lifetime(serde_json::json!(0.25)), Duration::from_millis(250), "the cache raises it to its minimum");
        assert_eq!(lifetime(serde_json::json!(u64::MAX)), crate::auth::MAX_TOKEN_LIFETIME);
        assert_eq!(lifetime(serde_json::json!(1e300)), crate::auth::MAX_TOKEN_LIFETIME);
        assert_eq!(lifetime(serde_json::Value::Null), DEFAULT_TOKEN_LIFETIME, "missing");
        assert_eq!(lifetime(serde_json::json!("soon")), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(lifetime(serde_json::json!({})), DEFAULT_TOKEN_LIFETIME);
    }
}
