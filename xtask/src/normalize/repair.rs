//! Rules that repair the merged document where progenitor or typify cannot take it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::report::Report;
use super::walk::{self, METHODS};
use super::{NormalizeError, NULL_WHEN_UNSET};

/// Request body media types progenitor generates a typed body for.
const GENERATED_BODY_TYPES: [&str; 4] =
    ["application/json", "application/x-www-form-urlencoded", "application/octet-stream", "text/plain"];

/// Request body media types the SDK sends through hand-written methods instead.
const HANDWRITTEN_BODY_TYPES: [&str; 1] = ["multipart/form-data"];

/// Root extension that holds operations the SDK implements by hand.
pub const HANDWRITTEN: &str = crate::contract::HANDWRITTEN_KEY;

/// Checks every operation has a unique `operationId` and a body progenitor can take.
pub fn check_operations(doc: &mut Value) -> Result<(), NormalizeError> {
    let mut seen = BTreeSet::new();
    let mut problem = None;
    walk::operations(doc, |path, method, op| {
        if problem.is_some() {
            return;
        }
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            problem =
                Some(NormalizeError::MissingOperationId { operation: format!("{} {path}", method.to_uppercase()) });
            return;
        };
        if !seen.insert(id.to_string()) {
            problem = Some(NormalizeError::DuplicateOperationId { operation: id.into() });
            return;
        }
        let Some(Value::Object(content)) = op.pointer("/requestBody/content") else {
            return;
        };
        let types: Vec<&String> = content.keys().collect();
        let known = |t: &str| GENERATED_BODY_TYPES.contains(&t) || HANDWRITTEN_BODY_TYPES.contains(&t);
        if let Some(t) = types.iter().find(|t| !known(t)) {
            problem = Some(NormalizeError::UnsupportedContentType { operation: id.into(), content_type: (*t).clone() });
        } else if types.len() > 1 {
            problem = Some(NormalizeError::SeveralContentTypes {
                operation: id.into(),
                content_types: types.iter().map(|s| s.to_string()).collect(),
            });
        }
    });
    problem.map_or(Ok(()), Err)
}

/// Moves operations whose body progenitor rejects (multipart) out of `paths` into
/// the root extension [`HANDWRITTEN`], where the SDK's hand-written methods and
/// the every-operation test find them.
pub fn handwritten_bodies(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "handwritten-multipart",
        "progenitor rejects `multipart/form-data` request bodies. These operations move from \
         `paths` into the root extension `x-spotnana-handwritten` (path, method and operation \
         unchanged); the SDK implements them by hand on the same `Client`, sending a real \
         multipart body. They still count among the document's operations.",
    );
    let mut moved: Map<String, Value> = Map::new();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let methods: Vec<String> = item
                .iter()
                .filter(|(m, op)| {
                    METHODS.contains(&m.as_str())
                        && op
                            .pointer("/requestBody/content")
                            .and_then(Value::as_object)
                            .is_some_and(|c| c.keys().any(|t| HANDWRITTEN_BODY_TYPES.contains(&t.as_str())))
                })
                .map(|(m, _)| m.clone())
                .collect();
            for m in methods {
                let op = item.remove(&m).expect("listed above");
                log.changes.push(format!("{} ({} {path})", walk::op_name(path, &m, &op), m.to_uppercase()));
                moved
                    .entry(path.clone())
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("created as an object")
                    .insert(m, op);
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|i| i.keys().any(|k| METHODS.contains(&k.as_str()))));
    }
    if !moved.is_empty() {
        doc[HANDWRITTEN] = Value::Object(moved);
    }
}

