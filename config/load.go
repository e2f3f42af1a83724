package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pantau-id/pantau/regions"
)

// defaultYAML is the configuration shipped with the binary: real Indonesian national and
// West Sumatra news sources and the built-in taxonomy.
//
//go:embed default.yaml
var defaultYAML []byte

// PasswordEnv is the environment variable that overrides storage.password.
const PasswordEnv = "PANTAU_CLICKHOUSE_PASSWORD"

// Problems is every problem found in one configuration file. Each entry names the file and,
// where known, the line.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "\n") }

// Load reads, decodes and validates the file at path; an empty path loads the built-in
// default. A returned Problems error lists every problem at once.
func Load(path string) (*Config, error) {
	if path == "" {
		return Parse(defaultYAML, "<built-in default>")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	base, err := Parse(defaultYAML, "<built-in default>")
	if err != nil {
		return nil, fmt.Errorf("built-in configuration: %w", err)
	}
	cfg, err := parseOver(*base, data, path)
	if cfg != nil {
		cfg.File = path
		if cfg.Taxonomy != "" && !filepath.IsAbs(cfg.Taxonomy) {
			cfg.Taxonomy = filepath.Join(filepath.Dir(path), cfg.Taxonomy)
		}
	}
	return cfg, err
}

// Parse decodes data strictly over the defaults, applies the environment and validates.
// name is used in messages. On problems it returns the decoded config (for inspection)
// together with a Problems error.
func Parse(data []byte, name string) (*Config, error) {
	return parseOver(Default(), data, name)
}

// parseOver is Parse over the configuration base: keys data leaves out keep base's values;
// a sources list replaces base's, unless include_default_sources adds base's sources (those
// whose names it does not use) after it.
func parseOver(base Config, data []byte, name string) (*Config, error) {
	cfg := base
	cfg.Sources = nil
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{fmt.Sprintf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	var problems Problems
	if len(root.Content) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		err := dec.Decode(&cfg)
		var te *yaml.TypeError
		switch {
		case errors.As(err, &te):
			for _, msg := range te.Errors {
				problems = append(problems, decodeProblem(name, msg))
			}
		case err != nil && !errors.Is(err, io.EOF):
			return nil, Problems{fmt.Sprintf("%s: %v", name, err)}
		}
	}
	if cfg.Sources == nil {
		cfg.Sources = base.Sources // none listed: the base's
	} else if cfg.IncludeDefaultSources {
		for _, s := range base.Sources {
			if !slices.ContainsFunc(cfg.Sources, func(o Source) bool { return o.Name == s.Name }) {
				cfg.Sources = append(cfg.Sources, s)
			}
		}
	}
	if cfg.Storage.SpoolMaxBytes == 0 {
		cfg.Storage.SpoolMaxBytes = Default().Storage.SpoolMaxBytes // documented: 0 takes the default
	}
	if pw := os.Getenv(PasswordEnv); pw != "" {
		cfg.Storage.Password = Secret(pw)
	}
	if pw := os.Getenv(SMTPPasswordEnv); pw != "" {
		cfg.Digest.SMTP.Password = Secret(pw)
	}
	for _, v := range cfg.Validate() {
		line := lineOf(&root, v.Path)
		if line > 0 {
			problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", name, line, v.Path, v.Msg))
		} else {
			problems = append(problems, fmt.Sprintf("%s: %s: %s", name, v.Path, v.Msg))
		}
	}
	if len(problems) > 0 {
		return &cfg, problems
	}
	return &cfg, nil
}

var (
	unknownKeyRe = regexp.MustCompile(`^line (\d+): field (\S+) not found in type config\.(\w+)$`)
	badTypeRe    = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) (.*) into (\S+)$`)
	lineRe       = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// decodeProblem rewrites a yaml.v3 decoding message as "file:line: what is wrong".
func decodeProblem(name, msg string) string {
	if m := unknownKeyRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: unknown key %q in %s", name, m[1], m[2], sectionName(m[3]))
	}
	if m := badTypeRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: cannot use %s value %s as %s", name, m[1], m[2], m[3], strings.TrimPrefix(m[4], "config."))
	}
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: %s", name, m[1], m[2])
	}
	return fmt.Sprintf("%s: %s", name, msg)
}

// sectionName turns a Go type name into the YAML section a user sees.
func sectionName(typ string) string {
	switch typ {
	case "Config":
		return "the top level"
	case "Source":
		return "a source"
	}
	return strings.ToLower(typ)
}

// lineOf finds the line of a dotted path such as "sources[2].url" in a decoded YAML tree;
// it returns the deepest line found, 0 if nothing matched.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			key = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		next := mappingValue(n, key)
		if next == nil {
			return line
		}
		n, line = next, next.Line
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Violation is one problem found by Validate: the YAML path it concerns and what is wrong.
type Violation struct{ Path, Msg string }

var sourceNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// CheckRegion reports what is wrong with a region label (sources[].region, and the region
// filters of reports and dashboards): like a source name, 1-64 characters of a-z, 0-9, _ and
// -, so that it is safe in SQL, metric labels and URLs.
func CheckRegion(region string) error {
	if !sourceNameRe.MatchString(region) {
		return fmt.Errorf("want 1-64 characters of a-z, 0-9, _ and -, got %q", region)
	}
	return nil
}

// RegionFilter returns the value of a region filter (`pantau report --region`, `/report?region=`,
// search) in the form storage reads it: a Kemendagri code ("13", "13.71") keeps the coverage
// about that region, named in the text (a province's code also its regencies and cities); any
// other value that CheckRegion accepts keeps the coverage of that region's sources
// (sources[].region), as it is. A value of neither kind is resolved as a region's name ("Kota
// Padang", "Sumatera Barat", "Sumbar") to its code. The error names the value and why it is
// neither.
func RegionFilter(v string) (string, error) {
	if regions.IsCode(v) {
		if _, ok := regions.Default().Lookup(v); !ok {
			return "", fmt.Errorf("region %q: no Indonesian province, regency or city has this code (idn-area-data)", v)
		}
		return v, nil
	}
	if CheckRegion(v) == nil {
		return v, nil
	}
	r, err := regions.Default().Resolve(v)
	if err != nil {
		return "", fmt.Errorf("%w; nor is it a source region (1-64 characters of a-z, 0-9, _ and -)", err)
	}
	return r.Code, nil
}

// nonPublicNetworks are the ranges allow_private may open: private, loopback, link-local,
// carrier-grade NAT, unique-local and documentation or benchmarking networks.
var nonPublicNetworks = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fc00::/7"), netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// nonPublic reports whether p lies wholly inside one of nonPublicNetworks.
func nonPublic(p netip.Prefix) bool {
	p = p.Masked()
	for _, n := range nonPublicNetworks {
		if n.Bits() <= p.Bits() && n.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// clusterName is what storage.cluster may hold: a remote_servers element name.
var clusterName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

// Validate returns every problem of a decoded configuration, each with the YAML path it concerns.
func (c *Config) Validate() []Violation {
	var v []Violation
	add := func(path, format string, args ...any) {
		v = append(v, Violation{path, fmt.Sprintf(format, args...)})
	}
	if c.Storage.DSN != "" {
		u, err := url.Parse(c.Storage.DSN)
		if err != nil || (u.Scheme != "clickhouse" && u.Scheme != "tcp") || u.Host == "" {
			add("storage.dsn", "want clickhouse://[user[:password]@]host:port/database")
		}
	} else if c.Storage.DataDir == "" {
		add("storage.data_dir", "must be set when storage.dsn is empty (embedded store)")
	}
	if cl := c.Storage.Cluster; cl != "" {
		switch {
		case c.Storage.DSN == "":
			add("storage.cluster", "needs storage.dsn: a cluster is reached through one of its servers")
		case !clusterName.MatchString(cl):
			add("storage.cluster", "want a cluster name of letters, digits, '_' and '-' as in the servers' remote_servers, got %q", cl)
		}
	}
	if c.Storage.BatchSize < 1 {
		add("storage.batch_size", "must be at least 1, got %d", c.Storage.BatchSize)
	}
	if c.Storage.FlushInterval <= 0 {
		add("storage.flush_interval", "must be positive")
	}
	if c.Storage.SpoolMaxBytes < 0 {
		add("storage.spool_max_bytes", "must not be negative, got %d", c.Storage.SpoolMaxBytes)
	}
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			add("http.listen", "want host:port, got %q", c.HTTP.Listen)
		}
	}
	for _, kv := range [][2]string{{"http.external_url", c.HTTP.ExternalURL}, {"http.grafana_url", c.HTTP.GrafanaURL}} {
		key, raw := kv[0], kv[1]
		if u, err := url.Parse(raw); raw != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "") {
			add(key, "want an absolute http(s) URL without query or fragment, got %q", raw)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format", "want text or json, got %q", c.Log.Format)
	}
	cr := c.Crawler
	if cr.UserAgent == "" {
		add("crawler.user_agent", "must not be empty")
	}
	if cr.Timeout <= 0 {
		add("crawler.timeout", "must be positive")
	}
	if cr.MaxBodyBytes < 1024 {
		add("crawler.max_body_bytes", "must be at least 1024, got %d", cr.MaxBodyBytes)
	}
	if cr.MaxRedirects < 0 {
		add("crawler.max_redirects", "must not be negative")
	}
	if cr.HostParallelism < 1 {
		add("crawler.host_parallelism", "must be at least 1, got %d", cr.HostParallelism)
	}
	if cr.Workers < 1 {
		add("crawler.workers", "must be at least 1, got %d", cr.Workers)
	}
	if cr.MinInterval <= 0 || cr.MaxInterval < cr.MinInterval {
		add("crawler.max_interval", "need 0 < min_interval (%s) <= max_interval (%s)", cr.MinInterval, cr.MaxInterval)
	}
	for i, cidr := range cr.AllowPrivate {
		p, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil:
			add(fmt.Sprintf("crawler.allow_private[%d]", i), "not a CIDR network: %q", cidr)
		case !nonPublic(p):
			add(fmt.Sprintf("crawler.allow_private[%d]", i), "%s reaches public addresses; list only private, loopback, link-local or other non-public networks (e.g. 10.20.0.0/16, 127.0.0.0/8, fd00::/8)", cidr)
		}
	}
	if cr.Shard != "" {
		if _, _, err := ParseShard(cr.Shard); err != nil {
			add("crawler.shard", "%v", err)
		}
	}
	if c.Pipeline.QueueSize < 1 {
		add("pipeline.queue_size", "must be at least 1")
	}
	if c.Pipeline.AnalyzerWorkers < 1 {
		add("pipeline.analyzer_workers", "must be at least 1")
	}
	if c.Pipeline.MemoryLimitBytes < 0 {
		add("pipeline.memory_limit_bytes", "must not be negative (0 sets no limit), got %d", c.Pipeline.MemoryLimitBytes)
	}
	if c.Trends.Interval <= 0 {
		add("trends.interval", "must be positive")
	}
	if c.Trends.MinCount < 1 {
		add("trends.min_count", "must be at least 1")
	}
	if _, err := c.Display.Location(); err != nil {
		add("display.time_zone", "%v", err)
	}
	if c.Display.Language != "id" && c.Display.Language != "en" {
		add("display.language", "want id or en, got %q", c.Display.Language)
	}
	seen := map[string]int{}
	for i, s := range c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		if !sourceNameRe.MatchString(s.Name) {
			add(p+".name", "want 1-64 characters of a-z, 0-9, _ and -, got %q", s.Name)
		} else if j, dup := seen[s.Name]; dup {
			add(p+".name", "duplicate source name %q (also sources[%d])", s.Name, j)
		} else {
			seen[s.Name] = i
		}
		if s.Region != "" {
			if err := CheckRegion(s.Region); err != nil {
				add(p+".region", "%v", err)
			}
		}
		switch s.Kind {
		case KindFeed, KindPortal, KindSitemap:
		default:
			add(p+".kind", "want feed, portal or sitemap, got %q", s.Kind)
		}
		for j, raw := range append([]string{s.URL}, s.URLs...) {
			path := p + ".url"
			if j > 0 {
				path = fmt.Sprintf("%s.urls[%d]", p, j-1)
			}
			if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add(path, "want an absolute http(s) URL, got %q", raw)
			}
		}
		if s.Kind == KindPortal && s.LinkPattern == "" {
			add(p+".link_pattern", "a portal needs a link_pattern for its article links")
		}
		if s.LinkPattern != "" {
			if _, err := regexp.Compile(s.LinkPattern); err != nil {
				add(p+".link_pattern", "invalid regular expression: %v", err)
			}
		}
		if s.Lang != "" && s.Lang != "id" && s.Lang != "en" {
			add(p+".lang", "want id, en or empty, got %q", s.Lang)
		}
		if s.Reach < 0 {
			add(p+".reach", "must not be negative")
		}
		if _, err := s.Location(); err != nil {
			add(p+".time_zone", "%v", err)
		}
	}
	c.Digest.validate(add)
	return v
}

// ParseShard parses "i/n" (0 <= i < n).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("want i/n with 0 <= i < n, got %q", s)
	}
	return i, n, nil
}
