//! The API diff `cargo xtask regen` reports: what changed between the
//! checked-in `openapi/spotnana.json` and the spec regen is about to write, and
//! whether the change is breaking for the crate.
//!
//! [`diff`] is a pure function over two OpenAPI 3.0 documents. Operations are
//! keyed by `operationId` (in `paths` and in `x-spotnana-handwritten`), schemas by
//! their name under `components/schemas`. Parts of a document that are not the
//! shape OpenAPI says are skipped and named in [`ApiDiff::notes`]; nothing panics.
//! [`ApiDiff::to_markdown`] renders `openapi/CHANGES.md` and [`ApiDiff::summary`]
//! the paragraph regen prints.

mod operation;
mod render;
mod schema;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use operation::{compare_operation, operations, Op};
use schema::compare_schema;

/// Whether the generated enums accept values they were not generated with.
///
/// `false` today: every string enum is a closed Rust enum, so a new value breaks
/// exhaustive `match`es and cannot be decoded by older code, and the diff calls it
/// breaking. Set it to `true` once the generated enums keep unknown values in a
/// catch-all variant; new enum values are then additive.
pub const ENUMS_ARE_OPEN: bool = false;

/// The rules that class a change as breaking or additive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Whether a new enum value is additive (see [`ENUMS_ARE_OPEN`]).
    pub enums_are_open: bool,
}

impl Default for Policy {
    /// The crate as it is generated today.
    fn default() -> Self {
        Self { enums_are_open: ENUMS_ARE_OPEN }
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An operation: its `operationId` and `METHOD /path` (the old one if it was removed).
    Operation {
        /// The `operationId`, or `METHOD /path` when it has none.
        id: String,
        /// `METHOD /path`.
        endpoint: String,
    },
    /// A schema under `components/schemas`, by name.
    Schema(String),
}

/// One change to an operation or schema.
///
/// `at` fields name the place inside the subject: `Company.name` or
/// `Company.offices[]` in a schema, `parameter limit (query)` or
/// `response 200 application/json` in an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// The operation or schema is new.
    Added,
    /// The operation or schema is gone.
    Removed,
    /// The operation moved to another path.
    PathChanged {
        /// The old path.
        from: String,
        /// The new path.
        to: String,
    },
    /// The operation uses another HTTP method.
    MethodChanged {
        /// The old method, upper case.
        from: String,
        /// The new method, upper case.
        to: String,
    },
    /// A new parameter.
    ParameterAdded {
        /// `name (location)`.
        param: String,
        /// Whether callers must supply it.
        required: bool,
    },
    /// A parameter is gone.
    ParameterRemoved {
        /// `name (location)`.
        param: String,
    },
    /// A parameter was made required (`true`) or optional (`false`).
    ParameterRequired {
        /// `name (location)`.
        param: String,
        /// Whether it is required now.
        required: bool,
    },
    /// The operation now takes a request body.
    RequestBodyAdded {
        /// Whether the body is required.
        required: bool,
    },
    /// The operation no longer takes a request body.
    RequestBodyRemoved,
    /// The request body was made required (`true`) or optional (`false`).
    RequestBodyRequired {
        /// Whether it is required now.
        required: bool,
    },
    /// The content types of a request body or response changed.
    ContentTypes {
        /// `request body` or `response 200`.
        at: String,
        /// The old content types.
        from: Vec<String>,
        /// The new content types.
        to: Vec<String>,
    },
    /// The operation has a new response status.
    ResponseAdded {
        /// The status code (`404`, `2XX`, `default`).
        status: String,
    },
    /// A response status is gone.
    ResponseRemoved {
        /// The status code.
        status: String,
    },
    /// An object schema has a new property.
    PropertyAdded {
        /// The property's place.
        at: String,
        /// Whether it is in `required`.
        required: bool,
    },
    /// A property is gone.
    PropertyRemoved {
        /// The property's place.
        at: String,
    },
    /// A property was made required (`true`) or optional (`false`).
    PropertyRequired {
        /// The property's place.
        at: String,
        /// Whether it is required now.
        required: bool,
    },
    /// An enum has a new value.
    EnumValueAdded {
        /// The enum's place.
        at: String,
        /// The value, as written in the spec (strings unquoted).
        value: String,
    },
    /// An enum value is gone.
    EnumValueRemoved {
        /// The enum's place.
        at: String,
        /// The value.
        value: String,
    },
    /// A schema's type changed: `type`, `format`, `nullable`, `$ref` target, or
    /// the members of `allOf`/`oneOf`/`anyOf`.
    TypeChanged {
        /// The schema's place.
        at: String,
        /// The old type, e.g. `string(date-time) | null` or `Company`.
        from: String,
        /// The new type.
        to: String,
    },
}

/// What a change means for the crate's semver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impact {
    /// Code that compiles and works today may not after the change; why.
    Breaking(&'static str),
    /// Nothing that compiles today stops compiling.
    Additive,
}

/// One change, with what it is about and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operation or schema.
    pub subject: Subject,
    /// What changed.
    pub kind: ChangeKind,
    /// Breaking or additive, under the [`Policy`] the diff ran with.
    pub impact: Impact,
}

/// The semver verdict for the whole diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing changed.
    NoChanges,
    /// Only additive changes: a minor release.
    Additive,
    /// At least one breaking change: a major release (minor while 0.x).
    Breaking,
}

