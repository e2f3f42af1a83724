package config

import "time"

// The analyses' parameters that the configuration file does not set: the criticism trend
// model (beside trends.min_count), the "needs a response" report and the emerging issues.
// Their values live here alone; storage builds fully formed options from them
// (storage.TrendOptionsFrom, ReportOptionsFrom, EmergingOptionsFrom) and refuses options
// that leave one at zero.
const (
	// TrendPriorCount is the pseudo-count of critical stories added to a trend baseline,
	// spread over one extra window: a programme without history has a non-zero expectation.
	TrendPriorCount = 1.0
	// TrendMinExpected is the floor of the expected critical stories per window.
	TrendMinExpected = 0.5
	// TrendThreshold is the trend score at which a programme (or a phrase) is trending. The
	// alert rule PantauCriticismTrending in dashboards/prometheus/rules uses the same number.
	TrendThreshold = 3.0
	// TrendCoolDown is how long a programme stays trending after its score fell below
	// the threshold; the alert rule's keep_firing_for matches it.
	TrendCoolDown = 2 * time.Hour

	// ReportWindow is how far back the report looks.
	ReportWindow = 24 * time.Hour
	// ReportResponseWindow is the recent span in which the report looks for the start of the
	// current critical wave; it is capped at the report's window.
	ReportResponseWindow = 6 * time.Hour
	// DefaultReach is the weight of a source without a configured reach.
	DefaultReach = 1.0
	// ReportArticles, ReportLimit and ReportRegions are the critical articles shown per
	// programme, the programmes listed and the regions named per programme.
	ReportArticles, ReportLimit, ReportRegions = 3, 20, 3

	// EmergingMinSources is the least number of outlets that carried a phrase in the recent
	// window: one outlet's boilerplate (its name, a recurring column) is never listed.
	EmergingMinSources = 2
	// EmergingLimit and EmergingArticles are the phrases listed and the example articles per phrase.
	EmergingLimit, EmergingArticles = 10, 3

	// RequestTimeout bounds the store queries of one page or API request (/report,
	// /search, /digest); LocalAPITimeout those of one local API request (pantau sql may
	// scan a lot).
	RequestTimeout  = 30 * time.Second
	LocalAPITimeout = 5 * time.Minute
)

// The writer's, pipeline's, search's and delivery's parameters that the configuration file
// does not set. Their packages build fully formed options from them
// (storage.WriterOptionsFrom, pipeline.OptionsFrom, search.OptionsAt, digest.MailerFrom and
// WebhookFrom) and refuse options that leave one at zero.
const (
	// WriterBufferBatches is how many batches of a table the writer buffers while flushes
	// fail before the buffer goes to the spool.
	WriterBufferBatches = 4
	// WriterFlushTimeout bounds one background flush of the writer.
	WriterFlushTimeout = 30 * time.Second
	// DupCapacity is how many recent originals the near-duplicate index remembers;
	// `pantau run` loads as many stored originals at start.
	DupCapacity = 100_000

	// SearchRange is how far back a search without a start looks.
	SearchRange = 30 * 24 * time.Hour
	// SearchLimit is the most results a search returns unless asked for another number.
	SearchLimit = 100
	// SearchReadCap is the most candidate articles a search reads from the store.
	SearchReadCap = 20000

	// DeliveryTimeout bounds the delivery of one digest by e-mail or to one webhook.
	DeliveryTimeout = 30 * time.Second
)

// TrendWindow is a recent window of the trend model compared with the baseline just before it.
type TrendWindow struct {
	// Name labels the window in metrics, e.g. "1h".
	Name string
	// Length is the recent window: (now-Length, now].
	Length time.Duration
	// Baseline is the span before the window that sets the expected count:
	// (now-Length-Baseline, now-Length]. A whole multiple of Length reads best.
	Baseline time.Duration
}

// TrendWindows compare the last hour with the 24 hours before it, and the last day with
// the 14 days before it.
func TrendWindows() []TrendWindow {
	return []TrendWindow{
		{Name: "1h", Length: time.Hour, Baseline: 24 * time.Hour},
		{Name: "1d", Length: 24 * time.Hour, Baseline: 14 * 24 * time.Hour},
	}
}
