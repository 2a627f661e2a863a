//! An independent judge of response validity: the `jsonschema` crate
//! (Draft 2020-12) checks a body against the schema that an OpenAPI document
//! gives for one operation and status, with `$ref`s resolved inside that
//! document.
//!
//! OpenAPI's own meaning is kept where JSON Schema differs: a 3.0 `nullable`
//! admits `null`, and the `int32`/`int64` formats bound an integer. Formats
//! JSON Schema knows (`date-time`, `email`, `uuid`, ...) are asserted.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jsonschema::{Registry, Validator};
use serde_json::{json, Value};

/// What the validator says of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The body matches the schema.
    Valid,
    /// The body breaks the schema; each error as `pointer: message`, and a
    /// cause that groups it (the failing keyword and the property it is under).
    Invalid { cause: String, errors: Vec<String> },
    /// The body is not JSON, or the document gives no JSON schema for it.
    Unjudged(String),
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid)
    }
}

struct Document {
    uri: String,
    value: Value,
    registry: Registry<'static>,
}

/// Validators for the responses of a set of OpenAPI documents.
pub struct Judge {
    documents: HashMap<String, Document>,
    compiled: HashMap<String, Arc<Validator>>,
}

impl Judge {
    /// A judge for these documents, each known by its file stem.
    pub fn new(files: &[&Path]) -> Judge {
        let mut documents = HashMap::new();
        for file in files {
            let stem = file.file_stem().expect("a file name").to_string_lossy().into_owned();
            let text = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let mut value: Value = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            to_json_schema(&mut value);
            let document = Document::new(&format!("urn:spotnana:{stem}"), value);
            documents.insert(stem, document);
        }
        Judge { documents, compiled: HashMap::new() }
    }

    /// Judges `body`, the answer with `status` to `method path` (the path as
    /// the document spells it) in document `doc`.
    pub fn verdict(&mut self, doc: &str, method: &str, path: &str, status: u16, body: &[u8]) -> Verdict {
        let Some(document) = self.documents.get(doc) else { return Verdict::Unjudged(format!("no document {doc}")) };
        let Some(pointer) = document.response_schema(method, path, status) else {
            return Verdict::Unjudged(format!("{doc} gives no JSON schema for {method} {path} {status}"));
        };
        let key = format!("{}#{}", document.uri, fragment(&pointer));
        let validator = match self.compiled.get(&key) {
            Some(v) => v.clone(),
            None => {
                let built = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .with_registry(&document.registry)
                    .should_validate_formats(true)
                    .build(&json!({ "$ref": key }));
                match built {
                    Ok(v) => self.compiled.entry(key).or_insert(Arc::new(v)).clone(),
                    Err(e) => return Verdict::Unjudged(format!("the schema at {pointer} does not compile: {e}")),
                }
            }
        };
        let Ok(instance) = serde_json::from_slice::<Value>(body) else {
            return Verdict::Unjudged("the body is not JSON".into());
        };
        judge_value(&validator, &instance)
    }
}

fn judge_value(validator: &Validator, instance: &Value) -> Verdict {
    let errors: Vec<_> = validator.iter_errors(instance).collect();
    let Some(first) = errors.first() else { return Verdict::Valid };
    let keyword = first.schema_path().as_str().rsplit('/').next().unwrap_or("?").to_string();
    let under = first
        .instance_path()
        .as_str()
        .rsplit('/')
        .find(|s| !s.is_empty() && s.parse::<usize>().is_err())
        .unwrap_or("(root)")
        .to_string();
    let cause = format!("{keyword} under `{under}`");
    let errors = errors.iter().take(5).map(|e| format!("{}: {e}", e.instance_path().as_str())).collect();
    Verdict::Invalid { cause, errors }
}

impl Document {
    fn new(uri: &str, value: Value) -> Document {
        let registry = Registry::new()
            .draft(jsonschema::Draft::Draft202012)
            .add(uri, value.clone())
            .and_then(|r| r.prepare())
            .unwrap_or_else(|e| panic!("{uri}: {e}"));
        Document { uri: uri.to_string(), value, registry }
    }

