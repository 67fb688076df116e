//! The stdio transport of `handoff mcp`: one JSON-RPC message per line, in front of rmcp.
//!
//! rmcp's own stdio transport drops what it cannot parse: a line that is not JSON, not UTF-8
//! or nested too deep gets no answer at all (a client waiting for it hangs), a line over its
//! length limit is skipped silently, and the error it does send for well-formed JSON that is no
//! message carries no id. This transport reads the lines itself, with a byte limit, and answers
//! every line that asks for an answer:
//!
//! - not JSON, not UTF-8, or nested deeper than [`MAX_DEPTH`]: -32700 (parse error);
//! - JSON that is no JSON-RPC message: -32600 (invalid request), or -32602 (invalid params)
//!   when it names a method and an id but its params do not fit;
//! - a line longer than [`MAX_LINE_BYTES`]: -32600, naming the limit, answered as soon as the
//!   limit is passed; the rest of the line is skipped and the server keeps serving.
//!
//! The request's id is kept whenever it can be read, even from a line that is not JSON (a
//! scan of the bytes finds a top-level `"id"`); otherwise it is `null`, as JSON-RPC requires.
//! A notification (no id) is never answered. Everything written to standard output, rmcp's
//! messages and these replies alike, goes through one writer task, a whole line at a time.

use std::collections::VecDeque;

use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// The longest line read as one message. handoff's requests carry ids, codes and cursors:
/// a megabyte is far more than any of them needs, and it bounds what one line can cost.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;
/// The deepest nesting of arrays and objects a message may have.
pub(crate) const MAX_DEPTH: usize = 64;

const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;
const INVALID_PARAMS: i32 = -32602;

/// What one line from the client asks of the server.
#[derive(Debug)]
pub(super) enum Incoming {
    /// A message for rmcp.
    Message(Box<RxJsonRpcMessage<RoleServer>>),
    /// Nothing: a blank line, or a notification that fits no message (notifications are never
    /// answered).
    Nothing,
    /// An error response, as the line to write.
    Reply(Vec<u8>),
}

/// A JSON-RPC error response, its members in the order the specification lists them.
#[derive(serde::Serialize)]
struct ErrorResponse {
    jsonrpc: &'static str,
    /// `null` when the request's id cannot be read, never left out.
    id: Value,
    error: ErrorBody,
}

#[derive(serde::Serialize)]
struct ErrorBody {
    code: i32,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
}

/// A JSON-RPC error response as one line.
fn error_line(id: Option<Value>, code: i32, message: String, data: Option<Value>) -> Vec<u8> {
    let response = ErrorResponse {
        jsonrpc: "2.0",
        id: id.unwrap_or(Value::Null),
        error: ErrorBody {
            code,
            message,
            data,
        },
    };
    // Plain strings and JSON values: serialising cannot fail, and an empty line would at
    // worst be skipped by the client.
    let mut line = serde_json::to_vec(&response).unwrap_or_default();
    line.push(b'\n');
    line
}

/// What a scan of a line's bytes says without parsing it: whether it nests deeper than
/// [`MAX_DEPTH`], and the id of a top-level object when one can be read whole.
#[derive(Debug, Default, PartialEq)]
struct Scan {
    too_deep: bool,
    id: Option<Value>,
}

