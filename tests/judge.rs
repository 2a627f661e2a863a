//! The conformance suite's judge is real: the `jsonschema` crate, checking the
//! exact bytes a loopback server sent the SDK, decides whether a decode
//! failure is ours or a mock server's invalid data.

mod support;

use std::path::Path;

use serde_json::json;
use spotnana::{Client, Error, RetryPolicy};
use support::conformance::{classify, Outcome};
use support::judge::{offset_of, pointer_at, to_json_schema, Judge, Verdict};
use support::server::{Reply, TestServer};

const PNR: &str = "getPnrV3";

fn normalised_judge() -> Judge {
    Judge::new(&[Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/spotnana.json"))])
}

/// Calls `getPnrV3` through the SDK against a loopback server that answers
/// 200 with `body`.
fn call_with_body(body: &'static [u8]) -> Result<(), Error> {
    support::on_big_stack(async move {
        let server = TestServer::start(move |_| Reply::with(200, "application/json", body)).await;
        let client = Client::builder()
            .with_base_url(server.url())
            .with_static_token("judge-test")
            .with_retry_policy(RetryPolicy::disabled())
            .build()
            .expect("a loopback client");
        let pnr = client
            .get_pnr_v3()
            .trip_id("00000000-0000-4000-8000-000000000168")
            .pnr_id("00000000-0000-4000-8000-000000000169");
        pnr.send().await.map(|_| ()).map_err(Error::from)
    })
}

fn pnr_route() -> (String, String) {
    let spec = support::spec();
    let op = support::operations(&spec).into_iter().find(|o| o.id == PNR).expect("getPnrV3 in the spec");
    (op.method, op.path)
}

#[test]
fn a_body_that_breaks_the_schema_is_a_disagreement_not_a_decode_failure() {
    // Prism's dynamic generator once wrote a schema's description where a
    // `Money` (which requires `amount` and `currencyCode`) belongs.
    let body: &'static [u8] = br#"{"totalFare":{"description":"Sum of all taxes, fees, and charges."}}"#;
    let result = call_with_body(body);
    let Err(Error::Decode(decode)) = &result else {
        panic!("the SDK cannot decode a Money without its amount: {result:?}")
    };
    assert!(decode.reason.contains("amount"), "{}", decode.reason);

    let (method, path) = pnr_route();
    let verdict = normalised_judge().verdict("spotnana", &method, &path, 200, body);
    let Verdict::Invalid { cause, errors } = &verdict else { panic!("the judge must reject it: {verdict:?}") };
    assert_eq!(cause, "required under `totalFare`");
    assert!(errors.iter().any(|e| e.starts_with("/totalFare") && e.contains("amount")), "{errors:?}");

    assert_eq!(
        classify(&result, Some(body), &verdict, &verdict),
        Outcome::Disagreement("required under `totalFare`".into())
    );
}

#[test]
fn a_valid_body_the_model_cannot_decode_is_a_decode_failure() {
    // Valid JSON whose parsed value matches the schema (the later `amount`
    // wins), but serde's derived decoder refuses a repeated field.
    let body: &'static [u8] = br#"{"totalFare":{"amount":1.5,"currencyCode":"USD","amount":2}}"#;
    let result = call_with_body(body);
    assert!(matches!(&result, Err(Error::Decode(_))), "{result:?}");

    let (method, path) = pnr_route();
    let verdict = normalised_judge().verdict("spotnana", &method, &path, 200, body);
    assert_eq!(verdict, Verdict::Valid);

    let Outcome::DecodeFailure(detail) = classify(&result, Some(body), &verdict, &verdict) else {
        panic!("counted as a decode failure")
    };
    assert!(detail.contains("decoding stopped at `/totalFare"), "{detail}");
    assert!(detail.contains("the judge finds the whole body valid"), "{detail}");
}

#[test]
fn a_body_the_judge_rejects_but_the_sdk_decodes_is_counted_not_failed() {
    // `totalFare` is optional and not nullable: `null` breaks the schema, and
    // the SDK reads it as absent.
    let body: &'static [u8] = br#"{"totalFare":null}"#;
    let result = call_with_body(body);
    assert!(result.is_ok(), "{result:?}");
    let (method, path) = pnr_route();
    let verdict = normalised_judge().verdict("spotnana", &method, &path, 200, body);
    assert!(matches!(&verdict, Verdict::Invalid { .. }), "{verdict:?}");
    assert!(matches!(classify(&result, Some(body), &verdict, &verdict), Outcome::Decoded(Some(_))));
}

#[test]
fn the_pointer_names_where_decoding_stopped() {
    let body = br#"{"a":{"b":[1,{"c":"x"}],"d":{"e":true}}}"#;
    let at = |needle: &str| body.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap() + needle.len();
    assert_eq!(pointer_at(body, at(r#""c":"#)), "/a/b/1/c");
    assert_eq!(pointer_at(body, at(r#"[1,"#)), "/a/b/1");
    assert_eq!(pointer_at(body, at(r#""e":tr"#)), "/a/d/e");
    assert_eq!(offset_of("missing field `amount` at line 1 column 12", body), Some(11));
    assert_eq!(offset_of("expected value at line 2 column 3", b"{\n  x"), Some(4));
}

#[test]
fn openapi_meaning_is_kept_for_nullable_and_integer_formats() {
    let mut schema = json!({
        "type": "object",
        "properties": {
            "n": { "type": "integer", "format": "int32", "nullable": true },
            "s": { "type": "string", "enum": ["A"], "nullable": true },
            "r": { "allOf": [{ "type": "string" }], "nullable": true }
        }
    });
    to_json_schema(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    assert!(validator.is_valid(&json!({ "n": null, "s": null, "r": null })));
    assert!(validator.is_valid(&json!({ "n": 2147483647, "s": "A", "r": "x" })));
    assert!(!validator.is_valid(&json!({ "n": 2147483648_i64 })), "int32 is bounded");
    assert!(!validator.is_valid(&json!({ "s": "B" })));
    assert!(!validator.is_valid(&json!({ "r": 1 })));
}

#[test]
fn a_body_only_a_loose_upstream_union_admits_is_beyond_the_contract() {
    // Upstream, `CancellationDetails` is `oneOf` an air wrapper and a rail
    // wrapper that require nothing: a broken `air` fails the air branch and
    // the body still matches the rail one. The normalised document (the SDK's
    // contract, rule `indistinct-one-of`) types `air` and rejects it.
    let body: &'static [u8] = br#"{"pnrId":"1","tripId":"2","cancellationDetails":{"air":{"travelers":5}}}"#;
    let result = support::on_big_stack(async move {
        let server = TestServer::start(move |_| Reply::with(200, "application/json", body)).await;
        let client =
            Client::builder().with_base_url(server.url()).with_static_token("judge-test").build().expect("a client");
        let call = client.get_cancellation_details().trip_id("t").pnr_id("p");
        call.send().await.map(|_| ()).map_err(Error::from)
    });
    assert!(matches!(&result, Err(Error::Decode(_))), "{result:?}");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut judge = Judge::new(&[&root.join("openapi/upstream/trip.json"), &root.join("openapi/spotnana.json")]);
    let path = "/v2/trips/{tripId}/pnrs/{pnrId}/cancellation-details";
    let served = judge.verdict("trip", "get", path, 200, body);
    let contract = judge.verdict("spotnana", "get", path, 200, body);
    assert_eq!(served, Verdict::Valid);
    assert!(matches!(&contract, Verdict::Invalid { .. }), "{contract:?}");
    assert!(matches!(classify(&result, Some(body), &served, &contract), Outcome::BeyondContract(_)));
}
