//! Configuration: raw TOML → validated, compiled [`Snapshot`].
pub mod diag;
pub mod toml_src;
