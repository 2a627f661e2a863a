//! Comparing operations: path, method, parameters, request body, responses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::schema::{compare_schema, is_true, object};
use super::ChangeKind;
use crate::normalize::{HANDWRITTEN, METHODS};

/// An operation and where it sits.
pub(super) struct Op<'a> {
    path: &'a str,
    method: &'a str,
    op: &'a Map<String, Value>,
    /// Path-level parameters, which the operation's own override.
    shared: &'a [Value],
}

impl Op<'_> {
    pub(super) fn endpoint(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

/// Every operation by id, or `None` (with a note) if `paths` or
/// `x-spotnana-handwritten` is not an object.
pub(super) fn operations<'a>(doc: &'a Value, side: &str, notes: &mut Vec<String>) -> Option<BTreeMap<String, Op<'a>>> {
    let mut out = BTreeMap::new();
    for key in ["paths", HANDWRITTEN] {
        let Some(paths) = doc.get(key) else { continue };
        let Some(paths) = paths.as_object() else {
            notes.push(format!("{side} spec: `{key}` is not an object; operations were not compared"));
            return None;
        };
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                notes.push(format!("{side} spec: path item `{path}` is not an object; skipped"));
                continue;
            };
            let shared = item.get("parameters").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            for (method, op) in item.iter().filter(|(m, _)| METHODS.contains(&m.as_str())) {
                let Some(op) = op.as_object() else {
                    notes.push(format!("{side} spec: `{} {path}` is not an object; skipped", method.to_uppercase()));
                    continue;
                };
                let op = Op { path, method, op, shared };
                let id = op.op.get("operationId").and_then(Value::as_str).map_or_else(|| op.endpoint(), str::to_string);
                if let Some(first) = out.insert(id.clone(), op) {
                    notes.push(format!(
                        "{side} spec: operationId `{id}` repeats; `{}` was not compared",
                        first.endpoint()
                    ));
                }
            }
        }
    }
    Some(out)
}

/// Follows local `$ref`s (to `components/parameters`, `responses`, `requestBodies`).
fn resolve<'a>(doc: &'a Value, mut value: &'a Value, notes: &mut Vec<String>) -> Option<&'a Value> {
    for _ in 0..8 {
        let Some(r) = value.get("$ref").and_then(Value::as_str) else { return Some(value) };
        match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => value = target,
            None => {
                notes.push(format!("`$ref` {r} does not resolve; skipped"));
                return None;
            }
        }
    }
    notes.push("a `$ref` chain is longer than 8; skipped".into());
    None
}

/// The parameters of an operation by `(location, name)`, shared ones overridden.
fn parameters<'a>(doc: &'a Value, op: &Op<'a>, notes: &mut Vec<String>) -> BTreeMap<(String, String), &'a Value> {
    let own = op.op.get("parameters").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let mut out = BTreeMap::new();
    for p in op.shared.iter().chain(own) {
        let Some(p) = resolve(doc, p, notes) else { continue };
        match (p.get("in").and_then(Value::as_str), p.get("name").and_then(Value::as_str)) {
            (Some(at), Some(name)) => {
                out.insert((at.to_string(), name.to_string()), p);
            }
            _ => notes.push(format!("{}: a parameter without `in` or `name`; skipped", op.endpoint())),
        }
    }
    out
}

fn request_body<'a>(doc: &'a Value, op: &Op<'a>, notes: &mut Vec<String>) -> Option<&'a Value> {
    op.op.get("requestBody").and_then(|b| resolve(doc, b, notes))
}

/// The responses of an operation by status, each resolved; `None` if malformed.
fn responses<'a>(doc: &'a Value, op: &Op<'a>, notes: &mut Vec<String>) -> Option<BTreeMap<String, Option<&'a Value>>> {
    match op.op.get("responses") {
        None => Some(BTreeMap::new()),
        Some(Value::Object(rs)) => {
            Some(rs.iter().map(|(status, r)| (status.clone(), resolve(doc, r, notes))).collect())
        }
        Some(_) => None,
    }
}

pub(super) fn compare_operation(
    (old_doc, old): (&Value, &Op<'_>),
    (new_doc, new): (&Value, &Op<'_>),
    id: &str,
    notes: &mut Vec<String>,
) -> Vec<ChangeKind> {
    use ChangeKind::*;
    let mut out = Vec::new();
    if old.path != new.path {
        out.push(PathChanged { from: old.path.into(), to: new.path.into() });
    }
    if old.method != new.method {
        out.push(MethodChanged { from: old.method.to_uppercase(), to: new.method.to_uppercase() });
    }
    let old_params = parameters(old_doc, old, notes);
    let new_params = parameters(new_doc, new, notes);
    let param_required = |p: &Value| is_true(p, "required") || p.get("in").and_then(Value::as_str) == Some("path");
    for ((at, name), o) in &old_params {
        let param = format!("{name} ({at})");
        let Some(n) = new_params.get(&(at.clone(), name.clone())) else {
            out.push(ParameterRemoved { param });
            continue;
        };
        if param_required(o) != param_required(n) {
            out.push(ParameterRequired { param: param.clone(), required: param_required(n) });
        }
        compare_schema(&o["schema"], &n["schema"], &format!("parameter {param}"), &mut out);
    }
    for ((at, name), n) in new_params.iter().filter(|(k, _)| !old_params.contains_key(k)) {
        out.push(ParameterAdded { param: format!("{name} ({at})"), required: param_required(n) });
    }
    match (request_body(old_doc, old, notes), request_body(new_doc, new, notes)) {
        (Some(_), None) => out.push(RequestBodyRemoved),
        (None, Some(n)) => out.push(RequestBodyAdded { required: is_true(n, "required") }),
        (Some(o), Some(n)) => {
            if is_true(o, "required") != is_true(n, "required") {
                out.push(RequestBodyRequired { required: is_true(n, "required") });
            }
            compare_content(o, n, "request body", &mut out);
        }
        (None, None) => {}
    }
    let (Some(old_responses), Some(new_responses)) = (responses(old_doc, old, notes), responses(new_doc, new, notes))
    else {
        notes.push(format!("{id}: `responses` is not an object; responses were not compared"));
        return out;
    };
    for (status, o) in &old_responses {
        match new_responses.get(status) {
            None => out.push(ResponseRemoved { status: status.clone() }),
            Some(n) => {
                if let (Some(o), Some(n)) = (o, n) {
                    compare_content(o, n, &format!("response {status}"), &mut out);
                }
            }
        }
    }
    for status in new_responses.keys().filter(|s| !old_responses.contains_key(*s)) {
        out.push(ResponseAdded { status: status.clone() });
    }
    out
}

/// Compares the `content` of two request bodies or two responses.
fn compare_content(old: &Value, new: &Value, at: &str, out: &mut Vec<ChangeKind>) {
    let (old, new) = (object(old, "content"), object(new, "content"));
    let from: Vec<String> = old.into_iter().flat_map(Map::keys).cloned().collect();
    let to: Vec<String> = new.into_iter().flat_map(Map::keys).cloned().collect();
    if from.iter().collect::<BTreeSet<_>>() != to.iter().collect::<BTreeSet<_>>() {
        out.push(ChangeKind::ContentTypes { at: at.into(), from, to });
    }
    for (media, o) in old.into_iter().flatten() {
        if let Some(n) = new.and_then(|n| n.get(media)) {
            compare_schema(&o["schema"], &n["schema"], &format!("{at} {media}"), out);
        }
    }
}
