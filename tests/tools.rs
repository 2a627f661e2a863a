//! Operations as data (feature `schemars`): every operation's input and output
//! JSON Schema, checked with the `jsonschema` crate against what the sandbox
//! accepts and answers, and `Client::call_json` for all 210 operations.
#![cfg(feature = "schemars")]

mod support;

use support::inputs::Inputs;

use serde_json::{json, Map, Value};
use spotnana::sandbox::Sandbox;
use spotnana::{Error, Operation};

/// A value for a parameter schema (`$ref`s looked up in `defs`): its first
/// enum value, or a small one of its type.
fn sample(schema: &Value, defs: &Value, n: &mut u32) -> Value {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
        return sample(&defs[name], defs, n);
    }
    if let Some(first) = schema["allOf"].as_array().and_then(|all| all.first()) {
        return sample(first, defs, n);
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(types) => types.first().and_then(Value::as_str).unwrap_or("string").to_string(),
        t => t.as_str().unwrap_or("string").to_string(),
    };
    match kind.as_str() {
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "array" => json!([sample(&schema["items"], defs, n)]),
        _ => {
            *n += 1;
            json!(format!("00000000-0000-4000-8000-{:012}", 900 + *n))
        }
    }
}

/// An input for `op`: its required parameters and the sandbox's example body.
fn example_input(op: &Operation, sandbox: &Sandbox, n: &mut u32) -> Value {
    let required: Vec<&str> =
        op.input_schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut input = Map::new();
    for (name, schema) in op.input_schema["properties"].as_object().into_iter().flatten() {
        if name == "body" {
            let body = match op.id.as_str() {
                "fetchOauth2Token" => Some(json!({
                    "client_id": sandbox.client_id(), "client_secret": sandbox.client_secret(), "grant_type": "client_credentials"
                })),
                id => sandbox.example_request(id),
            };
            input.extend(body.map(|b| ("body".to_string(), b)));
        } else if required.contains(&name.as_str()) {
            input.insert(name.clone(), sample(schema, &op.input_schema["$defs"], n));
        }
    }
    Value::Object(input)
}

#[test]
fn every_operation_is_callable_from_json_and_its_schemas_hold() {
    support::on_big_stack(async {
        let sandbox = Sandbox::start().await.expect("the sandbox starts");
        let client = sandbox.client().expect("a sandbox client");
        assert_eq!(spotnana::operations().len(), 210);
        let (mut n, mut failures) = (0, Vec::new());
        // A lookup by external id finds only what was created: the creates
        // come first, with the external ids the lookups then ask for.
        let mut inputs = Inputs::default();
        for create in inputs.seed_lookups() {
            let body = inputs.seeded_body(create).cloned().expect("seeded");
            let mut input = example_input(spotnana::operation(create).expect("the create exists"), &sandbox, &mut n);
            input["body"] = body;
            client.call_json(create, input).await.expect("the creates the lookups find succeed");
        }
        for op in spotnana::operations() {
            let mut input = example_input(op, &sandbox, &mut n);
            if let Some(external_id) = Inputs::looked_up(&op.id) {
                input["externalId"] = json!(external_id);
            }
            let accepts_input = jsonschema::validator_for(&op.input_schema).expect("the input schema compiles");
            let errors: Vec<String> = accepts_input
                .iter_errors(&input)
                .take(3)
                .map(|e| format!("{}: {e}", e.instance_path().as_str()))
                .collect();
            if !errors.is_empty() {
                failures.push(format!("{}: input schema rejects the sandbox's request: {errors:?}", op.id));
            }
            match client.call_json(&op.id, input).await {
                Ok(output) => {
                    let accepts_output =
                        jsonschema::validator_for(&op.output_schema).expect("the output schema compiles");
                    let errors: Vec<String> = accepts_output
                        .iter_errors(&output)
                        .take(3)
                        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
                        .collect();
                    if !errors.is_empty() {
                        failures.push(format!("{}: output schema rejects the sandbox's answer: {errors:?}", op.id));
                    }
                }
                Err(e) => failures.push(format!("{}: call_json failed: {e}", op.id)),
            }
        }
        assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    });
}

