package storage

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the storage package's Prometheus metrics.
type Metrics struct {
	// RowsWritten counts rows ClickHouse confirmed, by table.
	RowsWritten *prometheus.CounterVec
	// FlushSeconds observes the duration of every flush attempt.
	FlushSeconds prometheus.Histogram
	// FlushErrors counts failed flushes, by table.
	FlushErrors *prometheus.CounterVec
	// BufferedRows is the number of rows waiting in the writer, by table.
	BufferedRows *prometheus.GaugeVec
	// SpoolRows is the number of rows waiting in the writer's disk spool, by table.
	SpoolRows *prometheus.GaugeVec
	// SpoolBytes is the size of the writer's spool files, by table.
	SpoolBytes *prometheus.GaugeVec
	// SpoolReplayedRows counts spooled rows ClickHouse confirmed on replay, by table.
	SpoolReplayedRows *prometheus.CounterVec
	// SpoolErrors counts spool files that could not be written and unreadable spool
	// files moved aside, by table.
	SpoolErrors *prometheus.CounterVec
	// SpoolRefusals counts replays in which ClickHouse refused a spool file while it took
	// other rows, by table; the file is tried again later.
	SpoolRefusals *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg; a nil reg leaves them
// unregistered. The series of the pipeline's tables start at 0, so that panels and alerts see
// 0 rather than no data before the first event.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := newMetrics(reg)
	for _, table := range []string{ArticlesTable, MentionsTable, FetchesTable} {
		for _, v := range []*prometheus.CounterVec{m.RowsWritten, m.FlushErrors, m.SpoolReplayedRows, m.SpoolErrors, m.SpoolRefusals} {
			v.WithLabelValues(table)
		}
		for _, v := range []*prometheus.GaugeVec{m.BufferedRows, m.SpoolRows, m.SpoolBytes} {
			v.WithLabelValues(table)
		}
	}
	return m
}

func newMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	return &Metrics{
		RowsWritten: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_storage_rows_written_total",
			Help: "Rows ClickHouse confirmed, by table.",
		}, []string{"table"}),
		FlushSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "pantau_storage_flush_seconds",
			Help:    "Duration of the writer's flush attempts.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		FlushErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_storage_flush_errors_total",
			Help: "Failed writer flushes, by table.",
		}, []string{"table"}),
		BufferedRows: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_storage_buffered_rows",
			Help: "Rows waiting in the writer's buffer, by table.",
		}, []string{"table"}),
		SpoolRows: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_storage_spool_rows",
			Help: "Rows the writer spooled to disk during a ClickHouse outage and has not replayed yet, by table.",
		}, []string{"table"}),
		SpoolBytes: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pantau_storage_spool_bytes",
			Help: "Size of the writer's spool files not replayed yet, by table.",
		}, []string{"table"}),
		SpoolReplayedRows: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_storage_spool_replayed_rows_total",
			Help: "Spooled rows ClickHouse confirmed when the writer replayed them, by table.",
		}, []string{"table"}),
		SpoolRefusals: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_storage_spool_refusals_total",
			Help: "Replays in which ClickHouse refused a spool file while it took other rows, by table; the file is tried again with backoff.",
		}, []string{"table"}),
		SpoolErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "pantau_storage_spool_errors_total",
			Help: "Spool files the writer could not write, and unreadable spool files it moved aside, by table.",
		}, []string{"table"}),
	}
}
