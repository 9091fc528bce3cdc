//! Page-level tests on the fixture pages under `fixtures/rewrite/` (Hugo-, Hexo- and
//! Jekyll-like output), with a fake lookup.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;
use crate::model::Identity;
use crate::publish::SizeUrls;

const ADA: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";
const GRACE: &str = "1f3870be274f6c49b3e31a0c6728957f";
const LINUS: &str = "a8a2f6ebe286697c527eb35a58b5539532e9b3ae3b64d4eb0a46fb657b41562c";
/// Appears only where nothing may change: text, code, scripts, styles, links, comments.
const UNTOUCHABLE: &str = "deadbeefdeadbeefdeadbeefdeadbeef";
/// Every replacement the fake lookup makes starts with this.
const MARK: &str = "/avatars/T";

pub(super) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rewrite")
}

fn pages() -> Vec<(PathBuf, Vec<u8>)> {
    html_files(&fixtures())
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

/// A lookup naming each avatar by its place in `known` and the density: `/avatars/T3-2x.webp`.
pub(super) fn fake_lookup(
    known: &BTreeSet<AvatarRef>,
) -> impl Fn(&AvatarRef, Density) -> Option<String> + Sync {
    let index: BTreeMap<AvatarRef, usize> = known.iter().cloned().zip(0..).collect();
    move |avatar, density| {
        let n = index.get(avatar)?;
        let d = match density {
            Density::X1 => "1x",
            Density::X2 => "2x",
        };
        Some(format!("{MARK}{n}-{d}.webp"))
    }
}

fn hashes(found: &BTreeSet<AvatarRef>) -> BTreeSet<String> {
    found
        .iter()
        .filter_map(|a| Some(a.identity()?.value().to_owned()))
        .collect()
}

#[test]
fn collects_every_avatar_form_in_the_fixtures() {
    let mut all = BTreeSet::new();
    for (path, bytes) in pages() {
        let found = collect(&bytes).unwrap();
        assert!(!hashes(&found).contains(UNTOUCHABLE), "{}", path.display());
        all.extend(found);
    }
    let identities: BTreeSet<Identity> = all.iter().filter_map(AvatarRef::identity).collect();
    let expected = [
        Identity::Hash(ADA.into()),
        Identity::Hash(GRACE.into()),
        Identity::Hash(LINUS.into()),
        Identity::Qq("10001".into()),
        Identity::Qq("123456789".into()),
        Identity::Github("octocat".into()),
        Identity::Url("https://avatars.githubusercontent.com/u/583231?v=4".into()),
    ];
    assert_eq!(identities, expected.into_iter().collect());
    // Sizes as the pages asked for them, entity-encoded or not.
    let has = |target: AvatarTarget, px| all.contains(&AvatarRef { target, px });
    let gravatar = |hash: &str| AvatarTarget::Gravatar { hash: hash.into() };
    assert!(has(gravatar(ADA), Some(160)));
    assert!(has(gravatar(ADA), Some(60)));
    assert!(has(gravatar(ADA), None));
    assert!(has(gravatar(GRACE), Some(32)));
    assert!(has(
        AvatarTarget::Libravatar { hash: GRACE.into() },
        Some(40)
    ));
    assert!(has(
        AvatarTarget::Qq {
            number: "123456789".into()
        },
        Some(100)
    ));
    assert!(has(
        AvatarTarget::Github {
            login: "octocat".into()
        },
        Some(80)
    ));
}

/// Walks input and output together: outside the fake lookup's replacements they must be equal
/// byte for byte, and each replaced span of the input must be one recognised avatar URL inside
/// a `src`/`srcset`/`data-src`/`data-srcset` value of an `<img>` or `<source>` tag, or a `style`
/// value of any tag (found here
/// by a tokenizer of the test's own, not the one under test). Returns the replaced URLs.
fn changed_urls(input: &str, output: &str) -> Vec<String> {
    let (mut i, mut j) = (0, 0);
    let mut urls = Vec::new();
    while let Some(m) = output[j..].find(MARK) {
        let same = &output[j..j + m];
        assert!(
            input[i..].starts_with(same),
            "unexpected change near input byte {i}: {:?}",
            &input[i..(i + 80).min(input.len())]
        );
        i += same.len();
        j += m + output[j + m..].find(".webp").unwrap() + ".webp".len();
        // A URL ends at whitespace, a quote, `>`, or (inside CSS `url(...)`) `)` or `&quot;`.
        let end = input[i..]
            .find(|c: char| c.is_ascii_whitespace() || "\"'>)".contains(c))
            .into_iter()
            .chain(input[i..].find("&quot;"))
            .min()
            .map_or(input.len(), |n| i + n);
        let url = input[i..end].trim_end_matches(',');
        assert!(
            recognize(url).is_some(),
            "replaced a URL that is not an avatar: {url}"
        );
        assert_avatar_attribute(input, i);
        urls.push(url.to_owned());
        i += url.len();
    }
    assert_eq!(
        &input[i..],
        &output[j..],
        "unexpected change after the last replacement"
    );
    urls
}

/// Asserts that byte `pos` of `html` lies inside an avatar attribute value of an img/source tag.
fn assert_avatar_attribute(html: &str, pos: usize) {
    let lt = html[..pos].rfind('<').unwrap();
    let tag = &html[lt + 1..];
    let name_len = tag
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap();
    let name = tag[..name_len].to_ascii_lowercase();
    let b = html.as_bytes();
    let mut k = lt + 1 + name_len;
    loop {
        while b[k].is_ascii_whitespace() || b[k] == b'/' {
            k += 1;
        }
        assert!(
            b[k] != b'>' && k < pos,
            "change outside any attribute at {pos}"
        );
        let start = k;
        while !(b[k].is_ascii_whitespace() || b"=>/".contains(&b[k])) {
            k += 1;
        }
        let attribute = html[start..k].to_ascii_lowercase();
        while b[k].is_ascii_whitespace() {
            k += 1;
        }
        if b[k] != b'=' {
            continue;
        }
        k += 1;
        while b[k].is_ascii_whitespace() {
            k += 1;
        }
        let (value_start, value_end) = if b[k] == b'"' || b[k] == b'\'' {
            let close = html[k + 1..].find(b[k] as char).unwrap() + k + 1;
            (k + 1, close + 1)
        } else {
            let end = html[k..]
                .find(|c: char| c.is_ascii_whitespace() || c == '>')
                .unwrap()
                + k;
            (k, end)
        };
        if (value_start..value_end).contains(&pos) {
            // Inline CSS (`background-image: url(...)`) of any element.
            if attribute == "style" {
                return;
            }
            assert!(
                name == "img" || name == "source",
                "change inside <{name}> at {pos}"
            );
            let allowed = ["src", "srcset", "data-src", "data-srcset"];
            assert!(
                allowed.contains(&attribute.as_str()),
                "change inside {attribute}= at {pos}"
            );
            return;
        }
        k = value_end;
    }
}

#[test]
fn only_avatar_urls_change_in_the_fixtures() {
    let mut total = 0;
    for (path, bytes) in pages() {
        let known = collect(&bytes).unwrap();
        let lookup = fake_lookup(&known);
        let page = rewrite_page(&bytes, &lookup).unwrap();
        let input = std::str::from_utf8(&bytes).unwrap();
        let Some(output) = page.html else {
            assert!(known.is_empty(), "{}", path.display());
            continue;
        };
        let output = String::from_utf8(output).unwrap();
        let urls = changed_urls(input, &output);
        assert_eq!(urls.len(), page.replaced, "{}", path.display());
        assert_eq!(page.unresolved, 0);
        // Every avatar collected was replaced, and what must not change is still there.
        assert_eq!(
            collect(output.as_bytes()).unwrap(),
            BTreeSet::new(),
            "{}",
            path.display()
        );
        assert_eq!(
            input.matches(UNTOUCHABLE).count(),
            output.matches(UNTOUCHABLE).count()
        );
        total += urls.len();
    }
    // hugo 5 (src, two srcset candidates, libravatar, sha256), hexo 10 (six src, data-src, two
    // data-srcset candidates, noscript), pi-day 9, legacy.HTM 1, staticman 8 (src and srcset
    // without a hash, noscript, data-src on v2ex, empty-email hash, unfilled template, two
    // inline styles).
    assert_eq!(total, 33);
}

#[test]
fn densities_and_sizes_reach_the_lookup() {
    let bytes = std::fs::read(fixtures().join("hugo/posts/hello-world/index.html")).unwrap();
    let sizes: BTreeMap<String, SizeUrls> = [40, 80]
        .into_iter()
        .map(|css| {
            let urls = SizeUrls {
                x1: format!("/avatars/{css}a.webp"),
                x2: format!("/avatars/{css}b.webp"),
            };
            (css.to_string(), urls)
        })
        .collect();
    let lookup = |avatar: &AvatarRef, density| pick(&sizes, avatar.px, density).map(str::to_owned);
    let output = String::from_utf8(rewrite(&bytes, &lookup).unwrap().unwrap()).unwrap();
    assert!(output.contains(
        "src=\"/avatars/80a.webp\"\n         srcset=\"/avatars/80a.webp 1x,\n                 /avatars/80b.webp 2x\""
    ));
    assert!(output.contains("<img class=\"avatar\" src=\"/avatars/40a.webp\" width=\"40\""));
}

#[test]
fn exact_output_keeps_quoting_case_and_spacing() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let input = format!(
        "<P>x</P><IMG\n  ALT=a   SRC={a}?s=40   Class=c>\n<img src='{a}?s=40' data-SRC=\" {a}?s=80 \" srcset=\"{a}?s=40 1x,{a}?s=80 2x\"/>"
    );
    let known = collect(input.as_bytes()).unwrap();
    assert_eq!(known.len(), 2, "{known:?}");
    let lookup = |avatar: &AvatarRef, density: Density| {
        Some(format!(
            "/a/{}{}",
            avatar.px.unwrap(),
            if density == Density::X2 { "@2" } else { "" }
        ))
    };
    let output = rewrite(input.as_bytes(), &lookup).unwrap().unwrap();
    assert_eq!(
        String::from_utf8(output).unwrap(),
        "<P>x</P><IMG\n  ALT=a   SRC=/a/40   Class=c>\n<img src='/a/40' data-SRC=\" /a/80 \" srcset=\"/a/40 1x,/a/80@2 2x\"/>"
    );
}

