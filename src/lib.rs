//! airlock: a proxy that governs what AI agents do.
//!
//! The request path reads top to bottom: a surface adapter (`mcp/`, `llm/`) parses wire bytes into a
//! [`call::ToolCall`]; [`analyze`] turns it into [`analyze::Facts`]; [`policy`] decides (pure); [`govern`]
//! carries the verdict out (throttle, approval, constraint patch, audit); the surface applies it in its own
//! protocol's terms. Surfaces never decide.
#![forbid(unsafe_code)]

pub mod analyze;
pub mod audit;
pub mod body;
pub mod call;
pub mod cli;
pub mod config;
pub mod govern;
pub mod jsonrpc;
pub mod llm;
pub mod mcp;
pub mod metrics;
pub mod policy;
pub mod redact;
pub mod server;
pub mod sse;
pub mod upstream;
