//! HTTP/1.1 on a connection: reading one request within strict size limits (request head parsed
//! by `httparse`, bodies by Content-Length or chunked), writing one reply, and the small decoders
//! the routes need (URL-encoded forms, `Accept`). Every connection answers one request and closes.

use std::io::{self, Read, Write};
use std::time::Instant;

/// A request with its body read (within the size limit) and its target split into path and query.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    /// Upper-case method name.
    pub method: String,
    /// Path without the query string, percent-decoded.
    pub path: String,
    /// Raw query string (after `?`), still encoded.
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of the body, lower case, without parameters.
    pub(crate) fn content_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The decoded URL query parameters.
    pub(crate) fn query_params(&self) -> Result<Vec<(String, String)>, Reply> {
        parse_form(self.query.as_bytes())
            .map_err(|e| Reply::error(400, &format!("bad query string: {e}")))
    }
}

/// An answer: status, content type, body and extra headers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(crate) fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: Some(content_type.to_string()),
            body,
            headers: Vec::new(),
        }
    }

    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A one-line plain-text error message.
    pub(crate) fn error(status: u16, message: &str) -> Self {
        let line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
        Self::bytes(
            status,
            "text/plain; charset=utf-8",
            format!("{line}\n").into_bytes(),
        )
        .with_header("Cache-Control", "no-store")
    }

    pub(crate) fn json(status: u16, value: &serde_json::Value) -> Self {
        let mut body = serde_json::to_vec(value).unwrap_or_default();
        body.push(b'\n');
        Self::bytes(status, "application/json", body)
    }

    pub(crate) fn method_not_allowed(allow: &str) -> Self {
        Self::error(405, &format!("method not allowed; use {allow}")).with_header("Allow", allow)
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the reply as an HTTP/1.1 response that closes the connection.
    pub(crate) fn write_to(&self, out: &mut impl Write, head_only: bool) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        let mut header = |name: &str, value: &str| {
            // Values are ours, but never let one end the header block.
            let value: String = value.chars().filter(|c| !c.is_control()).collect();
            head.push_str(&format!("{name}: {value}\r\n"));
        };
        header("X-Content-Type-Options", "nosniff");
        if let Some(content_type) = &self.content_type {
            header("Content-Type", content_type);
        }
        header("Content-Length", &self.body.len().to_string());
        header("Connection", "close");
        for (name, value) in &self.headers {
            header(name, value);
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        if !head_only && self.status != 204 {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Header fields accepted in one request.
const MAX_HEADERS: usize = 64;
/// Room for the request line's method and version and for the header fields, on top of the
/// request target (whose limit is the server's `max_request_bytes`).
const HEAD_SLACK: usize = 16 * 1024;

/// Bytes read from a connection but not consumed yet, and the connection.
struct Input<'s, S> {
    buf: Vec<u8>,
    stream: &'s mut S,
    /// The whole request must have arrived by then, however slowly each part comes.
    deadline: Instant,
}

impl<S: Read> Input<'_, S> {
    /// Reads more bytes. `Ok(false)`: the peer closed the connection.
    fn fill(&mut self) -> Result<bool, Reply> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if Instant::now() >= self.deadline {
                return Err(Reply::error(
                    408,
                    "request timeout: the whole request did not arrive in time",
                ));
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(Reply::error(
                        408,
                        "request timeout: the request did not arrive in time",
                    ))
                }
                Err(e) => return Err(Reply::error(400, &format!("cannot read the request: {e}"))),
            }
        }
    }

    fn fill_or_fail(&mut self) -> Result<(), Reply> {
        if self.fill()? {
            Ok(())
        } else {
            Err(Reply::error(
                400,
                "the connection closed in the middle of the request",
            ))
        }
    }
}

/// Reads one request from a connection, refusing (413) a target or body over `max_bytes` before
/// reading it. `Ok(None)`: the connection closed (or stayed silent) before sending anything.
pub(crate) fn read_request<S: Read + Write>(
    stream: &mut S,
    max_bytes: usize,
    deadline: Instant,
) -> Result<Option<Request>, Reply> {
    let mut input = Input {
        buf: Vec::new(),
        stream,
        deadline,
    };
    let Some((head_length, mut request)) = read_head(&mut input, max_bytes)? else {
        return Ok(None);
    };
    if request.path.len() + request.query.len() + 1 > max_bytes {
        return Err(too_large("query string", max_bytes));
    }
    input.buf.drain(..head_length);

    let (chunked, length) = body_framing(&request)?;
    if length.is_some_and(|n| n > max_bytes as u64) {
        return Err(too_large("request body", max_bytes));
    }
    let body_expected = chunked || length.is_some_and(|n| n > 0);
    if body_expected
        && input.buf.is_empty()
        && request
            .header("expect")
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("100-continue"))
    {
        let _ = input.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = input.stream.flush();
    }
    request.body = if chunked {
        read_chunked(&mut input, max_bytes).map_err(|reply| {
            if reply.status == 413 {
                too_large("request body", max_bytes)
            } else {
                reply
            }
        })?
    } else if let Some(length) = length {
        let length = length as usize;
        while input.buf.len() < length {
            input.fill_or_fail()?;
        }
        input.buf.truncate(length);
        std::mem::take(&mut input.buf)
    } else {
        Vec::new()
    };
    Ok(Some(request))
}

