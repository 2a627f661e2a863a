//! A recording proxy on 127.0.0.1 between the SDK and Prism.
//!
//! A client's base URL names the mode, the Prism process and a lane:
//! `http://127.0.0.1:PORT/{mode}/{server}/{lane}`. The proxy strips that
//! prefix, forwards the request to Prism (adding `Prefer: dynamic=true,
//! seed=N` for a seeded mode) and keeps the answer's status and body under
//! the prefix, so the suite can judge the exact bytes the SDK decoded. A lane
//! carries one call at a time, so its last answer belongs to its current call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use super::server::{Reply, TestServer};

/// Prism's data mode for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Prism's examples.
    Static,
    /// Random schema-valid data, drawn from this seed for every response.
    Seeded(u64),
}

impl Mode {
    fn segment(self) -> String {
        match self {
            Mode::Static => "static".into(),
            Mode::Seeded(seed) => format!("seed-{seed}"),
        }
    }

    fn from_segment(segment: &str) -> Option<Mode> {
        match segment {
            "static" => Some(Mode::Static),
            s => s.strip_prefix("seed-")?.parse().ok().map(Mode::Seeded),
        }
    }

    /// `static`, or the seed.
    pub fn label(self) -> String {
        match self {
            Mode::Static => "static".into(),
            Mode::Seeded(seed) => format!("seed {seed}"),
        }
    }
}

/// What Prism answered on a lane.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The running proxy.
#[derive(Clone)]
pub struct Proxy {
    server: TestServer,
    upstreams: Arc<RwLock<Vec<String>>>,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
}

/// Headers that belong to one connection, not to the message.
const HOP_BY_HOP: [&str; 5] = ["host", "content-length", "transfer-encoding", "connection", "keep-alive"];

impl Proxy {
    /// Starts a proxy in front of the Prism processes at `upstreams` (base URLs).
    pub async fn start(upstreams: Vec<String>) -> Proxy {
        let upstreams = Arc::new(RwLock::new(upstreams));
        let answers: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let http = super::bare_reqwest().no_proxy().build().expect("a plain reqwest client");
        let (targets, kept) = (upstreams.clone(), answers.clone());
        let server = TestServer::start_async(move |request| {
            let (http, targets, kept) = (http.clone(), targets.clone(), kept.clone());
            Box::pin(async move {
                let mut parts = request.target.splitn(5, '/').skip(1);
                let (Some(mode), Some(server), Some(lane), rest) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Reply::with(400, "text/plain", b"proxy: expected /{mode}/{server}/{lane}/...");
                };
                let key = format!("{mode}/{server}/{lane}");
                let (Some(mode), Some(base)) = (
                    Mode::from_segment(mode),
                    server.parse::<usize>().ok().and_then(|i| targets.read().unwrap().get(i).cloned()),
                ) else {
                    return Reply::with(400, "text/plain", b"proxy: unknown mode or server");
                };
                let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("an HTTP method");
                let mut forward =
                    http.request(method, format!("{base}/{}", rest.unwrap_or(""))).body(request.body.clone());
                for (name, value) in &request.headers {
                    if !HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()) {
                        forward = forward.header(name, value);
                    }
                }
                if let Mode::Seeded(seed) = mode {
                    forward = forward.header("prefer", format!("dynamic=true, seed={seed}"));
                }
                // Prism unreachable (its process died): the SDK sees a reset,
                // as it would from Prism itself.
                let Ok(response) = forward.send().await else { return Reply::Reset };
                let status = response.status().as_u16();
                let headers: Vec<(String, String)> = response
                    .headers()
                    .iter()
                    .filter(|(name, _)| !HOP_BY_HOP.contains(&name.as_str()))
                    .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
                    .collect();
                let Ok(body) = response.bytes().await else { return Reply::Reset };
                kept.lock().unwrap().insert(key, Answer { status, body: body.to_vec() });
                Reply::Respond { status, headers, body: body.to_vec() }
            })
        })
        .await;
        Proxy { server, upstreams, answers }
    }

    /// The base URL a client uses for `mode`, Prism process `server` and `lane`.
    pub fn base_url(&self, mode: Mode, server: usize, lane: usize) -> String {
        format!("{}/{}/{server}/{lane}", self.server.url(), mode.segment())
    }

    /// Points `server` at a restarted Prism process.
    pub fn set_upstream(&self, server: usize, url: String) {
        self.upstreams.write().unwrap()[server] = url;
    }

    /// Takes the last answer Prism gave on this lane.
    pub fn take(&self, mode: Mode, server: usize, lane: usize) -> Option<Answer> {
        self.answers.lock().unwrap().remove(&format!("{}/{server}/{lane}", mode.segment()))
    }
}
