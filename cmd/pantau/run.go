package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"golang.org/x/sync/errgroup"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/digest"
	"github.com/pantau-id/pantau/pipeline"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/trends"
	"github.com/pantau-id/pantau/web"
)

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs, file := newConfigFlags(e, "run")
	once := fs.Bool("once", false, "poll every source once, store what is new, then exit")
	listen := fs.String("listen", "", "serve HTTP on `ADDR` instead of http.listen (\"off\" disables)")
	shard := fs.String("shard", "", "crawl only shard `i/n` of the sources (overrides crawler.shard)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE` (for go tool pprof)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	if *shard != "" {
		if _, _, err := config.ParseShard(*shard); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
		cfg.Crawler.Shard = *shard
	}
	switch *listen {
	case "":
	case "off":
		cfg.HTTP.Listen = ""
	default:
		cfg.HTTP.Listen = *listen
	}
	return runPipeline(ctx, e, cfg, tax, *once)
}

// startCPUProfile profiles the process's CPU into file until the returned stop is called.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", file, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// runPipeline wires store, writer, crawler, analyzer, trend job and HTTP server and runs
// them; see runPipelineWith for the lifecycle.
func runPipeline(ctx context.Context, e *env, cfg *config.Config, tax *taxonomy.Taxonomy, once bool, crawlOpts ...crawler.Option) error {
	return runPipelineWith(ctx, e, cfg, tax, once, nil, crawlOpts...)
}

