//! The SSRF guard: which addresses a fetch may reach.
//!
//! URLs come from outside, so by default a fetch refuses every address that
//! is not on the public internet: loopback, private (RFC 1918 and shared
//! CGNAT space), link-local, unique-local, multicast, unspecified, reserved
//! and documentation ranges, and the cloud metadata endpoints. IPv4 embedded
//! in IPv6 (mapped, compatible, NAT64, 6to4) is judged by the IPv4 address it
//! carries. `--fetch-allow CIDR` opens ranges again, for tests and private
//! deployments.
//!
//! The guard is applied three times, so that neither a literal address, a
//! name that resolves to a private address, nor a name whose answer changes
//! between the check and the connection (DNS rebinding) gets through:
//!
//! 1. [`AddressPolicy::check_url`] before any request: scheme, and the host
//!    when it is a literal address (a literal is never resolved, so this is
//!    the only check that runs before a connection to it would be tried);
//! 2. [`GuardedResolver`], reqwest's resolver: a name is refused when any of
//!    its addresses is refused, and the client connects only to the
//!    addresses that were checked;
//! 3. [`ConnectGuardLayer`], around reqwest's connector: the peer address of
//!    every new connection is checked before a byte of the request is
//!    written.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why an address is not on the public internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    Loopback,
    /// RFC 1918, shared address space (100.64.0.0/10), IPv6 site-local.
    Private,
    LinkLocal,
    /// IPv6 `fc00::/7`.
    UniqueLocal,
    Multicast,
    /// `0.0.0.0/8`, `::`.
    Unspecified,
    /// A cloud provider's instance metadata service.
    CloudMetadata,
    /// Broadcast, documentation, benchmarking, future-use and protocol ranges.
    Reserved,
}

impl AddressClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::Multicast => "multicast",
            AddressClass::Unspecified => "unspecified",
            AddressClass::CloudMetadata => "cloud metadata",
            AddressClass::Reserved => "reserved",
        }
    }
}

impl std::fmt::Display for AddressClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is not on the public internet, or `None` for a global address.
pub fn classify(ip: IpAddr) -> Option<AddressClass> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    let [a, b, c, d] = ip.octets();
    let class = match (a, b, c, d) {
        // AWS, GCP, Azure, OpenStack; Alibaba's sits in the shared range.
        (169, 254, 169, 254) | (100, 100, 100, 200) => AddressClass::CloudMetadata,
        (0, ..) => AddressClass::Unspecified,
        (127, ..) => AddressClass::Loopback,
        (10, ..) => AddressClass::Private,
        (172, 16..=31, ..) => AddressClass::Private,
        (192, 168, ..) => AddressClass::Private,
        (100, 64..=127, ..) => AddressClass::Private,
        (169, 254, ..) => AddressClass::LinkLocal,
        (224..=239, ..) => AddressClass::Multicast,
        (240..=255, ..) => AddressClass::Reserved,
        (192, 0, 0, _) | (192, 0, 2, _) | (192, 88, 99, _) => AddressClass::Reserved,
        (198, 18..=19, ..) | (198, 51, 100, _) | (203, 0, 113, _) => AddressClass::Reserved,
        _ => return None,
    };
    Some(class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    let segments = ip.segments();
    if ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
        return Some(AddressClass::CloudMetadata);
    }
    if ip.is_unspecified() {
        return Some(AddressClass::Unspecified);
    }
    if ip.is_loopback() {
        return Some(AddressClass::Loopback);
    }
    // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form
    // (::a.b.c.d): the IPv4 address is what a stack connects to.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if segments[..6] == [0; 6] {
        let v4 = embedded_v4(segments[6], segments[7]);
        return classify_v4(v4).or(Some(AddressClass::Reserved));
    }
    // NAT64 well-known prefix 64:ff9b::/96: a gateway translates to the IPv4.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded_v4(segments[6], segments[7]));
    }
    // 6to4 2002::/16 carries an IPv4 address in bits 16..48.
    if segments[0] == 0x2002 {
        return classify_v4(embedded_v4(segments[1], segments[2]));
    }
    let class = match segments[0] {
        0xfc00..=0xfdff => AddressClass::UniqueLocal,
        0xfe80..=0xfebf => AddressClass::LinkLocal,
        0xfec0..=0xfeff => AddressClass::Private,
        0xff00..=0xffff => AddressClass::Multicast,
        // 64:ff9b:1::/48 local-use NAT64, 100::/64 discard, 2001::/23 IETF
        // protocol assignments (Teredo among them), 2001:db8::/32 and
        // 3fff::/20 documentation, 5f00::/16 segment routing.
        0x0064 if segments[1] == 0xff9b => AddressClass::Reserved,
        0x0100 if segments[1..4] == [0, 0, 0] => AddressClass::Reserved,
        0x2001 if segments[1] < 0x0200 || segments[1] == 0x0db8 => AddressClass::Reserved,
        0x3fff if segments[1] < 0x1000 => AddressClass::Reserved,
        0x5f00 => AddressClass::Reserved,
        _ => return None,
    };
    Some(class)
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// A refused address (or URL), with what made it refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    #[error("{host} resolves to {ip}, a {class} address")]
    Resolved {
        host: String,
        ip: IpAddr,
        class: AddressClass,
    },
    #[error("{ip} is a {class} address")]
    Address { ip: IpAddr, class: AddressClass },
    #[error("the scheme {0:?} is not fetched (only http and https)")]
    Scheme(String),
    #[error("the connection could not tell which address it reached")]
    UnknownPeer,
}

