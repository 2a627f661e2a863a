//! Which fields of Spotnana's models hold secrets, decided by their shape.
//!
//! One rule serves two places: `cargo xtask regen` marks the string
//! properties it selects with `format: password` (so that the generated
//! field is [`crate::Secret`], whose `Debug` prints `[redacted]`), and the
//! SDK blanks the same fields in any body it quotes in an error. The
//! normaliser includes this file by path, so the two cannot drift apart.
//!
//! A string property is a secret when its name, split into lower-case words
//! (`setupIntentClientSecret` → `setup intent client secret`,
//! `client_secret` → `client secret`), has:
//! - the word `secret`, `password`, `passcode`, `cvv` or `cvc`;
//! - `token` as its last word, unless a word before it is `page` (a page
//!   token, such as `nextPageToken`, is a cursor, not a credential);
//! - `key` as its last word, after `api`, `app` or `private` (`appKey`;
//!   `bookingKey` and `publishableKey` name things, not credentials);
//! - or is `number` in an object that also has a `cvv` or an `expiry`
//!   property (a card).
//!
//! Properties that are not strings (`isCvvRequired`, `doPersistToken`) are
//! never secrets, whatever their name.

/// The lower-case words of a property name, split at `_`, `-` and at each
/// lower-to-upper case change.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a string property `name`, in an object that has a property for
/// which `has_sibling` is true, holds a secret (the rule in the module docs).
pub(crate) fn is_secret(name: &str, has_sibling: impl Fn(&str) -> bool) -> bool {
    let words = words(name);
    let secret_word = words.iter().any(|w| matches!(w.as_str(), "secret" | "password" | "passcode" | "cvv" | "cvc"));
    let credential_token = words.last().is_some_and(|w| w == "token") && !words.iter().any(|w| w == "page");
    let credential_key = words.last().is_some_and(|w| w == "key")
        && words.iter().any(|w| matches!(w.as_str(), "api" | "app" | "private"));
    let card_number = name == "number" && (has_sibling("cvv") || has_sibling("expiry"));
    secret_word || credential_token || credential_key || card_number
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alone(name: &str) -> bool {
        is_secret(name, |_| false)
    }

    #[test]
    fn splits_camel_and_snake_case() {
        assert_eq!(words("setupIntentClientSecret"), ["setup", "intent", "client", "secret"]);
        assert_eq!(words("client_secret"), ["client", "secret"]);
        assert_eq!(words("nextPageToken"), ["next", "page", "token"]);
        assert_eq!(words("CVV"), ["cvv"]);
    }

    #[test]
    fn credentials_are_secrets() {
        for name in [
            "clientSecret",
            "client_secret",
            "setupIntentClientSecret",
            "secretKey",
            "scimToken",
            "access_token",
            "refresh_token",
            "subject_token",
            "token",
            "cvv",
            "password",
            "CVV",
            "appKey",
            "apiKey",
            "private_key",
        ] {
            assert!(alone(name), "{name} should be a secret");
        }
    }

    #[test]
    fn cursors_and_kinds_are_not() {
        for name in [
            "nextPageToken",
            "pageToken",
            "token_type",
            "subject_token_type",
            "tokenizedExpiry",
            "number",
            "tokens",
            "id",
            "bookingKey",
            "publishableKey",
            "key",
        ] {
            assert!(!alone(name), "{name} should not be a secret");
        }
    }

    #[test]
    fn a_number_is_a_secret_only_beside_a_card_field() {
        assert!(is_secret("number", |s| s == "cvv"));
        assert!(is_secret("number", |s| s == "expiry"));
        assert!(!is_secret("number", |s| s == "issueCountry"));
    }
}
