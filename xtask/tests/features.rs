//! The per-API feature tagging (`schema-apis`, `unreachable-schemas`) on small
//! hand-made documents, and the pieces of `bench-build` that parse and write.

use serde_json::{json, Value};
use xtask::normalize::{normalize, Document};

fn doc(name: &str, paths: Value, schemas: Value) -> Document {
    Document {
        name: name.into(),
        value: json!({
            "openapi": "3.1.0",
            "info": { "title": name, "version": "1" },
            "paths": paths,
            "components": {
                "schemas": schemas,
                "responses": {
                    "NotFound": { "description": "not found", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } } }
                }
            }
        }),
    }
}

fn get(id: &str, schema: &str) -> Value {
    json!({ "get": {
        "operationId": id,
        "responses": {
            "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } },
            "404": { "$ref": "#/components/responses/NotFound" }
        }
    }})
}

fn schemas() -> Value {
    json!({
        "ErrorResponse": { "type": "object", "properties": { "message": { "type": "string" } } },
        "Company": { "type": "object", "properties": { "name": { "type": "string" }, "address": { "$ref": "#/components/schemas/Address" } } },
        "Address": { "type": "object", "properties": { "city": { "type": "string" } } },
        "Flight": { "type": "object", "properties": { "from": { "$ref": "#/components/schemas/Address" } } },
        "Orphan": { "type": "object", "properties": { "x": { "type": "string" } } }
    })
}

fn tags(out: &Value, schema: &str) -> Vec<String> {
    out["components"]["schemas"][schema]["x-spotnana-apis"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema} is tagged"))
        .iter()
        .map(|v| v.as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn schemas_are_tagged_with_the_apis_that_reach_them_and_orphans_dropped() {
    let company = doc("company", json!({ "/companies": get("listCompanies", "Company") }), schemas());
    let air = doc("air", json!({ "/flights": get("listFlights", "Flight") }), schemas());
    let out = normalize(vec![air, company]).expect("normalises").document;
    assert_eq!(tags(&out, "Company"), ["company"]);
    assert_eq!(tags(&out, "Flight"), ["air"]);
    // Reached by both APIs' operations, through another schema.
    assert_eq!(tags(&out, "Address"), ["air", "company"]);
    // Reached only through the shared error response: generated with any features.
    assert_eq!(out["components"]["schemas"]["ErrorResponse"]["x-spotnana-shared"], true);
    assert!(out["components"]["schemas"].get("Orphan").is_none(), "a schema nothing reaches is dropped");
    assert!(out["components"]["schemas"]["Company"].get("x-spotnana-shared").is_none());
}

#[test]
fn the_report_counts_each_feature_and_names_dropped_schemas() {
    let company = doc("company", json!({ "/companies": get("listCompanies", "Company") }), schemas());
    let report = normalize(vec![company]).expect("normalises").report;
    let fact = |k: &str| report.facts.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    // listCompanies reaches Company and Address, plus ErrorResponse through its 404.
    assert_eq!(fact("feature `company`: operations, schemas").as_deref(), Some("1, 3"));
    assert_eq!(fact("schemas shared by every feature").as_deref(), Some("1"));
    let dropped = report.rules.iter().find(|r| r.id == "unreachable-schemas").expect("the rule ran");
    // Flight and Orphan are reached by no operation of this document.
    assert_eq!(dropped.changes, ["Flight: reached by no operation", "Orphan: reached by no operation"]);
}

#[test]
fn bench_variants_parse_and_reject_bad_input() {
    let v = xtask::bench::parse_variant("company=company+rustls;opt=3").expect("parses");
    assert_eq!(v.label, "company");
    assert_eq!(v.features, ["company", "rustls"]);
    assert_eq!(v.build_override, Some(3));
    assert_eq!(xtask::bench::parse_variant("all=default").expect("parses").build_override, None);
    let before = xtask::bench::parse_variant("before=default;root=/tmp/before").expect("parses");
    assert_eq!(before.root.as_deref(), Some(std::path::Path::new("/tmp/before")));
    for bad in ["company", "=rustls", "x=", "x=a;opt=high", "x=a;root=", "x=a;colour=red"] {
        assert!(xtask::bench::parse_variant(bad).is_err(), "{bad:?} is refused");
    }
}

#[test]
fn the_user_crate_depends_on_this_one_with_the_variant_features() {
    let root = std::path::Path::new("/repo");
    let v = xtask::bench::parse_variant("air=air+rustls;opt=0").expect("parses");
    let manifest = xtask::bench::manifest(root, &v);
    assert!(
        manifest.contains(r#"spotnana = { path = "/repo", default-features = false, features = ["air", "rustls"] }"#),
        "{manifest}"
    );
    assert!(manifest.contains("[profile.dev.build-override]\nopt-level = 0"), "{manifest}");
    assert!(manifest.contains("[workspace]"), "the user crate is its own workspace: {manifest}");
    let all = xtask::bench::manifest(root, &xtask::bench::parse_variant("all=default").expect("parses"));
    assert!(all.contains(r#"spotnana = { path = "/repo" }"#), "{all}");
    assert!(!all.contains("build-override"), "{all}");
}

#[test]
fn cargo_timings_unit_data_is_read() {
    let html = "<script>\nconst UNIT_DATA = [\n  {\"name\": \"spotnana\", \"mode\": \"todo\", \"target\": \"\", \"duration\": 41.5}\n];\nconst CONCURRENCY_DATA = [];\n</script>";
    let units = xtask::bench::unit_data(html).expect("parses");
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["duration"], 41.5);
    assert!(xtask::bench::unit_data("<html></html>").is_err());
}