// runPipelineWith is runPipeline with the crawler wrapped for the pipeline by wrap
// (nil: the crawler itself), e.g. to run a backfill instead of polling.
//
// Every long-lived part runs in one errgroup owned here: the pipeline (crawler, analyzer
// workers, writer), the HTTP server, the trend job and the digest scheduler (not with
// once). They stop in this order when ctx is cancelled (a signal), when a single pass is
// done, or when any part fails:
//
//  1. stop intake: the crawler stops polling and fetching and closes the article queue;
//  2. drain the analyzers: every queued article is analysed and handed to the writer;
//  3. flush the writer: Close inserts (or spools) what it holds and tells every ack, and
//     the article rows those acks handed over are joined;
//  4. save the crawler's source states, with the validators those acks advanced;
//  5. stop the trend job, the digest scheduler and the HTTP server, which serves /metrics and
//     /readyz until then;
//  6. close the store.
//
// The error of every part is returned, joined.
func runPipelineWith(ctx context.Context, e *env, cfg *config.Config, tax *taxonomy.Taxonomy, once bool,
	wrap func(*crawler.Crawler) pipeline.Crawler, crawlOpts ...crawler.Option) (err error) {
	logger := newLogger(cfg.Log, e.stderr)
	setMemoryLimit(cfg.Pipeline.MemoryLimitBytes, logger)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	v := buildVersion()
	promauto.With(reg).NewGauge(prometheus.GaugeOpts{
		Name:        "pantau_build_info",
		Help:        "Always 1; its labels say which build of Pantau runs.",
		ConstLabels: prometheus.Labels{"version": v.version, "revision": v.revision, "goversion": v.goVersion},
	}).Set(1)

	st, closeStore, err := openStore(ctx, e, cfg, migrated)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	var digests *digest.Scheduler
	if !once {
		if digests, err = digestScheduler(cfg, tax, st, digest.SchedulerOptions{Now: time.Now, Logger: logger, Registerer: reg}); err != nil {
			return err
		}
	}

	wopts := storage.WriterOptionsFrom(cfg.Storage, logger)
	wopts.Metrics = storage.NewMetrics(reg)
	w, err := storage.NewWriter(st, wopts)
	if err != nil {
		return err
	}
	// closeWriter flushes the writer, bounded: step 3 of the shutdown.
	closeWriter := func() error {
		flushCtx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := w.Close(flushCtx); err != nil {
			return fmt.Errorf("close writer: %w", err)
		}
		return nil
	}
	// Rows an earlier process left in the spool go in before the crawler asks what is
	// stored, so that it does not fetch them again.
	if err := w.Replay(ctx); err != nil {
		logger.Warn("spool not replayed at start; the writer retries in the background", "err", err)
	}

	p, err := pipeline.New(analyzer.New(tax, sentiment.Default()), w, pipeline.OptionsFrom(cfg.Pipeline, logger, reg))
	if err != nil {
		return errors.Join(err, closeWriter())
	}
	netWatch := crawler.NewNetworkWatch(logger, sourceHosts(cfg.Sources))
	opts := append([]crawler.Option{
		crawler.WithLogger(logger),
		crawler.WithRegisterer(reg),
		crawler.WithSeen(pipeline.StoredURLs{Querier: st}),
		crawler.WithFetchObserver(func(f crawler.Fetch) { p.ObserveFetch(f); netWatch.Observe(f) }),
		crawler.WithStateStore(crawlStateStore(cfg, st)),
	}, crawlOpts...)
	cr, err := crawler.New(cfg.Crawler, cfg.Sources, opts...)
	if err != nil {
		return errors.Join(err, closeWriter())
	}
	var pc pipeline.Crawler = cr
	if wrap != nil {
		pc = wrap(cr)
	}
	if originals, err := storage.RecentOriginals(ctx, st, time.Now().Add(-7*24*time.Hour), config.DupCapacity); err != nil {
		logger.Warn("near-duplicate index starts empty", "err", err)
	} else {
		p.RememberOriginals(originals)
	}

	var ln net.Listener
	if cfg.HTTP.Listen != "" {
		if ln, err = web.Listen(cfg.HTTP.Listen); err != nil {
			return errors.Join(err, closeWriter())
		}
	}

	chv, _ := st.ServerVersion(ctx)
	logger.Info("pipeline starting", "sources", len(cfg.Sources), "programmes", tax.Len(),
		"store", st.Kind(), "clickhouse", chv.String(), "version", v.version, "revision", v.revision, "once", once)

	var job *trends.Job
	if !once {
		job, err = trends.NewJob(st, reg, trends.JobOptions{Trend: trendOptions(cfg, tax), Threshold: config.TrendThreshold,
			CoolDown: config.TrendCoolDown, Now: time.Now, Logger: logger,
			UnitID: tax.UnitID, ReportURL: reportURL(cfg.HTTP), GrafanaURL: strings.TrimSuffix(cfg.HTTP.GrafanaURL, "/")})
		if err != nil {
			if ln != nil {
				ln.Close()
			}
			return errors.Join(err, closeWriter())
		}
	}
	var mux http.Handler
	if ln != nil {
		var unpublish func()
		if mux, unpublish, err = httpMux(cfg, tax, st, w, reg, ln, logger); err != nil {
			ln.Close()
			return errors.Join(err, closeWriter())
		}
		defer unpublish() // after the server stopped
	}

	// intake ends the crawl (step 1) on a signal or when any part fails; serving ends the
	// trend job and the HTTP server (step 5) once the writer is flushed.
	g, intake := errgroup.WithContext(ctx)
	serving, stopServing := context.WithCancel(context.Background())
	defer stopServing()
	var runErr, closeErr, serveErr, trendErr, digestErr error
	g.Go(func() error {
		defer stopServing()
		runErr = p.Run(intake, pc, once) // steps 1 and 2
		closeErr = closeWriter()         // step 3
		p.Wait()
		saveCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := cr.SaveState(saveCtx); err != nil { // step 4
			logger.Warn("crawler state not saved", "err", err)
		}
		return errors.Join(runErr, closeErr)
	})
	if ln != nil {
		g.Go(func() error {
			serveErr = web.Serve(serving, ln, mux, logger)
			return serveErr
		})
	}
	if job != nil {
		g.Go(func() error {
			trendErr = job.Run(serving, cfg.Trends.Interval.D())
			return trendErr
		})
		if digests != nil {
			g.Go(func() error {
				digestErr = digests.Run(serving, time.Minute)
				return digestErr
			})
		}
	}
	if err := g.Wait(); err != nil { // the first error; every part's own is joined
		return errors.Join(runErr, closeErr, serveErr, trendErr, digestErr)
	}
	if waiting := w.Spooled(); once && len(waiting) > 0 {
		// A single run that ends with rows only on disk has not stored what it crawled: say so
		// in the exit status, so that scripts do not take it for done.
		return fmt.Errorf("%w: rows waiting in %s by table: %v; the next run replays them", errRowsSpooled, cfg.Storage.SpoolDir, waiting)
	}
	logger.Info("pipeline stopped")
	return nil
}

