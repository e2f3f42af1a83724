package pipeline

import (
	"slices"
	"time"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/storage"
)

// CorrectionLine is one line of `pantau export-corrections`: a corrected article in the
// JSON Lines format `pantau eval` reads (analyzer.LabelledDoc), with the corrections it
// carries. Programmes, when set, is the article's complete list of programmes after the
// analysts' programme corrections (a matching line; empty when it is about none); Mentions
// are the stances the analysts set (mention lines). Corrections is provenance that eval
// ignores.
type CorrectionLine struct {
	ID          string                     `json:"id"`
	URL         string                     `json:"url"`
	Title       string                     `json:"title,omitempty"`
	Text        string                     `json:"text"`
	Lang        string                     `json:"lang,omitempty"`
	Programmes  *[]string                  `json:"programmes,omitempty"`
	Mentions    []analyzer.LabelledMention `json:"mentions,omitempty"`
	Corrections []CorrectionNote           `json:"corrections"`
}

// CorrectionNote says who corrected what, and when.
type CorrectionNote struct {
	Programme    string    `json:"programme"`
	Kind         string    `json:"kind"`
	Label        string    `json:"label,omitempty"`
	NewProgramme string    `json:"new_programme,omitempty"`
	WasLabel     string    `json:"was_label"`
	Analyst      string    `json:"analyst"`
	Note         string    `json:"note,omitempty"`
	CorrectedAt  time.Time `json:"corrected_at"`
}

// CorrectionLines turns corrected articles into labelled data for retraining and evaluation.
func CorrectionLines(arts []storage.CorrectedArticle) []CorrectionLine {
	out := make([]CorrectionLine, 0, len(arts))
	for _, ca := range arts {
		a := ca.Article
		line := CorrectionLine{ID: a.CanonicalURL, URL: a.CanonicalURL, Title: a.Title, Text: a.Text, Lang: a.Lang}
		current := make([]string, 0, len(ca.Mentions))
		for _, m := range ca.Mentions {
			current = append(current, m.Programme)
		}
		for _, c := range ca.Corrections {
			line.Corrections = append(line.Corrections, CorrectionNote{Programme: c.Programme, Kind: c.Kind, Label: c.Label,
				NewProgramme: c.NewProgramme, WasLabel: c.WasLabel, Analyst: c.Analyst, Note: c.Note, CorrectedAt: c.CorrectedAt})
			if c.Kind == storage.CorrectProgramme {
				line.Programmes = &current
			}
		}
		for _, c := range ca.Corrections {
			// A stance set on a programme a later correction took away is no label any more.
			if c.Kind == storage.CorrectStance && slices.Contains(current, c.Programme) {
				crit := c.Criticism
				line.Mentions = append(line.Mentions, analyzer.LabelledMention{Programme: c.Programme, Label: c.Label, Criticism: &crit})
			}
		}
		if line.Programmes == nil && len(line.Mentions) == 0 {
			continue
		}
		out = append(out, line)
	}
	return out
}
