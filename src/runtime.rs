//! Placeholder inner type.
#[derive(Debug, Clone, Default)]
pub struct Runtime;
impl progenitor_client::ClientHooks<Runtime> for crate::generated::Client {}
