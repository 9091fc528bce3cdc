//! The loopback avatar service both tools fetch from: Gravatar, QQ, Libravatar, GitHub and
//! plain image URLs on one testkit server, every answer (404s included) after the same latency.
//!
//! Routes: `/avatar/<md5>` (Gravatar), `/qq?b=qq&nk=<n>&s=<size>`, `/lib/avatar/<md5>`,
//! `/gh/<login>.png`, `/img/<i>.jpg`. Images are "photo-like" JPEGs (smooth shapes plus noise,
//! so they decode like real portraits, not like flat test cards) at the sizes the real services
//! send: 160 px from Gravatar (the size asked for), 640 px from QQ, 400 px for content URLs.
//! Encoding a fresh JPEG per request would put the server's CPU into the measurement, so each
//! size has a pool of pre-encoded pictures, and every identity still gets distinct bytes: a
//! JPEG comment segment carrying its number. Both tools therefore decode and resize once per
//! identity, as they would for real commenters.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use blog_avatars::testkit::{Request, Response, TestServer};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use rayon::prelude::*;

use crate::corpus::{self, Kind, Shape};

/// Side and pool size of each kind of picture.
const GRAVATAR: (u32, usize) = (160, 256);
const QQ: (u32, usize) = (640, 48);
const URL: (u32, usize) = (400, 96);
const UPLOAD: (u32, usize) = (256, 96);

/// Pre-encoded pictures of one size.
pub struct Pool {
    pictures: Vec<Vec<u8>>,
}

impl Pool {
    fn generate(side: u32, count: usize, salt: u64) -> Self {
        let pictures = (0..count.max(1) as u64)
            .into_par_iter()
            .map(|n| photo_like_jpeg(side, salt.wrapping_mul(1_000_003) ^ n))
            .collect();
        Self { pictures }
    }

    /// The picture for identity `i`: a pool member with `i` in a JPEG comment (COM) segment
    /// right after the start-of-image marker, so no two identities share bytes.
    pub fn picture(&self, i: usize) -> Vec<u8> {
        let base = &self.pictures[i % self.pictures.len()];
        let note = format!("identity {i}");
        let length = u16::try_from(note.len() + 2).expect("short comment");
        let mut out = Vec::with_capacity(base.len() + note.len() + 4);
        out.extend_from_slice(&base[..2]);
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(note.as_bytes());
        out.extend_from_slice(&base[2..]);
        out
    }
}

/// Every picture the benchmark serves or writes.
pub struct Pictures {
    /// Gravatar answers.
    pub gravatar: Pool,
    /// QQ answers.
    pub qq: Pool,
    /// Content URL answers.
    pub url: Pool,
    /// Uploaded files.
    pub upload: Pool,
}

impl Pictures {
    /// Encodes the pools (sized down for small corpora).
    pub fn generate(shape: &Shape) -> Self {
        let pool = |(side, cap): (u32, usize), kinds: &[Kind], salt| {
            let wanted: usize = kinds.iter().map(|&k| shape.count(k)).sum();
            Pool::generate(side, wanted.min(cap), salt)
        };
        Self {
            gravatar: pool(GRAVATAR, &[Kind::Gravatar], 1),
            qq: pool(QQ, &[Kind::GravatarThenQq, Kind::QqOnly], 2),
            url: pool(URL, &[Kind::Url], 3),
            upload: pool(UPLOAD, &[Kind::Upload], 4),
        }
    }
}

/// When the first and the last request of a run arrived: where a tool's time goes besides the
/// network (start-up before the first request, work after the last answer).
pub struct Timeline {
    base: Instant,
    /// Nanoseconds after `base`; `u64::MAX` before any request.
    first: AtomicU64,
    last: AtomicU64,
    /// Every arrival since `reset`, when tracing.
    arrivals: Option<std::sync::Mutex<Vec<u64>>>,
}

impl Timeline {
    fn new(trace: bool) -> Self {
        Self {
            base: Instant::now(),
            first: AtomicU64::new(u64::MAX),
            last: AtomicU64::new(0),
            arrivals: trace.then(Default::default),
        }
    }

    fn record(&self) {
        let now = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.first.fetch_min(now, Ordering::Relaxed);
        self.last.fetch_max(now, Ordering::Relaxed);
        if let Some(arrivals) = &self.arrivals {
            arrivals.lock().unwrap_or_else(|e| e.into_inner()).push(now);
        }
    }

