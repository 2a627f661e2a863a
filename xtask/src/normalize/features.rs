//! Per-API cargo features: which component schemas each API's operations reach.
//!
//! Every operation already carries `x-spotnana-apis` (the documents that publish
//! it). This pass follows `$ref`s from each operation, generated or hand-written,
//! to the component schemas it reaches, and tags each schema with the sorted
//! list of APIs that reach it. `build.rs` then generates, for a set of enabled
//! features, only the operations of those APIs and the schemas they reach.
//!
//! Two shapes are handled apart:
//! - the shared `components/responses` (the error answers every API uses, which
//!   the hand-written runtime decodes) and the schemas they reach are tagged
//!   `x-spotnana-shared`, so they are generated with any feature set, even none;
//! - a schema that no operation and no shared response reaches is dropped: no
//!   call can send or return it, and it would cost compile time for nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::repair::HANDWRITTEN;
use super::report::Report;
use super::walk::METHODS;

/// Extension on an operation and on a component schema: the APIs (cargo
/// features) that publish the operation or reach the schema.
pub const APIS: &str = crate::contract::API_TAG;
/// Extension on a component schema or response generated whatever the features.
pub const SHARED: &str = crate::contract::SHARED_TAG;

const SCHEMAS: &str = "#/components/schemas/";

/// Every `$ref` target under `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The component schemas reachable from `roots`, following `$ref`s through
/// schemas and shared responses.
fn closure(doc: &Value, roots: Vec<&str>) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    let mut stack = roots;
    while let Some(target) = stack.pop() {
        if !visited.insert(target) {
            continue;
        }
        let Some(node) = target.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
            continue;
        };
        if let Some(name) = target.strip_prefix(SCHEMAS) {
            seen.insert(name.to_string());
        }
        refs(node, &mut stack);
    }
    seen
}

/// The operations under `paths` and the hand-written section, with their APIs.
fn operations(doc: &Value) -> Vec<(&Value, Vec<&str>)> {
    let mut out = Vec::new();
    for key in ["paths", HANDWRITTEN] {
        for item in doc.get(key).and_then(Value::as_object).into_iter().flat_map(|p| p.values()) {
            for (method, op) in item.as_object().into_iter().flatten() {
                if METHODS.contains(&method.as_str()) {
                    let apis = op.get(APIS).and_then(Value::as_array).into_iter().flatten();
                    out.push((op, apis.filter_map(Value::as_str).collect()));
                }
            }
        }
    }
    out
}

/// Tags every component schema with the APIs that reach it, marks the shared
/// ones, drops the unreachable ones, and adds per-API counts to the report.
pub fn schema_apis(doc: &mut Value, report: &mut Report) {
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut per_api: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    for (op, apis) in operations(doc) {
        let mut roots = Vec::new();
        refs(op, &mut roots);
        let schemas = closure(doc, roots);
        for api in apis {
            let entry = per_api.entry(api.to_string()).or_default();
            entry.0 += 1;
            entry.1.extend(schemas.iter().cloned());
            for name in &schemas {
                reached.entry(name.clone()).or_default().insert(api.to_string());
            }
        }
    }
    let responses: Vec<String> = doc
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .map(|r| r.keys().map(|k| format!("#/components/responses/{k}")).collect())
        .unwrap_or_default();
    let shared = closure(doc, responses.iter().map(String::as_str).collect());

    let log = report.rule(
        "unreachable-schemas",
        "A component schema that no operation and no shared response reaches is dropped: no call sends or returns it, and generating it costs compile time.",
    );
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        schemas.retain(|name, _| {
            let keep = reached.contains_key(name) || shared.contains(name);
            if !keep {
                log.changes.push(format!("{name}: reached by no operation"));
            }
            keep
        });
    }
    let tagged = report.rule(
        "schema-apis",
        "Each component schema is tagged `x-spotnana-apis` with the APIs whose operations reach it (`x-spotnana-shared` when a shared error response does), so each API's cargo feature generates only its own operations and schemas.",
    );
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            let Some(schema) = schema.as_object_mut() else { continue };
            let apis: Vec<Value> = reached.get(name).into_iter().flatten().map(|a| Value::from(a.as_str())).collect();
            schema.insert(APIS.into(), Value::Array(apis));
            if shared.contains(name) {
                schema.insert(SHARED.into(), Value::Bool(true));
                tagged.changes.push(format!("{name}: shared (reached from components/responses)"));
            }
        }
    }
    for (api, (ops, schemas)) in &per_api {
        report.facts.push((format!("feature `{api}`: operations, schemas"), format!("{ops}, {}", schemas.len())));
    }
    report.facts.push(("schemas shared by every feature".into(), shared.len().to_string()));
}
