//! Native rendering: for a site with the native layout, `build` renders the blog itself after
//! the avatars are published.
//!
//! ```text
//! posts (front matter + Markdown) ─┐
//! comment data files ──────────────┼─> posts, comments (name, date, body HTML, avatar URLs)
//! data file (raw identity → URLs) ─┘     ─> tera templates ─> output directory
//! ```
//!
//! Output: `index.html` (posts, newest first), `<slug>/index.html` per post with its comments,
//! and the files of the site's static directories. Links between pages are relative, so the blog
//! works under any path; avatar URLs are those of the data file. Files an earlier render wrote
//! and this one did not are removed (the output keeps a list of them in
//! `.blog-avatars-rendered`); nothing else ever is.
//!
//! Posts are read and pages rendered on rayon (CPU work, one task per post) and merged in path
//! order, so the output and the warnings do not depend on thread timing.

mod avatars;
mod comments;
mod dates;
mod markdown;
mod output;
mod posts;
mod templates;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

pub use avatars::{Avatar, Avatars};
pub use comments::Comment;
pub use posts::Post;
pub use templates::BUNDLED as BUNDLED_THEME;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::model::Warning;
use crate::publish::DataFile;
use crate::scan::SiteLayout;
use output::Output;

/// Shown when `[site] title` is not set.
const DEFAULT_TITLE: &str = "Blog";

/// What rendering did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderReport {
    /// HTML pages rendered (the index and one per post).
    pub pages: usize,
    /// Files an earlier render wrote that this one did not (pages of deleted posts, removed
    /// static files), now deleted; relative to the output directory.
    pub removed: Vec<String>,
    /// Posts and comment files that could not be used, in path order.
    pub warnings: Vec<Warning>,
}

/// The site as every template sees it.
#[derive(Debug, Serialize)]
struct SiteContext<'a> {
    title: &'a str,
}

/// A neighbouring post, for "newer"/"older" links.
#[derive(Debug, Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    url: &'a str,
}

/// Renders the blog of `layout` into its output directory with the site's templates (or the
/// bundled theme), using `data` for avatars. A bad post or comment file is a warning; only an
/// unusable template or an unwritable output directory is an error.
pub fn render_site(layout: &SiteLayout, config: &Config, data: &DataFile) -> Result<RenderReport> {
    let output = layout.output_dir.as_deref().ok_or_else(|| {
        Error::Usage(format!(
            "the {} layout has no output directory to render into; set [site] output_dir",
            layout.kind
        ))
    })?;
    let avatars = Arc::new(Avatars::new(data, config));
    let tera = templates::load(layout.template_dir.as_deref(), Arc::clone(&avatars))?;

    let (files, mut warnings) = posts::list(layout);
    let limit = config.scan.max_data_file_bytes;
    let reads: Vec<(posts::Read, Vec<Warning>)> = files
        .par_iter()
        .map(|path| {
            let mut file_warnings = Vec::new();
            // Comments are read per page below, so memory never holds all of them at once.
            let front_matter_limit = config.scan.max_front_matter_bytes;
            let read = posts::read(
                path,
                layout,
                &avatars,
                front_matter_limit,
                &mut file_warnings,
            );
            (read, file_warnings)
        })
        .collect();
    let mut all = Vec::new();
    let mut slugs = HashSet::new();
    for (read, file_warnings) in reads {
        warnings.extend(file_warnings);
        let posts::Read::Post(post) = read else {
            continue;
        };
        let problem = if output.join(&post.slug) == layout.avatar_dir {
            Some("is the avatar directory")
        } else if post.slug.eq_ignore_ascii_case("index.html") {
            Some("is the name of the index page")
        } else if !slugs.insert(post.slug.clone()) {
            Some("is already taken by another post")
        } else {
            None
        };
        match problem {
            Some(problem) => warnings.push(Warning {
                path: layout.relative(&post.source),
                line: None,
                message: format!("slug `{}` {problem}; post skipped", post.slug),
            }),
            None => all.push(*post),
        }
    }
    posts::sort(&mut all);

    // Every page's path is known before anything is rendered: static files may not take them.
    let page_of = |post: &Post| format!("{}/index.html", post.slug);
    let pages = std::iter::once("index.html".to_owned()).chain(all.iter().map(page_of));
    let mut out = Output::new(output, pages);
    // A configured absolute output folder is the owner's choice; the default one must not lead
    // out of the site through a symlink.
    if !config
        .site
        .output_dir
        .as_ref()
        .is_some_and(|d| d.is_absolute())
    {
        out.check_inside(&layout.root)?;
    }
    // Uploaded avatars are named `<email>.<ext>`: never publish them, even from a static dir.
    let private = [
        crate::scan::published::local_dir(layout, &config.local),
        layout.comment_dir.clone(),
        layout.data_file.clone(),
    ];
    out.copy_static(layout, &private, &mut warnings)?;

    let site = SiteContext {
        title: config.site.title.as_deref().unwrap_or(DEFAULT_TITLE),
    };
    // Each post page reads its comments, renders and lets them go: memory follows the largest
    // post, not the whole site (a million comments would otherwise be gigabytes).
    let rendered: Vec<(usize, Vec<Warning>)> = all
        .par_iter()
        .enumerate()
        .map(|(index, post)| {
            let mut page_warnings = Vec::new();
            let comments = posts::comments_of(post, layout, &avatars, limit, &mut page_warnings);
            let full = Post {
                comment_count: comments.len(),
                comments,
                ..post.clone()
            };
            let neighbour = |i: usize| {
                all.get(i).map(|p| Neighbour {
                    title: &p.title,
                    url: &p.url,
                })
            };
            let mut context = tera::Context::new();
            context.insert("site", &site);
            context.insert("root", "../");
            context.insert("avatar_size", &avatars.size());
            context.insert("post", &full);
            context.insert("newer", &index.checked_sub(1).and_then(neighbour));
            context.insert("older", &neighbour(index + 1));
            render_page(&tera, templates::POST, &context, &out.path(&page_of(post))?)?;
            Ok((full.comment_count, page_warnings))
        })
        .collect::<Result<_>>()?;
    for (post, (count, page_warnings)) in all.iter_mut().zip(rendered) {
        post.comment_count = count;
        warnings.extend(page_warnings);
    }

    let mut context = tera::Context::new();
    context.insert("site", &site);
    context.insert("root", "./");
    context.insert("avatar_size", &avatars.size());
    context.insert("posts", &all);
    render_page(&tera, templates::INDEX, &context, &out.path("index.html")?)?;

    let removed = out.finish()?;
    Ok(RenderReport {
        pages: all.len() + 1,
        removed,
        warnings,
    })
}

fn render_page(
    tera: &tera::Tera,
    template: &str,
    context: &tera::Context,
    path: &Path,
) -> Result<()> {
    let html = tera
        .render(template, context)
        .map_err(|e| templates::template_error(path, &e))?;
    write_atomic(path, html.as_bytes())?;
    Ok(())
}
