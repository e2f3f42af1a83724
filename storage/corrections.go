package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CorrectionsTable is the analysts' log of corrections (migration 0007).
const CorrectionsTable = "corrections"

// Correction kinds.
const (
	// CorrectStance sets the right stance (label and criticism flag) of a mention.
	CorrectStance = "stance"
	// CorrectProgramme says a mention is not about its programme: about NewProgramme
	// instead, or about none when NewProgramme is empty.
	CorrectProgramme = "programme"
)

var correctionSchema = newSchema(CorrectionsTable,
	"story UInt64", "url_hash UInt64", "programme String", "kind String", "label String", "criticism UInt8",
	"new_programme String", "was_label String", "was_criticism UInt8", "analyst String", "note String",
	"corrected_at DateTime", "version UInt64")

// CorrectionColumns are the columns a Correction fills, in order.
var CorrectionColumns = correctionSchema.names

// Correction is an analyst's judgement that a mention was wrong. It holds for the whole
// story (the original article and its syndicated copies).
type Correction struct {
	Story     uint64 // url_hash of the story's original; set by Correct
	URLHash   uint64 // the article the analyst corrected
	Programme string // the mention's programme as analysed
	Kind      string // CorrectStance or CorrectProgramme
	// Label and Criticism are the right stance (CorrectStance).
	Label     string
	Criticism bool
	// NewProgramme is the right programme (CorrectProgramme); empty: none.
	NewProgramme string
	// WasLabel and WasCriticism are the stance stored before the correction; set by Correct.
	WasLabel     string
	WasCriticism bool
	Analyst      string // who corrected; required
	Note         string
	CorrectedAt  time.Time // set by Correct when zero
	Version      uint64    // orders corrections of one mention; set by Correct
}

// Table returns CorrectionsTable.
func (Correction) Table() string   { return CorrectionsTable }
func (Correction) schema() *schema { return correctionSchema }

func (c Correction) appendTo(r *row) {
	r.u64(c.Story)
	r.u64(c.URLHash)
	r.str(c.Programme)
	r.str(c.Kind)
	r.str(c.Label)
	r.flag(c.Criticism)
	r.str(c.NewProgramme)
	r.str(c.WasLabel)
	r.flag(c.WasCriticism)
	r.str(c.Analyst)
	r.str(c.Note)
	r.time(c.CorrectedAt)
	r.u64(c.Version)
}

// ErrNoMention reports a correction of a mention that is not stored.
var ErrNoMention = errors.New("storage: no such mention")

