package storage

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/regions"
)

// TrendWindow is a recent window compared with the baseline just before it.
type TrendWindow = config.TrendWindow

// TrendOptions tunes Trends; TrendOptionsFrom builds them from the configuration.
type TrendOptions struct {
	// Windows to compute.
	Windows []TrendWindow
	// MinCount is the least number of critical stories in the window for a non-zero score.
	// It keeps a handful of stories from ever alerting.
	MinCount int
	// PriorCount is the pseudo-count of critical stories added to the baseline, spread
	// over one extra window (config.TrendPriorCount).
	PriorCount float64
	// MinExpected is the floor of the expected count per window (config.TrendMinExpected).
	MinExpected float64
	// Programmes limits the result to these programme ids; nil means every programme found.
	Programmes []string
	// Region limits the result to mentions of one region (see RegionCondition): from
	// sources of this region (sources[].region), or about it when it is a Kemendagri code;
	// empty means every region.
	Region string
}

// filter returns the SQL conditions, each prefixed with AND, that Programmes and Region put
// on mentions.
func (o TrendOptions) filter() string {
	var f string
	if o.Programmes != nil {
		f += " AND programme IN " + stringList(o.Programmes)
	}
	if o.Region != "" {
		f += " AND " + RegionCondition(o.Region)
	}
	return f
}

// RegionCondition returns the SQL condition on articles or mentions of a region filter (as
// config.RegionFilter returns it): a Kemendagri code matches rows whose text names that region
// (a province's code also its regencies and cities, "13.71" under "13"); any other value
// matches rows from sources of that region (sources[].region).
func RegionCondition(region string) string {
	switch {
	case !regions.IsCode(region):
		return "region = " + quoteString(region)
	case strings.Contains(region, "."):
		return "has(regions, " + quoteString(region) + ")"
	}
	return "arrayExists(c -> c = " + quoteString(region) + " OR c LIKE " + quoteString(region+".%") + ", regions)"
}

// TrendOptionsFrom returns the trend options of the configuration: its min_count and
// the model's parameters (config.TrendWindows, TrendPriorCount, TrendMinExpected).
func TrendOptionsFrom(t config.Trends) TrendOptions {
	return TrendOptions{Windows: config.TrendWindows(), MinCount: t.MinCount,
		PriorCount: config.TrendPriorCount, MinExpected: config.TrendMinExpected}
}

// check refuses options with a parameter left at zero.
func (o TrendOptions) check() error {
	if len(o.Windows) == 0 || o.MinCount <= 0 || o.PriorCount <= 0 || o.MinExpected <= 0 {
		return fmt.Errorf("storage: trend options need windows and a positive min count, prior count and expected floor (got %d windows, %d, %g, %g): build them with TrendOptionsFrom",
			len(o.Windows), o.MinCount, o.PriorCount, o.MinExpected)
	}
	return nil
}

// Trend is the criticism trend of one programme in one window.
//
// Counts are stories: syndicated copies of an article (duplicate_of set) count once with
// their original, and a story falls in the window where its first copy was published.
type Trend struct {
	Programme string
	Unit      string // the unit of the programme's latest mention
	Window    string
	// Critical and Total are the critical and all stories in the recent window.
	Critical, Total uint64
	// BaselineCritical and BaselineTotal are the same counts over the baseline.
	BaselineCritical, BaselineTotal uint64
	// Expected is the baseline's critical stories per window length, after the prior
	// pseudo-count and the MinExpected floor.
	Expected float64
	// NegativeShare is Critical/Total (0 without stories); BaselineNegativeShare the same
	// over the baseline.
	NegativeShare, BaselineNegativeShare float64
	// Score is the surprise of Critical given Expected: the signed square root of the
	// Poisson deviance, sqrt(2·(x·ln(x/λ) − (x − λ))), a z-like number. It is 0 when
	// Critical is below MinCount or not above Expected.
	Score float64
}

