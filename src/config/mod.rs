//! Configuration: raw TOML → validated, compiled [`Snapshot`] (see ARCHITECTURE.md for the contract).
//!
//! The request path never parses config: it reads an `Arc<Snapshot>`. Every problem in a file is collected
//! and reported with its file, line and field, and a bad file is never half-applied.
pub mod diag;
pub mod load;
pub mod raw;
pub mod snapshot;
pub mod toml_src;

pub use diag::{Diagnostic, LoadError};
pub use load::load;
pub use snapshot::*;
