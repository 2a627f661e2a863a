//! Which operations page, read off their shapes.
//!
//! An operation pages when its request says where a page starts and its
//! success answer is an object holding the page's items in an array:
//!
//! - **query**: a pair of integer query parameters, `offset` and `limit`
//!   (items to skip, items per page) or `pageNumber` and `pageSize` (1-based
//!   page, items per page);
//! - **body offset**: an integer `offset` in the JSON request body, at its top
//!   or in one of its object properties (`paginationParams`, `pagination`,
//!   ...), with an integer `limit` beside it when the page size can be set;
//! - **body token**: a request property whose `oneOf` has a branch with a
//!   required string `pageToken`, and an answer with a string `nextPageToken`
//!   (at its top or in one of its object properties).
//!
//! The items are the answer's array property, the first declared one when it
//! has several. An integer `totalNumResults` or `totalRecords` in the answer
//! (at its top or in one of its object properties) gives the list's length.
//! The page size's spec `default` is the page size when the caller sets none.
//!
//! Such an operation is tagged `x-spotnana-pagination`, which
//! `build/pagination.rs` turns into `pages()` and `stream()` on its builder,
//! and which the sandbox reads to page its stored lists. The tag holds:
//! `style` (`offset`, `page` or `token`), `in` (`query` or `body`), `start`
//! and `size` (query parameter names, or JSON pointers into the request body),
//! `defaultSize`, `items` (the answer's array property), `total` and
//! `nextToken` (JSON pointers into the answer), and for tokens `tokenRequest`,
//! the object that asks for the page after a token (`tokenField` set to it).

use serde_json::{Map, Value};

use crate::contract::Pagination;

use super::report::Report;
use super::walk;

/// The tag `build.rs` and the sandbox read.
pub const TAG: &str = crate::contract::PAGINATION_TAG;

/// The query-parameter styles: (style, start parameter, size parameter).
const QUERY_STYLES: [(&str, &str, &str); 2] = [("offset", "offset", "limit"), ("page", "pageNumber", "pageSize")];

/// Names of an answer's integer property that counts the whole list.
const TOTALS: [&str; 2] = ["totalNumResults", "totalRecords"];

/// Tags every operation that pages.
pub fn tag(doc: &mut Value, report: &mut Report) {
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let log = report.rule(
        "pagination",
        "An operation pages when its request says where a page starts (an integer `offset`/`limit` or \
         `pageNumber`/`pageSize` query pair; an integer `offset`, with `limit` beside it when the size can be set, \
         at the top of the JSON body or in one of its object properties; or a body property whose `oneOf` has a \
         branch with a required `pageToken`, answered with a `nextPageToken`) and its success answer has an array \
         property (the first declared one holds the items when there are several). It is tagged \
         `x-spotnana-pagination`; its builder gains `pages()` and `stream()`, which end on the answer's \
         `totalNumResults`/`totalRecords` when it has one, else on a page shorter than the page size (the caller's, \
         else the spec's default), an empty page, or an empty or repeated `nextPageToken`.",
    );
    walk::operations(doc, |path, method, op| {
        let Some(found) = style(op, &schemas) else { return };
        let name = walk::op_name(path, method, op);
        log.changes.push(describe(&name, &found));
        if let Some(op) = op.as_object_mut() {
            op.insert(TAG.into(), found);
        }
    });
}

