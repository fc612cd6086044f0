//! Relaying a server's SSE stream to a client event by event, filtering only the responses that policy
//! must see, and the request-id bookkeeping that tells which responses those are.
//!
//! Untouched events are forwarded as their original bytes the moment they are complete; nothing is
//! buffered beyond the event being decoded. A stream cut mid-event ends the client's stream cleanly
//! (the partial event is dropped, never half-delivered) and is reported to the caller.
use super::{Pending, ResponseFilter};
use crate::sse::{self, Decoder};
use bytes::Bytes;
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Request ids waiting for their responses (shared between the POST side and the stream side).
#[derive(Default, Clone)]
pub struct PendingIds(Arc<Mutex<HashMap<String, Pending>>>);

impl PendingIds {
    pub fn insert(&self, id: String, kind: Pending) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() < 65_536 {
            m.insert(id, kind);
        }
    }

    /// Removes and returns what an id was for.
    pub fn take(&self, id: &str) -> Option<Pending> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(id)
    }

    pub fn is_empty(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }
}

/// How a relayed stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// The upstream finished the stream at an event boundary.
    Complete,
    /// The upstream stream ended or failed in the middle of an event.
    Cut(String),
    /// The client went away.
    ClientGone,
    /// An event exceeded the size limit.
    TooLarge,
    /// Nothing arrived for the idle timeout.
    Idle,
}

/// Per-event rewriting hook besides response filtering (legacy SSE rewrites the `endpoint` event).
pub type EventHook<'a> = dyn FnMut(&sse::Event) -> Option<Bytes> + Send + 'a;

/// Relays an upstream SSE body into `tx`, filtering tracked responses.
pub async fn relay_sse<B>(
    mut body: B,
    tx: &mpsc::Sender<Bytes>,
    filter: &ResponseFilter<'_>,
    pending: &PendingIds,
    max_event: usize,
    idle: Duration,
    hook: &mut EventHook<'_>,
) -> StreamEnd
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let mut decoder = Decoder::new(max_event);
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return StreamEnd::Idle,
            Ok(None) => {
                return if decoder.pending().iter().all(u8::is_ascii_whitespace) {
                    StreamEnd::Complete
                } else {
                    StreamEnd::Cut("the upstream ended the stream in the middle of an event".into())
                };
            }
            Ok(Some(Err(e))) => return StreamEnd::Cut(format!("upstream stream failed: {e}")),
            Ok(Some(Ok(f))) => f,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let events = match decoder.push(&data) {
            Ok(ev) => ev,
            Err(_) => return StreamEnd::TooLarge,
        };
        for event in events {
            let out = hook(&event).unwrap_or_else(|| filter_event(&event, filter, pending));
            if tx.send(out).await.is_err() {
                return StreamEnd::ClientGone;
            }
        }
    }
}

/// The bytes to send for one event: the original, or a re-encoded event with a filtered message.
pub fn filter_event(event: &sse::Event, filter: &ResponseFilter<'_>, pending: &PendingIds) -> Bytes {
    if pending.is_empty() {
        return event.raw.clone();
    }
    let Some(data) = &event.data else {
        return event.raw.clone();
    };
    if event.event.as_deref().is_some_and(|e| e != "message") {
        return event.raw.clone();
    }
    match filter.filter(data, |id| pending.take(id)) {
        Some(new) => sse::encode(event.event.as_deref(), event.id.as_deref(), &new),
        None => event.raw.clone(),
    }
}
