package crawler

import "testing"

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "lower-case scheme and host", in: "HTTPS://News.Detik.COM/berita/d-123/Judul", want: "https://news.detik.com/berita/d-123/Judul"},
		{name: "default port", in: "http://example.com:80/a", want: "http://example.com/a"},
		{name: "default https port", in: "https://example.com:443/a", want: "https://example.com/a"},
		{name: "other port kept", in: "http://example.com:8080/a", want: "http://example.com:8080/a"},
		{name: "tracking params removed", in: "https://example.com/a?utm_source=fb&utm_medium=social&fbclid=X&gclid=Y&id=7", want: "https://example.com/a?id=7"},
		{name: "query sorted", in: "https://example.com/a?b=2&a=1", want: "https://example.com/a?a=1&b=2"},
		{name: "fragment removed", in: "https://example.com/a#komentar", want: "https://example.com/a"},
		{name: "trailing slash removed", in: "https://example.com/a/b/", want: "https://example.com/a/b"},
		{name: "root keeps slash", in: "https://example.com", want: "https://example.com/"},
		{name: "www folded", in: "https://www.kompas.com/read/1", want: "https://kompas.com/read/1"},
		{name: "mobile host folded", in: "https://m.liputan6.com/news/read/1", want: "https://liputan6.com/news/read/1"},
		{name: "amp suffix", in: "https://www.antaranews.com/berita/123/judul/amp", want: "https://antaranews.com/berita/123/judul"},
		{name: "amp prefix", in: "https://www.tribunnews.com/amp/nasional/2024/05/02/judul", want: "https://tribunnews.com/nasional/2024/05/02/judul"},
		{name: "amp query", in: "https://example.com/a?amp=1", want: "https://example.com/a"},
		{name: "outputType amp", in: "https://example.com/a?outputType=amp&page=all", want: "https://example.com/a?page=all"},
		{name: "amp html", in: "https://example.com/a/judul.amp.html", want: "https://example.com/a/judul.html"},
		{name: "amp host", in: "https://amp.kompas.com/read/1", want: "https://kompas.com/read/1"},
		{name: "dot segments", in: "https://example.com/a/./b/../c", want: "https://example.com/a/c"},
		{name: "userinfo dropped", in: "https://user:pw@example.com/a", want: "https://example.com/a"},
		{name: "trailing dot host", in: "https://example.com./a", want: "https://example.com/a"},
		{name: "escaped path kept", in: "https://example.com/berita/caf%C3%A9%20baru", want: "https://example.com/berita/caf%C3%A9%20baru"},
		{name: "ip host kept", in: "http://127.0.0.1:8080/x/", want: "http://127.0.0.1:8080/x"},
		{name: "m. alone kept", in: "https://m.id/x", want: "https://m.id/x"},
		{name: "not http", in: "ftp://example.com/a", wantErr: true},
		{name: "relative", in: "/berita/1", wantErr: true},
		{name: "javascript", in: "javascript:alert(1)", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Canonicalize(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Canonicalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if err == nil {
				again, err := Canonicalize(got)
				if err != nil || again != got {
					t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
				}
			}
		})
	}
}

func BenchmarkCanonicalize(b *testing.B) {
	urls := []string{
		"https://www.Kompas.com/read/2024/05/02/10300001/warga-keluhkan-bansos?utm_source=facebook&utm_medium=social&page=all#komentar",
		"https://m.detik.com/news/berita/d-7320000/jalan-rusak-di-padang/amp",
		"https://news.example.co.id/berita/123?amp=1&fbclid=IwAR0abc",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Canonicalize(urls[i%len(urls)]); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{
		"https://www.Kompas.com/read/2024/05/02/x?utm_source=fb&page=all#k",
		"http://m.detik.com:80/news/amp/",
		"https://example.com/a/../b/./c/?b=2&a=1&a=0",
		"https://[::1]:8080/x",
		"https://user@host.id/%zz",
		"HTTP://EXAMPLE.COM",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := Canonicalize(raw)
		if err != nil {
			return
		}
		again, err := Canonicalize(got)
		if err != nil {
			t.Fatalf("Canonicalize(%q) = %q, which fails: %v", raw, got, err)
		}
		if again != got {
			t.Errorf("not idempotent: %q -> %q -> %q", raw, got, again)
		}
	})
}
