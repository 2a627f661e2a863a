//! The token cache: one token shared by every clone of a client, refreshed ahead
//! of expiry by exactly one request at a time.
//!
//! - Hot path: a fresh token is read from the thread's own copy, checked against
//!   the cache's generation with one atomic load; no lock, no await.
//! - Ahead of expiry (the last tenth of the lifetime, at most a minute, minus up to
//!   half as much again of jitter), the first caller to notice starts one refresh
//!   in the background and keeps using the still-valid token.
//! - With no valid token, callers queue on one async mutex; the first fetches, the
//!   rest find its token when they get the lock. N concurrent callers cause one request.
//! - A background refresh that fails leaves the old token in use until it expires.
//! - A fetch that fails answers every call queued behind it and every call in
//!   the next second, so a rejected secret or a rate-limited endpoint sees one
//!   request per burst, not one per call.
//! - [`TokenCache::invalidate`] drops a token the API rejected, only if it is still
//!   the cached one, so a 401 on an old token cannot discard a newer one.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::auth::{AuthError, TokenSource, DEFAULT_TOKEN_LIFETIME};
use crate::secret::AccessToken;

/// How long a failed token fetch answers later calls before the next attempt.
const FAILURE_REUSE: Duration = Duration::from_secs(1);

/// Lifetime given to tokens whose source does not say (static tokens): they are
/// treated as valid until the API rejects them.
const UNBOUNDED: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A cached token with the instants at which to refresh it and to stop using it.
pub(crate) struct Cached {
    pub(crate) token: AccessToken,
    /// `Authorization: Bearer <token>`, built once per token and marked
    /// sensitive; `None` if the token holds bytes a header cannot carry.
    pub(crate) bearer: Option<http::HeaderValue>,
    /// A searcher for the token in answer bodies, built once per token
    /// rather than once per answer. Holds the token: never printed.
    finder: memchr::memmem::Finder<'static>,
    refresh_at: Instant,
    expires_at: Instant,
    /// Which fetch this token came from: a thread's copy keeps its serial.
    serial: u64,
}

impl std::fmt::Debug for Cached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cached")
            .field("token", &self.token)
            .field("refresh_at", &self.refresh_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Cached {
    fn new(token: AccessToken, refresh_at: Instant, expires_at: Instant) -> Self {
        let finder = memchr::memmem::Finder::new(token.expose_secret().as_bytes()).into_owned();
        Self { bearer: bearer(&token), token, finder, refresh_at, expires_at, serial: next_serial() }
    }

    /// A copy for one thread: the same token and serial, in allocations of
    /// its own (see [`TokenCache::local`]).
    fn copy(&self) -> Self {
        Self { token: self.token.clone(), bearer: bearer(&self.token), finder: self.finder.clone(), ..*self }
    }

    /// `body` with every echo of this token replaced by `[redacted]`, so that
    /// no error or log the SDK writes can carry it onward.
    pub(crate) fn redact(&self, body: bytes::Bytes) -> bytes::Bytes {
        let needle = self.finder.needle().len();
        if needle == 0 || self.finder.find(&body).is_none() {
            return body;
        }
        let mut out = Vec::with_capacity(body.len());
        let mut rest = &body[..];
        while let Some(at) = self.finder.find(rest) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"[redacted]");
            rest = &rest[at + needle..];
        }
        out.extend_from_slice(rest);
        bytes::Bytes::from(out)
    }
}

/// The token in use, and the one it replaced: an answer to a request sent
/// just before a refresh may still echo the old one.
#[derive(Default)]
struct Tokens {
    current: Option<Arc<Cached>>,
    previous: Option<Arc<Cached>>,
}

/// Serial numbers, for caches and for fetched tokens.
static SERIAL: AtomicU64 = AtomicU64::new(1);

fn next_serial() -> u64 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// One thread's copies of a cache's tokens, as of one generation.
struct Seen {
    cache: u64,
    generation: u64,
    tokens: Tokens,
}

/// How many caches a thread keeps copies for (most programs have one).
const SEEN_CACHES: usize = 4;

thread_local! {
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
}

