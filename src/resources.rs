//! Resource families: the operations that create, read, update, delete and
//! list one kind of resource, found from the shape of their paths.
//!
//! The rule: a `POST` on a collection path that ends in a literal segment
//! (`/v2/users`) is a family's create when some operation sits on the item
//! path below it (`/v2/users/{userId}`). Operations on the item path, or on
//! the same path under another version prefix (`/v3/trips/{tripId}` for
//! `/v2/trips`), read it (`GET`), replace it (`PUT`), merge into it (`PATCH`,
//! `POST`) or delete it (`DELETE`). A `GET` on the collection, or a `POST` on
//! `{collection}/list`, lists it. Where each answer carries the id is found
//! from the answer's schema by [`id_at`].
//!
//! A family's create is safe to repeat when its body carries an external id
//! (`externalId`, or `external…Id` inside an `external…` object) and a `GET`
//! with an `externalId` query parameter finds it: on the collection, on
//! `{collection}/{word}`, or on another path ending in the collection's last
//! segment (`/v2/pnrs` for `/v3/trips/{tripId}/pnrs`).
//!
//! The sandbox keeps state by this rule, `build.rs` generates
//! `send_or_find()` from it, and `cargo xtask regen` includes this file by
//! path to record both in `openapi/NORMALIZATION.md`, so the three agree.

use serde_json::Value;

/// One kind of resource and the operations on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The collection path the create posts to, such as `/v2/users`.
    pub collection: String,
    /// The path parameter that names one resource, such as `userId`.
    pub id_param: String,
    /// Whether that parameter is a UUID.
    pub uuid_ids: bool,
    /// The create's operation id.
    pub create: String,
    /// Where the create's answer carries the new id, if it has a body.
    pub created_id: Option<IdAt>,
    /// The read operation and where its answer carries the id.
    pub read: Option<(String, IdAt)>,
    /// Update operations, each with whether it merges (`true`) or replaces.
    pub updates: Vec<(String, bool)>,
    /// Delete operations.
    pub deletes: Vec<String>,
    /// List operations.
    pub lists: Vec<Listing>,
    /// The lookup that makes the create safe to repeat, when there is one.
    pub lookup: Option<Lookup>,
}

/// Where an answer carries a resource's id: the object at `object` (a JSON
/// pointer, `""` for the answer itself; `/0` steps into an array) has it in
/// `field`, as a string, or as `{"id": ...}` when `wrapped`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdAt {
    /// JSON pointer to the object holding the id.
    pub object: String,
    /// The id's property.
    pub field: String,
    /// Whether the property is an object `{"id": ...}` rather than the id.
    pub wrapped: bool,
}

impl IdAt {
    /// The JSON pointer of the id itself.
    pub fn pointer(&self) -> String {
        let wrap = if self.wrapped { "/id" } else { "" };
        format!("{}/{}{wrap}", self.object, self.field)
    }
}

/// A list operation of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// The operation id.
    pub operation: String,
    /// The array property of the answer that holds the items.
    pub items: String,
    /// Where one item carries the id.
    pub item_id: Option<IdAt>,
    /// Query parameters that filter by a field of the resource: those whose
    /// name the create's body has (at any depth up to three).
    pub filters: Vec<String>,
}

/// How to find what an earlier create made, by its external id.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// The lookup's operation id.
    pub operation: String,
    /// Its path template.
    pub path: String,
    /// JSON pointer of the external id in the create's body.
    pub external_id: String,
    /// The lookup's query parameter that takes the external id.
    pub param: String,
    /// Other parameters of the lookup the create's request can fill: the
    /// parameter, whether it is in the path, and where the create has it.
    pub params: Vec<(String, bool, Source)>,
    /// Where the lookup's answer carries the found resource's id.
    pub found: IdAt,
}

/// Where a create's request holds a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A path parameter of the create, by name.
    Path(String),
    /// A JSON pointer into the create's body.
    Body(String),
}

/// One operation: path, lower-case method and the operation object.
type Op<'a> = (&'a str, &'a str, &'a Value);

