//! What a Hugo user does without us: the same corpus as a Hugo site whose template fetches each
//! commenter's avatar with `resources.GetRemote` and makes the two sizes with `.Fill`.
//!
//! The template follows the same chain as our defaults where Hugo can: an uploaded file in
//! `assets/avatars/`, the comment's `avatar` URL, Gravatar with `d=404`, QQ (from the `qq` field
//! or a `<digits>@qq.com` address), else a local default image. A 404 gives `nil`; an error
//! gives a resource whose `.Err` is set (Hugo before 0.141 has no `try`; Debian 12 ships 0.111).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::corpus::{self, Shape};
use crate::server::Pictures;

/// `hugo` on the PATH.
pub const HUGO: &str = "hugo";

const SINGLE: &str = r#"<!doctype html>
<title>{{ .Title }}</title>
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $gravatar := site.Params.gravatar }}
{{ $qqBase := site.Params.qq }}
{{ $comments := slice }}
{{ with index site.Data.comments .File.ContentBaseName }}{{ $comments = .comments.comments }}{{ end }}
{{ range $comments }}
  {{ $img := false }}
  {{ $email := lower (trim (string (.email | default "")) " ") }}
  {{ with $email }}{{ with resources.Get (printf "avatars/%s.jpg" .) }}{{ $img = . }}{{ end }}{{ end }}
  {{ if and (not $img) .avatar }}
    {{ with resources.GetRemote .avatar }}{{ if not .Err }}{{ $img = . }}{{ end }}{{ end }}
  {{ end }}
  {{ if and (not $img) $email }}
    {{ with resources.GetRemote (printf "%s%s?s=160&d=404" $gravatar (md5 $email)) }}{{ if not .Err }}{{ $img = . }}{{ end }}{{ end }}
  {{ end }}
  {{ $qq := string (.qq | default "") }}
  {{ if and (not $qq) (findRE `^[1-9][0-9]{4,10}@qq\.com$` $email) }}{{ $qq = replaceRE `@qq\.com$` "" $email }}{{ end }}
  {{ if and (not $img) $qq }}
    {{ with resources.GetRemote (printf "%s?b=qq&nk=%s&s=640" $qqBase $qq) }}{{ if not .Err }}{{ $img = . }}{{ end }}{{ end }}
  {{ end }}
  {{ if not $img }}{{ $img = resources.Get "default.png" }}{{ end }}
  {{ $small := $img.Fill "40x40 webp q80" }}
  {{ $large := $img.Fill "80x80 webp q80" }}
  <p><img src="{{ $small.RelPermalink }}" srcset="{{ $large.RelPermalink }} 2x" width="40" height="40" alt=""> {{ .name }}: {{ .message }}</p>
{{ end }}
"#;

const LIST: &str = r#"<!doctype html>
<title>{{ .Title }}</title>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
"#;

/// Writes the Hugo site into `site`.
pub fn write_site(site: &Path, shape: &Shape, server: &str, pictures: &Pictures) -> Result<()> {
    corpus::write_posts_and_comments(site, shape, server)?;
    corpus::write_uploads(&site.join("assets/avatars"), shape, |i| {
        pictures.upload.picture(i)
    })?;
    let config = format!(
        "baseURL = \"https://blog.example.org/\"\n\
         title = \"Benchmark\"\n\
         disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n\
         [params]\ngravatar = \"{server}/avatar/\"\nqq = \"{server}/qq\"\n"
    );
    std::fs::write(site.join("hugo.toml"), config)?;
    let layouts = site.join("layouts/_default");
    std::fs::create_dir_all(&layouts)?;
    std::fs::write(layouts.join("single.html"), SINGLE)?;
    std::fs::write(layouts.join("list.html"), LIST)?;
    let default = image::RgbImage::from_pixel(160, 160, image::Rgb([190, 190, 200]));
    default
        .save(site.join("assets/default.png"))
        .context("write the default avatar")?;
    Ok(())
}

/// One Hugo configuration under test.
pub struct HugoRun {
    /// The site.
    pub site: PathBuf,
    /// `--cacheDir` (remote resources).
    pub cache_dir: PathBuf,
    /// `HUGO_NUMWORKERMULTIPLIER`, or Hugo's default (the core count).
    pub multiplier: Option<u32>,
}

impl HugoRun {
    /// Forgets everything from earlier runs: the remote-resource cache, processed images
    /// (`resources/_gen`) and the output.
    pub fn make_cold(&self) -> Result<()> {
        for dir in [
            self.cache_dir.clone(),
            self.site.join("resources"),
            self.site.join("public"),
        ] {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("remove {}", dir.display())),
            }
        }
        Ok(())
    }

    /// The command of one build.
    pub fn command(&self) -> Command {
        let mut command = Command::new(HUGO);
        command
            .arg("--source")
            .arg(&self.site)
            .arg("--cacheDir")
            .arg(&self.cache_dir)
            .arg("--gc")
            .arg("--quiet");
        match self.multiplier {
            Some(m) => command.env("HUGO_NUMWORKERMULTIPLIER", m.to_string()),
            None => command.env_remove("HUGO_NUMWORKERMULTIPLIER"),
        };
        command
    }
}

/// `hugo version`, if Hugo is installed.
pub fn version() -> Option<String> {
    let output = Command::new(HUGO).arg("version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
