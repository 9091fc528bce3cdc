//! Page-level tests written out in full: the exact bytes of edits merged from `<noscript>`
//! content, and URLs that cannot be replaced.

use super::*;
use crate::model::Identity;
use crate::rewrite::{AvatarRef, Density};

const ADA: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";
const GRACE: &str = "1f3870be274f6c49b3e31a0c6728957f";

/// Edits inside `<noscript>` come from a second parse of its text; they must be merged with the
/// page's own in document order, or the splice copies the wrong bytes. Exact output bytes.
#[test]
fn noscript_avatar_before_a_later_img_exact_bytes() {
    let input = concat!(
        "<p>a</p><noscript><img src=\"https://www.gravatar.com/avatar/",
        "0bc83cb571cd1c50ba6f3e8a78ef1346?s=80\"></noscript>\n",
        "<img class=lazy src=\"data:,\" data-src='//cdn.v2ex.com/gravatar/",
        "1f3870be274f6c49b3e31a0c6728957f?s=40'>\n",
        "<noscript><img src=https://www.gravatar.com/avatar/?s=70&amp;d=identicon></noscript>",
        "<img src=\"https://www.gravatar.com/avatar/?s=70&amp;d=identicon\" ",
        "style=\"background:url('https://www.gravatar.com/avatar/",
        "0bc83cb571cd1c50ba6f3e8a78ef1346')\"><p>end</p>",
    );
    let expected = concat!(
        "<p>a</p><noscript><img src=\"/avatars/ada.webp\"></noscript>\n",
        "<img class=lazy src=\"data:,\" data-src='/avatars/grace.webp'>\n",
        "<noscript><img src=/avatars/nobody.webp></noscript>",
        "<img src=\"/avatars/nobody.webp\" ",
        "style=\"background:url('/avatars/ada.webp')\"><p>end</p>",
    );
    let lookup = |avatar: &AvatarRef, _: Density| {
        let name = match avatar.identity() {
            Some(Identity::Hash(hash)) if hash == ADA => "ada",
            Some(Identity::Hash(hash)) if hash == GRACE => "grace",
            None => "nobody",
            other => panic!("{other:?}"),
        };
        Some(format!("/avatars/{name}.webp"))
    };
    let page = rewrite_page(input.as_bytes(), &lookup).unwrap();
    let output = String::from_utf8(page.html.unwrap()).unwrap();
    assert_eq!(output, expected);
    assert_eq!((page.replaced, page.anonymous), (5, 2));
    assert!(page.unreplaced.is_empty());
}

/// A URL on an avatar host that cannot be replaced stays, and is listed, as is one the lookup
/// has no file for.
#[test]
fn unreplaceable_urls_are_listed_and_left() {
    let input = concat!(
        "<img src=\"https://thirdqq.qlogo.cn/g?b=oidb&amp;k=AbCdEf&amp;s=100\">",
        "<img src=\"https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346\">",
        "<img src=\"https://en.gravatar.com/ada\"><img src=\"https://example.com/a.png\">",
    );
    let page = rewrite_page(input.as_bytes(), &|_: &AvatarRef, _| None).unwrap();
    assert_eq!(page.html, None);
    assert_eq!(
        page.unreplaced,
        [
            "https://thirdqq.qlogo.cn/g?b=oidb&k=AbCdEf&s=100",
            "https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346",
            "https://en.gravatar.com/ada",
        ]
    );
    assert_eq!(page.unresolved, 1);
}
