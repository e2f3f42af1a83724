// Package config defines Pantau's configuration file: its types, defaults and validation.
//
// A configuration is one YAML file. Decoding is strict: an unknown or mistyped key is an
// error naming the file, line and key. Defaults live in Default and are applied before the
// file is decoded, so a key left out keeps its default. Validate reports every problem at once.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // IANA zone names (display.time_zone, sources' time_zone) work on hosts without a zone database
)

// Config is the whole configuration of a Pantau process.
type Config struct {
	Storage  Storage  `yaml:"storage"`
	HTTP     HTTP     `yaml:"http"`
	Log      Log      `yaml:"log"`
	Crawler  Crawler  `yaml:"crawler"`
	Pipeline Pipeline `yaml:"pipeline"`
	Trends   Trends   `yaml:"trends"`
	Display  Display  `yaml:"display"`
	// Digest configures the daily clipping per unit.
	Digest Digest `yaml:"digest"`
	// Taxonomy is the path of the programme taxonomy file. Empty means the taxonomy
	// shipped with the binary. A relative path is resolved against the config file's folder.
	Taxonomy string `yaml:"taxonomy"`
	// Sources are the feeds, portals and sitemaps to crawl. Left out, the built-in list;
	// listed, these only, unless IncludeDefaultSources.
	Sources []Source `yaml:"sources"`
	// IncludeDefaultSources adds the built-in sources after those listed (a listed source
	// of the same name replaces the built-in one).
	IncludeDefaultSources bool `yaml:"include_default_sources"`

	// File is the path the configuration was read from; empty for the built-in default.
	File string `yaml:"-"`
}

// Storage selects and tunes the ClickHouse store.
type Storage struct {
	// DSN of a ClickHouse server, e.g. clickhouse://user@host:9000/pantau.
	// Empty selects the embedded store (chDB) in DataDir.
	DSN string `yaml:"dsn"`
	// Password for the server; overridden by the PANTAU_CLICKHOUSE_PASSWORD environment
	// variable. Never logged.
	Password Secret `yaml:"password"`
	// DataDir is the embedded store's data folder.
	DataDir string `yaml:"data_dir"`
	// ChDBLibrary is the path of libchdb.so; empty searches the usual places.
	ChDBLibrary string `yaml:"chdb_library"`
	// BatchSize is the number of rows after which the writer flushes a table.
	BatchSize int `yaml:"batch_size"`
	// FlushInterval is the longest time a row waits in the writer's buffer.
	FlushInterval Duration `yaml:"flush_interval"`
	// SpoolDir is the folder where the writer keeps rows on disk while ClickHouse does not
	// take them, replaying them when it answers again; empty disables the spool.
	SpoolDir string `yaml:"spool_dir"`
	// SpoolMaxBytes caps the spool's size; when it is full the writer refuses rows as
	// without a spool. 0 takes the default (1 GiB).
	SpoolMaxBytes int64 `yaml:"spool_max_bytes"`
	// Retention keeps articles and mentions this long on servers that support TTL; 0 keeps all.
	Retention Duration `yaml:"retention"`
	// Cluster names the ClickHouse cluster (a remote_servers entry of the server DSN names)
	// the schema lives on: migrate creates every table ON CLUSTER as a Replicated table with
	// a Distributed table of the same name in front, and alters the Replicated tables on one
	// server of each shard. Empty: a single server.
	Cluster string `yaml:"cluster"`
}

// HTTP configures the metrics, health and report server of `pantau run`.
type HTTP struct {
	// Listen is the address to serve on; empty disables the server.
	Listen string `yaml:"listen"`
	// ExternalURL is where people reach this server (behind a proxy, say), and GrafanaURL
	// where they reach Grafana: alert annotations link to /report and the dashboards there.
	// Empty leaves those links relative.
	ExternalURL string `yaml:"external_url"`
	GrafanaURL  string `yaml:"grafana_url"`
}

