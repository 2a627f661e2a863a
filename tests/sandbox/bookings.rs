//! Bookings land on trips in the sandbox: air and hotel PNRs booked onto a
//! trip show in its detail and in the traveller's trip list, a cancel marks
//! one cancelled, and a booking onto a trip that does not exist is a 404.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use spotnana::sandbox::Sandbox;
use spotnana::{types, Client, Error};

use super::support;

const TRAVELLER: &str = "00000000-0000-4000-8000-0000000b0001";

/// The sandbox's example body for `operation`, with `changes` (JSON
/// pointer, value) made, as its typed request.
fn body<T: DeserializeOwned>(operation: &str, changes: &[(&str, Value)]) -> T {
    let mut body = spotnana::sandbox::example_request(operation).unwrap_or(json!({}));
    for (pointer, value) in changes {
        let (outer, field) = pointer.rsplit_once('/').unwrap();
        let parent = if outer.is_empty() {
            &mut body
        } else {
            body.pointer_mut(outer).unwrap_or_else(|| panic!("{operation}: {outer}"))
        };
        parent[field] = value.clone();
    }
    spotnana::from_slice(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{operation}: {e}"))
}

fn as_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

async fn new_trip(client: &Client, name: &str) -> String {
    let request: types::CreateTripRequest =
        body("createTrip", &[("/tripName", json!(name)), ("/userId", json!({ "id": TRAVELLER }))]);
    let created = client.create_trip().body(request).send().await.expect("the trip is created").into_inner();
    as_json(&created)["id"].as_str().expect("a trip id").to_string()
}

async fn book_hotel(client: &Client, trip: &str) -> Result<String, Error> {
    let request: types::HotelCreatePnrRequest = body("hotelCreatePnr", &[("/tripData/tripId", json!({ "id": trip }))]);
    let booked = client.hotel_create_pnr().body(request).send().await?.into_inner();
    Ok(as_json(&booked)["pnrId"].as_str().expect("a hotel PNR id").to_string())
}

/// Each PNR of the trip's detail, with its user-facing status.
async fn trip_pnrs(client: &Client, trip: &str) -> Vec<(String, String)> {
    let detail =
        as_json(&client.get_trip_details_v3().trip_id(trip).send().await.expect("the trip's detail").into_inner());
    assert_eq!(detail.pointer("/basicTripInfo/tripId").and_then(Value::as_str), Some(trip), "{detail}");
    let pnrs = detail["pnrs"].as_array().cloned().unwrap_or_default();
    pnrs.iter()
        .map(|p| {
            (
                p["pnrId"].as_str().unwrap_or("").to_string(),
                p.pointer("/data/bookingStatus").and_then(Value::as_str).unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn air_and_hotel_bookings_land_on_their_trip_and_a_cancel_shows() {
    support::on_big_stack(async {
        let sandbox = Sandbox::start().await.unwrap();
        let client = sandbox.client().unwrap();
        let trip = new_trip(&client, "Berlin offsite").await;

        // Air: the booking id that revalidation issued for the trip names it.
        let revalidate: types::AirRevalidateItineraryRequest =
            body("airRevalidateItinerary", &[("/tripId", json!({ "id": trip }))]);
        let priced = as_json(
            &client.air_revalidate_itinerary().body(revalidate).send().await.expect("revalidated").into_inner(),
        );
        let booking_id = priced["bookingId"].as_str().expect("a booking id").to_string();
        let air: types::AirCreatePnrRequest = body("airCreatePnr", &[("/bookingId", json!(booking_id))]);
        let air = as_json(&client.air_create_pnr().body(air).send().await.expect("air booked").into_inner());
        let air_pnr = air["pnrId"].as_str().expect("an air PNR id").to_string();
        let hotel_pnr = book_hotel(&client, &trip).await.expect("hotel booked");
        assert_ne!(air_pnr, hotel_pnr);

        let mut pnrs = trip_pnrs(&client, &trip).await;
        pnrs.sort();
        let mut want = vec![
            (air_pnr.clone(), "CONFIRMED_STATUS".to_string()),
            (hotel_pnr.clone(), "CONFIRMED_STATUS".to_string()),
        ];
        want.sort();
        assert_eq!(pnrs, want, "both bookings are on the trip");

        let cancel: types::HotelCancelPnrRequest = body("hotelCancelPnr", &[]);
        client.hotel_cancel_pnr().pnr_id(&hotel_pnr).body(cancel).send().await.expect("the hotel is cancelled");
        let pnrs = trip_pnrs(&client, &trip).await;
        assert!(pnrs.contains(&(hotel_pnr.clone(), "CANCELLED_STATUS".into())), "{pnrs:?}");
        assert!(pnrs.contains(&(air_pnr.clone(), "CONFIRMED_STATUS".into())), "{pnrs:?}");

        let read = as_json(
            &client
                .get_pnr_v3()
                .trip_id(&trip)
                .pnr_id(&hotel_pnr)
                .send()
                .await
                .expect("the PNR reads back")
                .into_inner(),
        );
        assert_eq!(read["bookingStatus"], "CANCELLED_STATUS");
        assert_eq!(read["pnrId"].as_str(), Some(hotel_pnr.as_str()));

        // The traveller's trip list shows the trip with both PNRs.
        let list: types::GetTripSummariesV3Request = body("getUserTripSummariesList", &[]);
        let summaries = as_json(
            &client
                .get_user_trip_summaries_list()
                .user_id(TRAVELLER)
                .body(list)
                .send()
                .await
                .expect("listed")
                .into_inner(),
        );
        let trips = summaries["tripSummaries"].as_array().cloned().unwrap_or_default();
        assert_eq!(trips.len(), 1, "{summaries}");
        assert_eq!(trips[0]["tripName"], "Berlin offsite");
        let mut listed: Vec<&str> =
            trips[0]["pnrSummaries"].as_array().into_iter().flatten().filter_map(|p| p["pnrId"].as_str()).collect();
        listed.sort();
        let mut booked = vec![air_pnr.as_str(), hotel_pnr.as_str()];
        booked.sort();
        assert_eq!(listed, booked);
    });
}

#[test]
fn a_booking_onto_a_trip_that_does_not_exist_is_a_404() {
    support::on_big_stack(async {
        let sandbox = Sandbox::start().await.unwrap();
        let client = sandbox.client().unwrap();
        let trip = new_trip(&client, "Cancelled plans").await;
        client.delete_trip().trip_id(&trip).send().await.expect("deleted");
        let err = book_hotel(&client, &trip).await.expect_err("the trip is gone");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
        assert!(err.error_response().is_some_and(|e| !e.error_messages.is_empty()));

        let strict = Sandbox::builder().with_strict_ids().start().await.unwrap();
        let client = strict.client().unwrap();
        let err = book_hotel(&client, "4000000404").await.expect_err("never created");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
        let trip = new_trip(&client, "Real plans").await;
        book_hotel(&client, &trip).await.expect("a trip the strict sandbox issued takes bookings");
    });
}
