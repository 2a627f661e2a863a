//! Reading an answer's body and decoding it into its typed model.
//!
//! [`body`] is where every success answer's bytes become a model (the
//! generated `send()`s reach it through [`crate::call`]): on a stack that
//! cannot overflow, within the client's size limit, and with an error that
//! says when a request may have been applied although its answer could not
//! be read.

use bytes::Bytes;
use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::DecodeError;
use crate::generated::Client;

/// Reads a success answer and decodes its body as `T`, keeping status and
/// headers.
///
/// The body is read once, at most the client's size limit. A failure's
/// message and excerpt have any echo of the client's access token (the one
/// in use, or the one it replaced) redacted; an answer that decodes reaches
/// the caller unaltered. The body must be JSON (an empty 204 reads as
/// `null`, which a nullable model takes as `None`). A body that does not
/// decode becomes [`crate::Error::Decode`], and for an answer to a POST or
/// PATCH the error warns that the request may have been applied.
///
/// `client` is the client that sent the request, whose tokens are the ones
/// to redact, and `method` the request's method.
pub(crate) async fn body<T: DeserializeOwned>(
    mut response: reqwest::Response,
    client: &Client,
    method: Method,
) -> Result<ResponseValue<T>, crate::Error> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let redacts = client.inner().redacts(&method, response.url());
    let content_type = || headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    // What the SDK itself prints (the reason, which may quote a value, and
    // the excerpt) has any echo of the client's tokens redacted. An answer
    // that decodes is handed on as Spotnana sent it.
    let scrub = |text: Bytes| if redacts { client.inner().tokens().redact(text) } else { text };
    // A 2xx to a POST or PATCH that cannot be read may have been applied.
    let warned = |error: DecodeError| {
        let applied = status.is_success() && matches!(method, Method::POST | Method::PATCH);
        crate::Error::Decode(if applied { error.may_have_been_applied(method.clone()) } else { error })
    };
    let failed = |reason: String, body: &[u8]| {
        let reason = String::from_utf8_lossy(&scrub(Bytes::from(reason))).into_owned();
        let body = scrub(Bytes::copy_from_slice(body));
        warned(DecodeError::new(Some(status), content_type(), reason, &body))
    };
    let limit = client.inner().max_response();
    let body = match read_limited(response, limit).await {
        Ok(body) => body,
        Err(Unread::TooLarge(read)) => {
            return Err(warned(DecodeError::too_large(status, content_type(), limit, &scrub(read))))
        }
        Err(Unread::Failed(e)) => return Err(failed(format!("the body could not be read in full ({e})"), &[])),
    };
    let body: &[u8] = if body.is_empty() && status == reqwest::StatusCode::NO_CONTENT { b"null" } else { &body };
    if !body.is_empty() && !is_json(headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())) {
        let declared = content_type().unwrap_or_else(|| "?".into());
        return Err(failed(format!("expected application/json, got {declared}"), body));
    }
    match from_slice::<T>(body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(e) => Err(failed(e.to_string(), body)),
    }
}

/// Why a body was not read in full.
pub(crate) enum Unread {
    /// It is longer than the limit; what was read of it, for the error: at
    /// most `limit` bytes (the first chunk, when the declared length was
    /// already over the limit).
    TooLarge(Bytes),
    /// The connection failed while it was read.
    Failed(reqwest::Error),
}

/// Reads `response`'s body, of at most `limit` bytes.
///
/// A `Content-Length` over the limit is refused before anything is read
/// (no body is read to find out it is too large). A declared length within
/// the limit is read at once (hyper reads no more than it declares); a body
/// of unknown length is read chunk by chunk and refused as soon as it
/// passes the limit.
pub(crate) async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Bytes, Unread> {
    match response.content_length() {
        Some(length) if length > u64::try_from(limit).unwrap_or(u64::MAX) => {
            let start = response.chunk().await.ok().flatten().unwrap_or_default();
            return Err(Unread::TooLarge(start.slice(..start.len().min(limit))));
        }
        Some(_) => return response.bytes().await.map_err(Unread::Failed),
        None => {}
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(Unread::Failed)? {
        if body.len().saturating_add(chunk.len()) > limit {
            body.extend_from_slice(&chunk[..limit.saturating_sub(body.len())]);
            return Err(Unread::TooLarge(body.freeze()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether a `Content-Type` is JSON (`application/json` or `+json`); a missing
/// one is taken as JSON.
fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|ct| {
        if ct == "application/json" {
            return true;
        }
        let essence = ct.split(';').next().unwrap_or("").trim().as_bytes();
        let json_suffix = essence.len() >= 5 && essence[essence.len() - 5..].eq_ignore_ascii_case(b"+json");
        essence.eq_ignore_ascii_case(b"application/json") || json_suffix
    })
}

/// Stack the decode may use on the caller's thread. With less left, it runs on
/// a fresh segment of [`SEGMENT`] bytes instead (one allocation per decode,
/// released after it). The zone is a few times the deepest decode of the
/// largest full-size sandbox answers that `cargo bench --bench stack`
/// measures, in each profile; in release it leaves a tokio worker (2 MiB)
/// decoding in place, with no allocation.
const RED_ZONE: usize = if cfg!(debug_assertions) { 8 << 20 } else { 1536 << 10 };

/// The size of the fresh segment a decode moves to.
const SEGMENT: usize = if cfg!(debug_assertions) { 16 << 20 } else { 8 << 20 };

/// Decodes a JSON body into a model as the client does: when the caller's
/// thread has less stack left than the largest answers need (as a tokio worker
/// thread in a debug build has), the decode runs on a fresh stack segment, so
/// it does not overflow however unoptimised the build. Nesting deeper than
/// `serde_json`'s limit (128 levels) is an error, not a crash.
///
/// Use it for Spotnana JSON that does not come from a call: a webhook
/// payload, an answer you stored.
///
/// ```
/// # #[cfg(feature = "company")] {
/// let role: spotnana::types::CompanyRole = spotnana::from_slice(br#""ORG""#).unwrap();
/// assert_eq!(role, spotnana::types::CompanyRole::Org);
/// # }
/// ```
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    // `stacker::maybe_grow` would join its two paths' results in one value and
    // copy it out; with two calls, each writes the caller's result in place:
    // two copies of the model fewer per decode.
    if stacker::remaining_stack().is_some_and(|left| left >= RED_ZONE) {
        return serde_json::from_slice(bytes);
    }
    on_fresh_segment(bytes)
}

#[inline(never)]
fn on_fresh_segment<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    stacker::grow(SEGMENT, || serde_json::from_slice(bytes))
}
