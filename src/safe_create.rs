//! Creates that are safe to repeat, for a server without idempotency keys.
//!
//! Spotnana's guidance for a create whose outcome is unknown (a timeout, a
//! dropped connection, a 5xx, a success answer that could not be read) is to
//! look the resource up by the external id you sent before trying again.
//! Each create whose body carries an external id and has a lookup by it
//! (found by the rule in `src/resources.rs`, listed in the README) gets
//! `send_or_find()`, which does exactly that:
//!
//! - the create succeeds: [`CreateOutcome::Created`];
//! - it fails in a way that may have applied, and the lookup finds the
//!   external id: [`CreateOutcome::Found`], with the answer the create would
//!   have given;
//! - the lookup does not find it: the create is sent once more, which is now
//!   safe, and its outcome is returned as is;
//! - any other failure, or a lookup that fails, returns the create's error.
//!
//! Without an external id in the body it is `send()`.

use progenitor_client::{ClientInfo, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::generated::Client;

/// What a create builder's `send_or_find()` did (`create_company`, `create_user` and the other creates
/// the `safe-creates` rule pairs with a lookup).
#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome<T> {
    /// The create went through (at once, or sent again after a lookup
    /// found nothing).
    Created(T),
    /// An earlier attempt had created it: found by its external id after
    /// an answer was lost. `T` holds its id, as the create's answer would.
    Found(T),
}

impl<T> CreateOutcome<T> {
    /// The create's answer, either way.
    pub fn into_inner(self) -> T {
        match self {
            CreateOutcome::Created(t) | CreateOutcome::Found(t) => t,
        }
    }

    /// Whether the resource was found rather than created by this call.
    pub fn was_found(&self) -> bool {
        matches!(self, CreateOutcome::Found(_))
    }
}

/// How to find what one create made: written by `build.rs` for each create
/// the rule in `src/resources.rs` pairs with a lookup.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The lookup's operation id.
    pub(crate) lookup: &'static str,
    /// Its path template.
    pub(crate) path: &'static str,
    /// JSON pointer of the external id in the create's body.
    pub(crate) external_id: &'static str,
    /// The lookup's other parameters: name, whether in the path, and where
    /// the create has the value (a path parameter's name, or a body pointer).
    pub(crate) params: &'static [(&'static str, bool, Source)],
    /// JSON pointer of the found resource's id in the lookup's answer.
    pub(crate) found: &'static str,
    /// Where the create's answer holds the id: the pointer, and whether it
    /// is an `{"id": ...}` object.
    pub(crate) created: (&'static str, bool),
}