/// `required` names that are not among the schema's `properties`.
pub fn required_names(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "required-not-in-properties",
        "A `required` entry that names no property (e.g. `reason_code` where the property is \
         `reasonCode`) makes typify emit the field twice. When a property matches it ignoring \
         case and `_`/`-`, the entry is renamed to it. Otherwise, in a component schema, the \
         name is declared as a required, nullable property of any type (listed in \
         `x-spotnana-null-when-unset`): a request then carries the key (as `null` unless the \
         caller sets it), as the published document demands, and an answer without it still \
         decodes. In an inline schema the entry is dropped.",
    );
    let fold = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    walk::all_schemas(doc, &mut |schema, at| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        let (Some(Value::Object(props)), Some(Value::Array(required))) = (obj.get("properties"), obj.get("required"))
        else {
            return;
        };
        if ["allOf", "oneOf", "anyOf"].iter().any(|k| obj.contains_key(*k)) {
            return;
        }
        let component = at.chars().all(char::is_alphanumeric);
        let mut fixed: Vec<Value> = Vec::new();
        let mut undeclared: Vec<String> = Vec::new();
        let mut changed = false;
        for r in required {
            let Some(name) = r.as_str() else { continue };
            let resolved = if props.contains_key(name) {
                Some(name.to_string())
            } else {
                changed = true;
                let hit = props.keys().find(|p| fold(p) == fold(name)).cloned();
                match &hit {
                    Some(p) => log.changes.push(format!("{at}: `{name}` is `{p}`")),
                    None if component => log.changes.push(format!("{at}: `{name}` declared (no such property)")),
                    None => log.changes.push(format!("{at}: `{name}` dropped (no such property, inline schema)")),
                }
                hit.or_else(|| {
                    component.then(|| {
                        undeclared.push(name.to_string());
                        name.to_string()
                    })
                })
            };
            if let Some(p) = resolved {
                if !fixed.iter().any(|f| *f == p.as_str()) {
                    fixed.push(Value::String(p));
                }
            }
        }
        if changed {
            obj.insert("required".into(), Value::Array(fixed));
        }
        if !undeclared.is_empty() {
            obj.insert(NULL_WHEN_UNSET.into(), json!(undeclared));
        }
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for name in undeclared {
                props.insert(
                    name,
                    json!({
                        "nullable": true,
                        "description": "Listed as required by Spotnana's published document, \
                                        which gives it no schema. Sent as `null` unless set.",
                    }),
                );
            }
        }
    });
}

/// The kind progenitor gives a response: a JSON schema, a raw body, or none.
fn response_kind(doc: &Value, resp: &Value) -> String {
    let resp = match resp.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap_or(resp),
        None => resp,
    };
    match resp.get("content").and_then(Value::as_object) {
        None => "none".into(),
        Some(c) if c.is_empty() => "none".into(),
        Some(c) => match c.get("application/json") {
            Some(mt) => mt.get("schema").map_or("json".into(), |s| s.to_string()),
            None => "raw".into(),
        },
    }
}

