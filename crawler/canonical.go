package crawler

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"sort"
	"strings"
)

// trackingParams are query keys that never change what a page shows.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true, "gclsrc": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "igshid": true, "mc_cid": true,
	"mc_eid": true, "_ga": true, "_gl": true, "ref_src": true, "ref_url": true, "s_cid": true,
	"cmpid": true, "ncid": true, "tag_from": true, "amp": true, "_amp": true, "amp_js_v": true,
	"usqp": true, "_gaa": true, "__twitter_impression": true, "spm": true,
}

// hostPrefixes are sub-domains that only mark a mobile, AMP or "www" variant of the same site.
var hostPrefixes = []string{"www.", "m.", "mobile.", "amp.", "wap."}

// Canonicalize returns the identity form of an http(s) URL, used to recognise the same
// article reached through different links. It lower-cases scheme and host, drops
// userinfo, default ports, fragments, tracking parameters (utm_*, fbclid, gclid, ...)
// and AMP markers (/amp, ?amp=1, amp. host), folds www./m./mobile. hosts into the bare
// host, sorts the remaining query parameters and removes a trailing slash except at the root.
// The result identifies an article; it is not guaranteed to be fetchable.
func Canonicalize(rawURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return "", fmt.Errorf("canonicalize: %w", err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonicalize %q: %w", rawURL, errNotHTTP)
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("canonicalize %q: %w", rawURL, errNoHost)
	}
	for _, p := range hostPrefixes {
		if rest, ok := strings.CutPrefix(host, p); ok && strings.Contains(rest, ".") && net.ParseIP(host) == nil {
			host = rest
			break
		}
	}
	if port := u.Port(); port != "" && !(u.Scheme == "http" && port == "80") && !(u.Scheme == "https" && port == "443") {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}

	p := u.Path
	if p == "" {
		p = "/"
	}
	trailing := strings.HasSuffix(p, "/")
	p = path.Clean(p)
	if trailing && p != "/" {
		p += "/"
	}
	// Strip trailing slashes and AMP markers until neither is left: each can uncover the
	// other ("/x.amp/", "/x/amp/amp"), and a second Canonicalize must change nothing.
	for {
		q := p
		if len(q) > 1 {
			q = strings.TrimRight(q, "/")
			if q == "" {
				q = "/"
			}
		}
		q = stripAMPPath(q)
		if q == p {
			break
		}
		p = q
	}

	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || trackingParams[lk] || (lk == "outputtype" && strings.EqualFold(q.Get(k), "amp")) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var qb strings.Builder
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			if qb.Len() > 0 {
				qb.WriteByte('&')
			}
			qb.WriteString(url.QueryEscape(k))
			if v != "" {
				qb.WriteByte('=')
				qb.WriteString(url.QueryEscape(v))
			}
		}
	}
	out := url.URL{Scheme: u.Scheme, Host: host, Path: p, RawQuery: qb.String()}
	return out.String(), nil
}

var (
	errNotHTTP = errors.New("not an http(s) URL")
	errNoHost  = errors.New("no host")
)

// stripAMPPath removes AMP path markers: a leading /amp/ segment, a trailing /amp
// segment and an .amp or .amp.html extension.
func stripAMPPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/amp/"); ok {
		p = "/" + rest
	}
	for _, suf := range []string{"/amp/", "/amp", ".amp.html", ".amp"} {
		if strings.HasSuffix(p, suf) && len(p) > len(suf) {
			p = strings.TrimSuffix(p, suf)
			if suf == ".amp.html" {
				p += ".html"
			}
			break
		}
	}
	if p == "" {
		p = "/"
	}
	return p
}