/// The 413 for a part of the request over the limit.
fn too_large(what: &str, max_bytes: usize) -> Reply {
    Reply::error(
        413,
        &format!("request too large: the {what} is over the server's limit of {max_bytes} bytes (--max-request-bytes)"),
    )
}

/// Reads until the request line and header are complete: their length in the buffer and the
/// request without body. `Ok(None)`: the connection closed (or stayed silent) before anything.
fn read_head<S: Read + Write>(
    input: &mut Input<'_, S>,
    max_bytes: usize,
) -> Result<Option<(usize, Request)>, Reply> {
    let head_limit = max_bytes.saturating_add(HEAD_SLACK);
    loop {
        if !input.buf.is_empty() {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut headers);
            match parsed.parse(&input.buf) {
                Ok(httparse::Status::Complete(length)) => {
                    return Ok(Some((length, head(&parsed)?)))
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(Reply::error(
                        431,
                        &format!("more than {MAX_HEADERS} header fields"),
                    ))
                }
                Err(e) => return Err(Reply::error(400, &format!("malformed HTTP request: {e}"))),
            }
        }
        if input.buf.len() > head_limit {
            return Err(too_large("request line and header", max_bytes));
        }
        let started = !input.buf.is_empty();
        match input.fill() {
            Ok(true) => {}
            Ok(false) if !started => return Ok(None),
            Err(reply) if !started && reply.status == 408 => return Ok(None),
            Ok(false) => {
                return Err(Reply::error(
                    400,
                    "the connection closed in the middle of the request",
                ))
            }
            Err(reply) => return Err(reply),
        }
    }
}

/// How the body is framed: chunked, or `Content-Length` bytes (`None`: no body).
fn body_framing(request: &Request) -> Result<(bool, Option<u64>), Reply> {
    let chunked = match request.header("transfer-encoding") {
        None => false,
        Some(coding) if coding.trim().eq_ignore_ascii_case("chunked") => true,
        Some(coding) => {
            return Err(Reply::error(
                501,
                &format!("Transfer-Encoding {coding} is not supported"),
            ))
        }
    };
    let length = match request.header("content-length") {
        _ if chunked => None,
        None => None,
        Some(value) => {
            let value = value.trim();
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Reply::error(400, &format!("bad Content-Length: {value}")));
            }
            Some(value.parse::<u64>().unwrap_or(u64::MAX))
        }
    };
    Ok((chunked, length))
}

/// The request line and header fields, as an owned [`Request`] without body.
fn head(parsed: &httparse::Request<'_, '_>) -> Result<Request, Reply> {
    let target = parsed.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = String::from_utf8(percent_decode(path.as_bytes(), false))
        .map_err(|_| Reply::error(400, "the request path is not valid UTF-8"))?;
    Ok(Request {
        method: parsed.method.unwrap_or("GET").to_ascii_uppercase(),
        path,
        query: query.to_string(),
        headers: parsed
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect(),
        body: Vec::new(),
    })
}

