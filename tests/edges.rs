//! The edges where the outside world reaches in, each tried on a real server
//! on 127.0.0.1: path parameters from untrusted input, success statuses the
//! spec does not list, hostile numbers in headers and token answers,
//! answers larger than any example, secrets in `Debug`, multipart headers
//! and proxies.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use spotnana::sandbox::{example_model, example_request, example_response, Responses, SECRET_VALUE};
use spotnana::{types, Client, Error, FilePart, RetryPolicy};
use support::server::{Recorded, Reply, TestServer};

const TOKEN: &str = "/v2/auth/oauth2-token";
const COMPANY: &str = "4974a66b-7493-4f41-908c-58ba81093947";

/// A server that issues tokens with this `expires_in` and answers every
/// other request with `reply`.
async fn server(expires_in: Value, reply: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
    TestServer::start(move |request: &Recorded| {
        if request.path() == TOKEN {
            return Reply::json(
                200,
                json!({ "access_token": "edge-token", "token_type": "Bearer", "expires_in": expires_in }),
            );
        }
        reply(request)
    })
    .await
}

fn builder(server: &TestServer) -> spotnana::ClientBuilder {
    Client::builder()
        .with_base_url(server.url())
        .with_credentials("edge-id", "edge-secret")
        .with_retry_policy(RetryPolicy::default().with_base_delay(Duration::from_millis(5)))
}

fn client(server: &TestServer) -> Client {
    builder(server).build().expect("a loopback client builds")
}

/// The requests that were not for a token.
fn api_requests(server: &TestServer) -> Vec<Recorded> {
    server.requests().into_iter().filter(|r| r.path() != TOKEN).collect()
}

/// Values that must stay one path segment, and how each must be sent:
/// everything but `A-Z a-z 0-9 - . _ ~` percent-encoded, byte by byte.
const ENCODED: [(&str, &str); 7] = [
    (r"..\..\..\users\X", "..%5C..%5C..%5Cusers%5CX"),
    ("../../users/X", "..%2F..%2Fusers%2FX"),
    ("100%", "100%25"),
    ("%2e%2e", "%252e%252e"),
    ("küche", "k%C3%BCche"),
    ("a b?c#d", "a%20b%3Fc%23d"),
    ("key-1_v2.~", "key-1_v2.~"),
];

/// Values that address another endpoint however they are encoded.
const REFUSED: [&str; 3] = ["", ".", ".."];

fn assert_refused(result: Result<impl std::fmt::Debug, Error>, parameter: &str) {
    let err = result.expect_err("refused before sending");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(err.to_string().contains(&format!("`{parameter}`")), "names the parameter: {err}");
}

#[tokio::test]
async fn a_path_parameter_of_a_generated_method_is_one_segment() {
    let server = server(json!(3600), |_| Reply::with(204, "application/json", b"")).await;
    let client = client(&server);
    for (kid, sent) in ENCODED {
        client
            .revoke_partner_public_key()
            .company_id(COMPANY)
            .kid(kid)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{kid:?}: {e}"));
        let request = api_requests(&server).pop().expect("sent");
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("DELETE", format!("/v2/companies/{COMPANY}/partner-public-keys/{sent}").as_str()),
            "{kid:?}"
        );
    }
    let sent = api_requests(&server).len();
    for kid in REFUSED {
        assert_refused(client.revoke_partner_public_key().company_id(COMPANY).kid(kid).send().await, "kid");
    }
    assert_eq!(api_requests(&server).len(), sent, "nothing was sent for `.`, `..` or an empty value");
}

#[tokio::test]
async fn a_path_parameter_of_an_upload_is_one_segment() {
    let server = server(json!(3600), |_| Reply::with(200, "application/json", b"")).await;
    let client = client(&server);
    let upload = |company: &'static str| {
        client
            .upload_company_preferences()
            .company_id(company)
            .vendor_type(types::VendorType::Hotel)
            .file(FilePart::new(&b"a,b\n"[..], "prefs.csv", "text/csv"))
    };
    for (company, sent) in ENCODED {
        upload(company).send().await.unwrap_or_else(|e| panic!("{company:?}: {e}"));
        let request = api_requests(&server).pop().expect("sent");
        assert_eq!(request.target, format!("/v2/companies/{sent}/vendor-preferences"), "{company:?}");
    }
    let sent = api_requests(&server).len();
    for company in REFUSED {
        assert_refused(upload(company).send().await, "company_id");
    }
    assert_eq!(api_requests(&server).len(), sent, "nothing was sent");
}

