package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// listCrawler hands a fixed list of articles to the pipeline, then waits for ctx: the
// pipeline's side of a crawler, without the web.
type listCrawler []crawler.Article

func (l listCrawler) RunOnce(ctx context.Context, out chan<- crawler.Article) error {
	for _, a := range l {
		select {
		case out <- a:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (l listCrawler) Run(ctx context.Context, out chan<- crawler.Article) error {
	if err := l.RunOnce(ctx, out); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// ackLog records the acks of articles by URL.
type ackLog struct {
	mu   sync.Mutex
	errs map[string]error
	told chan string
}

func (l *ackLog) article(n int) crawler.Article {
	u := fmt.Sprintf("https://example.id/berita/%d", n)
	return crawler.Article{
		URL: u, CanonicalURL: u, Source: "example", SourceKind: "feed", Title: fmt.Sprintf("Berita %d", n),
		Text: "Cuaca cerah sepanjang hari.", Fetched: time.Now(),
		Ack: func(err error) {
			l.mu.Lock()
			l.errs[u] = err
			l.mu.Unlock()
			l.told <- u
		},
	}
}

// TestRunStopsWaitingForRoomOnCancel runs the pipeline against ClickHouse refusing every
// article row (its table dropped) and a writer without a spool that holds one row: the
// first article waits in the writer, the next ones find it full. Cancelling the run ends
// their wait for room at once: each is given back unstored, its ack naming the full
// buffer and the cancellation, and Run returns without error.
func TestRunStopsWaitingForRoomOnCancel(t *testing.T) {
	st := storagetest.Embedded(t)
	ctx := context.Background()
	if err := st.Exec(ctx, "DROP TABLE articles"); err != nil {
		t.Fatal(err)
	}
	m := storage.NewMetrics(prometheus.NewRegistry())
	wopts := storage.WriterOptionsFrom(config.Storage{BatchSize: 1, FlushInterval: config.Duration(time.Hour)}, slog.New(slog.DiscardHandler))
	wopts.MaxBuffered, wopts.Metrics = 1, m
	w, err := storage.NewWriter(st, wopts)
	if err != nil {
		t.Fatal(err)
	}
	acks := &ackLog{errs: map[string]error{}, told: make(chan string, 3)}
	arts := listCrawler{acks.article(1), acks.article(2), acks.article(3)}
	p, err := New(analyzer.New(taxonomy.Default(), sentiment.Default()), w,
		OptionsFrom(config.Pipeline{QueueSize: config.Default().Pipeline.QueueSize, AnalyzerWorkers: 1}, slog.New(slog.DiscardHandler), nil))
	if err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx, arts, false) }()
	// Once the first article's row waits in the writer, the next ones find it full.
	for {
		var d dto.Metric
		if err := m.BufferedRows.WithLabelValues(storage.ArticlesTable).Write(&d); err != nil {
			t.Fatal(err)
		}
		if d.GetGauge().GetValue() == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil after cancellation", err)
	}
	for range 2 {
		<-acks.told
	}
	acks.mu.Lock()
	for _, a := range arts[1:] {
		err, told := acks.errs[a.CanonicalURL]
		if !told || !errors.Is(err, storage.ErrBufferFull) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s: ack %v (told %v), want the full buffer and the cancellation", a.CanonicalURL, err, told)
		}
	}
	if _, told := acks.errs[arts[0].CanonicalURL]; told {
		t.Errorf("first article acked before the writer closed: %v", acks.errs[arts[0].CanonicalURL])
	}
	acks.mu.Unlock()

	closeCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := w.Close(closeCtx); err == nil {
		t.Error("writer closed without error although ClickHouse refused its row")
	}
	if u := <-acks.told; u != arts[0].CanonicalURL || acks.errs[u] == nil {
		t.Errorf("after Close: ack of %s with %v, want the first article with an error", u, acks.errs[u])
	}
}

func TestNewRefusesZeroOptions(t *testing.T) {
	full := OptionsFrom(config.Default().Pipeline, slog.New(slog.DiscardHandler), nil)
	if _, err := New(nil, nil, full); err != nil {
		t.Fatalf("options from the default configuration refused: %v", err)
	}
	for name, unset := range map[string]func(*Options){
		"QueueSize":       func(o *Options) { o.QueueSize = 0 },
		"AnalyzerWorkers": func(o *Options) { o.AnalyzerWorkers = 0 },
		"DupCapacity":     func(o *Options) { o.DupCapacity = 0 },
		"Logger":          func(o *Options) { o.Logger = nil },
		"Now":             func(o *Options) { o.Now = nil },
	} {
		t.Run(name, func(t *testing.T) {
			o := full
			unset(&o)
			if _, err := New(nil, nil, o); err == nil || !strings.Contains(err.Error(), "OptionsFrom") {
				t.Fatalf("err = %v, want a refusal pointing to OptionsFrom", err)
			}
		})
	}
}
