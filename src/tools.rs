//! Every operation as data, for agents and tool dispatchers (feature `schemars`).
//!
//! [`operations()`] lists the operations this build has (all 210 with the default
//! features, those of the enabled APIs otherwise), each with a self-contained
//! JSON Schema (Draft 2020-12) of its input (path, query and body parameters as one
//! object) and of its success output, both taken from the normalised spec the
//! client is generated from. [`Client::call_json`] calls an operation by id
//! with such an input and returns the JSON answer, through the same token,
//! retry and error handling as the typed methods.
//!
//! ```no_run
//! # async fn demo(client: spotnana::Client) -> Result<(), spotnana::Error> {
//! for op in spotnana::operations().iter().filter(|op| op.apis.contains(&"company".to_string())) {
//!     println!("{}: {}", op.id, op.summary);
//! }
//! let companies = client.call_json("listCompanies", serde_json::json!({ "limit": 10 })).await?;
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use progenitor_client::ClientInfo;
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::access::Access;
use crate::generated::Client;
use crate::Error;

/// One operation: what it is, and the JSON Schemas of what goes in and out.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The spec's `operationId`, such as `listCompanies`.
    pub id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template, such as `/v2/companies/{companyId}`.
    pub path: String,
    /// The spec's one-line summary.
    pub summary: String,
    /// The spec's longer description (may be empty).
    pub description: String,
    /// The APIs (upstream documents: `company`, `air`, ...) that publish it.
    pub apis: Vec<String>,
    /// What it may do to the account, by the rule of [`Access`]: what the
    /// `spotnana` MCP server offers an agent without the operator's leave.
    pub access: Access,
    /// JSON Schema of the input object: each path and query parameter by
    /// name, and the request body under `body`.
    pub input_schema: Value,
    /// JSON Schema of the success answer (`{"type": "null"}` when it has none).
    pub output_schema: Value,
    params: Vec<Param>,
    /// The request body's media type, if it takes one.
    body_media: Option<String>,
}

#[derive(Clone, Debug)]
struct Param {
    name: String,
    in_path: bool,
    /// The spec types it `format: uuid`: the typed setter takes a `Uuid`,
    /// so the JSON value must parse as one.
    uuid: bool,
}

/// Every operation of the enabled APIs, in document order.
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let doc: Value = serde_json::from_str(crate::spec::SPEC).unwrap_or_default();
        crate::spec::operations(&doc).map(|(path, method, op)| Operation::from_spec(&doc, path, method, op)).collect()
    })
}

/// The operation with this `operationId`.
pub fn operation(id: &str) -> Option<&'static Operation> {
    operations().iter().find(|op| op.id == id)
}

impl Operation {
    fn from_spec(doc: &Value, path: &str, method: &str, op: &Value) -> Operation {
        let text = |k: &str| op.get(k).and_then(Value::as_str).unwrap_or("").trim().to_string();
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut params = Vec::new();
        for param in op["parameters"].as_array().into_iter().flatten() {
            let param = resolve(doc, param);
            let (Some(name), Some(location)) = (param["name"].as_str(), param["in"].as_str()) else { continue };
            if location != "path" && location != "query" {
                continue;
            }
            let mut schema = param.get("schema").cloned().unwrap_or(json!({}));
            if let (Some(d), Value::Object(s)) = (param.get("description"), &mut schema) {
                s.entry("description").or_insert(d.clone());
            }
            properties.insert(name.to_string(), schema);
            if location == "path" || param["required"] == true {
                required.push(Value::from(name));
            }
            let uuid = param.pointer("/schema/format").and_then(Value::as_str) == Some("uuid");
            params.push(Param { name: name.to_string(), in_path: location == "path", uuid });
        }
        let body = op.pointer("/requestBody/content").and_then(Value::as_object).and_then(|c| c.iter().next());
        let body_media = body.map(|(media, _)| media.clone());
        if let Some((_, content)) = body {
            properties.insert("body".into(), content.get("schema").cloned().unwrap_or(json!({})));
            if op.pointer("/requestBody/required") == Some(&Value::Bool(true)) {
                required.push("body".into());
            }
        }
        let input = json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        });
        let output = success_schema(doc, op).unwrap_or(json!({ "type": "null" }));
        let id = text("operationId");
        Operation {
            access: Access::of(method, &id, &text("summary")),
            id,
            method: method.to_uppercase(),
            path: path.to_string(),
            summary: text("summary"),
            description: text("description"),
            apis: op[crate::contract::API_TAG]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(String::from))
                .collect(),
            input_schema: self_contained(doc, input),
            output_schema: self_contained(doc, output),
            params,
            body_media,
        }
    }
}

