//! JSON-RPC 2.0 envelopes, parsed without re-serializing what airlock does not change.
//!
//! `params`, `result` and `error` stay `RawValue`s borrowed from the original bytes; `id` is kept raw so
//! a reply echoes it exactly. Classification follows the spec: a request has `method` and `id`, a
//! notification has `method` and no `id`, a response has `id` and `result` or `error`.
use serde::Deserialize;
use serde_json::value::RawValue;

/// Standard error codes.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const INTERNAL_ERROR: i64 = -32603;

#[derive(Debug, Deserialize)]
struct Envelope<'a> {
    jsonrpc: Option<&'a str>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    method: Option<String>,
    #[serde(borrow)]
    params: Option<&'a RawValue>,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

/// One message, borrowing from the bytes it was parsed from.
#[derive(Debug, Clone, Copy)]
pub enum Message<'a> {
    Request { id: &'a RawValue, method: &'a str, params: Option<&'a RawValue> },
    Notification { method: &'a str, params: Option<&'a RawValue> },
    Response { id: &'a RawValue, result: Option<&'a RawValue>, error: Option<&'a RawValue> },
}

/// Why a body is not acceptable JSON-RPC.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RpcError {
    #[error("parse error: {0}")]
    Parse(String),
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl RpcError {
    pub fn code(&self) -> i64 {
        match self {
            RpcError::Parse(_) => PARSE_ERROR,
            RpcError::Invalid(_) => INVALID_REQUEST,
        }
    }
}

/// A parsed envelope, keeping owned method names so the borrowed form can point into it.
#[derive(Debug)]
pub struct Parsed<'a> {
    envelope: Envelope<'a>,
    /// The exact bytes of this message within the body.
    pub raw: &'a RawValue,
}

impl<'a> Parsed<'a> {
    /// The classified message.
    pub fn message(&self) -> Message<'_> {
        let e = &self.envelope;
        match (&e.method, e.id) {
            (Some(m), Some(id)) => Message::Request { id, method: m, params: e.params },
            (Some(m), None) => Message::Notification { method: m, params: e.params },
            (None, Some(id)) => Message::Response { id, result: e.result, error: e.error },
            (None, None) => Message::Notification { method: "", params: None },
        }
    }
}

/// A body: one message or a batch.
#[derive(Debug)]
pub struct Body<'a> {
    pub messages: Vec<Parsed<'a>>,
    pub batch: bool,
}

/// Parses a body (single message or batch), validating each envelope.
pub fn parse(bytes: &[u8]) -> Result<Body<'_>, RpcError> {
    let text = std::str::from_utf8(bytes).map_err(|e| RpcError::Parse(format!("body is not UTF-8: {e}")))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| RpcError::Parse(e.to_string()))?;
        if items.is_empty() {
            return Err(RpcError::Invalid("empty batch".into()));
        }
        let messages = items.into_iter().map(one).collect::<Result<_, _>>()?;
        Ok(Body { messages, batch: true })
    } else {
        let raw: &RawValue = serde_json::from_str(text).map_err(|e| RpcError::Parse(e.to_string()))?;
        Ok(Body { messages: vec![one(raw)?], batch: false })
    }
}

/// Parses one message (used for stdio lines and SSE `data:`).
pub fn parse_one(text: &str) -> Result<Parsed<'_>, RpcError> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| RpcError::Parse(e.to_string()))?;
    one(raw)
}

fn one(raw: &RawValue) -> Result<Parsed<'_>, RpcError> {
    if !raw.get().trim_start().starts_with('{') {
        return Err(RpcError::Invalid("a JSON-RPC message must be an object".into()));
    }
    let envelope: Envelope<'_> =
        serde_json::from_str(raw.get()).map_err(|e| RpcError::Invalid(format!("not a JSON-RPC envelope: {e}")))?;
    if envelope.jsonrpc != Some("2.0") {
        return Err(RpcError::Invalid("\"jsonrpc\" must be \"2.0\"".into()));
    }
    if envelope.method.is_none() && envelope.id.is_none() {
        return Err(RpcError::Invalid("neither a method nor a response id".into()));
    }
    if envelope.method.is_none() && envelope.result.is_none() && envelope.error.is_none() {
        return Err(RpcError::Invalid("a response needs a result or an error".into()));
    }
    Ok(Parsed { envelope, raw })
}

/// An error response with the given id (`null` when unknown).
pub fn error_response(id: Option<&RawValue>, code: i64, message: &str) -> String {
    let id = id.map(RawValue::get).unwrap_or("null");
    let message = serde_json::to_string(message).unwrap_or_else(|_| "\"error\"".into());
    format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":{code},\"message\":{message}}}}}")
}

/// A success response with a pre-serialized result.
pub fn result_response(id: &RawValue, result: &str) -> String {
    format!("{{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{result}}}", id.get())
}

/// A stable key for matching responses to requests (`1` and `"1"` are different ids).
pub fn id_key(id: &RawValue) -> String {
    id.get().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_and_keeps_raw_bytes() {
        let body =
            br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"a":"\u00e9"}}}"#;
        let b = parse(body).unwrap();
        assert!(!b.batch);
        match b.messages[0].message() {
            Message::Request { id, method, params } => {
                assert_eq!(id.get(), "7");
                assert_eq!(method, "tools/call");
                assert!(params.unwrap().get().contains("\\u00e9"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(b.messages[0].raw.get().as_bytes(), body);
    }

    #[test]
    fn rejects_bad_input_with_the_right_code() {
        assert_eq!(parse(b"{nope").unwrap_err().code(), PARSE_ERROR);
        assert_eq!(parse(b"\xff\xfe").unwrap_err().code(), PARSE_ERROR);
        assert_eq!(parse(b"[]").unwrap_err().code(), INVALID_REQUEST);
        assert_eq!(parse(b"42").unwrap_err().code(), INVALID_REQUEST);
        assert_eq!(parse(br#"{"jsonrpc":"1.0","id":1,"method":"x"}"#).unwrap_err().code(), INVALID_REQUEST);
        assert_eq!(parse(br#"{"jsonrpc":"2.0","id":1}"#).unwrap_err().code(), INVALID_REQUEST);
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes()).unwrap_err().code(), PARSE_ERROR);
    }

    #[test]
    fn batches_and_notifications() {
        let b = parse(
            br#"[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":"a","result":{}}]"#,
        )
        .unwrap();
        assert!(b.batch);
        assert!(matches!(b.messages[0].message(), Message::Notification { .. }));
        assert!(matches!(b.messages[1].message(), Message::Response { .. }));
    }

    #[test]
    fn error_response_echoes_the_id_exactly() {
        let id: &RawValue = serde_json::from_str("\"abc\"").unwrap();
        let r = error_response(Some(id), PARSE_ERROR, "bad \"json\"");
        let v: serde_json::Value = serde_json::from_str(&r).unwrap();
        assert_eq!(v["id"], "abc");
        assert_eq!(v["error"]["code"], -32700);
    }
}
