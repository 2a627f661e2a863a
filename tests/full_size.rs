//! Runs like a user's binary: a plain `#[tokio::main]` program (multi-thread
//! runtime, 2 MiB worker stacks, no profile settings), built in debug by
//! `cargo test`, calls every operation against the sandbox in its full-size
//! mode. Each call runs in a spawned task, on a worker thread, as a server's
//! handler would. A stack overflow aborts this process, so it fails the test
//! run instead of hiding in a thread with a larger stack.
//!
//! `harness = false`: this file is the whole program.

mod support;

// Written by `cargo xtask regen`, which checks it is current: not formatted here.
#[rustfmt::skip]
#[path = "every_operation/calls.rs"]
mod calls;

use std::sync::Arc;

use serde_json::json;
use spotnana::sandbox::{Responses, Sandbox};
use support::inputs::Inputs;

/// Each operation is called this many times, so that successive full-size
/// answers go through more `oneOf` branches and enum values.
const ROUNDS: usize = 2;

#[tokio::main]
async fn main() {
    let mut failures = Vec::new();
    let mut ids = Vec::new();
    for round in 0..ROUNDS {
        // A new sandbox each round: the company calls delete what they read.
        let sandbox = Sandbox::builder().with_responses(Responses::Full).start().await.expect("the sandbox starts");
        let client = sandbox.client().expect("a sandbox client");
        ids = sandbox.operation_ids();
        let mut inputs = Inputs::default();
        inputs.overrides.insert(
            "fetchOauth2Token".into(),
            json!({ "client_id": sandbox.client_id(), "client_secret": sandbox.client_secret(), "grant_type": "client_credentials" }),
        );
        for create in inputs.seed_lookups().into_iter().filter(|c| ids.iter().any(|id| id == c)) {
            calls::call(&client, &inputs, create).await.expect("the creates the lookups find succeed");
        }
        let (client, inputs) = (Arc::new(client), Arc::new(inputs));
        for id in &ids {
            let (client, inputs, task_id) = (client.clone(), inputs.clone(), id.clone());
            let outcome = tokio::spawn(async move { calls::call(&client, &inputs, &task_id).await })
                .await
                .expect("the call's task finishes");
            if let Err(e) = outcome {
                failures.push(format!("round {round}, {id}: {e}"));
            }
        }
    }
    let calls = ROUNDS * ids.len();
    println!(
        "full-size sandbox, debug build, tokio worker stacks: {} of {calls} calls ({} operations x {ROUNDS}) decoded",
        calls - failures.len(),
        ids.len()
    );
    if !failures.is_empty() {
        eprintln!("{} calls failed:\n{}", failures.len(), failures.join("\n"));
        std::process::exit(1);
    }
    if cfg!(feature = "all-apis") && ids.len() != 210 {
        eprintln!("expected 210 operations with all APIs on, the sandbox serves {}", ids.len());
        std::process::exit(1);
    }
}