/// The schema of the first 2xx response with a JSON body.
fn success_schema(doc: &Value, op: &Value) -> Option<Value> {
    let responses = op["responses"].as_object()?;
    let (_, response) = responses.iter().find(|(status, _)| status.starts_with('2'))?;
    let response = resolve(doc, response);
    let content = response.get("content")?.as_object()?;
    let (_, media) = content.iter().find(|(m, _)| m.contains("json"))?;
    media.get("schema").cloned()
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

/// `schema` as a self-contained Draft 2020-12 schema: the component schemas it
/// reaches move under `$defs`, and OpenAPI 3.0's `nullable` becomes a `null`
/// type.
fn self_contained(doc: &Value, mut schema: Value) -> Value {
    let mut defs = BTreeMap::new();
    let mut pending: BTreeSet<String> = BTreeSet::new();
    rewrite(&mut schema, &mut pending);
    while let Some(name) = pending.pop_first() {
        if defs.contains_key(&name) {
            continue;
        }
        let mut def = doc.pointer(&format!("/components/schemas/{name}")).cloned().unwrap_or(json!({}));
        let mut found = BTreeSet::new();
        rewrite(&mut def, &mut found);
        pending.extend(found.into_iter().filter(|n| !defs.contains_key(n)));
        defs.insert(name, def);
    }
    if let Value::Object(map) = &mut schema {
        map.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        if !defs.is_empty() {
            map.insert("$defs".into(), Value::Object(defs.into_iter().collect()));
        }
    }
    schema
}

/// Points `$ref`s at `$defs`, collecting their names; turns `nullable` into
/// a `null` type; drops keywords that mean nothing to JSON Schema.
fn rewrite(value: &mut Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, refs)),
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("x-") && k != "example" && k != "discriminator");
            map.values_mut().for_each(|v| rewrite(v, refs));
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(name) = target.strip_prefix("#/components/schemas/") {
                    refs.insert(name.to_string());
                    *target = format!("#/$defs/{name}");
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get("type").and_then(Value::as_str).map(str::to_string) {
                    Some(t) => {
                        map.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(values)) = map.get_mut("enum") {
                            values.push(Value::Null);
                        }
                    }
                    None => {
                        let inner = std::mem::take(map);
                        map.insert("anyOf".into(), json!([Value::Object(inner), { "type": "null" }]));
                    }
                }
            }
        }
        _ => {}
    }
}

impl Client {
    /// Calls the operation `operation_id` with `input`, an object holding its
    /// path and query parameters by name and its request body under `body`
    /// (the shape [`Operation::input_schema`] describes), and returns the
    /// success answer as JSON (`null` when there is none).
    ///
    /// It goes through the same token, retry and error handling as the typed
    /// methods. An unknown operation, a missing required parameter or a key the
    /// operation does not take is an [`Error::InvalidRequest`] that names it.
    pub async fn call_json(&self, operation_id: &str, input: Value) -> Result<Value, Error> {
        let (op, request) = self.prepare_json(operation_id, input)?;
        crate::call::value(self, request, op.id.as_str()).await
    }

    /// The request [`call_json`](Self::call_json) would send for this
    /// input, built and checked the same way but not sent: no token is added
    /// (that happens when it goes out), so it is safe to print. Fails as
    /// `call_json` does on an unknown operation or a bad input.
    pub fn request_json(&self, operation_id: &str, input: Value) -> Result<reqwest::Request, Error> {
        self.prepare_json(operation_id, input).map(|(_, request)| request)
    }

