//! The sandbox's state: every resource family (`crate::resources`) keeps
//! what you create. A create stores the request's fields and issues an id;
//! a read answers with them over the synthesised answer; an update replaces
//! or merges them; a delete removes them, and the id answers 404 from then
//! on. Lists and lookups answer from what is stored, filtered by the query
//! parameters that name a stored field.
//!
//! An id the sandbox never issued answers as the spec describes (so every
//! operation works without setup), unless the sandbox was started with
//! [`SandboxBuilder::with_strict_ids`](super::SandboxBuilder::with_strict_ids).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use super::deliveries::{Change, ChangeKind};
use super::error_body;
use super::spec::{Answer, Route, Spec};
use super::synth::{Fill, Synth};
use crate::resources::{self, Family, IdAt};

/// What an operation does to its family.
#[derive(Clone, Copy)]
enum Role {
    Create,
    Read,
    Update { merge: bool },
    Delete,
    List(usize),
    Lookup,
}

/// One stored resource: each field with the schema it was sent as, so that
/// a field goes into an answer only where the answer has the same shape.
#[derive(Clone)]
pub(super) struct Record {
    serial: u64,
    /// The family's path parameters above the id (`companyId` of a cost center).
    pub(super) parents: HashMap<String, String>,
    pub(super) fields: Map<String, Value>,
    schemas: HashMap<String, &'static Value>,
    /// Whether a cancel operation cancelled it (a PNR).
    pub(super) cancelled: bool,
}

