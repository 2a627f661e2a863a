//! Lists the sandbox pages: items put in a paginated operation's list with
//! [`Sandbox::add_list_items`](super::Sandbox::add_list_items) are served page
//! by page, as the operation's `x-spotnana-pagination` tag (written by
//! `cargo xtask regen`) says its requests and answers carry the position.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Value};

use super::error_body;
use super::spec::{Answer, Route, Spec};
use super::synth::{Fill, Synth};
use crate::pagination::set_pointer;

/// The page size when neither the request nor the spec gives one.
const PAGE_SIZE: usize = 10;

/// The most items the sandbox answers in one page, whatever was asked.
const MAX_PAGE_SIZE: usize = 1000;

/// Page tokens are this prefix, the offset and the page size.
const TOKEN_PREFIX: &str = "sandbox-page";

#[derive(Default)]
pub(super) struct Lists {
    items: Mutex<HashMap<String, Vec<Value>>>,
}

/// Why items cannot be added to an operation's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPaginated {
    operation_id: String,
}

impl std::fmt::Display for NotPaginated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a paginated operation of the sandbox's enabled APIs; the `pagination` section of \
             openapi/NORMALIZATION.md lists the ones that are",
            self.operation_id
        )
    }
}

impl std::error::Error for NotPaginated {}

impl Lists {
    /// Appends `count` synthesised items, each distinct, to the list of the
    /// operation `route`; returns the list's new length.
    pub(super) fn add(
        &self,
        spec: &Spec,
        route: Option<&Route>,
        operation_id: &str,
        count: usize,
    ) -> Result<usize, NotPaginated> {
        let not_paginated = || NotPaginated { operation_id: operation_id.to_string() };
        let route = route.ok_or_else(not_paginated)?;
        let tag = route.pagination().ok_or_else(not_paginated)?;
        let schema = spec.item_schema(route, tag.items.as_deref().unwrap_or_default()).ok_or_else(not_paginated)?;
        let synth = Synth::new(&spec.doc, Fill::Minimal);
        let mut lists = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let list = lists.entry(operation_id.to_string()).or_default();
        for _ in 0..count {
            let mut item = synth.instance(schema);
            stamp(&synth, schema, &mut item, &format!("{operation_id}-{}", list.len()), list.len(), 0);
            list.push(item);
        }
        Ok(list.len())
    }

    /// The page a request asks for, or `None` when nothing was added to the
    /// operation's list (the sandbox then answers as for any operation).
    pub(super) fn handle(
        &self,
        spec: &Spec,
        route: &Route,
        query: &HashMap<String, String>,
        body: Option<&Value>,
        fill: Fill,
    ) -> Option<Answer> {
        if !route.paginated() {
            return None;
        }
        let lists = self.items.lock().unwrap_or_else(|p| p.into_inner());
        let list = lists.get(&route.id)?;
        page(spec, route, query, body, fill, list)
    }
}