// Validate reports what is wrong with a correction an analyst asked for.
func (c Correction) Validate() error {
	var errs []error
	if c.URLHash == 0 {
		errs = append(errs, errors.New("no article"))
	}
	if strings.TrimSpace(c.Programme) == "" {
		errs = append(errs, errors.New("no programme"))
	}
	if strings.TrimSpace(c.Analyst) == "" {
		errs = append(errs, errors.New("no analyst: say who corrects"))
	}
	switch c.Kind {
	case CorrectStance:
		if !slices.Contains([]string{"negative", "neutral", "positive"}, c.Label) {
			errs = append(errs, fmt.Errorf("label %q: want negative, neutral or positive", c.Label))
		}
		if c.Criticism && c.Label != "negative" {
			errs = append(errs, fmt.Errorf("criticism with label %s: only a negative mention can be criticism", c.Label))
		}
	case CorrectProgramme:
		if c.NewProgramme == c.Programme {
			errs = append(errs, fmt.Errorf("new programme %q is the mention's own", c.NewProgramme))
		}
	default:
		errs = append(errs, fmt.Errorf("kind %q: want %s or %s", c.Kind, CorrectStance, CorrectProgramme))
	}
	if len(c.Analyst) > 200 || len(c.Note) > 2000 {
		errs = append(errs, errors.New("analyst (200 bytes) or note (2000 bytes) too long"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("correction: %w", err)
	}
	return nil
}

// Correct records c and writes it into the stored mentions of its story (the original and
// its copies), then rebuilds the hourly rollup of their hours, so that reports, trends and
// dashboards count the corrected stance or programme from then on. unitOf returns the
// responsible unit of a programme (for a programme correction). It returns ErrNoMention
// when the article has no stored mention of c.Programme.
func Correct(ctx context.Context, s Store, c Correction, unitOf func(programme string) string) (Correction, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	res, err := s.Query(ctx, fmt.Sprintf(
		"SELECT duplicate_of, label, criticism FROM mentions FINAL WHERE url_hash = %d AND programme = %s LIMIT 1",
		c.URLHash, quoteString(c.Programme)))
	if err != nil {
		return c, fmt.Errorf("correct: %w", err)
	}
	if len(res.Rows) == 0 {
		return c, fmt.Errorf("correct article %d, programme %s: %w", c.URLHash, c.Programme, ErrNoMention)
	}
	c.Story = c.URLHash
	if dup := asUint(res.Rows[0][0]); dup != 0 {
		c.Story = dup
	}
	c.WasLabel, c.WasCriticism = asString(res.Rows[0][1]), asUint(res.Rows[0][2]) != 0
	if c.CorrectedAt.IsZero() {
		c.CorrectedAt = time.Now()
	}
	c.CorrectedAt = c.CorrectedAt.UTC().Truncate(time.Second)
	if c.Version == 0 {
		c.Version = uint64(time.Now().UnixNano())
	}
	if err := InsertRows(ctx, s, c); err != nil {
		return c, fmt.Errorf("record correction: %w", err)
	}
	if err := applyStored(ctx, s, c.Story, unitOf); err != nil {
		return c, fmt.Errorf("apply correction: %w", err)
	}
	return c, nil
}

// applyStored rewrites the stored mentions of a story with its corrections applied.
func applyStored(ctx context.Context, s Store, story uint64, unitOf func(string) string) error {
	where := fmt.Sprintf("url_hash = %d OR duplicate_of = %d", story, story)
	ms, err := readMentions(ctx, s, where)
	if err != nil {
		return err
	}
	cs, err := LatestCorrections(ctx, s, []uint64{story})
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return nil
	}
	fixed := ApplyCorrections(ms, cs, unitOf)
	hashes := make([]uint64, 0, len(ms))
	from, to := ms[0].PublishedAt, ms[0].PublishedAt
	for _, m := range ms {
		if !slices.Contains(hashes, m.URLHash) {
			hashes = append(hashes, m.URLHash)
		}
		from, to = minTime(from, m.PublishedAt), maxTime(to, m.PublishedAt)
	}
	// The delete applies to the mentions stored before it, not to those inserted next.
	if err := DeleteMentions(ctx, s, hashes); err != nil {
		return err
	}
	if err := InsertRows(ctx, s, fixed...); err != nil {
		return fmt.Errorf("rewrite mentions: %w", err)
	}
	if err := WaitMutations(ctx, s, MentionsTable); err != nil {
		return err
	}
	return RebuildHourlyRollup(ctx, s, ArticleFilter{From: from.Truncate(time.Hour), To: to.Truncate(time.Hour).Add(time.Hour)})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// readMentions returns the stored mentions matching the SQL condition where.
func readMentions(ctx context.Context, q Querier, where string) ([]Mention, error) {
	res, err := q.Query(ctx, "SELECT "+strings.Join(MentionColumns, ", ")+" FROM mentions FINAL WHERE "+where+
		" ORDER BY url_hash, programme LIMIT 1 BY url_hash, programme")
	if err != nil {
		return nil, fmt.Errorf("read mentions: %w", err)
	}
	out := make([]Mention, len(res.Rows))
	for i, r := range res.Rows {
		var terms []string
		if a, ok := r[3].([]any); ok {
			for _, t := range a {
				terms = append(terms, asString(t))
			}
		}
		out[i] = Mention{
			URLHash: asUint(r[0]), Programme: asString(r[1]), Unit: asString(r[2]), Terms: terms,
			Score: asFloat32(r[4]), Label: asString(r[5]), Criticism: asUint(r[6]) != 0, Snippet: asString(r[7]),
			PublishedAt: asTime(r[8]), Source: asString(r[9]), DuplicateOf: asUint(r[10]), AnalyzerVersion: asString(r[11]),
			Region: asString(r[12]), Regions: stringArray(r[13]),
		}
	}
	return out, nil
}

// LatestCorrections returns the corrections in force for the given stories (all stories
// when stories is nil): per story, programme and kind the latest, ordered by story and
// version.
func LatestCorrections(ctx context.Context, q Querier, stories []uint64) ([]Correction, error) {
	where := "1"
	if stories != nil {
		if len(stories) == 0 {
			return nil, nil
		}
		ids := make([]string, len(stories))
		for i, s := range stories {
			ids[i] = strconv.FormatUint(s, 10)
		}
		where = "story IN (" + strings.Join(ids, ",") + ")"
	}
	res, err := q.Query(ctx, fmt.Sprintf(`SELECT %s FROM corrections WHERE %s
ORDER BY story, programme, kind, version DESC
LIMIT 1 BY story, programme, kind`, strings.Join(CorrectionColumns, ", "), where))
	if err != nil {
		return nil, fmt.Errorf("read corrections: %w", err)
	}
	out := make([]Correction, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = Correction{
			Story: asUint(r[0]), URLHash: asUint(r[1]), Programme: asString(r[2]), Kind: asString(r[3]),
			Label: asString(r[4]), Criticism: asUint(r[5]) != 0, NewProgramme: asString(r[6]),
			WasLabel: asString(r[7]), WasCriticism: asUint(r[8]) != 0, Analyst: asString(r[9]), Note: asString(r[10]),
			CorrectedAt: asTime(r[11]), Version: asUint(r[12]),
		}
	}
	slices.SortStableFunc(out, func(a, b Correction) int {
		return cmp.Or(cmp.Compare(a.Story, b.Story), cmp.Compare(a.Version, b.Version))
	})
	return out, nil
}

// ApplyCorrections returns ms with the corrections cs applied, in version order: a
// programme correction drops the mention of its programme (or moves it to NewProgramme,
// with that programme's unit from unitOf, unless the article already mentions it), a
// stance correction sets the label, criticism flag and score of its programme's mention.
// A correction applies to the mentions whose story (DuplicateOf, else URLHash) is its Story.
// ms is not modified.
func ApplyCorrections(ms []Mention, cs []Correction, unitOf func(programme string) string) []Mention {
	out := slices.Clone(ms)
	for _, c := range cs {
		var next []Mention
		for _, m := range out {
			if storyOf(m) != c.Story || m.Programme != c.Programme {
				next = append(next, m)
				continue
			}
			switch c.Kind {
			case CorrectStance:
				m.Label, m.Criticism, m.Score = c.Label, c.Criticism, stanceScore[c.Label]
				next = append(next, m)
			case CorrectProgramme:
				if c.NewProgramme == "" || slices.ContainsFunc(out, func(o Mention) bool { return o.URLHash == m.URLHash && o.Programme == c.NewProgramme }) {
					continue // dropped
				}
				m.Programme, m.Terms = c.NewProgramme, nil
				if unitOf != nil {
					m.Unit = unitOf(c.NewProgramme)
				}
				next = append(next, m)
			default:
				next = append(next, m)
			}
		}
		out = next
	}
	return out
}

// stanceScore is the score a corrected stance gets: the analyst's judgement is certain.
var stanceScore = map[string]float32{"negative": -1, "neutral": 0, "positive": 1}

func storyOf(m Mention) uint64 {
	if m.DuplicateOf != 0 {
		return m.DuplicateOf
	}
	return m.URLHash
}

// CorrectedArticle is a corrected story's original article with the mentions it has now
// (corrections applied) and the corrections in force, for exporting labelled data.
type CorrectedArticle struct {
	Article     Article
	Mentions    []Mention
	Corrections []Correction
}

// CorrectedArticles returns every story with a correction in force, by story: the stored
// article the corrections were made on (the original when stored), its current mentions
// and its corrections.
func CorrectedArticles(ctx context.Context, q Querier) ([]CorrectedArticle, error) {
	cs, err := LatestCorrections(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	byStory := map[uint64][]Correction{}
	var stories []uint64
	for _, c := range cs {
		if _, ok := byStory[c.Story]; !ok {
			stories = append(stories, c.Story)
		}
		byStory[c.Story] = append(byStory[c.Story], c)
	}
	var out []CorrectedArticle
	for _, story := range stories {
		scs := byStory[story]
		shown := story
		arts, err := ArticlesAfter(ctx, q, ArticleFilter{}, shown-1, 1)
		if err != nil {
			return nil, err
		}
		if len(arts) == 0 || arts[0].URLHash != shown {
			shown = scs[0].URLHash // the original is not stored: the corrected copy
			if arts, err = ArticlesAfter(ctx, q, ArticleFilter{}, shown-1, 1); err != nil {
				return nil, err
			}
			if len(arts) == 0 || arts[0].URLHash != shown {
				continue // the article is gone (retention)
			}
		}
		ms, err := readMentions(ctx, q, fmt.Sprintf("url_hash = %d", shown))
		if err != nil {
			return nil, err
		}
		out = append(out, CorrectedArticle{Article: arts[0], Mentions: ms, Corrections: scs})
	}
	return out, nil
}