/// The families among `operations` (as `crate::spec::operations` gives them),
/// in document order, with `$ref`s resolved against `doc`.
pub fn families<'a>(doc: &'a Value, operations: impl Iterator<Item = Op<'a>>) -> Vec<Family> {
    let ops: Vec<Op<'a>> = operations.collect();
    let mut out = Vec::new();
    for &(collection, method, create) in &ops {
        if method != "post" || collection.ends_with('}') {
            continue;
        }
        let below: Vec<&Op<'a>> = ops.iter().filter(|(p, _, _)| item_param(collection, p).is_some()).collect();
        let Some(&&(item_path, _, _)) = below.iter().find(|(p, _, _)| same_version(collection, p)).or(below.first())
        else {
            continue;
        };
        let Some(id_param) = item_param(collection, item_path) else { continue };
        // Operations on the item path, those of its own version first.
        let mut items: Vec<&Op<'a>> = below.clone();
        items.sort_by_key(|(p, _, _)| !same_version(collection, p));
        let id = |op: &Value| op["operationId"].as_str().unwrap_or_default().to_string();
        let first = |m: &str| items.iter().find(|(_, method, _)| *method == m).map(|(_, _, op)| *op);
        let read = first("get").and_then(|op| Some((id(op), id_at(doc, answer(doc, op)?, &id_param)?)));
        let updates = items
            .iter()
            .filter_map(|(_, m, op)| match *m {
                "put" => Some((id(op), false)),
                "patch" | "post" => Some((id(op), true)),
                _ => None,
            })
            .collect();
        let deletes = items.iter().filter(|(_, m, _)| *m == "delete").map(|(_, _, op)| id(op)).collect();
        let lists: Vec<Listing> = ops
            .iter()
            .filter(|(p, m, _)| {
                (*m == "get" && unversioned(p) == unversioned(collection))
                    || (*m == "post" && unversioned(p) == format!("{}/list", unversioned(collection)))
            })
            .filter_map(|(_, _, op)| listing(doc, op, create, &id_param))
            .collect();
        let created_id = answer(doc, create).and_then(|a| id_at(doc, a, &id_param));
        // UUIDs where the item path says so, or where any answer's id is one.
        let is_uuid = |schema: Option<&Value>, at: Option<&IdAt>| {
            at.and_then(|at| schema_at(doc, schema?, &at.pointer())).is_some_and(|s| s["format"] == "uuid")
        };
        let uuid_ids =
            items.iter().any(|(_, _, op)| param_schema(doc, op, &id_param).is_some_and(|s| s["format"] == "uuid"))
                || is_uuid(answer(doc, create), created_id.as_ref())
                || read.as_ref().is_some_and(|(op, at)| {
                    ops.iter().any(|(_, _, o)| o["operationId"] == op.as_str() && is_uuid(answer(doc, o), Some(at)))
                })
                || lists.iter().any(|l: &Listing| {
                    let op = ops.iter().find(|(_, _, o)| o["operationId"] == l.operation.as_str());
                    let item = op.and_then(|(_, _, o)| schema_at(doc, answer(doc, o)?, &format!("/{}/0", l.items)));
                    is_uuid(item, l.item_id.as_ref())
                });
        out.push(Family {
            collection: collection.to_string(),
            created_id,
            lookup: lookup(doc, &ops, collection, create),
            id_param,
            uuid_ids,
            create: id(create),
            read,
            updates,
            deletes,
            lists,
        });
    }
    out
}

/// The parameter name when `path` is `collection/{name}`, in any version.
fn item_param(collection: &str, path: &str) -> Option<String> {
    let rest =
        unversioned(path).strip_prefix(&unversioned(collection))?.strip_prefix("/{")?.strip_suffix('}')?.to_string();
    (!rest.contains('/')).then_some(rest)
}

/// The path without its leading version segment (`/v2`, `/v3`).
fn unversioned(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let versioned = first.len() > 1 && first.starts_with('v') && first[1..].bytes().all(|b| b.is_ascii_digit());
    if versioned {
        format!("/{rest}")
    } else {
        path.to_string()
    }
}

fn same_version(a: &str, b: &str) -> bool {
    a.split('/').nth(1) == b.split('/').nth(1)
}

/// The schema of an operation's first success answer in JSON.
pub fn answer<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    Some(resolve(doc, response.pointer("/content/application~1json/schema")?))
}

