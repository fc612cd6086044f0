//! Incremental Server-Sent Events decoder that keeps the original bytes of every event.
//!
//! Bytes arrive in arbitrary chunks; `push` returns each complete event (terminated by a blank line)
//! with its raw bytes, so an event policy does not touch is forwarded exactly as the upstream sent it.
//! Line endings `\n`, `\r\n` and `\r` are all accepted (per the HTML spec). An event larger than the
//! configured limit is an error, never unbounded buffering. `encode` writes events airlock creates.
use bytes::{Bytes, BytesMut};

/// One decoded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The exact bytes of the event including its terminating blank line.
    pub raw: Bytes,
    /// The `event:` field, if present.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`; `None` when the event had no data field (e.g. a comment).
    pub data: Option<String>,
    pub id: Option<String>,
}

impl Event {
    /// Whether the event is only comments (`: keep-alive`) or fields airlock does not interpret.
    pub fn is_comment_only(&self) -> bool {
        self.data.is_none() && self.event.is_none() && self.id.is_none()
    }
}

/// Why decoding stopped.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SseError {
    #[error("SSE event larger than {0} bytes")]
    TooLarge(usize),
}

/// The decoder state for one stream. Scanning is linear: each byte is examined once.
#[derive(Debug)]
pub struct Decoder {
    buf: BytesMut,
    /// Next byte to examine.
    pos: usize,
    /// Start of the line being scanned.
    line_start: usize,
    /// The previous line ended in `\r`: a `\n` right after it belongs to that terminator.
    after_cr: bool,
    max_event: usize,
}

impl Decoder {
    pub fn new(max_event: usize) -> Self {
        Decoder { buf: BytesMut::new(), pos: 0, line_start: 0, after_cr: false, max_event }
    }

    /// Feeds a chunk; returns every event it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Event>, SseError> {
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        while let Some(end) = self.find_event_end() {
            let raw = self.buf.split_to(end).freeze();
            (self.pos, self.line_start, self.after_cr) = (0, 0, false);
            out.push(parse(raw));
        }
        if self.buf.len() > self.max_event {
            return Err(SseError::TooLarge(self.max_event));
        }
        Ok(out)
    }

    /// Bytes of an unfinished event still held (a stream that ends here was cut mid-event).
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// Finds the end (exclusive) of the first complete event: the position after a blank line.
    fn find_event_end(&mut self) -> Option<usize> {
        let b = &self.buf[..];
        let mut i = self.pos;
        while i < b.len() {
            let c = b[i];
            if self.after_cr {
                self.after_cr = false;
                if c == b'\n' {
                    i += 1;
                    self.line_start = i;
                    continue;
                }
            }
            match c {
                b'\n' if i == self.line_start => return Some(i + 1),
                b'\r' if i == self.line_start => {
                    // A blank line ended by \r or \r\n: wait to see which.
                    let Some(next) = b.get(i + 1) else {
                        self.pos = i;
                        return None;
                    };
                    return Some(if *next == b'\n' { i + 2 } else { i + 1 });
                }
                b'\n' => {
                    i += 1;
                    self.line_start = i;
                }
                b'\r' => {
                    i += 1;
                    self.line_start = i;
                    self.after_cr = true;
                }
                _ => i += 1,
            }
        }
        self.pos = i;
        None
    }
}

fn parse(raw: Bytes) -> Event {
    let text = String::from_utf8_lossy(&raw);
    let mut event = None;
    let mut data: Option<String> = None;
    let mut id = None;
    for line in text.split(['\n', '\r']).filter(|l| !l.is_empty()) {
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => event = Some(value.to_string()),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_string()),
            },
            "id" if !value.contains('\0') => id = Some(value.to_string()),
            _ => {}
        }
    }
    Event { raw, event, data, id }
}

/// Encodes an event airlock creates. Multi-line data becomes several `data:` lines.
pub fn encode(event: Option<&str>, id: Option<&str>, data: &str) -> Bytes {
    let mut out = String::with_capacity(data.len() + 32);
    if let Some(e) = event {
        out.push_str("event: ");
        out.push_str(e);
        out.push('\n');
    }
    if let Some(i) = id {
        out.push_str("id: ");
        out.push_str(i);
        out.push('\n');
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    Bytes::from(out)
}

/// A keep-alive comment: ignored by every SSE client, keeps proxies and clients from timing out.
pub const KEEPALIVE: &[u8] = b": airlock keep-alive\n\n";

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &[u8] =
        b"event: message\nid: 1\ndata: {\"a\":1}\n\n: comment\n\ndata: line1\r\ndata: line2\r\n\r\nevent: x\rdata: y\r\r\n";

    fn decode_all(chunks: &[&[u8]]) -> Vec<Event> {
        let mut d = Decoder::new(1 << 20);
        chunks.iter().flat_map(|c| d.push(c).unwrap()).collect()
    }

    #[test]
    fn whole_stream_decodes_with_raw_bytes_preserved() {
        let events = decode_all(&[STREAM]);
        assert_eq!(events.len(), 4);
        assert_eq!(events[0].event.as_deref(), Some("message"));
        assert_eq!(events[0].id.as_deref(), Some("1"));
        assert_eq!(events[0].data.as_deref(), Some("{\"a\":1}"));
        assert!(events[1].is_comment_only());
        assert_eq!(events[2].data.as_deref(), Some("line1\nline2"));
        assert_eq!(events[3].data.as_deref(), Some("y"));
        let joined: Vec<u8> = events.iter().flat_map(|e| e.raw.to_vec()).collect();
        assert_eq!(joined, STREAM);
    }

    #[test]
    fn every_split_point_gives_the_same_events() {
        let whole = decode_all(&[STREAM]);
        for i in 0..STREAM.len() {
            for j in i..STREAM.len() {
                let got = decode_all(&[&STREAM[..i], &STREAM[i..j], &STREAM[j..]]);
                assert_eq!(got, whole, "split at {i},{j}");
            }
        }
    }

    #[test]
    fn oversized_events_are_refused_and_partial_ones_are_visible() {
        let mut d = Decoder::new(16);
        assert_eq!(d.push(b"data: 0123456789abcdef"), Err(SseError::TooLarge(16)));
        let mut d = Decoder::new(1024);
        assert!(d.push(b"data: cut").unwrap().is_empty());
        assert_eq!(d.pending(), b"data: cut");
    }

    #[test]
    fn encode_round_trips() {
        let e = encode(Some("message"), None, "a\nb");
        let got = decode_all(&[&e]);
        assert_eq!(got[0].data.as_deref(), Some("a\nb"));
        assert_eq!(got[0].raw, e);
    }
}
