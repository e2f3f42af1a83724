package storage

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/regions"
)

// ReportOptions tunes ResponseReport; ReportOptionsFrom builds them from the configuration.
type ReportOptions struct {
	// Window is how far back the report looks.
	Window time.Duration
	// Reach weighs each source's audience (from the sources configuration); a source
	// missing from the map weighs DefaultReach.
	Reach map[string]float64
	// DefaultReach is the weight of a source without a reach.
	DefaultReach float64
	// Articles is the number of critical articles shown per programme.
	Articles int
	// Limit is the number of programmes in the report.
	Limit int
	// Regions is the number of regions named per programme.
	Regions int
	// Names maps programme ids to display names; optional.
	Names map[string]string
	// Trend configures the spike component; its Programmes and Region also limit the report.
	Trend TrendOptions
	// TrendThreshold is the trend score at which a programme counts as trending.
	TrendThreshold float64
	// ResponseWindow is the recent span in which the report looks for the start of the
	// current critical wave; coverage after that start counts as a response. It is capped
	// at Window.
	ResponseWindow time.Duration
}

// ReportOptionsFrom returns the report options of the configuration's trends section
// and the report's parameters (config.ReportWindow and the others); Reach and Names are
// the caller's.
func ReportOptionsFrom(t config.Trends) ReportOptions {
	return ReportOptions{Window: config.ReportWindow, DefaultReach: config.DefaultReach,
		Articles: config.ReportArticles, Limit: config.ReportLimit, Regions: config.ReportRegions,
		Trend: TrendOptionsFrom(t), TrendThreshold: config.TrendThreshold, ResponseWindow: config.ReportResponseWindow}
}

// check refuses options with a parameter left at zero.
func (o ReportOptions) check() error {
	if o.Window <= 0 || o.DefaultReach <= 0 || o.Articles <= 0 || o.Limit <= 0 || o.Regions <= 0 || o.TrendThreshold <= 0 || o.ResponseWindow <= 0 {
		return fmt.Errorf("storage: report options need a positive window, default reach, articles, limit, regions, trend threshold and response window (got %+v): build them with ReportOptionsFrom", o)
	}
	return o.Trend.check()
}

// Report is the ranked list of programmes that need a public response.
type Report struct {
	GeneratedAt time.Time     `json:"generated_at"`
	Window      time.Duration `json:"-"`
	// WindowSeconds is Window in seconds, for JSON readers.
	WindowSeconds  int64   `json:"window_seconds"`
	TrendThreshold float64 `json:"trend_threshold"`
	// Region is the region the report is limited to; empty for every region.
	Region string       `json:"region,omitempty"`
	Items  []ReportItem `json:"items"`
}

// ReportItem is one programme of the report with the components of its priority.
//
// Priority = (1 + Spike) × √CriticalReach ÷ (1 + Responses): criticism that is surprising,
// carried by far-reaching outlets (syndicated copies add their outlet's reach) and not yet
// followed by clarifying or positive coverage comes first. The square root keeps a steady
// stream of minor critical stories from outranking a fresh spike.
type ReportItem struct {
	Rank      int     `json:"rank"`
	Programme string  `json:"programme"`
	Name      string  `json:"name,omitempty"`
	Unit      string  `json:"unit"`
	Priority  float64 `json:"priority"`
	// Spike is the highest trend score over the trend windows, and SpikeWindow its window.
	Spike       float64 `json:"spike"`
	SpikeWindow string  `json:"spike_window,omitempty"`
	// Trending reports Spike at or above the trend threshold.
	Trending bool `json:"trending"`
	// CriticalStories and Stories count stories in the window (copies once).
	CriticalStories uint64 `json:"critical_stories"`
	Stories         uint64 `json:"stories"`
	// CriticalReach sums the reach of every outlet that carried a critical story, copies included.
	CriticalReach float64 `json:"critical_reach"`
	// Responses counts the stories after the start of the current critical wave (the first
	// critical story within ResponseWindow, else the first in Window) that were positive
	// (1 each) or neutral (½ each): coverage that may already answer the criticism.
	Responses     float64         `json:"responses"`
	FirstCritical time.Time       `json:"first_critical"`
	LastCritical  time.Time       `json:"last_critical"`
	Articles      []ReportArticle `json:"articles"`
	// Regions are the provinces and regencies/cities the critical stories name most, with how
	// many stories name each (ReportOptions.Regions at most).
	Regions []ReportRegion `json:"regions"`
}