#[test]
fn new_urls_are_escaped_for_their_quoting() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let input = format!("<img src=\"{a}\"><img src='{a}'><img src={a}><img srcset=\"{a} 2x\">");
    let lookup = |_: &AvatarRef, _: Density| Some("/x y/a&b\"c'.png".to_owned());
    let output = String::from_utf8(rewrite(input.as_bytes(), &lookup).unwrap().unwrap()).unwrap();
    let escaped = "/x y/a&amp;b&quot;c&apos;.png";
    assert_eq!(
        output,
        format!(
            "<img src=\"{escaped}\"><img src='{escaped}'><img src=\"{escaped}\"><img srcset=\"/x%20y/a&amp;b&quot;c&apos;.png 2x\">"
        )
    );
}

#[test]
fn unresolved_avatars_stay_and_are_counted() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let input = format!("<img src=\"{a}?s=40\"><img src=\"{a}?s=80\">");
    let only_40 =
        |avatar: &AvatarRef, _: Density| (avatar.px == Some(40)).then(|| "/l.webp".to_owned());
    let page = rewrite_page(input.as_bytes(), &only_40).unwrap();
    assert_eq!((page.replaced, page.unresolved), (1, 1));
    let expected = format!("<img src=\"/l.webp\"><img src=\"{a}?s=80\">");
    assert_eq!(page.html.unwrap(), expected.as_bytes());
    let none = |_: &AvatarRef, _: Density| None;
    let page = rewrite_page(input.as_bytes(), &none).unwrap();
    assert_eq!((page.html, page.replaced, page.unresolved), (None, 0, 2));
}