/// The page of `list` that a request of the paginated operation `route`
/// asks for; `None` when the operation does not page.
pub(super) fn page(
    spec: &Spec,
    route: &Route,
    query: &HashMap<String, String>,
    body: Option<&Value>,
    fill: Fill,
    list: &[Value],
) -> Option<Answer> {
    let tag = route.pagination()?;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let number = |at: &str| -> Option<i64> {
        if tag.in_query() {
            query.get(at)?.parse().ok()
        } else {
            body?.pointer(at)?.as_i64()
        }
    };
    let asked = tag.size.as_deref().and_then(number).or(tag.default_size);
    let mut size =
        asked.and_then(|s| usize::try_from(s).ok()).filter(|s| *s > 0).unwrap_or(PAGE_SIZE).min(MAX_PAGE_SIZE);
    let offset = match text(&tag.style).as_str() {
        "page" => match number(&text(&tag.start)).unwrap_or(1) {
            page if page >= 1 => usize::try_from(page - 1).unwrap_or(usize::MAX).saturating_mul(size),
            _ => return Some(bad_page("pageNumber starts at 1")),
        },
        "token" => {
            let token = body
                .and_then(|b| b.pointer(&text(&tag.start)))
                .and_then(|p| p.get(text(&tag.token_field)))
                .and_then(Value::as_str);
            match token.map(parse_token) {
                None => 0,
                Some(Some((offset, token_size))) => {
                    size = token_size;
                    offset
                }
                Some(None) => return Some(bad_page("the page token is not one this sandbox gave")),
            }
        }
        _ => match number(&text(&tag.start)).unwrap_or(0) {
            offset if offset >= 0 => usize::try_from(offset).unwrap_or(usize::MAX),
            _ => return Some(bad_page("offset must not be negative")),
        },
    };
    let page: Vec<Value> = list.iter().skip(offset).take(size).cloned().collect();
    let end = offset.saturating_add(page.len());
    let mut answer = spec.success(route, fill);
    let out = answer.body.get_or_insert_with(|| json!({}));
    set_pointer(out, &format!("/{}", text(&tag.items)), Value::Array(page));
    if let Some(total) = tag.total.as_deref() {
        set_pointer(out, total, json!(list.len()));
    }
    if let Some(next) = tag.next_token.as_deref() {
        let token = if end < list.len() { json!(format!("{TOKEN_PREFIX}-{end}-{size}")) } else { Value::Null };
        set_pointer(out, next, token);
    }
    Some(answer)
}

fn bad_page(detail: &str) -> Answer {
    Answer {
        status: 400,
        body: Some(error_body("INVALID_PAGINATION", "the page asked for does not exist", Some(detail))),
    }
}

/// The offset and page size in a token this sandbox gave.
fn parse_token(token: &str) -> Option<(usize, usize)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?.strip_prefix('-')?;
    let (offset, size) = rest.split_once('-')?;
    Some((offset.parse().ok()?, size.parse::<usize>().ok().filter(|s| *s > 0)?.min(MAX_PAGE_SIZE)))
}

/// Makes `item` (an instance of `schema`) distinct: sets its first plain
/// string property (no enum, pattern, length bound or format but `uuid`) to
/// `label` (a UUID made from `n` for `uuid`), looking one object property
/// deeper when the item has none. Returns whether it found one.
fn stamp<'a>(synth: &Synth<'a>, schema: &'a Value, item: &mut Value, label: &str, n: usize, depth: usize) -> bool {
    if depth > 2 {
        return false;
    }
    let properties = object_properties(synth, schema);
    let plain = |p: &Value| {
        p["type"] == "string"
            && ["enum", "pattern", "maxLength", "minLength"].iter().all(|k| p.get(*k).is_none())
            && matches!(p.get("format").and_then(Value::as_str), None | Some("uuid"))
    };
    if let Some((name, property)) = properties.iter().find(|(_, p)| plain(p)) {
        let value =
            if property["format"] == "uuid" { format!("00000000-0000-4000-8000-{n:012}") } else { label.to_string() };
        if let Value::Object(object) = item {
            object.insert(name.clone(), Value::String(value));
            return true;
        }
        return false;
    }
    for (name, property) in properties.iter().filter(|(_, p)| p["type"] == "object" || p.get("properties").is_some()) {
        let Value::Object(object) = item else { return false };
        let inner = object.entry(name.clone()).or_insert_with(|| synth.instance(property));
        if !inner.is_object() {
            *inner = json!({});
        }
        if stamp(synth, property, inner, label, n, depth + 1) {
            return true;
        }
    }
    false
}

/// An object schema's own properties and those of its `allOf` parts, resolved.
fn object_properties<'a>(synth: &Synth<'a>, schema: &'a Value) -> Vec<(String, &'a Value)> {
    let s = synth.resolve(schema);
    let mut out: Vec<(String, &Value)> =
        s["allOf"].as_array().into_iter().flatten().flat_map(|part| object_properties(synth, part)).collect();
    if let Some(Value::Object(properties)) = s.get("properties") {
        out.extend(properties.iter().map(|(name, p)| (name.clone(), synth.unwrap(p))));
    }
    out
}