/// The JSON body schema of an operation's request.
pub fn request<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    Some(resolve(doc, op.pointer("/requestBody/content/application~1json/schema")?))
}

fn param_schema<'a>(doc: &'a Value, op: &'a Value, name: &str) -> Option<&'a Value> {
    let params = op.get("parameters")?.as_array()?;
    let param = params.iter().map(|p| resolve(doc, p)).find(|p| p["name"] == name)?;
    Some(resolve(doc, param.get("schema")?))
}

/// The schema of the value at `pointer` (property names; a step into an
/// array takes its items) in an instance of `schema`.
pub fn schema_at<'a>(doc: &'a Value, schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut at = resolve(doc, schema);
    for step in pointer.split('/').skip(1) {
        at = if at["type"] == "array" {
            resolve(doc, at.get("items")?)
        } else {
            properties(doc, at).into_iter().find(|(n, _)| *n == step)?.1
        };
    }
    Some(at)
}

/// Follows `$ref`s, and an `allOf` of one part with nothing beside it.
pub fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            match target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(next) => schema = next,
                None => return schema,
            }
        } else if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            if schema.get("properties").is_some() {
                return schema;
            }
            schema = only;
        } else {
            return schema;
        }
    }
    schema
}

/// An object schema's properties, its `allOf` parts' included, resolved.
pub fn properties<'a>(doc: &'a Value, schema: &'a Value) -> Vec<(&'a str, &'a Value)> {
    let schema = resolve(doc, schema);
    let mut out: Vec<(&str, &Value)> =
        schema["allOf"].as_array().into_iter().flatten().flat_map(|part| properties(doc, part)).collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        out.push((name.as_str(), resolve(doc, property)));
    }
    out
}

/// Whether a schema is an object whose only identifying property is `id`
/// (Spotnana's `EntityId`, `CompanyId`, `UserId`).
fn is_id_wrapper(doc: &Value, schema: &Value) -> bool {
    let props = properties(doc, schema);
    props.len() == 1 && props[0].0 == "id" && props[0].1["type"] == "string"
}

/// Where the answer `schema` carries the id of a resource named by the path
/// parameter `param`: a property named `param`, else `id`, on the answer;
/// else the same one level down, in an object property or the first item
/// of an array property, in property order.
pub fn id_at(doc: &Value, schema: &Value, param: &str) -> Option<IdAt> {
    id_below(doc, schema, param, String::new(), 0)
}

fn id_below(doc: &Value, schema: &Value, param: &str, object: String, depth: usize) -> Option<IdAt> {
    let props = properties(doc, schema);
    for name in [param, "id"] {
        if let Some((_, property)) = props.iter().find(|(n, _)| *n == name) {
            let wrapped = is_id_wrapper(doc, property);
            if wrapped || property["type"] == "string" {
                return Some(IdAt { object, field: name.to_string(), wrapped });
            }
        }
    }
    if depth >= 1 {
        return None;
    }
    props.iter().find_map(|(name, property)| {
        if property["type"] == "array" {
            let item = resolve(doc, property.get("items")?);
            id_below(doc, item, param, format!("{object}/{name}/0"), depth + 1)
        } else if property["type"] == "object"
            || property.get("properties").is_some()
            || property.get("allOf").is_some()
        {
            id_below(doc, property, param, format!("{object}/{name}"), depth + 1)
        } else {
            None
        }
    })
}

/// A list operation: its answer's items array and the filters it offers.
fn listing(doc: &Value, op: &Value, create: &Value, id_param: &str) -> Option<Listing> {
    let answer = answer(doc, op)?;
    let tagged = op.pointer("/x-spotnana-pagination/items").and_then(Value::as_str);
    let arrays: Vec<(&str, &Value)> =
        properties(doc, answer).into_iter().filter(|(_, p)| p["type"] == "array").collect();
    let (items, array) = match tagged {
        Some(name) => *arrays.iter().find(|(n, _)| *n == name)?,
        None if arrays.len() == 1 => arrays[0],
        None => return None,
    };
    let item = resolve(doc, array.get("items")?);
    let paging: Vec<&str> =
        ["start", "size"].iter().filter_map(|k| op.pointer(&format!("/x-spotnana-pagination/{k}"))?.as_str()).collect();
    let body = request(doc, create);
    let filters = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .filter(|name| !paging.contains(name))
        .filter(|name| body.is_some_and(|b| find_property(doc, b, name, 3).is_some()))
        .map(str::to_string)
        .collect();
    Some(Listing {
        operation: op["operationId"].as_str()?.to_string(),
        items: items.to_string(),
        item_id: id_at(doc, item, id_param),
        filters,
    })
}

