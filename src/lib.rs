mod generated;
mod runtime;
pub use generated::{types, Client};
