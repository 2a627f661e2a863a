//! Shared test support: a scripted loopback HTTP server and a JSON synthesiser.
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod conformance;
pub mod inputs;
pub mod judge;
pub mod mutate;
pub mod proxy;
pub mod server;

use serde_json::Value;

/// A builder for a bare reqwest client, for the tests' own HTTP (the Prism
/// proxy). With the `rustls` feature this crate builds reqwest with
/// `rustls-no-provider` and hands its own clients the ring provider, so a bare
/// reqwest client needs a process-wide provider first: this installs ring as
/// the default when none is installed yet.
pub fn bare_reqwest() -> reqwest::ClientBuilder {
    #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc-rs")))]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// The normalised spec, parsed.
pub fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/spotnana.json"))
        .expect("openapi/spotnana.json exists; run `cargo xtask regen`");
    serde_json::from_str(&text).expect("openapi/spotnana.json is JSON")
}

/// One operation of the spec.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub op: Value,
}

/// Every operation: generated ones under `paths`, hand-written ones under
/// `x-spotnana-handwritten`, in document order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for key in ["paths", xtask::contract::HANDWRITTEN_KEY] {
        for (path, item) in doc[key].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.push(Operation {
                        id: id.into(),
                        method: method.to_uppercase(),
                        path: path.clone(),
                        op: op.clone(),
                    });
                }
            }
        }
    }
    out
}

/// The operations of the APIs whose cargo features this test build has on
/// (`x-spotnana-apis` names the APIs publishing each one).
pub fn enabled_operations(doc: &Value) -> Vec<Operation> {
    let enabled: Vec<&str> = spotnana::enabled_apis().collect();
    let mut ops = operations(doc);
    ops.retain(|o| {
        o.op[xtask::contract::API_TAG]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a.as_str().is_some_and(|a| enabled.contains(&a)))
    });
    ops
}

/// Runs `future` on a current-thread runtime in a thread with a 32 MiB stack.
///
/// Debug builds of serde's derived `Deserialize` for Spotnana's largest models
/// (`PnrData` is 24 KB) need more than the 2 MiB a test thread gets; see the
/// README's "Debug builds and stack size".
pub fn on_big_stack<F>(future: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime")
                .block_on(future)
        })
        .expect("spawn a test thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
