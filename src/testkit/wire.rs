//! The HTTP/1.1 wire format of the test server: reading a request head, writing an answer (or
//! the fault it asks for).

use std::io::{self, BufRead, BufWriter, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;

use super::{Fault, Request, Response, Shared};

/// Reads one request head (and discards any body); `None` at end of stream.
pub(super) fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let (method, path) = (method.to_owned(), path.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let request = Request {
        method,
        path,
        headers,
    };
    let length: u64 = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    io::copy(&mut reader.take(length), &mut io::sink())?;
    Ok(Some(request))
}

/// Writes the answer; `false` when the connection must not be reused.
pub(super) fn write_response(
    stream: &mut TcpStream,
    request: &Request,
    response: &Response,
    close: bool,
    shared: &Shared,
) -> io::Result<bool> {
    if response.fault == Some(Fault::HangUp) {
        stream.shutdown(Shutdown::Both)?;
        return Ok(false);
    }
    let no_body = matches!(response.status, 100..=199 | 204 | 304);
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let has_length = response
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    if !no_body && !has_length {
        head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let body: &[u8] = if no_body || request.method == "HEAD" {
        &[]
    } else {
        &response.body
    };
    let mut out = BufWriter::new(&mut *stream);
    out.write_all(head.as_bytes())?;
    match response.fault {
        Some(Fault::Truncate) => {
            out.write_all(&body[..body.len() / 2])?;
            out.flush()?;
            drop(out);
            stream.shutdown(Shutdown::Both)?;
            Ok(false)
        }
        Some(Fault::Drip(pause)) => {
            out.flush()?;
            for byte in body {
                if shared.stop.load(Ordering::SeqCst) {
                    return Ok(false);
                }
                out.write_all(std::slice::from_ref(byte))?;
                out.flush()?;
                std::thread::sleep(pause);
            }
            Ok(true)
        }
        _ => {
            out.write_all(body)?;
            out.flush()?;
            Ok(true)
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
