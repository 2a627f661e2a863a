//! The passes `build.rs` runs on progenitor's syntax tree, in the order they
//! run. Each keys on a shape the normalised spec leaves for it, and none
//! undoes another; where the order matters, [`Pass::after`] says why.
//! `cargo xtask regen` writes this table into `openapi/NORMALIZATION.md`, so
//! the report and the build cannot disagree.

/// One pass over progenitor's output (`build/<name>.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// `build/null_when_unset.rs`.
    NullWhenUnset,
    /// `build/variant_names.rs`.
    VariantNames,
    /// `build/builders.rs`.
    Builders,
    /// `build/constructors.rs`.
    Constructors,
    /// `build/send.rs`.
    Send,
    /// `build/messages.rs`.
    Messages,
    /// `build/pagination.rs`.
    Pagination,
    /// `build/safe_create.rs`.
    SafeCreate,
    /// `build/open_enums.rs`.
    OpenEnums,
    /// `build/open_unions.rs`.
    OpenUnions,
    /// `build/dates.rs`.
    Dates,
    /// `build/serde_impls.rs`.
    SerdeImpls,
    /// `build/null_as_default.rs`.
    NullAsDefault,
}

/// The passes, in the order `build.rs` runs them.
pub const ORDER: [Pass; 13] = [
    Pass::NullWhenUnset,
    Pass::VariantNames,
    Pass::Builders,
    Pass::Constructors,
    Pass::Send,
    Pass::Messages,
    Pass::Pagination,
    Pass::SafeCreate,
    Pass::OpenEnums,
    Pass::OpenUnions,
    Pass::Dates,
    Pass::SerdeImpls,
    Pass::NullAsDefault,
];