/// Scans `bytes` (any bytes: a prefix, invalid UTF-8, broken JSON) for the nesting depth and a
/// top-level `"id"`. Strings are skipped with their escapes, so brackets inside them do not
/// count; the id is taken only when its value (a string, a number or null) is complete.
fn scan(bytes: &[u8]) -> Scan {
    let mut out = Scan::default();
    let mut depth = 0usize;
    let mut top_object = false;
    // At depth 1 of the top-level object: the next string is a key.
    let mut expect_key = false;
    let mut key_is_id = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let Some(end) = string_end(bytes, i) else {
                    break;
                };
                if depth == 1 && top_object && expect_key {
                    key_is_id = &bytes[i + 1..end] == b"id";
                    expect_key = false;
                }
                i = end + 1;
                continue;
            }
            b'{' | b'[' => {
                if depth == 0 && bytes[i] == b'{' {
                    top_object = true;
                    expect_key = true;
                }
                depth += 1;
                if depth > MAX_DEPTH {
                    out.too_deep = true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 && top_object => expect_key = true,
            b':' if depth == 1 && top_object && key_is_id => {
                key_is_id = false;
                if out.id.is_none() {
                    out.id = id_value(bytes, i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where the string opening at `start` closes, if it does within `bytes`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The id value starting after `from` (white space first): a string, number or null, parsed
/// only when it is complete.
fn id_value(bytes: &[u8], from: usize) -> Option<Value> {
    let start = from
        + bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace())?;
    let end = match bytes[start] {
        b'"' => string_end(bytes, start)? + 1,
        b'-' | b'0'..=b'9' => {
            let len = bytes[start..]
                .iter()
                .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))?;
            start + len
        }
        b'n' => start + 4,
        _ => return None,
    };
    let value: Value = serde_json::from_slice(bytes.get(start..end)?).ok()?;
    matches!(value, Value::String(_) | Value::Number(_) | Value::Null).then_some(value)
}

/// What a whole line (without its line break) asks for.
pub(super) fn classify(line: &[u8]) -> Incoming {
    // RFC 8259 lets a parser ignore a byte order mark; a CR before the LF is a line break too.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Incoming::Nothing;
    }
    let scanned = scan(line);
    if let Err(e) = std::str::from_utf8(line) {
        return Incoming::Reply(error_line(
            scanned.id,
            PARSE_ERROR,
            format!(
                "Parse error: the message is not valid UTF-8 (byte {} of the line)",
                e.valid_up_to() + 1
            ),
            None,
        ));
    }
    if scanned.too_deep {
        return Incoming::Reply(error_line(
            scanned.id,
            PARSE_ERROR,
            format!(
                "Parse error: the message nests arrays and objects deeper than {MAX_DEPTH} levels"
            ),
            Some(json!({ "max_depth": MAX_DEPTH })),
        ));
    }
    let error = match serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(line) {
        Ok(message) => return Incoming::Message(Box::new(message)),
        Err(e) => e,
    };
    // Not a message: is it JSON at all? (The line is at most a megabyte and nests at most
    // MAX_DEPTH levels, so parsing it whole is bounded.)
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Reply(error_line(
                scanned.id,
                PARSE_ERROR,
                format!("Parse error: {e}"),
                None,
            ));
        }
    };
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned();
    let method = value.get("method").and_then(Value::as_str);
    match (&id, method) {
        // A notification is never answered, not even when it is malformed.
        (None, Some(_)) if value.get("id").is_none() => Incoming::Nothing,
        (Some(_), Some(method)) if value.get("jsonrpc") == Some(&json!("2.0")) => {
            Incoming::Reply(error_line(
                id,
                INVALID_PARAMS,
                format!("Invalid params for `{method}`: {error}"),
                None,
            ))
        }
        _ => Incoming::Reply(error_line(
            id,
            INVALID_REQUEST,
            format!("Invalid Request: not a JSON-RPC 2.0 request ({error})"),
            None,
        )),
    }
}

/// The reply to a line longer than [`MAX_LINE_BYTES`]; `prefix` is what was read of it.
pub(super) fn oversized(prefix: &[u8]) -> Vec<u8> {
    error_line(
        scan(prefix).id,
        INVALID_REQUEST,
        format!(
            "Invalid Request: the message is longer than {MAX_LINE_BYTES} bytes (1 MiB), the \
             most handoff reads as one message; it was skipped"
        ),
        Some(json!({ "max_bytes": MAX_LINE_BYTES })),
    )
}

/// Writes whole lines to `out` in the order they arrive, until every sender is gone or the
/// reader of `out` is.
pub(super) async fn write_lines(
    mut lines: mpsc::Receiver<Vec<u8>>,
    mut out: impl AsyncWrite + Unpin,
) {
    while let Some(line) = lines.recv().await {
        if out.write_all(&line).await.is_err() || out.flush().await.is_err() {
            return;
        }
    }
}

/// How one bounded read of a line ended.
enum LineRead {
    /// A whole line is in the buffer.
    Line,
    /// The line passed the limit: its first bytes are in the buffer, the rest is skipped.
    Oversized,
    Eof,
    Io(std::io::Error),
}

/// The transport: lines in through [`classify`], messages out through the writer task.
pub(super) struct StdioTransport<R> {
    input: BufReader<R>,
    line: Vec<u8>,
    /// Skipping the rest of an oversized line until its end.
    discarding: bool,
    /// Replies decided but not yet handed to the writer.
    pending: VecDeque<Vec<u8>>,
    out: mpsc::Sender<Vec<u8>>,
    /// Standard input has ended: nothing more to read.
    ended: bool,
}

impl<R: AsyncRead + Unpin + Send> StdioTransport<R> {
    pub(super) fn new(input: R, out: mpsc::Sender<Vec<u8>>) -> Self {
        StdioTransport {
            input: BufReader::new(input),
            line: Vec::new(),
            discarding: false,
            pending: VecDeque::new(),
            out,
            ended: false,
        }
    }

    /// Reads one line into `self.line`, never letting it grow past [`MAX_LINE_BYTES`].
    ///
    /// rmcp polls `receive` inside a `select!`, so this future may be dropped at any await:
    /// the partial line and the skipping state live on `self`, and `fill_buf` consumes
    /// nothing until the bytes it returned are copied, so a dropped read loses nothing.
    async fn read_line(&mut self) -> LineRead {
        loop {
            let available = match self.input.fill_buf().await {
                Ok(available) => available,
                Err(e) => return LineRead::Io(e),
            };
            if available.is_empty() {
                return LineRead::Eof;
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |at| at + 1);
            if self.discarding {
                self.input.consume(take);
                if newline.is_some() {
                    self.discarding = false;
                }
                continue;
            }
            let room = MAX_LINE_BYTES.saturating_sub(self.line.len());
            let body = newline.unwrap_or(available.len());
            if body > room {
                // Keep what fits (the id is near the start), answer, skip the rest.
                self.line.extend_from_slice(&available[..room]);
                self.input.consume(take);
                self.discarding = newline.is_none();
                return LineRead::Oversized;
            }
            self.line.extend_from_slice(&available[..body]);
            self.input.consume(take);
            if newline.is_some() {
                return LineRead::Line;
            }
        }
    }

