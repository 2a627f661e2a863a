//! Building a [`Client`]: environment, credentials, timeouts, retries.

use std::net::IpAddr;
use std::time::Duration;

use crate::auth::{ClientCredentials, StaticToken, TokenSource};
use crate::generated::Client;
use crate::retry::RetryPolicy;
use crate::runtime::Runtime;
use crate::secret::{AccessToken, ClientSecret};
use crate::token_cache::TokenCache;

/// The path of Spotnana's token endpoint, below the base URL.
pub const TOKEN_PATH: &str = "/v2/auth/oauth2-token";

/// Default time allowed to establish a connection: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for one attempt, from sending to the end of the body:
/// 120 s, because air and hotel searches can take tens of seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Default largest answer a client reads: 32 MiB. The largest answers the
/// full-size sandbox gives (a trip's details with every field set) are about
/// 9.4 MB, so this leaves room for three times that. A longer answer is an
/// [`Error::Decode`](crate::Error::Decode) whose
/// [`body_limit`](crate::DecodeError::body_limit) names the limit.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 32 << 20;

/// Which Spotnana deployment to talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// The partner sandbox, `https://api-ext-sboxmeta.partners.spotnana.com`.
    Sandbox,
    /// Production, `https://api.spotnana.com`.
    Production,
    /// Any other base URL, such as a local sandbox (`http://127.0.0.1:PORT`).
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Sandbox => "https://api-ext-sboxmeta.partners.spotnana.com",
            Environment::Production => "https://api.spotnana.com",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is not set (or is empty).
    #[error("environment variable {0} is not set; set it, or build the client with Client::builder()")]
    MissingEnv(&'static str),
    /// A URL does not parse.
    #[error("{what} {url:?} is not a valid URL: {reason}")]
    InvalidUrl {
        /// Which URL (`base URL`, `token URL`).
        what: &'static str,
        /// The URL given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A URL uses plain `http://` for a host that is not loopback.
    #[error("{what} {url:?} uses http:// for a host that is not loopback; use https://")]
    InsecureUrl {
        /// Which URL.
        what: &'static str,
        /// The URL given.
        url: String,
    },
    /// Neither credentials nor a token source were given.
    #[error(
        "no credentials: call with_credentials, with_static_token or with_token_source, or use Client::from_env()"
    )]
    NoCredentials,
    /// The HTTP client could not be created (for example, no TLS backend).
    #[error("the HTTP client could not be created: {0}")]
    Http(#[source] reqwest::Error),
    /// TLS could not be set up: the platform's certificate verifier or the
    /// protocol versions were refused.
    #[error("TLS could not be set up: {0}")]
    Tls(String),
}

/// rustls with the `ring` provider and the platform's certificate verifier,
/// unless `rustls-aws-lc-rs` asks for reqwest's own default (aws-lc-rs).
#[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc-rs")))]
pub(crate) fn tls(http: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(BuilderVerifierExt::with_platform_verifier)
        .map_err(|e| ConfigError::Tls(e.to_string()))?
        .with_no_client_auth();
    Ok(http.tls_backend_preconfigured(config))
}

/// The TLS backend reqwest's own features chose.
#[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc-rs"))))]
pub(crate) fn tls(http: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(http)
}

enum Auth {
    None,
    Credentials { client_id: String, client_secret: ClientSecret },
    Source(TokenCache),
}

/// Builds a [`Client`]. Start from [`Client::builder`].
///
/// ```
/// # fn main() -> Result<(), spotnana::ConfigError> {
/// let client = spotnana::Client::builder()
///     .with_environment(spotnana::Environment::Sandbox)
///     .with_credentials("my-client-id", "my-client-secret")
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
pub struct ClientBuilder {
    environment: Environment,
    token_url: Option<String>,
    auth: Auth,
    retry: RetryPolicy,
    connect_timeout: Duration,
    request_timeout: Duration,
    pool_idle_timeout: Option<Duration>,
    max_response: usize,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            Auth::None => "none".to_string(),
            Auth::Credentials { client_id, .. } => format!("client credentials for {client_id} (secret redacted)"),
            Auth::Source(_) => "token source".to_string(),
        };
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("token_url", &self.token_url)
            .field("auth", &auth)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("max_response_size", &self.max_response)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            environment: Environment::Sandbox,
            token_url: None,
            auth: Auth::None,
            retry: RetryPolicy::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            pool_idle_timeout: None,
            max_response: DEFAULT_MAX_RESPONSE_SIZE,
        }
    }
}

