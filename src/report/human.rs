//! The human report's wording: counts with the right plural, identities that did not get their
//! own avatar grouped by cause (one line per cause, however many identities share it), and the
//! per-identity details that `-v` adds.
//!
//! A build where no provider could be reached (the demo offline, a CI runner without network)
//! must read as what it is, "6 used the default avatar: offline", not as twenty error lines.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::{BuildReport, IdentityReport};
use crate::model::Provider;
use crate::model::status::{AttemptError, ErrorKind, Skip, Status};

/// `1 warning`, `2 warnings`, `0 warnings`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Identities that share an outcome and its cause.
struct Group {
    /// What happened, e.g. "used the default avatar".
    what: &'static str,
    /// Why, e.g. "offline, not in the cache" or "host name not found".
    why: String,
    /// Hosts that failed this way.
    hosts: BTreeSet<String>,
    /// How many identities.
    identities: u64,
}

/// "Not contacted because an earlier request to this host failed": grouped under that request's
/// cause, since it is the same problem.
const HOST_DOWN: &str = "host unreachable (an earlier request to it failed)";

/// What happened to an identity that did not simply get its own avatar, and why; `None` for one
/// that did (its first applicable provider, or a later one after "has none" answers).
fn classify(identity: &IdentityReport) -> Option<(&'static str, String, Option<String>)> {
    let first_error = identity.attempts.iter().find_map(|a| a.status.error());
    let skipped = identity.attempts.iter().find_map(|a| match &a.status {
        Status::Skipped(why) => Some(why),
        _ => None,
    });
    let what = match identity.provider {
        Some(Provider::Default) => "used the default avatar",
        None => "got no avatar",
        Some(_) if first_error.is_some() => "got an avatar after an error",
        Some(_) => return None,
    };
    let (why, host) = match (first_error, skipped) {
        (Some(error), _) => cause(error),
        (None, Some(skip)) => (
            match skip {
                Skip::Offline => "offline, not in the cache".to_owned(),
            },
            None,
        ),
        (None, None) => ("no provider has one".to_owned(), None),
    };
    Some((what, why, host))
}

/// An error's message without the URL it is about (`https://h/x: host name not found` → `host
/// name not found`, host `h`), so that errors of one kind fall into one group.
fn cause(error: &AttemptError) -> (String, Option<String>) {
    let detail = error.message.as_str();
    let Some((url, message)) = detail
        .split_once(": ")
        .filter(|(url, _)| url.starts_with("http://") || url.starts_with("https://"))
    else {
        return (detail.to_owned(), None);
    };
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    // "host h is unreachable this run, not contacted": the host is listed already.
    let message = if error.kind == ErrorKind::HostDown {
        HOST_DOWN.to_owned()
    } else {
        message.to_owned()
    };
    (message, host)
}

impl BuildReport {
    /// The network line: requests sent and what became of them. A URL whose host had failed
    /// already is not requested: it counts as failed but not as a request, and says so, so
    /// failures never outnumber requests without a reason.
    pub(crate) fn write_network(&self, out: &mut impl Write) -> io::Result<()> {
        let net = &self.network;
        let from_cache = net.cache_fresh + net.not_modified;
        if net.requests == 0 && net.failures == 0 {
            return writeln!(
                out,
                "network: no requests; {} answered from the cache",
                from_cache
            );
        }
        let failed_requests = net.failures.saturating_sub(net.not_sent);
        write!(
            out,
            "network: {}, {} failed, {} answered from the cache",
            count(net.requests, "request", "requests"),
            count(failed_requests, "URL", "URLs"),
            from_cache
        )?;
        if net.not_sent > 0 {
            write!(
                out,
                "; {} not requested: {} unreachable",
                count(net.not_sent, "URL", "URLs"),
                count(net.hosts_down, "host", "hosts")
            )?;
        }
        writeln!(out)
    }

