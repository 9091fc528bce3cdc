//! The upload API behind `/_avatars/upload`:
//!
//! | route | what |
//! |---|---|
//! | `POST /_avatars/api/preview` | `file` → processed PNGs in the preview area, answered as URLs |
//! | `GET /_avatars/api/preview/{id}/{px}.png` | one of those PNGs |
//! | `POST /_avatars/api/save` | `identity`, `kind`, `overwrite`, and `file` or `preview` → `[local] dir`, rebuild |
//! | `POST /_avatars/api/discard` | `preview` → deleted (Cancel, leaving the page) |
//! | `GET /_avatars/api/status` | the latest build |
//!
//! Every POST passes [`Guard`](super::guard::Guard) before any side effect. Uploads are checked
//! against `[serve] max_upload_bytes` and decoded with the build's decoder and limits, so only
//! images the build can use are accepted.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use super::guard::{TOKEN_FIELD, check_host};
use super::preview::{MAX_RUNNING_PREVIEWS, MAX_WAITING_PREVIEWS};
use super::rebuild::BuildStatus;
use super::store::{self, UploadName};
use crate::model::OutputFormat;
use crate::process::{
    DecodeLimits, EncodeOptions, ProcessError, SourceFormat, decode_square, render, sniff,
};

/// Largest text field (identity, ids, token).
const MAX_TEXT_FIELD: usize = 4096;

/// A parsed form: text fields and the optional file.
struct Form {
    fields: HashMap<String, String>,
    file: Option<Bytes>,
}

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes"))
    }
}

/// Guard checks, the size limit, the form, then the token: nothing happens before all pass.
async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Form, ApiError> {
    state.guard.check_request(headers)?;
    let limit = state.max_upload_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit.saturating_add(super::FORM_OVERHEAD_BYTES)) {
        return Err(ApiError::too_large(limit));
    }
    let mut multipart = multipart.map_err(|rejection| {
        ApiError::bad_request(
            "bad_form",
            format!("expected a multipart form: {rejection}"),
        )
    })?;
    let mut form = Form {
        fields: HashMap::new(),
        file: None,
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| form_error(e, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let mut data = Vec::new();
        let cap = if name == "file" {
            usize::try_from(limit).unwrap_or(usize::MAX)
        } else {
            MAX_TEXT_FIELD
        };
        while let Some(chunk) = field.chunk().await.map_err(|e| form_error(e, limit))? {
            if data.len() + chunk.len() > cap {
                return Err(if name == "file" {
                    ApiError::too_large(limit)
                } else {
                    ApiError::bad_request("bad_form", format!("the `{name}` field is too long"))
                });
            }
            data.extend_from_slice(&chunk);
        }
        if name == "file" {
            form.file = Some(Bytes::from(data));
        } else {
            form.fields
                .insert(name, String::from_utf8_lossy(&data).into_owned());
        }
    }
    state.guard.check_token(headers, form.get(TOKEN_FIELD))?;
    Ok(form)
}

fn form_error(error: MultipartError, limit: u64) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large(limit)
    } else {
        ApiError::bad_request("bad_form", error.body_text())
    }
}

/// The uploaded file, checked to be a non-empty image the build decodes.
async fn checked_image(form: &Form) -> Result<(Bytes, crate::process::SquareImage), ApiError> {
    let bytes = form
        .file
        .clone()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| ApiError::bad_request("no_file", "choose an image file first"))?;
    let decoded = bytes.clone();
    let square =
        tokio::task::spawn_blocking(move || decode_square(&decoded, &DecodeLimits::default()))
            .await
            .map_err(ApiError::internal)?
            .map_err(not_an_image)?;
    Ok((bytes, square))
}

fn not_an_image(error: ProcessError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "not_an_image",
        format!("this file cannot be used as an avatar: {error}"),
    )
}

fn extension(bytes: &[u8]) -> &'static str {
    match sniff(bytes) {
        Some(SourceFormat::Jpeg) => "jpg",
        Some(SourceFormat::Gif) => "gif",
        Some(SourceFormat::Webp) => "webp",
        Some(SourceFormat::Png) | None => "png",
    }
}

/// One CSS size of a server-side preview.
#[derive(Debug, Serialize)]
struct PreviewSize {
    css: u32,
    #[serde(rename = "1x")]
    x1: String,
    #[serde(rename = "2x")]
    x2: String,
}

/// The answer to `POST /_avatars/api/preview`.
#[derive(Debug, Serialize)]
pub(crate) struct PreviewAnswer {
    id: String,
    width: u32,
    height: u32,
    side: u32,
    upscaled: bool,
    sizes: Vec<PreviewSize>,
    expires_in_s: u64,
}

