//! Rules that turn one OpenAPI 3.1 document into OpenAPI 3.0 constructs.

use serde_json::{json, Map, Value};

use super::report::Report;
use super::walk::{self, METHODS};

/// Applies every downgrade rule to one document. `doc_name` labels changes.
pub fn downgrade(doc: &mut Value, doc_name: &str, report: &mut Report) {
    ref_siblings(doc, doc_name, report);
    json_schema_2020(doc, doc_name, report);
    path_parameters(doc, doc_name, report);
    operation_security(doc, doc_name, report);
    non_schema_ref_siblings(doc, doc_name, report);
}

/// `$ref` with sibling keys: allowed in 3.1, ignored in 3.0 (and dropped by the
/// `openapiv3` crate). Wrapping in a one-element `allOf` keeps the siblings
/// (descriptions become field docs) and typify treats it as the referenced type.
fn ref_siblings(doc: &mut Value, doc_name: &str, report: &mut Report) {
    let log = report.rule(
        "ref-siblings",
        "3.1 allows keys beside `$ref` (`description`, `deprecated`, `x-*`); 3.0 ignores them and the \
         `openapiv3` parser drops them. The `$ref` moves into a one-element `allOf` that keeps the \
         siblings, which typify resolves to the referenced type with the sibling docs attached.",
    );
    walk::all_schemas(doc, &mut |schema, at| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if obj.len() < 2 || !obj.contains_key("$ref") {
            return;
        }
        let target = obj.remove("$ref").expect("checked above");
        let keys: Vec<String> = obj.keys().cloned().collect();
        let mut wrapped = Map::new();
        wrapped.insert("allOf".into(), json!([{ "$ref": target }]));
        wrapped.extend(std::mem::take(obj));
        *schema = Value::Object(wrapped);
        log.changes.push(format!("{doc_name}: {at} (siblings: {})", keys.join(", ")));
    });
}

/// JSON Schema 2020-12 keywords that 3.0 spells differently.
fn json_schema_2020(doc: &mut Value, doc_name: &str, report: &mut Report) {
    let log = report.rule(
        "json-schema-2020",
        "3.1 schemas are JSON Schema 2020-12: `type` arrays with `null`, `const`, `examples`, and \
         numeric `exclusiveMinimum`/`exclusiveMaximum`. They become 3.0's `nullable`, one-value \
         `enum`, `example`, and boolean exclusive bounds.",
    );
    walk::all_schemas(doc, &mut |schema, at| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(types)) = obj.get("type").cloned() {
            let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            if non_null.len() < types.len() {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            match non_null.as_slice() {
                [one] => {
                    obj.insert("type".into(), one.clone());
                }
                _ => {
                    obj.remove("type");
                    let any: Vec<Value> = non_null.iter().map(|t| json!({ "type": t })).collect();
                    obj.insert("anyOf".into(), Value::Array(any));
                }
            }
            log.changes.push(format!("{doc_name}: {at}: type array"));
        }
        if let Some(c) = obj.remove("const") {
            obj.insert("enum".into(), json!([c]));
            log.changes.push(format!("{doc_name}: {at}: const"));
        }
        if let Some(Value::Array(examples)) = obj.remove("examples") {
            if let Some(first) = examples.into_iter().next() {
                obj.entry("example").or_insert(first);
            }
            log.changes.push(format!("{doc_name}: {at}: examples"));
        }
        for (key, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(n @ Value::Number(_)) = obj.get(key).cloned() {
                obj.insert(bound.into(), n);
                obj.insert(key.into(), Value::Bool(true));
                log.changes.push(format!("{doc_name}: {at}: numeric {key}"));
            }
        }
    });
}

/// Path-level `parameters` are copied into each operation of the path, where the
/// operation does not already declare a parameter with the same `name` and `in`.
/// Done per document, so a later merge that copies operations cannot lose them.
fn path_parameters(doc: &mut Value, doc_name: &str, report: &mut Report) {
    let log = report.rule(
        "path-parameters",
        "Parameters declared on the path item apply to all its operations. They are copied into \
         each operation so that nothing depends on the path item surviving the merge (without \
         them progenitor panics with \"missing path name mapping\").",
    );
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let Some(Value::Array(shared)) = item.remove("parameters") else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let name = walk::op_name(path, method, op);
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let params = op.entry("parameters").or_insert_with(|| Value::Array(Vec::new()));
            let Some(list) = params.as_array_mut() else {
                continue;
            };
            let mut copied = 0;
            for (i, p) in shared.iter().enumerate() {
                let key = (p.get("name"), p.get("in"));
                if !list.iter().any(|q| (q.get("name"), q.get("in")) == key) {
                    list.insert(i.min(list.len()), p.clone());
                    copied += 1;
                }
            }
            if copied > 0 {
                log.changes.push(format!("{doc_name}: {name}: {copied} parameter(s) from {path}"));
            }
        }
    }
}

/// The document-level `security` becomes explicit on each operation, because
/// merged documents disagree (the Auth API's token endpoint has none).
fn operation_security(doc: &mut Value, doc_name: &str, report: &mut Report) {
    let log = report.rule(
        "operation-security",
        "Each document sets a top-level `security`, and they differ (the token endpoint needs no \
         bearer token). Before merging, each operation without its own `security` gets its \
         document's, so no operation changes its requirement.",
    );
    let top = doc.get("security").cloned().unwrap_or(json!([]));
    walk::operations(doc, |path, method, op| {
        if let Some(op) = op.as_object_mut() {
            if !op.contains_key("security") {
                op.insert("security".into(), top.clone());
                log.changes.push(format!("{doc_name}: {}", walk::op_name(path, method, &Value::Object(op.clone()))));
            }
        }
    });
}

/// `$ref` with siblings outside schemas (responses, parameters): 3.0 forbids them,
/// and a Reference Object cannot be wrapped, so the siblings are dropped.
fn non_schema_ref_siblings(doc: &mut Value, doc_name: &str, report: &mut Report) {
    let log = report.rule(
        "reference-object-siblings",
        "Outside schemas, a 3.0 Reference Object may hold only `$ref`. Sibling keys beside a \
         response or parameter `$ref` are dropped (the referenced object carries its own text).",
    );
    walk::operations(doc, |path, method, op| {
        let name = walk::op_name(path, method, op);
        let mut strip = |v: &mut Value, what: String| {
            if let Some(obj) = v.as_object_mut() {
                if obj.contains_key("$ref") && obj.len() > 1 {
                    obj.retain(|k, _| k == "$ref");
                    log.changes.push(format!("{doc_name}: {name}: {what}"));
                }
            }
        };
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for (status, r) in responses.iter_mut() {
                strip(r, format!("response {status}"));
            }
        }
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            for p in params.iter_mut() {
                strip(p, "parameter".to_string());
            }
        }
    });
}
