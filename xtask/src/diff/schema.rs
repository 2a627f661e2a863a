//! Comparing schemas: type, enum values, properties and `required`, recursively.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::ChangeKind;

pub(super) fn is_true(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// `value[key]` if it is an object.
pub(super) fn object<'a>(value: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    value.get(key).and_then(Value::as_object)
}

/// A schema's own type, without what its children say: `Company`, `string(date)`,
/// `array`, `object`, `map`, `oneOf(A, B)`, each with ` | null` when nullable.
fn signature(schema: &Value) -> String {
    let Some(s) = schema.as_object() else {
        return match schema {
            Value::Null => "none".into(),
            Value::Bool(true) => "any".into(),
            other => other.to_string(),
        };
    };
    let base = if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        r.rsplit('/').next().unwrap_or(r).to_string()
    } else if let (Some([only]), None, None) =
        (s.get("allOf").and_then(Value::as_array).map(Vec::as_slice), s.get("type"), s.get("properties"))
    {
        signature(only)
    } else if let Some((key, members)) =
        ["oneOf", "anyOf", "allOf"].iter().find_map(|k| s.get(*k).and_then(Value::as_array).map(|m| (k, m)))
    {
        let members: Vec<String> = members.iter().map(signature).collect();
        format!("{key}({})", members.join(", "))
    } else {
        let ty = match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts.iter().map(|t| t.as_str().unwrap_or("?")).collect::<Vec<_>>().join(" | "),
            _ if s.contains_key("properties") || s.contains_key("additionalProperties") => "object".into(),
            _ => "any".into(),
        };
        let map = ty == "object"
            && s.get("properties").is_none()
            && s.get("additionalProperties").is_some_and(Value::is_object);
        match s.get("format").and_then(Value::as_str) {
            _ if map => "map".into(),
            Some(f) => format!("{ty}({f})"),
            None => ty,
        }
    };
    if is_true(schema, "nullable") {
        format!("{base} | null")
    } else {
        base
    }
}

fn enum_values(schema: &Value) -> Vec<String> {
    let values = schema.get("enum").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    values.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect()
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

/// Compares two schemas at `at`, descending into properties, items, map values and
/// inline members of `allOf`/`oneOf`/`anyOf`. A changed type stops the descent.
pub(super) fn compare_schema(old: &Value, new: &Value, at: &str, out: &mut Vec<ChangeKind>) {
    use ChangeKind::*;
    let (from, to) = (signature(old), signature(new));
    if from != to {
        out.push(TypeChanged { at: at.into(), from, to });
        return;
    }
    let (old_values, new_values) = (enum_values(old), enum_values(new));
    for value in old_values.iter().filter(|v| !new_values.contains(v)) {
        out.push(EnumValueRemoved { at: at.into(), value: value.clone() });
    }
    for value in new_values.iter().filter(|v| !old_values.contains(v)) {
        out.push(EnumValueAdded { at: at.into(), value: value.clone() });
    }
    let (old_props, new_props) = (object(old, "properties"), object(new, "properties"));
    let (old_required, new_required) = (required(old), required(new));
    for (name, o) in old_props.into_iter().flatten() {
        let here = format!("{at}.{name}");
        let Some(n) = new_props.and_then(|p| p.get(name)) else {
            out.push(PropertyRemoved { at: here });
            continue;
        };
        let now = new_required.contains(name.as_str());
        if old_required.contains(name.as_str()) != now {
            out.push(PropertyRequired { at: here.clone(), required: now });
        }
        compare_schema(o, n, &here, out);
    }
    let is_old = |name: &String| old_props.is_some_and(|p| p.contains_key(name));
    for name in new_props.into_iter().flat_map(Map::keys).filter(|n| !is_old(n)) {
        out.push(PropertyAdded { at: format!("{at}.{name}"), required: new_required.contains(name.as_str()) });
    }
    for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
        if let (Some(o @ Value::Object(_)), Some(n @ Value::Object(_))) = (old.get(key), new.get(key)) {
            compare_schema(o, n, &format!("{at}{suffix}"), out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let (Some(Value::Array(o)), Some(Value::Array(n))) = (old.get(key), new.get(key)) {
            for (i, (o, n)) in o.iter().zip(n).enumerate() {
                compare_schema(o, n, &format!("{at}/{key}[{i}]"), out);
            }
        }
    }
}