/// Operations whose success or error responses have more than one body kind,
/// which progenitor's generator asserts against (`response_types.len() <= 1`).
pub fn response_kinds(doc: &mut Value, report: &mut Report) -> Result<(), NormalizeError> {
    let snapshot = doc.clone();
    let mut problem = None;
    let log = report.rule(
        "mixed-response-bodies",
        "progenitor allows one body kind among an operation's success responses and one among \
         its error responses, and panics otherwise. A bodyless success status beside a JSON one \
         (`200` rules, `204` none) becomes one `2XX` response whose schema is nullable: the SDK \
         presents an empty `204` as JSON `null`, so the method returns `None` for it. A bodyless \
         error status beside typed ones is removed: the SDK still returns it as an error with \
         its status, just without a parsed body.",
    );
    walk::operations(doc, |path, method, op| {
        let name = walk::op_name(path, method, op);
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let is_success = |s: &str| s.starts_with('2') || s == "default";
        for success in [true, false] {
            let codes: Vec<String> = responses.keys().filter(|s| is_success(s) == success).cloned().collect();
            let kinds: BTreeSet<String> = codes.iter().map(|c| response_kind(&snapshot, &responses[c])).collect();
            if kinds.len() < 2 {
                continue;
            }
            let typed: Vec<&String> = kinds.iter().filter(|k| *k != "none").collect();
            if typed.len() != 1 {
                problem = Some(NormalizeError::MixedResponses { operation: name.clone(), statuses: codes.join(", ") });
                return;
            }
            let bodyless: Vec<String> =
                codes.iter().filter(|c| response_kind(&snapshot, &responses[*c]) == "none").cloned().collect();
            if success {
                let typed_code = codes.iter().find(|c| !bodyless.contains(c)).expect("one typed kind exists").clone();
                let mut merged = responses.remove(&typed_code).expect("listed above");
                if let Some(schema) = merged.pointer_mut("/content/application~1json/schema") {
                    *schema = json!({ "allOf": [schema.take()], "nullable": true });
                }
                let mut descriptions = vec![format!("{typed_code}: {}", merged["description"].as_str().unwrap_or(""))];
                for c in &bodyless {
                    let r = responses.remove(c).expect("listed above");
                    descriptions.push(format!("{c}: {}", r["description"].as_str().unwrap_or("")));
                }
                merged["description"] = Value::String(descriptions.join("; "));
                responses.insert("2XX".into(), merged);
                log.changes.push(format!(
                    "{name}: success {typed_code} (JSON) and {} (no body) merged into nullable 2XX",
                    bodyless.join(", ")
                ));
            } else {
                for c in &bodyless {
                    responses.remove(c);
                }
                log.changes.push(format!(
                    "{name}: bodyless error response(s) {} removed beside typed ones",
                    bodyless.join(", ")
                ));
            }
        }
    });
    problem.map_or(Ok(()), Err)
}

/// `example` values that contradict their own schema's `type` or `enum`.
pub fn example_types(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "example-contradicts-schema",
        "An `example` whose JSON type contradicts the schema's `type` (`pnrId` is a string with \
         example `1234567890`), or that is not among its `enum`. Mock servers serve examples as \
         data, and some (Prism on 3.0) do not flag the contradiction. A number or boolean \
         example of a string schema becomes its string form; a numeric string example of a \
         number schema becomes the number; any other contradiction drops the example.",
    );
    walk::all_schemas(doc, &mut |schema, at| {
        let Some(obj) = schema.as_object_mut() else { return };
        let Some(example) = obj.get("example").cloned() else { return };
        if let Some(Value::Array(values)) = obj.get("enum") {
            if !values.contains(&example) {
                obj.remove("example");
                log.changes.push(format!("{at}: example {example} is not in the enum; dropped"));
            }
            return;
        }
        let Some(ty) = obj.get("type").and_then(Value::as_str) else { return };
        let fixed = match (ty, &example) {
            ("string", Value::String(_))
            | ("integer", Value::Number(_))
            | ("number", Value::Number(_))
            | ("boolean", Value::Bool(_))
            | ("array", Value::Array(_))
            | ("object", Value::Object(_)) => return,
            ("string", Value::Number(n)) => Some(Value::String(n.to_string())),
            ("string", Value::Bool(b)) => Some(Value::String(b.to_string())),
            ("integer" | "number", Value::String(s)) => s.parse::<serde_json::Number>().ok().map(Value::Number),
            ("boolean", Value::String(s)) => s.parse::<bool>().ok().map(Value::Bool),
            _ => None,
        };
        match fixed {
            Some(v) => {
                log.changes.push(format!("{at}: {ty} example {example} is now {v}"));
                obj.insert("example".into(), v);
            }
            None => {
                log.changes.push(format!("{at}: {ty} example {example} dropped"));
                obj.remove("example");
            }
        }
    });
}

/// Whether a parameter schema is a plain string: no format, pattern or enum.
fn plain_string(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && ["format", "pattern", "enum", "$ref"].iter().all(|k| schema.get(k).is_none())
}

