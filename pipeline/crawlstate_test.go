package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/storage/storagetest"
)

func TestCrawlStateRoundTrip(t *testing.T) {
	for _, b := range []struct {
		name string
		cfg  func(testing.TB) config.Storage
	}{{"embedded", storagetest.EmbeddedConfig}, {"server", storagetest.ServerConfig}} {
		t.Run(b.name, func(t *testing.T) {
			st := storagetest.Open(t, b.cfg(t))
			cs := CrawlState{Store: st}
			ctx := context.Background()
			t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			first := crawler.SourceState{
				Source: "antara", ETag: `"v1"`, LastModified: "Fri, 20 Nov 2026 08:00:00 GMT",
				NextPoll: t0.Add(10 * time.Minute), Interval: 10 * time.Minute, LastSuccess: t0, UpdatedAt: t0,
			}
			dead := crawler.SourceState{
				Source: "mati", Failures: 40, LastErrorAt: t0, LastError: "http_5xx", Dead: true,
				Interval: 6 * time.Hour, NextPoll: t0.Add(6 * time.Hour), UpdatedAt: t0,
			}
			if err := cs.Save(ctx, []crawler.SourceState{first, dead}); err != nil {
				t.Fatal(err)
			}
			second := first
			second.ETag, second.UpdatedAt = `"v2"`, t0.Add(time.Minute)
			if err := cs.Save(ctx, []crawler.SourceState{second}); err != nil {
				t.Fatal(err)
			}
			got, err := cs.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("loaded %d states, want 2: %+v", len(got), got)
			}
			for _, want := range []crawler.SourceState{second, dead} {
				g := got[want.Source]
				if g.ETag != want.ETag || g.LastModified != want.LastModified || !g.NextPoll.Equal(want.NextPoll) ||
					g.Interval != want.Interval || g.Failures != want.Failures || g.Dead != want.Dead ||
					g.LastError != want.LastError || !g.LastSuccess.Equal(want.LastSuccess) || !g.LastErrorAt.Equal(want.LastErrorAt) {
					t.Errorf("%s: loaded %+v, want %+v", want.Source, g, want)
				}
			}
		})
	}
}