impl Record {
    /// The stored fields as one JSON object.
    pub(super) fn body(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

pub(super) struct Store {
    pub(super) doc: &'static Value,
    /// Every operation object, by id.
    ops: HashMap<String, &'static Value>,
    pub(super) families: Vec<Family>,
    roles: HashMap<String, (usize, Role)>,
    strict: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub(super) struct Inner {
    /// Stored resources by family and id.
    pub(super) records: BTreeMap<(usize, String), Record>,
    deleted: HashSet<(usize, String)>,
    serial: u64,
    /// Changes not yet sent as webhooks.
    pub(super) changes: Vec<Change>,
}

/// A request, as the store reads it.
pub(super) struct Call<'a> {
    pub(super) route: &'a Route,
    pub(super) params: &'a HashMap<String, String>,
    pub(super) query: &'a HashMap<String, String>,
    pub(super) body: Option<&'a Value>,
    pub(super) fill: Fill,
}

impl Store {
    pub(super) fn new(spec: &'static Spec, strict: bool) -> Self {
        let doc = &spec.doc;
        let families = resources::families(doc, crate::spec::operations(doc));
        let ops = crate::spec::operations(doc)
            .filter_map(|(_, _, op)| Some((op["operationId"].as_str()?.to_string(), op)))
            .collect();
        let mut roles = HashMap::new();
        for (i, f) in families.iter().enumerate() {
            roles.insert(f.create.clone(), (i, Role::Create));
            if let Some((read, _)) = &f.read {
                roles.insert(read.clone(), (i, Role::Read));
            }
            for (op, merge) in &f.updates {
                roles.insert(op.clone(), (i, Role::Update { merge: *merge }));
            }
            for op in &f.deletes {
                roles.insert(op.clone(), (i, Role::Delete));
            }
            if let Some(lookup) = &f.lookup {
                roles.insert(lookup.operation.clone(), (i, Role::Lookup));
            }
            for (n, list) in f.lists.iter().enumerate() {
                roles.insert(list.operation.clone(), (i, Role::List(n)));
            }
        }
        Self { doc, ops, families, roles, strict, inner: Mutex::default() }
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema of an operation's success answer.
    pub(super) fn answer(&self, operation: &str) -> Option<&'static Value> {
        resources::answer(self.doc, self.ops.get(operation)?)
    }

    /// Records a change of `id` in `family` for the webhooks, with the
    /// resource as the family's read answers it now.
    pub(super) fn note(&self, spec: &Spec, inner: &mut Inner, family: usize, id: &str, kind: ChangeKind, fill: Fill) {
        let f = &self.families[family];
        let Some((read, at)) = &f.read else { return };
        let Some(route) = spec.route_by_id(read) else { return };
        let mut snapshot = spec.success(route, fill).body.unwrap_or_else(|| json!({}));
        self.render(read, &mut snapshot, at, id, inner.records.get(&(family, id.to_string())), fill);
        inner.changes.push(Change { id_param: f.id_param.clone(), kind, snapshot });
    }

    /// The stored resources of the family `operation` belongs to.
    pub(super) fn stored(&self, operation: &str) -> Vec<(String, Value)> {
        let Some(&(family, _)) = self.roles.get(operation) else { return Vec::new() };
        let inner = self.lock();
        self.matching_all(&inner, family).into_iter().map(|(id, r)| (id.clone(), r.body())).collect()
    }

    /// Whether ids the sandbox did not issue answer 404.
    pub(super) fn strict(&self) -> bool {
        self.strict
    }

    /// Every stored resource of `family`, in creation order.
    pub(super) fn matching_all<'i>(&self, inner: &'i Inner, family: usize) -> Vec<(&'i String, &'i Record)> {
        let mut found: Vec<(&String, &Record)> =
            inner.records.iter().filter(|((f, _), _)| *f == family).map(|((_, id), r)| (id, r)).collect();
        found.sort_by_key(|(_, r)| r.serial);
        found
    }

    /// The family whose id parameter is `param`, if any.
    pub(super) fn family_of_param(&self, param: &str) -> Option<usize> {
        self.families.iter().position(|f| f.id_param == param)
    }

    /// Whether `id` names a resource of family `family` that may be used:
    /// stored, or (unless strict) never issued and well-formed.
    pub(super) fn exists(&self, inner: &Inner, family: usize, id: &str) -> bool {
        let key = (family, id.to_string());
        if inner.records.contains_key(&key) {
            return true;
        }
        !self.strict
            && !inner.deleted.contains(&key)
            && (!self.families[family].uuid_ids || uuid::Uuid::parse_str(id).is_ok())
    }

    /// Answers a family operation, or `None` for any other.
    pub(super) fn handle(&self, spec: &Spec, call: &Call<'_>) -> Option<Answer> {
        let &(family, role) = self.roles.get(&call.route.id)?;
        let f = &self.families[family];
        let mut inner = self.lock();
        let id = call.params.get(&f.id_param).cloned();
        // A parent that is itself a family's resource must exist.
        for (name, value) in call.params {
            if let Some(parent) = self.family_of_param(name).filter(|p| *p != family) {
                if !self.exists(&inner, parent, value) {
                    return Some(not_found(name, value));
                }
            }
        }
        match (role, id) {
            (Role::Create, _) => {
                let id = self.issue(f);
                let record = self.record(&mut inner, call, f);
                inner.records.insert((family, id.clone()), record);
                self.note(spec, &mut inner, family, &id, ChangeKind::Created, call.fill);
                let mut answer = spec.success(call.route, call.fill);
                if let (Some(at), Some(body)) = (&f.created_id, answer.body.as_mut()) {
                    set_id(body, at, &id);
                }
                Some(answer)
            }
            (Role::List(n), _) => Some(self.list(spec, &inner, call, family, n)),
            (Role::Lookup, _) => Some(self.lookup(spec, &inner, call, family)),
            (_, None) => None,
            (_, Some(id)) if !self.exists(&inner, family, &id) => Some(not_found(&f.id_param, &id)),
            (Role::Read, Some(id)) => {
                let (_, at) = f.read.as_ref()?;
                let mut answer = spec.success(call.route, call.fill);
                let body = answer.body.get_or_insert_with(|| json!({}));
                let record = inner.records.get(&(family, id.clone()));
                self.render(&call.route.id, body, at, &id, record, call.fill);
                Some(answer)
            }
            (Role::Update { merge }, Some(id)) => {
                let fresh = self.record(&mut inner, call, f);
                if let Some(stored) = inner.records.get_mut(&(family, id.clone())) {
                    if !merge {
                        stored.fields.clear();
                        stored.schemas.clear();
                    }
                    stored.fields.extend(fresh.fields);
                    stored.schemas.extend(fresh.schemas);
                }
                self.note(spec, &mut inner, family, &id, ChangeKind::Updated, call.fill);
                Some(spec.success(call.route, call.fill))
            }
            (Role::Delete, Some(id)) => {
                self.note(spec, &mut inner, family, &id, ChangeKind::Deleted, call.fill);
                inner.records.remove(&(family, id.clone()));
                inner.deleted.insert((family, id));
                Some(spec.success(call.route, call.fill))
            }
        }
    }

    /// A new id in the family's format: a UUID, or ten digits.
    pub(super) fn issue(&self, f: &Family) -> String {
        if f.uuid_ids {
            uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid().to_string()
        } else {
            fastrand::u64(1_000_000_000..10_000_000_000).to_string()
        }
    }

    /// The fields of a create or update request, with their schemas.
    fn record(&self, inner: &mut Inner, call: &Call<'_>, f: &Family) -> Record {
        self.record_of(inner, call, &f.id_param)
    }

    /// The fields of the request `call` (the operation's body schema says
    /// their shapes), under its path parameters but `id_param`.
    pub(super) fn record_of(&self, inner: &mut Inner, call: &Call<'_>, id_param: &str) -> Record {
        inner.serial += 1;
        let schema = self.ops.get(&call.route.id).and_then(|op| resources::request(self.doc, op));
        let props: HashMap<&str, &'static Value> =
            schema.map(|s| resources::properties(self.doc, s).into_iter().collect()).unwrap_or_default();
        let mut record = Record {
            serial: inner.serial,
            parents: HashMap::new(),
            fields: Map::new(),
            schemas: HashMap::new(),
            cancelled: false,
        };
        for (name, value) in call.params.iter().filter(|(n, _)| *n != id_param) {
            record.parents.insert(name.clone(), value.clone());
        }
        if let Some(Value::Object(fields)) = call.body {
            for (name, value) in fields {
                if let Some(schema) = props.get(name.as_str()) {
                    record.schemas.insert(name.clone(), schema);
                }
                record.fields.insert(name.clone(), value.clone());
            }
        }
        record
    }

    /// Writes the stored fields and the id into the object of `answer` that
    /// `at` points to.
    pub(super) fn render(
        &self,
        operation: &str,
        answer: &mut Value,
        at: &IdAt,
        id: &str,
        record: Option<&Record>,
        fill: Fill,
    ) {
        let schema = self.answer(operation).and_then(|s| resources::schema_at(self.doc, s, &at.object));
        self.fill_in(answer, &at.object, schema, record, fill);
        set_id(answer, at, id);
    }

    /// Makes the object at `object` in `answer` an instance of `schema` if
    /// the answer left it out, and copies the record's fields into it.
    pub(super) fn fill_in(
        &self,
        answer: &mut Value,
        object: &str,
        schema: Option<&'static Value>,
        record: Option<&Record>,
        fill: Fill,
    ) {
        let Some(target) = pointer_mut(answer, object) else { return };
        if let Some(schema) = schema {
            if target.as_object().is_some_and(|o| o.is_empty()) {
                *target = Synth::new(self.doc, fill).instance(schema);
            }
            if let (Some(record), Value::Object(target)) = (record, target) {
                overlay(self.doc, target, schema, record);
                mark_status(self.doc, target, schema, record.cancelled);
            }
        }
    }

    /// The stored resources of `family` under the request's parents,
    /// filtered by the listing's query parameters, in creation order.
    pub(super) fn matching<'i>(
        &self,
        inner: &'i Inner,
        call: &Call<'_>,
        family: usize,
        filters: &[String],
    ) -> Vec<(&'i String, &'i Record)> {
        self.matching_all(inner, family)
            .into_iter()
            .filter(|(_, r)| r.parents.iter().all(|(k, v)| call.params.get(k).is_none_or(|given| given == v)))
            .filter(|(_, r)| {
                filters.iter().all(|name| {
                    call.query.get(name).is_none_or(|want| holds(&r.body(), name, &percent_decoded(want), 3))
                })
            })
            .collect()
    }

