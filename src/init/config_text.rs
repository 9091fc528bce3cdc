//! The commented `blog-avatars.toml` that `init` writes: the settings that matter for the
//! detected generator, with the folders it found shown (commented, so that they keep following
//! the generator's own config) and the China mirrors ready to uncomment.

use std::fmt::Write as _;

use crate::scan::SiteLayout;

/// A TOML string literal (quotes and escapes as TOML wants them).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The config text for `layout`.
pub fn config_text(layout: &SiteLayout) -> String {
    let rel = |path: &std::path::Path| quoted(&layout.relative(path));
    let posts: Vec<String> = layout.post_dirs.iter().map(|d| rel(d)).collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "# blog-avatars.toml, written by `blog-avatars init` for a {kind} site.\n\
         # Every key is optional and unknown keys are an error; blog-avatars.example.toml in the\n\
         # blog-avatars repository lists them all with their defaults.\n\
         \n\
         [site]\n\
         # Detected: {reason}.\n\
         layout = {layout_name}\n\
         # The folders below are read from the generator's own config at every build; uncomment\n\
         # one only to override it.\n\
         # post_dirs = [{posts}]\n\
         # comment_dir = {comments}      # comment data files (.yml .yaml .json .toml)\n\
         # avatar_dir = {avatars}        # avatar files; the generator copies them into its output\n\
         # url_prefix = {prefix}\n\
         # data_file = {data}    # what the template piece reads; never published\n",
        kind = layout.kind,
        reason = layout.detection.reason,
        layout_name = quoted(&layout.kind.to_string()),
        posts = posts.join(", "),
        comments = rel(&layout.comment_dir),
        avatars = rel(&layout.avatar_dir),
        prefix = quoted(&layout.url_prefix),
        data = rel(&layout.data_file),
    );
    out.push_str(
        "\n[avatars]\n\
         # The provider chain, in order: the first that has an avatar wins. \"default\" last gives\n\
         # everyone else a locally generated identicon, so no comment is left without a picture.\n\
         providers = [\"local\", \"url\", \"gravatar\", \"qq\", \"libravatar\", \"github\", \"default\"]\n\
         default = \"identicon\"\n\
         # CSS pixel sizes the templates ask for; each is written at 1x and 2x.\n\
         sizes = [40, 80]\n\
         # \"webp\" (lossy, smallest), \"png\" or \"jpeg\".\n\
         format = \"webp\"\n\
         quality = 80\n\
         \n\
         [local]\n\
         # Avatars you upload (or `blog-avatars serve` saves), named <email>.<ext>, <qq>.<ext> or\n\
         # <github>.<ext>. The default is a folder no generator publishes; init adds it to\n\
         # .gitignore because the file names are the commenters' emails.\n\
         # dir = \"_avatars\"\n\
         \n\
         [gravatar]\n\
         # Gravatar is often unreachable from mainland China: a mirror serves the same images.\n\
         # base_url = \"https://cravatar.cn/avatar/\"\n\
         # base_url = \"https://weavatar.com/avatar/\"\n\
         # \"md5\" or \"sha256\"; keep \"md5\" with a mirror that knows only MD5.\n\
         # hash = \"md5\"\n\
         \n\
         [qq]\n\
         # base_url = \"https://q1.qlogo.cn/g\"\n\
         \n\
         [http]\n\
         # Downloads are cached here (ignored by git; cache it between CI runs).\n\
         # cache_dir = \".blog-avatars-cache\"\n",
    );
    out
}