    /// Hands the pending replies to the writer. `reserve` keeps its place if dropped, and
    /// a reply leaves `pending` only once the writer has it.
    async fn flush_pending(&mut self) -> bool {
        while let Some(reply) = self.pending.pop_front() {
            match self.out.reserve().await {
                Ok(permit) => permit.send(reply),
                Err(_) => return false,
            }
        }
        true
    }
}

impl<R: AsyncRead + Unpin + Send> Transport<RoleServer> for StdioTransport<R> {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let line = serde_json::to_vec(&item).map(|mut line| {
            line.push(b'\n');
            line
        });
        let out = self.out.clone();
        async move {
            let line = line.map_err(std::io::Error::other)?;
            out.send(line).await.map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "standard output is closed")
            })
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            if !self.flush_pending().await || self.ended {
                return None;
            }
            match self.read_line().await {
                LineRead::Line => {}
                LineRead::Oversized => {
                    let reply = oversized(&self.line);
                    self.line.clear();
                    self.pending.push_back(reply);
                    continue;
                }
                // A last line without its line break is still a line: answered like any
                // other, then the input is done.
                LineRead::Eof => self.ended = true,
                LineRead::Io(e) => {
                    // Standard error is the log of a stdio MCP server.
                    eprintln!("handoff mcp: cannot read standard input: {e}");
                    self.line.clear();
                    self.ended = true;
                    continue;
                }
            }
            let incoming = classify(&self.line);
            self.line.clear();
            match incoming {
                Incoming::Message(message) => return Some(*message),
                Incoming::Nothing => {}
                Incoming::Reply(reply) => self.pending.push_back(reply),
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(line: &[u8]) -> Value {
        match classify(line) {
            Incoming::Reply(bytes) => serde_json::from_slice(&bytes).unwrap(),
            other => panic!("{other:?} for {}", String::from_utf8_lossy(line)),
        }
    }

    #[test]
    fn ids_are_read_from_broken_lines() {
        assert_eq!(
            scan(br#"{"jsonrpc":"2.0","id":42,"method":"x","params":{"#).id,
            Some(json!(42))
        );
        assert_eq!(
            scan(b"{\"id\": \"a\\\"b\", \"params\": [\xff]}").id,
            Some(json!("a\"b"))
        );
        // Not the top level, not a key, not complete: no id.
        assert_eq!(scan(br#"{"params":{"id":1}}"#).id, None);
        assert_eq!(scan(br#"{"method":"id","x":1}"#).id, None);
        assert_eq!(scan(br#"{"id":12"#).id, None);
        assert_eq!(scan(br#"[{"id":1}]"#).id, None);
        assert_eq!(scan(br#"{"a":"{[","id":null}"#).id, Some(Value::Null));
    }

    #[test]
    fn every_bad_line_gets_its_error_with_the_id_it_had() {
        let r = reply(b"hello");
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32700), Value::Null)
        );
        assert!(r.as_object().unwrap().contains_key("id"));
        let r = reply(br#"{"jsonrpc":"2.0","id":2,"method":"tools/list""#);
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32700), json!(2))
        );
        let r = reply(
            b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{\"x\":\"\xff\"}}",
        );
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32700), json!(5))
        );
        assert!(r["error"]["message"].as_str().unwrap().contains("UTF-8"));
        let deep = format!(
            r#"{{"jsonrpc":"2.0","id":"d","method":"tools/call","params":{}{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        let r = reply(deep.as_bytes());
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32700), json!("d"))
        );
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("64 levels")
        );
        let r = reply(br#"{"jsonrpc":"2.0","id":3}"#);
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32600), json!(3))
        );
        let r = reply(b"[1,2]");
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32600), Value::Null)
        );
        let r = reply(br#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":5}"#);
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32602), json!(9))
        );
        let r: Value = serde_json::from_slice(&oversized(
            br#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"a":"xxxx"#,
        ))
        .unwrap();
        assert_eq!(
            (r["error"]["code"].clone(), r["id"].clone()),
            (json!(-32600), json!(8))
        );
    }

    #[test]
    fn good_lines_and_notifications_pass_or_stay_unanswered() {
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#),
            Incoming::Message(_)
        ));
        assert!(matches!(
            classify(
                b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\r"
            ),
            Incoming::Message(_)
        ));
        assert!(matches!(classify(b"  \t"), Incoming::Nothing));
        assert!(matches!(
            classify(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}"#),
            Incoming::Nothing
        ));
    }
}