// Log configures structured logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Crawler holds the politeness and safety settings shared by every source.
type Crawler struct {
	// UserAgent is sent with every request; ContactURL is appended to it.
	UserAgent  string `yaml:"user_agent"`
	ContactURL string `yaml:"contact_url"`
	// Timeout bounds one whole fetch, body included.
	Timeout Duration `yaml:"timeout"`
	// MaxBodyBytes caps a response body after decompression.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxRedirects caps the redirects followed by one fetch.
	MaxRedirects int `yaml:"max_redirects"`
	// HostDelay is the minimum pause between two requests to one host; a robots.txt
	// Crawl-delay that is longer wins.
	HostDelay Duration `yaml:"host_delay"`
	// HostParallelism is the number of requests in flight to one host.
	HostParallelism int `yaml:"host_parallelism"`
	// Workers is the number of article fetches in flight over all hosts.
	Workers int `yaml:"workers"`
	// IgnoreRobots disables robots.txt; for the operator's own sites only.
	IgnoreRobots bool `yaml:"ignore_robots"`
	// AllowPrivate lists networks (CIDR) that may be fetched although private, loopback or
	// link-local, e.g. 127.0.0.0/8 for tests or an intranet portal.
	AllowPrivate []string `yaml:"allow_private"`
	// MinInterval and MaxInterval bound each feed's adaptive poll interval.
	MinInterval Duration `yaml:"min_interval"`
	MaxInterval Duration `yaml:"max_interval"`
	// FreshnessTarget bounds the poll interval of a source that publishes often, so that
	// its items wait at most this long to be seen, as far as that takes at most twelve
	// polls per item (README, Polling); min_interval still wins. 0 turns the bound off.
	FreshnessTarget Duration `yaml:"freshness_target"`
	// DeadAfter marks a source dead after failing for this long; dead sources are retried at MaxInterval.
	DeadAfter Duration `yaml:"dead_after"`
	// MaxArticleAge skips feed items published longer ago than this; 0 keeps all.
	MaxArticleAge Duration `yaml:"max_article_age"`
	// StateFile stores feed validators and schedules across restarts in a local JSON file
	// (one instance only); empty keeps them in the store's source_state table.
	StateFile string `yaml:"state_file"`
	// Shard splits sources between instances: "i/n" takes the sources whose name hashes to i of n.
	Shard string `yaml:"shard"`
}

// The crawler's parameters that the configuration file does not set: its scheduling model
// (README, Polling) and its acknowledgement wait. Their values live here alone; the crawler
// takes them as they are.
const (
	// SourceInterval is a source's poll interval before its first poll when it sets none.
	SourceInterval = 15 * time.Minute
	// RateWindow is how far back item dates count for a source's publication rate.
	RateWindow = 7 * 24 * time.Hour
	// ItemsPerPoll is the number of new items a poll aims to find: four polls per mean gap
	// keep an item's wait to be seen to an eighth of the gap (a 304 answer is cheap).
	ItemsPerPoll = 0.25
	// SilenceFactor is how many mean gaps of silence pass before the silence itself stands
	// for the gap: in a Poisson stream a silence of three mean gaps comes one time in
	// twenty, so that polling slows down for a real drop in rate (the night), not for chance.
	SilenceFactor = 3
	// MaxPollsPerItem bounds what freshness_target may cost: a source is polled at most this
	// many times per mean gap between its items to keep its items' wait under the target.
	MaxPollsPerItem = 12
	// GapWeight is the weight of the newest inter-arrival time in a source's mean gap.
	GapWeight = 0.3
	// AckWait bounds how long a single crawl (`pantau run --once`, backfill) waits for the
	// articles it handed on to be acknowledged (stored).
	AckWait = 2 * time.Minute
)

// Pipeline sizes the queues between stages.
type Pipeline struct {
	QueueSize       int `yaml:"queue_size"`
	AnalyzerWorkers int `yaml:"analyzer_workers"`
	// MemoryLimitBytes is `pantau run`'s soft memory limit for Go's own memory (the Go
	// runtime's GOMEMLIMIT; the embedded store's engine is outside it): the garbage
	// collector works harder as the heap nears it instead of letting it grow to twice what
	// is live. 0 sets none; a GOMEMLIMIT in the environment takes precedence.
	MemoryLimitBytes int64 `yaml:"memory_limit_bytes"`
}

// Trends configures criticism trend detection.
type Trends struct {
	// Interval between two trend computations in `pantau run`.
	Interval Duration `yaml:"interval"`
	// MinCount is the least number of critical mentions in the recent window before a
	// programme can be reported as trending.
	MinCount int `yaml:"min_count"`
}

// Display sets how times and the report page are shown to people. Stored times stay UTC.
type Display struct {
	// TimeZone is the zone times are shown in (the /report page, pantau report): WIB, WITA,
	// WIT or an IANA name such as Asia/Makassar or UTC.
	TimeZone string `yaml:"time_zone"`
	// Language is the default language of the /report and /search pages: id (Bahasa Indonesia) or en; a
	// request's ?lang= overrides it.
	Language string `yaml:"language"`
}

// Location returns the zone TimeZone names.
func (d Display) Location() (*time.Location, error) { return zoneByName(d.TimeZone) }

// Source kinds.
const (
	KindFeed    = "feed"    // RSS, Atom or JSON Feed
	KindPortal  = "portal"  // section or index pages whose links match LinkPattern
	KindSitemap = "sitemap" // sitemap, sitemap index or Google News sitemap
)

