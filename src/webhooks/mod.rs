//! Receiving Spotnana's webhooks: verify the signature, then decode the event.
//!
//! Framework-neutral: give [`Webhook::verify`] the request's headers and its
//! raw body bytes, as your HTTP server received them, before anything parses
//! or re-serialises the body.
//!
//! ```
//! use spotnana::webhooks::{EventType, Webhook};
//! # fn handle(headers: &http::HeaderMap, body: &[u8]) -> Result<u16, spotnana::webhooks::WebhookError> {
//! let webhook = Webhook::new("whsec_c2VjcmV0LWtleS1vZi10aGUtcmVjZWl2ZXI=")?;
//! let event = webhook.verify(headers, body)?;
//! // Deliveries repeat: handle each webhook id once.
//! if event.event_type == EventType::PnrV3 {
//!     println!("{} on PNR webhook {}", event.operation, event.id);
//! }
//! # Ok(200) }
//! ```
//!
//! What Spotnana documents, and what this module checks:
//!
//! - Every delivery carries `x-spotnana-webhook-id` (the same on every re-send
//!   of one webhook), `x-spotnana-webhook-timestamp` (Unix seconds) and
//!   `x-spotnana-webhook-signature`.
//! - The signature is the Base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
//!   under the key that the secret (`whsec_` and Base64) encodes. During a key
//!   rotation the header holds several, separated by spaces, each bare or
//!   tagged `v1,`; any one that matches any of your secrets is enough. The
//!   comparison takes constant time.
//! - A timestamp further than the tolerance (five minutes by default) from
//!   now, in the past or the future, is refused, so that a captured delivery
//!   cannot be replayed later.
//! - Only an HTTP 200 counts as delivered. Spotnana gives each attempt 40
//!   seconds and retries failures (five times at once, then with backoff for
//!   two weeks), so **the same webhook id can arrive more than once**: make
//!   your handler idempotent by [`Event::id`].
//!
//! Older integrations receive webhooks authenticated with OAuth client
//! credentials instead of a signature; this module does not cover those.

mod event;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use event::{
    AgentTaskOperation, ApprovalOperation, Event, EventType, Operation, PnrOperation, ServiceChargeOperation,
    TravelerOperation,
};

/// The header that names one webhook, the same on each re-send.
pub const ID_HEADER: &str = "x-spotnana-webhook-id";
/// The header with the Unix time, in seconds, the delivery was signed at.
pub const TIMESTAMP_HEADER: &str = "x-spotnana-webhook-timestamp";
/// The header with one or more signatures, separated by spaces.
pub const SIGNATURE_HEADER: &str = "x-spotnana-webhook-signature";
/// How far a delivery's timestamp may be from now, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// The most signatures one header is read for; more is refused as malformed.
pub const MAX_SIGNATURES: usize = 16;

