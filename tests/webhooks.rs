//! Webhook verification on deliveries signed outside this crate: the
//! expected signatures below were computed with Python's `hmac` and checked
//! with `openssl dgst -sha256 -mac HMAC -macopt key:spotnana-test-key-0001`
//! (see each constant), never by the code under test.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use spotnana::webhooks::{EventType, Operation, PnrOperation, TravelerOperation, Webhook, WebhookError};

/// `whsec_` and the Base64 of `spotnana-test-key-0001`.
const SECRET: &str = "whsec_c3BvdG5hbmEtdGVzdC1rZXktMDAwMQ==";
/// `whsec_` and the Base64 of `spotnana-test-key-0002-rotated`.
const ROTATED: &str = "whsec_c3BvdG5hbmEtdGVzdC1rZXktMDAwMi1yb3RhdGVk";
const ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const SIGNED_AT: u64 = 1_767_225_600;

const BOOKING: &[u8] =
    br#"{"event_type":"PNR_V3","operation":"BOOKING_CREATED","payload":{"pnrId":"1234567890"},"timestamp":"2026-01-01T00:00:00Z"}"#;
/// HMAC-SHA256 of `{ID}.{SIGNED_AT}.{BOOKING}` under [`SECRET`]'s key.
const BOOKING_SIGNATURE: &str = "oEffSbIaYHM26c+cv4GOUH3J8gdyyj18Eq5rr4OkCG8=";
/// The same under [`ROTATED`]'s key.
const BOOKING_SIGNATURE_ROTATED: &str = "Eq3aSpu/qp0WWaDtvwKM6W5QKKd/aL6IBIjlee3IK2o=";

/// Non-ASCII and insignificant whitespace, as a server might send them.
const TRAVELER: &str = "{ \"event_type\" : \"TRAVELER_V2\", \"operation\":\"UPDATE\",\n  \"payload\": {\"personalInfo\": {\"name\": {\"given\": \"Zoë\", \"family1\": \"Łukasiewicz\"}}} }\n";
/// HMAC-SHA256 of `{ID}.{SIGNED_AT}.{TRAVELER}` under [`SECRET`]'s key.
const TRAVELER_SIGNATURE: &str = "GZbRFmuAAA6Pi3O5VofI35URoTdAsjDVAJzrOGBaoA8=";

fn at(offset: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(SIGNED_AT.checked_add_signed(offset).unwrap())
}

fn headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("x-spotnana-webhook-id", HeaderValue::from_str(id).unwrap());
    h.insert("x-spotnana-webhook-timestamp", HeaderValue::from_str(timestamp).unwrap());
    h.insert("x-spotnana-webhook-signature", HeaderValue::from_str(signature).unwrap());
    h
}

fn signed(signature: &str) -> HeaderMap {
    headers(ID, &SIGNED_AT.to_string(), signature)
}

fn verify(headers: &HeaderMap, body: &[u8]) -> Result<spotnana::webhooks::Event, WebhookError> {
    Webhook::new(SECRET).unwrap().verify_at(headers, body, at(30))
}

