//! [`Body`]: an image's bytes, held in memory or read on first use, with the key the rendered
//! cache knows it by.
//!
//! A warm build must not read or hash a picture it has rendered before. A body that is a blob of
//! the download cache already has its SHA-256: the blob's file name. A generated identicon has
//! one too: the SHA-256 of what it is drawn from. So the image stage looks the rendered cache up
//! by [`Body::key`] and only calls [`Body::bytes`] on a miss: the blob is read (and checked
//! against its name, so a damaged blob never reaches the rendered cache) or the identicon drawn
//! then, once.
//!
//! A generated image also hands its pixels straight to the image stage ([`Body::drawing`]): a
//! PNG encoded only to be decoded again at once would cost a deflate and an inflate per identity.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use image::RgbImage;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use md5::Md5;
use sha2::{Digest, Sha256};

/// The bytes of an image, and the rendered cache's key for them. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Body(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// SHA-256 of the bytes, or of what a generated image is drawn from.
    key: OnceLock<[u8; 32]>,
    /// MD5 of the bytes, when the cache recorded it (QQ's placeholder check needs no read then).
    md5: OnceLock<[u8; 16]>,
    bytes: OnceLock<Result<Arc<[u8]>, String>>,
    source: Source,
}

#[derive(Default)]
enum Source {
    /// Given whole.
    #[default]
    Memory,
    /// A download cache blob, named by the SHA-256 of its bytes.
    Blob(PathBuf),
    /// Drawn on first use.
    Generated(Box<dyn Fn() -> RgbImage + Send + Sync>),
}

impl Body {
    /// A body in memory; its key is computed when first asked for.
    pub fn from_bytes(bytes: impl Into<Arc<[u8]>>) -> Self {
        let inner = Inner::default();
        let _ = inner.bytes.set(Ok(bytes.into()));
        Self(Arc::new(inner))
    }

    /// Bytes just downloaded and stored, with their SHA-256 and MD5.
    pub(crate) fn known(bytes: Vec<u8>, sha256: [u8; 32], md5: [u8; 16]) -> Self {
        let inner = Inner::default();
        let _ = inner.bytes.set(Ok(Arc::from(bytes)));
        let _ = inner.key.set(sha256);
        let _ = inner.md5.set(md5);
        Self(Arc::new(inner))
    }

    /// The blob at `path`, whose SHA-256 is `sha256` (its name); `md5` when the cache recorded
    /// it. Nothing is read until [`Body::bytes`].
    pub(crate) fn blob(path: PathBuf, sha256: [u8; 32], md5: Option<[u8; 16]>) -> Self {
        let inner = Inner {
            source: Source::Blob(path),
            ..Inner::default()
        };
        let _ = inner.key.set(sha256);
        if let Some(md5) = md5 {
            let _ = inner.md5.set(md5);
        }
        Self(Arc::new(inner))
    }

    /// An image `draw` makes on first use; `key` must identify what it draws (e.g. the SHA-256
    /// of its inputs under a prefix of its own, so it never equals a content hash). Its bytes
    /// are the drawing as an RGB PNG; [`Body::drawing`] gives the pixels without one.
    pub fn generated(key: [u8; 32], draw: impl Fn() -> RgbImage + Send + Sync + 'static) -> Self {
        let inner = Inner {
            source: Source::Generated(Box::new(draw)),
            ..Inner::default()
        };
        let _ = inner.key.set(key);
        Self(Arc::new(inner))
    }

