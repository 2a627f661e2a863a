//! Normalising Spotnana's published OpenAPI 3.1 documents into one OpenAPI 3.0.3
//! document that progenitor accepts and whose generated code compiles.
//!
//! The pipeline runs in a fixed order; each rule records what it changed in the
//! [`Report`]. The same inputs always give byte-identical output.

mod access;
mod dates;
mod downgrade;
pub mod features;
mod merge;
mod names;
mod oneof;
mod pagination;
mod repair;
pub mod report;
pub(crate) mod resources;
mod secrets;
mod walk;

use std::fmt;

use serde_json::Value;

pub use oneof::EXACTLY_ONE_OF;
pub use repair::HANDWRITTEN;
pub use report::Report;
pub use walk::{pascal, snake, METHODS};

/// Extension on a component schema listing required, nullable properties that
/// answers may omit. `build.rs` makes their generated fields decode an absent
/// key as `None` (typify would reject it) and start their builders at `None`;
/// requests always carry them, as `null` when unset.
pub const NULL_WHEN_UNSET: &str = crate::contract::NULL_WHEN_UNSET_KEY;

/// One published document: its file stem (`air`) and parsed JSON.
#[derive(Debug, Clone)]
pub struct Document {
    /// File stem, used in renamed schema names and in the report.
    pub name: String,
    /// The parsed document.
    pub value: Value,
}

/// Why the normaliser refused its input. Each names what to look at.
#[derive(Debug, PartialEq, Eq)]
pub enum NormalizeError {
    /// A document is not a JSON object with `openapi` 3.x.
    NotOpenApi { document: String, found: String },
    /// An operation has no `operationId`; progenitor names methods after it.
    MissingOperationId { operation: String },
    /// Two operations share an `operationId`.
    DuplicateOperationId { operation: String },
    /// A request body media type that neither progenitor nor the SDK can send.
    UnsupportedContentType { operation: String, content_type: String },
    /// A request body offering several media types; progenitor takes one.
    SeveralContentTypes { operation: String, content_types: Vec<String> },
    /// Success or error responses with several different typed bodies.
    MixedResponses { operation: String, statuses: String },
    /// The same path and method defined differently in two documents.
    ConflictingOperation { operation: String, first: String, second: String },
}

impl fmt::Display for NormalizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOpenApi { document, found } => write!(
                f,
                "{document}: not an OpenAPI 3.x document (`openapi` is {found}); only OpenAPI 3.0 and 3.1 JSON documents can be normalised"
            ),
            Self::MissingOperationId { operation } => write!(
                f,
                "operation {operation} has no operationId; the SDK names methods after operationIds, so the document must give one"
            ),
            Self::DuplicateOperationId { operation } => write!(
                f,
                "operationId `{operation}` is used by two operations; method names would clash"
            ),
            Self::UnsupportedContentType { operation, content_type } => write!(
                f,
                "operation `{operation}`: request body content type `{content_type}` is not supported \
                 (supported: application/json, application/x-www-form-urlencoded, application/octet-stream, \
                 text/plain, multipart/form-data); add a normalisation rule or a hand-written method for it"
            ),
            Self::SeveralContentTypes { operation, content_types } => write!(
                f,
                "operation `{operation}`: request body offers several content types ({}); progenitor generates one, so add a rule that picks one",
                content_types.join(", ")
            ),
            Self::MixedResponses { operation, statuses } => write!(
                f,
                "operation `{operation}`: responses {statuses} carry different typed bodies; progenitor needs one body type for success and one for errors"
            ),
            Self::ConflictingOperation { operation, first, second } => write!(
                f,
                "operation `{operation}` is defined differently in {first}.json and {second}.json; one path and method can have one definition"
            ),
        }
    }
}

impl std::error::Error for NormalizeError {}

/// The normaliser's output.
#[derive(Debug)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document.
    pub document: Value,
    /// What was changed and why.
    pub report: Report,
}

