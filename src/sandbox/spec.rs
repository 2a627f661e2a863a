//! The sandbox's view of `openapi/spotnana.json`: which operation a request is,
//! whether it is valid, and what a valid answer looks like.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::synth::{Fill, Synth, EXACTLY_ONE_OF};

use crate::spec::SPEC;

/// One operation, ready for routing.
pub(crate) struct Route {
    pub(crate) id: String,
    pub(crate) method: String,
    segments: Vec<Segment>,
    op: Value,
}

impl Route {
    /// How the operation pages (the tag `cargo xtask regen` writes), if it does.
    /// Whether the operation pages (without reading its tag).
    pub(crate) fn paginated(&self) -> bool {
        self.op.get(crate::contract::PAGINATION_TAG).is_some()
    }

    pub(crate) fn pagination(&self) -> Option<crate::contract::Pagination> {
        self.op.get(crate::contract::PAGINATION_TAG).map(crate::contract::Pagination::from_tag)
    }
}

enum Segment {
    Literal(String),
    Param(String),
}

/// The parsed spec and its routes, most specific first.
pub(crate) struct Spec {
    pub(crate) doc: Value,
    routes: Vec<Route>,
}

/// A request as the sandbox validates it.
pub(crate) struct Incoming<'a> {
    pub(crate) query: HashMap<String, String>,
    pub(crate) headers: &'a http::HeaderMap,
    pub(crate) body: Option<Value>,
}