/// One line of the report for a tagged operation.
fn describe(name: &str, tag: &Value) -> String {
    let tag = Pagination::from_tag(tag);
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let place = if tag.in_query() { "query parameter" } else { "body field" };
    let mut line = match text(&tag.style).as_str() {
        "token" => format!("{name}: page token in body field `{}`", text(&tag.start)),
        _ => format!("{name}: {place} `{}`", text(&tag.start)),
    };
    if let Some(size) = &tag.size {
        match tag.default_size {
            Some(default) => line.push_str(&format!(", size `{size}` ({default} unless set)")),
            None => line.push_str(&format!(", size `{size}`")),
        }
    }
    line.push_str(&format!("; items in `{}`", text(&tag.items)));
    for (pointer, what) in [(&tag.total, "length"), (&tag.next_token, "next token")] {
        if let Some(pointer) = pointer {
            line.push_str(&format!(", {what} at `{pointer}`"));
        }
    }
    let others = &tag.other_arrays;
    if !others.is_empty() {
        line.push_str(&format!(" (also in each page, not streamed: `{}`)", others.join("`, `")));
    }
    line
}

/// The operation's paging, as the tag holds it, or `None` when it does not page.
fn style(op: &Value, schemas: &Map<String, Value>) -> Option<Value> {
    let answer = resolve(success_schema(op)?, schemas)?;
    let arrays = array_properties(answer, schemas);
    let (items, others) = arrays.split_first()?;
    let mut tag = query_style(op, schemas).or_else(|| body_style(op, answer, schemas))?;
    tag.items = Some(items.clone());
    tag.other_arrays = others.to_vec();
    tag.total = find_property(answer, schemas, |name, s| TOTALS.contains(&name) && s["type"] == "integer");
    Some(tag.to_value())
}

fn query_style(op: &Value, schemas: &Map<String, Value>) -> Option<Pagination> {
    let params = op.get("parameters")?.as_array()?;
    let query_int = |name: &str| {
        params
            .iter()
            .find(|p| p["in"] == "query" && p["name"] == name)
            .filter(|p| resolve(&p["schema"], schemas).is_some_and(|s| s["type"] == "integer"))
    };
    let (style, start, size) =
        QUERY_STYLES.into_iter().find(|(_, start, size)| query_int(start).is_some() && query_int(size).is_some())?;
    let default_size = query_int(size)?["schema"]["default"].as_i64().filter(|d| *d > 0)?;
    Some(Pagination {
        style: Some(style.into()),
        location: Some("query".into()),
        start: Some(start.into()),
        size: Some(size.into()),
        default_size: Some(default_size),
        ..Default::default()
    })
}

fn body_style(op: &Value, answer: &Value, schemas: &Map<String, Value>) -> Option<Pagination> {
    let body = resolve(op.pointer("/requestBody/content/application~1json/schema")?, schemas)?;
    let is_int = |s: &Value| s["type"] == "integer";
    if let Some(start) = find_property(body, schemas, |name, s| name == "offset" && is_int(s)) {
        let container = &start[..start.len() - "/offset".len()];
        let size = format!("{container}/limit");
        let size_schema = pointer_schema(body, &size, schemas).filter(|s| is_int(s));
        let mut tag = Pagination {
            style: Some("offset".into()),
            location: Some("body".into()),
            start: Some(start.clone()),
            ..Default::default()
        };
        if let Some(size_schema) = size_schema {
            tag.size = Some(size);
            tag.default_size = size_schema["default"].as_i64().filter(|d| *d > 0);
        }
        return Some(tag);
    }
    // A token: the request property whose `oneOf` has a branch asking for the
    // page after a `pageToken`, and an answer that gives the next one.
    let next = find_property(answer, schemas, |name, s| name == "nextPageToken" && s["type"] == "string")?;
    let (name, property) = properties(body, schemas).into_iter().find(|(_, p)| token_branch(p, schemas).is_some())?;
    let (branch, siblings) = token_branch(property, schemas)?;
    let mut tag = Pagination {
        style: Some("token".into()),
        location: Some("body".into()),
        start: Some(format!("/{name}")),
        next_token: Some(next),
        token_request: Some(branch),
        token_field: Some("pageToken".into()),
        ..Default::default()
    };
    // The first page's size: an integer `pageSize` in another branch.
    if let Some((_, size)) =
        siblings.iter().find_map(|s| properties(s, schemas).into_iter().find(|(n, p)| n == "pageSize" && is_int(p)))
    {
        tag.size = Some(format!("/{name}/pageSize"));
        tag.default_size = size["default"].as_i64().filter(|d| *d > 0);
    }
    Some(tag)
}

