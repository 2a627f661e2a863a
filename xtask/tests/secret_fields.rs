//! The `secret-fields` rule on a small hand-made document: which properties
//! become `format: password`, what they lose, and what the report says.

use serde_json::{json, Value};
use xtask::normalize::report::RuleLog;
use xtask::normalize::{normalize, Document, Normalized, Report};

/// One 3.1 document with an operation that reaches every schema (unreached
/// schemas are dropped) and an inline request body.
fn document() -> Document {
    let reply = |schema: &str| {
        json!({ "200": { "description": "ok", "content": { "application/json": {
            "schema": { "$ref": format!("#/components/schemas/{schema}") }
        } } } })
    };
    Document {
        name: "payments".into(),
        value: json!({
            "openapi": "3.1.0",
            "info": { "title": "payments", "version": "1" },
            "paths": {
                "/cards": { "post": {
                    "operationId": "listCards",
                    "requestBody": { "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": {
                            "pageToken": { "type": "string" },
                            "password": { "type": ["string", "null"], "minLength": 8, "description": "The user's password." }
                        }
                    } } } },
                    "responses": reply("ListCardsResponse")
                } },
                "/users": { "get": { "operationId": "getUser", "responses": reply("ApiUser") } }
            },
            "components": { "schemas": {
                "ListCardsResponse": { "type": "object", "properties": {
                    "cards": { "type": "array", "items": { "$ref": "#/components/schemas/Card" } },
                    "nextPageToken": { "type": "string" }
                } },
                "Card": { "type": "object", "properties": {
                    "number": { "type": "string", "pattern": "^[0-9]{12,19}$", "example": "4111111111111111" },
                    "cvv": { "type": "string", "maxLength": 4 },
                    "isCvvRequired": { "type": "boolean" },
                    "tokenType": { "type": "string", "enum": ["VAULT", "NETWORK"] }
                } },
                "ApiUser": { "type": "object", "properties": {
                    "clientSecret": { "type": "string", "x-pii": true, "description": "The API user's secret." },
                    "travelerNumber": { "$ref": "#/components/schemas/KnownTravelerNumber" }
                } },
                "KnownTravelerNumber": { "type": "object", "properties": {
                    "number": { "type": "string" },
                    "issueCountry": { "type": "string" }
                } }
            } }
        }),
    }
}

fn normalized() -> Normalized {
    normalize(vec![document()]).expect("normalises")
}

/// The rule's log in a report.
fn rule(report: &Report) -> &RuleLog {
    report.rules.iter().find(|r| r.id == "secret-fields").expect("the rule is logged")
}

fn schema<'a>(out: &'a Value, name: &str) -> &'a Value {
    &out["components"]["schemas"][name]["properties"]
}

fn request_body(out: &Value) -> &Value {
    &out["paths"]["/cards"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
}

#[test]
fn card_data_and_credentials_become_exactly_password_strings() {
    let out = normalized().document;
    let card = schema(&out, "Card");
    assert_eq!(card["number"], json!({ "type": "string", "example": "4111111111111111", "format": "password" }));
    assert_eq!(card["cvv"], json!({ "type": "string", "format": "password" }));
    assert_eq!(
        schema(&out, "ApiUser")["clientSecret"],
        json!({ "type": "string", "description": "The API user's secret.", "format": "password" })
    );
    assert_eq!(
        request_body(&out)["password"],
        json!({ "type": "string", "nullable": true, "description": "The user's password.", "format": "password" })
    );
}

#[test]
fn cursors_flags_enums_and_other_numbers_are_left_alone() {
    let out = normalized().document;
    assert_eq!(schema(&out, "ListCardsResponse")["nextPageToken"], json!({ "type": "string" }));
    assert_eq!(request_body(&out)["pageToken"], json!({ "type": "string" }));
    let card = schema(&out, "Card");
    assert_eq!(card["isCvvRequired"], json!({ "type": "boolean" }));
    assert!(card["tokenType"].get("format").is_none(), "an enum is not a secret");
    assert_eq!(schema(&out, "KnownTravelerNumber")["number"], json!({ "type": "string" }));
}

#[test]
fn the_report_names_each_field_and_what_it_lost() {
    let report = normalized().report;
    let rule = rule(&report);
    assert!(rule.why.contains("spotnana::Secret") && rule.why.contains("src/secret_fields.rs"), "{}", rule.why);
    let expected = [
        "Card.number (dropped `pattern`)",
        "Card.cvv (dropped `maxLength`)",
        "ApiUser.clientSecret (dropped `x-pii`)",
        "listCards request body (application/json).password (dropped `minLength`; stays nullable)",
    ];
    assert_eq!(rule.changes, expected);
}

#[test]
fn an_already_marked_property_is_still_cleaned_and_logged() {
    let mut doc = document();
    doc.value["components"]["schemas"]["ApiUser"]["properties"]["pin"] =
        json!({ "type": "string", "format": "password", "x-sunset": "2026-07-01" });
    let normalized = normalize(vec![doc]).expect("normalises");
    assert_eq!(schema(&normalized.document, "ApiUser")["pin"], json!({ "type": "string", "format": "password" }));
    let rule = rule(&normalized.report);
    assert!(
        rule.changes.contains(&"ApiUser.pin (already `format: password`; dropped `x-sunset`)".to_string()),
        "{:?}",
        rule.changes
    );
}
