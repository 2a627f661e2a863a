//! The operations progenitor cannot generate as published: the nullable
//! `fetchAirFareRules` (200 rules or 204 nothing), `createApiUser` (a bodyless
//! 409 beside typed errors), and the two multipart uploads; and the models the
//! normaliser reshaped (`oneOf` wrappers, undeclared required names).

mod support;

use serde_json::json;
use spotnana::{types, Client, FilePart, RetryPolicy};
use support::server::{Reply, TestServer};

fn client(server: &TestServer) -> Client {
    Client::builder()
        .with_base_url(server.url())
        .with_static_token("operations-token")
        .with_retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a loopback client builds")
}

fn fare_rule_request() -> types::FetchAirFareRuleRequest {
    serde_json::from_value(json!({ "pnrId": "1213124111" })).expect("a fare rule request")
}

#[tokio::test]
async fn fare_rules_are_some_on_200_and_none_on_204() {
    let server = TestServer::start(|r| {
        if r.body.windows(4).any(|w| w == b"none") {
            Reply::Respond { status: 204, headers: vec![], body: vec![] }
        } else {
            Reply::json(200, json!({ "legRuleInfos": [] }))
        }
    })
    .await;
    let client = client(&server);
    let rules = client.fetch_air_fare_rules().body(fare_rule_request()).send().await.expect("200 decodes");
    assert_eq!(rules.status(), 200);
    let rules = rules.into_inner().expect("a 200 carries rules");
    assert!(rules.leg_rule_infos.is_empty());

    let request: types::FetchAirFareRuleRequest = serde_json::from_value(json!({ "pnrId": "none" })).unwrap();
    let empty = client.fetch_air_fare_rules().body(request).send().await.expect("204 is a success");
    assert_eq!(empty.status(), 204);
    assert!(empty.into_inner().is_none(), "204 No Content is None, distinguishable from empty rules");
}

#[tokio::test]
async fn create_api_user_decodes_and_a_bodyless_409_is_a_typed_error() {
    let server = TestServer::start(|r| {
        if r.body.windows(5).any(|w| w == b"taken") {
            Reply::Respond { status: 409, headers: vec![], body: vec![] }
        } else {
            Reply::json(200, json!({ "clientId": "1ddj3hs95to28iag7m4hl9lv2", "clientSecret": "s3cr3t" }))
        }
    })
    .await;
    let client = client(&server);
    let body: types::CreateApiUsersRequest = serde_json::from_value(json!({ "tmcId": "tmc" })).unwrap();
    let created = client.create_api_user().body(body).send().await.expect("200 decodes");
    assert_eq!(created.client_id.as_deref(), Some("1ddj3hs95to28iag7m4hl9lv2"));

    let body: types::CreateApiUsersRequest = serde_json::from_value(json!({ "tmcId": "taken" })).unwrap();
    let err = spotnana::Error::from(client.create_api_user().body(body).send().await.expect_err("409 is an error"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert!(matches!(err, spotnana::Error::Api(_)), "{err:?}");
}

#[tokio::test]
async fn upload_document_sends_a_real_multipart_body() {
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            json!({
                "documentId": "f49d00fe-1eda-4304-ba79-a980f565281d",
                "documentMetadata": { "documentType": "BOARDING_PASS", "entityType": "PNR", "entityId": "123124",
                    "entityMetadata": { "pnrMetadata": { "pnrId": "1" } }, "name": "BoardingPass.pdf" }
            }),
        )
    })
    .await;
    let client = client(&server);
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".to_vec();
    let result = client
        .upload_document()
        .file(FilePart::pdf(pdf.clone(), "BoardingPass.pdf"))
        .document_metadata_str("{\"name\":\"BoardingPass.pdf\"}")
        .send()
        .await;
    let [request] = &server.requests()[..] else { panic!("one request") };
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), "/v2/documents");
    assert_eq!(request.header("authorization"), Some("Bearer operations-token"));
    let content_type = request.header("content-type").expect("a content type");
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart with a boundary");
    let body = &request.body;
    let find = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(body.starts_with(format!("--{boundary}\r\n").as_bytes()));
    assert!(body.ends_with(format!("--{boundary}--\r\n").as_bytes()));
    assert!(find(b"Content-Disposition: form-data; name=\"file\"; filename=\"BoardingPass.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"));
    assert!(find(&pdf), "the file's bytes are sent unchanged");
    assert!(find(b"name=\"documentMetadataStr\""));
    let uploaded = result.expect("the response decodes");
    assert_eq!(uploaded.document_id.to_string(), "f49d00fe-1eda-4304-ba79-a980f565281d");
}