    /// The operation and the request for `input`: the work of
    /// [`request_json`](Self::request_json) and [`call_json`](Self::call_json).
    fn prepare_json(&self, operation_id: &str, input: Value) -> Result<(&'static Operation, reqwest::Request), Error> {
        let op = operation(operation_id).ok_or_else(|| {
            Error::InvalidRequest(format!("no operation `{operation_id}`: see spotnana::operations()"))
        })?;
        let Value::Object(mut input) = input else {
            return Err(Error::InvalidRequest(format!("{operation_id}: the input must be a JSON object")));
        };
        let mut path = op.path.clone();
        let mut query: Vec<(String, String)> = Vec::new();
        let mut given: BTreeSet<&str> = BTreeSet::new();
        for param in &op.params {
            let Some(value) = input.remove(&param.name) else { continue };
            given.insert(&param.name);
            if param.uuid && !value.is_null() && uuid::Uuid::parse_str(&scalar(&value)).is_err() {
                return Err(Error::InvalidRequest(format!(
                    "{operation_id}: `{}` must be a UUID, such as 4974a66b-7493-4f41-908c-58ba81093947",
                    param.name
                )));
            }
            if param.in_path {
                path =
                    path.replace(&format!("{{{}}}", param.name), &crate::path::encode(&param.name, &scalar(&value))?);
            } else {
                match value {
                    Value::Array(items) => query.extend(items.iter().map(|v| (param.name.clone(), scalar(v)))),
                    Value::Null => {}
                    v => query.push((param.name.clone(), scalar(&v))),
                }
            }
        }
        let body = input.remove("body");
        if body.is_some() {
            given.insert("body");
        }
        if let Some(key) = input.keys().next() {
            return Err(Error::InvalidRequest(format!("{operation_id} takes no parameter `{key}`")));
        }
        let required = op.input_schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str);
        if let Some(name) = required.into_iter().find(|name| !given.contains(*name)) {
            return Err(Error::InvalidRequest(format!("{operation_id} needs `{name}`")));
        }
        let method = Method::from_bytes(op.method.as_bytes()).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut request = self.client().request(method, format!("{}{path}", self.baseurl())).query(&query);
        if let Some(body) = body {
            request = match op.body_media.as_deref() {
                Some(media) if media.starts_with("multipart/") => multipart(request, &body)?,
                Some("application/x-www-form-urlencoded") => request.form(&body),
                _ => request.json(&body),
            };
        }
        let request = request.build().map_err(|e| Error::InvalidRequest(format!("{operation_id}: {e}")))?;
        Ok((op, request))
    }
}

/// Blanks every secret in `value` (credentials and card data, by the rule
/// that marks the models' [`Secret`](crate::Secret) fields): each string
/// whose property name the rule selects becomes `"[redacted]"`, at any depth.
/// For printing an answer of [`Client::call_json`], which returns the wire's
/// JSON as it came.
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        Value::Object(map) => {
            let secret: Vec<String> = map
                .iter()
                .filter(|(name, v)| v.is_string() && crate::secret_fields::is_secret(name, |s| map.contains_key(s)))
                .map(|(name, _)| name.clone())
                .collect();
            for name in secret {
                map.insert(name, Value::from("[redacted]"));
            }
            map.values_mut().for_each(redact_secrets);
        }
        _ => {}
    }
}

/// A parameter value as text: strings as they are, anything else as JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// A `multipart/form-data` body from a JSON object, built in memory so it can
/// be sent again: each member one part, a `file` member as a file part,
/// other strings as text, anything else as JSON.
fn multipart(request: reqwest::RequestBuilder, body: &Value) -> Result<reqwest::RequestBuilder, Error> {
    let Value::Object(members) = body else {
        return Err(Error::InvalidRequest("a multipart body must be a JSON object".into()));
    };
    let mut form = crate::multipart::Form::new();
    for (name, value) in members {
        match value {
            Value::String(s) if name == "file" => {
                form.part(name, Some("file"), "application/octet-stream", s.as_bytes())?
            }
            Value::String(s) => form.part(name, None, "text/plain", s.as_bytes())?,
            v => form.part(name, None, "application/json", v.to_string().as_bytes())?,
        }
    }
    let (content_type, bytes) = form.finish();
    Ok(request.header(CONTENT_TYPE, content_type).body(bytes))
}
