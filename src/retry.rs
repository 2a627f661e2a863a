//! When to retry, and how long to wait.
//!
//! | what happened | methods retried |
//! |---|---|
//! | 429 Too Many Requests (the request was refused, not processed) | all |
//! | connection refused, DNS or connect timeout (the request never left) | all |
//! | 502, 503, 504 | GET, PUT, DELETE, HEAD |
//! | timeout or connection reset after the request was sent | GET, PUT, DELETE, HEAD |
//!
//! POST and PATCH create bookings, PNRs and users at Spotnana; once such a request
//! may have reached the server it is never sent again, so a traveller cannot be
//! booked twice. Waits grow exponentially with full jitter, never shorter than a
//! `Retry-After` (seconds or HTTP date), and stop at a maximum attempt count or a
//! total deadline, whichever comes first.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};

/// How failed calls are retried: 429s for every method (honouring
/// `Retry-After`), and 502, 503, 504, timeouts and dropped connections only for
/// GET, PUT, DELETE and HEAD, so that a POST that may have reached Spotnana is
/// never sent twice.
///
/// Defaults: 4 attempts in all, waits from 250 ms doubling to at most 8 s, and no
/// retry that would start more than 30 s after the first attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base: Duration,
    cap: Duration,
    deadline: Duration,
}

/// The token endpoint's backoff uses the same rules.
pub(crate) type Backoff = RetryPolicy;

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every call is attempted once.
    pub fn disabled() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, before jitter; each later one doubles it.
    pub fn with_base_delay(mut self, base: Duration) -> Self {
        self.base = base;
        self
    }

    /// The longest wait between two attempts, before `Retry-After`.
    pub fn with_max_delay(mut self, cap: Duration) -> Self {
        self.cap = cap;
        self
    }

    /// No retry starts later than this after the first attempt.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `attempt + 1`, or `None` when the budget is spent.
    ///
    /// `retry_after` is the server's `Retry-After`; `elapsed` is the time since the
    /// first attempt started.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>, elapsed: Duration) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = self.base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20)).min(self.cap);
        // `mul_f64` panics when rounding takes a huge cap past `Duration::MAX`.
        let jittered = Duration::try_from_secs_f64(exp.as_secs_f64() * fastrand::f64()).map_or(exp, |d| d.min(exp));
        let delay = retry_after.map_or(jittered, |ra| ra.max(jittered));
        // `Retry-After` comes from the network: a wait past the deadline (or
        // past the end of time) ends the retries, it never overflows.
        elapsed.checked_add(delay).is_some_and(|end| end <= self.deadline).then_some(delay)
    }
}

/// Whether a request with this method may be sent again after it may have
/// reached the server.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS)
}

/// Why an attempt is worth repeating, if it is.
pub(crate) fn retry_reason_for_status(status: StatusCode, method: &Method) -> Option<&'static str> {
    match status.as_u16() {
        429 => Some("429 Too Many Requests"),
        502 if is_idempotent(method) => Some("502 Bad Gateway"),
        503 if is_idempotent(method) => Some("503 Service Unavailable"),
        504 if is_idempotent(method) => Some("504 Gateway Timeout"),
        _ => None,
    }
}

/// Why a transport failure is worth repeating, if it is.
pub(crate) fn retry_reason_for_error(error: &reqwest::Error, method: &Method) -> Option<&'static str> {
    if error.is_connect() {
        // The connection was never established, so the request never arrived.
        Some("connection failed before the request was sent")
    } else if !is_idempotent(method) {
        None
    } else if error.is_timeout() {
        Some("timed out")
    } else {
        Some("connection lost after the request was sent")
    }
}

/// The delay an answer's `Retry-After` header asks for, if it holds one
/// that parses (see [`parse_retry_after`]).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after)
}

/// Parses a `Retry-After` value: delay seconds or an HTTP date. Any number
/// of seconds is taken (`u64::MAX` too): [`RetryPolicy::delay`] compares it
/// with the deadline without adding it to an instant.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_retry_after_ends_the_retries_instead_of_overflowing() {
        let policy = RetryPolicy::default();
        let huge = parse_retry_after("18446744073709551615");
        assert_eq!(huge, Some(Duration::from_secs(u64::MAX)));
        assert_eq!(policy.delay(1, huge, Duration::from_secs(1)), None);
        assert_eq!(policy.delay(1, Some(Duration::MAX), Duration::MAX), None);
    }

    #[test]
    fn a_retry_after_within_the_deadline_is_honoured() {
        let policy = RetryPolicy::default().with_base_delay(Duration::from_millis(1));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(2)), Duration::ZERO), Some(Duration::from_secs(2)));
        assert_eq!(policy.delay(1, Some(Duration::from_secs(31)), Duration::ZERO), None, "past the 30 s deadline");
    }

    #[test]
    fn waits_stay_under_the_cap_and_stop_at_the_attempt_limit() {
        let policy = RetryPolicy::default();
        for attempt in 1..4 {
            let delay = policy.delay(attempt, None, Duration::ZERO).expect("within budget");
            assert!(delay <= Duration::from_secs(8), "{delay:?}");
        }
        assert_eq!(policy.delay(4, None, Duration::ZERO), None, "4 attempts in all");
        assert_eq!(
            RetryPolicy::default()
                .with_max_attempts(u32::MAX)
                .with_base_delay(Duration::MAX)
                .delay(60, None, Duration::ZERO)
                .map(|d| d <= Duration::from_secs(8)),
            Some(true)
        );
    }

    #[test]
    fn retry_after_dates_and_junk() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO), "a date in the past");
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after(""), None);
    }
}
