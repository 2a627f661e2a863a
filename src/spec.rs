//! The normalised spec the client is generated from, embedded once for the
//! parts that read it at run time (the sandbox, the operation list).

/// `openapi/spotnana.json`, as `cargo xtask regen` wrote it.
pub(crate) const SPEC: &str = include_str!("../openapi/spotnana.json");
