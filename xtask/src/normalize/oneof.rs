//! `oneOf` unions that no JSON value can satisfy as published, made into one
//! object that can be sent so that exactly one branch matches.
//!
//! Spotnana models protobuf `oneof`s as a `oneOf` of wrapper objects, each with
//! one optional property (`CurrencyCodeWrapper { currencyCode }` |
//! `IsLinkedWrapper { isLinked }`). No branch requires anything, so every object
//! matches every branch and "exactly one" fails for any request; and typify's
//! untagged enum decodes every answer as the first branch, losing the others.

use serde_json::{json, Map, Value};

use super::report::Report;
use super::NULL_WHEN_UNSET;

/// Extension on a rewritten schema listing the properties of which exactly one
/// is set (non-null). The sandbox reads it to build and check such objects.
pub const EXACTLY_ONE_OF: &str = crate::contract::EXACTLY_ONE_OF_KEY;

/// Follows local `$ref`s to the schema they name.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..32 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => s = doc.pointer(r.trim_start_matches('#')).unwrap_or(&Value::Null),
            None => break,
        }
    }
    s
}

/// Whether no value of `schema` is JSON `null`, so that a `null` fails it.
fn rejects_null(doc: &Value, schema: &Value, depth: usize) -> bool {
    let s = resolve(doc, schema);
    if depth > 16 || s.get("nullable") == Some(&Value::Bool(true)) {
        return false;
    }
    if s.get("type").is_some_and(Value::is_string) {
        return true;
    }
    if let Some(Value::Array(values)) = s.get("enum") {
        return !values.contains(&Value::Null);
    }
    if let Some(Value::Array(parts)) = s.get("allOf") {
        return parts.iter().any(|p| rejects_null(doc, p, depth + 1));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = s.get(key) {
            return !parts.is_empty() && parts.iter().all(|p| rejects_null(doc, p, depth + 1));
        }
    }
    false
}

/// The properties of a branch that requires nothing and admits other properties.
fn optional_only(branch: &Value) -> Option<&Map<String, Value>> {
    let obj = branch.as_object()?;
    let composed = ["allOf", "oneOf", "anyOf", "discriminator"].iter().any(|k| obj.contains_key(*k));
    let requires = obj.get("required").and_then(Value::as_array).is_some_and(|r| !r.is_empty());
    let closed = obj.get("additionalProperties") == Some(&Value::Bool(false));
    let object = obj.get("type").is_none_or(|t| t == "object");
    let props = obj.get("properties")?.as_object()?;
    (!composed && !requires && !closed && object && !props.is_empty()).then_some(props)
}

/// The rewritten schema for `schema`, when its `oneOf` is of that shape.
fn rewrite(doc: &Value, schema: &Value) -> Option<(Value, Vec<String>)> {
    let obj = schema.as_object()?;
    let branches = obj.get("oneOf")?.as_array()?;
    let beside = ["properties", "allOf", "anyOf", "discriminator", "required"];
    if branches.len() < 2 || beside.iter().any(|k| obj.contains_key(*k)) {
        return None;
    }
    let mut props = Map::new();
    for branch in branches {
        for (name, prop) in optional_only(resolve(doc, branch))? {
            if props.contains_key(name) || !rejects_null(doc, prop, 0) {
                return None;
            }
            let nullable = match prop.get("$ref") {
                Some(_) => json!({ "nullable": true, "allOf": [prop] }),
                None => {
                    let mut p = prop.clone();
                    p["nullable"] = Value::Bool(true);
                    p
                }
            };
            props.insert(name.clone(), nullable);
        }
    }
    let names: Vec<String> = props.keys().cloned().collect();
    let mut out = Map::new();
    for key in ["title", "description", "deprecated"] {
        if let Some(v) = obj.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let note = format!(
        "Set exactly one of {}; the SDK sends the others as `null`, so that exactly one branch of \
         Spotnana's `oneOf` matches.",
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    );
    let description = match obj.get("description").and_then(Value::as_str) {
        Some(d) => format!("{}\n\n{note}", d.trim_end()),
        None => note,
    };
    out.insert("description".into(), Value::String(description));
    out.insert("type".into(), json!("object"));
    out.insert("required".into(), json!(names));
    out.insert("properties".into(), Value::Object(props));
    out.insert(EXACTLY_ONE_OF.into(), json!(names));
    out.insert(NULL_WHEN_UNSET.into(), json!(names));
    Some((Value::Object(out), names))
}

/// Rewrites every `oneOf` of optional-only, disjoint, null-rejecting object
/// branches into one object whose properties are all required and nullable.
pub fn indistinct_branches(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "indistinct-one-of",
        "A `oneOf` whose branches are objects that require nothing (Spotnana's protobuf `oneof` \
         wrappers such as `CurrencyCodeWrapper | IsLinkedWrapper`) is matched by every object \
         on every branch, so no request satisfies \"exactly one\", and typify's untagged enum \
         decodes every answer as its first branch. When the branches' (of a component schema) properties are disjoint \
         and none admits `null`, the union becomes one object holding all of them, each \
         required and nullable: the SDK sends the unset ones as `null`, which fails their \
         branches, so exactly one branch matches; answers decode field by field with nothing \
         lost, an absent property as `None`. The extensions `x-spotnana-exactly-one-of` and \
         `x-spotnana-null-when-unset` list the properties for the sandbox and `build.rs`.",
    );
    let snapshot = doc.clone();
    // Component schemas only: `build.rs` finds their generated structs by name.
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        if let Some((rewritten, names)) = rewrite(&snapshot, schema) {
            log.changes.push(format!("{name}: one of {}", names.join(", ")));
            *schema = rewritten;
        }
    }
}