struct Inner {
    source: Box<dyn TokenSource>,
    /// Identifies this cache's copies in each thread's [`SEEN`].
    id: u64,
    /// Moves on each change of `tokens`, under its write lock.
    generation: AtomicU64,
    tokens: RwLock<Tokens>,
    refresh: tokio::sync::Mutex<()>,
    background: AtomicBool,
    /// The last failed fetch, so callers that queued behind it share its error
    /// instead of each asking the (rate-limited) token endpoint again.
    last_failure: std::sync::Mutex<Option<(Instant, AuthError)>>,
}

/// A shared, self-refreshing cache of bearer tokens from one [`TokenSource`].
///
/// Cloning is cheap and shares the cache. Pass one cache to several clients with
/// [`ClientBuilder::with_token_cache`](crate::ClientBuilder::with_token_cache) to
/// have them share a token.
#[derive(Clone)]
pub struct TokenCache(Arc<Inner>);

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.peek() {
            None => "empty",
            Some(c) if Instant::now() >= c.expires_at => "expired",
            Some(_) => "holds a token",
        };
        f.debug_struct("TokenCache").field("state", &state).finish()
    }
}

impl TokenCache {
    /// A cache in front of `source`.
    pub fn new(source: impl TokenSource) -> Self {
        Self(Arc::new(Inner {
            source: Box::new(source),
            id: next_serial(),
            generation: AtomicU64::new(0),
            tokens: RwLock::new(Tokens::default()),
            refresh: tokio::sync::Mutex::new(()),
            background: AtomicBool::new(false),
            last_failure: std::sync::Mutex::new(None),
        }))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Tokens> {
        self.0.tokens.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Tokens> {
        self.0.tokens.write().unwrap_or_else(|p| p.into_inner())
    }

    fn peek(&self) -> Option<Arc<Cached>> {
        self.read().current.clone()
    }

    /// Makes `cached` the token in use; the one it replaces (if another token)
    /// is kept as the previous one, for [`redact`](Self::redact).
    fn store(&self, cached: Arc<Cached>) {
        let mut tokens = self.write();
        let changed = tokens.current.as_ref().is_none_or(|old| old.token != cached.token);
        let replaced = tokens.current.replace(cached);
        if changed && replaced.is_some() {
            tokens.previous = replaced;
        }
        self.0.generation.fetch_add(1, Ordering::Release);
    }

    /// Runs `f` on this thread's copies of the tokens.
    ///
    /// Every call reads the token (to send it, and to redact it from an error
    /// answer). Read from the shared cache, each read takes the lock and
    /// counts a reference, and with calls on several threads those counters'
    /// cache lines move from core to core on every call. A thread's copies
    /// are read with one atomic load (of the generation, which only a new or
    /// rejected token moves) and counted on the thread's own lines. When the
    /// generation has moved, the copies are made again under the read lock.
    fn local<R>(&self, f: impl FnOnce(&Tokens) -> R) -> R {
        let generation = self.0.generation.load(Ordering::Acquire);
        let mut f = Some(f);
        let local = SEEN.try_with(|seen| {
            let Ok(mut seen) = seen.try_borrow_mut() else { return None };
            let at = match seen.iter().position(|s| s.cache == self.0.id) {
                Some(at) => at,
                None => {
                    if seen.len() == SEEN_CACHES {
                        seen.remove(0);
                    }
                    seen.push(Seen {
                        cache: self.0.id,
                        generation: generation.wrapping_sub(1),
                        tokens: Tokens::default(),
                    });
                    seen.len() - 1
                }
            };
            let entry = &mut seen[at];
            if entry.generation != generation {
                let tokens = self.read();
                entry.generation = self.0.generation.load(Ordering::Acquire);
                entry.tokens = Tokens {
                    current: tokens.current.as_ref().map(|c| Arc::new(c.copy())),
                    previous: tokens.previous.as_ref().map(|c| Arc::new(c.copy())),
                };
            }
            f.take().map(|f| f(&entry.tokens))
        });
        match (local, f) {
            (Ok(Some(result)), _) => result,
            // No thread-local storage (a thread shutting down): the shared tokens.
            (_, Some(f)) => f(&self.read()),
            (_, None) => unreachable!("`f` runs once"),
        }
    }

    /// `body` with every echo of the token in use, and of the one before it,
    /// replaced by `[redacted]`, so that no error or log the SDK writes can
    /// carry a token onward.
    pub(crate) fn redact(&self, body: bytes::Bytes) -> bytes::Bytes {
        self.local(move |tokens| {
            [&tokens.current, &tokens.previous].into_iter().flatten().fold(body, |body, token| token.redact(body))
        })
    }

    /// The cached token while it is still valid, starting a background
    /// refresh when it is due; `None` when a caller must [`get`](Self::get)
    /// one. The hot path of every call: no lock, no await.
    pub(crate) fn fresh(&self) -> Option<Arc<Cached>> {
        self.fresh_at(Instant::now())
    }

    /// [`fresh`](Self::fresh), with the time already read (a call reads it
    /// once, when it starts).
    pub(crate) fn fresh_at(&self, now: Instant) -> Option<Arc<Cached>> {
        let cached = self.local(|tokens| tokens.current.clone())?;
        if now < cached.refresh_at {
            return Some(cached);
        }
        if now < cached.expires_at {
            self.refresh_in_background(&cached);
            return Some(cached);
        }
        None
    }

    /// A valid token: the cached one, or a new one from the source.
    pub(crate) async fn get(&self) -> Result<Arc<Cached>, AuthError> {
        if let Some(cached) = self.fresh() {
            return Ok(cached);
        }
        let queued = Instant::now();
        let _guard = self.0.refresh.lock().await;
        if let Some(cached) = self.peek() {
            if Instant::now() < cached.expires_at {
                return Ok(cached);
            }
        }
        // A fetch that failed while we waited, or within the last
        // FAILURE_REUSE, answers for us too: a burst of calls costs one token
        // request, however many were waiting.
        if let Some((at, error)) = self.0.last_failure.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            if *at >= queued || at.elapsed() < FAILURE_REUSE {
                return Err(error.clone());
            }
        }
        match self.fetch().await {
            Ok(fresh) => {
                self.store(fresh.clone());
                Ok(fresh)
            }
            Err(error) => {
                *self.0.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets `rejected` if it is still the cached token.
    pub(crate) fn invalidate(&self, rejected: &Arc<Cached>) {
        let mut tokens = self.write();
        if tokens.current.as_ref().is_some_and(|c| c.serial == rejected.serial) {
            tokens.previous = tokens.current.take();
            self.0.generation.fetch_add(1, Ordering::Release);
            tracing::debug!("cached token rejected by the API; it will be replaced");
        }
    }

    async fn fetch(&self) -> Result<Arc<Cached>, AuthError> {
        let issued = Instant::now();
        let token = self.0.source.fetch().await?;
        let (refresh_at, expires_at) = schedule(token.expires_in, issued, fastrand::f64());
        tracing::debug!(
            lifetime_s = expires_at.saturating_duration_since(issued).as_secs(),
            "fetched a new access token"
        );
        Ok(Arc::new(Cached::new(token.access_token, refresh_at, expires_at)))
    }

    /// Starts one background refresh of `stale`, unless one is running.
    fn refresh_in_background(&self, stale: &Arc<Cached>) {
        if self.0.background.swap(true, Ordering::AcqRel) {
            return;
        }
        // Clears the flag however the task ends: done, failed, or dropped
        // with its runtime.
        let running = Running(self.clone());
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let stale = stale.clone();
        runtime.spawn(async move {
            let cache = &running.0;
            let _guard = cache.0.refresh.lock().await;
            if cache.peek().is_none_or(|c| c.serial != stale.serial) {
                return;
            }
            match cache.fetch().await {
                Ok(fresh) => cache.store(fresh),
                Err(e) => {
                    tracing::warn!(error = %e, "refreshing the access token ahead of expiry failed; using the current one until it expires");
                    // Try again halfway to expiry rather than on the very next
                    // call; but a token a 401 rejected meanwhile stays gone.
                    let now = Instant::now();
                    let retry_at = now + stale.expires_at.saturating_duration_since(now) / 2;
                    let mut tokens = cache.write();
                    if tokens.current.as_ref().is_some_and(|c| c.serial == stale.serial) {
                        let mut again = stale.copy();
                        again.refresh_at = retry_at;
                        tokens.current = Some(Arc::new(again));
                        cache.0.generation.fetch_add(1, Ordering::Release);
                    }
                }
            }
        });
    }
}

/// Marks a cache's background refresh as running, until dropped.
struct Running(TokenCache);

impl Drop for Running {
    fn drop(&mut self) {
        self.0 .0.background.store(false, Ordering::Release);
    }
}

/// The shortest lifetime the cache gives a fetched token: 1 s. A source
/// that says a token lives for less (a fraction of a second) would have
/// nearly every call fetch a new token, and Spotnana rate-limits its token
/// endpoint. A lifetime of zero says nothing usable (Spotnana documents
/// one hour), so it counts as [`DEFAULT_TOKEN_LIFETIME`], as a missing one
/// does; the client-credentials grant reads a negative `expires_in` the
/// same way. A token that really is expired is rejected with a 401, which
/// the SDK answers by fetching one new token and sending the call once more.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(1);

/// The longest lifetime the cache gives a fetched token: 24 hours, however
/// large the `expires_in` (no instant arithmetic on it can overflow).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// When to refresh, and when to stop using, a token issued at `issued` with
/// `expires_in` (`None`: the source does not say, as for a static token,
/// which is used until the API rejects it). `jitter` in `[0, 1)` spreads the
/// refreshes of many clients.
///
/// A token is dropped a little before it expires (a twentieth of its
/// lifetime, at most 10 s), so it does not expire in flight, and refreshed
/// ahead of that (a tenth, at most a minute, plus up to half as much again).
fn schedule(expires_in: Option<Duration>, issued: Instant, jitter: f64) -> (Instant, Instant) {
    let lifetime = match expires_in {
        None => UNBOUNDED,
        Some(d) if d.is_zero() => DEFAULT_TOKEN_LIFETIME,
        Some(d) => d.clamp(MIN_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME),
    };
    let usable = lifetime.saturating_sub((lifetime / 20).min(Duration::from_secs(10)));
    let lead = (lifetime / 10).min(Duration::from_secs(60));
    let jitter = lead.mul_f64(jitter.clamp(0.0, 1.0) / 2.0);
    let at = |after: Duration| issued.checked_add(after).unwrap_or(issued + MAX_TOKEN_LIFETIME);
    (at(usable.saturating_sub(lead + jitter)), at(usable))
}

/// The `Authorization` header value for `token`, marked sensitive so that
/// hyper and `Debug` never show it.
fn bearer(token: &AccessToken) -> Option<http::HeaderValue> {
    let mut value = http::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_lifetime_counts_as_the_default_and_a_tiny_one_as_the_minimum() {
        let now = Instant::now();
        let (refresh, expires) = schedule(Some(Duration::ZERO), now, 0.0);
        assert_eq!(expires - now, Duration::from_secs(290), "five minutes, less a twentieth");
        assert!(refresh > now && refresh < expires);
        let (refresh, expires) = schedule(Some(Duration::from_millis(1)), now, 0.0);
        assert_eq!(expires - now, Duration::from_millis(950), "one second, less a twentieth");
        assert!(refresh > now && refresh < expires);
    }

    #[test]
    fn a_huge_lifetime_is_capped_without_overflow() {
        let now = Instant::now();
        let (refresh, expires) = schedule(Some(Duration::MAX), now, 0.99);
        assert!(expires - now <= MAX_TOKEN_LIFETIME);
        assert!(refresh < expires);
        let (_, unbounded) = schedule(None, now, 0.5);
        assert!(unbounded > now + MAX_TOKEN_LIFETIME, "a static token is not capped");
    }

    #[test]
    fn an_hour_token_is_refreshed_a_minute_or_so_early() {
        let now = Instant::now();
        let (refresh, expires) = schedule(Some(Duration::from_secs(3600)), now, 0.0);
        assert_eq!(expires - now, Duration::from_secs(3590));
        assert_eq!(refresh - now, Duration::from_secs(3530));
        let (jittered, _) = schedule(Some(Duration::from_secs(3600)), now, 0.999);
        assert!(jittered < refresh && refresh - jittered <= Duration::from_secs(30));
    }
}
