//! The API diff: one test per kind of change, each on a small spec built here and
//! a mutated copy, checking the line in `CHANGES.md` and the semver verdict.

use serde_json::{json, Value};
use xtask::diff::{diff, ApiDiff, Policy, Verdict};

const CLOSED: Policy = Policy { enums_are_open: false };
const OPEN: Policy = Policy { enums_are_open: true };

/// Two operations on one path, a company schema with an enum and an inline array
/// of objects, and a shared error response.
fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": { "title": "fixture", "version": "1" },
        "paths": {
            "/v2/companies/{companyId}": {
                "get": {
                    "operationId": "readCompany",
                    "parameters": [
                        { "name": "companyId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                        { "name": "verbose", "in": "query", "schema": { "type": "boolean" } }
                    ],
                    "responses": {
                        "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Company" } } } },
                        "404": { "$ref": "#/components/responses/NotFound" }
                    }
                },
                "put": {
                    "operationId": "updateCompany",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Company" } } } },
                    "responses": { "204": { "description": "Updated" } }
                }
            }
        },
        "components": {
            "schemas": {
                "Company": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "name": { "type": "string" },
                        "kind": { "$ref": "#/components/schemas/CompanyKind" },
                        "offices": { "type": "array", "items": { "type": "object", "properties": { "city": { "type": "string" } } } }
                    }
                },
                "CompanyKind": { "type": "string", "enum": ["PRIVATE", "PUBLIC"] },
                "ErrorResponse": { "type": "object", "properties": { "message": { "type": "string" } } }
            },
            "responses": {
                "NotFound": { "description": "Not found", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } } }
            }
        }
    })
}

/// Diffs the base against a copy changed by `mutate`.
fn changed_with<R>(policy: Policy, mutate: impl FnOnce(&mut Value) -> R) -> (ApiDiff, String) {
    let old = base();
    let mut new = old.clone();
    mutate(&mut new);
    let d = diff(&old, &new, policy);
    let md = d.to_markdown();
    (d, md)
}

/// Asserts that the change `mutate` makes renders `line` and gets `verdict`.
fn assert_change<R>(mutate: impl FnOnce(&mut Value) -> R, line: &str, verdict: Verdict) -> ApiDiff {
    let (d, md) = changed_with(CLOSED, mutate);
    assert!(md.contains(line), "expected {line:?} in:\n{md}");
    assert_eq!(d.verdict(), verdict, "{md}");
    assert!(md.contains(&format!("**Verdict: {}**", verdict.as_str())), "{md}");
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    d
}

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer).unwrap_or_else(|| panic!("fixture has {pointer}"))
}

fn remove(doc: &mut Value, pointer: &str, key: &str) -> Value {
    at(doc, pointer).as_object_mut().expect("an object").remove(key).expect("the key exists")
}

const ITEM: &str = "/paths/~1v2~1companies~1{companyId}";
const READ: &str = "/paths/~1v2~1companies~1{companyId}/get";
const UPDATE: &str = "/paths/~1v2~1companies~1{companyId}/put";
const COMPANY: &str = "/components/schemas/Company";

#[test]
fn identical_specs_have_no_api_changes() {
    let d = diff(&base(), &base(), CLOSED);
    assert!(d.is_empty());
    assert!(d.changes.is_empty() && d.notes.is_empty());
    assert_eq!(d.verdict(), Verdict::NoChanges);
    assert_eq!(d.summary(), "no API changes");
    assert!(d.to_markdown().contains("**Verdict: no API changes**"));
}

#[test]
fn operation_added_is_additive() {
    let d = assert_change(
        |s| {
            at(s, "/paths")["/v2/offices"] =
                json!({ "get": { "operationId": "listOffices", "responses": { "200": { "description": "OK" } } } });
        },
        "### Added\n\n- `listOffices` (`GET /v2/offices`)\n",
        Verdict::Additive,
    );
    assert!(d.summary().contains("Operations: 1 added, 0 removed, 0 changed"), "{}", d.summary());
}

#[test]
fn operation_removed_is_breaking() {
    let d = assert_change(
        |s| remove(s, ITEM, "put"),
        "### Removed\n\n- `updateCompany` (`PUT /v2/companies/{companyId}`) — **breaking**: the client loses its method or type",
        Verdict::Breaking,
    );
    assert!(d.summary().starts_with("API changes: breaking (1 breaking, 0 additive)"), "{}", d.summary());
}

#[test]
fn path_changed_is_additive() {
    assert_change(
        |s| {
            let op = remove(s, ITEM, "put");
            at(s, "/paths")["/v3/companies/{companyId}"] = json!({ "put": op });
        },
        "#### `updateCompany` (`PUT /v3/companies/{companyId}`)\n\n- path changed from `/v2/companies/{companyId}` to `/v3/companies/{companyId}`\n",
        Verdict::Additive,
    );
}