/// Rule `discriminator-tags`: the branch a discriminator value names fixes
/// its tag. Spotnana maps each value of a `oneOf`'s discriminator to a
/// component schema (`searchType: AIRPORT` → `AirportSearch`) but types the
/// tag in that schema as any string, which leaves the user to spell the
/// value. The tag property gets that value as its default, says so in its
/// description, and stops being required: the SDK fills it in (a builder
/// starts there, serialising always writes it). A one-value enum would say
/// it in the type, at the cost of a generated enum per tag (21,000 lines for
/// the 68 tags). A schema that two mappings
/// give different values is left alone and listed.
pub fn discriminator_tags(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "discriminator-tags",
        "A discriminator mapping names the tag value of each branch, but the branch schema types the tag as any \
         string. The tag defaults to that value, says so in its description, and is no longer required, so the SDK \
         fills it in.",
    );
    let mut tags: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    collect_mappings(doc, &mut tags);
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else { return };
    for (name, wanted) in tags {
        let mut values: Vec<&(String, String)> = wanted.iter().collect();
        values.dedup();
        let [(property, value)] = values.as_slice() else {
            log.changes.push(format!("{name}: left alone, mapped as {values:?}"));
            continue;
        };
        let Some(schema) = schemas.get_mut(&name) else { continue };
        let Some(tag) = schema.pointer_mut(&format!("/properties/{property}")) else { continue };
        let plain_string = tag.get("type") == Some(&Value::from("string")) && tag.get("enum").is_none();
        if !plain_string {
            continue;
        }
        tag["default"] = Value::from(value.clone());
        let said = tag.get("description").and_then(Value::as_str).map(|d| format!("{d} ")).unwrap_or_default();
        tag["description"] = Value::from(format!("{said}Always `{value}` for this type; the SDK fills it in."));
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|r| r.as_str() != Some(property.as_str()));
        }
        log.changes.push(format!("{name}.{property} = {value}"));
    }
}

/// Every discriminator mapping in `value`: component name → (tag property, value).
fn collect_mappings(value: &Value, out: &mut std::collections::BTreeMap<String, Vec<(String, String)>>) {
    match value {
        Value::Object(map) => {
            if let Some(discriminator) = map.get("discriminator") {
                let property = discriminator.get("propertyName").and_then(Value::as_str);
                let mapping = discriminator.get("mapping").and_then(Value::as_object);
                if let (Some(property), Some(mapping)) = (property, mapping) {
                    for (tag, target) in mapping {
                        if let Some(name) = target.as_str().and_then(|t| t.strip_prefix("#/components/schemas/")) {
                            out.entry(name.to_string()).or_default().push((property.to_string(), tag.clone()));
                        }
                    }
                }
            }
            map.values().for_each(|v| collect_mappings(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_mappings(v, out)),
        _ => {}
    }
}
