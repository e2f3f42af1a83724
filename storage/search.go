package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SearchLabels are the mention labels a search may filter on; LabelCritical selects
// mentions flagged as criticism.
var SearchLabels = []string{"negative", "neutral", "positive", LabelCritical}

// LabelCritical is the search label of mentions flagged as criticism.
const LabelCritical = "critical"

// SearchFilter selects the stored articles a search looks at. Every value is quoted into
// the SQL as a literal; none is SQL.
type SearchFilter struct {
	// From and To bound published_at to [From, To); both are required.
	From, To time.Time
	// Programme keeps articles with a mention of this programme; empty keeps all.
	Programme string
	// Region keeps articles of one region (see RegionCondition): from sources of this
	// region, or about it when it is a Kemendagri code; empty keeps all.
	Region string
	// Label keeps articles with a mention of this label (of Programme when set): one of
	// SearchLabels; empty keeps all.
	Label string
	// Required is a pre-filter: every inner list holds words one of which must occur in
	// the title or text, as a case-insensitive substring (taxonomy.Query.Required).
	Required [][]string
}

// SearchCursor is where a page of SearchArticles starts: after the article published at
// Published with url_hash URLHash, newest first. The zero cursor starts at the newest.
type SearchCursor struct {
	Published time.Time
	URLHash   uint64
}

// SearchArticles returns up to limit stored articles f selects, newest first (ties by
// url_hash, descending), after cursor; each carries its programmes. The SQL runs on
// ClickHouse 18.16 and later.
func SearchArticles(ctx context.Context, q Querier, f SearchFilter, after SearchCursor, limit int) ([]SearchArticle, error) {
	where, err := f.where()
	if err != nil {
		return nil, err
	}
	if !after.Published.IsZero() {
		t := after.Published.Unix()
		where = append(where, fmt.Sprintf("(published_at < toDateTime(%d) OR (published_at = toDateTime(%d) AND url_hash < %d))", t, t, after.URLHash))
	}
	res, err := q.Query(ctx, fmt.Sprintf(`SELECT url_hash, canonical_url, source, title, text, published_at, duplicate_of, sentiment,
    programmes
FROM
(
    SELECT url_hash, canonical_url, source, title, text, published_at, duplicate_of, sentiment
    FROM articles FINAL
    WHERE %s
    ORDER BY published_at DESC, url_hash DESC
    LIMIT %d
) AS a
ANY LEFT JOIN
(
    SELECT url_hash, groupUniqArray(programme) AS programmes FROM mentions
    WHERE published_at >= toDateTime(%d) AND published_at < toDateTime(%d)
    GROUP BY url_hash
) AS m USING url_hash
ORDER BY published_at DESC, url_hash DESC`, strings.Join(where, "\n      AND "), limit, f.From.Unix(), f.To.Unix()))
	if err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	c, err := newColumns(res, "url_hash", "canonical_url", "source", "title", "text", "published_at", "duplicate_of", "sentiment", "programmes")
	if err != nil {
		return nil, fmt.Errorf("search articles: %w", err)
	}
	out := make([]SearchArticle, 0, len(res.Rows))
	for _, r := range res.Rows {
		a := SearchArticle{
			URLHash: c.uint(r, "url_hash"), URL: c.str(r, "canonical_url"), Source: c.str(r, "source"),
			Title: c.str(r, "title"), Text: c.str(r, "text"), Published: c.time(r, "published_at"),
			DuplicateOf: c.uint(r, "duplicate_of"), Sentiment: c.str(r, "sentiment"),
		}
		if list, ok := r[c.idx["programmes"]].([]any); ok {
			for _, p := range list {
				if s, ok := p.(string); ok {
					a.Programmes = append(a.Programmes, s)
				}
			}
		}
		out = append(out, a)
	}
	if c.err != nil {
		return nil, fmt.Errorf("search articles: %w", c.err)
	}
	return out, nil
}

// SearchArticle is a stored article as a search reads it.
type SearchArticle struct {
	URLHash     uint64
	URL         string // the canonical URL
	Source      string
	Title       string
	Text        string
	Published   time.Time
	DuplicateOf uint64
	Sentiment   string
	Programmes  []string // the programmes it mentions, in no particular order
}

// where returns the conditions of f.
func (f SearchFilter) where() ([]string, error) {
	if f.From.IsZero() || f.To.IsZero() || !f.From.Before(f.To) {
		return nil, fmt.Errorf("search articles: time range [%s, %s) is empty or unbounded", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	where := []string{fmt.Sprintf("published_at >= toDateTime(%d) AND published_at < toDateTime(%d)", f.From.Unix(), f.To.Unix())}
	if f.Region != "" {
		where = append(where, RegionCondition(f.Region))
	}
	if f.Programme != "" || f.Label != "" {
		var conds []string
		if f.Programme != "" {
			conds = append(conds, "programme = "+literal(f.Programme))
		}
		switch f.Label {
		case "":
		case LabelCritical:
			conds = append(conds, "criticism = 1")
		case "negative", "neutral", "positive":
			conds = append(conds, "label = "+literal(f.Label))
		default:
			return nil, fmt.Errorf("search articles: label %q: want one of %s", f.Label, strings.Join(SearchLabels, ", "))
		}
		// FINAL: a re-analysed mention counts by its latest judgement.
		where = append(where, fmt.Sprintf("url_hash IN (SELECT url_hash FROM mentions FINAL WHERE published_at >= toDateTime(%d) AND published_at < toDateTime(%d) AND %s)",
			f.From.Unix(), f.To.Unix(), strings.Join(conds, " AND ")))
	}
	for _, anyOf := range f.Required {
		if len(anyOf) == 0 {
			continue
		}
		alts := make([]string, 0, 2*len(anyOf))
		for _, w := range anyOf {
			alts = append(alts, "positionCaseInsensitiveUTF8(title, "+literal(w)+") > 0", "positionCaseInsensitiveUTF8(text, "+literal(w)+") > 0")
		}
		where = append(where, "("+strings.Join(alts, " OR ")+")")
	}
	return where, nil
}