// ReportRegion is a region named in a programme's critical stories.
type ReportRegion struct {
	Code            string `json:"code"` // Kemendagri code
	Name            string `json:"name"` // as idn-area-data writes it
	CriticalStories uint64 `json:"critical_stories"`
}

// ReportArticle is a critical article of a report item.
type ReportArticle struct {
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Snippet   string    `json:"snippet"`
	Published time.Time `json:"published"`
	// Copies is the number of syndicated copies in other outlets; Reach sums the reach of
	// the outlet and its copies.
	Copies uint64  `json:"copies"`
	Reach  float64 `json:"reach"`
}

// ResponseReport ranks the programmes with critical coverage in the window ending at now by
// how much they need a public answer, each with its unit and top critical articles. The SQL
// runs on ClickHouse 18.16 and later.
func ResponseReport(ctx context.Context, q Querier, now time.Time, opts ReportOptions) (*Report, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	opts.ResponseWindow = min(opts.ResponseWindow, opts.Window)
	rep := &Report{GeneratedAt: now.UTC(), Window: opts.Window, WindowSeconds: int64(opts.Window.Seconds()), TrendThreshold: opts.TrendThreshold, Region: opts.Trend.Region}

	res, err := q.Query(ctx, reportSummarySQL(now, opts))
	if err != nil {
		return nil, fmt.Errorf("response report: %w", err)
	}
	items, err := scanReportItems(res)
	if err != nil {
		return nil, fmt.Errorf("response report: %w", err)
	}
	if len(items) == 0 {
		rep.Items = []ReportItem{}
		return rep, nil
	}

	trends, err := Trends(ctx, q, now, opts.Trend)
	if err != nil {
		return nil, fmt.Errorf("response report: %w", err)
	}
	spike := map[string]Trend{}
	for _, t := range trends {
		if cur, ok := spike[t.Programme]; !ok || t.Score > cur.Score {
			spike[t.Programme] = t
		}
	}
	for i := range items {
		it := &items[i]
		if t, ok := spike[it.Programme]; ok {
			it.Spike, it.SpikeWindow = t.Score, t.Window
		}
		it.Trending = it.Spike >= opts.TrendThreshold
		it.Name = opts.Names[it.Programme]
		it.Priority = (1 + it.Spike) * math.Sqrt(it.CriticalReach) / (1 + it.Responses)
	}
	slices.SortStableFunc(items, func(a, b ReportItem) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(b.CriticalStories, a.CriticalStories), cmp.Compare(a.Programme, b.Programme))
	})
	if len(items) > opts.Limit {
		items = items[:opts.Limit]
	}

	programmes := make([]string, len(items))
	for i, it := range items {
		programmes[i] = it.Programme
	}
	res, err = q.Query(ctx, reportArticlesSQL(now, opts, programmes))
	if err != nil {
		return nil, fmt.Errorf("response report articles: %w", err)
	}
	articles, err := scanReportArticles(res)
	if err != nil {
		return nil, fmt.Errorf("response report articles: %w", err)
	}
	res, err = q.Query(ctx, reportRegionsSQL(now, opts, programmes))
	if err != nil {
		return nil, fmt.Errorf("response report regions: %w", err)
	}
	named, err := scanReportRegions(res)
	if err != nil {
		return nil, fmt.Errorf("response report regions: %w", err)
	}
	for i := range items {
		items[i].Rank = i + 1
		items[i].Regions = named[items[i].Programme]
		if items[i].Regions == nil {
			items[i].Regions = []ReportRegion{}
		}
		items[i].Articles = articles[items[i].Programme]
		if items[i].Articles == nil {
			items[i].Articles = []ReportArticle{}
		}
	}
	rep.Items = items
	return rep, nil
}