#[test]
fn a_delivery_signed_by_spotnanas_scheme_verifies_and_decodes() {
    for signature in [format!("v1,{BOOKING_SIGNATURE}"), BOOKING_SIGNATURE.to_string()] {
        let event = verify(&signed(&signature), BOOKING).unwrap_or_else(|e| panic!("{signature}: {e}"));
        assert_eq!(event.id, ID);
        assert_eq!(event.signed_at, SIGNED_AT as i64);
        assert_eq!(event.event_type, EventType::PnrV3);
        assert_eq!(event.operation, Operation::Pnr(PnrOperation::BookingCreated));
        assert_eq!(event.published.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(event.payload(), br#"{"pnrId":"1234567890"}"#);
    }
}

#[test]
fn the_raw_bytes_are_what_is_verified() {
    let event =
        verify(&signed(&format!("v1,{TRAVELER_SIGNATURE}")), TRAVELER.as_bytes()).expect("verified on its raw bytes");
    assert_eq!(event.operation, Operation::Traveler(TravelerOperation::Update));
    assert!(std::str::from_utf8(event.payload()).unwrap().contains("Łukasiewicz"));
    let reserialised = serde_json::to_vec(&serde_json::from_str::<serde_json::Value>(TRAVELER).unwrap()).unwrap();
    assert!(
        matches!(verify(&signed(TRAVELER_SIGNATURE), &reserialised), Err(WebhookError::NoMatchingSignature)),
        "re-serialised JSON is another body"
    );
}

#[test]
fn tampering_with_body_id_or_timestamp_is_refused() {
    let good = format!("v1,{BOOKING_SIGNATURE}");
    let tampered_body = String::from_utf8(BOOKING.to_vec()).unwrap().replace("1234567890", "1234567891");
    assert!(matches!(verify(&signed(&good), tampered_body.as_bytes()), Err(WebhookError::NoMatchingSignature)));
    assert!(matches!(
        verify(&headers("msg_other", &SIGNED_AT.to_string(), &good), BOOKING),
        Err(WebhookError::NoMatchingSignature)
    ));
    assert!(matches!(
        verify(&headers(ID, &(SIGNED_AT + 1).to_string(), &good), BOOKING),
        Err(WebhookError::NoMatchingSignature)
    ));
}

#[test]
fn stale_and_future_deliveries_are_refused() {
    let webhook = Webhook::new(SECRET).unwrap();
    let headers = signed(&format!("v1,{BOOKING_SIGNATURE}"));
    assert!(matches!(webhook.verify_at(&headers, BOOKING, at(301)), Err(WebhookError::Stale { .. })));
    assert!(matches!(webhook.verify_at(&headers, BOOKING, at(-301)), Err(WebhookError::Future { .. })));
    let lenient = webhook.with_tolerance(Duration::from_secs(3600));
    assert!(lenient.verify_at(&headers, BOOKING, at(301)).is_ok(), "a wider tolerance takes it");
    let err = Webhook::new(SECRET).unwrap().verify_at(&headers, BOOKING, at(7200)).unwrap_err();
    assert!(err.to_string().contains("7200 s ago"), "{err}");
}

#[test]
fn during_a_rotation_any_listed_signature_matches_any_secret() {
    // Spotnana's header during its rotation: the old key's signature first.
    let rotated = format!("v1,{BOOKING_SIGNATURE_ROTATED} v1,{BOOKING_SIGNATURE}");
    assert!(verify(&signed(&rotated), BOOKING).is_ok(), "the valid signature second");
    // Your own rotation: the endpoint accepts both secrets.
    let both = Webhook::with_secrets([ROTATED, SECRET]).unwrap();
    assert!(both.verify_at(&signed(&format!("v1,{BOOKING_SIGNATURE}")), BOOKING, at(0)).is_ok());
    let only_new = Webhook::new(ROTATED).unwrap();
    assert!(
        matches!(
            only_new.verify_at(&signed(BOOKING_SIGNATURE), BOOKING, at(0)),
            Err(WebhookError::NoMatchingSignature)
        ),
        "the wrong secret"
    );
}

#[test]
fn malformed_secrets_and_missing_headers_say_what_is_wrong() {
    for bad in ["c3BvdG5hbmEtdGVzdA==", "whsec_", "whsec_c3BvdG5hbmEtdGVzdA!!", ""] {
        let err = Webhook::new(bad).unwrap_err();
        assert!(matches!(err, WebhookError::MalformedSecret(_)), "{bad:?}: {err}");
        assert!(!err.to_string().contains("c3BvdG5hbmEtdGVzdA"), "the message never quotes the secret: {err}");
    }
    let full = signed(&format!("v1,{BOOKING_SIGNATURE}"));
    for name in ["x-spotnana-webhook-id", "x-spotnana-webhook-timestamp", "x-spotnana-webhook-signature"] {
        let mut headers = full.clone();
        headers.remove(name);
        assert!(matches!(verify(&headers, BOOKING), Err(WebhookError::MissingHeader(n)) if n == name), "{name}");
    }
    assert!(matches!(
        verify(&headers(ID, "yesterday", BOOKING_SIGNATURE), BOOKING),
        Err(WebhookError::MalformedHeader(_))
    ));
    let absurd = vec![BOOKING_SIGNATURE; 1000].join(" ");
    assert!(
        matches!(verify(&signed(&absurd), BOOKING), Err(WebhookError::MalformedHeader(_))),
        "a thousand signatures are not read"
    );
}

#[test]
fn a_signed_body_that_is_not_an_event_is_refused_after_the_signature() {
    let webhook = Webhook::new(SECRET).unwrap();
    let body = b"<html>not json</html>";
    let header = webhook.sign(ID, SIGNED_AT as i64, body);
    assert!(matches!(webhook.verify_at(&signed(&header), body, at(0)), Err(WebhookError::NotJson(_))));
}
