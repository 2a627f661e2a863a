//! The event a verified webhook carries: Spotnana's envelope
//! `{ event_type, operation, operationSummary, payload, timestamp }`, with
//! open enums for the event type and each type's operations, and the payload
//! kept as the raw JSON it arrived as.

use std::fmt;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::WebhookError;

/// Defines an open string enum: the documented values, and `Unrecognized`
/// for any other, kept as sent. `as_str`, `Display` and `FromStr` agree.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this SDK does not know yet, as sent.
            Unrecognized(String),
        }

        impl $name {
            /// The value as Spotnana sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unrecognized(other) => other,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $($text => $name::$variant,)*
                    other => $name::Unrecognized(other.to_string()),
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    /// Which webhook an event is (`event_type`).
    EventType {
        /// A traveller's profile changed.
        TravelerV2 = "TRAVELER_V2",
        /// A booking (PNR) changed.
        PnrV3 = "PNR_V3",
        /// A trip's details changed.
        TripDetailsV3 = "TRIP_DETAILS_V3",
        /// A booking needs or got an approval.
        PnrApproval = "PNR_APPROVAL",
        /// An agent task was created or updated.
        AgentTaskDetails = "AGENT_TASK_DETAILS",
        /// A service charge was applied.
        ServiceCharge = "SERVICE_CHARGE",
    }
}

open_enum! {
    /// The operations of `TRAVELER_V2`.
    TravelerOperation {
        /// A profile was created.
        Create = "CREATE",
        /// A profile was updated.
        Update = "UPDATE",
        /// A profile was deactivated (it can be reactivated).
        Delete = "DELETE",
        /// A profile was deleted for good.
        Purge = "PURGE",
    }
}

open_enum! {
    /// The operations of `PNR_V3`, as Spotnana's booking lifecycle pages list them.
    PnrOperation {
        /// The supplier confirmed the booking.
        BookingCreated = "BOOKING_CREATED",
        /// A ticket was issued.
        BookingTicketed = "BOOKING_TICKETED",
        /// The itinerary changed.
        BookingUpdated = "BOOKING_UPDATED",
        /// Any other change to the PNR.
        BookingOtherUpdate = "BOOKING_OTHER_UPDATE",
        /// The traveller cancelled.
        BookingCanceledByTraveler = "BOOKING_CANCELED_BY_TRAVELER",
        /// The supplier cancelled.
        BookingCanceledByVendor = "BOOKING_CANCELED_BY_VENDOR",
        /// The payment card was declined before ticketing.
        PaymentDeclined = "PAYMENT_DECLINED",
        /// A booking of several travellers was split into PNRs of their own.
        SplitPnrCreated = "SPLIT_PNR_CREATED",
        /// The airline cancelled a flight.
        FlightCanceled = "FLIGHT_CANCELED",
        /// The airline announced a schedule change.
        FlightScheduleChangePending = "FLIGHT_SCHEDULE_CHANGE_PENDING",
        /// A ticket was voided.
        TicketVoided = "TICKET_VOIDED",
        /// A ticket was refunded.
        TicketRefunded = "TICKET_REFUNDED",
        /// An invoice was generated.
        InvoiceGenerated = "INVOICE_GENERATED",
        /// The trip's own details (name, description) changed.
        TripUpdated = "TRIP_UPDATED",
    }
}

open_enum! {
    /// The operations of `PNR_APPROVAL`.
    ApprovalOperation {
        /// An approval that does not hold the booking.
        SoftApproval = "SOFT_APPROVAL",
        /// An approval the booking waits for.
        HardApproval = "HARD_APPROVAL",
    }
}

open_enum! {
    /// The operations of `AGENT_TASK_DETAILS`.
    AgentTaskOperation {
        /// A task was created.
        TaskCreate = "TASK_CREATE",
        /// A task was updated.
        TaskUpdate = "TASK_UPDATE",
    }
}

open_enum! {
    /// The operations of `SERVICE_CHARGE`.
    ServiceChargeOperation {
        /// A service fee was charged.
        ServiceFee = "SERVICE_FEE",
    }
}

/// What happened, in the operation enum of the event's type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// A `TRAVELER_V2` operation.
    Traveler(TravelerOperation),
    /// A `PNR_V3` operation.
    Pnr(PnrOperation),
    /// A `PNR_APPROVAL` operation.
    Approval(ApprovalOperation),
    /// An `AGENT_TASK_DETAILS` operation.
    AgentTask(AgentTaskOperation),
    /// A `SERVICE_CHARGE` operation.
    ServiceCharge(ServiceChargeOperation),
    /// The operation of a `TRIP_DETAILS_V3` event or of an event type this
    /// SDK does not know, as sent.
    Other(String),
}

impl Operation {
    fn of(event_type: &EventType, text: &str) -> Operation {
        match event_type {
            EventType::TravelerV2 => Operation::Traveler(open(text)),
            EventType::PnrV3 => Operation::Pnr(open(text)),
            EventType::PnrApproval => Operation::Approval(open(text)),
            EventType::AgentTaskDetails => Operation::AgentTask(open(text)),
            EventType::ServiceCharge => Operation::ServiceCharge(open(text)),
            _ => Operation::Other(text.to_string()),
        }
    }