impl Verdict {
    /// `breaking`, `additive` or `no API changes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoChanges => "no API changes",
            Self::Additive => "additive",
            Self::Breaking => "breaking",
        }
    }
}

/// Every change between two specs, operations first (by id), then schemas (by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDiff {
    /// The rules the changes were classed by.
    pub policy: Policy,
    /// The changes.
    pub changes: Vec<Change>,
    /// Parts of either document that were skipped because they are malformed.
    pub notes: Vec<String>,
}

impl ApiDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Breaking if any change is, additive if there are changes, else no changes.
    pub fn verdict(&self) -> Verdict {
        if self.changes.iter().any(|c| matches!(c.impact, Impact::Breaking(_))) {
            Verdict::Breaking
        } else if self.changes.is_empty() {
            Verdict::NoChanges
        } else {
            Verdict::Additive
        }
    }
}

impl ChangeKind {
    /// Whether this change is breaking under `policy`, and why.
    pub fn impact(&self, policy: Policy) -> Impact {
        use ChangeKind::*;
        let breaking = match self {
            Removed => "the client loses its method or type",
            ParameterAdded { required: true, .. } => "callers must now supply it",
            ParameterRemoved { .. } => "its setter disappears",
            ParameterRequired { required: true, .. } => "calls that leave it unset now fail",
            RequestBodyAdded { required: true } => "callers must now send a body",
            RequestBodyRemoved => "the body setter disappears",
            RequestBodyRequired { required: true } => "calls without a body now fail",
            ContentTypes { .. } => "the body and return types follow the content types",
            ResponseRemoved { .. } => "the return and error types follow the responses",
            PropertyAdded { required: true, .. } => "struct literals and builders must set the new field",
            PropertyRemoved { .. } => "the field disappears",
            PropertyRequired { .. } => "the field's type moves between `T` and `Option<T>`",
            EnumValueAdded { .. } if !policy.enums_are_open => {
                "enums are closed (`ENUMS_ARE_OPEN` is false): exhaustive matches stop compiling \
                 and older code cannot decode the value"
            }
            EnumValueRemoved { .. } => "the variant disappears",
            TypeChanged { .. } => "the Rust type changes",
            _ => return Impact::Additive,
        };
        Impact::Breaking(breaking)
    }
}

/// Compares two OpenAPI 3.0 documents, classing each change under `policy`.
pub fn diff(old: &Value, new: &Value, policy: Policy) -> ApiDiff {
    let mut notes = Vec::new();
    let mut changes = Vec::new();
    let (old_ops, new_ops) = both(operations(old, "old", &mut notes), operations(new, "new", &mut notes));
    for (id, o, n) in pairs(&old_ops, &new_ops) {
        let endpoint = n.or(o).map(Op::endpoint).unwrap_or_default();
        let kinds = kinds(o, n, |o, n| compare_operation((old, o), (new, n), id, &mut notes));
        push_all(&mut changes, &Subject::Operation { id: id.clone(), endpoint }, kinds, policy);
    }
    let (old_schemas, new_schemas) = both(schemas(old, "old", &mut notes), schemas(new, "new", &mut notes));
    for (name, o, n) in pairs(&old_schemas, &new_schemas) {
        let kinds = kinds(o, n, |o, n| {
            let mut kinds = Vec::new();
            compare_schema(o, n, name, &mut kinds);
            kinds
        });
        push_all(&mut changes, &Subject::Schema(name.clone()), kinds, policy);
    }
    ApiDiff { policy, changes, notes }
}

/// Both sides of a section, or two empty ones if either is malformed.
fn both<T: Default>(old: Option<T>, new: Option<T>) -> (T, T) {
    match (old, new) {
        (Some(o), Some(n)) => (o, n),
        _ => Default::default(),
    }
}

/// Every key of either map, in order, with its value on each side.
fn pairs<'m, T>(
    old: &'m BTreeMap<String, T>,
    new: &'m BTreeMap<String, T>,
) -> impl Iterator<Item = (&'m String, Option<&'m T>, Option<&'m T>)> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter().map(|k| (k, old.get(k), new.get(k)))
}

/// `Added`, `Removed`, or what `compare` finds when both sides have the item.
fn kinds<T>(old: Option<T>, new: Option<T>, compare: impl FnOnce(T, T) -> Vec<ChangeKind>) -> Vec<ChangeKind> {
    match (old, new) {
        (Some(o), Some(n)) => compare(o, n),
        (Some(_), None) => vec![ChangeKind::Removed],
        (None, Some(_)) => vec![ChangeKind::Added],
        (None, None) => Vec::new(),
    }
}

fn push_all(changes: &mut Vec<Change>, subject: &Subject, kinds: Vec<ChangeKind>, policy: Policy) {
    changes.extend(kinds.into_iter().map(|kind| Change {
        subject: subject.clone(),
        impact: kind.impact(policy),
        kind,
    }));
}

/// Every component schema by name, or `None` (with a note) if malformed.
fn schemas<'a>(doc: &'a Value, side: &str, notes: &mut Vec<String>) -> Option<BTreeMap<String, &'a Value>> {
    match doc.pointer("/components/schemas") {
        None => Some(BTreeMap::new()),
        Some(Value::Object(s)) => Some(s.iter().map(|(k, v)| (k.clone(), v)).collect()),
        Some(_) => {
            notes.push(format!("{side} spec: `components/schemas` is not an object; schemas were not compared"));
            None
        }
    }
}