#[test]
fn pages_without_avatars_are_left_alone() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let input = format!(
        "<pre>&lt;img src=\"{a}\"&gt;</pre><script>x='<img src=\"{a}\">'</script><style>i{{background:url({a})}}</style>\
         <!-- <img src=\"{a}\"> --><a href=\"{a}\">me</a><textarea><img src=\"{a}\"></textarea><img src=\"/me.png\" alt=\"{a}\">"
    );
    assert_eq!(collect(input.as_bytes()).unwrap(), BTreeSet::new());
    let lookup = |_: &AvatarRef, _: Density| Some("/l.webp".to_owned());
    assert_eq!(rewrite(input.as_bytes(), &lookup).unwrap(), None);
}

#[test]
fn noscript_fallbacks_are_rewritten() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let input = format!("<p><noscript><img src=\"{a}\"><p>{a}</p></noscript><noscript></noscript>");
    let lookup = |_: &AvatarRef, _: Density| Some("/l.webp".to_owned());
    let output = rewrite(input.as_bytes(), &lookup).unwrap().unwrap();
    let expected =
        format!("<p><noscript><img src=\"/l.webp\"><p>{a}</p></noscript><noscript></noscript>");
    assert_eq!(String::from_utf8(output).unwrap(), expected);
}

#[test]
fn bytes_that_are_not_utf8_survive() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let mut input = b"<p>\xc4\xe3\xba\xc3</p><img alt=\"\xff\" src=\"".to_vec();
    input.extend_from_slice(a.as_bytes());
    input.extend_from_slice(b"\">\xfe");
    let lookup = |_: &AvatarRef, _: Density| Some("/l.webp".to_owned());
    let output = rewrite(&input, &lookup).unwrap().unwrap();
    assert_eq!(
        output,
        b"<p>\xc4\xe3\xba\xc3</p><img alt=\"\xff\" src=\"/l.webp\">\xfe"
    );
}