pub(crate) async fn create_preview(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<PreviewAnswer>, ApiError> {
    state.guard.check_request(&headers)?;
    // Taken before the upload is read: the body and its decode are what costs memory.
    let _slot = state.previews.slot().await.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!(
                "the server is busy: {MAX_RUNNING_PREVIEWS} previews are being made and \
                 {MAX_WAITING_PREVIEWS} more wait; try again in a moment"
            ),
        )
    })?;
    let form = accept(&state, &headers, multipart).await?;
    let (bytes, square) = checked_image(&form).await?;
    let site = state.builder.site();
    let css_sizes = site.config.css_sizes();
    let pixel_sizes = crate::pipeline::pixel_sizes(&site.config);
    let (width, height) = square.source_size();
    let side = square.side();
    let previews = state.previews.clone();
    let id = tokio::task::spawn_blocking(move || {
        // PNG, not the site's format: the fallback path is for old browsers, which may lack WebP.
        let options = EncodeOptions {
            format: OutputFormat::Png,
            quality: 100,
        };
        let renditions = pixel_sizes
            .iter()
            .map(|&px| render(&square, px, &options).map(|r| (px, r.bytes)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::internal)?;
        previews
            .create(&bytes, extension(&bytes), &renditions)
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)??;
    let url = |px: u32| format!("/_avatars/api/preview/{id}/{px}.png");
    Ok(Json(PreviewAnswer {
        sizes: css_sizes
            .iter()
            .map(|&css| PreviewSize {
                css,
                x1: url(css),
                x2: url(css * 2),
            })
            .collect(),
        upscaled: side < site.config.largest_pixel_size(),
        id,
        width,
        height,
        side,
        expires_in_s: state.previews.ttl().as_secs(),
    }))
}

pub(crate) async fn preview_file(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    check_host(&headers)?;
    let gone = || ApiError::new(StatusCode::NOT_FOUND, "no_preview", "no such preview");
    let path = state.previews.file(&id, &file).ok_or_else(gone)?;
    let bytes = tokio::fs::read(&path).await.map_err(|_| gone())?;
    Ok((
        [(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")],
        bytes,
    )
        .into_response())
}

/// The answer to `POST /_avatars/api/discard`.
#[derive(Debug, Serialize)]
pub(crate) struct DiscardAnswer {
    discarded: bool,
}

pub(crate) async fn discard(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<DiscardAnswer>, ApiError> {
    let form = accept(&state, &headers, multipart).await?;
    let id = form.get("preview").unwrap_or_default().to_owned();
    let previews = state.previews.clone();
    let discarded = tokio::task::spawn_blocking(move || previews.discard(&id))
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(DiscardAnswer { discarded }))
}

/// The answer to `POST /_avatars/api/save`.
#[derive(Debug, Serialize)]
pub(crate) struct SaveAnswer {
    identity: String,
    kind: &'static str,
    saved: String,
    replaced: Vec<String>,
    build: BuildStatus,
    /// The identity's entry in the data file after the rebuild, when a post mentions it.
    avatar: Option<serde_json::Value>,
}

pub(crate) async fn save(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<SaveAnswer>, ApiError> {
    let form = accept(&state, &headers, multipart).await?;
    let name = store::upload_name(form.get("kind"), form.get("identity").unwrap_or_default())?;
    let preview_id = form
        .get("preview")
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let bytes = match &preview_id {
        Some(id) => {
            let previews = state.previews.clone();
            let id = id.clone();
            let source = tokio::task::spawn_blocking(move || previews.source(&id))
                .await
                .map_err(ApiError::internal)?;
            source.map(|(bytes, _)| Bytes::from(bytes)).ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "no_preview",
                    "the preview expired or was discarded; choose the file again",
                )
            })?
        }
        None => checked_image(&form).await?.0,
    };
    let site = state.builder.site();
    let (local_dir, root) = (site.local_dir(), site.layout.root.clone());
    let overwrite = form.flag("overwrite");
    let saved = {
        let name = name.clone();
        tokio::task::spawn_blocking(move || {
            // Never the uploaded bytes themselves: no EXIF (GPS), nothing after the image.
            let (clean, extension) = store::clean_copy(&bytes)?;
            store::save(&local_dir, &root, &name, &clean, extension, overwrite)
        })
        .await
        .map_err(ApiError::internal)??
    };
    if let Some(id) = preview_id {
        state.previews.discard(&id);
    }
    state.builder.note_own_writes(saved.touched.iter().cloned());
    state.log.line(format_args!("saved {}", saved.file));
    let ticket = state.builder.request();
    let build = state.builder.wait_for(ticket, state.shutdown.clone()).await;
    let avatar = published_entry(&state.builder.site().layout.data_file, &name).await;
    Ok(Json(SaveAnswer {
        identity: name.stem,
        kind: name.kind,
        saved: saved.file,
        replaced: saved.replaced,
        build,
        avatar,
    }))
}

/// The data file's entry for `name` (keys are identities as written in the content).
async fn published_entry(
    data_file: &std::path::Path,
    name: &UploadName,
) -> Option<serde_json::Value> {
    let text = tokio::fs::read(data_file).await.ok()?;
    let data: serde_json::Value = serde_json::from_slice(&text).ok()?;
    data.get("avatars")?
        .as_object()?
        .iter()
        .find(|(key, _)| key.trim().eq_ignore_ascii_case(&name.stem))
        .map(|(_, entry)| entry.clone())
}

/// The answer to `GET /_avatars/api/status`.
#[derive(Debug, Serialize)]
pub(crate) struct StatusAnswer {
    build: BuildStatus,
    preview_ttl_s: u64,
    max_upload_bytes: u64,
    /// Previews processed at once at most (more wait, or get 503).
    preview_slots: usize,
    /// The most previews processed at once so far.
    preview_peak: usize,
}

pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<StatusAnswer>, ApiError> {
    check_host(&headers)?;
    Ok(Json(StatusAnswer {
        build: state.builder.status(),
        preview_ttl_s: state.previews.ttl().as_secs(),
        max_upload_bytes: state.max_upload_bytes,
        preview_slots: MAX_RUNNING_PREVIEWS,
        preview_peak: state.previews.peak(),
    }))
}
