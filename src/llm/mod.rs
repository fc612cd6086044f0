//! The LLM provider surface. Until tool-call interception for provider streams is built, LLM routes
//! refuse requests (fail closed) rather than forwarding tool calls that no one judges.
use crate::body::Body;
use crate::config::LlmRoute;
use crate::server::{respond, App};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use std::sync::Arc;

pub async fn handle(_app: Arc<App>, route: LlmRoute, _req: Request<Incoming>, _rest: String) -> Response<Body> {
    let msg = format!(
        "LLM route {} ({}) is not served yet: provider interception is not built",
        route.name,
        route.api.as_str()
    );
    respond::error(StatusCode::NOT_IMPLEMENTED, "not_implemented", &msg)
}
