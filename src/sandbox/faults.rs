//! Failures on purpose: [`Sandbox::inject`](super::Sandbox::inject) makes the
//! next calls of one operation fail in a chosen way, so that an integration
//! can test its own handling of a 503, a dropped connection or a timeout in
//! the middle of a booking.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

/// How an injected call fails.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answers `status` with Spotnana's `ErrorResponse` (and `Retry-After`
    /// in whole seconds, when given); the request is not applied.
    Status {
        /// The HTTP status, such as 503.
        status: u16,
        /// The `Retry-After` to send.
        retry_after: Option<Duration>,
    },
    /// Closes the connection without answering, before the request is
    /// applied: nothing changes.
    ResetBeforeApply,
    /// Applies the request (a create stores its resource), then closes the
    /// connection without answering: the change happened and its answer is
    /// lost, the ambiguous failure that `send_or_find()` recovers from.
    ResetAfterApply,
    /// Never answers, and does not apply the request; the client's request
    /// timeout ends the call. (The sandbox drops the connection after ten
    /// minutes, if nothing ended it before.)
    Hang,
    /// Answers normally after waiting this long.
    Delay(Duration),
}

impl Fault {
    /// A status fault with no `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status { status, retry_after: None }
    }
}

/// How long a hung call waits before its connection is dropped, in case no
/// client timeout ends it first.
pub(super) const HANG: Duration = Duration::from_secs(600);

/// The faults waiting for each operation, in the order they will happen.
#[derive(Default)]
pub(super) struct Faults {
    queued: Mutex<HashMap<String, VecDeque<Fault>>>,
}

impl Faults {
    pub(super) fn add(&self, operation_id: &str, fault: Fault, times: usize) {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        queued.entry(operation_id.to_string()).or_default().extend(std::iter::repeat_n(fault, times));
    }

    /// The fault for this call of `operation_id`, if one is waiting.
    pub(super) fn next(&self, operation_id: &str) -> Option<Fault> {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        let waiting = queued.get_mut(operation_id)?;
        let fault = waiting.pop_front();
        if waiting.is_empty() {
            queued.remove(operation_id);
        }
        fault
    }
}

/// Why a fault cannot be injected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSuchOperation {
    operation_id: String,
}

impl NoSuchOperation {
    pub(super) fn new(operation_id: &str) -> Self {
        Self { operation_id: operation_id.to_string() }
    }
}

impl std::fmt::Display for NoSuchOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the sandbox serves no operation `{}` (see Sandbox::operation_ids), or the fault's status is not an HTTP status",
            self.operation_id
        )
    }
}

impl std::error::Error for NoSuchOperation {}

/// The error a connection is closed with, instead of an answer.
#[derive(Debug)]
pub(super) struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the sandbox closed the connection, as a fault injected for this call says")
    }
}

impl std::error::Error for Reset {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_happen_in_order_then_stop() {
        let faults = Faults::default();
        faults.add("createUser", Fault::ResetAfterApply, 2);
        faults.add("createUser", Fault::status(503), 1);
        assert_eq!(faults.next("listCompanies"), None);
        assert_eq!(faults.next("createUser"), Some(Fault::ResetAfterApply));
        assert_eq!(faults.next("createUser"), Some(Fault::ResetAfterApply));
        assert_eq!(faults.next("createUser"), Some(Fault::status(503)));
        assert_eq!(faults.next("createUser"), None);
    }
}
