package dashboards

import (
	"log/slog"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/pipeline"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/trends"
)

// descNames is a prometheus.Registerer that only records the names of the metrics
// registered with it.
type descNames struct {
	mu    sync.Mutex
	names map[string]bool
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (d *descNames) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc)
	go func() { c.Describe(ch); close(ch) }()
	d.mu.Lock()
	defer d.mu.Unlock()
	for desc := range ch {
		if m := fqName.FindStringSubmatch(desc.String()); m != nil {
			// Histograms and summaries are queried through their series' suffixes.
			for _, suffix := range []string{"", "_bucket", "_count", "_sum"} {
				d.names[m[1]+suffix] = true
			}
		}
	}
	return nil
}

func (d *descNames) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = d.Register(c)
	}
}

func (d *descNames) Unregister(prometheus.Collector) bool { return true }

// exportedMetrics returns the name of every metric the packages register, taken from the
// code itself, so that dashboards and alert rules cannot drift from what Pantau exports.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	reg := &descNames{names: map[string]bool{}}
	storage.NewMetrics(reg)
	src := []config.Source{{Name: "x", Kind: config.KindFeed, URL: "http://127.0.0.1/feed"}}
	if _, err := crawler.New(config.Default().Crawler, src, crawler.WithRegisterer(reg)); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.New(nil, nil, pipeline.OptionsFrom(config.Default().Pipeline, slog.New(slog.DiscardHandler), reg)); err != nil {
		t.Fatal(err)
	}
	if _, err := trends.NewJob(nil, reg, trends.JobOptions{Threshold: config.TrendThreshold, CoolDown: config.TrendCoolDown,
		Now: time.Now, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	if len(reg.names) < 40 {
		t.Fatalf("found only %d metric names; registration changed?", len(reg.names))
	}
	return reg.names
}