// reachExpr is the SQL expression of a source's reach: transform() over the configured map.
func reachExpr(column string, o ReportOptions) string {
	if len(o.Reach) == 0 {
		return floatLit(o.DefaultReach)
	}
	keys := slices.Sorted(maps.Keys(o.Reach))
	names := make([]string, len(keys))
	weights := make([]string, len(keys))
	for i, k := range keys {
		names[i] = literal(k)
		weights[i] = floatLit(max(o.Reach[k], 0))
	}
	return fmt.Sprintf("transform(%s, [%s], [%s], %s)", column, strings.Join(names, ", "), strings.Join(weights, ", "), floatLit(o.DefaultReach))
}

// reportSummarySQL sums each programme's coverage in the window. The inner query has one
// row per mention (LIMIT BY drops rows the ReplacingMergeTree has not merged yet); stories
// are counted once by their original's url_hash, reach is summed over every copy.
func reportSummarySQL(now time.Time, o ReportOptions) string {
	return fmt.Sprintf(`SELECT
    programme,
    argMax(mention_unit, published) AS unit,
    uniqExact(story) AS stories,
    uniqExactIf(story, critical = 1) AS critical_stories,
    sumIf(reach, critical = 1) AS critical_reach,
    minIf(published, critical = 1) AS first_critical,
    maxIf(published, critical = 1) AS last_critical,
    minIf(published, critical = 1 AND published > toDateTime(%[5]d)) AS wave_first,
    if(wave_first > toDateTime(0), wave_first, first_critical) AS wave_start,
    groupUniqArrayIf(tuple(story, published, stance), critical = 0 AND stance IN ('positive', 'neutral')) AS answers,
    arraySum(arrayMap(a -> if(tupleElement(a, 3) = 'positive', 1, 0.5), arrayFilter(a -> tupleElement(a, 2) > wave_start, answers))) AS responses
FROM
(
    SELECT
        programme,
        unit AS mention_unit,
        if(duplicate_of = 0, url_hash, duplicate_of) AS story,
        %[3]s AS reach,
        published_at AS published,
        label AS stance,
        criticism AS critical
    FROM mentions FINAL
    WHERE published_at > toDateTime(%[2]d) AND published_at <= toDateTime(%[1]d)%[4]s
    LIMIT 1 BY url_hash, programme
)
GROUP BY programme
HAVING critical_stories > 0
ORDER BY programme`, now.Unix(), now.Add(-o.Window).Unix(), reachExpr("source", o), o.Trend.filter(), now.Add(-o.ResponseWindow).Unix())
}

func scanReportItems(res *Result) ([]ReportItem, error) {
	c, err := newColumns(res, "programme", "unit", "stories", "critical_stories", "critical_reach", "first_critical", "last_critical", "responses")
	if err != nil {
		return nil, err
	}
	out := make([]ReportItem, 0, len(res.Rows))
	for _, r := range res.Rows {
		out = append(out, ReportItem{
			Programme:       c.str(r, "programme"),
			Unit:            c.str(r, "unit"),
			Stories:         c.uint(r, "stories"),
			CriticalStories: c.uint(r, "critical_stories"),
			CriticalReach:   c.float(r, "critical_reach"),
			FirstCritical:   c.time(r, "first_critical"),
			LastCritical:    c.time(r, "last_critical"),
			Responses:       c.float(r, "responses"),
		})
	}
	return out, c.err
}