impl ClientBuilder {
    /// A builder for the sandbox environment with default timeouts and retries.
    pub fn new() -> Self {
        Self::default()
    }

    /// The deployment to call (default: [`Environment::Sandbox`]).
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// A custom base URL; shorthand for `with_environment(Environment::Custom(url))`.
    pub fn with_base_url(self, url: impl Into<String>) -> Self {
        self.with_environment(Environment::Custom(url.into()))
    }

    /// The token endpoint (default: the base URL plus [`TOKEN_PATH`]).
    pub fn with_token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Authenticate with Spotnana's client-credentials grant.
    pub fn with_credentials(mut self, client_id: impl Into<String>, client_secret: impl Into<ClientSecret>) -> Self {
        self.auth = Auth::Credentials { client_id: client_id.into(), client_secret: client_secret.into() };
        self
    }

    /// Send this bearer token as is; it is never refreshed.
    pub fn with_static_token(self, token: impl Into<AccessToken>) -> Self {
        self.with_token_source(StaticToken::new(token))
    }

    /// Get tokens from your own source. The SDK caches them.
    pub fn with_token_source(self, source: impl TokenSource) -> Self {
        self.with_token_cache(TokenCache::new(source))
    }

    /// Share a token cache with other clients, such as one from
    /// [`Client::token_cache`] of an existing client.
    pub fn with_token_cache(mut self, cache: TokenCache) -> Self {
        self.auth = Auth::Source(cache);
        self
    }

    /// How failed calls are retried (default: [`RetryPolicy::default`]).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Time allowed to connect (default: [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt of a call (default: [`DEFAULT_REQUEST_TIMEOUT`]).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept (default: reqwest's 90 s). Set
    /// it below the server's keep-alive timeout so a request never races the
    /// server closing the connection it was about to reuse.
    pub fn with_pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// The largest answer body to read, in bytes (default:
    /// [`DEFAULT_MAX_RESPONSE_SIZE`]). A longer answer is an
    /// [`Error::Decode`](crate::Error::Decode) whose
    /// [`body_limit`](crate::DecodeError::body_limit) is this value, and
    /// whose [`may_have_applied`](crate::DecodeError::may_have_applied) says
    /// whether a POST or PATCH may have taken effect all the same.
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response = bytes;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// A client whose base URL and token URL are both loopback
    /// (`http://127.0.0.1:PORT`, a local sandbox) uses no proxy, whatever
    /// `HTTP_PROXY` says: a proxy would see the client secret in clear.
    ///
    /// This is the only way to make a [`Client`]: progenitor's own
    /// constructors, which would skip these checks, are not public.
    ///
    /// ```compile_fail
    /// let _ = spotnana::Client::new;
    /// ```
    ///
    /// ```compile_fail
    /// let _ = spotnana::Client::new_with_client;
    /// ```
    pub fn build(self) -> Result<Client, ConfigError> {
        let (base_url, base_loopback) = checked_url("base URL", self.environment.base_url())?;
        let (token_url, token_loopback) = match &self.token_url {
            Some(url) => checked_url("token URL", url)?,
            None => (format!("{base_url}{TOKEN_PATH}"), base_loopback),
        };
        let mut http = tls(reqwest::Client::builder())?;
        if let Some(idle) = self.pool_idle_timeout {
            http = http.pool_idle_timeout(idle);
        }
        if base_loopback && token_loopback {
            http = http.no_proxy();
        }
        let http = http
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("spotnana-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::Http)?;
        let tokens = match self.auth {
            Auth::None => return Err(ConfigError::NoCredentials),
            Auth::Source(cache) => cache,
            Auth::Credentials { client_id, client_secret } => {
                let grant =
                    ClientCredentials::new(&client_id, &client_secret, &token_url, http.clone(), self.retry.clone())
                        .map_err(|reason| ConfigError::InvalidUrl {
                            what: "token URL",
                            url: token_url.clone(),
                            reason,
                        })?;
                TokenCache::new(grant)
            }
        };
        let runtime = Runtime::new(tokens, self.retry, token_url, self.max_response);
        Ok(Client::new_with_client(&base_url, http, runtime))
    }
}

/// Parses `url`, refusing plain HTTP except to loopback hosts; returns it
/// without a trailing slash, and whether its host is loopback.
fn checked_url(what: &'static str, url: &str) -> Result<(String, bool), ConfigError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ConfigError::InvalidUrl {
        what,
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(ConfigError::InsecureUrl { what, url: url.to_string() }),
        other => {
            return Err(ConfigError::InvalidUrl {
                what,
                url: url.to_string(),
                reason: format!("scheme {other:?} is not http or https"),
            })
        }
    }
    Ok((url.trim_end_matches('/').to_string(), loopback))
}