    /// One line per (outcome, cause): `6 used the default avatar: offline, not in the cache`.
    pub(crate) fn write_groups(&self, out: &mut impl Write) -> io::Result<()> {
        let classified: Vec<_> = self.identities.iter().filter_map(classify).collect();
        // The cause each host first failed with.
        let mut host_causes: Vec<(&str, &str)> = Vec::new();
        for (_, why, host) in &classified {
            if let Some(host) = host
                && why != HOST_DOWN
                && !host_causes.iter().any(|(h, _)| h == host)
            {
                host_causes.push((host, why));
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        for (what, why, host) in &classified {
            let (what, host) = (*what, host.clone());
            let why = match &host {
                Some(h) if why == HOST_DOWN => host_causes
                    .iter()
                    .find(|(known, _)| known == h)
                    .map_or_else(|| why.clone(), |(_, cause)| (*cause).to_owned()),
                _ => why.clone(),
            };
            let at = match groups.iter().position(|g| g.what == what && g.why == why) {
                Some(at) => at,
                None => {
                    groups.push(Group {
                        what,
                        why,
                        hosts: BTreeSet::new(),
                        identities: 0,
                    });
                    groups.len() - 1
                }
            };
            groups[at].identities += 1;
            groups[at].hosts.extend(host);
        }
        for group in &groups {
            let hosts = if group.hosts.is_empty() {
                String::new()
            } else {
                let hosts: Vec<&str> = group.hosts.iter().map(String::as_str).collect();
                format!(" ({})", hosts.join(", "))
            };
            writeln!(
                out,
                "{} {}: {}{hosts}",
                group.identities, group.what, group.why
            )?;
        }
        Ok(())
    }

    /// When identities fell back because of an error: the lines that group them by cause, then
    /// the count (what `serve` shows over its pages). Empty when nothing failed.
    pub fn error_lines(&self) -> Vec<String> {
        if self.errors == 0 {
            return Vec::new();
        }
        let mut buffer = Vec::new();
        let _ = self.write_groups(&mut buffer);
        let mut lines: Vec<String> = String::from_utf8_lossy(&buffer)
            .lines()
            .map(str::to_owned)
            .collect();
        lines.push(format!(
            "{} fell back because of an error",
            count(self.errors as u64, "identity", "identities")
        ));
        lines
    }

    /// The summary, then each identity that did not get its own avatar with every provider's
    /// answer (`-v`).
    pub fn write_human_verbose(&self, out: &mut impl Write) -> io::Result<()> {
        self.write_human(out)?;
        let mut header = false;
        for identity in &self.identities {
            if classify(identity).is_none() && !self.dry_run && identity.stale.is_none() {
                continue;
            }
            if !header {
                writeln!(out, "details:")?;
                header = true;
            }
            let winner = identity.provider.map_or("none", Provider::as_str);
            writeln!(
                out,
                "  {} {} → {winner}",
                identity.kind.as_str(),
                identity.value
            )?;
            for attempt in &identity.attempts {
                if attempt.status == Status::NotApplicable {
                    continue;
                }
                // `outcome: detail`, as in the JSON.
                writeln!(out, "    {}: {}", attempt.provider, attempt.status)?;
            }
            if let Some(stale) = &identity.stale {
                writeln!(out, "    kept the last good cached image: {stale}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(count(1, "warning", "warnings"), "1 warning");
        assert_eq!(count(0, "warning", "warnings"), "0 warnings");
        assert_eq!(count(2, "entry", "entries"), "2 entries");
    }

    #[test]
    fn causes_drop_the_url_and_keep_the_host() {
        let network = |message: &str| AttemptError::new(ErrorKind::Network, message);
        assert_eq!(
            cause(&network(
                "https://www.gravatar.com/avatar/0a?s=160&d=404: host name not found"
            )),
            (
                "host name not found".to_owned(),
                Some("www.gravatar.com".to_owned())
            )
        );
        assert_eq!(
            cause(&AttemptError::new(
                ErrorKind::HostDown,
                "https://q1.qlogo.cn/g?b=qq: host q1.qlogo.cn:443 is unreachable this run, not contacted"
            )),
            (HOST_DOWN.to_owned(), Some("q1.qlogo.cn".to_owned()))
        );
        assert_eq!(
            cause(&AttemptError::new(
                ErrorKind::Refused,
                "avatar URL refused: 10.0.0.1 is private"
            )),
            ("avatar URL refused: 10.0.0.1 is private".to_owned(), None)
        );
    }
}
