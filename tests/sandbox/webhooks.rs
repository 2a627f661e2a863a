//! The sandbox sends Spotnana's webhooks: to the example receiver run as a
//! process of its own, and to a receiver in the test. They verify, their
//! types and operations say what changed, a failed delivery is re-sent with
//! the same webhook id, and every event decodes, in full-size mode too.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use spotnana::sandbox::{Responses, Sandbox};
use spotnana::webhooks::{Event, EventType, Operation, PnrOperation, TravelerOperation, Webhook};
use spotnana::{types, Client};

use super::support;
use super::support::server::{Recorded, Reply, TestServer};

/// `whsec_` and the Base64 of `sandbox-webhook-test-key`.
const SECRET: &str = "whsec_c2FuZGJveC13ZWJob29rLXRlc3Qta2V5";

fn typed<T: serde::de::DeserializeOwned>(operation: &str, changes: &[(&str, Value)]) -> T {
    let mut body = spotnana::sandbox::example_request(operation).unwrap_or(json!({}));
    for (pointer, value) in changes {
        let (outer, field) = pointer.rsplit_once('/').unwrap();
        let parent = if outer.is_empty() { &mut body } else { body.pointer_mut(outer).unwrap() };
        parent[field] = value.clone();
    }
    spotnana::from_slice(body.to_string().as_bytes()).unwrap()
}

/// Books a hotel on a new trip and cancels it: two `PNR_V3` events.
async fn book_and_cancel(client: &Client) -> String {
    let trip = client
        .create_trip()
        .body(typed::<types::CreateTripRequest>("createTrip", &[]))
        .send()
        .await
        .unwrap()
        .into_inner();
    let trip = trip.id.expect("a trip id");
    let hotel: types::HotelCreatePnrRequest = typed("hotelCreatePnr", &[("/tripData/tripId", json!({ "id": trip }))]);
    let pnr = client.hotel_create_pnr().body(hotel).send().await.unwrap().into_inner().pnr_id;
    client
        .hotel_cancel_pnr()
        .pnr_id(&pnr)
        .body(typed::<types::HotelCancelPnrRequest>("hotelCancelPnr", &[]))
        .send()
        .await
        .unwrap();
    pnr
}

/// A user created, updated and deleted: three `TRAVELER_V2` events.
async fn user_lifecycle(client: &Client) {
    let created = client
        .create_user()
        .body(typed::<types::UserCreateRequest>("createUser", &[("/externalId", json!("emp-7"))]))
        .send()
        .await
        .unwrap();
    let id = created.into_inner().id;
    client.update_user().user_id(id).body(typed::<types::UserUpdateRequest>("updateUser", &[])).send().await.unwrap();
    client.delete_user().user_id(id).send().await.unwrap();
}

fn headers_of(request: &Recorded) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.append(n, v);
        }
    }
    headers
}

/// The example receiver, started with [`SECRET`]; stops when dropped.
struct Receiver {
    child: Child,
    url: String,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    fn start() -> Receiver {
        // `cargo test` builds the examples beside the test binaries' `deps/`.
        let exe = std::env::current_exe().unwrap();
        let examples = exe
            .parent()
            .and_then(|deps| deps.parent())
            .unwrap()
            .join("examples")
            .join(format!("webhooks{}", std::env::consts::EXE_SUFFIX));
        assert!(
            examples.exists(),
            "{} is missing: `cargo test` builds it, or run `cargo build --example webhooks`",
            examples.display()
        );
        let mut child = Command::new(examples)
            .env("SPOTNANA_WEBHOOK_SECRET", SECRET)
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the example receiver starts");
        let (send, lines) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let first = lines.recv_timeout(Duration::from_secs(30)).expect("the receiver says where it listens");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Receiver { child, url, lines }
    }
}

#[test]
fn the_example_receiver_gets_and_verifies_the_sandboxs_webhooks() {
    support::on_big_stack(async {
        let receiver = Receiver::start();
        let sandbox = Sandbox::builder().with_webhook(&receiver.url, SECRET).start().await.unwrap();
        let pnr = book_and_cancel(&sandbox.client().unwrap()).await;
        let sent = sandbox.wait_for_deliveries(2, Duration::from_secs(30)).await;
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent.iter().all(|d| d.delivered && d.attempts == [Some(200)]), "{sent:?}");
        let printed: Vec<String> =
            (0..2).map(|_| receiver.lines.recv_timeout(Duration::from_secs(10)).expect("a line per event")).collect();
        assert_eq!(printed[0], format!("PNR_V3 BOOKING_CREATED (webhook {})", sent[0].id));
        assert_eq!(printed[1], format!("PNR_V3 BOOKING_CANCELED_BY_TRAVELER (webhook {})", sent[1].id));
        assert!(String::from_utf8_lossy(&sent[0].body).contains(&pnr), "the event is about the PNR booked");

        // A bad signature gets the receiver's 401.
        let http = support::bare_reqwest().no_proxy().build().unwrap();
        let forged = http
            .post(&receiver.url)
            .header("x-spotnana-webhook-id", "forged")
            .header("x-spotnana-webhook-timestamp", chrono::Utc::now().timestamp().to_string())
            .header("x-spotnana-webhook-signature", "v1,AAAA")
            .body(sent[0].body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 401);
        let malformed = http.post(&receiver.url).body("{}").send().await.unwrap();
        assert_eq!(malformed.status().as_u16(), 400);
    });
}