impl Pass {
    /// The pass's file name under `build/`.
    pub fn name(self) -> &'static str {
        match self {
            Pass::NullWhenUnset => "null_when_unset",
            Pass::VariantNames => "variant_names",
            Pass::Builders => "builders",
            Pass::Constructors => "constructors",
            Pass::Send => "send",
            Pass::Messages => "messages",
            Pass::Pagination => "pagination",
            Pass::SafeCreate => "safe_create",
            Pass::OpenEnums => "open_enums",
            Pass::OpenUnions => "open_unions",
            Pass::Dates => "dates",
            Pass::SerdeImpls => "serde_impls",
            Pass::NullAsDefault => "null_as_default",
        }
    }

    /// What the pass does, for the report.
    pub fn what(self) -> &'static str {
        match self {
            Pass::NullWhenUnset => {
                "Fields listed under `x-spotnana-null-when-unset` decode an absent key as `None` and start their \
                 builders there."
            }
            Pass::VariantNames => {
                "An untagged union's numbered struct variants (`Variant0`, ...) are named after the required field \
                 that tells each apart, without its `_id` (`ListUsersV3Request::Company`, `::Tmc`), and each renamed \
                 variant gets a constructor of its required fields. A variant nothing tells apart keeps its number."
            }
            Pass::Builders => {
                "typify's model builders are replaced by the SDK's, and only the models a request can carry get one \
                 (those progenitor's operation builders or a hand-written body name, and what their fields reach): \
                 setters take `impl IntoField<T>` (the value, a string for a string or id, the field model's \
                 builder; any iterator of those for a list; `set_x(Option<T>)` clears), and `build()` reports \
                 every missing or invalid field with its path. Each builder is a table of its fields that \
                 `building::builder!` expands, so the generated code holds only the rows. Fails the build when \
                 typify's models have `builder()` but no builder module."
            }
            Pass::Constructors => {
                "progenitor's unchecked client constructors stop being public: `Client::new` (which unwraps a reqwest \
                 build) is removed and `new_with_client` becomes `pub(crate)`, so every client is made by \
                 `ClientBuilder::build`, with its URL checks, timeouts, no-redirect policy and loopback proxy rule."
            }
            Pass::Send => {
                "Every builder's `send` keeps progenitor's request building and ends in one call of `crate::call` \
                 (`json` or `empty`), which sends through the runtime and decodes: any 2xx is a success decoded as the \
                 documented type, any other status is `spotnana::Error::Api` whatever its body, judged in one place. \
                 Each path parameter (progenitor's `encode_path`) goes through `crate::path::segment!`, which \
                 percent-encodes all but RFC 3986's unreserved characters and refuses `.`, `..` and the empty value \
                 before anything is sent. Fails the build when a `send` has another shape, a path parameter cannot be \
                 named, or an `encode_path` or `ResponseValue::from_response` call is left."
            }
            Pass::Messages => {
                "An operation builder's setter whose value does not convert says which parameter, what it takes and \
                 why the value did not convert; a required parameter never set says which, and which setter to call."
            }
            Pass::Pagination => {
                "Every list the normaliser tags `x-spotnana-pagination` gets `pages()` and `stream()` on its builder, \
                 paging by the tag's style."
            }
            Pass::SafeCreate => {
                "Every create that the `safe-creates` rule pairs with a lookup by external id gets `send_or_find()` on \
                 its builder: after a failure that may have applied, it looks the resource up before sending again \
                 (`src/safe_create.rs`). Fails the build when a paired create's builder, body, path parameter or \
                 answer id is missing."
            }
            Pass::OpenEnums => {
                "Every string enum (all-unit-variant enum of `types`, named or inline) gains `Unrecognized(String)`: \
                 an unknown value decodes into it and serialises back unchanged; `Display`, `FromStr` and `as_str()` \
                 agree. Fails the build when an enum lacks typify's `Display`/`FromStr`, or when the spec has string \
                 enums and none was found."
            }
            Pass::OpenUnions => {
                "Every untagged enum (`oneOf`/`anyOf`) gains a last variant `Unrecognized(serde_json::Value)` that \
                 keeps a value no branch accepts as raw JSON."
            }
            Pass::Dates => {
                "Every model the `chrono-dates` rule tags (`x-spotnana-chrono`) converts from its `chrono` type \
                 (`From<chrono::NaiveDate>` for `DateModel`, and so on) and back with `to_chrono()`, and its docs give \
                 the format Spotnana writes (`src/dates.rs`). Fails the build when a tagged model has no `iso8601` \
                 newtype field."
            }
            Pass::SerdeImpls => {
                "Every named-field model struct whose `serde` attributes hold only `rename`, `default` and \
                 `skip_serializing_if` gets a `Deserialize` impl of its own in place of serde's derive: one visitor \
                 reading the object's keys into one slot per field through `src/fields.rs`, with serde's errors \
                 (missing and duplicate fields), unknown keys skipped, and `null` for a non-`Option` field with a \
                 default decoding as that default. Any other struct keeps the derive."
            }
            Pass::NullAsDefault => {
                "A field with `#[serde(default)]` (optional arrays and maps, properties with a spec `default`) that is \
                 not an `Option` decodes `null` as its default, as it does an absent key."
            }
        }
    }

    /// Why the pass runs where it does, when the order matters.
    pub fn after(self) -> Option<&'static str> {
        match self {
            Pass::NullWhenUnset => Some("first: it reads the models and builders as typify writes them"),
            Pass::Builders => Some("after `null_when_unset`, which marks the fields an answer may leave out"),
            Pass::Messages => Some("after `send`, whose request building reports the setters' errors"),
            Pass::Pagination | Pass::SafeCreate => {
                Some("after `send`: the methods it adds call the rewritten `send` and must not be rewritten themselves")
            }
            Pass::SerdeImpls => Some(
                "after the passes that change the models' fields and before `null_as_default`, whose \
                 `deserialize_with` would keep the derive",
            ),
            Pass::NullAsDefault => Some("last: it reads the fields as the other passes leave them"),
            Pass::VariantNames => Some("after `null_when_unset`, which decides which fields are required"),
            Pass::Constructors | Pass::Send | Pass::OpenEnums | Pass::OpenUnions | Pass::Dates => None,
        }
    }
}
