//! Renders `tests/every_operation/calls.rs`: one typed call per operation of
//! `openapi/spotnana.json`, for the every-operation test.
//!
//! The calls are derived from the spec, never from generated source: method and
//! setter names follow progenitor's snake_case naming of `operationId`s and
//! parameter names, and body types typify's naming of schemas. Each required
//! parameter gets a distinct literal so the test can check the request path.

use std::fmt::Write as _;

use serde_json::Value;

use crate::normalize::{pascal, snake, HANDWRITTEN, METHODS};

/// Rust keywords progenitor suffixes with `_` when they name a method or setter.
const KEYWORDS: [&str; 8] = ["type", "match", "ref", "self", "where", "use", "in", "fn"];

fn ident(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = doc.pointer(r.trim_start_matches('#')).unwrap_or(&Value::Null);
        } else if let Some([only]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = only;
        } else {
            break;
        }
    }
    s
}

/// The Rust type typify gives a body schema.
fn body_type(schema: &Value, op_id: &str) -> String {
    let target = schema.get("$ref").or_else(|| {
        schema.get("allOf").and_then(Value::as_array).filter(|a| a.len() == 1).and_then(|a| a[0].get("$ref"))
    });
    match target.and_then(Value::as_str) {
        Some(r) => format!("types::{}", pascal(r.rsplit('/').next().unwrap_or(""))),
        None => format!("types::{}Body", pascal(op_id)),
    }
}

/// A literal for a required parameter: `(rust_expr, value_in_path)`.
fn literal(doc: &Value, schema: &Value, name: &str, n: usize) -> Result<(String, String), String> {
    let s = resolve(doc, schema);
    if let Some(first) = s.get("enum").and_then(Value::as_array).and_then(|e| e.first()).and_then(Value::as_str) {
        return Ok((format!("{first:?}"), first.to_string()));
    }
    match (s.get("type").and_then(Value::as_str), s.get("format").and_then(Value::as_str)) {
        // Spotnana's ids are UUIDs even where the spec says only `string`.
        (Some("string"), Some("uuid")) | (Some("string"), None) if name.ends_with("Id") => {
            let v = format!("00000000-0000-4000-8000-{n:012}");
            Ok((format!("{v:?}"), v))
        }
        (Some("string"), _) => {
            let v = format!("{}-{n}", name.chars().filter(char::is_ascii_alphanumeric).collect::<String>());
            Ok((format!("{v:?}"), v))
        }
        (Some("boolean"), _) => Ok(("true".into(), "true".into())),
        (Some("integer"), _) => Ok(("1u64".into(), "1".into())),
        other => Err(format!("parameter {name}: no literal for schema type {other:?}")),
    }
}

/// One operation's call, ready to render.
struct Call {
    id: String,
    /// Statements before the call (the body), each ending in a newline and indent.
    prelude: String,
    /// `client.method()` with its setters, without `.send()`.
    chain: String,
    /// `feature = "api"` for each API publishing the operation.
    apis: Vec<String>,
    /// `("name", "value")` for each path parameter.
    path_values: Vec<String>,
    /// Whether regen tagged the operation `x-spotnana-pagination`.
    paginated: bool,
}