fn is_uuid(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema.get("format").and_then(Value::as_str) == Some("uuid")
}

/// A path parameter that is a plain string in some operations and
/// `format: uuid` in all the others that name it (`companyId` of
/// `readCompany` against the 69 other company operations) becomes a UUID
/// everywhere: its setter then takes a `Uuid` or a string that parses as one,
/// as its siblings' do.
pub fn uuid_path_parameters(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "uuid-path-parameters",
        "A path parameter typed as a plain string in some operations and `format: uuid` in every other \
         operation that names it. The generated setters would take a `String` in one place and a `Uuid` \
         in the other for the same id; the plain ones get `format: uuid`, so that every setter of that \
         parameter takes a `Uuid` or a string that parses as one.",
    );
    let mut kinds: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    walk::operations(doc, |_, _, op| {
        for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            if p.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let (Some(name), Some(schema)) = (p.get("name").and_then(Value::as_str), p.get("schema")) else { continue };
            let entry = kinds.entry(name.to_string()).or_default();
            match (is_uuid(schema), plain_string(schema)) {
                (true, _) => entry.0 += 1,
                (_, true) => entry.1 += 1,
                _ => entry.2 += 1,
            }
        }
    });
    let widened: BTreeMap<&String, usize> = kinds
        .iter()
        .filter(|(_, (uuid, plain, other))| *uuid > 0 && *plain > 0 && *other == 0)
        .map(|(n, k)| (n, k.0))
        .collect();
    walk::operations(doc, |_, _, op| {
        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?").to_string();
        for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let Some(uuids) = widened.get(&name) else { continue };
            if p.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let Some(schema) = p.get_mut("schema").filter(|s| plain_string(s)) else { continue };
            schema["format"] = Value::String("uuid".into());
            log.changes
                .push(format!("{id}: path parameter {name} is now `format: uuid`, as in {uuids} other operations"));
        }
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{uuid_path_parameters, Report};

    fn operation(id: &str, name: &str, schema: serde_json::Value) -> serde_json::Value {
        json!({ "operationId": id, "parameters": [{ "name": name, "in": "path", "required": true, "schema": schema }] })
    }

    #[test]
    fn a_plain_string_path_parameter_becomes_a_uuid_where_its_siblings_are() {
        let mut doc = json!({ "paths": {
            "/companies/{companyId}": {
                "get": operation("readCompany", "companyId", json!({ "type": "string" })),
                "put": operation("updateCompany", "companyId", json!({ "type": "string", "format": "uuid" })),
            },
            "/trips/{tripId}": { "get": operation("readTrip", "tripId", json!({ "type": "string" })) },
            "/codes/{code}": {
                "get": operation("readCode", "code", json!({ "type": "string", "pattern": "^[A-Z]+$" })),
                "put": operation("updateCode", "code", json!({ "type": "string", "format": "uuid" })),
            },
        }});
        let mut report = Report::default();
        uuid_path_parameters(&mut doc, &mut report);
        let read = &doc["paths"]["/companies/{companyId}"]["get"]["parameters"][0]["schema"];
        assert_eq!(read, &json!({ "type": "string", "format": "uuid" }));
        let trip = &doc["paths"]["/trips/{tripId}"]["get"]["parameters"][0]["schema"];
        assert_eq!(trip, &json!({ "type": "string" }), "no sibling types tripId as a UUID");
        let code = &doc["paths"]["/codes/{code}"]["get"]["parameters"][0]["schema"];
        assert!(code.get("format").is_none(), "a pattern says something else than a UUID");
        let log = report.rules.iter().find(|r| r.id == "uuid-path-parameters").expect("the rule is logged");
        assert_eq!(log.changes.len(), 1, "{:?}", log.changes);
        assert!(log.changes[0].starts_with("readCompany: path parameter companyId"), "{}", log.changes[0]);
    }
}