/// Where a create's request holds a lookup parameter.
// Which variants a build makes depends on the APIs it has.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source {
    /// The create's path parameter of this name.
    Path(&'static str),
    /// This JSON pointer into the create's body.
    Body(&'static str),
}

/// Whether a failed create may have been applied: a timeout or dropped
/// connection after sending, a 5xx, or a success answer that did not decode.
pub(crate) fn ambiguous(error: &Error) -> bool {
    match error {
        Error::Timeout(_) | Error::Transport(_) => true,
        Error::Api(api) => api.status().is_server_error(),
        Error::Decode(decode) => decode.may_have_applied(),
        _ => false,
    }
}

/// Runs a create as the module docs say: `first` is its `send()`, `again`
/// builds a second one. `body` is the create's body as JSON and `path` its
/// path parameters, to take the external id and the lookup's parameters from.
pub(crate) async fn run<T, F, A, R>(
    client: &Client,
    plan: &Plan,
    body: Option<Value>,
    path: &[(&str, Option<String>)],
    first: F,
    again: A,
) -> Result<CreateOutcome<T>, Error>
where
    T: DeserializeOwned,
    F: std::future::Future<Output = Result<ResponseValue<T>, Error>>,
    A: FnOnce() -> R,
    R: std::future::Future<Output = Result<ResponseValue<T>, Error>>,
{
    let external =
        body.as_ref().and_then(|b| b.pointer(plan.external_id)).and_then(Value::as_str).filter(|s| !s.is_empty());
    let Some(external) = external.map(str::to_string) else {
        return first.await.map(|r| CreateOutcome::Created(r.into_inner()));
    };
    let error = match first.await {
        Ok(answer) => return Ok(CreateOutcome::Created(answer.into_inner())),
        Err(e) if ambiguous(&e) => e,
        Err(e) => return Err(e),
    };
    match lookup(client, plan, &external, body.as_ref(), path).await {
        Ok(Some(id)) => found(plan, id).map(CreateOutcome::Found),
        Ok(None) => again().await.map(|r| CreateOutcome::Created(r.into_inner())),
        Err(_) => Err(error),
    }
}

/// The create's answer for a found id.
fn found<T: DeserializeOwned>(plan: &Plan, id: Value) -> Result<T, Error> {
    let (at, wrapped) = plan.created;
    let mut answer = Value::Object(Default::default());
    let value = if wrapped { serde_json::json!({ "id": id }) } else { id };
    crate::pagination::set_pointer(&mut answer, at, value);
    // From bytes, as `send()` decodes: `from_value` would compile each
    // create's answer type once more, for `Value`.
    let bytes = answer.to_string();
    crate::decode::from_slice(bytes.as_bytes()).map_err(|e| {
        let reason =
            format!("the resource was found by its external id, but its id does not fit the create's answer: {e}");
        Error::Decode(crate::DecodeError::new(None, None, reason, bytes.as_bytes()))
    })
}

/// The id of the resource the lookup finds for `external`, or `None` when
/// it finds nothing (a 404, or no id in its answer).
async fn lookup(
    client: &Client,
    plan: &Plan,
    external: &str,
    body: Option<&Value>,
    path: &[(&str, Option<String>)],
) -> Result<Option<Value>, Error> {
    let mut url = plan.path.to_string();
    let mut query = vec![("externalId".to_string(), external.to_string())];
    for (name, in_path, source) in plan.params {
        let value = match source {
            Source::Path(p) => path.iter().find(|(n, _)| n == p).and_then(|(_, v)| v.clone()),
            Source::Body(at) => body.and_then(|b| b.pointer(at)).map(|v| match v {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            }),
        };
        let Some(value) = value else {
            return Err(Error::InvalidRequest(format!("{}: no value for `{name}`", plan.lookup)));
        };
        if *in_path {
            url = url.replace(&format!("{{{name}}}"), &crate::path::encode(name, &value)?);
        } else {
            query.push((name.to_string(), value));
        }
    }
    let request = client
        .client()
        .get(format!("{}{url}", client.baseurl()))
        .query(&query)
        .build()
        .map_err(|e| Error::InvalidRequest(format!("{}: {e}", plan.lookup)))?;
    match crate::call::value(client, request, plan.lookup).await {
        Ok(answer) => Ok(answer.pointer(plan.found).filter(|id| !id.is_null()).cloned()),
        Err(e) if e.status().is_some_and(|s| s == reqwest::StatusCode::NOT_FOUND) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_5xx_may_have_applied_and_a_4xx_did_not() {
        let api = |status: u16| {
            Error::Api(crate::ApiError::new(reqwest::StatusCode::from_u16(status).unwrap(), Default::default(), None))
        };
        assert!(ambiguous(&api(500)));
        assert!(ambiguous(&api(504)));
        assert!(!ambiguous(&api(400)));
        assert!(!ambiguous(&api(409)));
        assert!(!ambiguous(&Error::InvalidRequest("no body".into())));
        let unread = crate::DecodeError::new(Some(reqwest::StatusCode::CREATED), None, "bad".into(), b"{")
            .may_have_been_applied(reqwest::Method::POST);
        assert!(ambiguous(&Error::Decode(unread)));
    }

    #[test]
    fn a_found_id_takes_the_shape_of_the_create_answer() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct EntityId {
            id: String,
        }
        let plan = Plan {
            lookup: "find",
            path: "/x",
            external_id: "/externalId",
            params: &[],
            found: "/elements/0/id",
            created: ("/id", false),
        };
        assert_eq!(found::<EntityId>(&plan, Value::String("u-1".into())).unwrap(), EntityId { id: "u-1".into() });
        let wrapped = Plan { created: ("/id", true), ..plan };
        assert!(
            found::<EntityId>(&wrapped, Value::String("u-1".into())).is_err(),
            "an id object does not fit a string id"
        );
    }
}