#[tokio::test]
async fn a_content_type_with_a_line_break_is_refused_and_debug_shows_sizes() {
    let server = server(json!(3600), |_| Reply::with(200, "application/json", b"")).await;
    let file = FilePart::new(vec![b'x'; 4096], "boarding.pdf", "application/pdf\r\nX-Injected: yes");
    let shown = format!("{file:?}");
    assert!(shown.contains("4096") && !shown.contains("xxxx"), "sizes, not bytes: {shown}");
    let result = client(&server)
        .upload_company_preferences()
        .company_id(COMPANY)
        .vendor_type(types::VendorType::Hotel)
        .file(file)
        .send()
        .await;
    let err = result.expect_err("refused");
    assert!(matches!(err, Error::InvalidRequest(_)) && err.to_string().contains("line break"), "{err}");
    assert!(api_requests(&server).is_empty(), "nothing was sent");
}

/// `airCreatePnr` documents only 200; a server answering 201 has booked.
#[tokio::test]
async fn a_booking_answered_201_is_a_success_with_its_pnr_id() {
    let mut answer = example_response("airCreatePnr", Responses::Minimal).expect("an answer schema");
    answer["pnrId"] = json!("PNR-201");
    let server = server(json!(3600), move |_| Reply::json(201, answer.clone())).await;
    let body: types::AirCreatePnrRequest =
        serde_json::from_value(example_request("airCreatePnr").expect("a body")).expect("a request");
    let booked = client(&server).air_create_pnr().body(body).send().await.expect("201 is a success");
    assert_eq!(booked.status().as_u16(), 201);
    assert_eq!(booked.pnr_id.as_deref(), Some("PNR-201"));
    assert_eq!(api_requests(&server).len(), 1, "sent once");
}