/// Every operation's call, in document order; `n` numbers the literals.
fn calls(doc: &Value) -> Result<Vec<Call>, String> {
    let mut out = Vec::new();
    let mut n = 0usize;
    for key in ["paths", HANDWRITTEN] {
        let Some(paths) = doc.get(key).and_then(Value::as_object) else { continue };
        for item in paths.values() {
            let Some(item) = item.as_object() else { continue };
            for (method, op) in item.iter().filter(|(m, _)| METHODS.contains(&m.as_str())) {
                let id = op["operationId"].as_str().ok_or(format!("{method} without operationId"))?;
                let mut chain = format!("client.{}()", ident(id));
                let mut path_values = Vec::new();
                for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                    if !p["required"].as_bool().unwrap_or(false) {
                        continue;
                    }
                    let name = p["name"].as_str().unwrap_or_default();
                    n += 1;
                    let (expr, raw) = literal(doc, &p["schema"], name, n).map_err(|e| format!("{id}: {e}"))?;
                    let _ = write!(chain, "\n                .{}({expr})", ident(name));
                    if p["in"] == "path" {
                        path_values.push(format!("({name:?}, {raw:?})"));
                    }
                }
                let mut prelude = String::new();
                if let Some((media, m)) =
                    op.pointer("/requestBody/content").and_then(Value::as_object).and_then(|c| c.iter().next())
                {
                    if media == "multipart/form-data" {
                        let body = resolve(doc, &m["schema"]);
                        let required: Vec<&str> =
                            body["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                        for (prop, ps) in body["properties"].as_object().into_iter().flatten() {
                            let ps = resolve(doc, ps);
                            if ps["format"] == "binary" {
                                let _ = write!(chain, "\n                .{}(spotnana::FilePart::new(&b\"%PDF-1.4 test\"[..], \"test.pdf\", \"application/pdf\"))", ident(prop));
                            } else if required.contains(&prop.as_str()) {
                                let ty = body_type(&body["properties"][prop], &format!("{id}{prop}"));
                                let _ = write!(chain, "\n                .{}(inputs.value::<{ty}>({id:?}, {prop:?}).map_err(Error::InvalidRequest)?)", ident(prop));
                            }
                        }
                    } else {
                        let ty = body_type(&m["schema"], id);
                        prelude = format!(
                            "let body = inputs.body::<{ty}>({id:?}).map_err(Error::InvalidRequest)?;\n            "
                        );
                        chain.push_str("\n                .body(body)");
                    }
                }
                let apis: Vec<String> = op[crate::contract::API_TAG]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|api| format!("feature = {api:?}"))
                    .collect();
                if apis.is_empty() {
                    return Err(format!("{id}: no x-spotnana-apis tag, so no cargo feature gates it"));
                }
                let paginated = op.get(crate::contract::PAGINATION_TAG).is_some();
                out.push(Call { id: id.to_string(), prelude, chain, apis, path_values, paginated });
            }
        }
    }
    Ok(out)
}

/// Renders `tests/every_operation/streams.rs`: for each operation tagged
/// `x-spotnana-pagination`, its call ending in `.stream()`, every item
/// collected as JSON.
fn render_streams(calls: &[Call]) -> String {
    let mut arms = String::new();
    let mut ids = String::new();
    let mut count = 0usize;
    for Call { id, prelude, chain, apis, .. } in calls.iter().filter(|c| c.paginated) {
        count += 1;
        let _ = writeln!(ids, "    {id:?},");
        let _ = write!(
            arms,
            "        #[cfg(any({}))]\n        {id:?} => boxed(|| async move {{\n            {prelude}let stream = {chain}\n                .stream();\n            collect_json(stream, items).await\n        }})\n        .await,\n",
            apis.join(", ")
        );
    }
    format!(
        "// @generated by `cargo xtask regen` from openapi/spotnana.json. Do not edit.\n\
         //\n\
         // The {count} paginated operations (tagged `x-spotnana-pagination`), each\n\
         // called as in calls.rs and read to the end with `.stream()`.\n\n\
         #[allow(unused_imports)]\n\
         use spotnana::{{types, Client, Error}};\n\n\
         use super::Inputs;\n\n\
         /// Every paginated operation.\n\
         #[allow(dead_code)]\n\
         pub const PAGINATED: &[&str] = &[\n{ids}];\n\n\
         /// Reads `stream` to its end, each item as JSON, into `items`; stops at the first error.\n\
         #[allow(dead_code)]\n\
         async fn collect_json<S, T>(mut stream: S, items: &mut Vec<String>) -> Result<(), Error>\n\
         where\n    \
         S: futures_core::Stream<Item = Result<T, Error>> + Unpin,\n    \
         T: serde::Serialize,\n\
         {{\n    \
         while let Some(item) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_next(cx)).await {{\n        \
         items.push(serde_json::to_string(&item?).map_err(|e| Error::InvalidRequest(e.to_string()))?);\n    \
         }}\n    \
         Ok(())\n\
         }}\n\n\
         /// Builds a stream's future in this function's own frame and boxes it (see calls.rs).\n\
         #[allow(dead_code)]\n\
         fn boxed<'a, F: std::future::Future<Output = Result<(), Error>> + Send + 'a>(make: impl FnOnce() -> F) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send + 'a>> {{\n    \
         Box::pin(make())\n\
         }}\n\n\
         /// Streams the operation's whole list into `items` (as JSON).\n\
         #[allow(unused_variables)]\n\
         pub async fn stream(client: &Client, inputs: &Inputs, operation_id: &str, items: &mut Vec<String>) -> Result<(), Error> {{\n    \
         match operation_id {{\n{arms}        other => Err(Error::InvalidRequest(format!(\"{{other}} is not paginated\"))),\n    }}\n}}\n"
    )
}