/// Decodes a `Transfer-Encoding: chunked` body of at most `max_bytes`.
fn read_chunked<S: Read>(input: &mut Input<'_, S>, max_bytes: usize) -> Result<Vec<u8>, Reply> {
    let malformed = || Reply::error(400, "malformed chunked request body");
    let mut body = Vec::new();
    loop {
        let (consumed, size) = loop {
            match httparse::parse_chunk_size(&input.buf) {
                Ok(httparse::Status::Complete(found)) => break found,
                Ok(httparse::Status::Partial) if input.buf.len() < 1024 => input.fill_or_fail()?,
                _ => return Err(malformed()),
            }
        };
        input.buf.drain(..consumed);
        if size == 0 {
            // Optional trailer fields, then the final empty line.
            loop {
                if input.buf.starts_with(b"\r\n") {
                    return Ok(body);
                }
                if let Some(end) = input.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    input.buf.drain(..end + 4);
                    return Ok(body);
                }
                if input.buf.len() > HEAD_SLACK {
                    return Err(malformed());
                }
                input.fill_or_fail()?;
            }
        }
        if size > (max_bytes - body.len()) as u64 {
            return Err(Reply::error(413, "request body too large"));
        }
        let size = size as usize;
        while input.buf.len() < size + 2 {
            input.fill_or_fail()?;
        }
        if &input.buf[size..size + 2] != b"\r\n" {
            return Err(malformed());
        }
        body.extend_from_slice(&input.buf[..size]);
        input.buf.drain(..size + 2);
    }
}

/// Decodes `application/x-www-form-urlencoded` data (also used for URL query strings).
pub(crate) fn parse_form(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for part in data.split(|b| *b == b'&') {
        if part.is_empty() {
            continue;
        }
        let (name, value) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &[][..]),
        };
        let decode = |bytes: &[u8]| {
            String::from_utf8(percent_decode(bytes, true))
                .map_err(|_| "a parameter is not valid UTF-8 once decoded".to_string())
        };
        pairs.push((decode(name)?, decode(value)?));
    }
    Ok(pairs)
}

/// Percent-decoding; `+` means a space in form data. Malformed escapes are kept as they are.
fn percent_decode(input: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%' {
            if let (Some(high), Some(low)) = (hex(input.get(i + 1)), hex(input.get(i + 2))) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    out
}

/// One entry of an `Accept` header: media range, quality, and position (ties keep header order).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MediaRange {
    pub media_type: String,
    pub quality: f32,
}

/// Parses an `Accept` header into media ranges, best first, dropping `q=0` ones.
pub(crate) fn parse_accept(header: &str) -> Vec<MediaRange> {
    let mut ranges: Vec<MediaRange> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let media_type = parts.next()?.trim().to_ascii_lowercase();
            if media_type.is_empty() {
                return None;
            }
            let mut quality = 1.0f32;
            for param in parts {
                if let Some((k, v)) = param.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        quality = v.trim().parse().unwrap_or(1.0);
                    }
                }
            }
            (quality > 0.0).then_some(MediaRange {
                media_type,
                quality,
            })
        })
        .collect();
    // Stable: equal qualities keep the client's order.
    ranges.sort_by(|a, b| b.quality.total_cmp(&a.quality));
    ranges
}

