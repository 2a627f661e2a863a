//! Valid JSON instances of the spec's schemas, minimal or full-size.
//!
//! A minimal instance has required properties only, the first enum value, the
//! first `oneOf` branch with its discriminator set, values inside numeric and
//! length bounds, well-formed `format`s, and the schema's own `example` for
//! strings where it gives one.
//!
//! A full-size instance ([`Fill::Full`]) sets every property, gives arrays at
//! least two items and maps two entries, and picks the `turn`-th branch of each
//! `oneOf` and the `turn`-th value of each enum, so that successive turns go
//! through all of them. A schema met again inside itself (`Money.otherCoinage`)
//! is filled minimally from there on, which bounds the recursion.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde_json::{json, Map, Value};

/// Extension on a schema whose listed properties are set one at a time; the
/// normaliser's `indistinct-one-of` rule writes it.
pub(crate) const EXACTLY_ONE_OF: &str = crate::contract::EXACTLY_ONE_OF_KEY;

/// Keys any one of which gives a schema a shape; a nullable schema with none
/// of them (a name Spotnana requires but never declares) is synthesised as `null`.
const UNTYPED: [&str; 7] = ["type", "properties", "allOf", "oneOf", "anyOf", "enum", "$ref"];

/// The value of every secret field (`format: password`) in a synthesised
/// answer: no `Debug` or log line may show it.
pub const SECRET_VALUE: &str = "sbx-secret-4111111111111111";

/// How much of a schema an instance fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Required properties only.
    Minimal,
    /// Every property; `turn` picks the union branch and enum value.
    Full { turn: usize },
}

/// Below this depth a full-size instance is filled minimally, as below a
/// recurring schema: deep enough for every model's own properties, and
/// short of the depth where minimal instances end in `null`.
const FULL_DEPTH: usize = 16;

/// Items in a full-size array (more when `minItems` asks).
const FULL_ITEMS: u64 = 2;

/// Builds instances of schemas, resolving `#/components/...` references
/// against the whole document.
pub(crate) struct Synth<'a> {
    doc: &'a Value,
    fill: Fill,
    /// Whether the current subtree is filled in full: off below a schema that
    /// recurs, so that recursion ends.
    full: Cell<bool>,
    /// The `$ref`s on the path from the root to the current schema.
    path: RefCell<Vec<&'a str>>,
    /// Full-size instances already built, by `$ref`: a schema reached from
    /// many places (an airport, a money amount) is built once per instance.
    built: RefCell<HashMap<&'a str, Value>>,
}

impl<'a> Synth<'a> {
    pub(crate) fn new(doc: &'a Value, fill: Fill) -> Self {
        Self {
            doc,
            fill,
            full: Cell::new(fill != Fill::Minimal),
            path: RefCell::new(Vec::new()),
            built: RefCell::new(HashMap::new()),
        }
    }

    /// The branch or value index for a choice among `n`.
    fn pick(&self, n: usize) -> usize {
        match self.fill {
            Fill::Full { turn } if self.full.get() && n > 0 => turn % n,
            _ => 0,
        }
    }

