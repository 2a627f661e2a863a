//! Secret values: client secrets, access tokens, and the secret fields of
//! Spotnana's models.
//!
//! All print as `[redacted]` in `Debug` and have no `Display`, so they cannot end
//! up in logs or error messages by accident. Read them with `expose_secret`.

use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret string.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself. Do not log it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_string())
            }
        }
    };
}

secret_type!(
    /// An OAuth2 client secret (`SPOTNANA_CLIENT_SECRET`).
    ClientSecret
);

secret_type!(
    /// A bearer access token issued by Spotnana's token endpoint.
    AccessToken
);

secret_type!(
    /// A secret field of a Spotnana model: a client secret, a token, a card
    /// number or CVV (the fields `cargo xtask regen` marks, listed under
    /// `secret-fields` in `openapi/NORMALIZATION.md`).
    ///
    /// `Debug` prints `Secret([redacted])`; serialising writes the real
    /// value, so a request carries it and an answer keeps it.
    ///
    /// ```
    /// let secret = spotnana::Secret::new("4111111111111111");
    /// assert_eq!(format!("{secret:?}"), "Secret([redacted])");
    /// assert_eq!(serde_json::to_string(&secret).unwrap(), "\"4111111111111111\"");
    /// assert_eq!(secret.expose_secret(), "4111111111111111");
    /// ```
    Secret
);

// Written out: the macro's types share their derives, and only `Secret` (a
// model field typify defaults) has a default; an empty token or client
// secret is never one.
#[allow(clippy::derivable_impls)]
impl Default for Secret {
    fn default() -> Self {
        Self(String::new())
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Secret {
    fn schema_name() -> String {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("password".into()),
            ..Default::default()
        }
        .into()
    }
}
