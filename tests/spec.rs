//! The spec pipeline: vendored documents are Spotnana's, byte for byte; the
//! checked-in normalised spec is what `cargo xtask regen` writes now; output is
//! deterministic; and a document the normaliser cannot take is refused with an
//! error that names the operation.

use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};
use xtask::normalize::{normalize, Document, NormalizeError};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn upstream_documents_match_their_published_checksums() {
    let sums = std::fs::read_to_string(root().join("openapi/upstream/SHA256SUMS")).expect("SHA256SUMS is vendored");
    let mut checked = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (want, file) = line.split_once("  ").expect("sha256sum format: HASH  FILE");
        let bytes = std::fs::read(root().join("openapi/upstream").join(file)).expect("the listed file is vendored");
        let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want, "openapi/upstream/{file} differs from what Spotnana published");
        checked += 1;
    }
    assert_eq!(checked, 11, "all eleven documents are pinned");
    let shared = root().join("../shared/spotnana-openapi/SHA256SUMS");
    if let Ok(theirs) = std::fs::read_to_string(shared) {
        assert_eq!(theirs, sums, "the vendored SHA256SUMS is the shared one");
    }
}

#[test]
fn checked_in_spec_is_what_regen_writes() {
    let rendered = xtask::regen::render(&root().join("openapi/upstream")).expect("the upstream documents normalise");
    for (file, want) in [
        ("openapi/spotnana.json", &rendered.spec),
        ("openapi/NORMALIZATION.md", &rendered.report),
        ("tests/every_operation/calls.rs", &rendered.calls),
        ("tests/every_operation/streams.rs", &rendered.streams),
    ] {
        let have = std::fs::read_to_string(root().join(file)).unwrap_or_default();
        assert!(have == *want, "{file} is out of date: run `cargo xtask regen` and commit");
    }
    let again = xtask::regen::render(&root().join("openapi/upstream")).expect("normalises twice");
    assert_eq!(again.spec, rendered.spec, "the same input gives byte-identical output");
}

#[test]
fn normalised_spec_is_openapi_3_0_with_every_operation() {
    let rendered = xtask::regen::render(&root().join("openapi/upstream")).expect("normalises");
    let doc: serde_json::Value = serde_json::from_str(&rendered.spec).expect("JSON");
    assert_eq!(doc["openapi"], "3.0.3");
    let generated = xtask::normalize::count_operations(&doc, "paths");
    let handwritten = xtask::normalize::count_operations(&doc, xtask::normalize::HANDWRITTEN);
    assert_eq!(generated + handwritten, 210);
    assert_eq!(handwritten, 2, "the two multipart uploads");
    assert!(rendered.spec.matches("\"$ref\"").count() > 1000);
}

fn minimal(content_type: &str) -> Document {
    Document {
        name: "bad".into(),
        value: json!({
            "openapi": "3.1.0",
            "info": { "title": "Bad", "version": "1" },
            "paths": { "/v2/things": { "post": {
                "operationId": "createThing",
                "requestBody": { "content": { content_type: { "schema": { "type": "object" } } } },
                "responses": { "200": { "description": "OK" } }
            } } }
        }),
    }
}

#[test]
fn unsupported_content_type_is_a_clear_error_naming_the_operation() {
    let err = normalize(vec![minimal("application/vnd.spotnana+xml")]).expect_err("an unknown body type is refused");
    assert_eq!(
        err,
        NormalizeError::UnsupportedContentType {
            operation: "createThing".into(),
            content_type: "application/vnd.spotnana+xml".into()
        }
    );
    let message = err.to_string();
    assert!(message.contains("createThing") && message.contains("application/vnd.spotnana+xml"), "{message}");
    assert!(normalize(vec![minimal("application/json")]).is_ok());
}

#[test]
fn non_openapi_input_is_refused() {
    let doc = Document { name: "swagger".into(), value: json!({ "swagger": "2.0" }) };
    let err = normalize(vec![doc]).expect_err("Swagger 2.0 is not OpenAPI 3");
    assert!(err.to_string().contains("swagger"), "{err}");
}

/// `indistinct-one-of` keys on the shape: a `oneOf` of objects that require
/// nothing, with disjoint properties that reject `null`. Unions that can be told
/// apart (a branch requires a property) or whose branches share a property stay.
#[test]
fn indistinct_oneof_rule_keys_on_the_shape() {
    let wrap = |name: &str, ty: &str| json!({ "type": "object", "properties": { name: { "type": ty } } });
    let doc = Document {
        name: "demo".into(),
        value: json!({
            "openapi": "3.1.0",
            "info": { "title": "demo", "version": "1" },
            // An operation reaches the unions, or `unreachable-schemas` drops them.
            "paths": { "/demo": { "get": { "operationId": "demo", "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": {
                "type": "object",
                "properties": {
                    "plain": { "$ref": "#/components/schemas/Plain" },
                    "required": { "$ref": "#/components/schemas/Required" },
                    "shared": { "$ref": "#/components/schemas/Shared" }
                }
            } } } } } } } },
            "components": { "schemas": {
                "Code": wrap("code", "string"),
                "Linked": wrap("linked", "boolean"),
                "Plain": { "description": "Pick one.", "oneOf": [{ "$ref": "#/components/schemas/Code" }, { "$ref": "#/components/schemas/Linked" }] },
                "Required": { "oneOf": [{ "type": "object", "required": ["code"], "properties": { "code": { "type": "string" } } }, wrap("linked", "boolean")] },
                "Shared": { "oneOf": [wrap("code", "string"), wrap("code", "integer")] },
            } }
        }),
    };
    let out = normalize(vec![doc]).expect("normalises");
    let schemas = &out.document["components"]["schemas"];
    let plain = &schemas["Plain"];
    assert_eq!(plain["type"], "object");
    assert_eq!(plain["required"], json!(["code", "linked"]));
    assert_eq!(plain[xtask::contract::EXACTLY_ONE_OF_KEY], json!(["code", "linked"]));
    assert_eq!(plain[xtask::contract::NULL_WHEN_UNSET_KEY], json!(["code", "linked"]));
    assert_eq!(plain["properties"]["linked"], json!({ "type": "boolean", "nullable": true }));
    assert!(plain["description"].as_str().unwrap().starts_with("Pick one."));
    assert!(schemas["Required"].get("oneOf").is_some(), "a branch that requires a property tells the union apart");
    assert!(schemas["Shared"].get("oneOf").is_some(), "branches sharing a property are left alone");
    let rule = out.report.rules.iter().find(|r| r.id == "indistinct-one-of").expect("the rule is reported");
    assert_eq!(rule.changes, vec!["Plain: one of code, linked".to_string()]);
}