#[test]
fn every_operation_names_its_apis_and_is_described() {
    let ops = spotnana::operations();
    let company: Vec<&str> =
        ops.iter().filter(|op| op.apis.iter().any(|a| a == "company")).map(|op| op.id.as_str()).collect();
    assert!(company.contains(&"listCompanies") && company.contains(&"uploadCompanyPreferences"), "{company:?}");
    assert!(ops.iter().all(|op| !op.apis.is_empty() && !op.summary.is_empty()));
    let read = spotnana::operation("readCompany").expect("readCompany");
    assert_eq!((read.method.as_str(), read.path.as_str()), ("GET", "/v2/companies/{companyId}"));
    assert_eq!(read.input_schema["required"], json!(["companyId"]));
    assert!(read.output_schema["$defs"]["Company"].is_object(), "the output schema carries what it references");
}

#[test]
fn bad_input_is_a_typed_error_that_names_the_problem() {
    support::on_big_stack(async {
        let sandbox = Sandbox::start().await.expect("the sandbox starts");
        let client = sandbox.client().expect("a sandbox client");
        let cases = [
            ("noSuchOperation", json!({}), "no operation `noSuchOperation`"),
            ("readCompany", json!({}), "readCompany needs `companyId`"),
            ("readCompany", json!({ "companyId": "acme" }), "readCompany: `companyId` must be a UUID"),
            ("listCompanies", json!({ "colour": "red" }), "listCompanies takes no parameter `colour`"),
            ("listCompanies", json!([1]), "the input must be a JSON object"),
        ];
        for (id, input, expected) in cases {
            match client.call_json(id, input).await {
                Err(Error::InvalidRequest(message)) => assert!(message.contains(expected), "{message}"),
                other => panic!("{id}: expected InvalidRequest, got {other:?}"),
            }
        }
        assert_eq!(sandbox.token_requests(), 0, "nothing was sent");
    });
}

#[test]
fn generated_models_implement_json_schema() {
    let schema = serde_json::to_value(schemars::schema_for!(spotnana::types::Company)).expect("a schema");
    assert!(schema["properties"]["name"].is_object(), "{schema}");
    let pnr = serde_json::to_value(schemars::schema_for!(spotnana::types::PnrData)).expect("a schema");
    assert!(pnr["properties"].as_object().is_some_and(|p| p.len() > 20));
}

/// A path parameter from an agent's JSON is one segment, as in the typed
/// methods: `\`, `/`, `%` and non-ASCII are encoded, and `.`, `..` or an
/// empty value is refused before anything is sent.
#[tokio::test]
async fn call_json_keeps_each_path_parameter_one_segment() {
    let server = support::server::TestServer::start(|request| {
        if request.path() == "/v2/auth/oauth2-token" {
            return support::server::Reply::json(
                200,
                json!({ "access_token": "t", "token_type": "Bearer", "expires_in": 3600 }),
            );
        }
        support::server::Reply::with(204, "application/json", b"")
    })
    .await;
    let client = spotnana::Client::builder()
        .with_base_url(server.url())
        .with_credentials("id", "secret")
        .build()
        .expect("a client");
    let company = "4974a66b-7493-4f41-908c-58ba81093947";
    for (kid, sent) in [
        (r"..\..\users\X", "..%5C..%5Cusers%5CX"),
        ("../x", "..%2Fx"),
        ("50%", "50%25"),
        ("ключ", "%D0%BA%D0%BB%D1%8E%D1%87"),
    ] {
        client
            .call_json("revokePartnerPublicKey", json!({ "companyId": company, "kid": kid }))
            .await
            .unwrap_or_else(|e| panic!("{kid:?}: {e}"));
        let last = server.requests().pop().expect("sent");
        assert_eq!(last.target, format!("/v2/companies/{company}/partner-public-keys/{sent}"), "{kid:?}");
    }
    let sent = server.requests().len();
    for kid in ["", ".", ".."] {
        let err = client
            .call_json("revokePartnerPublicKey", json!({ "companyId": company, "kid": kid }))
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidRequest(_)) && err.to_string().contains("`kid`"), "{err}");
    }
    assert_eq!(server.requests().len(), sent, "nothing was sent");
}