fn env_var(name: &'static str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ConfigError::MissingEnv(name)),
    }
}

impl Client {
    /// A [`ClientBuilder`] with defaults: sandbox, no credentials yet.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `SPOTNANA_CLIENT_ID`, `SPOTNANA_CLIENT_SECRET` and,
    /// optionally, `SPOTNANA_BASE_URL` (default: the sandbox).
    pub fn from_env() -> Result<Client, ConfigError> {
        let mut builder = ClientBuilder::new()
            .with_credentials(env_var("SPOTNANA_CLIENT_ID")?, ClientSecret::new(env_var("SPOTNANA_CLIENT_SECRET")?));
        if let Ok(url) = env_var("SPOTNANA_BASE_URL") {
            builder = builder.with_base_url(url);
        }
        builder.build()
    }

    /// A client identical to this one (same connection pool, same token cache)
    /// but with another retry policy. Cheap enough to use for a single call:
    /// `client.with_retry_policy(RetryPolicy::disabled()).air_create_pnr()...`.
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Client {
        let runtime = self.inner.with_retry(retry);
        Client::new_with_client(&self.baseurl, self.client.clone(), runtime)
    }

    /// The base URL every call goes to, without a trailing slash (for example
    /// `https://api-ext-sboxmeta.partners.spotnana.com`).
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }

    /// The token cache this client uses; pass it to
    /// [`ClientBuilder::with_token_cache`] to share tokens with another client.
    pub fn token_cache(&self) -> TokenCache {
        self.inner.tokens().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::{checked_url, ConfigError};

    #[test]
    fn https_is_taken_and_loses_its_trailing_slash() {
        assert_eq!(
            checked_url("base URL", "https://api.spotnana.com/").unwrap(),
            ("https://api.spotnana.com".into(), false)
        );
    }

    #[test]
    fn plain_http_is_only_for_loopback_hosts() {
        for url in ["http://127.0.0.1:8080", "http://localhost:1", "http://LOCALHOST", "http://[::1]:9"] {
            assert!(checked_url("base URL", url).is_ok_and(|(_, loopback)| loopback), "{url}");
        }
        for url in ["http://api.spotnana.com", "http://10.0.0.1", "http://127.0.0.1.example.com"] {
            assert!(matches!(checked_url("base URL", url), Err(ConfigError::InsecureUrl { .. })), "{url}");
        }
    }

    #[test]
    fn other_schemes_and_non_urls_are_refused_with_the_reason() {
        let Err(ConfigError::InvalidUrl { reason, .. }) = checked_url("base URL", "ftp://api.spotnana.com") else {
            panic!("ftp is not http")
        };
        assert!(reason.contains("ftp"), "{reason}");
        assert!(matches!(
            checked_url("token URL", "not a url"),
            Err(ConfigError::InvalidUrl { what: "token URL", .. })
        ));
    }
}
