// Package trends is the criticism trend job of `pantau run`: every interval it computes,
// per programme and window, the critical stories against their baseline in ClickHouse and
// exports them as the Prometheus gauges (pantau_trend_*) the alert rules fire on, with a
// threshold and a cool-down equal to those of the rule PantauCriticismTrending.
package trends

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/pantau-id/pantau/storage"
)

// JobOptions tunes a Job.
type JobOptions struct {
	// Trend selects the windows, minimum count and programmes (the taxonomy's ids, which
	// bound the metric labels).
	Trend storage.TrendOptions
	// Threshold is the score at which a programme trends (config.TrendThreshold).
	Threshold float64
	// CoolDown keeps a programme trending this long after its score fell below Threshold
	// (config.TrendCoolDown).
	CoolDown time.Duration
	// Now returns the current time.
	Now func() time.Time
	// Logger receives run failures and trending changes.
	Logger *slog.Logger
	// UnitID returns the stable id of the unit responsible for a programme (the taxonomy's
	// unit_id), given the programme id, or "" with the unit's description, for unit trends;
	// Alertmanager routes on it. Nil or "" leaves the unit_id label empty.
	UnitID func(programme, unit string) string
	// ReportURL and GrafanaURL are where people reach Pantau's /report page and Grafana
	// (http.external_url and http.grafana_url), exported as labels of
	// pantau_trend_links_info so that alert annotations carry absolute links.
	ReportURL, GrafanaURL string
}

// trendMetrics are the trend job's Prometheus gauges, labelled by programme, unit and window.
type trendMetrics struct {
	critical *prometheus.GaugeVec
	baseline *prometheus.GaugeVec
	score    *prometheus.GaugeVec
	share    *prometheus.GaugeVec
	trending *prometheus.GaugeVec
	// unitScore and unitCritical are the same per responsible unit, over all its programmes.
	unitScore    *prometheus.GaugeVec
	unitCritical *prometheus.GaugeVec
	lastRun      prometheus.Gauge
	failures     prometheus.Counter
	links        *prometheus.GaugeVec
}

func newTrendMetrics(reg prometheus.Registerer) *trendMetrics {
	f := promauto.With(reg)
	labels := []string{"programme", "unit", "unit_id", "window"}
	return &trendMetrics{
		critical: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_critical_mentions",
			Help: "Critical stories (syndicated copies once) about the programme in the recent window.",
		}, labels),
		baseline: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_baseline_critical_per_window",
			Help: "Critical stories expected per window from the baseline before it (with a prior and a floor).",
		}, labels),
		score: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_criticism_score",
			Help: "Surprise of the window's critical count given the baseline (Poisson deviance z-score); 0 below the minimum count.",
		}, labels),
		share: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_negative_share",
			Help: "Share of the programme's stories in the window that are critical.",
		}, labels),
		trending: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_trending",
			Help: "1 while the score is at or above the threshold and for the cool-down after it fell, else 0.",
		}, labels),
		unitScore: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_unit_criticism_score",
			Help: "Surprise score of the critical stories about all of a unit's programmes together.",
		}, []string{"unit", "unit_id", "window"}),
		unitCritical: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_unit_critical_mentions",
			Help: "Critical stories about any of the unit's programmes in the recent window (each story once).",
		}, []string{"unit", "unit_id", "window"}),
		lastRun: f.NewGauge(prometheus.GaugeOpts{
			Name: "pantau_trend_last_run_timestamp_seconds",
			Help: "Unix time of the trend job's last successful run.",
		}),
		failures: f.NewCounter(prometheus.CounterOpts{
			Name: "pantau_trend_run_failures_total",
			Help: "Trend job runs that failed.",
		}),
		// One series whose labels are two configured URLs, for the alert annotations' links.
		links: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_trend_links_info",
			Help: "Always 1; report_url and grafana_url are where alert links point (http.external_url, http.grafana_url).",
		}, []string{"report_url", "grafana_url"}),
	}
}

// trendState is what the job remembers about one (programme, window) between runs.
type trendState struct {
	unit      string
	trending  bool
	lastAbove time.Time // last run with the score at or above the threshold
}

// Job computes criticism trends in ClickHouse and exports them as gauges.
type Job struct {
	q    storage.Querier
	opts JobOptions
	m    *trendMetrics

	mu    sync.Mutex
	state map[trendKey]*trendState
}

type trendKey struct{ programme, window string }

