//! Path parameters: each value is exactly one path segment.
//!
//! A value is percent-encoded byte by byte, everything but RFC 3986's
//! unreserved characters (`A-Z a-z 0-9 - . _ ~`), so `/`, `\`, `%`, `?`, `#`
//! and non-ASCII cannot change which endpoint a request reaches. The `url`
//! crate treats `\` as `/` in http(s) URLs and resolves `.` and `..`
//! segments, so escaping `/` alone would not be enough. The values `.` and
//! `..`, and the empty value, are refused before anything is sent: encoded
//! or not, they address another endpoint.
//!
//! Every path the SDK builds goes through [`encode`]: the generated methods
//! (`build/send.rs` puts it where progenitor wrote `encode_path`), the
//! multipart uploads and [`Client::call_json`](crate::Client::call_json).

use std::fmt::Write as _;

/// `value` as one path segment, for the path parameter `name`; an
/// [`Error::InvalidRequest`](crate::Error::InvalidRequest) naming the
/// parameter when the value is empty, `.` or `..`.
#[cfg_attr(not(spotnana_operations), allow(dead_code))]
pub(crate) fn encode(name: &str, value: &str) -> Result<String, crate::Error> {
    if matches!(value, "" | "." | "..") {
        let shown = if value.is_empty() { "empty".to_string() } else { format!("`{value}`") };
        return Err(crate::Error::InvalidRequest(format!(
            "path parameter `{name}` is {shown}; a path parameter must be a non-empty value other than `.` and `..`, \
             which would address another endpoint (nothing was sent)"
        )));
    }
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    Ok(out)
}

/// `value` as one path segment in a generated `send`, which returns
/// [`crate::Error`]: `build/send.rs` writes
/// `crate::path::segment!("name", &value.to_string())` where progenitor
/// wrote `encode_path(&value.to_string())`.
#[cfg_attr(not(spotnana_operations), allow(unused_macros))]
macro_rules! segment {
    ($name:literal, $value:expr) => {
        match crate::path::encode($name, $value) {
            ::std::result::Result::Ok(segment) => segment,
            ::std::result::Result::Err(e) => return ::std::result::Result::Err(e),
        }
    };
}
#[cfg_attr(not(spotnana_operations), allow(unused_imports))]
pub(crate) use segment;

#[cfg(test)]
mod tests {
    use super::encode as segment;

    fn encoded(value: &str) -> String {
        segment("id", value).expect("a value that is one segment")
    }

    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(encoded("abc-DEF_123.~x"), "abc-DEF_123.~x");
        assert_eq!(encoded("4974a66b-7493-4f41-908c-58ba81093947"), "4974a66b-7493-4f41-908c-58ba81093947");
    }

    #[test]
    fn separators_and_escapes_are_encoded() {
        assert_eq!(encoded(r"..\..\users\X"), "..%5C..%5Cusers%5CX");
        assert_eq!(encoded("../../users/X"), "..%2F..%2Fusers%2FX");
        assert_eq!(encoded("100%"), "100%25");
        assert_eq!(encoded("%2e%2e"), "%252e%252e");
        assert_eq!(encoded("a?b#c d"), "a%3Fb%23c%20d");
        assert_eq!(encoded("é"), "%C3%A9");
        assert_eq!(encoded("..."), "...", "three dots are a plain name");
    }

    #[test]
    fn dot_segments_and_empty_values_are_refused() {
        for value in ["", ".", ".."] {
            let err = segment("kid", value).expect_err(value);
            let message = err.to_string();
            assert!(matches!(err, crate::Error::InvalidRequest(_)), "{message}");
            assert!(message.contains("`kid`"), "{message}");
        }
    }
}