    fn list(&self, spec: &Spec, inner: &Inner, call: &Call<'_>, family: usize, n: usize) -> Answer {
        let f = &self.families[family];
        let listing = &f.lists[n];
        let item_schema = self
            .answer(&call.route.id)
            .and_then(|s| resources::schema_at(self.doc, s, &format!("/{}/0", listing.items)));
        let items: Vec<Value> = self
            .matching(inner, call, family, &listing.filters)
            .into_iter()
            .map(|(id, record)| {
                let synth = Synth::new(self.doc, call.fill);
                let mut item = item_schema.map_or(json!({}), |s| synth.instance(s));
                if let (Some(at), Some(schema)) = (&listing.item_id, item_schema) {
                    self.fill_in(
                        &mut item,
                        &at.object,
                        resources::schema_at(self.doc, schema, &at.object),
                        Some(record),
                        call.fill,
                    );
                    set_id(&mut item, at, id);
                }
                item
            })
            .collect();
        super::lists::page(spec, call.route, call.query, call.body, call.fill, &items).unwrap_or_else(|| {
            let mut answer = spec.success(call.route, call.fill);
            let body = answer.body.get_or_insert_with(|| json!({}));
            if let Some(length) = body.get_mut("length").filter(|v| v.is_number()) {
                *length = json!(items.len());
            }
            crate::pagination::set_pointer(body, &format!("/{}", listing.items), Value::Array(items));
            answer
        })
    }