/// An answer the sandbox synthesised: status and optional JSON body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Spec {
    /// Parses the embedded spec.
    pub(crate) fn load() -> Self {
        let doc: Value = serde_json::from_str(SPEC).expect("the embedded spec is the JSON regen wrote");
        let mut routes = Vec::new();
        for (path, method, op) in crate::spec::operations(&doc) {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let segments = path
                .trim_start_matches('/')
                .split('/')
                .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_string()),
                    None => Segment::Literal(s.to_string()),
                })
                .collect();
            routes.push(Route { id: id.to_string(), method: method.to_uppercase(), segments, op: op.clone() });
        }
        // Literal segments beat parameters: `/v2/companies/search` before `/v2/companies/{id}`.
        routes
            .sort_by_key(|r| std::cmp::Reverse(r.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count()));
        Spec { doc, routes }
    }

    /// The operation a method and path name, with its path parameters.
    pub(crate) fn route(&self, method: &str, path: &str) -> Option<(&Route, HashMap<String, String>)> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.routes.iter().filter(|r| r.method == method && r.segments.len() == parts.len()).find_map(|r| {
            let mut params = HashMap::new();
            for (seg, part) in r.segments.iter().zip(&parts) {
                match seg {
                    Segment::Literal(l) if l == part => {}
                    Segment::Param(name) if !part.is_empty() => {
                        params.insert(name.clone(), percent_decode(part));
                    }
                    _ => return None,
                }
            }
            Some((r, params))
        })
    }

    /// The operation `operation_id`, if the spec has it.
    pub(crate) fn route_by_id(&self, operation_id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.id == operation_id)
    }

    /// The schema of one item of the array property `items` of the
    /// operation's success answer.
    pub(crate) fn item_schema<'a>(&'a self, route: &'a Route, items: &str) -> Option<&'a Value> {
        let synth = self.synth();
        let unwrap = |s| synth.unwrap(s);
        let responses = route.op["responses"].as_object()?;
        let answer = responses
            .iter()
            .filter(|(c, _)| c.starts_with('2'))
            .find_map(|(_, r)| r.pointer("/content/application~1json/schema"))?;
        let array = unwrap(unwrap(answer).get("properties")?.get(items)?);
        Some(unwrap(array.get("items")?))
    }

    /// Every operation id, in document order of routing.
    pub(crate) fn operation_ids(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|r| r.id.as_str())
    }

    fn synth(&self) -> Synth<'_> {
        Synth::new(&self.doc, Fill::Minimal)
    }

    /// The request body schema of an operation, if it takes one.
    fn body_schema<'a>(&self, op: &'a Value) -> Option<(&'a str, &'a Value)> {
        let (media, m) = op.pointer("/requestBody/content")?.as_object()?.iter().next()?;
        Some((media.as_str(), m.get("schema")?))
    }

    /// A minimal valid request body for `operation_id`, if it takes a body.
    pub(crate) fn example_request(&self, operation_id: &str) -> Option<Value> {
        let route = self.routes.iter().find(|r| r.id == operation_id)?;
        let (_, schema) = self.body_schema(&route.op)?;
        Some(self.synth().instance(schema))
    }

    /// The success body of `operation_id`, synthesised with `fill`.
    pub(crate) fn example_response(&self, operation_id: &str, fill: Fill) -> Option<Value> {
        let route = self.routes.iter().find(|r| r.id == operation_id)?;
        self.success(route, fill).body
    }

    /// Checks required parameters and body fields; `Err` lists what is missing.
    pub(crate) fn validate(&self, route: &Route, request: &Incoming<'_>) -> Result<(), Vec<String>> {
        let mut missing = Vec::new();
        for p in route.op["parameters"].as_array().into_iter().flatten() {
            if !p["required"].as_bool().unwrap_or(false) {
                continue;
            }
            let name = p["name"].as_str().unwrap_or_default();
            let present = match p["in"].as_str() {
                Some("query") => request.query.contains_key(name),
                Some("header") => request.headers.contains_key(name),
                _ => true,
            };
            if !present {
                missing.push(format!("{} parameter `{name}`", p["in"].as_str().unwrap_or("?")));
            }
        }
        if let Some((media, schema)) = self.body_schema(&route.op) {
            match &request.body {
                None if route.op.pointer("/requestBody/required") == Some(&json!(true)) => {
                    missing.push("request body".into())
                }
                Some(body) if media == "application/json" => {
                    self.required_fields(schema, body, "body", &mut missing, 0)
                }
                _ => {}
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing)
        }
    }

    fn required_fields(&self, schema: &Value, value: &Value, at: &str, missing: &mut Vec<String>, depth: usize) {
        let s = self.synth().resolve(schema);
        if depth > 16 {
            return;
        }
        for part in s["allOf"].as_array().into_iter().flatten() {
            self.required_fields(part, value, at, missing, depth + 1);
        }
        let Some(obj) = value.as_object() else { return };
        for name in s["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            match obj.get(name) {
                None => missing.push(format!("{at}.{name}")),
                // Like Spotnana, an empty string does not satisfy a required field.
                Some(Value::String(v)) if v.is_empty() => missing.push(format!("{at}.{name} (empty)")),
                Some(_) => {}
            }
        }
        if let Some(Value::Array(names)) = s.get(EXACTLY_ONE_OF) {
            let set = names.iter().filter_map(Value::as_str).filter(|n| obj.get(*n).is_some_and(|v| !v.is_null()));
            if set.count() != 1 {
                let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
                missing.push(format!("{at}: exactly one of {} (non-null)", names.join(", ")));
            }
        }
        for (name, prop) in s["properties"].as_object().into_iter().flatten() {
            if let Some(v) = obj.get(name).filter(|v| !v.is_null()) {
                self.required_fields(prop, v, &format!("{at}.{name}"), missing, depth + 1);
            }
        }
    }

    /// The operation's first success response, synthesised from its schema.
    pub(crate) fn success(&self, route: &Route, fill: Fill) -> Answer {
        let responses = route.op["responses"].as_object();
        let (code, response) = responses
            .and_then(|r| r.iter().find(|(c, _)| c.starts_with('2')))
            .map_or(("200", &Value::Null), |(c, r)| (c.as_str(), r));
        let status = code.parse().unwrap_or(200);
        let schema = response.pointer("/content/application~1json/schema");
        Answer { status, body: schema.map(|s| Synth::new(&self.doc, fill).instance(s)) }
    }

    /// A synthesised instance of the component schema `name`, filled as
    /// `fill` says; `None` when the spec has no such schema.
    pub(crate) fn model(&self, name: &str, fill: Fill) -> Option<Value> {
        self.doc.pointer(&format!("/components/schemas/{name}"))?;
        Some(Synth::new(&self.doc, fill).instance(&json!({ "$ref": format!("#/components/schemas/{name}") })))
    }
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