// Trends computes the criticism trend of every programme with mentions in the longest
// baseline, for each window ending at now. The SQL runs on ClickHouse 18.16 and later.
// Rows are ordered by window (in opts order), then programme.
func Trends(ctx context.Context, q Querier, now time.Time, opts TrendOptions) ([]Trend, error) {
	return trends(ctx, q, now, opts, false)
}

// UnitTrends computes the same trends per responsible unit, over the stories of all of a
// unit's programmes; Trend.Programme is empty. A story about two programmes of one unit
// counts once.
func UnitTrends(ctx context.Context, q Querier, now time.Time, opts TrendOptions) ([]Trend, error) {
	return trends(ctx, q, now, opts, true)
}

func trends(ctx context.Context, q Querier, now time.Time, opts TrendOptions, byUnit bool) ([]Trend, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	var out []Trend
	for _, w := range opts.Windows {
		if w.Length <= 0 || w.Baseline <= 0 {
			return nil, fmt.Errorf("trends: window %q: length and baseline must be positive", w.Name)
		}
		res, err := q.Query(ctx, trendSQL(now, w, opts, byUnit))
		if err != nil {
			return nil, fmt.Errorf("trends for window %s: %w", w.Name, err)
		}
		rows, err := scanTrends(res, w.Name)
		if err != nil {
			return nil, fmt.Errorf("trends for window %s: %w", w.Name, err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// trendSQL is the query of one window. The inner query folds every copy of a story into
// one row (which also absorbs rows the ReplacingMergeTree has not merged yet); the outer
// one counts stories per programme in the window and in the baseline and scores them.
// With byUnit, stories are grouped by responsible unit instead: a unit trends when its
// programmes together draw more criticism than usual, even if none does alone.
func trendSQL(now time.Time, w TrendWindow, o TrendOptions, byUnit bool) string {
	end := now.Unix()
	start := now.Add(-w.Length).Unix()
	baseStart := now.Add(-w.Length - w.Baseline).Unix()
	filter := o.filter()
	key, inner, unit := "programme", "programme", "argMax(story_unit, first_published)"
	if byUnit {
		key, inner, unit = "'' AS programme", "unit", "unit"
	}
	return fmt.Sprintf(`SELECT
    %[7]s,
    %[9]s AS unit,
    toUInt64(countIf(first_published > toDateTime(%[2]d) AND critical = 1)) AS critical_recent,
    toUInt64(countIf(first_published > toDateTime(%[2]d))) AS total_recent,
    toUInt64(countIf(first_published <= toDateTime(%[2]d) AND critical = 1)) AS critical_baseline,
    toUInt64(countIf(first_published <= toDateTime(%[2]d))) AS total_baseline,
    %[4]s AS expected,
    if(total_recent = 0, 0, critical_recent / total_recent) AS share_recent,
    if(total_baseline = 0, 0, critical_baseline / total_baseline) AS share_baseline,
    %[5]s AS score
FROM
(
    SELECT
        %[8]s,
        if(duplicate_of = 0, url_hash, duplicate_of) AS story,
        argMin(unit, published_at) AS story_unit,
        min(published_at) AS first_published,
        max(criticism) AS critical
    FROM mentions FINAL
    WHERE published_at > toDateTime(%[3]d) AND published_at <= toDateTime(%[1]d)%[6]s
    GROUP BY %[8]s, story
)
GROUP BY %[8]s
ORDER BY %[8]s`,
		end, start, baseStart, expectedSQL("critical_baseline", w, o), scoreSQL("critical_recent", "expected", o), filter,
		key, inner, unit)
}

// expectedSQL is the SQL of Trend.Expected for a baseline count column: the baseline's
// count plus the prior pseudo-count, spread over the baseline's windows and one more,
// floored at MinExpected.
func expectedSQL(baseline string, w TrendWindow, o TrendOptions) string {
	perWindow := w.Baseline.Seconds() / w.Length.Seconds()
	return fmt.Sprintf("greatest((%s + %s) / (%s + 1), %s)", baseline, floatLit(o.PriorCount), floatLit(perWindow), floatLit(o.MinExpected))
}

// scoreSQL is the SQL of Trend.Score for a recent count and an expected count: the signed
// square root of the Poisson deviance, 0 below MinCount or at most the expected count.
func scoreSQL(recent, expected string, o TrendOptions) string {
	return fmt.Sprintf(`if(%[1]s >= %[3]d AND %[1]s > %[2]s,
       sqrt(2 * (%[1]s * log(%[1]s / %[2]s) - (%[1]s - %[2]s))),
       0)`, recent, expected, o.MinCount)
}

// scanTrends converts the rows of trendSQL.
func scanTrends(res *Result, window string) ([]Trend, error) {
	c, err := newColumns(res, "programme", "unit", "critical_recent", "total_recent", "critical_baseline",
		"total_baseline", "expected", "share_recent", "share_baseline", "score")
	if err != nil {
		return nil, err
	}
	out := make([]Trend, 0, len(res.Rows))
	for _, r := range res.Rows {
		t := Trend{
			Programme:             c.str(r, "programme"),
			Unit:                  c.str(r, "unit"),
			Window:                window,
			Critical:              c.uint(r, "critical_recent"),
			Total:                 c.uint(r, "total_recent"),
			BaselineCritical:      c.uint(r, "critical_baseline"),
			BaselineTotal:         c.uint(r, "total_baseline"),
			Expected:              c.float(r, "expected"),
			NegativeShare:         c.float(r, "share_recent"),
			BaselineNegativeShare: c.float(r, "share_baseline"),
			Score:                 c.float(r, "score"),
		}
		if math.IsNaN(t.Score) || math.IsInf(t.Score, 0) {
			t.Score = 0
		}
		out = append(out, t)
	}
	return out, c.err
}

// resultColumns reads Result rows by column name, keeping the first conversion error.
type resultColumns struct {
	idx map[string]int
	err error
}

func newColumns(res *Result, want ...string) (*resultColumns, error) {
	c := &resultColumns{idx: make(map[string]int, len(res.Columns))}
	for i, col := range res.Columns {
		c.idx[col.Name] = i
	}
	for _, w := range want {
		if _, ok := c.idx[w]; !ok {
			return nil, fmt.Errorf("result lacks column %s", w)
		}
	}
	return c, nil
}

func (c *resultColumns) fail(name string, v any, want string) {
	if c.err == nil {
		c.err = fmt.Errorf("column %s: want %s, got %T", name, want, v)
	}
}

func (c *resultColumns) str(r []any, name string) string {
	v, ok := r[c.idx[name]].(string)
	if !ok {
		c.fail(name, r[c.idx[name]], "string")
	}
	return v
}

func (c *resultColumns) uint(r []any, name string) uint64 {
	switch v := r[c.idx[name]].(type) {
	case uint64:
		return v
	case int64:
		if v >= 0 {
			return uint64(v)
		}
	}
	c.fail(name, r[c.idx[name]], "unsigned integer")
	return 0
}

func (c *resultColumns) float(r []any, name string) float64 {
	switch v := r[c.idx[name]].(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	case uint64:
		return float64(v)
	case int64:
		return float64(v)
	}
	c.fail(name, r[c.idx[name]], "number")
	return 0
}

func (c *resultColumns) time(r []any, name string) time.Time {
	v, ok := r[c.idx[name]].(time.Time)
	if !ok {
		c.fail(name, r[c.idx[name]], "time")
	}
	if v.Equal(epoch) {
		return time.Time{}
	}
	return v.UTC()
}

// literal quotes s as a ClickHouse string literal.
func literal(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// stringList returns ('a', 'b') for IN, sorted; (”) for an empty list, which matches no id.
func stringList(ss []string) string {
	ss = slices.Sorted(slices.Values(ss))
	if len(ss) == 0 {
		return "('')"
	}
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = literal(s)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// floatLit formats f as a Float64 SQL literal.
func floatLit(f float64) string {
	return "toFloat64(" + strconv.FormatFloat(f, 'g', -1, 64) + ")"
}
