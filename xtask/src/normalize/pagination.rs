//! Which operations page, read off their shapes.
//!
//! An operation pages by query parameters when it takes a pair of integer
//! query parameters, `offset` and `limit` (items to skip, items per page) or
//! `pageNumber` and `pageSize` (1-based page, items per page), and its success
//! answer is an object with exactly one array property: the items. The page
//! size's spec `default` is the page size when the caller sets none, so a
//! page with fewer items than that is the last.
//!
//! Such an operation is tagged `x-spotnana-pagination`, which
//! `build/pagination.rs` turns into `pages()` and `stream()` on its builder.

use serde_json::{json, Map, Value};

use super::report::Report;
use super::walk;

/// The tag `build.rs` reads.
pub const TAG: &str = "x-spotnana-pagination";

/// The query-parameter styles: (style, start parameter, size parameter).
const QUERY_STYLES: [(&str, &str, &str); 2] = [("offset", "offset", "limit"), ("page", "pageNumber", "pageSize")];

/// Tags every operation that pages by query parameters.
pub fn tag(doc: &mut Value, report: &mut Report) {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let log = report.rule(
        "pagination",
        "An operation with an integer `offset`/`limit` or `pageNumber`/`pageSize` query pair whose success answer has \
         exactly one array property is tagged `x-spotnana-pagination`; its builder gains `pages()` and `stream()`, \
         which end on a page shorter than the page size (the caller's, else the spec's default).",
    );
    walk::operations(doc, |path, method, op| {
        let Some(found) = query_style(op, &schemas) else { return };
        let name = walk::op_name(path, method, op);
        log.changes.push(format!(
            "{name}: `{}`/`{}` query parameters, items in `{}`, {} per page unless set",
            found["start"].as_str().unwrap_or_default(),
            found["size"].as_str().unwrap_or_default(),
            found["items"].as_str().unwrap_or_default(),
            found["defaultSize"]
        ));
        if let Some(op) = op.as_object_mut() {
            op.insert(TAG.into(), found);
        }
    });
}

fn query_style(op: &Value, schemas: &Map<String, Value>) -> Option<Value> {
    let params = op.get("parameters")?.as_array()?;
    let query_int = |name: &str| {
        params.iter().find(|p| p["in"] == "query" && p["name"] == name).filter(|p| p["schema"]["type"] == "integer")
    };
    let (style, start, size) = QUERY_STYLES.into_iter().find(|(_, start, size)| query_int(start).is_some() && query_int(size).is_some())?;
    let default_size = query_int(size)?["schema"]["default"].as_i64().filter(|d| *d > 0)?;
    let items = single_array_property(success_schema(op)?, schemas)?;
    Some(json!({ "style": style, "start": start, "size": size, "defaultSize": default_size, "items": items }))
}

/// The JSON schema of the operation's first 2xx JSON answer.
fn success_schema(op: &Value) -> Option<&Value> {
    let responses = op.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| r.pointer("/content/application~1json/schema"))
}

/// The one array property of an object schema (through `$ref`s and
/// single-member `allOf`s), or `None` when it has none or several.
fn single_array_property(schema: &Value, schemas: &Map<String, Value>) -> Option<String> {
    let schema = resolve(schema, schemas)?;
    let properties = schema.get("properties")?.as_object()?;
    let mut arrays = properties.iter().filter(|(_, p)| resolve(p, schemas).is_some_and(|p| p["type"] == "array"));
    let (name, _) = arrays.next()?;
    arrays.next().is_none().then(|| name.clone())
}

fn resolve<'a>(mut schema: &'a Value, schemas: &'a Map<String, Value>) -> Option<&'a Value> {
    for _ in 0..16 {
        if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
            schema = schemas.get(name)?;
        } else if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            schema = only;
        } else {
            return Some(schema);
        }
    }
    None
}
