//! Blanking the values of secret fields in a body the SDK quotes.
//!
//! A body that failed to decode is kept in the error ([`DecodeError::body`],
//! its excerpt in `Display`), so that nothing the server said is lost, and
//! so that a booking whose answer could not be read can still be found from
//! it. Before that, the value of every string field that
//! [`secret_fields::is_secret`](crate::secret_fields::is_secret) selects
//! (the rule the generated models follow, keyed on the field's name, ignoring
//! case) is replaced by `[redacted]`.
//!
//! The body is scanned, not parsed: a failed decode is often a truncated or
//! otherwise broken document, and its secrets must go all the same. Every
//! `"name": "value"` pair is found by its quotes and colon. A card `number`
//! is blanked when the body has a `cvv` or `expiry` field anywhere.
//!
//! [`DecodeError::body`]: crate::DecodeError::body

use std::borrow::Cow;

use crate::secret_fields::is_secret;

const REDACTED: &[u8] = b"[redacted]";

/// `body` with the value of every secret field replaced by `[redacted]`;
/// borrowed as it is when it holds none.
pub(crate) fn secret_values(body: &[u8]) -> Cow<'_, [u8]> {
    let card = has_key(body, "cvv") || has_key(body, "expiry");
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(start) = memchr::memchr(b'"', &body[at..]).map(|i| at + i) {
        let key_end = string_end(body, start);
        let after_key = skip_space(body, key_end);
        if body.get(after_key) != Some(&b':') {
            at = key_end;
            continue;
        }
        let value_start = skip_space(body, after_key + 1);
        if body.get(value_start) != Some(&b'"') {
            at = value_start;
            continue;
        }
        let value_end = string_end(body, value_start);
        let key = String::from_utf8_lossy(&body[start + 1..key_end.saturating_sub(1).max(start + 1)]);
        if is_secret(&key, |sibling| card && (sibling == "cvv" || sibling == "expiry")) {
            let out = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
            out.extend_from_slice(&body[copied..=value_start]);
            out.extend_from_slice(REDACTED);
            // An unterminated value (a truncated body) is blanked to the end.
            copied = if body.get(value_end - 1) == Some(&b'"') && value_end - 1 > value_start {
                value_end - 1
            } else {
                body.len()
            };
        }
        at = value_end;
    }
    match out {
        Some(mut out) => {
            out.extend_from_slice(&body[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(body),
    }
}

/// The index just past the string that opens at `start` (a `"`): past its
/// closing quote, or the end of the body when it has none.
fn string_end(body: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    body.len()
}

fn skip_space(body: &[u8], mut i: usize) -> usize {
    while body.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Whether `body` has a `"name":` key, ignoring case.
fn has_key(body: &[u8], name: &str) -> bool {
    let needle = format!("\"{name}\"");
    body.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::secret_values;

    fn redacted(body: &str) -> String {
        String::from_utf8(secret_values(body.as_bytes()).into_owned()).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn secret_fields_are_blanked_whatever_their_case() {
        assert_eq!(
            redacted(r#"{"id":"u1","clientSecret":"s3cr3t","scimToken" : "tok","CVV":"123"}"#),
            r#"{"id":"u1","clientSecret":"[redacted]","scimToken" : "[redacted]","CVV":"[redacted]"}"#
        );
        assert_eq!(
            redacted(r#"{"setupIntentClientSecret":"seti_x_secret_y"}"#),
            r#"{"setupIntentClientSecret":"[redacted]"}"#
        );
    }

    #[test]
    fn other_fields_and_cursors_stay() {
        let body = r#"{"nextPageToken":"p2","pnrId":"1234","isCvvRequired":true,"number":"32A","note":"clientSecret"}"#;
        assert_eq!(redacted(body), body);
        assert!(matches!(secret_values(body.as_bytes()), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn a_card_number_goes_beside_a_cvv() {
        assert_eq!(
            redacted(r#"{"card":{"number":"4111111111111111","cvv":"012"}}"#),
            r#"{"card":{"number":"[redacted]","cvv":"[redacted]"}}"#
        );
    }

    #[test]
    fn escapes_and_truncation() {
        assert_eq!(redacted(r#"{"password":"a\"b","x":"y"}"#), r#"{"password":"[redacted]","x":"y"}"#);
        assert_eq!(redacted(r#"{"pnrId":"9","clientSecret":"abc"#), r#"{"pnrId":"9","clientSecret":"[redacted]"#);
        assert_eq!(redacted(r#"{"clientSecret":""#), r#"{"clientSecret":"[redacted]"#);
        assert_eq!(redacted(r#"{"clientSecret":"#), r#"{"clientSecret":"#);
        assert_eq!(redacted("\""), "\"");
        assert_eq!(redacted(""), "");
        assert_eq!(redacted(r#"{"clientSecret":"""#), r#"{"clientSecret":"[redacted]""#);
    }
}
