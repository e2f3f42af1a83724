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

// Article is one row of the articles table: one per canonical URL.
type Article struct {
	URLHash         uint64 // URLHash(CanonicalURL); filled on insert when zero
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
	// Regions are the Kemendagri codes of the regions the text is about, most named first.
	Regions []string
}

var articleSchema = newSchema(ArticlesTable,
	"url_hash UInt64", "url String", "canonical_url String", "source String", "source_kind String",
	"title String", "text String", "lang String", "author String", "published_at DateTime",
	"discovered_at DateTime", "fetched_at DateTime", "simhash UInt64", "duplicate_of UInt64",
	"sentiment String", "sentiment_score Float32", "analyzer_version String", "region String", "regions Array(String)")

// ArticleColumns are the columns an Article fills, in order.
var ArticleColumns = articleSchema.names

// Table returns ArticlesTable.
func (Article) Table() string   { return ArticlesTable }
func (Article) schema() *schema { return articleSchema }

func (a Article) appendTo(r *row) {
	h := a.URLHash
	if h == 0 {
		h = URLHash(a.CanonicalURL)
	}
	r.u64(h)
	r.str(a.URL)
	r.str(a.CanonicalURL)
	r.str(a.Source)
	r.str(a.SourceKind)
	r.str(a.Title)
	r.str(a.Text)
	r.str(a.Lang)
	r.str(a.Author)
	r.time(a.PublishedAt)
	r.time(a.DiscoveredAt)
	r.time(a.FetchedAt)
	r.u64(a.SimHash)
	r.u64(a.DuplicateOf)
	r.str(a.Sentiment)
	r.f32(a.SentimentScore)
	r.str(a.AnalyzerVersion)
	r.str(a.Region)
	r.strs(a.Regions)
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
	// Regions are the Kemendagri codes of the regions the mention is about, most named first.
	Regions []string
}

var mentionSchema = newSchema(MentionsTable,
	"url_hash UInt64", "programme String", "unit String", "terms Array(String)", "score Float32",
	"label String", "criticism UInt8", "snippet String", "published_at DateTime", "source String",
	"duplicate_of UInt64", "analyzer_version String", "region String", "regions Array(String)")

// MentionColumns are the columns a Mention fills, in order.
var MentionColumns = mentionSchema.names

// Table returns MentionsTable.
func (Mention) Table() string   { return MentionsTable }
func (Mention) schema() *schema { return mentionSchema }

func (m Mention) appendTo(r *row) {
	r.u64(m.URLHash)
	r.str(m.Programme)
	r.str(m.Unit)
	r.strs(m.Terms)
	r.f32(m.Score)
	r.str(m.Label)
	r.flag(m.Criticism)
	r.str(m.Snippet)
	r.time(m.PublishedAt)
	r.str(m.Source)
	r.u64(m.DuplicateOf)
	r.str(m.AnalyzerVersion)
	r.str(m.Region)
	r.strs(m.Regions)
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

var fetchSchema = newSchema(FetchesTable,
	"time DateTime", "source String", "host String", "kind String", "status UInt16",
	"status_class String", "bytes UInt64", "duration_seconds Float64", "error_class String")

// FetchColumns are the columns a Fetch fills, in order.
var FetchColumns = fetchSchema.names

// Table returns FetchesTable.
func (Fetch) Table() string   { return FetchesTable }
func (Fetch) schema() *schema { return fetchSchema }

func (f Fetch) appendTo(r *row) {
	r.time(f.Time)
	r.str(f.Source)
	r.str(f.Host)
	r.str(f.Kind)
	r.u16(f.Status)
	r.str(f.StatusClass)
	r.u64(f.Bytes)
	r.f64(f.Duration.Seconds())
	r.str(f.ErrorClass)
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
	UpdatedAt    time.Time // version: the newest wins; now when zero
}

var sourceStateColumns = []string{
	"source String", "etag String", "last_modified String", "next_poll DateTime", "interval_seconds UInt32",
	"failures UInt32", "last_success DateTime", "last_error_at DateTime", "last_error String", "dead UInt8",
	"updated_at DateTime",
}

var sourceStateSchema = newSchema(SourceStateTable, sourceStateColumns...)

// SourceStateColumns are the columns a SourceState fills, in order.
var SourceStateColumns = sourceStateSchema.names

// Table returns SourceStateTable.
func (SourceState) Table() string   { return SourceStateTable }
func (SourceState) schema() *schema { return sourceStateSchema }

func (s SourceState) appendTo(r *row) {
	upd := s.UpdatedAt
	if upd.IsZero() {
		upd = time.Now()
	}
	r.str(s.Source)
	r.str(s.ETag)
	r.str(s.LastModified)
	r.time(s.NextPoll)
	r.u32(uint32(s.Interval / time.Second))
	r.u32(s.Failures)
	r.time(s.LastSuccess)
	r.time(s.LastErrorAt)
	r.str(s.LastError)
	r.flag(s.Dead)
	r.time(upd)
}