/// Which addresses a fetch may reach: the public internet, plus the ranges
/// an operator allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    allow: Vec<IpNet>,
}

impl AddressPolicy {
    /// The default policy plus `allow`: addresses in these ranges are reached
    /// even when they are loopback, private, metadata, ….
    pub fn new(allow: Vec<IpNet>) -> AddressPolicy {
        AddressPolicy { allow }
    }

    /// The extra ranges.
    pub fn allowed(&self) -> &[IpNet] {
        &self.allow
    }

    /// `Ok` when a fetch may connect to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Blocked> {
        let canonical = ip.to_canonical();
        if self
            .allow
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&canonical))
        {
            return Ok(());
        }
        match classify(ip) {
            None => Ok(()),
            Some(class) => Err(Blocked::Address { ip, class }),
        }
    }

    /// Checks what can be checked without resolving: the scheme, and the host
    /// when it is a literal address.
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), Blocked> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(Blocked::Scheme(other.to_string())),
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) | None => Ok(()),
        }
    }
}

/// Parses a `--fetch-allow` value: a CIDR range, or a bare address (one
/// address).
pub fn parse_allow(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("{text:?} is not a CIDR range like 10.0.0.0/8 or fd00::/8"))
}

/// reqwest's resolver: the system resolver, then the policy. A name with a
/// refused address is refused whole, and the client connects only to the
/// addresses returned here, so a second, different answer is never used.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<AddressPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: Arc<AddressPolicy>) -> GuardedResolver {
        GuardedResolver { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no addresses").into());
            }
            for addr in &addrs {
                if let Err(Blocked::Address { ip, class }) = policy.check(addr.ip()) {
                    let blocked = Blocked::Resolved {
                        host: host.clone(),
                        ip,
                        class,
                    };
                    return Err(Box::new(blocked) as BoxError);
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A layer around reqwest's connector that checks the peer address of each
/// new connection before it is used (the last line against DNS rebinding
/// and anything that bypasses the resolver). Fails closed: a connection that
/// cannot say where it goes is refused.
#[derive(Debug, Clone)]
pub struct ConnectGuardLayer {
    policy: Arc<AddressPolicy>,
}

impl ConnectGuardLayer {
    pub fn new(policy: Arc<AddressPolicy>) -> ConnectGuardLayer {
        ConnectGuardLayer { policy }
    }
}

impl<S> tower_layer::Layer<S> for ConnectGuardLayer {
    type Service = ConnectGuard<S>;

    fn layer(&self, inner: S) -> ConnectGuard<S> {
        ConnectGuard {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service [`ConnectGuardLayer`] makes.
#[derive(Debug, Clone)]
pub struct ConnectGuard<S> {
    inner: S,
    policy: Arc<AddressPolicy>,
}

impl<S, R> tower_service::Service<R> for ConnectGuard<S>
where
    S: tower_service::Service<R, Error = BoxError>,
    S::Response: Connection + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let connecting = self.inner.call(request);
        let policy = self.policy.clone();
        Box::pin(async move {
            let connection = connecting.await?;
            let mut extras = http::Extensions::new();
            connection.connected().get_extras(&mut extras);
            let peer = extras
                .get::<HttpInfo>()
                .map(|info| info.remote_addr().ip())
                .ok_or(Blocked::UnknownPeer)?;
            policy.check(peer)?;
            Ok(connection)
        })
    }
}

/// The [`Blocked`] in an error's source chain, if any.
pub fn find_blocked<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Blocked> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = current {
        if let Some(blocked) = err.downcast_ref::<Blocked>() {
            return Some(blocked);
        }
        current = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ip: &str, expected: Option<AddressClass>) {
        let parsed: IpAddr = ip.parse().unwrap();
        assert_eq!(classify(parsed), expected, "{ip}");
    }

    #[test]
    fn private_and_special_addresses_are_classified() {
        use AddressClass::*;
        check("127.0.0.1", Some(Loopback));
        check("127.255.0.9", Some(Loopback));
        check("::1", Some(Loopback));
        check("10.0.0.1", Some(Private));
        check("172.16.5.4", Some(Private));
        check("172.31.255.255", Some(Private));
        check("192.168.1.1", Some(Private));
        check("100.64.0.1", Some(Private));
        check("169.254.169.254", Some(CloudMetadata));
        check("fd00:ec2::254", Some(CloudMetadata));
        check("100.100.100.200", Some(CloudMetadata));
        check("169.254.1.1", Some(LinkLocal));
        check("fe80::1", Some(LinkLocal));
        check("fd12:3456::1", Some(UniqueLocal));
        check("fc00::1", Some(UniqueLocal));
        check("224.0.0.1", Some(Multicast));
        check("ff02::1", Some(Multicast));
        check("0.0.0.0", Some(Unspecified));
        check("::", Some(Unspecified));
        check("255.255.255.255", Some(Reserved));
        check("192.0.2.1", Some(Reserved));
        check("2001:db8::1", Some(Reserved));
        check("2001:0:4136:e378::1", Some(Reserved));
    }

    #[test]
    fn ipv4_inside_ipv6_is_judged_by_its_ipv4() {
        use AddressClass::*;
        check("::ffff:127.0.0.1", Some(Loopback));
        check("::ffff:10.1.2.3", Some(Private));
        check("::ffff:169.254.169.254", Some(CloudMetadata));
        check("::127.0.0.1", Some(Loopback));
        check("::8.8.8.8", Some(Reserved));
        check("64:ff9b::10.0.0.1", Some(Private));
        check("64:ff9b::8.8.8.8", None);
        check("2002:7f00:1::", Some(Loopback));
        check("2002:0808:0808::", None);
        check("::ffff:8.8.8.8", None);
    }

    #[test]
    fn public_addresses_pass() {
        check("8.8.8.8", None);
        check("1.1.1.1", None);
        check("172.32.0.1", None);
        check("2606:4700:4700::1111", None);
        check("2a00:1450:4001::1", None);
    }

    #[test]
    fn the_allowlist_opens_ranges_mapped_forms_included() {
        let policy = AddressPolicy::new(vec![parse_allow("127.0.0.0/8").unwrap()]);
        assert!(policy.check("127.0.0.1".parse().unwrap()).is_ok());
        assert!(policy.check("::ffff:127.0.0.1".parse().unwrap()).is_ok());
        assert!(policy.check("::1".parse().unwrap()).is_err());
        assert!(policy.check("10.0.0.1".parse().unwrap()).is_err());
        let one = AddressPolicy::new(vec![parse_allow("127.0.0.1").unwrap()]);
        assert!(one.check("127.0.0.1".parse().unwrap()).is_ok());
        assert!(one.check("127.0.0.2".parse().unwrap()).is_err());
        assert!(parse_allow("10.1.2.3/8").unwrap() == "10.0.0.0/8".parse().unwrap());
        assert!(parse_allow("not a range").is_err());
    }

    #[test]
    fn urls_are_checked_for_scheme_and_literal_hosts() {
        let policy = AddressPolicy::default();
        let check_url = |u: &str| policy.check_url(&reqwest::Url::parse(u).unwrap());
        assert!(check_url("http://example.com/a").is_ok());
        assert!(check_url("https://8.8.8.8/").is_ok());
        assert!(matches!(
            check_url("file:///etc/passwd"),
            Err(Blocked::Scheme(_))
        ));
        assert!(matches!(check_url("ftp://x/"), Err(Blocked::Scheme(_))));
        for blocked in [
            "http://127.0.0.1/",
            "http://[::1]:8080/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00:ec2::254]/",
            // The URL parser reads these as 127.0.0.1.
            "http://2130706433/",
            "http://0x7f.1/",
            "http://127.1/",
        ] {
            assert!(
                matches!(check_url(blocked), Err(Blocked::Address { .. })),
                "{blocked}"
            );
        }
    }
}
