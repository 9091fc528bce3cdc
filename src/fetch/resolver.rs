//! The name resolver both agents use: the default resolver, plus two things ureq does not do.
//!
//! * A failed lookup comes back from ureq as an anonymous I/O error; it is tagged here so the
//!   client can tell "no such host" (fail fast) from a dropped connection (retry).
//! * For untrusted URLs, every resolved address must pass the caller's predicate. ureq resolves
//!   each hop, redirects included, through this resolver just before connecting, so the check
//!   covers exactly the addresses connected to: no gap for DNS rebinding.

use std::io;
use std::net::IpAddr;

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::AllowIp;

/// Why resolution was refused or failed, carried inside the `io::Error` ureq passes along.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveFailure {
    /// The name did not resolve.
    #[error("cannot resolve host name: {0}")]
    NotFound(io::Error),
    /// It resolved to an address the predicate refuses.
    #[error("address {0} is not allowed")]
    Refused(IpAddr),
}

impl ResolveFailure {
    /// The tag inside a ureq I/O error, if the error came from this resolver.
    pub(crate) fn find(error: &io::Error) -> Option<&ResolveFailure> {
        error.get_ref()?.downcast_ref()
    }

    fn into_ureq(self) -> ureq::Error {
        let kind = match &self {
            Self::NotFound(e) => e.kind(),
            Self::Refused(_) => io::ErrorKind::PermissionDenied,
        };
        ureq::Error::Io(io::Error::new(kind, self))
    }
}

/// The default resolver with lookup failures tagged and, for untrusted URLs, the address guard.
pub(crate) struct RunResolver {
    /// `None` for trusted URLs: every address is allowed.
    pub allow_ip: Option<AllowIp>,
}

impl std::fmt::Debug for RunResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunResolver")
            .field("guarded", &self.allow_ip.is_some())
            .finish()
    }
}

impl Resolver for RunResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = match DefaultResolver::default().resolve(uri, config, timeout) {
            Ok(addrs) => addrs,
            Err(ureq::Error::Io(e)) => return Err(ResolveFailure::NotFound(e).into_ureq()),
            Err(ureq::Error::HostNotFound) => {
                let e = io::Error::new(io::ErrorKind::NotFound, "no address found");
                return Err(ResolveFailure::NotFound(e).into_ureq());
            }
            Err(other) => return Err(other),
        };
        let Some(allow_ip) = &self.allow_ip else {
            return Ok(addrs);
        };
        // No exemption of any kind (not even for the proxy's host): the proxy is reached through
        // an unguarded resolver of its own (`proxy.rs`), so everything resolved here is a target.
        if let Some(bad) = addrs.iter().find(|a| !allow_ip(a.ip())) {
            return Err(ResolveFailure::Refused(bad.ip()).into_ureq());
        }
        Ok(addrs)
    }
}
