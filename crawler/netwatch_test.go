package crawler

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestNetworkWatch(t *testing.T) {
	dns := func(host string) Fetch { return Fetch{Host: host, ErrorClass: "dns"} }
	ok := func(host string) Fetch { return Fetch{Host: host, Status: 200} }
	tests := []struct {
		name     string
		hosts    int
		fetches  []Fetch
		down, up int // "network unreachable" and "reachable again" lines wanted
	}{
		{"three hosts fail on DNS", 14, []Fetch{dns("a"), dns("b"), dns("a"), dns("c"), dns("d"), dns("e")}, 1, 0},
		{"two hosts are not enough", 14, []Fetch{dns("a"), dns("b"), dns("b")}, 0, 0},
		{"an answer in between", 14, []Fetch{dns("a"), dns("b"), ok("x"), dns("c")}, 0, 0},
		{"a 404 is an answer", 14, []Fetch{dns("a"), {Host: "x", Status: 404, ErrorClass: "http_4xx"}, dns("b"), dns("c")}, 0, 0},
		{"other errors say nothing of the network", 14, []Fetch{{Host: "a", ErrorClass: "refused"}, {Host: "b", ErrorClass: "timeout"}, {Host: "c", ErrorClass: "tls"}}, 0, 0},
		{"one host crawled", 1, []Fetch{dns("a")}, 1, 0},
		{"down, up, down again", 2, []Fetch{dns("a"), dns("b"), dns("a"), ok("a"), dns("a"), dns("b")}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			w := NewNetworkWatch(slog.New(slog.NewTextHandler(&b, nil)), tt.hosts)
			for _, f := range tt.fetches {
				w.Observe(f)
			}
			if got := strings.Count(b.String(), "network unreachable"); got != tt.down {
				t.Errorf("%d unreachable lines, want %d:\n%s", got, tt.down, b.String())
			}
			if got := strings.Count(b.String(), "network reachable again"); got != tt.up {
				t.Errorf("%d reachable-again lines, want %d:\n%s", got, tt.up, b.String())
			}
		})
	}
}