// NewJob returns a job that reads q and registers its gauges with reg (a nil reg
// leaves them unregistered). Registering twice with one registry panics. It refuses
// options without a threshold, a cool-down, a clock or a logger.
func NewJob(q storage.Querier, reg prometheus.Registerer, opts JobOptions) (*Job, error) {
	if opts.Threshold <= 0 || opts.CoolDown <= 0 || opts.Now == nil || opts.Logger == nil {
		return nil, fmt.Errorf("trends: job needs a positive threshold and cool-down (config.TrendThreshold, TrendCoolDown), a clock and a logger; got %g and %s",
			opts.Threshold, opts.CoolDown)
	}
	if opts.UnitID == nil {
		opts.UnitID = func(string, string) string { return "" }
	}
	j := &Job{q: q, opts: opts, m: newTrendMetrics(reg), state: map[trendKey]*trendState{}}
	j.m.links.WithLabelValues(opts.ReportURL, opts.GrafanaURL).Set(1)
	return j, nil
}

// Run calls RunOnce now and then every interval until ctx is done. A failed run is logged
// and counted, and the next one goes ahead. It returns nil when ctx is done.
func (j *Job) Run(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("trend job: interval %v must be positive", every)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := j.RunOnce(ctx); err != nil && ctx.Err() == nil {
			j.opts.Logger.Error("trend run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// RunOnce computes the trends once and updates the gauges. Label sets of programmes that
// no longer appear (and are not cooling down) are removed. On error the gauges keep their
// previous values and pantau_trend_last_run_timestamp_seconds does not advance.
func (j *Job) RunOnce(ctx context.Context) error {
	now := j.opts.Now()
	trends, err := storage.Trends(ctx, j.q, now, j.opts.Trend)
	if err != nil {
		j.m.failures.Inc()
		return fmt.Errorf("trend run: %w", err)
	}
	units, err := storage.UnitTrends(ctx, j.q, now, j.opts.Trend)
	if err != nil {
		j.m.failures.Inc()
		return fmt.Errorf("trend run: %w", err)
	}
	// Units carry no cool-down state: their gauges are rebuilt on every run.
	j.m.unitScore.Reset()
	j.m.unitCritical.Reset()
	for _, t := range units {
		l := prometheus.Labels{"unit": t.Unit, "unit_id": j.opts.UnitID("", t.Unit), "window": t.Window}
		j.m.unitScore.With(l).Set(t.Score)
		j.m.unitCritical.With(l).Set(float64(t.Critical))
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	seen := make(map[trendKey]bool, len(trends))
	for _, t := range trends {
		k := trendKey{t.Programme, t.Window}
		seen[k] = true
		st := j.state[k]
		if st == nil {
			st = &trendState{}
			j.state[k] = st
		}
		if st.unit != "" && st.unit != t.Unit {
			j.deleteLabels(k, st.unit)
		}
		st.unit = t.Unit
		j.update(k, st, t.Score, now)
		l := j.labels(k, st.unit)
		j.m.critical.With(l).Set(float64(t.Critical))
		j.m.baseline.With(l).Set(t.Expected)
		j.m.score.With(l).Set(t.Score)
		j.m.share.With(l).Set(t.NegativeShare)
		j.m.trending.With(l).Set(boolGauge(st.trending))
	}
	for k, st := range j.state {
		if seen[k] {
			continue
		}
		// No mentions in the whole baseline any more: score 0, but the cool-down still runs.
		j.update(k, st, 0, now)
		if st.trending {
			j.m.score.With(j.labels(k, st.unit)).Set(0)
			continue
		}
		j.deleteLabels(k, st.unit)
		delete(j.state, k)
	}
	j.m.lastRun.Set(float64(now.Unix()))
	return nil
}

// update applies the threshold and the cool-down to one (programme, window).
func (j *Job) update(k trendKey, st *trendState, score float64, now time.Time) {
	was := st.trending
	if score >= j.opts.Threshold {
		st.lastAbove = now
		st.trending = true
	} else if st.trending && now.Sub(st.lastAbove) >= j.opts.CoolDown {
		st.trending = false
	}
	switch {
	case st.trending && !was:
		j.opts.Logger.Info("criticism trending", "programme", k.programme, "unit", st.unit, "window", k.window, "score", score)
	case was && !st.trending:
		j.opts.Logger.Info("criticism no longer trending", "programme", k.programme, "unit", st.unit, "window", k.window)
	}
}

// labels returns the gauges' labels of a (programme, window) whose unit is unit.
func (j *Job) labels(k trendKey, unit string) prometheus.Labels {
	return prometheus.Labels{"programme": k.programme, "unit": unit, "unit_id": j.opts.UnitID(k.programme, unit), "window": k.window}
}

func (j *Job) deleteLabels(k trendKey, unit string) {
	l := j.labels(k, unit)
	for _, g := range []*prometheus.GaugeVec{j.m.critical, j.m.baseline, j.m.score, j.m.share, j.m.trending} {
		g.Delete(l)
	}
}

// Trending returns the programmes trending now (cool-down included), by window.
func (j *Job) Trending() map[string][]string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string][]string{}
	for k, st := range j.state {
		if st.trending {
			out[k.window] = append(out[k.window], k.programme)
		}
	}
	return out
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
