//! The sandbox's token endpoint: Spotnana's client-credentials grant with a
//! rate limit, and the check of bearer tokens on API calls.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use super::{reply, Reply, SandboxBuilder};

pub(super) struct Tokens {
    client_id: String,
    client_secret: String,
    lifetime: Duration,
    limit: u32,
    window: Duration,
    issued: Mutex<HashMap<String, Instant>>,
    /// Start of the current rate-limit window and the requests counted in it.
    current: Mutex<(Instant, u32)>,
    requests: AtomicUsize,
}

impl Tokens {
    pub(super) fn new(settings: &SandboxBuilder) -> Self {
        Self {
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.clone(),
            lifetime: settings.token_lifetime,
            limit: settings.token_rate_limit,
            window: settings.token_rate_window,
            issued: Mutex::default(),
            current: Mutex::new((Instant::now(), 0)),
            requests: AtomicUsize::new(0),
        }
    }

    pub(super) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Seconds until the rate limit lets another request through, if it is hit.
    fn over_limit(&self) -> Option<u64> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if now.duration_since(current.0) >= self.window {
            *current = (now, 0);
        }
        current.1 += 1;
        (current.1 > self.limit).then(|| {
            let left = self.window.saturating_sub(now.duration_since(current.0));
            left.as_secs_f64().ceil().max(1.0) as u64
        })
    }

    /// Answers `POST /v2/auth/oauth2-token`.
    pub(super) fn issue(&self, body: &Bytes) -> Reply {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(wait) = self.over_limit() {
            let body = json!({ "error": "rate_limited", "error_description": "too many token requests; reuse tokens until they expire" });
            return reply(429, Some(&body), &[("retry-after", wait.to_string())]);
        }
        let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return reply(400, Some(&json!({ "error": "unsupported_grant_type" })), &[]);
        }
        let id_ok = form.get("client_id") == Some(&self.client_id);
        let secret_ok = form.get("client_secret") == Some(&self.client_secret);
        if !(id_ok && secret_ok) {
            return reply(
                401,
                Some(&json!({ "error": "invalid_client", "error_description": "unknown client or wrong secret" })),
                &[],
            );
        }
        let token = format!("sbx-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        self.issued.lock().unwrap_or_else(|p| p.into_inner()).insert(token.clone(), Instant::now());
        let body = json!({ "access_token": token, "expires_in": self.lifetime.as_secs(), "token_type": "Bearer" });
        reply(200, Some(&body), &[])
    }

    pub(super) fn revoke_all(&self) {
        self.issued.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Whether `bearer` was issued here and has not expired.
    pub(super) fn is_valid(&self, bearer: Option<&str>) -> bool {
        let issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        bearer.and_then(|t| issued.get(t)).is_some_and(|at| at.elapsed() < self.lifetime)
    }
}