    /// The operation as Spotnana sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Operation::Traveler(o) => o.as_str(),
            Operation::Pnr(o) => o.as_str(),
            Operation::Approval(o) => o.as_str(),
            Operation::AgentTask(o) => o.as_str(),
            Operation::ServiceCharge(o) => o.as_str(),
            Operation::Other(o) => o,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An open enum's value for `text`: parsing one cannot fail.
fn open<T: std::str::FromStr<Err = std::convert::Infallible>>(text: &str) -> T {
    match text.parse() {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

/// The envelope as it arrives; the payload stays raw.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(alias = "eventType")]
    event_type: String,
    operation: String,
    #[serde(rename = "operationSummary", default)]
    operation_summary: Option<serde_json::Value>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    #[serde(default)]
    timestamp: Option<serde_json::Value>,
}

/// A verified webhook event.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Event {
    /// The webhook id: the same on every re-send, so the key to handle each
    /// delivery once.
    pub id: String,
    /// When Spotnana signed this delivery, in Unix seconds.
    pub signed_at: i64,
    /// The event type.
    pub event_type: EventType,
    /// What happened.
    pub operation: Operation,
    /// Spotnana's summary of the operation (tickets issued, voided,
    /// refunded), as sent.
    pub operation_summary: Option<serde_json::Value>,
    /// When the event was published, as the envelope's `timestamp` says.
    pub published: Option<String>,
    /// The whole body, as received.
    body: Bytes,
    /// Where the payload sits in `body`.
    payload: Option<std::ops::Range<usize>>,
}

impl Event {
    pub(super) fn decode(id: String, signed_at: i64, body: &[u8]) -> Result<Event, WebhookError> {
        let envelope: Envelope<'_> = serde_json::from_slice(body).map_err(WebhookError::NotJson)?;
        let event_type: EventType = open(&envelope.event_type);
        let operation = Operation::of(&event_type, &envelope.operation);
        // The payload's place in the body: `RawValue` borrows from it.
        let payload = envelope.payload.map(|raw| {
            let start = raw.get().as_ptr() as usize - body.as_ptr() as usize;
            start..start + raw.get().len()
        });
        let published = envelope.timestamp.map(|t| match t {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        Ok(Event {
            id,
            signed_at,
            event_type,
            operation,
            operation_summary: envelope.operation_summary,
            published,
            body: Bytes::copy_from_slice(body),
            payload,
        })
    }

    /// The payload's raw JSON, exactly as it arrived (`null` when absent).
    pub fn payload(&self) -> &[u8] {
        match &self.payload {
            Some(range) => &self.body[range.clone()],
            None => b"null",
        }
    }

    /// The whole body, as it arrived.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The payload decoded as `T`. A failure keeps nothing from you: the raw
    /// payload is still [`payload`](Self::payload).
    pub fn payload_as<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        crate::decode::from_slice(self.payload())
    }

    /// A `TRAVELER_V2` payload, the traveller's profile.
    #[cfg(feature = "users")]
    pub fn traveler(&self) -> Option<serde_json::Result<crate::types::UserProfile>> {
        (self.event_type == EventType::TravelerV2).then(|| self.payload_as())
    }

    /// A `PNR_V3` payload, the booking.
    #[cfg(feature = "trip")]
    pub fn pnr(&self) -> Option<serde_json::Result<crate::types::PnrData>> {
        (self.event_type == EventType::PnrV3).then(|| self.payload_as())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_and_operations_are_kept_as_sent() {
        let body = br#"{"event_type":"LOYALTY_V9","operation":"POINTS_ADDED","payload":{"points": 12}}"#;
        let event = Event::decode("wh-1".into(), 0, body).unwrap();
        assert_eq!(event.event_type, EventType::Unrecognized("LOYALTY_V9".into()));
        assert_eq!(event.operation, Operation::Other("POINTS_ADDED".into()));
        assert_eq!(event.payload(), br#"{"points": 12}"#, "the payload's raw bytes, spaces kept");

        let body = br#"{"event_type":"PNR_V3","operation":"BOOKING_TELEPORTED","payload":null}"#;
        let event = Event::decode("wh-2".into(), 0, body).unwrap();
        assert_eq!(event.operation, Operation::Pnr(PnrOperation::Unrecognized("BOOKING_TELEPORTED".into())));
        assert_eq!(event.operation.to_string(), "BOOKING_TELEPORTED");
    }

    #[test]
    fn a_payload_that_does_not_decode_is_still_there() {
        let body = br#"{"event_type":"TRAVELER_V2","operation":"CREATE","payload":{"id":42}}"#;
        let event = Event::decode("wh-3".into(), 0, body).unwrap();
        assert_eq!(event.operation, Operation::Traveler(TravelerOperation::Create));
        assert!(event.payload_as::<std::collections::HashMap<String, String>>().is_err());
        assert_eq!(event.payload(), br#"{"id":42}"#);
    }
}