/// A connection whose input is given and whose output is kept (tests and the fuzz target).
struct Pipe {
    input: io::Cursor<Vec<u8>>,
    output: Vec<u8>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The request size limit of the fuzz target: small, so that fuzzed inputs reach the refusals.
const FUZZ_MAX_BYTES: usize = 4096;

/// The body of the `http` fuzz target (tools/fuzz): one request read from `data` as from a
/// connection, then the decoders the routes apply to it (query string, form body, media type,
/// `Accept`). A request that is refused must be refused with a 4xx reply (501 for a framing it
/// does not implement) that can be written.
pub(crate) fn fuzz_request(data: &[u8]) {
    let mut pipe = Pipe {
        input: io::Cursor::new(data.to_vec()),
        output: Vec::new(),
    };
    let far = Instant::now() + std::time::Duration::from_secs(60);
    match read_request(&mut pipe, FUZZ_MAX_BYTES, far) {
        Ok(Some(request)) => {
            let _ = request.query_params();
            let _ = request.content_type();
            if let Some(accept) = request.header("accept") {
                let _ = parse_accept(accept);
            }
            let _ = parse_form(&request.body);
        }
        Ok(None) => {}
        Err(reply) => {
            assert!(
                (400..500).contains(&reply.status) || reply.status == 501,
                "a request refused with {}",
                reply.status
            );
            let mut out = Vec::new();
            let written = reply.write_to(&mut out, false);
            assert!(
                written.is_ok() && out.starts_with(format!("HTTP/1.1 {}", reply.status).as_bytes())
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &[u8], max: usize) -> (Result<Option<Request>, u16>, String) {
        let mut pipe = Pipe {
            input: io::Cursor::new(raw.to_vec()),
            output: Vec::new(),
        };
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let result = read_request(&mut pipe, max, far).map_err(|r| r.status);
        (result, String::from_utf8(pipe.output).unwrap())
    }

    #[test]
    fn reads_a_get() {
        let (request, _) = read(
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n",
            100,
        );
        let request = request.unwrap().unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/sparql");
        assert_eq!(request.query, "query=ASK%7B%7D");
        assert_eq!(request.header("ACCEPT"), Some("text/csv"));
        assert!(request.body.is_empty());
    }

    #[test]
    fn reads_bodies_by_length_and_chunked() {
        let (request, _) = read(
            b"POST /sparql HTTP/1.1\r\nContent-Length: 6\r\n\r\nASK {}extra",
            100,
        );
        assert_eq!(request.unwrap().unwrap().body, b"ASK {}");
        let chunked = b"POST /sparql HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nASK\r\n3;x=y\r\n {}\r\n0\r\nTrailer: t\r\n\r\n";
        let (request, _) = read(chunked, 100);
        assert_eq!(request.unwrap().unwrap().body, b"ASK {}");
    }

    #[test]
    fn answers_expect_continue() {
        let (request, output) = read(
            b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
            100,
        );
        assert_eq!(request.unwrap_err(), 400); // the body never came
        assert_eq!(output, "HTTP/1.1 100 Continue\r\n\r\n");
        let (request, output) = read(
            b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 200\r\n\r\n",
            100,
        );
        assert_eq!(request.unwrap_err(), 413);
        assert!(
            output.is_empty(),
            "no 100 Continue for a body that is refused"
        );
    }

    #[test]
    fn refuses_what_is_too_large_before_reading_it() {
        let huge = b"POST /sparql HTTP/1.1\r\nContent-Length: 100000000000000000\r\n\r\n";
        assert_eq!(read(huge, 100).0.unwrap_err(), 413);
        let overflow =
            b"POST /sparql HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n";
        assert_eq!(read(overflow, 100).0.unwrap_err(), 413);
        let long_target = format!("GET /sparql?query={} HTTP/1.1\r\n\r\n", "x".repeat(200));
        assert_eq!(read(long_target.as_bytes(), 100).0.unwrap_err(), 413);
        let endless_head = format!("GET / HTTP/1.1\r\nX: {}", "y".repeat(HEAD_SLACK + 200));
        assert_eq!(read(endless_head.as_bytes(), 100).0.unwrap_err(), 413);
        let big_chunk = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n";
        assert_eq!(read(big_chunk, 100).0.unwrap_err(), 413);
    }

    #[test]
    fn refuses_malformed_requests() {
        assert_eq!(read(b"GARBAGE\r\n\r\n", 100).0.unwrap_err(), 400);
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 100)
                .0
                .unwrap_err(),
            400
        );
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 100)
                .0
                .unwrap_err(),
            501
        );
        let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
        let request = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(read(request.as_bytes(), 100).0.unwrap_err(), 431);
        // A connection closed before any byte is no request at all.
        assert!(read(b"", 100).0.unwrap().is_none());
    }

    #[test]
    fn writes_a_closing_response() {
        let mut out = Vec::new();
        Reply::error(404, "no such page: /x")
            .with_header("Allow", "GET\r\nX-Injected: 1")
            .write_to(&mut out, false)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(text.contains("Content-Length: 17\r\n") && text.contains("Connection: close\r\n"));
        assert!(!text.contains("\r\nX-Injected"), "{text}");
        assert!(text.ends_with("\r\n\r\nno such page: /x\n"));
        let mut head = Vec::new();
        Reply::bytes(200, "text/plain", b"body".to_vec())
            .write_to(&mut head, true)
            .unwrap();
        assert!(String::from_utf8(head)
            .unwrap()
            .ends_with("Content-Length: 4\r\nConnection: close\r\n\r\n"));
    }

    #[test]
    fn form_decoding() {
        let pairs =
            parse_form(b"query=SELECT+%3Fs+WHERE+%7B%7D&x=%E5%B8%82&flag&bad=%zz%4").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("query".into(), "SELECT ?s WHERE {}".into()),
                ("x".into(), "市".into()),
                ("flag".into(), String::new()),
                ("bad".into(), "%zz%4".into()),
            ]
        );
        assert!(parse_form(b"q=%FF").is_err());
    }

    #[test]
    fn path_decoding_keeps_plus() {
        assert_eq!(percent_decode(b"/a+b%20c", false), b"/a+b c");
    }

    #[test]
    fn accept_parsing_orders_by_quality() {
        let ranges = parse_accept("text/html, application/xml;q=0.9, */*;q=0.8, text/csv;q=0");
        let types: Vec<&str> = ranges.iter().map(|r| r.media_type.as_str()).collect();
        assert_eq!(types, vec!["text/html", "application/xml", "*/*"]);
    }
}
