//! Errors of the server ([`ServeError`], which stop it) and of one request ([`ApiError`], a JSON
//! answer the upload page shows as it is).

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The site or its config cannot be used, or the first build failed.
    #[error(transparent)]
    Site(#[from] crate::Error),
    /// The address cannot be bound (in use, not local, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory cannot be watched for changes.
    #[error("cannot watch {}: {source}", path.display())]
    Watch {
        /// The directory.
        path: PathBuf,
        /// The watcher's error.
        source: notify::Error,
    },
    /// The preview area cannot be created or read.
    #[error("preview area {}: {source}", path.display())]
    Previews {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The operating system's random source failed (needed for the anti-CSRF token).
    #[error("no secure random numbers for the anti-CSRF token: {0}")]
    Random(String),
    /// The async runtime or its thread could not be started.
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
    /// Accepting connections failed.
    #[error("server error: {0}")]
    Serve(std::io::Error),
    /// The server thread panicked.
    #[error("the server thread panicked")]
    Panicked,
    /// `--proxy` is not a loopback `http://` origin.
    #[error("--proxy {url}: {reason}")]
    Proxy {
        /// The URL as given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
}

impl ServeError {
    /// Exit code: 2 for a bad config, 1 for the rest (see the contract).
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Site(error) => error.exit_code(),
            Self::Proxy { .. } => 2,
            _ => 1,
        }
    }
}

/// A request the server refuses or cannot complete, answered as
/// `{"error": "<message>", "code": "<code>"}` with a matching status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ApiError {
    #[serde(skip)]
    pub(crate) status: StatusCode,
    /// Stable machine-readable reason, e.g. `too_large`.
    pub(crate) code: &'static str,
    /// A sentence for the person at the upload page.
    pub(crate) error: String,
    /// Existing upload files when `code` is `exists`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) existing: Vec<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, error: impl Into<String>) -> Self {
        Self {
            status,
            code,
            error: error.into(),
            existing: Vec::new(),
        }
    }

    pub(crate) fn bad_request(code: &'static str, error: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, error)
    }

    pub(crate) fn forbidden(code: &'static str, error: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, error)
    }

    pub(crate) fn too_large(limit: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is larger than the upload limit of {} ([serve] max_upload_bytes)",
                human_bytes(limit)
            ),
        )
    }

    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the server failed: {error}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(&self)).into_response()
    }
}

/// `5.00 MiB`, `300.00 KiB`, `12 B` ([`indicatif::HumanBytes`]).
pub(crate) fn human_bytes(bytes: u64) -> String {
    indicatif::HumanBytes(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.00 MiB");
        assert_eq!(human_bytes(1024 * 1024 + 512 * 1024), "1.50 MiB");
        assert_eq!(human_bytes(300 * 1024), "300.00 KiB");
        assert_eq!(human_bytes(1000), "1000 B");
    }

    #[test]
    fn errors_carry_status_and_code() {
        let error = ApiError::too_large(1024);
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(error.error.contains("1.00 KiB"), "{}", error.error);
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "too_large");
        assert!(json.get("existing").is_none());
    }
}
