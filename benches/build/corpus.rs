//! The generated corpus: who comments, what each provider has for them, and the site files.
//!
//! Identity `i` gets a kind from a fixed 20-slot pattern, so every corpus size has the same mix:
//! 40 % Gravatar found, 15 % Gravatar 404 then QQ (a `<qq>@qq.com` address), 10 % QQ only,
//! 10 % local uploads, 10 % explicit avatar URLs, 15 % nobody has an avatar (the default).
//! Comment `j` is written by identity `j % identities`, so every identity comments at least once
//! when there are at least as many comments as identities, on a post picked by a hash of `j`:
//! each post gets a mix of kinds (a plain `j % posts` would give every commenter of a post the
//! same kind whenever the post count is a multiple of the pattern's length).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use md5::{Digest, Md5};
use serde::Serialize;

/// Where the avatar of an identity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Gravatar has it.
    Gravatar,
    /// Gravatar answers 404; the address is `<qq>@qq.com` and QQ has it.
    GravatarThenQq,
    /// Only a QQ number, and QQ has it.
    QqOnly,
    /// An uploaded file in the site's uploads directory.
    Upload,
    /// An explicit `avatar` URL.
    Url,
    /// Nobody has an avatar: the generated default.
    Default,
}

/// The 20-slot pattern behind the mix above.
const PATTERN: [Kind; 20] = {
    use Kind::*;
    [
        Gravatar,
        GravatarThenQq,
        QqOnly,
        Upload,
        Url,
        Default,
        Gravatar,
        GravatarThenQq,
        Gravatar,
        Default,
        Gravatar,
        QqOnly,
        Upload,
        Gravatar,
        Url,
        GravatarThenQq,
        Gravatar,
        Default,
        Gravatar,
        Gravatar,
    ]
};

/// QQ numbers are this plus the identity index: 8 digits, no leading zero.
const QQ_BASE: u64 = 10_000_000;

/// Which commenters have an avatar where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// The 20-slot pattern above: every provider and source kind.
    Standard,
    /// Issue #16's corpus: one commenter in ten has a Gravatar, the rest get the default.
    GravatarOrDefault,
}

/// Kind of identity `i` under `mix`.
pub fn kind(mix: Mix, i: usize) -> Kind {
    match mix {
        Mix::Standard => PATTERN[i % PATTERN.len()],
        Mix::GravatarOrDefault if i.is_multiple_of(10) => Kind::Gravatar,
        Mix::GravatarOrDefault => Kind::Default,
    }
}

/// The QQ number of identity `i`.
pub fn qq_number(i: usize) -> u64 {
    QQ_BASE + i as u64
}

/// The identity index behind a QQ number, if it is one of ours.
pub fn qq_index(number: u64) -> Option<usize> {
    number.checked_sub(QQ_BASE).map(|i| i as usize)
}

/// The email address of identity `i`, for the kinds that have one.
pub fn email(mix: Mix, i: usize) -> Option<String> {
    match kind(mix, i) {
        Kind::Gravatar => Some(format!("user{i}@example.com")),
        Kind::GravatarThenQq => Some(format!("{}@qq.com", qq_number(i))),
        Kind::Upload => Some(format!("upload{i}@example.com")),
        Kind::Default => Some(format!("nobody{i}@example.com")),
        Kind::QqOnly | Kind::Url => None,
    }
}

/// MD5 hex of an email as Gravatar wants it.
pub fn gravatar_md5(email: &str) -> String {
    hex::encode(Md5::digest(email.trim().to_lowercase().as_bytes()))
}

/// Corpus dimensions.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Posts.
    pub posts: usize,
    /// Comments, spread over the posts.
    pub comments: usize,
    /// Distinct commenters.
    pub identities: usize,
    /// Who has an avatar where.
    pub mix: Mix,
}

impl Shape {
    /// Identities of each kind.
    pub fn count(&self, wanted: Kind) -> usize {
        (0..self.identities.min(self.comments))
            .filter(|&i| kind(self.mix, i) == wanted)
            .count()
    }
}

