//! Which IP addresses are public, and every spelling of an IP address a resolver accepts.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public: the special-purpose range it falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddrClass {
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16.
    Private,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedCgnat,
    /// 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// fc00::/7.
    UniqueLocal,
    /// fec0::/10, deprecated but still routed inside some networks.
    SiteLocal,
    /// 0.0.0.0, ::.
    Unspecified,
    /// 0.0.0.0/8 other than 0.0.0.0.
    ThisNetwork,
    /// 224.0.0.0/4, ff00::/8.
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// 198.18.0.0/15, 2001:2::/48.
    Benchmarking,
    /// 192.0.0.0/24, 2001::/23 (IETF protocol assignments).
    ProtocolAssignment,
    /// 192.88.99.0/24, the deprecated 6to4 relay anycast.
    Relay6to4,
    /// 2001::/32, whose obfuscated embedded IPv4 could point anywhere.
    Teredo,
    /// 100::/64.
    DiscardOnly,
    /// 240.0.0.0/4, and IPv6 outside the global unicast range 2000::/3.
    Reserved,
}

impl fmt::Display for AddrClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddrClass::Loopback => "a loopback address",
            AddrClass::Private => "a private address",
            AddrClass::SharedCgnat => "a shared (carrier-grade NAT) address",
            AddrClass::LinkLocal => "a link-local address",
            AddrClass::UniqueLocal => "a unique-local address",
            AddrClass::SiteLocal => "a site-local address",
            AddrClass::Unspecified => "the unspecified address",
            AddrClass::ThisNetwork => "a \"this network\" address",
            AddrClass::Multicast => "a multicast address",
            AddrClass::Broadcast => "the broadcast address",
            AddrClass::Documentation => "a documentation address",
            AddrClass::Benchmarking => "a benchmarking address",
            AddrClass::ProtocolAssignment => "an IETF protocol assignment address",
            AddrClass::Relay6to4 => "a 6to4 relay anycast address",
            AddrClass::Teredo => "a Teredo tunnel address",
            AddrClass::DiscardOnly => "a discard-only address",
            AddrClass::Reserved => "a reserved address",
        })
    }
}

/// Whether `ip` is a public (globally routable unicast) address, safe to fetch untrusted URLs
/// from. The fetch layer applies this to every address a host name resolves to.
pub fn is_public_ip(ip: IpAddr) -> bool {
    classify_ip(ip).is_none()
}

/// The special-purpose range `ip` falls in, or `None` for a public address. An IPv6 address
/// embedding an IPv4 one (mapped, compatible, NAT64, 6to4) is classified by its IPv4 address.
pub fn classify_ip(ip: IpAddr) -> Option<AddrClass> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddrClass> {
    let [a, b, c, _] = ip.octets();
    let class = match (a, b, c) {
        _ if ip.is_unspecified() => AddrClass::Unspecified,
        _ if ip.is_broadcast() => AddrClass::Broadcast,
        (0, ..) => AddrClass::ThisNetwork,
        (127, ..) => AddrClass::Loopback,
        _ if ip.is_private() => AddrClass::Private,
        (100, 64..=127, _) => AddrClass::SharedCgnat,
        (169, 254, _) => AddrClass::LinkLocal,
        _ if ip.is_documentation() => AddrClass::Documentation,
        (192, 0, 0) => AddrClass::ProtocolAssignment,
        (192, 88, 99) => AddrClass::Relay6to4,
        (198, 18..=19, _) => AddrClass::Benchmarking,
        (224..=239, ..) => AddrClass::Multicast,
        (240..=255, ..) => AddrClass::Reserved,
        _ => return None,
    };
    Some(class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddrClass> {
    let seg = ip.segments();
    let low_v4 = |s: [u16; 8]| Ipv4Addr::from(u32::from(s[6]) << 16 | u32::from(s[7]));
    let class = match seg {
        _ if ip.is_unspecified() => AddrClass::Unspecified,
        _ if ip.is_loopback() => AddrClass::Loopback,
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) reach the IPv4 address.
        [0, 0, 0, 0, 0, 0xffff, ..] | [0, 0, 0, 0, 0, 0, ..] => return classify_v4(low_v4(seg)),
        // 64:ff9b::/96, NAT64: a gateway translates to the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => return classify_v4(low_v4(seg)),
        // 2002::/16, 6to4: the IPv4 address follows the prefix.
        [0x2002, hi, lo, ..] => {
            return classify_v4(Ipv4Addr::from(u32::from(hi) << 16 | u32::from(lo)));
        }
        [0x0100, 0, 0, 0, ..] => AddrClass::DiscardOnly,
        [0x2001, 0x0db8, ..] => AddrClass::Documentation,
        [0x3fff, 0x0000..=0x0fff, ..] => AddrClass::Documentation,
        [0x2001, 0x0002, 0, ..] => AddrClass::Benchmarking,
        [0x2001, 0, ..] => AddrClass::Teredo,
        [0x2001, 0x0000..=0x01ff, ..] => AddrClass::ProtocolAssignment,
        [0xff00..=0xffff, ..] => AddrClass::Multicast,
        _ if ip.is_unicast_link_local() => AddrClass::LinkLocal,
        [0xfec0..=0xfeff, ..] => AddrClass::SiteLocal,
        _ if ip.is_unique_local() => AddrClass::UniqueLocal,
        // Everything outside 2000::/3 is unassigned, reserved or special.
        [0x0000..=0x1fff, ..] | [0x4000..=0xffff, ..] => AddrClass::Reserved,
        _ => return None,
    };
    Some(class)
}

/// Parses `host` as an IP address in every spelling a resolver might accept: dotted decimal,
/// the inet_aton forms (`2130706433`, `0177.0.0.1`, `0x7f.0.0.1`, `0x7f000001`, `127.1`,
/// `10.1.1`), bracketed or bare IPv6 (`[::ffff:127.0.0.1]`), each with or without one trailing
/// dot. `None` means `host` is not an IP address (it may still be a name resolving to one).
pub fn parse_ip_host(host: &str) -> Option<IpAddr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if host.contains(':') {
        return host.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    parse_inet_aton(host).map(IpAddr::V4)
}

/// The BSD `inet_aton` grammar glibc's resolver and browsers' URL parsers accept: one to four
/// parts, each decimal, octal (leading `0`) or hex (`0x`); the last part fills the remaining
/// bytes.
fn parse_inet_aton(host: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let numbers = parts
        .iter()
        .map(|p| parse_part(p))
        .collect::<Option<Vec<u64>>>()?;
    let (last, leading) = numbers.split_last()?;
    if leading.iter().any(|&n| n > 0xff) {
        return None;
    }
    let last_bits = 8 * (4 - leading.len() as u32);
    if *last >= 1u64 << last_bits {
        return None;
    }
    let high = leading
        .iter()
        .enumerate()
        .fold(0u32, |acc, (i, &n)| acc | (n as u32) << (24 - 8 * i));
    Some(Ipv4Addr::from(high | *last as u32))
}

fn parse_part(part: &str) -> Option<u64> {
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            // A bare "0x" is zero to inet_aton and to URL parsers.
            if hex.is_empty() {
                return Some(0);
            }
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Leading zeros are allowed in any number; strip them so a long run cannot overflow.
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(significant, radix)
        .ok()
        .filter(|&n| n <= u64::from(u32::MAX))
}