/// The JSON pointer of a property called `name` in `schema`, at most
/// `depth` levels down (through object properties only), shallowest first;
/// `/id` is appended when the property is an id wrapper.
pub fn find_property(doc: &Value, schema: &Value, name: &str, depth: usize) -> Option<String> {
    let props = properties(doc, schema);
    if let Some((_, p)) = props.iter().find(|(n, _)| *n == name) {
        return Some(if is_id_wrapper(doc, p) { format!("/{name}/id") } else { format!("/{name}") });
    }
    if depth <= 1 {
        return None;
    }
    props
        .iter()
        .filter(|(_, p)| p["type"] == "object" || p.get("properties").is_some())
        .find_map(|(n, p)| find_property(doc, p, name, depth - 1).map(|rest| format!("/{n}{rest}")))
}

/// The external id of a create's body: `externalId`, else `external…Id`
/// inside an `external…` object.
fn external_id(doc: &Value, body: &Value) -> Option<String> {
    let props = properties(doc, body);
    if props.iter().any(|(n, p)| *n == "externalId" && p["type"] == "string") {
        return Some("/externalId".into());
    }
    props.iter().filter(|(n, _)| n.starts_with("external")).find_map(|(outer, p)| {
        let inner = properties(doc, p);
        let (name, _) =
            inner.iter().find(|(n, s)| n.starts_with("external") && n.ends_with("Id") && s["type"] == "string")?;
        Some(format!("/{outer}/{name}"))
    })
}

/// The lookup that finds a create's resource by its external id.
fn lookup(doc: &Value, ops: &[Op<'_>], collection: &str, create: &Value) -> Option<Lookup> {
    let body = request(doc, create)?;
    let external = external_id(doc, body)?;
    let last = collection.rsplit('/').next()?;
    let rank = |path: &str| {
        let rest = path.strip_prefix(collection);
        match rest {
            Some("") => Some(0),
            Some(r) if r.starts_with('/') && !r[1..].contains('/') && !r.contains('{') => Some(1),
            _ if path.rsplit('/').next() == Some(last) && !path.contains('{') => Some(2),
            _ => None,
        }
    };
    let takes_external_id = |op: &Value| {
        op["parameters"].as_array().into_iter().flatten().any(|p| {
            let p = resolve(doc, p);
            p["in"] == "query" && p["name"] == "externalId"
        })
    };
    let (path, _, op) = ops
        .iter()
        .filter(|(p, m, op)| *m == "get" && takes_external_id(op) && rank(p).is_some())
        .min_by_key(|(p, _, _)| rank(p))?;
    let create_path_params: Vec<String> = create["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter(|p| p["in"] == "path")
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    let mut params = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten().map(|p| resolve(doc, p)) {
        let Some(name) = p["name"].as_str() else { continue };
        if name == "externalId" {
            continue;
        }
        let in_path = p["in"] == "path";
        // Optional parameters only narrow the search: send those the path
        // gives, and the body's only where the lookup needs them.
        let required = p["required"] == true || in_path;
        let source = if create_path_params.iter().any(|c| c == name) {
            Some(Source::Path(name.to_string()))
        } else {
            find_property(doc, body, name, 2).filter(|_| required).map(Source::Body)
        };
        match source {
            Some(source) => params.push((name.to_string(), in_path, source)),
            None if required => return None,
            None => {}
        }
    }
    let id_param = collection_id_param(ops, collection).unwrap_or_else(|| "id".into());
    Some(Lookup {
        operation: op["operationId"].as_str()?.to_string(),
        path: path.to_string(),
        external_id: external,
        param: "externalId".into(),
        params,
        found: id_at(doc, answer(doc, op)?, &id_param)?,
    })
}

fn collection_id_param(ops: &[Op<'_>], collection: &str) -> Option<String> {
    ops.iter().find_map(|(p, _, _)| item_param(collection, p))
}

/// The first array property of `schema` whose items have a property
/// `name`: the array's name and its item schema.
pub fn array_with<'a>(doc: &'a Value, schema: &'a Value, name: &str) -> Option<(&'a str, &'a Value)> {
    properties(doc, schema).into_iter().find_map(|(array, p)| {
        let item = resolve(doc, p.get("items")?);
        (p["type"] == "array" && properties(doc, item).iter().any(|(n, _)| *n == name)).then_some((array, item))
    })
}

/// How bookings reach trips: the operations that book a PNR onto a trip,
/// issue booking ids for a trip, cancel a PNR, or show a trip's PNRs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bookings {
    /// `POST …/create-pnr` operations whose answer has a `pnrId`: the
    /// operation, and where its request names the trip, directly (a
    /// `tripId`, or `{"id"}` wrapper, at most two objects down) or through
    /// a `bookingId` that an issuer gave for a trip.
    pub books: Vec<(String, Booked)>,
    /// `POST` operations whose request names a trip and whose answer has a
    /// top-level `bookingId`: the ids they issue stand for that trip. With
    /// the request's trip pointer.
    pub issuers: Vec<(String, String)>,
    /// `POST …/cancel-pnr` and `POST …/pnrs/{pnrId}/cancel`: the operation
    /// and where it names the PNR (a path parameter or a body pointer).
    pub cancels: Vec<(String, Source)>,
    /// `GET` operations below a trip's item path (`/v3/trips/{tripId}/detail`)
    /// whose answer has an array of items with a `pnrId`: the operation and
    /// that array.
    pub trip_views: Vec<(String, String)>,
    /// `POST …/list` operations whose answer has an array of items with a
    /// `tripId` and an array of their own with a `pnrId` (the trip summary
    /// lists): the operation and that array.
    pub trip_lists: Vec<(String, String)>,
}

/// Where a booking's request names its trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    /// A JSON pointer to the trip id.
    Trip(String),
    /// A JSON pointer to a booking id an issuer gave.
    BookingId(String),
}

