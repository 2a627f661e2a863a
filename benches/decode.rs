//! `cargo bench --bench decode`
//!
//! Decode throughput of the largest full-size sandbox answer
//! (`getTripDetailsV3` in `Responses::Full`, a `TripV3DetailsResponse`), in
//! one run, interleaved round by round (the order rotates each round):
//! - `serde_json::Value`: the baseline, an untyped parse of the same bytes;
//! - typed, as the SDK decodes (`spotnana::from_slice`: open enums and unions,
//!   on a fresh stack segment when the thread has too little left);
//! - typed with plain `serde_json::from_slice`, on this thread's stack: what
//!   the stack growth itself costs.
//!
//! Prints MB/s (medians) and each typed variant's ratio to the baseline.
//! `SPOTNANA_BENCH_KEEP_BODY=<file>` also writes the answer's bytes there.

use std::time::{Duration, Instant};

use serde_json::Value;
use spotnana::sandbox::{example_response, Responses};
use spotnana::types::TripV3DetailsResponse;

const ROUNDS: usize = 9;
const OPERATION: &str = "getTripDetailsV3";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

fn main() {
    let body = example_response(OPERATION, Responses::Full).expect("the sandbox answers getTripDetailsV3").to_string();
    let bytes = body.as_bytes();
    // For a before/after comparison with an older build of the crate, which
    // cannot produce this answer itself: keep the exact bytes.
    if let Some(path) = std::env::var_os("SPOTNANA_BENCH_KEEP_BODY") {
        std::fs::write(&path, bytes).expect("the body file is written");
    }
    // Sanity: every variant decodes these bytes.
    spotnana::from_slice::<TripV3DetailsResponse>(bytes).expect("the SDK decodes the full-size answer");
    // [Value, SDK, plain serde_json]. Each round starts with a different one,
    // so that none always runs first after the others freed their memory.
    let mut times: [Vec<Duration>; 3] = Default::default();
    for round in 0..ROUNDS {
        for step in 0..3 {
            let variant = (round + step) % 3;
            times[variant].push(match variant {
                0 => time(|| drop(std::hint::black_box(serde_json::from_slice::<Value>(bytes).expect("JSON")))),
                1 => time(|| {
                    drop(std::hint::black_box(spotnana::from_slice::<TripV3DetailsResponse>(bytes).expect("typed")))
                }),
                _ => time(|| {
                    drop(std::hint::black_box(serde_json::from_slice::<TripV3DetailsResponse>(bytes).expect("typed")))
                }),
            });
        }
    }
    let [untyped, sdk, plain] = times;
    let mb = bytes.len() as f64 / 1e6;
    let rate = |d: Duration| mb / d.as_secs_f64();
    let (untyped, sdk, plain) = (median(untyped), median(sdk), median(plain));
    println!(
        "decode of {OPERATION} full-size: {} bytes, medians of {ROUNDS} rounds, order rotated each round",
        bytes.len()
    );
    println!("| decode | median | MB/s | ratio to Value |");
    println!("|---|---:|---:|---:|");
    println!("| serde_json::Value | {untyped:.2?} | {:.1} | 1.00 |", rate(untyped));
    println!("| typed, spotnana::from_slice | {sdk:.2?} | {:.1} | {:.2} |", rate(sdk), rate(sdk) / rate(untyped));
    println!(
        "| typed, serde_json::from_slice | {plain:.2?} | {:.1} | {:.2} |",
        rate(plain),
        rate(plain) / rate(untyped)
    );
}