#[test]
fn a_receiver_that_fails_once_gets_the_same_webhook_again() {
    support::on_big_stack(async {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let server = TestServer::start(move |_| {
            if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                Reply::with(500, "text/plain", b"down for a moment")
            } else {
                Reply::with(200, "text/plain", b"ok")
            }
        })
        .await;
        let sandbox =
            Sandbox::builder().with_webhook(format!("{}/webhooks", server.url()), SECRET).start().await.unwrap();
        let client = sandbox.client().unwrap();
        user_lifecycle(&client).await;
        book_and_cancel(&client).await;
        let sent = sandbox.wait_for_deliveries(5, Duration::from_secs(30)).await;
        assert_eq!(sent.len(), 5);
        assert_eq!(sent[0].attempts, [Some(500), Some(200)], "re-sent after the 500");
        assert!(sent[1..].iter().all(|d| d.attempts == [Some(200)]));

        let requests = server.requests();
        assert_eq!(requests.len(), 6, "five webhooks, one of them twice");
        assert_eq!(
            requests[0].header("x-spotnana-webhook-id"),
            requests[1].header("x-spotnana-webhook-id"),
            "the re-send has the same id"
        );
        let webhook = Webhook::new(SECRET).unwrap();
        let events: Vec<Event> = requests[1..]
            .iter()
            .map(|r| webhook.verify(&headers_of(r), &r.body).expect("each delivery verifies"))
            .collect();
        let got: Vec<(EventType, Operation)> =
            events.iter().map(|e| (e.event_type.clone(), e.operation.clone())).collect();
        assert_eq!(
            got,
            [
                (EventType::TravelerV2, Operation::Traveler(TravelerOperation::Create)),
                (EventType::TravelerV2, Operation::Traveler(TravelerOperation::Update)),
                (EventType::TravelerV2, Operation::Traveler(TravelerOperation::Delete)),
                (EventType::PnrV3, Operation::Pnr(PnrOperation::BookingCreated)),
                (EventType::PnrV3, Operation::Pnr(PnrOperation::BookingCanceledByTraveler)),
            ]
        );
        let traveler = events[0].traveler().expect("a traveler event").expect("its payload is a UserProfile");
        assert_eq!(traveler.external_id.as_deref(), Some("emp-7"));
        let pnr = events[4].pnr().expect("a PNR event").expect("its payload is PnrData");
        assert_eq!(pnr.booking_status.map(|s| s.to_string()).as_deref(), Some("CANCELLED_STATUS"));
    });
}

#[test]
fn every_event_decodes_in_full_size_mode_and_unknown_names_are_kept() {
    support::on_big_stack(async {
        let server = TestServer::start(|_| Reply::with(200, "text/plain", b"ok")).await;
        let sandbox = Sandbox::builder()
            .with_responses(Responses::Full)
            .with_webhook(server.url(), SECRET)
            .start()
            .await
            .unwrap();
        let client = sandbox.client().unwrap();
        user_lifecycle(&client).await;
        book_and_cancel(&client).await;
        let sent = sandbox.wait_for_deliveries(5, Duration::from_secs(30)).await;
        assert_eq!(sent.len(), 5);
        let webhook = Webhook::new(SECRET).unwrap();
        for request in server.requests() {
            let event = webhook.verify(&headers_of(&request), &request.body).expect("verifies");
            match event.event_type {
                EventType::TravelerV2 => drop(event.traveler().unwrap().expect("a full-size UserProfile decodes")),
                EventType::PnrV3 => drop(event.pnr().unwrap().expect("a full-size PnrData decodes")),
                other => panic!("unexpected {other}"),
            }
            // Next year's names: re-signed with another type and operation.
            let mut renamed: Value = serde_json::from_slice(&request.body).unwrap();
            renamed["event_type"] = json!("LOYALTY_V1");
            renamed["operation"] = json!("POINTS_EARNED");
            let body = renamed.to_string();
            let now = chrono::Utc::now().timestamp();
            let mut headers = headers_of(&request);
            headers.insert("x-spotnana-webhook-timestamp", HeaderValue::from_str(&now.to_string()).unwrap());
            let id = request.header("x-spotnana-webhook-id").unwrap();
            headers.insert(
                "x-spotnana-webhook-signature",
                HeaderValue::from_str(&webhook.sign(id, now, body.as_bytes())).unwrap(),
            );
            let event = webhook.verify(&headers, body.as_bytes()).expect("verifies");
            assert_eq!(event.event_type, EventType::Unrecognized("LOYALTY_V1".into()));
            assert_eq!(event.operation, Operation::Other("POINTS_EARNED".into()));
            assert!(event.payload().len() > 1000, "the payload is kept whole");
        }
    });
}