/// The booking operations among `operations`, by the shapes [`Bookings`]
/// describes.
pub fn bookings<'a>(doc: &'a Value, operations: impl Iterator<Item = Op<'a>>) -> Bookings {
    let ops: Vec<Op<'a>> = operations.collect();
    let mut out = Bookings::default();
    let id = |op: &Value| op["operationId"].as_str().unwrap_or_default().to_string();
    let top = |schema: Option<&'a Value>, name: &str| {
        schema.is_some_and(|s| properties(doc, s).iter().any(|(n, p)| *n == name && p["type"] == "string"))
    };
    let array_of = |op: &'a Value, name: &str| Some(array_with(doc, answer(doc, op)?, name)?.0.to_string());
    for &(path, method, op) in &ops {
        let last = path.rsplit('/').next().unwrap_or_default();
        let body = request(doc, op);
        let trip = body.and_then(|b| find_property(doc, b, "tripId", 2));
        match method {
            "post" if last == "create-pnr" && top(answer(doc, op), "pnrId") => {
                let named = trip
                    .map(Booked::Trip)
                    .or_else(|| top(body, "bookingId").then(|| Booked::BookingId("/bookingId".into())));
                if let Some(named) = named {
                    out.books.push((id(op), named));
                }
            }
            "post" if last == "cancel-pnr" || (last == "cancel" && path.ends_with("{pnrId}/cancel")) => {
                let pnr = if path.contains("{pnrId}") {
                    Some(Source::Path("pnrId".into()))
                } else {
                    top(body, "pnrId").then(|| Source::Body("/pnrId".into()))
                };
                if let Some(pnr) = pnr {
                    out.cancels.push((id(op), pnr));
                }
            }
            "post" if top(answer(doc, op), "bookingId") => {
                if let Some(trip) = trip {
                    out.issuers.push((id(op), trip));
                }
            }
            _ => {}
        }
        if method == "get" && path.ends_with("}/detail") && path.contains("{tripId}") {
            if let Some(array) = array_of(op, "pnrId") {
                out.trip_views.push((id(op), array));
            }
        }
        let summaries = answer(doc, op)
            .and_then(|a| array_with(doc, a, "tripId"))
            .filter(|(_, item)| array_with(doc, item, "pnrId").is_some());
        if let (true, Some((array, _))) = (method == "post" && last == "list", summaries) {
            out.trip_lists.push((id(op), array.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "paths": {},
            "components": { "schemas": {
                "EntityId": { "type": "object", "required": ["id"], "properties": { "id": { "type": "string", "format": "uuid" } } },
                "Thing": { "type": "object", "properties": {
                    "id": { "$ref": "#/components/schemas/EntityId" },
                    "name": { "type": "string" },
                    "externalId": { "type": "string" },
                    "owner": { "type": "object", "properties": { "companyId": { "$ref": "#/components/schemas/EntityId" } } }
                } },
                "Things": { "type": "object", "properties": {
                    "length": { "type": "integer" },
                    "elements": { "type": "array", "items": { "$ref": "#/components/schemas/Thing" } }
                } }
            } }
        })
    }

    fn op(id: &str, params: Value, body: Option<&str>, answer: Option<&str>) -> Value {
        let mut op = json!({ "operationId": id, "parameters": params, "responses": { "200": {} } });
        if let Some(b) = body {
            op["requestBody"] = json!({ "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{b}") } } } });
        }
        if let Some(a) = answer {
            op["responses"]["200"] = json!({ "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{a}") } } } });
        }
        op
    }

    #[test]
    fn a_collection_with_item_operations_is_a_family_with_a_lookup() {
        let doc = doc();
        let path_id = json!([{ "name": "thingId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }]);
        let query = json!([{ "name": "externalId", "in": "query", "schema": { "type": "string" } },
                           { "name": "companyId", "in": "query", "required": true, "schema": { "type": "string" } },
                           { "name": "verbose", "in": "query", "schema": { "type": "boolean" } }]);
        let ops = [
            ("/v2/things", "post", op("createThing", json!([]), Some("Thing"), Some("EntityId"))),
            ("/v2/things", "get", op("listThings", query, None, Some("Things"))),
            ("/v2/things/{thingId}", "get", op("getThing", path_id.clone(), None, Some("Thing"))),
            ("/v3/things/{thingId}", "delete", op("deleteThing", path_id.clone(), None, None)),
            ("/v2/things/{thingId}", "patch", op("patchThing", path_id, Some("Thing"), None)),
            ("/v2/other", "post", op("createOther", json!([]), Some("Thing"), None)),
        ];
        let families = families(&doc, ops.iter().map(|(p, m, o)| (*p, *m, o)));
        assert_eq!(families.len(), 1, "a POST with nothing below it is no family");
        let f = &families[0];
        assert_eq!((f.collection.as_str(), f.id_param.as_str(), f.uuid_ids), ("/v2/things", "thingId", true));
        assert_eq!(f.created_id, Some(IdAt { object: String::new(), field: "id".into(), wrapped: false }));
        let (read, at) = f.read.clone().unwrap();
        assert_eq!((read.as_str(), at.pointer().as_str()), ("getThing", "/id/id"));
        assert_eq!(f.updates, vec![("patchThing".to_string(), true)]);
        assert_eq!(f.deletes, vec!["deleteThing".to_string()], "another version's item path counts");
        assert_eq!(f.lists.len(), 1);
        assert_eq!(f.lists[0].items, "elements");
        assert_eq!(f.lists[0].filters, vec!["externalId".to_string(), "companyId".to_string()], "verbose is no field");
        let lookup = f.lookup.clone().unwrap();
        assert_eq!((lookup.operation.as_str(), lookup.external_id.as_str()), ("listThings", "/externalId"));
        assert_eq!(lookup.params, vec![("companyId".to_string(), false, Source::Body("/owner/companyId/id".into()))]);
        assert_eq!(lookup.found.pointer(), "/elements/0/id/id");
    }

    #[test]
    fn version_prefixes_are_ignored_only_at_the_start() {
        assert_eq!(unversioned("/v3/trips/{tripId}"), "/trips/{tripId}");
        assert_eq!(unversioned("/vip/trips"), "/vip/trips");
        assert_eq!(item_param("/v2/trips", "/v3/trips/{tripId}").as_deref(), Some("tripId"));
        assert_eq!(item_param("/v2/trips", "/v2/trips/{tripId}/notes"), None);
    }
}
