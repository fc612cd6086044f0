//! The one body type airlock's responses and upstream requests use, and ways to build it.
//!
//! Bodies are either complete byte buffers or channels fed by a task (streams airlock relays or rewrites).
//! Reading a client body is always bounded.
use bytes::Bytes;
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Empty, Full, Limited, StreamBody};
use hyper::body::Frame;
use tokio::sync::mpsc;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Body = UnsyncBoxBody<Bytes, BoxError>;

/// A complete body.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
}

pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// Wraps an incoming body so it can be forwarded as-is.
pub fn incoming(body: hyper::body::Incoming) -> Body {
    body.map_err(|e| Box::new(e) as BoxError).boxed_unsync()
}

/// A body fed from a channel; dropping the sender ends it cleanly.
pub fn channel(capacity: usize) -> (mpsc::Sender<Bytes>, Body) {
    let (tx, rx) = mpsc::channel::<Bytes>(capacity);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, BoxError>(Frame::data(b)), rx))
    });
    (tx, StreamBody::new(stream).boxed_unsync())
}

/// Why reading a body failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    #[error("body could not be read: {0}")]
    Io(String),
}

/// Reads a whole body, refusing more than `limit` bytes.
pub async fn read_limited<B>(body: B, limit: usize) -> Result<Bytes, ReadError>
where
    B: hyper::body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => Err(ReadError::TooLarge(limit)),
        Err(e) => Err(ReadError::Io(e.to_string())),
    }
}