/// Renders `tests/every_operation/calls.rs` and `tests/every_operation/streams.rs` for `doc`.
pub fn render(doc: &Value) -> Result<(String, String), String> {
    let all = calls(doc)?;
    Ok((render_calls(&all), render_streams(&all)))
}

/// Renders the calls file: one call per operation.
fn render_calls(calls: &[Call]) -> String {
    let mut arms = String::new();
    let mut table = String::new();
    let count = calls.len();
    for Call { id, prelude, chain, apis, path_values, .. } in calls {
        let _ = write!(
            arms,
            "        #[cfg(any({}))]\n        {id:?} => boxed(|| async move {{\n            {prelude}{chain}\n                .send()\n                .await\n                .map(|_| ())\n        }})\n        .await,\n",
            apis.join(", ")
        );
        let _ = writeln!(table, "    ({id:?}, &[{}]),", path_values.join(", "));
    }
    format!(
        "// @generated by `cargo xtask regen` from openapi/spotnana.json. Do not edit.\n\
         //\n\
         // One call per operation ({count}), with every required parameter set and a\n\
         // request body built from the spec's schema. Each call exists when one of\n\
         // its APIs' cargo features is on.\n\n\
         #[allow(unused_imports)]\n\
         use spotnana::{{types, Client, Error}};\n\n\
         use super::Inputs;\n\n\
         /// The literal given to each path parameter, per operation.\n\
         #[allow(dead_code)]\n\
         pub const PATH_VALUES: &[(&str, &[(&str, &str)])] = &[\n{table}];\n\n\
         /// One operation's call, on the heap.\n\
         type Call<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send + 'a>>;\n\n\
         /// Builds a call's future in this function's own frame and boxes it. In a\n\
         /// debug build every arm of `call`'s match keeps its own stack slots, so\n\
         /// futures built there directly made its frame 1.3 MB, most of a tokio\n\
         /// worker's 2 MiB; built here, each arm holds one pointer.\n\
         #[allow(dead_code)]\n\
         fn boxed<'a, F: std::future::Future<Output = Result<(), Error>> + Send + 'a>(make: impl FnOnce() -> F) -> Call<'a> {{\n    \
         Box::pin(make())\n}}\n\n\
         /// Calls the operation's method; `Err` holds why the call failed or could not be made.\n\
         #[allow(unused_variables)]\n\
         pub async fn call(client: &Client, inputs: &Inputs, operation_id: &str) -> Result<(), Error> {{\n    \
         match operation_id {{\n{arms}        other => Err(Error::InvalidRequest(format!(\"no call for operation {{other}}\"))),\n    }}\n}}\n"
    )
}
