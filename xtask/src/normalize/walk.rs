//! Visiting every schema position of an OpenAPI document.
//!
//! A schema position is a JSON value that the OpenAPI specification says holds a
//! Schema Object: component schemas, parameter and media-type schemas, and the
//! sub-schemas of those (`properties`, `items`, `allOf`, ...).

use serde_json::Value;

pub use crate::contract::{pascal, snake, METHODS};

/// Calls `f` on `schema` and then on each of its sub-schemas, depth first.
///
/// `at` is a readable location (`Card.type`, `createPnr response 200`) passed to `f`;
/// children extend it. `f` may rewrite the schema in place; the walk then descends
/// into the rewritten value.
pub fn schema_tree(schema: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    f(schema, at);
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (name, child) in props.iter_mut() {
            schema_tree(child, &format!("{at}.{name}"), f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child @ Value::Object(_)) = obj.get_mut(key) {
            schema_tree(child, &format!("{at}[{key}]"), f);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            for (i, child) in list.iter_mut().enumerate() {
                schema_tree(child, &format!("{at}[{key}/{i}]"), f);
            }
        }
    }
}

/// Calls `f` on every operation: `(path, method, operation)`.
pub fn operations(doc: &mut Value, mut f: impl FnMut(&str, &str, &mut Value)) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if METHODS.contains(&method.as_str()) {
                f(path, method, op);
            }
        }
    }
}

/// A readable name for an operation: its `operationId`, else `METHOD /path`.
pub fn op_name(path: &str, method: &str, op: &Value) -> String {
    match op.get("operationId").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => format!("{} {path}", method.to_uppercase()),
    }
}

/// Calls `f` on every root schema of the document (component schemas, parameter
/// schemas, request and response media-type schemas), not descending into them.
pub fn root_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            f(schema, name);
        }
    }
    for section in ["responses", "requestBodies"] {
        if let Some(Value::Object(items)) = doc.pointer_mut(&format!("/components/{section}")) {
            for (name, item) in items.iter_mut() {
                media_schemas(item, &format!("components.{section}.{name}"), f);
            }
        }
    }
    if let Some(Value::Object(params)) = doc.pointer_mut("/components/parameters") {
        for (name, p) in params.iter_mut() {
            if let Some(s) = p.get_mut("schema") {
                f(s, &format!("components.parameters.{name}"));
            }
        }
    }
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, value) in item.iter_mut() {
            if key == "parameters" {
                param_schemas(value, path, f);
            } else if METHODS.contains(&key.as_str()) {
                let name = op_name(path, key, value);
                if let Some(params) = value.get_mut("parameters") {
                    param_schemas(params, &name, f);
                }
                if let Some(body) = value.get_mut("requestBody") {
                    media_schemas(body, &format!("{name} request body"), f);
                }
                if let Some(Value::Object(responses)) = value.get_mut("responses") {
                    for (status, resp) in responses.iter_mut() {
                        media_schemas(resp, &format!("{name} response {status}"), f);
                    }
                }
            }
        }
    }
}

/// Calls `f` on every schema in the document, roots and all their sub-schemas.
pub fn all_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str)) {
    root_schemas(doc, &mut |schema, at| schema_tree(schema, at, f));
}

fn param_schemas(params: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(list) = params.as_array_mut() else {
        return;
    };
    for p in list {
        let pname = p.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
        if let Some(s) = p.get_mut("schema") {
            f(s, &format!("{at} parameter {pname}"));
        }
    }
}

fn media_schemas(holder: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(Value::Object(content)) = holder.get_mut("content") else {
        return;
    };
    for (mt, media) in content.iter_mut() {
        if let Some(s) = media.get_mut("schema") {
            f(s, &format!("{at} ({mt})"));
        }
    }
}

/// Rewrites every string in the document equal to `from` into `to`.
///
/// Used for `$ref` targets, which also appear as discriminator mapping values.
/// Returns the number of strings rewritten.
pub fn rewrite_strings(value: &mut Value, from: &str, to: &str) -> usize {
    match value {
        Value::String(s) if s == from => {
            *s = to.to_string();
            1
        }
        Value::Array(list) => list.iter_mut().map(|v| rewrite_strings(v, from, to)).sum(),
        Value::Object(map) => map.values_mut().map(|v| rewrite_strings(v, from, to)).sum(),
        _ => 0,
    }
}
