// Package search finds stored articles with the taxonomy's query language (AND, OR, NOT,
// NEAR/n, phrases, prefix*, title:/body:) and marks the matched terms in a snippet.
//
// The query is parsed by Pantau and never handed to ClickHouse: the store only gets a
// pre-filter built from it (words that must occur, quoted as string literals), the time
// range and the programme and label filters; the exact query is evaluated in Go on each
// candidate article, with the sentences the analyzer cuts. The work is bounded by the
// time range, the number of results and the number of candidates read.
package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// Bounds of Options.
const (
	MaxRange = 366 * 24 * time.Hour
	MaxLimit = 1000
	// Pages of candidates grow from firstPage to maxPage articles: a search that stops at
	// the limit reads little, one that reads many takes few queries.
	firstPage = 200
	maxPage   = 3200
)

// Options selects what a search looks at; OptionsFor builds them.
type Options struct {
	// From and To bound the publication time to [From, To). The range may not exceed MaxRange.
	From, To time.Time
	// Programme and Label keep articles with a mention of the programme and/or the label
	// (negative, neutral, positive or critical); empty keeps all.
	Programme, Label string
	// Region keeps articles from sources of this region (sources[].region), or about this
	// region when it names an Indonesian province, regency or city (config.RegionFilter);
	// empty keeps all.
	Region string
	// Limit is the most results returned, at most MaxLimit.
	Limit int
	// ReadCap is the most candidate articles read from the store. A search that reaches it
	// returns what it found with Result.Truncated set.
	ReadCap int
}

// OptionsFor returns the options of a search of [from, to): a zero to means now, a zero
// from config.SearchRange before to; the limit and read cap are config's.
func OptionsFor(from, to, now time.Time) Options {
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.Add(-config.SearchRange)
	}
	return Options{From: from, To: to, Limit: config.SearchLimit, ReadCap: config.SearchReadCap}
}

// ErrOptions reports search options that are out of bounds.
var ErrOptions = errors.New("search: bad options")

func (o Options) resolve() (Options, error) {
	switch {
	case o.From.IsZero() || o.To.IsZero():
		return o, fmt.Errorf("%w: From and To must be set (got %s, %s): build the options with OptionsFor", ErrOptions, o.From, o.To)
	case o.Limit == 0 || o.ReadCap == 0:
		return o, fmt.Errorf("%w: Limit and ReadCap must be set (got %d, %d): build the options with OptionsFor", ErrOptions, o.Limit, o.ReadCap)
	case !o.From.Before(o.To):
		return o, fmt.Errorf("%w: from %s is not before to %s", ErrOptions, o.From.Format(time.RFC3339), o.To.Format(time.RFC3339))
	case o.To.Sub(o.From) > MaxRange:
		return o, fmt.Errorf("%w: range %s to %s is longer than %d days", ErrOptions, o.From.Format(time.DateOnly), o.To.Format(time.DateOnly), MaxRange/(24*time.Hour))
	case o.Limit < 1 || o.Limit > MaxLimit:
		return o, fmt.Errorf("%w: limit %d: want 1 to %d", ErrOptions, o.Limit, MaxLimit)
	case o.ReadCap < 1:
		return o, fmt.Errorf("%w: read cap %d is negative", ErrOptions, o.ReadCap)
	}
	if o.Region != "" {
		r, err := config.RegionFilter(o.Region)
		if err != nil {
			return o, fmt.Errorf("%w: %v", ErrOptions, err)
		}
		o.Region = r
	}
	if o.Label != "" && !slices.Contains(storage.SearchLabels, o.Label) {
		return o, fmt.Errorf("%w: label %q: want negative, neutral, positive or critical", ErrOptions, o.Label)
	}
	return o, nil
}

// Result is the outcome of a search.
type Result struct {
	Query    string    `json:"query"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Articles []Article `json:"articles"`
	// Read is the number of candidate articles the store returned and the query was
	// evaluated on.
	Read int `json:"read"`
	// Truncated is set when the search stopped at the result limit or the read cap with
	// articles left unread: older matches may exist.
	Truncated bool `json:"truncated"`
}

// Article is one matching article.
type Article struct {
	Title      string    `json:"title"`
	URL        string    `json:"url"`
	Source     string    `json:"source"`
	Published  time.Time `json:"published"`
	Sentiment  string    `json:"sentiment"`
	Programmes []string  `json:"programmes"`
	// Copy is set for a syndicated copy of another stored article.
	Copy bool `json:"copy"`
	// TitleMarks are the matched terms' byte ranges in Title.
	TitleMarks []Mark `json:"title_marks"`
	// Snippet is the passage of the text around the first matched terms, marked.
	Snippet Snippet `json:"snippet"`
}

// Search runs q over the stored articles opts selects, newest first.
func Search(ctx context.Context, st storage.Querier, q *taxonomy.Query, opts Options) (*Result, error) {
	opts, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	res := &Result{Query: q.String(), From: opts.From.UTC(), To: opts.To.UTC(), Articles: []Article{}}
	f := storage.SearchFilter{From: opts.From, To: opts.To, Programme: opts.Programme, Region: opts.Region, Label: opts.Label, Required: q.Required()}
	var cursor storage.SearchCursor
	for size := firstPage; res.Read < opts.ReadCap; size = min(2*size, maxPage) {
		size = min(size, opts.ReadCap-res.Read)
		page, err := storage.SearchArticles(ctx, st, f, cursor, size)
		if err != nil {
			return nil, err
		}
		for i, a := range page {
			res.Read++
			if hits, ok := q.Find(a.Title, a.Text, analyzer.Sentences(a.Text)); ok {
				res.Articles = append(res.Articles, newArticle(a, hits))
				if len(res.Articles) == opts.Limit {
					res.Truncated = i < len(page)-1 || len(page) == size
					return res, nil
				}
			}
		}
		if len(page) < size {
			return res, nil
		}
		last := page[len(page)-1]
		cursor = storage.SearchCursor{Published: last.Published, URLHash: last.URLHash}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	res.Truncated = true
	return res, nil
}

func newArticle(a storage.SearchArticle, hits []taxonomy.Hit) Article {
	out := Article{
		Title: a.Title, URL: a.URL, Source: a.Source, Published: a.Published, Sentiment: a.Sentiment,
		Programmes: a.Programmes, Copy: a.DuplicateOf != 0, TitleMarks: []Mark{},
	}
	if out.Programmes == nil {
		out.Programmes = []string{}
	}
	var body []Mark
	for _, h := range hits {
		if h.Title {
			out.TitleMarks = append(out.TitleMarks, Mark{h.Start, h.End})
		} else {
			body = append(body, Mark{h.Start, h.End})
		}
	}
	out.Snippet = snippet(a.Text, body)
	return out
}