#[test]
fn method_changed_is_additive() {
    assert_change(
        |s| {
            let op = remove(s, ITEM, "put");
            at(s, ITEM)["post"] = op;
        },
        "- method changed from `PUT` to `POST`",
        Verdict::Additive,
    );
}

#[test]
fn optional_parameter_added_is_additive() {
    assert_change(
        |s| {
            at(s, &format!("{READ}/parameters"))
                .as_array_mut()
                .unwrap()
                .push(json!({ "name": "limit", "in": "query", "schema": { "type": "integer" } }))
        },
        "- parameter `limit (query)` added, optional\n",
        Verdict::Additive,
    );
}

#[test]
fn required_parameter_added_is_breaking() {
    assert_change(
        |s| {
            let p = json!({ "name": "X-Request-Id", "in": "header", "required": true, "schema": { "type": "string" } });
            at(s, &format!("{READ}/parameters")).as_array_mut().unwrap().push(p);
        },
        "- parameter `X-Request-Id (header)` added, required — **breaking**: callers must now supply it",
        Verdict::Breaking,
    );
}

#[test]
fn parameter_removed_is_breaking() {
    assert_change(
        |s| at(s, &format!("{READ}/parameters")).as_array_mut().unwrap().pop(),
        "- parameter `verbose (query)` removed — **breaking**: its setter disappears",
        Verdict::Breaking,
    );
}

#[test]
fn parameter_made_required_is_breaking() {
    assert_change(
        |s| at(s, &format!("{READ}/parameters/1"))["required"] = json!(true),
        "- parameter `verbose (query)` made required — **breaking**: calls that leave it unset now fail",
        Verdict::Breaking,
    );
}

#[test]
fn request_body_changes_are_reported() {
    let body = format!("{UPDATE}/requestBody");
    assert_change(
        |s| {
            at(s, &format!("{body}/content/application~1json/schema"))["$ref"] =
                json!("#/components/schemas/CompanyKind")
        },
        "- `request body application/json`: type changed from `Company` to `CompanyKind` — **breaking**",
        Verdict::Breaking,
    );
    assert_change(
        |s| {
            let media = at(s, &format!("{body}/content/application~1json")).take();
            at(s, &body)["content"] = json!({ "application/x-www-form-urlencoded": media });
        },
        "- request body: content types changed from `application/json` to `application/x-www-form-urlencoded` — **breaking**",
        Verdict::Breaking,
    );
    assert_change(|s| at(s, &body)["required"] = json!(false), "- request body made optional\n", Verdict::Additive);
    assert_change(|s| remove(s, UPDATE, "requestBody"), "- request body removed — **breaking**", Verdict::Breaking);
    assert_change(
        |s| {
            at(s, READ)["requestBody"] =
                json!({ "content": { "application/json": { "schema": { "type": "string" } } } })
        },
        "- request body added, optional\n",
        Verdict::Additive,
    );
}

#[test]
fn response_status_added_is_additive_and_removed_is_breaking() {
    assert_change(
        |s| at(s, &format!("{READ}/responses"))["409"] = json!({ "$ref": "#/components/responses/NotFound" }),
        "- response `409` added\n",
        Verdict::Additive,
    );
    assert_change(
        |s| remove(s, &format!("{READ}/responses"), "404"),
        "- response `404` removed — **breaking**: the return and error types follow the responses",
        Verdict::Breaking,
    );
}

#[test]
fn response_schema_changed_is_breaking() {
    assert_change(
        |s| at(s, "/components/responses/NotFound/content/application~1json/schema")["$ref"] = json!("#/components/schemas/Company"),
        "- `response 404 application/json`: type changed from `ErrorResponse` to `Company` — **breaking**: the Rust type changes",
        Verdict::Breaking,
    );
}

#[test]
fn schema_added_is_additive() {
    assert_change(
        |s| at(s, "/components/schemas")["Office"] = json!({ "type": "object" }),
        "## Schemas\n\n### Added\n\n- `Office`\n",
        Verdict::Additive,
    );
}

#[test]
fn schema_removed_is_breaking() {
    assert_change(
        |s| remove(s, "/components/schemas", "ErrorResponse"),
        "### Removed\n\n- `ErrorResponse` — **breaking**: the client loses its method or type",
        Verdict::Breaking,
    );
}

#[test]
fn optional_property_added_is_additive() {
    let d = assert_change(
        |s| at(s, &format!("{COMPANY}/properties"))["website"] = json!({ "type": "string" }),
        "#### `Company`\n\n- property `Company.website` added, optional\n",
        Verdict::Additive,
    );
    assert!(d.to_markdown().contains("A new **optional property** is additive"));
    assert_change(
        |s| at(s, &format!("{COMPANY}/properties/offices/items/properties"))["country"] = json!({ "type": "string" }),
        "- property `Company.offices[].country` added, optional\n",
        Verdict::Additive,
    );
}