/// For a `oneOf` schema with a branch that requires a string `pageToken`: the
/// object asking for a token's page (that branch's required properties with
/// a `default`, such as a discriminator) and the other branches.
fn token_branch<'a>(schema: &'a Value, schemas: &'a Map<String, Value>) -> Option<(Value, Vec<&'a Value>)> {
    let branches: Vec<&Value> =
        resolve(schema, schemas)?.get("oneOf")?.as_array()?.iter().filter_map(|b| resolve(b, schemas)).collect();
    let index = branches.iter().position(|b| {
        b["required"].as_array().is_some_and(|r| r.iter().any(|n| n == "pageToken"))
            && properties(b, schemas).iter().any(|(n, p)| n == "pageToken" && p["type"] == "string")
    })?;
    let request = required_defaults(branches[index], schemas);
    let others = branches.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, b)| *b).collect();
    Some((request, others))
}

/// An object of `schema`'s required properties that have a `default`, set to it.
fn required_defaults(schema: &Value, schemas: &Map<String, Value>) -> Value {
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let object: Map<String, Value> = properties(schema, schemas)
        .into_iter()
        .filter(|(n, p)| required.contains(&n.as_str()) && p.get("default").is_some())
        .map(|(n, p)| (n, p["default"].clone()))
        .collect();
    Value::Object(object)
}

/// The JSON schema of the operation's first 2xx JSON answer.
fn success_schema(op: &Value) -> Option<&Value> {
    let responses = op.get("responses")?.as_object()?;
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| r.pointer("/content/application~1json/schema"))
}

/// An object schema's properties (resolved), in declared order.
fn properties<'a>(schema: &'a Value, schemas: &'a Map<String, Value>) -> Vec<(String, &'a Value)> {
    let Some(schema) = resolve(schema, schemas) else { return Vec::new() };
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    properties.iter().filter_map(|(name, p)| Some((name.clone(), resolve(p, schemas)?))).collect()
}

/// The names of an object schema's array properties, in declared order.
fn array_properties(schema: &Value, schemas: &Map<String, Value>) -> Vec<String> {
    properties(schema, schemas).into_iter().filter(|(_, p)| p["type"] == "array").map(|(n, _)| n).collect()
}

/// The JSON pointer of the first property matching `wanted`, at the top of
/// `schema` or one object property down.
fn find_property(
    schema: &Value,
    schemas: &Map<String, Value>,
    wanted: impl Fn(&str, &Value) -> bool,
) -> Option<String> {
    let top = properties(schema, schemas);
    if let Some((name, _)) = top.iter().find(|(n, p)| wanted(n, p)) {
        return Some(format!("/{name}"));
    }
    top.iter().filter(|(_, p)| p["type"] == "object" || p.get("properties").is_some()).find_map(|(outer, p)| {
        properties(p, schemas).iter().find(|(n, s)| wanted(n, s)).map(|(inner, _)| format!("/{outer}/{inner}"))
    })
}

/// The schema at a JSON pointer of property names.
fn pointer_schema<'a>(schema: &'a Value, pointer: &str, schemas: &'a Map<String, Value>) -> Option<&'a Value> {
    pointer
        .split('/')
        .skip(1)
        .try_fold(schema, |s, name| properties(s, schemas).into_iter().find(|(n, _)| n == name).map(|(_, p)| p))
}

fn resolve<'a>(mut schema: &'a Value, schemas: &'a Map<String, Value>) -> Option<&'a Value> {
    for _ in 0..16 {
        if let Some(name) =
            schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            schema = schemas.get(name)?;
        } else if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            schema = only;
        } else {
            return Some(schema);
        }
    }
    None
}
