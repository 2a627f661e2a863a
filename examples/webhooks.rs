//! `cargo run --example webhooks`
//!
//! A webhook receiver. With `SPOTNANA_WEBHOOK_SECRET` set (the `whsec_…`
//! secret of your endpoint) it listens on 127.0.0.1, on the port in `PORT`
//! (0, any free one, by default), prints `listening on
//! http://127.0.0.1:N/webhooks`, and answers each POST there:
//!
//! - 200 for a verified event, printing its type, operation and webhook id;
//! - 401 for a bad or stale signature;
//! - 400 for a malformed request (a header missing, a body not an event).
//!
//! It keeps running until stopped. Deliveries repeat, so a real handler
//! keeps the webhook ids it has handled and does nothing for a repeat.
//!
//! Without `SPOTNANA_WEBHOOK_SECRET` (or with it empty) it shows the whole loop offline: it
//! makes a secret, starts the local sandbox with itself as the endpoint,
//! books a hotel on a new trip and cancels it, prints the events it
//! receives, and exits.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::json;
use spotnana::webhooks::{Webhook, WebhookError};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("SPOTNANA_WEBHOOK_SECRET").ok().filter(|s| !s.is_empty());
    let demo = secret.is_none();
    // The demo's own secret: `whsec_` and the Base64 of a random key.
    let secret = secret.unwrap_or_else(|| {
        use base64::Engine as _;
        let key: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
        format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key))
    });
    let webhook = Webhook::new(&secret)?;
    let port: u16 = std::env::var("PORT").ok().map(|p| p.parse()).transpose()?.unwrap_or(0);
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    println!("listening on {url}");
    let server = tokio::spawn(serve(listener, webhook));
    if !demo {
        server.await?;
        return Ok(());
    }

    let sandbox = spotnana::sandbox::Sandbox::builder().with_webhook(&url, secret).start().await?;
    let client = sandbox.client()?;
    let trip: spotnana::types::CreateTripRequest = serde_json::from_value(json!({ "tripName": "Webhook demo" }))?;
    let trip = client.create_trip().body(trip).send().await?.into_inner().id.ok_or("the trip has no id")?;
    let mut hotel = spotnana::sandbox::example_request("hotelCreatePnr").ok_or("no hotel request")?;
    hotel["tripData"]["tripId"] = json!({ "id": trip });
    let booked = client
        .hotel_create_pnr()
        .body(serde_json::from_value::<spotnana::types::HotelCreatePnrRequest>(hotel)?)
        .send()
        .await?;
    let pnr = booked.into_inner().pnr_id;
    let cancel: spotnana::types::HotelCancelPnrRequest = serde_json::from_value(json!({}))?;
    client.hotel_cancel_pnr().pnr_id(&pnr).body(cancel).send().await?;
    let sent = sandbox.wait_for_deliveries(2, Duration::from_secs(10)).await;
    let delivered = sent.iter().filter(|d| d.delivered).count();
    println!("the sandbox delivered {delivered} of {} webhooks", sent.len());
    if delivered != 2 {
        return Err("expected two delivered webhooks: the booking and its cancellation".into());
    }
    Ok(())
}

/// Serves POST /webhooks until the process stops.
async fn serve(listener: TcpListener, webhook: Webhook) {
    while let Ok((stream, _)) = listener.accept().await {
        let webhook = webhook.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let webhook = webhook.clone();
                async move { Ok::<_, Infallible>(receive(&webhook, request).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
        });
    }
}

/// At most this many bytes of body are read.
const MAX_BODY: usize = 8 << 20;

async fn receive(webhook: &Webhook, request: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let answer = |status: u16, text: &str| {
        let mut response = Response::new(Full::new(Bytes::from(text.to_string())));
        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
        response
    };
    if request.method() != hyper::Method::POST || request.uri().path() != "/webhooks" {
        return answer(404, "POST webhooks to /webhooks\n");
    }
    let (parts, body) = request.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return answer(400, "the body could not be read\n"),
    };
    match webhook.verify(&parts.headers, &body) {
        Ok(event) => {
            println!("{} {} (webhook {})", event.event_type, event.operation, event.id);
            answer(200, "ok\n")
        }
        Err(e @ (WebhookError::NoMatchingSignature | WebhookError::Stale { .. } | WebhookError::Future { .. })) => {
            eprintln!("refused: {e}");
            answer(401, "the signature does not verify\n")
        }
        Err(e) => {
            eprintln!("refused: {e}");
            answer(400, "not a Spotnana webhook\n")
        }
    }
}
