//! The one path from a built request to a typed answer.
//!
//! Every generated `send()` builds its request and ends in one of these
//! (`build/send.rs` writes the call), and so do the hand-written requests
//! (`call_json`, the multipart uploads, the lookups of `send_or_find`). Each
//! gives only what its answer is: a model, nothing, or JSON. The runtime
//! ([`crate::runtime::Runtime::execute`]) decides success or error for every
//! status; [`crate::decode::body`] reads a success.

use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::Request;
use serde::de::DeserializeOwned;

use crate::generated::Client;

/// Sends `request` and decodes its success answer as `T`.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
pub(crate) async fn json<T: DeserializeOwned>(
    client: &Client,
    request: Request,
    operation: &'static str,
) -> Result<ResponseValue<T>, crate::Error> {
    let method = request.method().clone();
    let response = client.inner().execute(client.client(), request, operation).await?;
    crate::decode::body(response, client, method).await
}

/// Sends `request`, for an operation whose success has no body: any body
/// sent is not read.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
pub(crate) async fn empty(
    client: &Client,
    request: Request,
    operation: &'static str,
) -> Result<ResponseValue<()>, crate::Error> {
    let response = client.inner().execute(client.client(), request, operation).await?;
    Ok(ResponseValue::empty(response))
}

/// Sends `request` and returns its success answer as JSON: `null` when it
/// has no body.
pub(crate) async fn value(
    client: &Client,
    request: Request,
    operation: &'static str,
) -> Result<serde_json::Value, crate::Error> {
    let method = request.method().clone();
    let response = client.inner().execute(client.client(), request, operation).await?;
    if response.content_length() == Some(0) && response.status() != reqwest::StatusCode::NO_CONTENT {
        return Ok(serde_json::Value::Null);
    }
    Ok(crate::decode::body::<serde_json::Value>(response, client, method).await?.into_inner())
}
