package storage

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Kinds of story a digest lists.
const (
	StoriesCritical = "critical" // mentions flagged as criticism
	StoriesPositive = "positive" // mentions with a positive stance
)

// StoryQuery selects the stories of a digest section.
type StoryQuery struct {
	From, To   time.Time // published_at in (From, To]
	Programmes []string  // the unit's programmes
	Kind       string    // StoriesCritical or StoriesPositive
	Limit      int       // the most stories listed; positive
	// Reach weighs each outlet (from the sources configuration); DefaultReach (positive,
	// config.DefaultReach) weighs one without.
	Reach        map[string]float64
	DefaultReach float64
}

// Story is one story of a digest: shown by its original when stored (else its earliest
// copy), with the outlets that carried it.
type Story struct {
	URLHash    uint64    `json:"url_hash,string"`
	Title      string    `json:"title"`
	URL        string    `json:"url"`
	Source     string    `json:"source"`
	Snippet    string    `json:"snippet"`
	Published  time.Time `json:"published"`
	Programmes []string  `json:"programmes"`
	// Outlets are the sources that carried the story, the shown one included.
	Outlets []string `json:"outlets"`
	// Reach sums the configured reach of every article of the story (original and copies).
	Reach float64 `json:"reach"`
}

// Stories returns the stories sq selects, by reach then recency. A story about several of
// the programmes is listed once. The SQL runs on ClickHouse 18.16 and later.
func Stories(ctx context.Context, q Querier, sq StoryQuery) ([]Story, error) {
	if sq.Limit <= 0 || sq.DefaultReach <= 0 {
		return nil, fmt.Errorf("stories: limit %d and default reach %g must be positive", sq.Limit, sq.DefaultReach)
	}
	var cond string
	switch sq.Kind {
	case StoriesCritical:
		cond = "criticism = 1"
	case StoriesPositive:
		cond = "label = 'positive' AND criticism = 0"
	default:
		return nil, fmt.Errorf("stories: kind %q: want %s or %s", sq.Kind, StoriesCritical, StoriesPositive)
	}
	where := fmt.Sprintf("%s AND published_at > toDateTime(%d) AND published_at <= toDateTime(%d) AND programme IN %s",
		cond, sq.From.Unix(), sq.To.Unix(), stringList(sq.Programmes))
	res, err := q.Query(ctx, storiesSQL(where, reachExpr("source", ReportOptions{Reach: sq.Reach, DefaultReach: sq.DefaultReach}), sq.Limit))
	if err != nil {
		return nil, fmt.Errorf("%s stories: %w", sq.Kind, err)
	}
	c, err := newColumns(res, "shown_hash", "title", "url", "source", "snippet", "published", "programmes", "outlets", "reach")
	if err != nil {
		return nil, fmt.Errorf("%s stories: %w", sq.Kind, err)
	}
	out := make([]Story, 0, len(res.Rows))
	for _, r := range res.Rows {
		s := Story{
			URLHash: c.uint(r, "shown_hash"), Title: c.str(r, "title"), URL: c.str(r, "url"), Source: c.str(r, "source"),
			Snippet: c.str(r, "snippet"), Published: c.time(r, "published"),
			Programmes: stringArray(r[c.idx["programmes"]]), Outlets: stringArray(r[c.idx["outlets"]]), Reach: c.float(r, "reach"),
		}
		if math.IsNaN(s.Reach) {
			s.Reach = 0
		}
		out = append(out, s)
	}
	return out, c.err
}

// stringArray converts an Array(String) value.
func stringArray(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, x := range a {
		out = append(out, asString(x))
	}
	return out
}

// storiesSQL folds the mentions where selects into stories: per article first (one row per
// article, whatever its programmes), then per story (the original's url_hash), joined to
// the shown article's title and URL.
func storiesSQL(where, reach string, limit int) string {
	return fmt.Sprintf(`SELECT shown_hash, title, url, source, snippet, published, programmes, outlets, reach
FROM
(
    SELECT
        if(dup = 0, url_hash, dup) AS story,
        argMin(url_hash, shown_key) AS shown_hash,
        argMin(art_source, shown_key) AS source,
        argMin(art_snippet, shown_key) AS snippet,
        min(art_published) AS published,
        arraySort(groupUniqArrayArray(art_programmes)) AS programmes,
        arraySort(groupUniqArray(art_source)) AS outlets,
        sum(art_reach) AS reach
    FROM
    (
        SELECT
            url_hash,
            any(duplicate_of) AS dup,
            any(source) AS art_source,
            any(snippet) AS art_snippet,
            min(published_at) AS art_published,
            groupUniqArray(programme) AS art_programmes,
            any(%[2]s) AS art_reach,
            (dup != 0) * 4294967296 + toUInt32(art_published) AS shown_key
        FROM mentions FINAL
        WHERE %[1]s
        GROUP BY url_hash
    )
    GROUP BY story
) AS s
ANY LEFT JOIN
(
    SELECT url_hash AS shown_hash, argMax(title, inserted_at) AS title, argMax(canonical_url, inserted_at) AS url
    FROM articles
    WHERE url_hash GLOBAL IN (SELECT url_hash FROM mentions WHERE %[1]s)
    GROUP BY url_hash
) AS a USING shown_hash
ORDER BY reach DESC, published DESC, shown_hash
LIMIT %[3]d`, where, reach, limit)
}

// DigestDeliveriesTable records the daily clipping's deliveries (migration 0006).
const DigestDeliveriesTable = "digest_deliveries"

// DigestDelivery is one delivery of a unit's digest of one day over one channel.
type DigestDelivery struct {
	UnitID  string
	Day     time.Time // the day: its date in its own location
	Channel string    // e.g. "email" or "webhook"
	Target  string    // the channel's configured name
	Stories int
	SentAt  time.Time
}

// dayDate returns the date of day in its own location, YYYY-MM-DD, the value of the day column.
func dayDate(day time.Time) string { return day.Format(time.DateOnly) }

// DigestDelivered reports whether the unit's digest of day went out over channel to target.
// day's date is read in its own location.
func DigestDelivered(ctx context.Context, q Querier, unitID string, day time.Time, channel, target string) (bool, error) {
	res, err := q.Query(ctx, fmt.Sprintf(
		"SELECT count() FROM digest_deliveries WHERE unit_id = %s AND day = %s AND channel = %s AND target = %s",
		quoteString(unitID), quoteString(dayDate(day)), quoteString(channel), quoteString(target)))
	if err != nil {
		return false, fmt.Errorf("digest delivered: %w", err)
	}
	return asUint(res.Rows[0][0]) > 0, nil
}

var digestDeliverySchema = newSchema(DigestDeliveriesTable,
	"unit_id String", "day String", "channel String", "target String", "stories UInt32", "sent_at DateTime")

// Table returns DigestDeliveriesTable.
func (DigestDelivery) Table() string   { return DigestDeliveriesTable }
func (DigestDelivery) schema() *schema { return digestDeliverySchema }

func (d DigestDelivery) appendTo(r *row) {
	sent := d.SentAt
	if sent.IsZero() {
		sent = time.Now()
	}
	r.str(d.UnitID)
	r.str(dayDate(d.Day))
	r.str(d.Channel)
	r.str(d.Target)
	r.u32(uint32(max(d.Stories, 0)))
	r.time(sent)
}

// RecordDigestDelivery stores that a digest went out; call it after the channel confirmed it.
func RecordDigestDelivery(ctx context.Context, ins Inserter, d DigestDelivery) error {
	if err := InsertRows(ctx, ins, d); err != nil {
		return fmt.Errorf("record digest delivery: %w", err)
	}
	return nil
}
