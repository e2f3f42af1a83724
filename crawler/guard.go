package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies it.
// Implementations must be safe for concurrent use.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// DialFunc opens a connection to a literal IP address and port ("ip:port").
// It is only ever called with addresses the SSRF guard has allowed.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// blockedPrefixes are special-purpose ranges that netip's predicates do not cover.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	// Transition forms that carry an IPv4 address, or reach one through a relay Pantau cannot
	// judge; no news site is served from them. (NAT64's well-known prefix and 6to4 are judged by
	// the IPv4 address they embed, in isPublic.)
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (::a9fe:a9fe), deprecated
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated (::ffff:0:a9fe:a9fe)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // NAT64 local use
	netip.MustParsePrefix("2001::/32"),       // Teredo
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID, deprecated
	netip.MustParsePrefix("2001:20::/28"),    // ORCHIDv2
}

var nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")

// guard is a dialer that resolves host names itself and connects only to public
// addresses (or those in allow). Because it dials the very address it checked,
// redirects and DNS rebinding cannot slip past it.
type guard struct {
	allow    []netip.Prefix
	resolver Resolver
	dial     DialFunc
}

func newGuard(allowCIDRs []string, r Resolver, d DialFunc) (*guard, error) {
	g := &guard{resolver: r, dial: d}
	for _, s := range allowCIDRs {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("allow_private %q: %w", s, err)
		}
		g.allow = append(g.allow, p.Masked())
	}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	if g.dial == nil {
		g.dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	return g, nil
}

// allowed reports whether ip may be connected to.
func (g *guard) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return isPublic(ip)
}

// isPublic reports whether ip is a globally routable unicast address.
func isPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	if ip.Is6() {
		b := ip.As16()
		// NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address: judge that one.
		if nat64Prefix.Contains(ip) {
			return isPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		}
		if b[0] == 0x20 && b[1] == 0x02 {
			return isPublic(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return true
}

// DialContext resolves address's host, drops every refused IP and dials the rest in turn.
func (g *guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		addrs, err := g.resolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			if ip, ok := netip.AddrFromSlice(a.IP); ok {
				ips = append(ips, ip.Unmap())
			}
		}
	}
	var errs []error
	tried := 0
	for _, ip := range ips {
		if !g.allowed(ip) {
			continue
		}
		tried++
		conn, err := g.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	if tried == 0 {
		return nil, fmt.Errorf("dial %s: %w", host, ErrBlockedAddress)
	}
	return nil, errors.Join(errs...)
}