    /// The bytes: read or drawn on the first call. A blob that is gone or no longer matches its
    /// name is an error naming it.
    pub fn bytes(&self) -> Result<&Arc<[u8]>, &str> {
        self.0
            .bytes
            .get_or_init(|| match &self.0.source {
                Source::Memory => Ok(Arc::from(Vec::new())),
                Source::Generated(draw) => Ok(Arc::from(png(&draw()))),
                Source::Blob(path) => read_blob(path, self.0.key.get()),
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// A generated image's pixels, drawn afresh on each call (once per render: a rendered
    /// cache hit asks for none); `None` for bytes given or downloaded. The same pixels a decode
    /// of [`Body::bytes`] gives.
    pub fn drawing(&self) -> Option<RgbImage> {
        match &self.0.source {
            Source::Generated(draw) => Some(draw()),
            Source::Memory | Source::Blob(_) => None,
        }
    }

    /// The rendered cache's key: a blob's name or a generated image's key without reading
    /// anything, else the SHA-256 of the bytes.
    pub fn key(&self) -> [u8; 32] {
        *self.0.key.get_or_init(|| match self.bytes() {
            Ok(bytes) => Sha256::digest(bytes).into(),
            Err(_) => [0; 32],
        })
    }

    /// MD5 of the bytes: recorded by the cache, else computed (reading the bytes).
    pub fn md5(&self) -> [u8; 16] {
        *self.0.md5.get_or_init(|| match self.bytes() {
            Ok(bytes) => Md5::digest(bytes).into(),
            Err(_) => [0; 16],
        })
    }

    /// The MD5 if known without reading.
    pub(crate) fn known_md5(&self) -> Option<[u8; 16]> {
        self.0.md5.get().copied()
    }

    /// Whether the bytes are in memory (given, or read already).
    pub fn is_loaded(&self) -> bool {
        self.0.bytes.get().is_some()
    }
}

/// `image` as an RGB PNG at the encoder's default settings.
fn png(image: &RgbImage) -> Vec<u8> {
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        // Only a size over PNG's 2^31 limit or a failing writer could fail; a Vec never fails
        // and generated images are small (identicons are clamped to 4096 px).
        .expect("encoding a generated image as PNG in memory cannot fail");
    png
}

fn read_blob(path: &std::path::Path, sha256: Option<&[u8; 32]>) -> Result<Arc<[u8]>, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cached download {}: {e}", path.display()))?;
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    if sha256.is_some_and(|want| *want != digest) {
        return Err(format!(
            "cached download {} does not match its name (damaged)",
            path.display()
        ));
    }
    Ok(Arc::from(bytes))
}

/// The bytes, read on first use; empty when they cannot be read (then they do not decode, and
/// [`Body::bytes`] says why).
impl std::ops::Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes().map_or(&[], |b| b)
    }
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Self::from_bytes(bytes)
    }
}

impl From<Arc<[u8]>> for Body {
    fn from(bytes: Arc<[u8]>) -> Self {
        Self::from_bytes(bytes)
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.bytes.get() {
            Some(Ok(bytes)) => write!(f, "Body({} bytes)", bytes.len()),
            Some(Err(error)) => write!(f, "Body(unreadable: {error})"),
            None => write!(f, "Body(not read, key {})", hex::encode(&self.key()[..8])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_keyed_by_its_name_and_read_only_when_asked() {
        let temp = tempfile::tempdir().unwrap();
        let digest: [u8; 32] = Sha256::digest(b"picture").into();
        let path = temp.path().join(hex::encode(digest));
        let body = Body::blob(path.clone(), digest, None);
        // Nothing on disk yet: the key needs no read.
        assert_eq!(body.key(), digest);
        assert!(!body.is_loaded());
        std::fs::write(&path, b"picture").unwrap();
        assert_eq!(&body.bytes().unwrap()[..], b"picture");
        assert_eq!(body.md5(), <[u8; 16]>::from(Md5::digest(b"picture")));
    }

    #[test]
    fn a_blob_that_does_not_match_its_name_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        let digest: [u8; 32] = Sha256::digest(b"picture").into();
        let path = temp.path().join(hex::encode(digest));
        std::fs::write(&path, b"tampered").unwrap();
        let body = Body::blob(path, digest, None);
        let error = body.bytes().unwrap_err();
        assert!(error.contains("does not match its name"), "{error}");
        assert!(body.is_empty(), "an unreadable body derefs to nothing");
        let gone = Body::blob(temp.path().join("gone"), digest, None);
        assert!(gone.bytes().unwrap_err().contains("gone"));
    }

    #[test]
    fn generated_bodies_are_drawn_once_on_demand() {
        let draws = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = draws.clone();
        let body = Body::generated([7; 32], move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            RgbImage::from_pixel(3, 2, image::Rgb([1, 2, 3]))
        });
        assert_eq!(body.key(), [7; 32]);
        assert_eq!(draws.load(std::sync::atomic::Ordering::Relaxed), 0);
        let decoded = image::load_from_memory(&body).unwrap().to_rgb8();
        assert_eq!(decoded, RgbImage::from_pixel(3, 2, image::Rgb([1, 2, 3])));
        assert_eq!(&*body.clone(), &*body);
        assert_eq!(draws.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(body.drawing(), Some(decoded), "the pixels, without a PNG");
        assert_eq!(Body::from(b"abc".to_vec()).drawing(), None);
        let plain = Body::from(b"abc".to_vec());
        assert_eq!(plain.key(), <[u8; 32]>::from(Sha256::digest(b"abc")));
    }
}