    /// Arrivals since `reset`, in seconds after `since` (empty unless tracing).
    pub fn arrivals(&self, since: Instant) -> Vec<f64> {
        let Some(arrivals) = &self.arrivals else {
            return Vec::new();
        };
        let offset = since.saturating_duration_since(self.base).as_secs_f64();
        let mut list: Vec<f64> = arrivals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|&ns| ns as f64 / 1e9 - offset)
            .collect();
        list.sort_by(f64::total_cmp);
        list
    }

    /// Forgets earlier runs.
    pub fn reset(&self) {
        self.first.store(u64::MAX, Ordering::Relaxed);
        self.last.store(0, Ordering::Relaxed);
        if let Some(arrivals) = &self.arrivals {
            arrivals.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// Arrival of the first and the last request since `reset`, if any.
    pub fn span(&self) -> Option<(Instant, Instant)> {
        let first = self.first.load(Ordering::Relaxed);
        let last = self.last.load(Ordering::Relaxed);
        (first != u64::MAX).then(|| {
            (
                self.base + Duration::from_nanos(first),
                self.base + Duration::from_nanos(last),
            )
        })
    }
}

/// Starts the service. `latency` delays every answer; `trace` keeps every arrival time.
pub fn start(
    shape: &Shape,
    pictures: Arc<Pictures>,
    latency: Duration,
    trace: bool,
) -> (TestServer, Arc<Timeline>) {
    let gravatar: HashMap<String, usize> = (0..shape.identities)
        .filter(|&i| corpus::kind(shape.mix, i) == Kind::Gravatar)
        .filter_map(|i| Some((corpus::gravatar_md5(&corpus::email(shape.mix, i)?), i)))
        .collect();
    let shape = *shape;
    let timeline = Arc::new(Timeline::new(trace));
    let recorder = timeline.clone();
    let server = TestServer::start(move |request| {
        recorder.record();
        answer(request, &gravatar, &pictures, &shape).delay(latency)
    });
    (server, timeline)
}

fn answer(
    request: &Request,
    gravatar: &HashMap<String, usize>,
    pictures: &Pictures,
    shape: &Shape,
) -> Response {
    let identities = shape.identities;
    let (route, query) = request
        .path
        .split_once('?')
        .unwrap_or((request.path.as_str(), ""));
    let jpeg = |bytes: Vec<u8>| Response::ok(bytes).header("Content-Type", "image/jpeg");
    if let Some(hash) = route.strip_prefix("/avatar/") {
        return match gravatar.get(hash) {
            Some(&i) => jpeg(pictures.gravatar.picture(i)),
            None => Response::status(404),
        };
    }
    if route == "/qq" {
        let number = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("nk="))
            .and_then(|n| n.parse().ok())
            .and_then(corpus::qq_index)
            .filter(|&i| i < identities);
        return match number.map(|i| (i, corpus::kind(shape.mix, i))) {
            Some((i, Kind::GravatarThenQq | Kind::QqOnly)) => jpeg(pictures.qq.picture(i)),
            _ => Response::status(404),
        };
    }
    if let Some(name) = route.strip_prefix("/img/") {
        let index = name
            .strip_suffix(".jpg")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&i| i < identities && corpus::kind(shape.mix, i) == Kind::Url);
        return match index {
            Some(i) => jpeg(pictures.url.picture(i)),
            None => Response::status(404),
        };
    }
    // Libravatar, GitHub and anything else: nobody here.
    Response::status(404)
}

/// A deterministic "photo": a face-like disc on a gradient plus sensor-like noise, so the JPEG
/// has as many non-zero coefficients as a real portrait.
pub fn photo_like_jpeg(side: u32, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 17) as f32 - 8.0
    };
    let hue = (seed % 97) as f32 / 97.0;
    let image = RgbImage::from_fn(side, side, |x, y| {
        let (fx, fy) = (x as f32 / side as f32, y as f32 / side as f32);
        let face = ((fx - 0.5).powi(2) + (fy - 0.45).powi(2)).sqrt() < 0.28;
        let base = if face {
            [224.0, 172.0 - 40.0 * hue, 140.0]
        } else {
            [
                60.0 + 120.0 * fy,
                90.0 + 60.0 * (fx * 9.0 + hue * 6.0).sin(),
                100.0 + 120.0 * hue,
            ]
        };
        image::Rgb(base.map(|c| (c + noise()).clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(image.as_raw(), side, side, ExtendedColorType::Rgb8)
        .expect("encode a JPEG in memory");
    out
}
