// Package digest is the daily clipping ("kliping", the morning brief) of each responsible
// unit: the critical stories of the last 24 hours with snippet, outlet, reach and link, what
// is trending, and the positive coverage worth sharing. It composes a unit's digest from the
// store, renders it as HTML, Markdown, plain text or JSON, delivers it by e-mail (SMTP,
// multipart HTML and text) and webhooks (generic JSON, Telegram Bot API, Slack), and
// schedules it at a configured time of day in WIB, once per unit and day, recorded in
// ClickHouse so that a restart does not send it again.
//
// Digests list published media only: outlets, and officials quoted in their snippets; they
// never list private individuals.
package digest

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

// Unit is a responsible unit of the taxonomy with its programmes.
type Unit struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Programmes []string `json:"programmes"`
}

// legalForms are bracketed company forms that are no unit's abbreviation.
var legalForms = map[string]bool{"persero": true, "perseroda": true, "tbk": true}

var (
	abbrevPattern = regexp.MustCompile(`\(([^)]+)\)`)
	nonSlug       = regexp.MustCompile(`[^a-z0-9]+`)
)

// UnitID returns the stable id of a programme's unit: the taxonomy's unit_id, else one
// derived from the unit's text (its abbreviation in brackets, else its first words, and a
// short hash of the whole text). This is the one place that decides it.
func UnitID(p taxonomy.Programme) string {
	if p.UnitID != "" {
		return p.UnitID
	}
	first, _, _ := strings.Cut(p.Unit, ";")
	base := first
	if m := abbrevPattern.FindStringSubmatchIndex(first); m != nil {
		base = first[m[2]:m[3]]
		if legalForms[strings.ToLower(base)] { // "PT PLN (Persero)" is PT PLN's
			base = first[:m[0]]
		}
	}
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if len(slug) > 32 {
		slug = strings.TrimRight(slug[:32], "-")
	}
	h := fnv.New32a()
	h.Write([]byte(strings.TrimSpace(p.Unit)))
	return fmt.Sprintf("%s-%04x", slug, h.Sum32()&0xffff)
}

// Units returns the taxonomy's units, by id, each with its programmes in taxonomy order.
func Units(tax *taxonomy.Taxonomy) []Unit {
	byID := map[string]*Unit{}
	var out []*Unit
	for _, p := range tax.Programmes() {
		id := UnitID(p)
		u, ok := byID[id]
		if !ok {
			u = &Unit{ID: id, Name: p.Unit}
			byID[id] = u
			out = append(out, u)
		}
		u.Programmes = append(u.Programmes, p.ID)
	}
	units := make([]Unit, len(out))
	for i, u := range out {
		units[i] = *u
	}
	slices.SortFunc(units, func(a, b Unit) int { return cmp.Compare(a.ID, b.ID) })
	return units
}

// FindUnit returns the unit with the id, or else the one whose name contains s (ignoring
// case) when exactly one does.
func FindUnit(units []Unit, s string) (Unit, error) {
	var found []Unit
	for _, u := range units {
		if u.ID == s {
			return u, nil
		}
		if strings.Contains(strings.ToLower(u.Name), strings.ToLower(strings.TrimSpace(s))) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Unit{}, fmt.Errorf("unit %q: no unit has this id or name (see pantau digest --list)", s)
	}
	ids := make([]string, len(found))
	for i, u := range found {
		ids[i] = u.ID
	}
	return Unit{}, fmt.Errorf("unit %q: several units match: %s", s, strings.Join(ids, ", "))
}

// Options tunes Compose; OptionsFrom builds them from the configuration.
type Options struct {
	// At is the time of day (config.WIB) the digest covers up to, e.g. 7h for 07:00; the digest
	// of a day covers the 24 hours before that time.
	At time.Duration
	// Critical and Positive are the most stories listed per section.
	Critical, Positive int
	// Reach weighs each outlet (the sources' configured reach); one missing weighs 1.
	Reach map[string]float64
	// Names maps programme ids to display names.
	Names map[string]string
	// Trend selects the trend windows and minimum count; its Programmes is set per unit.
	Trend storage.TrendOptions
	// TrendThreshold is the score at which a programme is trending.
	TrendThreshold float64
	// PageURL, when set, is the printable page's address, with {unit} and {date} replaced.
	PageURL string
}

// OptionsFrom returns the digest options of the configuration's digest and trends
// sections; Reach and Names are the caller's.
func OptionsFrom(d config.Digest, t config.Trends) Options {
	return Options{At: d.At(), Critical: d.Critical, Positive: d.Positive,
		Trend: storage.TrendOptionsFrom(t), TrendThreshold: config.TrendThreshold, PageURL: d.PageURL}
}