// Source is one feed, portal or sitemap.
type Source struct {
	// Name identifies the source in metrics, storage and logs; unique, [a-z0-9_-].
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// URL of the feed, sitemap or first portal page.
	URL string `yaml:"url"`
	// URLs lists further section pages of a portal.
	URLs []string `yaml:"urls"`
	// LinkPattern is a regular expression that article links on a portal page match.
	LinkPattern string `yaml:"link_pattern"`
	// Lang is the expected language ("id" or "en"); empty detects it per article.
	Lang string `yaml:"lang"`
	// TimeZone is the zone of the dates this source writes without one (in its feeds,
	// sitemaps and pages): WIB, WITA, WIT or an IANA name such as "Asia/Makassar". Empty
	// reads them as WIB for an Indonesian source (lang id or an .id host) and otherwise
	// lets each page decide.
	TimeZone string `yaml:"time_zone"`
	// Region is a free label such as "national" or "sumbar".
	Region string `yaml:"region"`
	// Reach weighs the source's audience in the response ranking (1 is an average outlet).
	Reach float64 `yaml:"reach"`
	// Interval overrides the adaptive poll interval's starting value (see StartInterval).
	Interval Duration `yaml:"interval"`
	// Disabled keeps the source in the file without crawling it.
	Disabled bool `yaml:"disabled"`
}

// WIB is Western Indonesia Time (Asia/Jakarta, UTC+7, no daylight saving): the zone of the
// digest's day and delivery time and of dates given on the command line.
var WIB = time.FixedZone("WIB", 7*3600)

// IndonesianZones are Indonesia's time zones by the abbreviations sources write after times.
var IndonesianZones = map[string]*time.Location{
	"WIB":  WIB,                            // Western Indonesia Time, Asia/Jakarta
	"WITA": time.FixedZone("WITA", 8*3600), // Central Indonesia Time, Asia/Makassar
	"WIT":  time.FixedZone("WIT", 9*3600),  // Eastern Indonesia Time, Asia/Jayapura
}

// errTimeZone is what a time_zone that names no zone is told.
var errTimeZone = errors.New("want WIB, WITA, WIT or an IANA zone name such as Asia/Makassar")

// Location returns the zone TimeZone names; when TimeZone is empty, WIB for an Indonesian
// source (lang id or an .id host), else nil.
func (s Source) Location() (*time.Location, error) {
	if strings.TrimSpace(s.TimeZone) != "" {
		return zoneByName(s.TimeZone)
	}
	if u, err := url.Parse(s.URL); s.Lang == "id" || (err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), ".id")) {
		return WIB, nil
	}
	return nil, nil
}

// StartInterval is the source's poll interval before its first poll: Interval, or
// SourceInterval when the source sets none.
func (s Source) StartInterval() time.Duration { return cmp.Or(s.Interval.D(), SourceInterval) }

// zoneByName returns the zone WIB, WITA, WIT or an IANA name names.
func zoneByName(zone string) (*time.Location, error) {
	name := strings.TrimSpace(zone)
	if z, ok := IndonesianZones[strings.ToUpper(name)]; ok {
		return z, nil
	}
	if name == "Local" || strings.HasPrefix(name, "/") {
		// "Local" is whatever the host is set to, not the source's zone.
		return nil, fmt.Errorf("%w, got %q", errTimeZone, zone)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return nil, fmt.Errorf("%w, got %q", errTimeZone, zone)
	}
	return loc, nil
}

// Default returns the built-in defaults. It is the one place defaults are set.
func Default() Config {
	return Config{
		Storage: Storage{
			DataDir:       "./pantau-data",
			BatchSize:     10000,
			FlushInterval: Duration(2 * time.Second),
			SpoolDir:      "./pantau-spool",
			SpoolMaxBytes: 1 << 30,
		},
		HTTP: HTTP{Listen: "127.0.0.1:9464"},
		Log:  Log{Level: "info", Format: "text"},
		Crawler: Crawler{
			UserAgent:       "PantauBot/0.1",
			ContactURL:      "https://github.com/pantau-id/pantau",
			Timeout:         Duration(30 * time.Second),
			MaxBodyBytes:    10 << 20,
			MaxRedirects:    5,
			HostDelay:       Duration(2 * time.Second),
			HostParallelism: 2,
			Workers:         16,
			MinInterval:     Duration(15 * time.Second),
			MaxInterval:     Duration(6 * time.Hour),
			FreshnessTarget: Duration(30 * time.Second),
			DeadAfter:       Duration(72 * time.Hour),
			MaxArticleAge:   Duration(30 * 24 * time.Hour),
		},
		Pipeline: Pipeline{QueueSize: 256, AnalyzerWorkers: 2, MemoryLimitBytes: 224 << 20},
		Trends:   Trends{Interval: Duration(time.Minute), MinCount: 5},
		Digest:   Digest{Time: "07:00", Critical: 10, Positive: 5},
		Display:  Display{TimeZone: "Asia/Jakarta", Language: "id"},
	}
}