/// One comment as Staticman writes it.
#[derive(Serialize)]
struct Comment {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    avatar: Option<String>,
    date: String,
    message: String,
}

#[derive(Serialize)]
struct CommentFile {
    comments: Vec<Comment>,
}

fn comment(j: usize, shape: &Shape, server: &str) -> Comment {
    let i = j % shape.identities.max(1);
    let kind = kind(shape.mix, i);
    Comment {
        name: format!("Commenter {i}"),
        email: email(shape.mix, i),
        qq: matches!(kind, Kind::QqOnly).then(|| qq_number(i)),
        avatar: matches!(kind, Kind::Url).then(|| format!("{server}/img/{i}.jpg")),
        date: format!("2024-{:02}-{:02}T12:00:00Z", 1 + j % 12, 1 + j % 28),
        message: format!("Comment number {j}. Thanks for the post, it helped a lot."),
    }
}

/// The post of comment `j`: SplitMix64 of `j`, modulo the post count.
fn post_of(j: usize, posts: usize) -> usize {
    let mut z = (j as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % posts as u64) as usize
}

/// Writes posts and comment data (`content/posts/post-<k>.md`,
/// `data/comments/post-<k>/comments.yml`) under `site`. `server` is the avatar server's origin.
pub fn write_posts_and_comments(site: &Path, shape: &Shape, server: &str) -> Result<()> {
    let posts_dir = site.join("content/posts");
    std::fs::create_dir_all(&posts_dir).context("create content/posts")?;
    let posts = shape.posts.max(1);
    let mut by_post: Vec<Vec<u32>> = vec![Vec::new(); posts];
    for j in 0..shape.comments {
        by_post[post_of(j, posts)].push(u32::try_from(j).context("too many comments")?);
    }
    for (k, mine) in by_post.iter().enumerate() {
        let mut text = String::new();
        writeln!(
            text,
            "---\ntitle: \"Post {k}\"\ndate: 2024-01-{:02}\n---\n",
            1 + k % 28
        )?;
        writeln!(
            text,
            "Post {k} body. It has some words and a list:\n\n- one\n- two"
        )?;
        std::fs::write(posts_dir.join(format!("post-{k}.md")), text)
            .with_context(|| format!("write post {k}"))?;
        let comments: Vec<Comment> = mine
            .iter()
            .map(|&j| comment(j as usize, shape, server))
            .collect();
        if comments.is_empty() {
            continue;
        }
        let dir = site.join(format!("data/comments/post-{k}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        let yaml = serde_saphyr::to_string(&CommentFile { comments })?;
        std::fs::write(dir.join("comments.yml"), yaml)
            .with_context(|| format!("write comments of post {k}"))?;
    }
    Ok(())
}

/// The uploads: `<dir>/<email>.jpg` for every upload identity that comments.
pub fn write_uploads(dir: &Path, shape: &Shape, image: impl Fn(usize) -> Vec<u8>) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    for i in 0..shape.identities.min(shape.comments) {
        if let (Kind::Upload, Some(email)) = (kind(shape.mix, i), email(shape.mix, i)) {
            std::fs::write(dir.join(format!("{email}.jpg")), image(i))
                .with_context(|| format!("write upload {email}"))?;
        }
    }
    Ok(())
}

/// `blog-avatars.toml` pointing every provider at the loopback server.
pub fn our_config(server: &str, concurrency: usize) -> String {
    format!(
        "[gravatar]\nbase_url = \"{server}/avatar/\"\n\
         [qq]\nbase_url = \"{server}/qq\"\n\
         [libravatar]\nbase_url = \"{server}/lib/avatar/\"\n\
         [github]\nbase_url = \"{server}/gh/\"\n\
         [url]\nallow_private = true\n\
         [http]\nconcurrency = {concurrency}\n"
    )
}