// reportArticlesSQL picks each programme's top critical stories in the window by reach,
// then recency, shown by their original when it was stored (else the earliest copy).
// LIMIT BY keeps it free of window functions, which 18.16 lacks. GLOBAL IN runs the subquery
// once over a cluster's Distributed tables (on one server it is a plain IN).
func reportArticlesSQL(now time.Time, o ReportOptions, programmes []string) string {
	return fmt.Sprintf(`SELECT programme, shown_hash, source, snippet, published, copies, reach, title, url
FROM
(
    SELECT
        programme,
        story,
        argMin(url_hash, shown_key) AS shown_hash,
        argMin(source, shown_key) AS source,
        argMin(snippet, shown_key) AS snippet,
        min(published_at) AS published,
        toUInt64(uniqExact(url_hash) - 1) AS copies,
        sum(source_reach) AS reach
    FROM
    (
        SELECT programme, url_hash, if(duplicate_of = 0, url_hash, duplicate_of) AS story, duplicate_of,
               source, snippet, published_at, %[3]s AS source_reach,
               (duplicate_of != 0) * 4294967296 + toUInt32(published_at) AS shown_key
        FROM mentions FINAL
        WHERE criticism = 1 AND published_at > toDateTime(%[2]d) AND published_at <= toDateTime(%[1]d)
          AND programme IN %[4]s%[6]s
        LIMIT 1 BY url_hash, programme
    )
    GROUP BY programme, story
) AS s
ANY LEFT JOIN
(
    SELECT url_hash AS shown_hash, argMax(title, inserted_at) AS title, argMax(canonical_url, inserted_at) AS url
    FROM articles
    WHERE url_hash GLOBAL IN
    (
        SELECT url_hash FROM mentions
        WHERE criticism = 1 AND published_at > toDateTime(%[2]d) AND published_at <= toDateTime(%[1]d) AND programme IN %[4]s
    )
    GROUP BY url_hash
) AS a USING shown_hash
ORDER BY programme, reach DESC, published DESC, shown_hash
LIMIT %[5]d BY programme`, now.Unix(), now.Add(-o.Window).Unix(), reachExpr("source", o), stringList(programmes), o.Articles, o.Trend.filter())
}

// reportRegionsSQL counts, per programme, the critical stories in the window naming each
// region (mentions.regions), and keeps the regions named most: a regency before its province
// when both are named as often.
func reportRegionsSQL(now time.Time, o ReportOptions, programmes []string) string {
	return fmt.Sprintf(`SELECT programme, code, toUInt64(uniqExact(story)) AS critical_stories
FROM
(
    SELECT programme, if(duplicate_of = 0, url_hash, duplicate_of) AS story, arrayJoin(regions) AS code
    FROM mentions FINAL
    WHERE criticism = 1 AND published_at > toDateTime(%[2]d) AND published_at <= toDateTime(%[1]d)
      AND programme IN %[3]s%[5]s
)
GROUP BY programme, code
ORDER BY programme, critical_stories DESC, length(code) DESC, code
LIMIT %[4]d BY programme`, now.Unix(), now.Add(-o.Window).Unix(), stringList(programmes), o.Regions, o.Trend.filter())
}

func scanReportRegions(res *Result) (map[string][]ReportRegion, error) {
	c, err := newColumns(res, "programme", "code", "critical_stories")
	if err != nil {
		return nil, err
	}
	out := map[string][]ReportRegion{}
	for _, r := range res.Rows {
		p := c.str(r, "programme")
		reg := ReportRegion{Code: c.str(r, "code"), CriticalStories: c.uint(r, "critical_stories")}
		if g, ok := regions.Default().Lookup(reg.Code); ok {
			reg.Name = g.Name
		} else {
			reg.Name = reg.Code // a code of a newer gazetteer than this Pantau's
		}
		out[p] = append(out[p], reg)
	}
	return out, c.err
}

func scanReportArticles(res *Result) (map[string][]ReportArticle, error) {
	c, err := newColumns(res, "programme", "source", "snippet", "published", "copies", "reach", "title", "url")
	if err != nil {
		return nil, err
	}
	out := map[string][]ReportArticle{}
	for _, r := range res.Rows {
		p := c.str(r, "programme")
		a := ReportArticle{
			Title:     c.str(r, "title"),
			URL:       c.str(r, "url"),
			Source:    c.str(r, "source"),
			Snippet:   c.str(r, "snippet"),
			Published: c.time(r, "published"),
			Copies:    c.uint(r, "copies"),
			Reach:     c.float(r, "reach"),
		}
		if math.IsNaN(a.Reach) {
			a.Reach = 0
		}
		out[p] = append(out[p], a)
	}
	return out, c.err
}