    /// The JSON pointer of the response schema for `status`, falling back to
    /// `2XX` and `default`, through response `$ref`s.
    fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<String> {
        let op = format!("/paths/{}/{}", escape(path), method.to_lowercase());
        let responses = self.value.pointer(&format!("{op}/responses"))?;
        let key = [status.to_string(), format!("{}XX", status / 100), "default".into()]
            .into_iter()
            .find(|k| responses.get(k).is_some())?;
        let mut at = format!("{op}/responses/{key}");
        while let Some(target) = self.value.pointer(&at)?.get("$ref").and_then(Value::as_str) {
            at = target.strip_prefix('#')?.to_string();
        }
        let content = self.value.pointer(&format!("{at}/content"))?.as_object()?;
        let media = content.keys().find(|m| m.contains("json"))?;
        Some(format!("{at}/content/{}/schema", escape(media)))
    }
}

/// A JSON pointer as a URI fragment: `{`, `}` and the like percent-encoded.
fn fragment(pointer: &str) -> String {
    pointer
        .chars()
        .map(|c| match c {
            'A'..='Z'
            | 'a'..='z'
            | '0'..='9'
            | '/'
            | '~'
            | '-'
            | '.'
            | '_'
            | '!'
            | '$'
            | '&'
            | '\''
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | ';'
            | '='
            | ':'
            | '@' => c.to_string(),
            c => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
        })
        .collect()
}

/// Escapes a JSON-pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Gives OpenAPI's meaning to keywords that JSON Schema 2020-12 reads
/// differently: 3.0's `nullable: true` admits `null`, and the `int32`/`int64`
/// formats bound integers.
pub fn to_json_schema(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        Value::Object(map) => {
            map.values_mut().for_each(to_json_schema);
            let (bounds, integer) = match map.get("format").and_then(Value::as_str) {
                Some("int32") => ((i64::from(i32::MIN), i64::from(i32::MAX)), true),
                Some("int64") => ((i64::MIN, i64::MAX), true),
                _ => ((0, 0), false),
            };
            if integer && map.get("type").and_then(Value::as_str) == Some("integer") {
                map.entry("minimum").or_insert(json!(bounds.0));
                map.entry("maximum").or_insert(json!(bounds.1));
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = std::mem::take(t);
                        map.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(values)) = map.get_mut("enum") {
                            values.push(Value::Null);
                        }
                    }
                    _ => {
                        let schema = std::mem::take(map);
                        map.insert("anyOf".into(), json!([Value::Object(schema), { "type": "null" }]));
                    }
                }
            }
        }
        _ => {}
    }
}

/// The JSON pointer of the value that byte `offset` of `body` falls in (where
/// a decoder stopped), found by scanning the JSON text up to it.
pub fn pointer_at(body: &[u8], offset: usize) -> String {
    // Each open container: its path segment so far, and whether it is an object.
    let mut stack: Vec<(Option<String>, bool, usize)> = Vec::new();
    let mut key: Option<String> = None;
    let mut i = 0;
    let end = offset.min(body.len());
    while i < end {
        match body[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < body.len() && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                let text = String::from_utf8_lossy(&body[start..i.min(body.len())]).into_owned();
                // A string directly followed by ':' is a key.
                let mut j = i + 1;
                while j < body.len() && body[j].is_ascii_whitespace() {
                    j += 1;
                }
                if body.get(j) == Some(&b':') && stack.last().is_some_and(|s| s.1) {
                    key = Some(text);
                }
            }
            b'{' | b'[' => {
                let segment = match stack.last() {
                    Some((_, true, _)) => key.take(),
                    Some((_, false, index)) => Some(index.to_string()),
                    None => None,
                };
                stack.push((segment, body[i] == b'{', 0));
            }
            b'}' | b']' => {
                stack.pop();
                key = None;
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.2 += 1;
                }
                key = None;
            }
            _ => {}
        }
        i += 1;
    }
    let mut pointer: String = stack.iter().filter_map(|s| s.0.as_ref()).map(|s| format!("/{}", escape(s))).collect();
    match (stack.last(), key) {
        (Some((_, true, _)), Some(k)) => pointer.push_str(&format!("/{}", escape(&k))),
        (Some((_, false, index)), _) => pointer.push_str(&format!("/{index}")),
        _ => {}
    }
    pointer
}

/// The byte offset that serde_json's "at line L column C" names in `body`.
pub fn offset_of(reason: &str, body: &[u8]) -> Option<usize> {
    let (_, place) = reason.rsplit_once(" at line ")?;
    let (line, column) = place.split_once(" column ")?;
    let (line, column): (usize, usize) = (line.trim().parse().ok()?, column.trim().parse().ok()?);
    let line_start = if line <= 1 {
        0
    } else {
        body.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    // serde_json's columns count from 1 and name the byte it stopped on.
    Some((line_start + column.saturating_sub(1)).min(body.len()))
}
