//! Type names: keeping typify's generated names unique.
//!
//! typify names a component schema after its key in PascalCase, and an inline
//! schema that needs its own type after where it sits: property `type` of `Card`
//! becomes `CardType`, the items of array property `tags` of `Trip` become
//! `TripTagsItem`, and progenitor names inline bodies `{OperationId}Body` and
//! responses `{OperationId}Response`; an inline schema's `title`, when it has
//! one, wins over all of these. When such a name is already a component's,
//! typify emits two types with one name and the crate does not compile.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::report::{Report, RuleLog};
use super::walk::{self, pascal};

/// Hoists inline schemas whose typify name is taken into uniquely named components.
pub fn typify_collisions(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "typify-name-collisions",
        "An inline schema that typify turns into its own type (enum, object with properties, \
         `oneOf`/`anyOf`, constrained string) gets a name built from its parent and property \
         (`Card.type` is `CardType`), or from its `title` when it has one. When that name is already taken by a component or by \
         another inline type, the inline schema moves into `components/schemas` under the same \
         name plus `Enum`, `Object` or `Inline` (numbered if that is taken too), and the \
         property refers to it.",
    );
    let mut taken: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().map(|k| pascal(k)).collect())
        .unwrap_or_default();
    let mut hoisted: Vec<(String, Value)> = Vec::new();

    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            children(schema, &pascal(name), &mut taken, &mut hoisted, log);
        }
    }
    walk::operations(doc, |path, method, op| {
        let op_type = pascal(&walk::op_name(path, method, op));
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            for p in params.iter_mut() {
                let pname = pascal(p["name"].as_str().unwrap_or_default());
                if let Some(s) = p.get_mut("schema") {
                    place(s, format!("{op_type}{pname}"), &mut taken, &mut hoisted, log);
                }
            }
        }
        if let Some(Value::Object(content)) = op.pointer_mut("/requestBody/content") {
            for media in content.values_mut() {
                if let Some(s) = media.get_mut("schema") {
                    place(s, format!("{op_type}Body"), &mut taken, &mut hoisted, log);
                }
            }
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for resp in responses.values_mut() {
                if let Some(Value::Object(content)) = resp.get_mut("content") {
                    for media in content.values_mut() {
                        if let Some(s) = media.get_mut("schema") {
                            place(s, format!("{op_type}Response"), &mut taken, &mut hoisted, log);
                        }
                    }
                }
            }
        }
    });

    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        schemas.extend(hoisted);
    }
}

/// Whether typify gives this schema a named type of its own.
fn is_named(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    if obj.contains_key("$ref") {
        return false;
    }
    let has = |k: &str| obj.contains_key(k);
    let props = obj.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    let all_of = obj.get("allOf").and_then(Value::as_array).is_some_and(|a| a.len() > 1);
    let constrained_string =
        obj.get("type") == Some(&json!("string")) && (has("pattern") || has("minLength") || has("maxLength"));
    has("enum") || props || has("oneOf") || has("anyOf") || all_of || constrained_string
}

/// Names the schema at this position `candidate` if it becomes a type, hoisting it
/// when the name is taken; then descends with the name it ends up with.
fn place(
    schema: &mut Value,
    candidate: String,
    taken: &mut BTreeSet<String>,
    hoisted: &mut Vec<(String, Value)>,
    log: &mut RuleLog,
) {
    if !is_named(schema) {
        // Arrays, maps and one-element `allOf` wrappers pass their name down.
        children(schema, &candidate, taken, hoisted, log);
        return;
    }
    // typify prefers an inline schema's `title` to the name built from its place.
    let place_name = candidate.clone();
    let candidate = match schema.get("title").and_then(Value::as_str) {
        Some(title) if !title.is_empty() => pascal(title),
        _ => candidate,
    };
    if taken.insert(candidate.clone()) {
        children(schema, &candidate, taken, hoisted, log);
        return;
    }
    let suffix = if schema.get("enum").is_some() {
        "Enum"
    } else if schema.get("properties").is_some() {
        "Object"
    } else {
        "Inline"
    };
    let base = format!("{candidate}{suffix}");
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}{n}");
        n += 1;
    }
    let mut moved = std::mem::replace(schema, json!({ "$ref": format!("#/components/schemas/{name}") }));
    let titled = if place_name == candidate { String::new() } else { format!(" (its title; at {place_name})") };
    log.changes.push(format!("`{candidate}`{titled} is taken: the inline schema is now component `{name}`"));
    children(&mut moved, &name, taken, hoisted, log);
    hoisted.push((name, moved));
}

/// Visits the inline sub-schemas of a schema named `name`.
fn children(
    schema: &mut Value,
    name: &str,
    taken: &mut BTreeSet<String>,
    hoisted: &mut Vec<(String, Value)>,
    log: &mut RuleLog,
) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        let props: &mut Map<String, Value> = props;
        for (prop, child) in props.iter_mut() {
            place(child, format!("{name}{}", pascal(prop)), taken, hoisted, log);
        }
    }
    if let Some(child @ Value::Object(_)) = obj.get_mut("items") {
        place(child, format!("{name}Item"), taken, hoisted, log);
    }
    if let Some(child @ Value::Object(_)) = obj.get_mut("additionalProperties") {
        place(child, format!("{name}Value"), taken, hoisted, log);
    }
    if let Some(Value::Array(list)) = obj.get_mut("allOf") {
        if list.len() == 1 {
            place(&mut list[0], name.to_string(), taken, hoisted, log);
        }
    }
}
