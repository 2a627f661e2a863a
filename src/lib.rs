#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod apis;
mod auth;
mod config;
// Without an API feature no generated method calls into `decode`.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod decode;
mod error;
mod generated;
mod oauth_http;
mod path;
mod redact;
// Shared with build.rs and xtask, which use other parts of it.
#[cfg(feature = "sandbox")]
#[allow(dead_code)]
mod resources;
// Without an API feature the shared models have no enum to open.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod lenient;
mod retry;
// Without an API feature no generated create calls into it.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod safe_create;
mod runtime;
#[cfg(feature = "sandbox")]
pub mod sandbox;
mod secret;
mod secret_fields;
#[cfg(any(feature = "sandbox", feature = "schemars"))]
mod spec;
mod multipart;
pub mod pagination;
mod token_cache;
#[cfg(feature = "webhooks")]
pub mod webhooks;
#[cfg(feature = "schemars")]
mod tools;

pub use apis::{enabled_apis, APIS};
pub use auth::{AuthError, ClientCredentials, StaticToken, Token, TokenFuture, TokenSource, DEFAULT_TOKEN_LIFETIME};
pub use config::{
    ClientBuilder, ConfigError, Environment, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_REQUEST_TIMEOUT,
    TOKEN_PATH,
};
pub use decode::from_slice;
pub use error::{ApiError, DecodeError, Error, Result, SNIPPET_LIMIT};
pub use multipart::FilePart;
#[cfg(feature = "company")]
pub use multipart::UploadCompanyPreferences;
#[cfg(feature = "document")]
pub use multipart::UploadDocument;
pub use generated::{builder, types, ByteStream, Client, ResponseValue};
pub use retry::RetryPolicy;
pub use safe_create::CreateOutcome;
pub use runtime::Runtime;
pub use secret::{AccessToken, ClientSecret, Secret};
pub use token_cache::{TokenCache, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME};
#[cfg(feature = "schemars")]
pub use tools::{operation, operations, Operation};

/// The progenitor client support crate that the generated code builds on.
/// Not needed for calls: `send()` returns [`Error`], and [`Client::base_url`]
/// gives the base URL.
pub use progenitor_client;