#[test]
fn required_property_added_is_breaking() {
    assert_change(
        |s| {
            at(s, &format!("{COMPANY}/properties"))["website"] = json!({ "type": "string" });
            at(s, &format!("{COMPANY}/required")).as_array_mut().unwrap().push(json!("website"));
        },
        "- property `Company.website` added, required — **breaking**: struct literals and builders must set the new field",
        Verdict::Breaking,
    );
}

#[test]
fn property_removed_is_breaking() {
    assert_change(
        |s| remove(s, &format!("{COMPANY}/properties"), "name"),
        "- property `Company.name` removed — **breaking**: the field disappears",
        Verdict::Breaking,
    );
}

#[test]
fn required_changed_is_breaking_both_ways() {
    assert_change(
        |s| at(s, COMPANY)["required"] = json!(["id", "name"]),
        "- property `Company.name` made required — **breaking**: the field's type moves between `T` and `Option<T>`",
        Verdict::Breaking,
    );
    assert_change(
        |s| at(s, COMPANY)["required"] = json!([]),
        "- property `Company.id` made optional — **breaking**",
        Verdict::Breaking,
    );
}

#[test]
fn enum_value_added_is_breaking_while_enums_are_closed_and_additive_when_open() {
    assert_eq!(Policy::default(), Policy { enums_are_open: xtask::diff::ENUMS_ARE_OPEN });
    let add =
        |s: &mut Value| at(s, "/components/schemas/CompanyKind/enum").as_array_mut().unwrap().push(json!("NONPROFIT"));
    let line = "- `CompanyKind`: enum value `NONPROFIT` added";
    let d = assert_change(add, &format!("{line} — **breaking**: enums are closed"), Verdict::Breaking);
    assert!(d.to_markdown().contains("A new **enum value** is breaking"));

    let (d, md) = changed_with(OPEN, add);
    assert_eq!(d.verdict(), Verdict::Additive);
    assert!(md.contains(&format!("{line}\n")), "{md}");
    assert!(md.contains("A new **enum value** is additive"), "{md}");
}

#[test]
fn enum_value_removed_is_breaking() {
    assert_change(
        |s| at(s, "/components/schemas/CompanyKind/enum").as_array_mut().unwrap().pop(),
        "- `CompanyKind`: enum value `PUBLIC` removed — **breaking**: the variant disappears",
        Verdict::Breaking,
    );
}

#[test]
fn type_changes_are_breaking() {
    let cases: [(&str, Value, &str); 5] = [
        ("name", json!({ "type": "integer" }), "`Company.name`: type changed from `string` to `integer`"),
        (
            "name",
            json!({ "type": "string", "nullable": true }),
            "`Company.name`: type changed from `string` to `string | null`",
        ),
        ("id", json!({ "type": "string" }), "`Company.id`: type changed from `string(uuid)` to `string`"),
        (
            "kind",
            json!({ "$ref": "#/components/schemas/ErrorResponse" }),
            "`Company.kind`: type changed from `CompanyKind` to `ErrorResponse`",
        ),
        (
            "offices",
            json!({ "type": "array", "items": { "type": "string" } }),
            "`Company.offices[]`: type changed from `object` to `string`",
        ),
    ];
    for (property, schema, line) in cases {
        assert_change(
            |s| at(s, &format!("{COMPANY}/properties"))[property] = schema,
            &format!("- {line} — **breaking**: the Rust type changes"),
            Verdict::Breaking,
        );
    }
    // A `$ref` wrapped in a one-member `allOf` (how the normaliser keeps siblings) is the same type.
    let (d, _) = changed_with(CLOSED, |s| {
        at(s, &format!("{COMPANY}/properties"))["kind"] =
            json!({ "allOf": [{ "$ref": "#/components/schemas/CompanyKind" }], "description": "kind" });
    });
    assert!(d.is_empty(), "{:?}", d.changes);
}

#[test]
fn malformed_parts_are_noted_not_compared() {
    let (d, md) = changed_with(CLOSED, |s| {
        s["paths"] = json!(["not", "an", "object"]);
        at(s, "/components")["schemas"] = json!(7);
    });
    assert!(d.notes.iter().any(|n| n.contains("`paths` is not an object")), "{:?}", d.notes);
    assert!(d.notes.iter().any(|n| n.contains("`components/schemas` is not an object")), "{:?}", d.notes);
    assert!(md.contains("## Not compared"), "{md}");
    assert!(d.is_empty(), "{:?}", d.changes);
    let (d, _) = changed_with(CLOSED, |s| at(s, READ)["responses"] = json!("oops"));
    assert!(d.notes.iter().any(|n| n.contains("readCompany: `responses` is not an object")), "{:?}", d.notes);
    assert!(d.is_empty(), "a malformed part is skipped, not reported as removed");
}