/// The prefix of every Spotnana webhook secret.
const SECRET_PREFIX: &str = "whsec_";

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery was refused. No variant holds a secret or a signature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A header Spotnana always sends is missing: answer 400.
    #[error("the webhook has no `{0}` header; it was not sent by Spotnana, or a proxy dropped it")]
    MissingHeader(&'static str),
    /// A header is not what Spotnana sends (not text, not a number, or too
    /// many signatures): answer 400.
    #[error("the webhook's `{0}` header is malformed")]
    MalformedHeader(&'static str),
    /// A secret does not look like one Spotnana issues (`whsec_` and Base64).
    #[error("the webhook secret is malformed: {0}; copy it exactly as Spotnana shows it, `whsec_` included")]
    MalformedSecret(&'static str),
    /// The delivery was signed longer ago than the tolerance: a replay, or a
    /// clock far off. Answer 401.
    #[error("the webhook was signed {} s ago, more than the tolerance of {} s; check this machine's clock if it is not a replay", .age.as_secs(), .tolerance.as_secs())]
    Stale {
        /// How long ago it was signed.
        age: Duration,
        /// The tolerance it exceeded.
        tolerance: Duration,
    },
    /// The delivery is signed for a time further ahead than the tolerance.
    /// Answer 401.
    #[error("the webhook is signed {} s in the future, more than the tolerance of {} s; check this machine's clock", .ahead.as_secs(), .tolerance.as_secs())]
    Future {
        /// How far ahead its timestamp is.
        ahead: Duration,
        /// The tolerance it exceeded.
        tolerance: Duration,
    },
    /// No signature in the header matches any secret: a forgery, a body
    /// changed on the way (or re-serialised before verifying), or the wrong
    /// secret. Answer 401.
    #[error("no signature of the webhook matches its secret; verify the raw body bytes, and check that the secret is this endpoint's")]
    NoMatchingSignature,
    /// The signature matched, but the body is not the JSON envelope
    /// Spotnana sends. Answer 400.
    #[error("the webhook's body is not a Spotnana event: {0}")]
    NotJson(#[source] serde_json::Error),
}

/// One signing key, from a `whsec_…` secret. `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl WebhookSecret {
    /// Reads a secret as Spotnana issues it: `whsec_` and the Base64 key.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(WebhookError::MalformedSecret("it does not start with `whsec_`"))?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| WebhookError::MalformedSecret("the part after `whsec_` is not Base64"))?;
        if key.is_empty() {
            return Err(WebhookError::MalformedSecret("the key is empty"));
        }
        Ok(Self { key })
    }

    /// The Base64 signature of a delivery: HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: &str, body: &[u8]) -> String {
        STANDARD.encode(self.mac(id, timestamp, body).finalize().into_bytes())
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        // HMAC takes a key of any length.
        let mut mac =
            HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// Whether `signature` (decoded) is this key's signature of the delivery,
    /// compared in constant time.
    fn signed(&self, id: &str, timestamp: &str, body: &[u8], signature: &[u8]) -> bool {
        self.mac(id, timestamp, body).verify_slice(signature).is_ok()
    }
}

/// A receiver's verifier: the endpoint's secrets and the timestamp tolerance.
#[derive(Clone, Debug)]
pub struct Webhook {
    secrets: Vec<WebhookSecret>,
    tolerance: Duration,
}

impl Webhook {
    /// A verifier for one secret (`whsec_…`).
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Self::with_secrets([secret])
    }

    /// A verifier that accepts a signature by any of `secrets`: the old and
    /// the new one while you rotate your endpoint's secret.
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let secrets = secrets.into_iter().map(|s| WebhookSecret::new(s.as_ref())).collect::<Result<Vec<_>, _>>()?;
        if secrets.is_empty() {
            return Err(WebhookError::MalformedSecret("no secret was given"));
        }
        Ok(Self { secrets, tolerance: DEFAULT_TOLERANCE })
    }

    /// How far from now a delivery's timestamp may be (default
    /// [`DEFAULT_TOLERANCE`], five minutes).
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a delivery (headers and raw body) against the clock, and
    /// decodes its event.
    pub fn verify(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Event, WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// As [`verify`](Self::verify), with `now` as the current time.
    pub fn verify_at(&self, headers: &http::HeaderMap, body: &[u8], now: SystemTime) -> Result<Event, WebhookError> {
        let header = |name: &'static str| -> Result<&str, WebhookError> {
            let value = headers.get(name).ok_or(WebhookError::MissingHeader(name))?;
            value.to_str().map(str::trim).map_err(|_| WebhookError::MalformedHeader(name))
        };
        let (id, timestamp, signatures) = (header(ID_HEADER)?, header(TIMESTAMP_HEADER)?, header(SIGNATURE_HEADER)?);
        let seconds: i64 = timestamp.parse().map_err(|_| WebhookError::MalformedHeader(TIMESTAMP_HEADER))?;
        self.check_time(seconds, now)?;
        let entries: Vec<&str> = signatures.split_ascii_whitespace().collect();
        if entries.len() > MAX_SIGNATURES {
            return Err(WebhookError::MalformedHeader(SIGNATURE_HEADER));
        }
        let decoded: Vec<Vec<u8>> = entries.iter().filter_map(|entry| signature_bytes(entry)).collect();
        let matched =
            decoded.iter().any(|sig| self.secrets.iter().any(|secret| secret.signed(id, timestamp, body, sig)));
        if !matched {
            return Err(WebhookError::NoMatchingSignature);
        }
        Event::decode(id.to_string(), seconds, body)
    }

    fn check_time(&self, seconds: i64, now: SystemTime) -> Result<(), WebhookError> {
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        };
        let tolerance = self.tolerance;
        let limit = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
        let gap = now.saturating_sub(seconds);
        if gap > limit {
            return Err(WebhookError::Stale { age: Duration::from_secs(gap.unsigned_abs()), tolerance });
        }
        if gap < limit.saturating_neg() {
            return Err(WebhookError::Future { ahead: Duration::from_secs(gap.unsigned_abs()), tolerance });
        }
        Ok(())
    }

    /// The signature header for a delivery, as Spotnana would send it
    /// (`v1,` and the Base64 signature by the first secret): for testing
    /// your receiver.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", self.secrets[0].sign(id, &timestamp.to_string(), body))
    }
}

/// The bytes of one signature entry: `v1,<base64>` or bare `<base64>`;
/// `None` for another version tag or what is not Base64.
fn signature_bytes(entry: &str) -> Option<Vec<u8>> {
    let encoded = match entry.split_once(',') {
        Some(("v1", rest)) => rest,
        Some(_) => return None,
        None => entry,
    };
    STANDARD.decode(encoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_bare_or_v1_tagged() {
        assert_eq!(signature_bytes("v1,AAEC"), Some(vec![0, 1, 2]));
        assert_eq!(signature_bytes("AAEC"), Some(vec![0, 1, 2]));
        assert_eq!(signature_bytes("v2,AAEC"), None, "another scheme's entry is not ours to check");
        assert_eq!(signature_bytes("v1,not base64!"), None);
    }

    #[test]
    fn a_secret_needs_its_prefix_and_a_key() {
        assert!(matches!(WebhookSecret::new("c2VjcmV0"), Err(WebhookError::MalformedSecret(_))));
        assert!(matches!(WebhookSecret::new("whsec_"), Err(WebhookError::MalformedSecret(_))));
        assert!(matches!(WebhookSecret::new("whsec_***"), Err(WebhookError::MalformedSecret(_))));
        let secret = WebhookSecret::new("whsec_c2VjcmV0").unwrap();
        assert_eq!(format!("{secret:?}"), "WebhookSecret([redacted])");
    }

    #[test]
    fn times_far_from_now_are_refused_without_overflow() {
        let webhook = Webhook::new("whsec_c2VjcmV0").unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(webhook.check_time(1_800_000_000 - 300, now).is_ok(), "the edge of the tolerance is inside it");
        assert!(matches!(webhook.check_time(1_800_000_000 - 301, now), Err(WebhookError::Stale { .. })));
        assert!(matches!(webhook.check_time(1_800_000_301, now), Err(WebhookError::Future { .. })));
        assert!(matches!(webhook.check_time(i64::MIN, now), Err(WebhookError::Stale { .. })));
        assert!(matches!(webhook.check_time(i64::MAX, now), Err(WebhookError::Future { .. })));
    }
}