    /// A lookup that is not a list: the resource whose external id is the
    /// one asked for, or 404.
    fn lookup(&self, spec: &Spec, inner: &Inner, call: &Call<'_>, family: usize) -> Answer {
        let f = &self.families[family];
        let Some(lookup) = &f.lookup else { return spec.success(call.route, call.fill) };
        let want = call.query.get(&lookup.param).map(|v| percent_decoded(v)).unwrap_or_default();
        let found = self
            .matching(inner, call, family, &[])
            .into_iter()
            .find(|(_, r)| r.body().pointer(&lookup.external_id).and_then(Value::as_str) == Some(want.as_str()));
        let Some((id, record)) = found else { return not_found_by(&f.id_param, &lookup.param, &want) };
        let mut answer = spec.success(call.route, call.fill);
        let body = answer.body.get_or_insert_with(|| json!({}));
        self.render(&call.route.id, body, &lookup.found, id, Some(record), call.fill);
        answer
    }
}

/// A 404 with Spotnana's `ErrorResponse`, naming what was not found after
/// the parameter: `companyId` gives `COMPANY_NOT_FOUND`, "no company with
/// this id".
pub(super) fn not_found(param: &str, value: &str) -> Answer {
    not_found_by(param, "id", value)
}

/// A 404 for the resource named by the id parameter `param`, looked for by
/// `key` (`id`, `externalId`).
fn not_found_by(param: &str, key: &str, value: &str) -> Answer {
    let words = words(param.strip_suffix("Id").filter(|w| !w.is_empty()).unwrap_or(param));
    let code = format!("{}_NOT_FOUND", words.join("_").to_uppercase());
    let message = format!("no {} with this {key}", words.join(" "));
    Answer { status: 404, body: Some(error_body(&code, &message, Some(value))) }
}

/// The lower-case words of a camel-case name (`legalEntity` → legal, entity).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        if c.is_uppercase() || out.is_empty() {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.extend(c.to_lowercase());
        }
    }
    out
}

/// Sets the id where `at` says, creating the objects on the way.
pub(super) fn set_id(answer: &mut Value, at: &IdAt, id: &str) {
    let value = if at.wrapped { json!({ "id": id }) } else { json!(id) };
    if let Some(Value::Object(object)) = pointer_mut(answer, &at.object) {
        object.insert(at.field.clone(), value);
    }
}

/// The value at a JSON pointer of property names and array indexes, made
/// on the way where it is missing or null: an object, or an array as long
/// as the index needs (at most 16).
fn pointer_mut<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    let mut at = value;
    for step in pointer.split('/').skip(1) {
        if let Ok(index) = step.parse::<usize>().map(|i| i.min(15)) {
            if !at.is_array() {
                *at = Value::Array(Vec::new());
            }
            let Value::Array(items) = at else { return None };
            while items.len() <= index {
                items.push(json!({}));
            }
            at = &mut items[index];
        } else {
            if !at.is_object() {
                *at = json!({});
            }
            at = at.as_object_mut()?.entry(step.to_string()).or_insert(Value::Null);
        }
    }
    if at.is_null() {
        *at = json!({});
    }
    Some(at)
}

/// Copies each stored field into `target` where the answer's schema has a
/// property of that name with the same shape as the field was sent as.
fn overlay(doc: &'static Value, target: &mut Map<String, Value>, schema: &'static Value, record: &Record) {
    let answer: HashMap<&str, &Value> = resources::properties(doc, schema).into_iter().collect();
    for (name, value) in &record.fields {
        let (Some(sent), Some(answered)) = (record.schemas.get(name), answer.get(name.as_str())) else { continue };
        if same_shape(doc, sent, answered, 0) {
            target.insert(name.clone(), value.clone());
        }
    }
}

