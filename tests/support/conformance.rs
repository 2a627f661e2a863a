//! How the conformance suite sorts one call's result: the SDK's outcome,
//! Prism's own verdict (its `sl-violations` header) and the independent
//! judge's verdict on the exact body the SDK read.

use serde_json::Value;
use spotnana::Error;

use super::judge::{offset_of, pointer_at, Verdict};

/// Prism answered 500 with no violations: it could not build a response at all.
pub const NO_RESPONSE: &str = "Prism could not build a response (HTTP 500, no violations)";

/// Where one call ended up.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Decoded into the typed model; `Some(cause)` when the judge found the
    /// body invalid even so (Prism and the judge disagree, the SDK coped).
    Decoded(Option<String>),
    /// Prism refused the SDK's request.
    Rejected(String),
    /// Prism flagged its own answer as invalid (or could not build one).
    PrismFlagged(String),
    /// Prism passed a body that the judge finds invalid, and the SDK could
    /// not decode it: a fact about Prism, not a failure of ours.
    Disagreement(String),
    /// The served document admits the body, but only where the normalised
    /// document (the SDK's contract) is stricter by one of its recorded rules,
    /// and the SDK could not decode it.
    BeyondContract(String),
    /// The judge finds the body valid under both documents (or cannot judge
    /// it) and the SDK could not decode it: a failure of ours.
    DecodeFailure(String),
    /// Prism serves no such operation.
    NotServed,
}

/// Sorts a call's `result`, given the body Prism sent and the judge's
/// verdicts on it: under the document Prism served (`served`) and under the
/// normalised document the SDK is generated from (`contract`).
pub fn classify(result: &Result<(), Error>, body: Option<&[u8]>, served: &Verdict, contract: &Verdict) -> Outcome {
    match result {
        Ok(()) => match served {
            Verdict::Invalid { cause, .. } => Outcome::Decoded(Some(cause.clone())),
            _ => Outcome::Decoded(None),
        },
        Err(Error::Api(api)) => {
            let violations = api.headers().get("sl-violations").and_then(|v| v.to_str().ok());
            let status = api.status().as_u16();
            match violations {
                Some(v) if status < 500 && v.contains("\"request\"") => Outcome::Rejected(format!("HTTP {status} {v}")),
                Some(v) => Outcome::PrismFlagged(prism_cause(v)),
                None if status == 404 => Outcome::NotServed,
                None if status >= 500 => Outcome::PrismFlagged(NO_RESPONSE.into()),
                None => Outcome::Rejected(format!("HTTP {status} without violations")),
            }
        }
        Err(Error::Decode(d)) => {
            let body = body.unwrap_or_default();
            let pointer = offset_of(&d.reason, body).map(|at| pointer_at(body, at));
            let place = pointer.as_deref().map_or(String::from("(unknown position)"), |p| format!("`{p}`"));
            match (served, contract) {
                (Verdict::Invalid { cause, .. }, _) => Outcome::Disagreement(cause.clone()),
                (Verdict::Valid, Verdict::Invalid { cause, .. }) => Outcome::BeyondContract(cause.clone()),
                (Verdict::Valid, _) => Outcome::DecodeFailure(format!(
                    "decoding stopped at {place}: {}; the judge finds the whole body valid under both documents, and at {place} it holds {}",
                    d.reason,
                    snippet(body, pointer.as_deref()),
                )),
                (Verdict::Unjudged(why), _) => Outcome::DecodeFailure(format!("decoding stopped at {place}: {}; not judged: {why}", d.reason)),
            }
        }
        Err(e) => Outcome::Rejected(e.to_string()),
    }
}

/// The value at `pointer` in `body`, shortened.
fn snippet(body: &[u8], pointer: Option<&str>) -> String {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let text = match (value, pointer) {
        (Some(v), Some(p)) => v.pointer(p).map_or("nothing".into(), Value::to_string),
        _ => String::from_utf8_lossy(body).into_owned(),
    };
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// Groups Prism's violation list into a cause: the first violation's code
/// and what it says must hold.
pub fn prism_cause(violations: &str) -> String {
    let parsed: Vec<Value> = serde_json::from_str(violations).unwrap_or_default();
    let Some(first) = parsed.first() else { return NO_RESPONSE.into() };
    let message = first["message"].as_str().unwrap_or("?");
    let code = first["code"].as_str().unwrap_or("?");
    let deep = first["location"].as_array().map_or(0, Vec::len);
    if message.contains("otherCoinage") || deep > 12 {
        format!("recursive schema truncated by Prism ({code})")
    } else if message.contains("must match format") {
        format!("Prism generated a value outside its format ({code}: {})", message.rsplit(' ').next().unwrap_or(""))
    } else {
        format!("{code}: {}", message.split(" must ").nth(1).unwrap_or(message))
    }
}