#[test]
fn ambiguous_markup_is_an_error_not_a_guess() {
    let a = format!("https://www.gravatar.com/avatar/{ADA}");
    let input = format!("<select><xmp><script>x</script></select><img src=\"{a}\">");
    let lookup = |_: &AvatarRef, _: Density| Some("/l.webp".to_owned());
    let Err(RewriteError::Html(message)) = rewrite(input.as_bytes(), &lookup) else {
        panic!("ambiguous markup accepted");
    };
    // One line for a CI log.
    assert!(
        message.contains("ambiguous") && !message.contains('\n'),
        "{message}"
    );
    assert!(collect(input.as_bytes()).is_err());
}

#[test]
#[should_panic(expected = "unexpected change")]
fn the_checker_sees_a_change_in_text() {
    let input = format!("<img src=\"https://www.gravatar.com/avatar/{ADA}\"><p>Great post</p>");
    let output = format!("<img src=\"{MARK}0-1x.webp\"><p>Great pots</p>");
    changed_urls(&input, &output);
}

#[test]
#[should_panic(expected = "change inside alt=")]
fn the_checker_sees_a_change_in_another_attribute() {
    let input = format!("<img alt=\"https://www.gravatar.com/avatar/{ADA}\" src=\"/me.png\">");
    let output = format!("<img alt=\"{MARK}0-1x.webp\" src=\"/me.png\">");
    changed_urls(&input, &output);
}

#[test]
#[should_panic(expected = "change inside <a>")]
fn the_checker_sees_a_change_in_a_link() {
    let input = format!("<a href=\"https://www.gravatar.com/avatar/{ADA}\">me</a>");
    let output = format!("<a href=\"{MARK}0-1x.webp\">me</a>");
    changed_urls(&input, &output);
}
