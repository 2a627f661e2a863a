//! Webhooks from the sandbox: with an endpoint and a secret set
//! ([`SandboxBuilder::with_webhook`](super::SandboxBuilder::with_webhook)),
//! a change to a user or a PNR is POSTed to it as Spotnana signs and sends
//! its webhooks, one after another, and re-sent with the same webhook id
//! until the endpoint answers 200.
//!
//! | change | event type | operation |
//! |---|---|---|
//! | a user created, updated, deleted | `TRAVELER_V2` | `CREATE`, `UPDATE`, `DELETE` |
//! | a PNR booked on a trip, updated | `PNR_V3` | `BOOKING_CREATED`, `BOOKING_OTHER_UPDATE` |
//! | a PNR cancelled | `PNR_V3` | `BOOKING_CANCELED_BY_TRAVELER` |

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::webhooks::{Webhook, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Attempts per webhook: the first, and Spotnana's five immediate retries.
pub const DELIVERY_ATTEMPTS: usize = 6;

/// How long the sandbox waits for the endpoint to answer one attempt
/// (Spotnana waits 40 s; a test should not).
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// The wait before the first re-send; each later one doubles it.
const FIRST_RETRY: Duration = Duration::from_millis(20);

/// What changed, as the store reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ChangeKind {
    Created,
    Updated,
    Deleted,
    Cancelled,
}

/// One change to a stored resource: its family's id parameter, what
/// happened, and the resource as its read answers it (before a delete).
#[derive(Debug)]
pub(super) struct Change {
    pub(super) id_param: String,
    pub(super) kind: ChangeKind,
    pub(super) snapshot: Value,
}

/// The event type and operation a change is sent as, if any.
fn event_of(change: &Change) -> Option<(&'static str, &'static str)> {
    match (change.id_param.as_str(), change.kind) {
        ("userId", ChangeKind::Created) => Some(("TRAVELER_V2", "CREATE")),
        ("userId", ChangeKind::Updated) => Some(("TRAVELER_V2", "UPDATE")),
        ("userId", ChangeKind::Deleted) => Some(("TRAVELER_V2", "DELETE")),
        ("pnrId", ChangeKind::Created) => Some(("PNR_V3", "BOOKING_CREATED")),
        ("pnrId", ChangeKind::Updated) => Some(("PNR_V3", "BOOKING_OTHER_UPDATE")),
        ("pnrId", ChangeKind::Cancelled) => Some(("PNR_V3", "BOOKING_CANCELED_BY_TRAVELER")),
        _ => None,
    }
}

/// One webhook the sandbox sent, and how each attempt went.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The webhook id, the same on every attempt.
    pub id: String,
    /// `TRAVELER_V2`, `PNR_V3`.
    pub event_type: String,
    /// `CREATE`, `BOOKING_CREATED`, ...
    pub operation: String,
    /// The status of each attempt, or `None` where none came back in time.
    pub attempts: Vec<Option<u16>>,
    /// Whether an attempt got a 200.
    pub delivered: bool,
    /// The body sent, the same on every attempt.
    pub body: Vec<u8>,
}

/// The endpoint, its signer, and what was delivered so far.
pub(super) struct Deliveries {
    queue: mpsc::UnboundedSender<(String, Vec<u8>, &'static str, &'static str)>,
    log: Arc<Log>,
    task: tokio::task::JoinHandle<()>,
    serial: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Log {
    done: Mutex<Vec<Delivery>>,
    changed: Notify,
}

impl Deliveries {
    /// Starts the sending task for `endpoint`, signing with `webhook`.
    pub(super) fn start(endpoint: String, webhook: Webhook) -> std::io::Result<Self> {
        let http = crate::config::tls(reqwest::Client::builder().no_proxy().timeout(DELIVERY_TIMEOUT))
            .and_then(|b| b.build().map_err(crate::ConfigError::Http))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let (queue, mut waiting) = mpsc::unbounded_channel::<(String, Vec<u8>, &'static str, &'static str)>();
        let log = Arc::new(Log::default());
        let sent = log.clone();
        let task = tokio::spawn(async move {
            while let Some((id, body, event_type, operation)) = waiting.recv().await {
                let delivery = send(&http, &endpoint, &webhook, id, body, event_type, operation).await;
                sent.done.lock().unwrap_or_else(|p| p.into_inner()).push(delivery);
                sent.changed.notify_waiters();
            }
        });
        Ok(Self { queue, log, task, serial: Default::default() })
    }

    /// Queues the webhooks for `changes`.
    pub(super) fn send(&self, changes: Vec<Change>) {
        for change in changes {
            let Some((event_type, operation)) = event_of(&change) else { continue };
            let n = self.serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let id = format!("sbx-webhook-{n:06}");
            let body = json!({
                "event_type": event_type,
                "operation": operation,
                "operationSummary": {},
                "payload": change.snapshot,
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            });
            let _ = self.queue.send((id, body.to_string().into_bytes(), event_type, operation));
        }
    }

    /// Every webhook sent so far, in order.
    pub(super) fn done(&self) -> Vec<Delivery> {
        self.log.done.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until `count` webhooks have been sent (delivered or given up)
    /// or `within` has passed, and returns those sent.
    pub(super) async fn wait(&self, count: usize, within: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.log.changed.notified();
            let done = self.done();
            if done.len() >= count || tokio::time::Instant::now() >= deadline {
                return done;
            }
            let _ = tokio::time::timeout_at(deadline, changed).await;
        }
    }
}

impl Drop for Deliveries {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Sends one webhook until the endpoint answers 200, at most
/// [`DELIVERY_ATTEMPTS`] times.
async fn send(
    http: &reqwest::Client,
    endpoint: &str,
    webhook: &Webhook,
    id: String,
    body: Vec<u8>,
    event_type: &str,
    operation: &str,
) -> Delivery {
    let mut attempts = Vec::new();
    let mut wait = FIRST_RETRY;
    for attempt in 0..DELIVERY_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
        let now =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let request = http
            .post(endpoint)
            .header("content-type", "application/json")
            .header(ID_HEADER, &id)
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(SIGNATURE_HEADER, webhook.sign(&id, now, &body))
            .body(body.clone());
        let status = request.send().await.ok().map(|r| r.status().as_u16());
        attempts.push(status);
        if status == Some(200) {
            break;
        }
    }
    let delivered = attempts.last() == Some(&Some(200));
    Delivery { id, event_type: event_type.to_string(), operation: operation.to_string(), attempts, delivered, body }
}
