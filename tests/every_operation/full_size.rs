//! Runs like a user's binary: a multi-thread tokio runtime with tokio's
//! default 2 MiB worker stacks, driven from a thread with the 8 MiB stack a
//! binary's main thread has, in the debug build `cargo test` makes, calls
//! every operation against the sandbox in its full-size mode. Each call runs
//! in a spawned task, on a worker thread, as a server's handler would. A
//! stack overflow aborts the test process, so it fails the run instead of
//! hiding in a thread with a larger stack.
//!
//! It shares `every_operation`'s binary, so the 210 typed calls compile once.

use std::sync::Arc;

use serde_json::json;
use spotnana::sandbox::{Responses, Sandbox};

use crate::calls;
use crate::support::inputs::Inputs;

/// The stack of a Linux binary's main thread, where `#[tokio::main]` runs.
const MAIN_THREAD_STACK: usize = 8 << 20;

#[test]
fn every_operation_decodes_full_size_answers_on_tokio_worker_stacks() {
    std::thread::Builder::new()
        .stack_size(MAIN_THREAD_STACK)
        .spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime")
                .block_on(every_call())
        })
        .expect("a thread for the runtime")
        .join()
        .expect("the calls finish without a panic");
}

/// Each operation is called this many times, so that successive full-size
/// answers go through more `oneOf` branches and enum values.
const ROUNDS: usize = 2;

async fn every_call() {
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
    assert!(failures.is_empty(), "{} calls failed:\n{}", failures.len(), failures.join("\n"));
    if cfg!(feature = "all-apis") {
        assert_eq!(ids.len(), 210, "with all APIs on, the sandbox serves every operation");
    }
}