/// Normalises the published documents (in the order given) into one document.
pub fn normalize(mut docs: Vec<Document>) -> Result<Normalized, NormalizeError> {
    let mut report = Report::default();
    let mut upstream_ops = 0;
    for doc in &mut docs {
        let version = doc.value.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.") {
            return Err(NormalizeError::NotOpenApi {
                document: doc.name.clone(),
                found: doc.value.get("openapi").map_or("missing".into(), Value::to_string),
            });
        }
        walk::operations(&mut doc.value, |_, _, _| upstream_ops += 1);
        downgrade::downgrade(&mut doc.value, &doc.name, &mut report);
    }
    let mut document = merge::merge(&mut docs, &mut report)?;
    repair::check_operations(&mut document)?;
    repair::required_names(&mut document, &mut report);
    oneof::indistinct_branches(&mut document, &mut report);
    oneof::discriminator_tags(&mut document, &mut report);
    repair::example_types(&mut document, &mut report);
    repair::response_kinds(&mut document, &mut report)?;
    repair::handwritten_bodies(&mut document, &mut report);
    repair::uuid_path_parameters(&mut document, &mut report);
    names::typify_collisions(&mut document, &mut report);
    pagination::tag(&mut document, &mut report);
    dates::tag(&mut document, &mut report);
    features::schema_apis(&mut document, &mut report);
    // Last, so that it logs only properties of schemas the output keeps.
    secrets::mark(&mut document, &mut report);
    resources::record(&document, &mut report);
    access::record(&document, &mut report);
    let feature_facts = std::mem::take(&mut report.facts);

    let generated = count_operations(&document, "paths");
    let handwritten = count_operations(&document, HANDWRITTEN);
    let schemas = document.pointer("/components/schemas").and_then(Value::as_object).map_or(0, |s| s.len());
    report.facts = vec![
        ("documents".into(), docs.len().to_string()),
        ("operations published (with repeats)".into(), upstream_ops.to_string()),
        ("operations in the output".into(), (generated + handwritten).to_string()),
        ("generated by progenitor".into(), generated.to_string()),
        ("hand-written (`x-spotnana-handwritten`)".into(), handwritten.to_string()),
        ("component schemas in the output".into(), schemas.to_string()),
    ];
    let (component_enums, inline_enums, unions) = shape_counts(&document);
    report.facts.push((
        "string enums, opened by `build.rs` (component / inline)".into(),
        format!("{component_enums} / {inline_enums}"),
    ));
    report.facts.push(("`oneOf`/`anyOf` schemas".into(), unions.to_string()));
    report.facts.extend(feature_facts);
    Ok(Normalized { document, report })
}

/// Counts the string enums among the component schemas and inline (anywhere
/// else in the document), and the schemas with `oneOf` or `anyOf`.
fn shape_counts(doc: &Value) -> (usize, usize, usize) {
    fn is_string_enum(v: &Value) -> bool {
        v.get("enum").and_then(Value::as_array).is_some_and(|e| e.iter().any(Value::is_string))
    }
    fn walk(v: &Value, top: bool, counts: &mut (usize, usize, usize)) {
        match v {
            Value::Object(map) => {
                if is_string_enum(v) {
                    if top {
                        counts.0 += 1
                    } else {
                        counts.1 += 1
                    }
                }
                if map.contains_key("oneOf") || map.contains_key("anyOf") {
                    counts.2 += 1;
                }
                map.values().for_each(|child| walk(child, false, counts));
            }
            Value::Array(items) => items.iter().for_each(|child| walk(child, false, counts)),
            _ => {}
        }
    }
    let mut counts = (0, 0, 0);
    for schema in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten().map(|(_, s)| s) {
        walk(schema, true, &mut counts);
    }
    for key in ["paths", HANDWRITTEN] {
        if let Some(v) = doc.get(key) {
            walk(v, false, &mut counts);
        }
    }
    counts
}

/// Counts the operations under a paths-shaped object at the document root.
pub fn count_operations(doc: &Value, key: &str) -> usize {
    doc.get(key).and_then(Value::as_object).map_or(0, |paths| {
        paths
            .values()
            .filter_map(Value::as_object)
            .map(|item| item.keys().filter(|k| METHODS.contains(&k.as_str())).count())
            .sum()
    })
}