/// Sets each user-facing status of a resource (a string enum with both
/// `CONFIRMED_STATUS` and `CANCELLED_STATUS`) to the one it is in.
fn mark_status(doc: &'static Value, target: &mut Map<String, Value>, schema: &'static Value, cancelled: bool) {
    for (name, property) in resources::properties(doc, schema) {
        let values = property["enum"].as_array();
        let has = |v: &str| values.is_some_and(|e| e.iter().any(|x| x == v));
        if has("CONFIRMED_STATUS") && has("CANCELLED_STATUS") {
            let status = if cancelled { "CANCELLED_STATUS" } else { "CONFIRMED_STATUS" };
            target.insert(name.to_string(), json!(status));
        }
    }
}

/// Whether two schemas take the same values: the same schema, or the same
/// primitive type, or arrays and maps of the same shape.
fn same_shape(doc: &Value, a: &Value, b: &Value, depth: usize) -> bool {
    let (a, b) = (resources::resolve(doc, a), resources::resolve(doc, b));
    if std::ptr::eq(a, b) {
        return true;
    }
    if depth > 4 || a.get("type") != b.get("type") {
        return false;
    }
    match a["type"].as_str() {
        Some("array") => match (a.get("items"), b.get("items")) {
            (Some(x), Some(y)) => same_shape(doc, x, y, depth + 1),
            _ => false,
        },
        Some("string" | "integer" | "number" | "boolean") => {
            a.get("enum") == b.get("enum") && a.get("format") == b.get("format")
        }
        _ => false,
    }
}

/// Whether `value` holds `want` under a key `name`, at most `depth` objects
/// down: as a string, a number, an `{"id": ...}` or an array member.
pub(super) fn holds(value: &Value, name: &str, want: &str, depth: usize) -> bool {
    let Value::Object(map) = value else { return false };
    let matches = |v: &Value| match v {
        Value::String(s) => s.eq_ignore_ascii_case(want),
        Value::Number(n) => n.to_string() == want,
        Value::Bool(b) => b.to_string() == want,
        Value::Object(o) => o.get("id").and_then(Value::as_str) == Some(want),
        _ => false,
    };
    if let Some(v) = map.get(name) {
        return match v {
            Value::Array(items) => items.iter().any(matches),
            v => matches(v),
        };
    }
    depth > 1 && map.values().any(|v| holds(v, name, want, depth - 1))
}

fn percent_decoded(s: &str) -> String {
    super::spec::percent_decode(&s.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_goes_into_arrays_and_wrappers_made_on_the_way() {
        let mut answer = json!({ "keys": null });
        set_id(&mut answer, &IdAt { object: "/keys/0".into(), field: "kid".into(), wrapped: false }, "k1");
        assert_eq!(answer, json!({ "keys": [{ "kid": "k1" }] }));
        let mut answer = json!({ "name": "x" });
        set_id(&mut answer, &IdAt { object: String::new(), field: "id".into(), wrapped: true }, "u1");
        assert_eq!(answer, json!({ "name": "x", "id": { "id": "u1" } }));
    }

    #[test]
    fn not_found_names_the_resource() {
        let body = |a: Answer| a.body.unwrap()["errorMessages"][0].clone();
        assert_eq!(body(not_found("companyId", "x"))["errorCode"], "COMPANY_NOT_FOUND");
        assert_eq!(body(not_found("legalEntityId", "x"))["message"], "no legal entity with this id");
        assert_eq!(body(not_found_by("eventId", "externalId", "x"))["message"], "no event with this externalId");
        assert_eq!(body(not_found("bookingId", "x"))["errorCode"], "BOOKING_NOT_FOUND");
    }

    #[test]
    fn a_filter_finds_its_field_at_depth_as_text_or_an_id_wrapper() {
        let user = json!({ "externalId": "emp-42", "personalInfo": { "email": "Ann@Example.com" }, "businessInfo": { "companyId": { "id": "c-1" } } });
        assert!(holds(&user, "externalId", "emp-42", 3));
        assert!(holds(&user, "email", "ann@example.com", 3), "emails compare without case");
        assert!(holds(&user, "companyId", "c-1", 3));
        assert!(!holds(&user, "companyId", "c-2", 3));
        assert!(!holds(&user, "email", "ann@example.com", 1), "too deep");
    }
}