#[tokio::test]
async fn an_unlisted_2xx_that_does_not_decode_keeps_the_body_and_warns() {
    let server =
        server(json!(3600), |_| Reply::with(202, "application/json", br#"{"pnrId":"PNR-202","pnrStatus":"#)).await;
    let body: types::AirCreatePnrRequest =
        serde_json::from_value(example_request("airCreatePnr").expect("a body")).expect("a request");
    let err = client(&server).air_create_pnr().body(body).send().await.expect_err("a truncated body");
    let Error::Decode(decode) = &err else { panic!("a decode error, not {err:?}") };
    assert!(decode.may_have_applied(), "a POST answered 2xx may have booked");
    assert_eq!(decode.status.map(|s| s.as_u16()), Some(202));
    assert_eq!(decode.body(), Some(&br#"{"pnrId":"PNR-202","pnrStatus":"#[..]), "nothing lost");
    assert_eq!(api_requests(&server).len(), 1, "never sent again");
}

#[tokio::test]
async fn a_get_answered_203_decodes_as_its_documented_type() {
    let server = server(json!(3600), |_| Reply::json(203, json!({ "elements": [], "totalNumResults": 0 }))).await;
    let page = client(&server).list_companies().send().await.expect("203 is a success");
    assert_eq!(page.status().as_u16(), 203);
    assert!(page.elements.is_empty());
}

/// A 429 after the call had run a second, with the largest `Retry-After` a
/// header can hold: the retries end with the 429, no instant overflows.
#[tokio::test]
async fn a_huge_retry_after_ends_the_call_with_the_429() {
    let server = TestServer::start_async(|request: Recorded| -> support::server::PendingReply {
        Box::pin(async move {
            if request.path() == TOKEN {
                return Reply::json(200, json!({ "access_token": "t", "token_type": "Bearer", "expires_in": 3600 }));
            }
            tokio::time::sleep(Duration::from_millis(1100)).await;
            Reply::json(429, json!({})).header("retry-after", "18446744073709551615")
        })
    })
    .await;
    let err = client(&server).list_companies().send().await.expect_err("rate limited");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{err}");
    assert_eq!(api_requests(&server).len(), 1, "no wait of 584 billion years");
}

/// An error answer that declares ten gigabytes and sends one kilobyte: the
/// SDK reads no more than its error-body cap, so the caller gets the 500
/// itself, not a failure to read a body nobody needs.
#[tokio::test]
async fn an_error_answer_is_read_only_up_to_its_cap() {
    let mut raw =
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: 10000000000\r\n\r\n"
            .to_vec();
    raw.extend_from_slice(&[b'x'; 1024]);
    let server = server(json!(3600), move |_| Reply::Raw(raw.clone())).await;
    let err = client(&server).list_companies().send().await.expect_err("a 500");
    assert!(matches!(&err, Error::Api(api) if api.status() == 500), "{err:?}");
}

#[tokio::test]
async fn hostile_token_lifetimes_cost_one_token_request_and_never_panic() {
    for expires_in in [json!(0), json!(-5), json!(18446744073709551615u64), json!(1e300), json!("soon"), Value::Null] {
        let server = server(expires_in.clone(), |_| Reply::json(200, json!({ "elements": [] }))).await;
        let client = client(&server);
        for _ in 0..20 {
            client.list_companies().send().await.unwrap_or_else(|e| panic!("expires_in {expires_in}: {e}"));
        }
        assert_eq!(server.count(TOKEN), 1, "expires_in {expires_in}: one token for 20 calls");
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_is_a_typed_error_that_names_it() {
    let big = json!({ "elements": [], "padding": "x".repeat(64 << 10) });
    let server = server(json!(3600), move |_| Reply::json(200, big.clone())).await;
    let client = builder(&server).with_max_response_size(16 << 10).build().expect("a client");
    let err = client.list_companies().send().await.expect_err("over the limit");
    let Error::Decode(decode) = &err else { panic!("a decode error, not {err:?}") };
    assert_eq!(decode.body_limit(), Some(16 << 10));
    assert!(err.to_string().contains("16384"), "{err}");
    assert!(decode.body().is_some_and(|b| b.len() <= 16 << 10), "no more than the limit was kept");
}

#[tokio::test]
async fn an_answer_of_unknown_length_over_the_limit_is_cut_there() {
    // Chunked, so the client cannot tell its size before reading.
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..64 {
        raw.extend_from_slice(b"400\r\n");
        raw.extend_from_slice(&[b' '; 0x400]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let server = server(json!(3600), move |_| Reply::Raw(raw.clone())).await;
    let client = builder(&server).with_max_response_size(8 << 10).build().expect("a client");
    let err = client.list_companies().send().await.expect_err("over the limit");
    let Error::Decode(decode) = &err else { panic!("a decode error, not {err:?}") };
    assert_eq!(decode.body_limit(), Some(8 << 10), "{err}");
}

#[tokio::test]
async fn the_default_limit_reads_the_largest_full_size_answer() {
    let sandbox = spotnana::sandbox::Sandbox::builder()
        .with_responses(Responses::Full)
        .start()
        .await
        .expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    let trip =
        client.get_trip_details_v3().trip_id("00000000-0000-4000-8000-000000000001").send().await.expect("decodes");
    let size = serde_json::to_vec(&*trip).expect("serialises").len();
    assert!(size > 5 << 20 && size < spotnana::DEFAULT_MAX_RESPONSE_SIZE, "{size} bytes, under the default limit");
}

/// Every model the `secret-fields` rule covers, filled in full: `Debug`
/// shows none of its secrets, serialising keeps every one.
#[test]
fn no_model_with_secret_fields_shows_one_in_debug() {
    macro_rules! models {
        ($($name:ident),* $(,)?) => {
            vec![$((stringify!($name), (|value: Value| -> Result<(String, Value), String> {
                let model: types::$name = serde_json::from_value(value).map_err(|e| e.to_string())?;
                Ok((format!("{model:?}"), serde_json::to_value(&model).map_err(|e| e.to_string())?))
            }) as fn(Value) -> Result<(String, Value), String>)),*]
        };
    }
    let checked = models!(
        AmadeusCheckoutVerificationInfo,
        AmadeusPaymentActionToken,
        Card,
        CardDetails,
        CardV2,
        CreateApiUsersResponse,
        EmailClientSecretKey,
        FreshdeskCredentialDetails,
        OAuthTokenRequest,
        OAuthTokenResponse,
        RotateClientSecretResponse,
        SelectedPaymentSource,
        StripeCardTokens,
    );
    let spec = support::spec();
    let marked: std::collections::BTreeSet<String> = spec["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .filter(|(_, schema)| {
            schema["properties"].as_object().is_some_and(|p| p.values().any(|p| p["format"] == "password"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    let names: std::collections::BTreeSet<String> = checked.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(names, marked, "every model with a `format: password` field is checked here");
    for (name, check) in checked {
        let value = example_model(name, Responses::Full).expect("the spec has it");
        let secrets = value.to_string().matches(SECRET_VALUE).count();
        assert!(secrets > 0, "{name}: the full instance holds secrets");
        let (debug, serialised) = check(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!debug.contains(SECRET_VALUE), "{name}'s Debug shows a secret: {debug}");
        assert!(debug.contains("[redacted]"), "{name}: {debug}");
        assert_eq!(
            serialised.to_string().matches(SECRET_VALUE).count(),
            secrets,
            "{name}: serialising keeps each secret"
        );
    }
}

#[tokio::test]
async fn a_decode_error_blanks_secret_fields_whatever_their_case() {
    let body = br#"{"clientId":"c1","clientSecret":"s3cr3t-one","stripe":{"setupIntentClientSecret":"seti_two","CVV":"987"},"clientId2":5"#;
    let server = server(json!(3600), move |_| Reply::with(200, "application/json", body)).await;
    let request: types::CreateApiUsersRequest =
        serde_json::from_value(example_request("createApiUser").expect("a body")).expect("a request");
    let err = client(&server).create_api_user().body(request).send().await.expect_err("truncated");
    let Error::Decode(decode) = &err else { panic!("a decode error, not {err:?}") };
    let kept = String::from_utf8_lossy(decode.body().expect("kept")).into_owned();
    for shown in [err.to_string(), format!("{err:?}"), kept.clone()] {
        for secret in ["s3cr3t-one", "seti_two", "987"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
    assert!(kept.contains(r#""clientId":"c1""#), "the rest is kept: {kept}");
}

/// `HTTP_PROXY` points at a proxy that records what reaches it: a client of
/// a loopback base URL sends it nothing, the client secret least of all.
#[tokio::test]
async fn a_loopback_client_bypasses_the_system_proxy() {
    let proxy = TestServer::start(|_| Reply::json(502, json!({}))).await;
    let server = server(json!(3600), |_| Reply::json(200, json!({ "elements": [] }))).await;
    // Only this test in this binary reads the proxy variables, and it sets
    // them before it builds its client.
    std::env::set_var("HTTP_PROXY", proxy.url());
    std::env::set_var("http_proxy", proxy.url());
    let built = client(&server);
    std::env::remove_var("HTTP_PROXY");
    std::env::remove_var("http_proxy");
    built.list_companies().send().await.expect("answered by the server, not the proxy");
    assert!(proxy.requests().is_empty(), "the proxy saw {:?}", proxy.requests());
    assert_eq!(server.count(TOKEN), 1);
}

#[tokio::test]
async fn a_parameter_that_does_not_convert_says_which_and_what_it_takes() {
    let server = server(json!(3600), |_| Reply::json(200, json!({}))).await;
    let client = client(&server);
    let err = client.delete_company().company_id("not-a-uuid").send().await.expect_err("not a UUID");
    let message = err.to_string();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(message.contains("`company_id` must be a UUID"), "{message}");
    assert!(message.contains("found `n`"), "the conversion says what it found: {message}");
    let err = client.delete_company().send().await.expect_err("not set");
    assert!(err.to_string().contains("`company_id` is required and was not set; call .company_id(..)"), "{err}");
    assert!(api_requests(&server).is_empty(), "nothing was sent");
}

/// The models decode through the SDK's own impls (`build/serde_impls.rs`),
/// which must read an answer as serde's derive did: `null` for a list with
/// a default is empty, `null` for an optional field is `None`, and keys
/// nobody documented (next year's fields) are skipped, at any depth.
#[tokio::test]
async fn an_answer_with_nulls_and_unknown_keys_decodes() {
    let mut answer = example_response("readCompany", Responses::Full).expect("an answer schema");
    answer["announcements"] = Value::Null;
    answer["externalId"] = Value::Null;
    answer["fieldAddedNextYear"] = json!({ "nested": [1, { "deeper": null }] });
    answer["postalAddress"]["alsoNew"] = json!("x");
    let name = answer["name"].clone();
    let server = server(json!(3600), move |_| Reply::json(200, answer.clone())).await;
    let company = client(&server).read_company().company_id(COMPANY).send().await.expect("decodes");
    assert!(company.announcements.is_empty(), "null for a list with a default");
    assert_eq!(company.external_id, None);
    assert_eq!(Some(company.name.as_str()), name.as_str());
    assert!(company.postal_address.is_some());
}

/// A required field left out and a key given twice are decode errors that
/// say which field, as serde's derive reported them.
#[tokio::test]
async fn a_missing_required_field_or_a_repeated_key_is_a_decode_error_naming_it() {
    let mut answer = example_response("readCompany", Responses::Minimal).expect("an answer schema");
    let whole = serde_json::to_string(&answer).expect("JSON");
    answer.as_object_mut().expect("an object").remove("name");
    let without_name = serde_json::to_string(&answer).expect("JSON");
    let twice = format!(r#"{{"name":"first",{}"#, &whole[1..]);
    for (body, expected) in [(without_name, "missing field `name`"), (twice, "duplicate field `name`")] {
        let server = server(json!(3600), move |_| Reply::with(200, "application/json", body.as_bytes())).await;
        let err = client(&server).read_company().company_id(COMPANY).send().await.expect_err("does not decode");
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    }
}

/// Serialising writes the fields that are set and leaves out unset options
/// and empty lists; a model with nothing set is `{}`, and a full answer
/// serialises back to the JSON it was read from.
#[test]
fn a_model_serialises_the_fields_that_are_set_and_round_trips() {
    assert_eq!(serde_json::to_string(&types::CabinFilter::default()).expect("JSON"), "{}");
    let filter = types::CabinFilter { cabin: Some(types::Cabin::Economy), type_: None };
    assert_eq!(serde_json::to_value(&filter).expect("JSON"), json!({ "cabin": "ECONOMY" }));
    let full = example_model("Company", Responses::Full).expect("a model");
    let company: types::Company = serde_json::from_value(full.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&company).expect("JSON"), full);
}