#[tokio::test]
async fn upload_company_preferences_sends_vendor_type_and_file() {
    let server = TestServer::start(|_| Reply::Respond { status: 200, headers: vec![], body: vec![] }).await;
    let client = client(&server);
    let vendor: types::VendorType = serde_json::from_value(json!("AIRLINE")).expect("AIRLINE is a vendor type");
    client
        .upload_company_preferences()
        .company_id("4974a66b-7493-4f41-908c-58ba81093947")
        .vendor_type(vendor)
        .file(FilePart::new(&b"code,rank\nUA,1\n"[..], "prefs.csv", "text/csv"))
        .send()
        .await
        .expect("200 with no body");
    let [request] = &server.requests()[..] else { panic!("one request") };
    assert_eq!(request.path(), "/v2/companies/4974a66b-7493-4f41-908c-58ba81093947/vendor-preferences");
    let text = String::from_utf8_lossy(&request.body);
    assert!(text.contains("name=\"vendorType\"\r\nContent-Type: text/plain\r\n\r\nAIRLINE\r\n"), "{text}");
    assert!(text.contains("filename=\"prefs.csv\"\r\nContent-Type: text/csv\r\n\r\ncode,rank\nUA,1\n\r\n"), "{text}");
}

#[tokio::test]
async fn missing_required_file_is_an_invalid_request_not_a_panic() {
    let server = TestServer::start(|_| Reply::json(200, json!({}))).await;
    let err = client(&server).upload_document().send().await.expect_err("file is required");
    assert!(matches!(spotnana::Error::from(err), spotnana::Error::InvalidRequest(m) if m.contains("file")));
    assert!(server.requests().is_empty());
}

/// A `oneOf` of wrappers that require nothing decodes member by member: before
/// the normaliser's `indistinct-one-of` rule, typify's untagged enum matched
/// every answer against its first branch and dropped `isLinked`.
#[test]
fn oneof_wrappers_decode_every_member_and_send_unset_ones_as_null() {
    let linked: types::PolicyCurrency = serde_json::from_value(json!({ "isLinked": true })).unwrap();
    assert_eq!((linked.currency_code.as_deref(), linked.is_linked), (None, Some(true)));
    let usd: types::PolicyCurrency = serde_json::from_value(json!({ "currencyCode": "USD" })).unwrap();
    assert_eq!((usd.currency_code.as_deref(), usd.is_linked), (Some("USD"), None));

    let built: types::PolicyCurrency =
        types::PolicyCurrency::builder().currency_code("EUR".to_string()).try_into().unwrap();
    assert_eq!(serde_json::to_value(&built).unwrap(), json!({ "currencyCode": "EUR", "isLinked": null }));
}

/// A name Spotnana lists as required without declaring it (`InvoiceDataRequest`
/// requires `invoices`) is sent, as `null` unless set, and its absence from an
/// answer (`TripBudgetInfo.isMaskedBudget`) does not fail decoding.
#[test]
fn undeclared_required_names_are_sent_and_may_be_absent() {
    let request: types::InvoiceDataRequest = types::InvoiceDataRequest::builder().try_into().unwrap();
    assert_eq!(serde_json::to_value(&request).unwrap(), json!({ "invoices": null }));
    let budget: types::TripBudgetInfo = serde_json::from_value(json!({ "budgetName": "Q3 offsite" })).unwrap();
    assert_eq!((budget.budget_name.as_str(), &budget.is_masked_budget), ("Q3 offsite", &serde_json::Value::Null));
}
