//! `cargo bench --bench stack` (release) and
//! `cargo bench --bench stack --profile dev` (debug)
//!
//! The peak stack that decoding the largest full-size sandbox answers takes,
//! measured as the smallest thread stack on which the decode completes: a
//! binary search over stack sizes (to 8 KiB), each try in a child process of
//! this benchmark, since an overflow aborts the process. Two ways, in one run:
//! - plain `serde_json::from_slice`, the decode before this SDK grew the stack;
//! - `spotnana::from_slice`, as the client decodes (it moves to a fresh heap
//!   segment when less than its red zone is left).
//!
//! A tokio worker thread has 2 MiB (2,048 KiB).
//! `SPOTNANA_BENCH_KEEP_BODIES=<dir>` keeps the answers' bytes in that directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::de::DeserializeOwned;
use spotnana::sandbox::{example_response, Responses};
use spotnana::types;

/// The operations with the largest full-size answers, and their models.
const OPERATIONS: [&str; 4] = ["getTripDetailsV3", "getPnrV3", "getUserTripSummariesList", "hotelDetails"];

fn decode_as<T: DeserializeOwned>(bytes: &[u8], sdk: bool) -> bool {
    if sdk {
        spotnana::from_slice::<T>(bytes).is_ok()
    } else {
        serde_json::from_slice::<T>(bytes).is_ok()
    }
}

fn decode(operation: &str, bytes: &[u8], sdk: bool) -> bool {
    match operation {
        "getTripDetailsV3" => decode_as::<types::TripV3DetailsResponse>(bytes, sdk),
        "getPnrV3" => decode_as::<types::PnrData>(bytes, sdk),
        "getUserTripSummariesList" => decode_as::<types::GetTripSummariesV3Response>(bytes, sdk),
        "hotelDetails" => decode_as::<types::HotelDetailsResponse>(bytes, sdk),
        other => panic!("no model listed for {other}"),
    }
}

/// In a child: decode `file` as `operation`'s model on a thread with `kib` of stack.
fn child(operation: String, sdk: bool, file: PathBuf, kib: usize) -> ! {
    let bytes = std::fs::read(&file).expect("the body file");
    let ok = std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(move || decode(&operation, &bytes, sdk))
        .expect("a thread")
        .join()
        .unwrap_or(false);
    std::process::exit(if ok { 0 } else { 3 });
}

fn fits(operation: &str, sdk: bool, file: &Path, kib: usize) -> bool {
    let exe = std::env::current_exe().expect("this benchmark's path");
    Command::new(exe)
        .args(["--child", operation, if sdk { "sdk" } else { "plain" }])
        .arg(file)
        .arg(kib.to_string())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The smallest stack, in KiB (8 KiB steps), on which the decode completes.
fn peak(operation: &str, sdk: bool, file: &Path) -> Option<usize> {
    let (mut lo, mut hi) = (16usize, 256 * 1024usize);
    if !fits(operation, sdk, file, hi) {
        return None;
    }
    while hi - lo > 8 {
        let mid = (lo + hi) / 2;
        if fits(operation, sdk, file, mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        let operation = args[at + 1].clone();
        let sdk = args[at + 2] == "sdk";
        child(operation, sdk, PathBuf::from(&args[at + 3]), args[at + 4].parse().expect("a stack size in KiB"));
    }
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let dir = std::env::temp_dir().join(format!("spotnana-stack-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    println!("peak decode stack ({profile} build), smallest thread stack that completes, KiB:");
    println!("| operation | body bytes | plain serde_json | spotnana::from_slice |");
    println!("|---|---:|---:|---:|");
    for operation in OPERATIONS {
        let body = example_response(operation, Responses::Full).expect("a full-size answer").to_string();
        let file = dir.join(format!("{operation}.json"));
        std::fs::write(&file, &body).expect("the body file");
        let show = |p: Option<usize>| p.map_or("over 262,144".to_string(), |k| k.to_string());
        let plain = peak(operation, false, &file);
        let sdk = peak(operation, true, &file);
        println!("| {operation} | {} | {} | {} |", body.len(), show(plain), show(sdk));
    }
    match std::env::var_os("SPOTNANA_BENCH_KEEP_BODIES") {
        // For a before/after comparison with an older build, which cannot
        // produce these answers itself: keep the exact bytes.
        Some(keep) => std::fs::rename(&dir, &keep).expect("the bodies are kept"),
        None => drop(std::fs::remove_dir_all(&dir)),
    }
}
