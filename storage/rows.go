package storage

import (
	"time"

	"github.com/go-faster/city"
)

// Table names.
const (
	ArticlesTable    = "articles"
	MentionsTable    = "mentions"
	FetchesTable     = "fetches"
	SourceStateTable = "source_state"
)

// URLHash returns the url_hash of a canonical URL: ClickHouse's cityHash64 of it.
func URLHash(canonicalURL string) uint64 {
	return city.CH64([]byte(canonicalURL))
}

// Record is a typed row of one table.
type Record interface {
	// Table names the table the row belongs to.
	Table() string
	// Columns lists the columns Row fills, in order; the same slice for every row of a table.
	Columns() []string
	// Row returns the row's values in the order of Columns.
	Row() []any
}

// ArticleColumns are the columns Article.Row fills.
var ArticleColumns = []string{
	"url_hash", "url", "canonical_url", "source", "source_kind", "title", "text", "lang",
	"author", "published_at", "discovered_at", "fetched_at", "simhash", "duplicate_of",
	"sentiment", "sentiment_score", "analyzer_version", "region",
}

// Article is one row of the articles table: one per canonical URL.
type Article struct {
	URLHash         uint64 // URLHash(CanonicalURL); filled by Row when zero
	URL             string
	CanonicalURL    string
	Source          string
	SourceKind      string
	Title           string
	Text            string
	Lang            string
	Author          string
	PublishedAt     time.Time
	DiscoveredAt    time.Time
	FetchedAt       time.Time
	SimHash         uint64
	DuplicateOf     uint64 // url_hash of the original; 0 for an original
	Sentiment       string // negative, neutral or positive
	SentimentScore  float32
	AnalyzerVersion string
	Region          string // the source's configured region; empty if it has none
}

// Table returns ArticlesTable.
func (Article) Table() string { return ArticlesTable }

// Columns returns ArticleColumns.
func (Article) Columns() []string { return ArticleColumns }

// Row returns the article's values in the order of ArticleColumns.
func (a Article) Row() []any {
	h := a.URLHash
	if h == 0 {
		h = URLHash(a.CanonicalURL)
	}
	return []any{
		h, a.URL, a.CanonicalURL, a.Source, a.SourceKind, a.Title, a.Text, a.Lang,
		a.Author, utc(a.PublishedAt), utc(a.DiscoveredAt), utc(a.FetchedAt), a.SimHash, a.DuplicateOf,
		a.Sentiment, a.SentimentScore, a.AnalyzerVersion, a.Region,
	}
}

// MentionColumns are the columns Mention.Row fills.
var MentionColumns = []string{
	"url_hash", "programme", "unit", "terms", "score", "label", "criticism", "snippet",
	"published_at", "source", "duplicate_of", "analyzer_version", "region",
}

// Mention is one row of the mentions table: one per (article, programme).
type Mention struct {
	URLHash         uint64
	Programme       string
	Unit            string
	Terms           []string
	Score           float32 // sentiment toward the programme, -1..1
	Label           string  // negative, neutral or positive
	Criticism       bool
	Snippet         string
	PublishedAt     time.Time
	Source          string
	DuplicateOf     uint64
	AnalyzerVersion string
	Region          string // the article's Region
}

// Table returns MentionsTable.
func (Mention) Table() string { return MentionsTable }

// Columns returns MentionColumns.
func (Mention) Columns() []string { return MentionColumns }

// Row returns the mention's values in the order of MentionColumns.
func (m Mention) Row() []any {
	terms := m.Terms
	if terms == nil {
		terms = []string{}
	}
	var crit uint8
	if m.Criticism {
		crit = 1
	}
	return []any{
		m.URLHash, m.Programme, m.Unit, terms, m.Score, m.Label, crit, m.Snippet,
		utc(m.PublishedAt), m.Source, m.DuplicateOf, m.AnalyzerVersion, m.Region,
	}
}

// FetchColumns are the columns Fetch.Row fills.
var FetchColumns = []string{
	"time", "source", "host", "kind", "status", "status_class", "bytes", "duration_seconds", "error_class",
}

// Fetch is one row of the fetches table: one per HTTP fetch.
type Fetch struct {
	Time   time.Time
	Source string
	Host   string
	Kind   string // what was fetched: crawler.FetchFeed, crawler.FetchArticle, ...
	Status uint16 // HTTP status; 0 when no response arrived
	// StatusClass is the status's class (crawler.StatusClass): "2xx", ..., or "error".
	StatusClass string
	Bytes       uint64
	Duration    time.Duration
	ErrorClass  string // empty on success, else a short bounded class such as "timeout"
}

// Table returns FetchesTable.
func (Fetch) Table() string { return FetchesTable }

// Columns returns FetchColumns.
func (Fetch) Columns() []string { return FetchColumns }

// Row returns the fetch's values in the order of FetchColumns.
func (f Fetch) Row() []any {
	return []any{
		utc(f.Time), f.Source, f.Host, f.Kind, f.Status, f.StatusClass,
		f.Bytes, f.Duration.Seconds(), f.ErrorClass,
	}
}

// SourceStateColumns are the columns SourceState.Row fills.
var SourceStateColumns = []string{
	"source", "etag", "last_modified", "next_poll", "interval_seconds", "failures",
	"last_success", "last_error_at", "last_error", "dead", "updated_at",
}

// SourceState is the crawler's persisted state of one source.
type SourceState struct {
	Source       string
	ETag         string
	LastModified string
	NextPoll     time.Time
	Interval     time.Duration // stored in whole seconds
	Failures     uint32
	LastSuccess  time.Time
	LastErrorAt  time.Time
	LastError    string
	Dead         bool
	UpdatedAt    time.Time // version: the newest wins; Row uses now when zero
}

// Table returns SourceStateTable.
func (SourceState) Table() string { return SourceStateTable }

// Columns returns SourceStateColumns.
func (SourceState) Columns() []string { return SourceStateColumns }

// Row returns the state's values in the order of SourceStateColumns.
func (s SourceState) Row() []any {
	var dead uint8
	if s.Dead {
		dead = 1
	}
	upd := s.UpdatedAt
	if upd.IsZero() {
		upd = time.Now()
	}
	return []any{
		s.Source, s.ETag, s.LastModified, utc(s.NextPoll), uint32(s.Interval / time.Second), s.Failures,
		utc(s.LastSuccess), utc(s.LastErrorAt), s.LastError, dead, utc(upd),
	}
}

// utc returns t in UTC, and the Unix epoch for a zero time, which DateTime cannot hold.
func utc(t time.Time) time.Time {
	if t.IsZero() || t.Before(epoch) {
		return epoch
	}
	return t.UTC()
}
