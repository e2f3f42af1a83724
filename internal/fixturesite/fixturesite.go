// Package fixturesite serves the static fixture news site (feeds, sitemaps, portal pages
// and articles in a folder such as testdata/site) on loopback, for the
// end-to-end tests and the offline `pantau demo`. Nothing else uses it.
package fixturesite

import (
	"bytes"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Handler serves a static news site from dir for the offline demo and end-to-end
// tests. Every "{{BASE}}" in a served file becomes the request's origin
// ("http://127.0.0.1:PORT"), so feeds and pages can hold absolute links to a port chosen
// at run time. HTML is served without a charset parameter so pages declare their own.
func Handler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			p = path.Join(p, "index.html")
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		data = bytes.ReplaceAll(data, []byte("{{BASE}}"), []byte("http://"+r.Host))
		switch path.Ext(p) {
		case ".html":
			w.Header().Set("Content-Type", "text/html")
		case ".xml":
			w.Header().Set("Content-Type", "application/xml")
		case ".txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.Write(data)
	})
}
