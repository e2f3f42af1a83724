package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/internal/fixturesite"
)

// demoConfig is the configuration of `pantau demo`; %[1]s is the fixture site's origin
// and %[2]s the data folder.
const demoConfig = `# Written by pantau demo: the fixture news site served on loopback.
storage:
  data_dir: %[2]s
http:
  listen: ""
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  max_article_age: 0s
sources:
  - {name: bagonjong-rss, kind: feed, url: "%[1]s/rss.xml", region: sumbar}
  - {name: bagonjong-atom, kind: feed, url: "%[1]s/atom.xml", region: sumbar}
  - {name: bagonjong-kota, kind: portal, url: "%[1]s/kota/", link_pattern: "/berita/", region: sumbar}
`

// demoOrigin is the fixture site's origin in the demo. Its articles' URLs, and so the keys
// the articles table deduplicates them by (the canonical URL's hash), are the same in every
// demo, whichever port the site is served on: a second demo finds them stored and stores
// no copies.
const demoOrigin = "http://bagonjong.test"

// demoSite sends the crawler's requests for demoOrigin to the fixture site on loopback.
type demoSite struct{ addr string }

// LookupIPAddr implements crawler.Resolver: the demo's host is on loopback; no other
// name resolves, so the demo never leaves the machine.
func (demoSite) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	if host != strings.TrimPrefix(demoOrigin, "http://") {
		return nil, &net.DNSError{Err: "not the demo's fixture site", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
}

// dial implements crawler.DialFunc: every connection goes to the fixture site.
func (d demoSite) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var dialer net.Dialer
	return dialer.DialContext(ctx, network, d.addr)
}

func cmdDemo(ctx context.Context, e *env, args []string) (err error) {
	fs := newFlags(e, "demo")
	site := fs.String("site", "testdata/site", "`DIR` of the fixture news site")
	data := fs.String("data", "pantau-demo", "embedded store `DIR` for the demo")
	out := fs.String("write-config", "pantau-demo.yaml", "where to write the demo's configuration `FILE`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*site, "rss.xml")); err != nil {
		return fmt.Errorf("fixture site not found (run from the project folder or pass --site): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: fixturesite.Handler(*site)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, fmt.Errorf("fixture site: %w", serr))
		}
	}()

	if err := os.WriteFile(*out, []byte(fmt.Sprintf(demoConfig, demoOrigin, *data)), 0o644); err != nil {
		return err
	}
	cfg, err := config.Load(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "serving the fixture news site as %s on %s; crawling it once into %s ...\n", demoOrigin, ln.Addr(), *data)
	fixture := demoSite{addr: ln.Addr().String()}
	if err := runPipeline(ctx, e, cfg, taxonomy.Default(), true, crawler.WithResolver(fixture), crawler.WithDialer(fixture.dial)); err != nil {
		return err
	}
	self := os.Args[0]
	fmt.Fprintf(e.stdout, `
Done. Try:
  %[1]s sql --config %[2]s --header "SELECT source, count() AS articles FROM articles FINAL GROUP BY source"
  %[1]s sql --config %[2]s --header "SELECT programme, label, criticism, substring(snippet, 1, 80) FROM mentions FINAL ORDER BY programme"
  %[1]s report --config %[2]s --window 8760h   # the fixture's articles are from November 2026
`, self, *out)
	return nil
}
