//! A proxy on 127.0.0.1 that changes every success answer passing through it,
//! guided by the answer's schema in the spec, the way Spotnana's data may drift
//! from what a compiled SDK knows.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::server::{Reply, TestServer};

/// One way to change an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// Every value of an enum-typed string replaced by `UNSEEN_<value>`.
    UnknownEnumValues,
    /// A property no schema declares added to every object (not to maps).
    UnknownProperties,
    /// Every optional property present set to `null`.
    NullOptionals,
    /// Every optional array property left out.
    NoOptionalArrays,
}

pub const ALL: [Mutation; 4] =
    [Mutation::UnknownEnumValues, Mutation::UnknownProperties, Mutation::NullOptionals, Mutation::NoOptionalArrays];

/// The property [`Mutation::UnknownProperties`] adds.
pub const UNSEEN_PROPERTY: &str = "unseenProperty";

/// The running proxy, with counts of what it changed.
pub struct MutatingProxy {
    server: TestServer,
    changes: Arc<AtomicUsize>,
    largest: Arc<AtomicUsize>,
}

impl MutatingProxy {
    /// Starts a proxy in front of `upstream` (a base URL) applying `mutation`.
    pub async fn start(upstream: String, mutation: Mutation) -> MutatingProxy {
        let doc = Arc::new(super::spec());
        let routes = Arc::new(Routes::new(&doc));
        let http = super::bare_reqwest().no_proxy().build().expect("a plain reqwest client");
        let (changes, largest) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (counted, sized) = (changes.clone(), largest.clone());
        let server = TestServer::start_async(move |request| {
            let (http, doc, routes, upstream, counted, sized) =
                (http.clone(), doc.clone(), routes.clone(), upstream.clone(), counted.clone(), sized.clone());
            Box::pin(async move {
                let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("an HTTP method");
                let mut forward =
                    http.request(method, format!("{upstream}{}", request.target)).body(request.body.clone());
                for (name, value) in &request.headers {
                    if !["host", "content-length", "connection"].contains(&name.to_ascii_lowercase().as_str()) {
                        forward = forward.header(name, value);
                    }
                }
                let Ok(response) = forward.send().await else { return Reply::Reset };
                let status = response.status().as_u16();
                let content_type =
                    response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let Ok(body) = response.bytes().await else { return Reply::Reset };
                sized.fetch_max(body.len(), Ordering::Relaxed);
                let schema = routes.success_schema(&request.method, request.path(), status);
                let (Some(schema), true) = (schema, content_type.starts_with("application/json")) else {
                    return Reply::with(status, &content_type, &body);
                };
                let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
                    return Reply::with(status, &content_type, &body);
                };
                let walker = Walker { doc: &doc, mutation, changes: 0 };
                let changed = walker.apply(schema, &mut value);
                counted.fetch_add(changed, Ordering::Relaxed);
                Reply::with(status, &content_type, value.to_string().as_bytes())
            })
        })
        .await;
        MutatingProxy { server, changes, largest }
    }

    /// The base URL to give a client.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// How many values, properties or keys the proxy has changed so far.
    pub fn changes(&self) -> usize {
        self.changes.load(Ordering::Relaxed)
    }

    /// The largest body the upstream has sent, in bytes.
    pub fn largest_body(&self) -> usize {
        self.largest.load(Ordering::Relaxed)
    }
}

/// The spec's operations, matched by method and path (literal segments first).
struct Routes {
    routes: Vec<(String, Vec<Option<String>>, Value)>,
}

impl Routes {
    fn new(doc: &Value) -> Routes {
        let mut routes: Vec<(String, Vec<Option<String>>, Value)> = super::operations(doc)
            .into_iter()
            .map(|op| {
                let segments = op
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect();
                (op.method, segments, op.op)
            })
            .collect();
        routes.sort_by_key(|(_, segments, _)| std::cmp::Reverse(segments.iter().filter(|s| s.is_some()).count()));
        Routes { routes }
    }

    /// The JSON schema of the answer with `status` to `method path`.
    fn success_schema(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        if !(200..300).contains(&status) {
            return None;
        }
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (_, _, op) = self.routes.iter().find(|(m, segments, _)| {
            m == method
                && segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
        })?;
        op.pointer(&format!("/responses/{status}/content/application~1json/schema"))
    }
}

/// Walks a value beside its schema and applies one mutation.
struct Walker<'a> {
    doc: &'a Value,
    mutation: Mutation,
    changes: usize,
}

impl<'a> Walker<'a> {
    fn apply(mut self, schema: &'a Value, value: &mut Value) -> usize {
        self.walk(schema, value, 0);
        self.changes
    }

    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            schema = self.doc.pointer(r.trim_start_matches('#')).unwrap_or(&Value::Null);
        }
        schema
    }

    /// The schema and every schema it combines (`allOf`, `oneOf`, `anyOf`),
    /// any of which may describe the value.
    fn leaves(&self, schema: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
        let s = self.resolve(schema);
        if depth > 16 || out.iter().any(|l| std::ptr::eq(*l, s)) {
            return;
        }
        out.push(s);
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in s.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.leaves(part, out, depth + 1);
            }
        }
    }

    fn walk(&mut self, schema: &'a Value, value: &mut Value, depth: usize) {
        if depth > 64 {
            return;
        }
        let mut leaves = Vec::new();
        self.leaves(schema, &mut leaves, 0);
        match value {
            Value::String(s) => {
                if self.mutation == Mutation::UnknownEnumValues && leaves.iter().any(|l| l.get("enum").is_some()) {
                    *s = format!("UNSEEN_{s}");
                    self.changes += 1;
                }
            }
            Value::Array(items) => {
                if let Some(items_schema) = leaves.iter().find_map(|l| l.get("items")) {
                    for item in items {
                        self.walk(items_schema, item, depth + 1);
                    }
                }
            }
            Value::Object(map) => self.object(&leaves, map, depth),
            _ => {}
        }
    }

    fn object(&mut self, leaves: &[&'a Value], map: &mut Map<String, Value>, depth: usize) {
        let declared: Vec<(&'a String, &'a Value)> =
            leaves.iter().filter_map(|l| l.get("properties").and_then(Value::as_object)).flatten().collect();
        let required: HashSet<&str> = leaves
            .iter()
            .filter_map(|l| l.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let values_schema = leaves.iter().find_map(|l| l.get("additionalProperties").filter(|a| a.is_object()));
        let is_map = declared.is_empty() && values_schema.is_some();
        let keys: Vec<String> = map.keys().cloned().collect();
        for key in keys {
            let child = declared.iter().find(|(name, _)| **name == key).map(|(_, s)| *s).or(values_schema);
            if let Some(child) = child {
                if let Some(v) = map.get_mut(&key) {
                    self.walk(child, v, depth + 1);
                }
            }
            if is_map || required.contains(key.as_str()) || !declared.iter().any(|(name, _)| **name == key) {
                continue;
            }
            match self.mutation {
                Mutation::NullOptionals if !map[&key].is_null() => {
                    map.insert(key, Value::Null);
                    self.changes += 1;
                }
                Mutation::NoOptionalArrays if map[&key].is_array() => {
                    map.remove(&key);
                    self.changes += 1;
                }
                _ => {}
            }
        }
        if self.mutation == Mutation::UnknownProperties && !is_map {
            map.insert(UNSEEN_PROPERTY.into(), json!({ "addedBy": "a newer Spotnana", "list": [1, "two", null] }));
            self.changes += 1;
        }
    }
}
