//! Secret values: client secrets and access tokens.
//!
//! Both print as `[redacted]` in `Debug` and have no `Display`, so they cannot end
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