// Digest is one unit's clipping of one day.
type Digest struct {
	Unit Unit `json:"unit"`
	// Date is the day in WIB, YYYY-MM-DD.
	Date string `json:"date"`
	// From and To bound the publication times covered: (From, To].
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	Critical []storage.Story `json:"critical"`
	Trending []Trend         `json:"trending"`
	Positive []storage.Story `json:"positive"`
	// Names maps the programmes' ids to display names.
	Names map[string]string `json:"programme_names,omitempty"`
	// PageURL is the printable page's address, when configured.
	PageURL string `json:"page_url,omitempty"`
	// ReachNote says what reach means, for readers.
	ReachNote string `json:"reach_note"`
}

// Trend is a programme's criticism trend in one window at the digest's time.
type Trend struct {
	Programme string  `json:"programme"`
	Name      string  `json:"name,omitempty"`
	Window    string  `json:"window"`
	Critical  uint64  `json:"critical_stories"`
	Expected  float64 `json:"expected"`
	Score     float64 `json:"score"`
	Trending  bool    `json:"trending"`
}

// reachNote explains the reach figure in every rendering.
const reachNote = "Reach sums the configured reach of every outlet that carried the story (1 for an outlet without one), so syndicated copies add their outlet's audience."

// Day returns the date of t in WIB as YYYY-MM-DD.
func Day(t time.Time) string { return t.In(config.WIB).Format(time.DateOnly) }

// ParseDay reads a YYYY-MM-DD date as a day in WIB.
func ParseDay(s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, config.WIB)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return d, nil
}

// Window returns the span a digest of day covers: the 24 hours up to day's at (config.WIB).
func Window(day time.Time, at time.Duration) (from, to time.Time) {
	y, m, d := day.In(config.WIB).Date()
	to = time.Date(y, m, d, 0, 0, 0, 0, config.WIB).Add(at)
	return to.Add(-24 * time.Hour), to
}

// Compose builds unit's digest of day (a date in config.WIB) from the store.
func Compose(ctx context.Context, q storage.Querier, unit Unit, day time.Time, opts Options) (*Digest, error) {
	if opts.Critical <= 0 || opts.Positive <= 0 || opts.TrendThreshold <= 0 {
		return nil, fmt.Errorf("digest: options need positive critical and positive story counts and trend threshold (got %d, %d, %g): build them with OptionsFrom",
			opts.Critical, opts.Positive, opts.TrendThreshold)
	}
	from, to := Window(day, opts.At)
	d := &Digest{Unit: unit, Date: Day(from.Add(24 * time.Hour)), From: from.UTC(), To: to.UTC(), ReachNote: reachNote}
	if opts.PageURL != "" {
		d.PageURL = strings.NewReplacer("{unit}", unit.ID, "{date}", d.Date).Replace(opts.PageURL)
	}
	d.Names = map[string]string{}
	for _, p := range unit.Programmes {
		if n := opts.Names[p]; n != "" {
			d.Names[p] = n
		}
	}
	var err error
	sq := storage.StoryQuery{From: from, To: to, Programmes: unit.Programmes, Reach: opts.Reach, DefaultReach: config.DefaultReach}
	sq.Kind, sq.Limit = storage.StoriesCritical, opts.Critical
	if d.Critical, err = storage.Stories(ctx, q, sq); err != nil {
		return nil, fmt.Errorf("digest of %s: %w", unit.ID, err)
	}
	sq.Kind, sq.Limit = storage.StoriesPositive, opts.Positive
	if d.Positive, err = storage.Stories(ctx, q, sq); err != nil {
		return nil, fmt.Errorf("digest of %s: %w", unit.ID, err)
	}
	to2 := opts.Trend
	to2.Programmes = unit.Programmes
	trends, err := storage.Trends(ctx, q, to, to2)
	if err != nil {
		return nil, fmt.Errorf("digest of %s: %w", unit.ID, err)
	}
	d.Trending = []Trend{}
	for _, t := range trends {
		if t.Critical == 0 {
			continue
		}
		d.Trending = append(d.Trending, Trend{Programme: t.Programme, Name: opts.Names[t.Programme], Window: t.Window,
			Critical: t.Critical, Expected: t.Expected, Score: t.Score, Trending: t.Score >= opts.TrendThreshold})
	}
	slices.SortStableFunc(d.Trending, func(a, b Trend) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Critical, a.Critical), cmp.Compare(a.Programme, b.Programme))
	})
	return d, nil
}

// Empty reports a digest without any story.
func (d *Digest) Empty() bool { return len(d.Critical) == 0 && len(d.Positive) == 0 }

// Stories counts the stories listed.
func (d *Digest) Stories() int { return len(d.Critical) + len(d.Positive) }

// ProgrammeName returns the display name of a programme, else its id.
func (d *Digest) ProgrammeName(id string) string {
	if n := d.Names[id]; n != "" {
		return n
	}
	return id
}

// Subject is the digest's one-line title.
func (d *Digest) Subject() string {
	return fmt.Sprintf("Kliping Pantau %s: %s — %d kritis, %d positif", d.Date, shortName(d.Unit.Name), len(d.Critical), len(d.Positive))
}

// shortName is the unit's name up to its first semicolon.
func shortName(s string) string {
	first, _, _ := strings.Cut(s, ";")
	return strings.TrimSpace(first)
}
