//! Marking the string properties that hold secrets as `format: password`.
//!
//! Which properties hold secrets is decided by `src/secret_fields.rs`, the
//! SDK's own rule, included here by path so that the normaliser and the SDK
//! cannot disagree. This module only finds the properties and rewrites them
//! into the one shape the generator maps to `spotnana::Secret`.

use serde_json::{Map, Value};

use super::report::Report;
use super::walk;

#[path = "../../../src/secret_fields.rs"]
pub(super) mod secret_fields;

/// The keys a secret property keeps besides `type` and `format`: metadata,
/// which the generator ignores when it compares a schema with
/// `{"type": "string", "format": "password"}`, and `nullable`, which makes the
/// field optional rather than another type.
const KEPT: [&str; 8] =
    ["description", "title", "example", "deprecated", "default", "readOnly", "writeOnly", "nullable"];

/// Marks every secret string property of every object schema (component,
/// inline, request or response) as `format: password`, dropping the keys that
/// would keep the generator from mapping it to `spotnana::Secret`.
pub fn mark(doc: &mut Value, report: &mut Report) {
    let log = report.rule(
        "secret-fields",
        "Credentials and card data must never appear in `Debug` output or logs. A string property (no `enum`) that \
         already has `format: password`, or that the shape rule in `src/secret_fields.rs` selects by the words of its \
         name (`clientSecret`, `cvv`, `access_token`, but not `nextPageToken`; `number` only beside a `cvv` or \
         `expiry`), becomes exactly `{\"type\": \"string\", \"format\": \"password\"}` plus its metadata and `nullable`: \
         any other key (`x-*` extensions, `pattern`, `minLength`, `maxLength`) is dropped, since the generator \
         compares the schema with that shape. `build.rs` maps it to `spotnana::Secret`, whose `Debug` prints \
         `[redacted]` and which serialises the real value. The same rule is what the SDK uses to blank fields in the \
         bodies it quotes in errors.",
    );
    walk::all_schemas(doc, &mut |schema, at| {
        let Some(Value::Object(properties)) = schema.get_mut("properties") else { return };
        for name in secret_names(properties) {
            if let Some(Value::Object(property)) = properties.get_mut(&name) {
                log.changes.push(describe(&format!("{at}.{name}"), &redact(property)));
            }
        }
    });
}

/// The names of an object's properties that are secrets: plain strings that
/// already say `format: password` or that the SDK's rule selects.
fn secret_names(properties: &Map<String, Value>) -> Vec<String> {
    properties
        .iter()
        .filter(|(name, property)| {
            is_plain_string(property)
                && (property["format"] == "password"
                    || secret_fields::is_secret(name, |sibling| properties.contains_key(sibling)))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether a schema is a string with no fixed set of values; an enum is a
/// kind, never a secret, and `Secret` could not hold its variants.
fn is_plain_string(schema: &Value) -> bool {
    schema["type"] == "string" && schema.get("enum").is_none() && schema.get("const").is_none()
}

/// What [`redact`] did to one property.
struct Redaction {
    /// The property had `format: password` before.
    already: bool,
    /// The `format` it had instead, if any.
    replaced_format: Option<String>,
    /// The keys dropped, in the order the property had them.
    dropped: Vec<String>,
    /// The property stays nullable.
    nullable: bool,
}

/// Rewrites a plain string property into `format: password`, keeping only
/// `type`, `format` and the [`KEPT`] keys.
fn redact(property: &mut Map<String, Value>) -> Redaction {
    let format = property.get("format").and_then(Value::as_str).map(str::to_string);
    let already = format.as_deref() == Some("password");
    let dropped: Vec<String> = property
        .keys()
        .filter(|key| !matches!(key.as_str(), "type" | "format") && !KEPT.contains(&key.as_str()))
        .cloned()
        .collect();
    property.retain(|key, _| !dropped.contains(key));
    property.insert("format".into(), Value::String("password".into()));
    Redaction {
        already,
        replaced_format: format.filter(|_| !already),
        dropped,
        nullable: property.get("nullable") == Some(&Value::Bool(true)),
    }
}

/// One line of the report: where the property is, and what besides gaining
/// `format: password` happened to it.
fn describe(at: &str, done: &Redaction) -> String {
    let mut notes = Vec::new();
    if done.already {
        notes.push("already `format: password`".to_string());
    }
    if let Some(format) = &done.replaced_format {
        notes.push(format!("replaces `format: {format}`"));
    }
    if !done.dropped.is_empty() {
        notes.push(format!("dropped `{}`", done.dropped.join("`, `")));
    }
    if done.nullable {
        notes.push("stays nullable".to_string());
    }
    if notes.is_empty() {
        at.to_string()
    } else {
        format!("{at} ({})", notes.join("; "))
    }
}
