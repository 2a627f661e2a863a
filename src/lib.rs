#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// `Error` is returned once per call, beside an answer that is usually larger
// than it; boxing its variants would allocate on every error and change the
// variants users match on.
#![allow(clippy::result_large_err)]

// The CLI's and MCP server's safety rule; public with `schemars`, where
// operations are listed (its unit tests run in every build).
#[cfg_attr(not(feature = "schemars"), allow(dead_code))]
mod access;
mod apis;
pub mod auth;
// Without an API feature no request model has a builder.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod building;
mod call;
mod config;
// Shared with build.rs and xtask; the case conversions serve only them.
#[allow(dead_code)]
mod contract;
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
// The models' `chrono` conversions (`build/dates.rs`); without an API
// feature no model may have one.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod dates;
// What the models' decoders share (`build/serde_impls.rs`); without an API
// feature no model may use it.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod fields;
// Without an API feature the shared models have no enum to open.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod lenient;
mod retry;
// Without an API feature no generated create calls into it.
mod multipart;
// Without an API feature no generated list calls its helpers.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
pub mod pagination;
mod runtime;
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
mod safe_create;
#[cfg(feature = "sandbox")]
pub mod sandbox;
mod secret;
mod secret_fields;
#[cfg(any(feature = "sandbox", feature = "schemars"))]
mod spec;
mod token_cache;
#[cfg(feature = "schemars")]
mod tools;
#[cfg(feature = "webhooks")]
pub mod webhooks;

#[cfg(feature = "schemars")]
pub use access::Access;
pub use apis::{enabled_apis, APIS};
pub use building::{BuildError, IntoField, Problem};
pub use config::{
    ClientBuilder, ConfigError, Environment, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_REQUEST_TIMEOUT, TOKEN_PATH,
};
pub use decode::from_slice;
pub use error::{ApiError, DecodeError, Error, Result, TransportError, SNIPPET_LIMIT};
pub use generated::{builder, types, ByteStream, Client, ResponseValue};
pub use multipart::FilePart;
#[cfg(feature = "company")]
pub use multipart::UploadCompanyPreferences;
#[cfg(feature = "document")]
pub use multipart::UploadDocument;
pub use retry::RetryPolicy;
pub use safe_create::CreateOutcome;
pub use secret::Secret;
#[cfg(feature = "schemars")]
pub use tools::{operation, operations, redact_secrets, Operation};

/// The `chrono` this crate was built with: Spotnana's date and time models
/// convert from and to its types (`types::DateModel` from
/// `chrono::NaiveDate`, and back with `to_chrono()`).
pub use chrono;
/// The HTTP types of [`ApiError::status`], [`ApiError::headers`] and
/// [`ResponseValue`]'s accessors, from the `http` crate.
pub use http::{HeaderMap, StatusCode};
/// The UUID type of ids the spec types as UUIDs (`company_id`, `trip_id`, ...):
/// setters take it, or a string that parses as one.
pub use uuid::Uuid;