// httpMux builds the HTTP server's handlers: metrics, health, the report, search and
// digest pages, corrections, and with the embedded store the local API, whose endpoint
// file unpublish removes.
func httpMux(cfg *config.Config, tax *taxonomy.Taxonomy, st storage.Store, w *storage.Writer, reg *prometheus.Registry,
	ln net.Listener, logger *slog.Logger) (mux http.Handler, unpublish func(), err error) {
	unpublish = func() {}
	ready := func(ctx context.Context) error {
		if _, err := st.Query(ctx, "SELECT 1"); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return w.Health()
	}
	loc, _ := cfg.Display.Location() // validated with the configuration
	emerging := emergingOptions(cfg, tax)
	report, rerr := web.ReportHandler(st, web.ReportHandlerOptions{Report: reportOptions(cfg, tax), Location: loc, Lang: cfg.Display.Language,
		Now: time.Now, Timeout: config.RequestTimeout, Logger: logger, Emerging: &emerging})
	search, serr := web.SearchHandler(st, web.SearchHandlerOptions{Programmes: trendOptions(cfg, tax).Programmes, Lang: cfg.Display.Language,
		Now: time.Now, Timeout: config.RequestTimeout, Logger: logger})
	digestPage, derr := digest.Handler(st, digest.Units(tax), digest.HandlerOptions{Digest: digestOptions(cfg, tax),
		Now: time.Now, Timeout: config.RequestTimeout, Logger: logger})
	if err := errors.Join(rerr, serr, derr); err != nil {
		return nil, nil, err
	}
	handlers := map[string]http.Handler{"GET /report": report, "GET /api/report": report, "GET /search": search, "GET /digest": digestPage,
		"POST /api/corrections": web.CorrectionHandler(st, tax, logger)}
	if st.Kind() == storage.KindEmbedded {
		// The embedded store is this process's alone while it runs: pantau report, sql
		// and sources read through this API instead.
		ep, remove, err := web.PublishEndpoint(cfg.Storage.DataDir, ln.Addr().String())
		if err != nil {
			logger.Warn("local API not published: pantau report, sql and sources cannot read the store while this runs", "err", err)
			return web.NewMux(reg, ready, handlers), unpublish, nil
		}
		api, err := web.LocalAPI(web.LocalAPIOptions{Store: st, Sources: cfg.Sources, Token: ep.Token, Timeout: config.LocalAPITimeout, Logger: logger})
		if err != nil {
			remove()
			return nil, nil, err
		}
		unpublish = remove
		maps.Copy(handlers, api)
	}
	return web.NewMux(reg, ready, handlers), unpublish, nil
}

// errRowsSpooled reports a run --once that ended with rows ClickHouse has not taken yet.
var errRowsSpooled = errors.New("ClickHouse did not take every row before the run ended")

// sourceHosts counts the distinct hosts of the sources' URLs.
func sourceHosts(sources []config.Source) int {
	hosts := map[string]bool{}
	for _, s := range sources {
		if u, err := url.Parse(s.URL); err == nil && !s.Disabled {
			hosts[u.Hostname()] = true
		}
	}
	return len(hosts)
}

// crawlStateStore is where the crawler's source states persist: crawler.state_file when
// set, else the store's source_state table.
func crawlStateStore(cfg *config.Config, st storage.Store) crawler.StateStore {
	if cfg.Crawler.StateFile != "" {
		return &crawler.FileStateStore{Path: cfg.Crawler.StateFile}
	}
	return pipeline.CrawlState{Store: st}
}

// reportURL is the absolute address of the /report page, for alert links; "/report" when
// http.external_url is not set.
func reportURL(h config.HTTP) string {
	return strings.TrimSuffix(h.ExternalURL, "/") + "/report"
}
