package crawler

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics are the crawler's Prometheus collectors. Label values are source names from
// the configuration and bounded classes, never URLs.
type metrics struct {
	fetches      *prometheus.CounterVec
	fetchSeconds *prometheus.HistogramVec
	fetchBytes   *prometheus.CounterVec
	discovered   *prometheus.CounterVec
	sourceErrors *prometheus.CounterVec
	sourceUp     *prometheus.GaugeVec
	lastSuccess  *prometheus.GaugeVec
	articles     *prometheus.CounterVec

	polls           *prometheus.CounterVec
	dateCorrections *prometheus.CounterVec
	extractTimeouts prometheus.Counter
	interval        *prometheus.GaugeVec
	nextPoll        *prometheus.GaugeVec
	failures        *prometheus.GaugeVec
	dead            *prometheus.GaugeVec
}

// newMetrics creates the crawler's metrics on reg; a nil reg leaves them unregistered.
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		fetches: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_fetches_total",
			Help: "HTTP fetches by source, kind (feed, article, sitemap, robots, page) and status class.",
		}, []string{"source", "kind", "status_class"}),
		fetchSeconds: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pantau_crawler_fetch_seconds",
			Help:    "Duration of one HTTP fetch, body included, by kind.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"kind"}),
		fetchBytes: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_fetch_bytes_total",
			Help: "Response body bytes read (after decompression) by source.",
		}, []string{"source"}),
		discovered: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_articles_discovered_total",
			Help: "New article URLs discovered (not yet stored, not seen in this run) by source.",
		}, []string{"source"}),
		articles: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_articles_total",
			Help: "Articles fetched, extracted and handed on, by source.",
		}, []string{"source"}),
		sourceErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_source_errors_total",
			Help: "Failed polls, fetches and extractions by source and error class.",
		}, []string{"source", "error_class"}),
		sourceUp: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_crawler_source_up",
			Help: "1 if the source's last poll succeeded, 0 if it failed.",
		}, []string{"source"}),
		lastSuccess: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_crawler_last_success_timestamp_seconds",
			Help: "Unix time of the source's last successful poll.",
		}, []string{"source"}),
		polls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_polls_total",
			Help: "Source polls by source and result: new, nothing_new, not_modified (304) or error.",
		}, []string{"source", "result"}),
		dateCorrections: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_crawler_date_corrections_total",
			Help: "Publication dates in the future or implausibly old, replaced by the listing's date or the fetch time.",
		}, []string{"source"}),
		extractTimeouts: f.NewCounter(prometheus.CounterOpts{
			Name: "pantau_crawler_extract_timeouts_total",
			Help: "Pages whose extraction exceeded its time limit and was abandoned.",
		}),
		interval: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_crawler_source_interval_seconds",
			Help: "Current adaptive poll interval of the source.",
		}, []string{"source"}),
		nextPoll: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_crawler_source_next_poll_timestamp_seconds",
			Help: "Unix time of the source's next scheduled poll.",
		}, []string{"source"}),
		failures: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_crawler_source_failures",
			Help: "Consecutive failed polls of the source.",
		}, []string{"source"}),
		dead: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_crawler_source_dead",
			Help: "1 if the source has failed for longer than dead_after and is polled at max_interval only.",
		}, []string{"source"}),
	}
}

// observeState exports a source's schedule and health.
func (m *metrics) observeState(st SourceState) {
	m.interval.WithLabelValues(st.Source).Set(st.Interval.Seconds())
	if !st.NextPoll.IsZero() {
		m.nextPoll.WithLabelValues(st.Source).Set(float64(st.NextPoll.Unix()))
	}
	m.failures.WithLabelValues(st.Source).Set(float64(st.Failures))
	dead := 0.0
	if st.Dead {
		dead = 1
	}
	m.dead.WithLabelValues(st.Source).Set(dead)
	if !st.LastSuccess.IsZero() {
		m.lastSuccess.WithLabelValues(st.Source).Set(float64(st.LastSuccess.Unix()))
	}
}