    /// Follows `$ref`s to the schema they name.
    pub(crate) fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..32 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => s = self.doc.pointer(r.trim_start_matches('#')).unwrap_or(&Value::Null),
                None => break,
            }
        }
        s
    }

    /// `schema` through its `$ref`s and single-part `allOf`s
    /// (`{"allOf": [{"$ref": ...}], "description": ...}`).
    pub(crate) fn unwrap(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..16 {
            schema = self.resolve(schema);
            match schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
                Some([only]) => schema = only,
                _ => break,
            }
        }
        schema
    }

    /// An instance of `schema`.
    pub(crate) fn instance(&self, schema: &'a Value) -> Value {
        self.value(schema, 0)
    }

    fn value(&self, schema: &'a Value, depth: usize) -> Value {
        if depth > 24 {
            return Value::Null;
        }
        let was_full = self.full.get();
        if depth >= FULL_DEPTH {
            self.full.set(false);
        }
        let Some(name) = schema.get("$ref").and_then(Value::as_str) else {
            let v = self.shape(schema, depth);
            self.full.set(was_full);
            return v;
        };
        if self.path.borrow().contains(&name) {
            self.full.set(false);
        }
        let memo = self.full.get();
        if let Some(v) = self.built.borrow().get(name).filter(|_| memo) {
            return v.clone();
        }
        self.path.borrow_mut().push(name);
        let v = self.shape(schema, depth);
        self.path.borrow_mut().pop();
        self.full.set(was_full);
        if memo {
            self.built.borrow_mut().insert(name, v.clone());
        }
        v
    }

    fn shape(&self, schema: &'a Value, depth: usize) -> Value {
        let s = self.resolve(schema);
        if let Some(Value::Array(names)) = s.get(EXACTLY_ONE_OF) {
            // One member set, the others sent as `null`, as the SDK sends them.
            let props = &s["properties"];
            let mut out = Map::new();
            let chosen = self.pick(names.len());
            for (i, name) in names.iter().filter_map(Value::as_str).enumerate() {
                let v = if i == chosen { self.value(&props[name], depth + 1) } else { Value::Null };
                out.insert(name.to_string(), v);
            }
            return Value::Object(out);
        }
        if s.get("nullable") == Some(&Value::Bool(true)) && UNTYPED.iter().all(|k| s.get(*k).is_none()) {
            return Value::Null;
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            return values.get(self.pick(values.len())).cloned().unwrap_or(Value::Null);
        }
        if let Some(Value::Array(parts)) = s.get("allOf") {
            let mut merged = Map::new();
            let mut other = None;
            for part in parts {
                match self.value(part, depth + 1) {
                    Value::Object(m) => merged.extend(m),
                    v => other = Some(v),
                }
            }
            if let Some(Value::Object(own)) = self.object(s, depth) {
                merged.extend(own);
            }
            return if merged.is_empty() { other.unwrap_or(Value::Object(merged)) } else { Value::Object(merged) };
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(options)) = s.get(key) {
                let chosen = match self.pick(options.len()) {
                    0 => self.distinct_branch(options, depth),
                    i => options.get(i),
                };
                let Some(first) = chosen else { return Value::Null };
                let mut v = self.value(first, depth + 1);
                // An empty object would match every branch that requires nothing;
                // give it the branch's first property so it names its branch.
                if let (Value::Object(m), Some((name, prop))) = (&mut v, self.first_property(first)) {
                    if m.is_empty() {
                        m.insert(name.clone(), self.value(prop, depth + 1));
                    }
                }
                if let (Some(prop), Value::Object(m)) =
                    (s.pointer("/discriminator/propertyName").and_then(Value::as_str), &mut v)
                {
                    let target = first.get("$ref").and_then(Value::as_str).unwrap_or("");
                    let tag = s
                        .pointer("/discriminator/mapping")
                        .and_then(Value::as_object)
                        .and_then(|map| map.iter().find(|(_, v)| v.as_str() == Some(target)).map(|(k, _)| k.clone()))
                        .unwrap_or_else(|| target.rsplit('/').next().unwrap_or("").to_string());
                    m.insert(prop.to_string(), Value::String(tag));
                }
                // Properties beside `oneOf` apply to every branch.
                if let (Some(Value::Object(own)), Value::Object(m)) = (self.object(s, depth), &mut v) {
                    for (k, val) in own {
                        m.entry(k).or_insert(val);
                    }
                }
                return v;
            }
        }
        // A schema with `items` and no `type` is an array, as typify reads it.
        let kind = s.get("type").and_then(Value::as_str).or_else(|| s.get("items").map(|_| "array"));
        match kind {
            Some("object") | None if s.get("properties").is_some() => self.object(s, depth).unwrap_or(json!({})),
            Some("object") => match s.get("additionalProperties").filter(|a| a.is_object()) {
                Some(values) if self.full.get() => (1..=FULL_ITEMS)
                    .map(|i| (format!("key{i}"), self.value(values, depth + 1)))
                    .collect::<Map<_, _>>()
                    .into(),
                _ => json!({}),
            },
            Some("array") => {
                let mut min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0);
                if self.full.get() {
                    let max = s.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
                    min = min.max(FULL_ITEMS.min(max));
                }
                match s.get("items") {
                    Some(items) if min > 0 => Value::Array((0..min).map(|_| self.value(items, depth + 1)).collect()),
                    _ => json!([]),
                }
            }
            Some("string") => string(s),
            Some("integer") => json!(number(s).round() as i64),
            Some("number") => json!(number(s)),
            Some("boolean") => json!(self.full.get()),
            _ => json!({}),
        }
    }

    /// The first branch whose minimal instance lacks a property that every
    /// other branch requires, so that it matches exactly one branch; else the first.
    fn distinct_branch(&self, options: &'a [Value], depth: usize) -> Option<&'a Value> {
        let required = |b: &'a Value| -> Vec<&'a str> {
            self.resolve(b)["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
        };
        options
            .iter()
            .enumerate()
            .find(|(i, branch)| {
                let instance = self.value(branch, depth + 1);
                options.iter().enumerate().filter(|(j, _)| j != i).all(|(_, other)| {
                    let needs = required(other);
                    !needs.is_empty() && needs.iter().any(|k| instance.get(*k).is_none())
                })
            })
            .map(|(_, b)| b)
            .or_else(|| options.first())
    }

    fn first_property(&self, schema: &'a Value) -> Option<(&'a String, &'a Value)> {
        self.resolve(schema).get("properties")?.as_object()?.iter().next()
    }

    fn object(&self, s: &'a Value, depth: usize) -> Option<Value> {
        let props = s.get("properties")?.as_object()?;
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        for (name, prop) in props {
            if self.full.get() || required.contains(&name.as_str()) {
                out.insert(name.clone(), self.value(prop, depth + 1));
            }
        }
        Some(Value::Object(out))
    }
}

fn number(s: &Value) -> f64 {
    let min = s.get("minimum").and_then(Value::as_f64);
    let max = s.get("maximum").and_then(Value::as_f64);
    let v = min.map_or(1.0, |m| m.max(1.0));
    max.map_or(v, |m| v.min(m))
}

fn string(s: &Value) -> Value {
    let example = s.get("example").and_then(Value::as_str);
    let v = match s.get("format").and_then(Value::as_str) {
        Some("uuid") => "4974a66b-7493-4f41-908c-58ba81093947".to_string(),
        Some("date-time") => "2026-01-15T10:30:00Z".to_string(),
        Some("date") => "2026-01-15".to_string(),
        Some("byte") => "AAAA".to_string(),
        Some("email") => "traveler@example.com".to_string(),
        // Secret fields (the normaliser's `secret-fields` rule): a value
        // that says what it is, so that a test can tell it never leaks.
        Some("password") => SECRET_VALUE.to_string(),
        _ => example.unwrap_or("x").to_string(),
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = s.get("maxLength").and_then(Value::as_u64).map(|m| m as usize);
    let mut v = if v.len() < min { v.clone() + &"x".repeat(min - v.len()) } else { v };
    if let Some(max) = max {
        v.truncate(max.max(min));
    }
    Value::String(v)
}
