//! Per-host request headers (`[url.headers]`): some avatar hosts answer only requests that look
//! like they come from their own site (Weibo's `*.sinaimg.cn` refuses a request without a Weibo
//! `Referer` with 403).

/// Headers to send to one host and its subdomains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostHeaders {
    /// Lower case, without a trailing dot; `sinaimg.cn` matches `tvax1.sinaimg.cn` too.
    pub host: String,
    /// Name and value of each header.
    pub headers: Vec<(String, String)>,
}

/// The headers for `url`: of every entry matching its host, the most specific host's value of
/// each header name wins.
pub(crate) fn headers_for<'a>(entries: &'a [HostHeaders], url: &str) -> Vec<(&'a str, &'a str)> {
    let Some(host) = url::Url::parse(url).ok().and_then(|u| {
        u.host_str()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    }) else {
        return Vec::new();
    };
    let mut matching: Vec<&HostHeaders> = entries
        .iter()
        .filter(|e| {
            host == e.host
                || host
                    .strip_suffix(e.host.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
        .collect();
    // Least specific first, so a more specific host overrides a header name.
    matching.sort_by_key(|e| e.host.len());
    let mut out: Vec<(&str, &str)> = Vec::new();
    for entry in matching {
        for (name, value) in &entry.headers {
            out.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            out.push((name, value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(host: &str, headers: &[(&str, &str)]) -> HostHeaders {
        HostHeaders {
            host: host.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
        }
    }

    #[test]
    fn matches_the_host_and_its_subdomains_most_specific_first() {
        let entries = [
            entry("sinaimg.cn", &[("Referer", "https://weibo.com/")]),
            entry("tvax1.sinaimg.cn", &[("referer", "https://m.weibo.cn/")]),
            entry("example.org", &[("X-Token", "1")]),
        ];
        assert_eq!(
            headers_for(&entries, "https://wx1.sinaimg.cn/large/a.jpg"),
            [("Referer", "https://weibo.com/")]
        );
        assert_eq!(
            headers_for(&entries, "http://SINAIMG.CN.:8080/a.jpg"),
            [("Referer", "https://weibo.com/")]
        );
        assert_eq!(
            headers_for(&entries, "https://tvax1.sinaimg.cn/crop/a.jpg"),
            [("referer", "https://m.weibo.cn/")]
        );
        assert!(headers_for(&entries, "https://notsinaimg.cn/a.jpg").is_empty());
        assert!(headers_for(&entries, "https://sinaimg.cn.evil.example/a.jpg").is_empty());
        assert!(headers_for(&entries, "not a url").is_empty());
    }
}
