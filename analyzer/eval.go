package analyzer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pantau-id/pantau/analyzer/sentiment"
)

// LabelledDoc is one line of an evaluation file in JSON Lines: an article or passage with what an
// analyst found in it. Which fields are set decides what the line scores:
//   - Programmes set (possibly empty): programme matching, the complete list of programmes the text mentions;
//   - Programme set: one mention, its Label (stance toward that programme) and, when given, Criticism;
//   - neither: the sentiment of the whole text (Label).
//
// A corpus line may carry both: Programmes and Mentions, the stance toward each programme
// ({"programme","label","criticism"}). ReadLabelledDocs expands it into one matching line and
// one mention line per entry of Mentions.
type LabelledDoc struct {
	Line       int      `json:"-"` // line number in the file, from 1
	ID         string   `json:"id,omitempty"`
	URL        string   `json:"url,omitempty"`
	Title      string   `json:"title,omitempty"`
	Text       string   `json:"text"`
	Lang       string   `json:"lang,omitempty"`
	Programmes []string `json:"programmes,omitempty"`
	Programme  string   `json:"programme,omitempty"`
	Label      string   `json:"label,omitempty"`
	Criticism  *bool    `json:"criticism,omitempty"`
	// Mentions are the per-programme stances of a corpus line; empty after ReadLabelledDocs.
	Mentions []LabelledMention `json:"mentions,omitempty"`

	hasProgrammes bool
}

// LabelledMention is the stance toward one programme in a corpus line.
type LabelledMention struct {
	Programme string `json:"programme"`
	Label     string `json:"label"`
	Criticism *bool  `json:"criticism,omitempty"`
}

// Kinds of LabelledDoc.
const (
	DocSentiment = "sentiment" // Label of the whole text
	DocMatching  = "matching"  // the programmes the text mentions
	DocMention   = "mention"   // Label and Criticism of one programme's mention
)

// Kind says what the line scores: DocMatching, DocMention or DocSentiment.
func (d LabelledDoc) Kind() string {
	switch {
	case d.hasProgrammes:
		return DocMatching
	case d.Programme != "":
		return DocMention
	}
	return DocSentiment
}

// ReadLabelledDocs reads JSON Lines of LabelledDoc. Lines may carry other fields (notes, sources),
// which are ignored. A bad line (not JSON, no text, an unknown label, programme and programmes
// both set) is skipped and reported, as name:line: message, in the returned error (errors.Join),
// next to the good lines.
func ReadLabelledDocs(r io.Reader, name string) ([]LabelledDoc, error) {
	data, err := sentiment.ReadInput(r, name)
	if err != nil {
		return nil, err
	}
	var out []LabelledDoc
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, sentiment.LineError(name, line, format, args...))
	}
	line := 0
	for raw := range bytes.Lines(data) {
		line++
		if raw = bytes.TrimSpace(raw); len(raw) == 0 {
			continue
		}
		var d LabelledDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			fail(line, "%v", err)
			continue
		}
		var probe struct {
			Programmes json.RawMessage `json:"programmes"`
		}
		_ = json.Unmarshal(raw, &probe) // raw is valid JSON: decoded above
		d.hasProgrammes = probe.Programmes != nil && string(probe.Programmes) != "null"
		d.Line = line
		d.Text = strings.TrimSpace(d.Text)
		switch {
		case d.Text == "" && strings.TrimSpace(d.Title) == "":
			fail(line, "empty text")
			continue
		case d.hasProgrammes && d.Programme != "":
			fail(line, "set either programme (one mention) or programmes (all of them), not both")
			continue
		}
		if d.Label != "" {
			canon, ok := sentiment.ParseLabel(d.Label)
			if !ok {
				fail(line, "unknown label %q", d.Label)
				continue
			}
			d.Label = canon
		}
		if len(d.Mentions) > 0 {
			expanded, err := expandMentions(d)
			if err != nil {
				fail(line, "%v", err)
				continue
			}
			out = append(out, expanded...)
			continue
		}
		if d.Kind() != DocMatching && d.Label == "" {
			fail(line, "want a label (or programmes)")
			continue
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}

// expandMentions turns a corpus line with Mentions into its matching line (when it lists
// Programmes) and one mention line per entry.
func expandMentions(d LabelledDoc) ([]LabelledDoc, error) {
	if d.Programme != "" || d.Label != "" {
		return nil, errors.New("set mentions or programme and label, not both")
	}
	mentions := d.Mentions
	d.Mentions = nil
	var out []LabelledDoc
	if d.hasProgrammes {
		out = append(out, d)
	}
	for i, m := range mentions {
		label, ok := sentiment.ParseLabel(m.Label)
		if !ok || m.Programme == "" {
			return nil, fmt.Errorf("mention %d: want a programme and a label, got %q and %q", i+1, m.Programme, m.Label)
		}
		if d.hasProgrammes && !slices.Contains(d.Programmes, m.Programme) {
			return nil, fmt.Errorf("mention %d: programme %q is not in programmes", i+1, m.Programme)
		}
		md := d
		md.hasProgrammes, md.Programmes = false, nil
		md.Programme, md.Label, md.Criticism = m.Programme, label, m.Criticism
		out = append(out, md)
	}
	return out, nil
}

// document returns the analyzer's input for d; lang is used when d names none.
func (d LabelledDoc) document(lang string) Document {
	doc := Document{ID: d.ID, Title: d.Title, Text: d.Text, Lang: d.Lang}
	if doc.Lang == "" {
		doc.Lang = lang
	}
	return doc
}

// Scores are precision, recall and F1 from counts of true positives, false positives and false negatives.
type Scores struct {
	TP, FP, FN            int
	Precision, Recall, F1 float64
}

func scores(tp, fp, fn int) Scores {
	s := Scores{TP: tp, FP: fp, FN: fn}
	if tp+fp > 0 {
		s.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		s.Recall = float64(tp) / float64(tp+fn)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// ProgrammeScores are the matching scores of one programme.
type ProgrammeScores struct {
	Programme string
	Scores
}

// MatchReport scores programme matching against expected programme lists.
type MatchReport struct {
	Docs         int
	Micro        Scores            // over all (document, programme) pairs
	MacroF1      float64           // mean F1 of the programmes in Programmes
	Programmes   []ProgrammeScores // every programme expected or found, by id
	ExactMatches int               // documents whose found programmes equal the expected ones
}

// EvaluateMatching analyses the DocMatching lines of docs (others are ignored) with a and scores
// the programmes found against the expected ones. lang is the language of lines naming none
// ("" detects it).
func EvaluateMatching(a *Analyzer, docs []LabelledDoc, lang string) MatchReport {
	type counts struct{ tp, fp, fn int }
	per := map[string]*counts{}
	get := func(id string) *counts {
		c := per[id]
		if c == nil {
			c = &counts{}
			per[id] = c
		}
		return c
	}
	var rep MatchReport
	var tp, fp, fn int
	for _, d := range docs {
		if d.Kind() != DocMatching {
			continue
		}
		rep.Docs++
		res := a.Analyze(d.document(lang))
		found := make([]string, 0, len(res.Mentions))
		for _, m := range res.Mentions {
			found = append(found, m.Programme)
		}
		exact := true
		for _, id := range found {
			if slices.Contains(d.Programmes, id) {
				get(id).tp++
				tp++
			} else {
				get(id).fp++
				fp++
				exact = false
			}
		}
		for _, id := range d.Programmes {
			if !slices.Contains(found, id) {
				get(id).fn++
				fn++
				exact = false
			}
		}
		if exact {
			rep.ExactMatches++
		}
	}
	rep.Micro = scores(tp, fp, fn)
	for id, c := range per {
		rep.Programmes = append(rep.Programmes, ProgrammeScores{id, scores(c.tp, c.fp, c.fn)})
	}
	slices.SortFunc(rep.Programmes, func(x, y ProgrammeScores) int { return strings.Compare(x.Programme, y.Programme) })
	for _, p := range rep.Programmes {
		rep.MacroF1 += p.F1 / float64(len(rep.Programmes))
	}
	return rep
}

// String prints the report: micro scores, then one line per programme.
func (r MatchReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "programme matching: docs=%d exact=%d micro precision=%.4f recall=%.4f F1=%.4f (tp=%d fp=%d fn=%d) macro-F1=%.4f\n",
		r.Docs, r.ExactMatches, r.Micro.Precision, r.Micro.Recall, r.Micro.F1, r.Micro.TP, r.Micro.FP, r.Micro.FN, r.MacroF1)
	fmt.Fprintf(&b, "%-22s %9s %9s %9s %5s %5s %5s\n", "programme", "precision", "recall", "f1", "tp", "fp", "fn")
	for _, p := range r.Programmes {
		fmt.Fprintf(&b, "%-22s %9.4f %9.4f %9.4f %5d %5d %5d\n", p.Programme, p.Precision, p.Recall, p.F1, p.TP, p.FP, p.FN)
	}
	return b.String()
}

// Missing is the predicted label of a mention the analyzer did not find.
const Missing = "missing"

// mentionLabels are the confusion matrix columns of a MentionReport.
var mentionLabels = [4]string{sentiment.Negative, sentiment.Neutral, sentiment.Positive, Missing}

// MentionError is one mention line judged wrongly, for inspection.
type MentionError struct {
	Line               int
	Programme          string
	Label, Got         string // gold and predicted label (Missing when not found)
	Criticism, GotCrit bool
	HasCriticism       bool // the line gave a criticism flag
	Snippet            string
}

// MentionReport scores the stance and criticism flag of programme mentions.
type MentionReport struct {
	N        int // mention lines
	Found    int // lines whose programme the analyzer found
	Accuracy float64
	MacroF1  float64                  // mean F1 over the three labels; a missing mention is a false negative
	Classes  [3]sentiment.ClassReport // in sentiment.Labels order
	// Confusion is [gold][predicted] with predicted negative, neutral, positive, missing.
	Confusion [3][4]int
	// Criticism scores the criticism flag on lines that give one (CriticismN); a missing mention
	// predicts no criticism.
	Criticism  Scores
	CriticismN int
	Errors     []MentionError // lines with a wrong label or criticism flag, in file order
}

// EvaluateMentions analyses the DocMention lines of docs (others are ignored) with a and scores the
// label and criticism flag of each line's programme. lang is the language of lines naming none.
func EvaluateMentions(a *Analyzer, docs []LabelledDoc, lang string) MentionReport {
	var rep MentionReport
	var ctp, cfp, cfn int
	for _, d := range docs {
		if d.Kind() != DocMention {
			continue
		}
		gold := slices.Index(sentiment.Labels[:], d.Label)
		if gold < 0 {
			continue
		}
		rep.N++
		res := a.Analyze(d.document(lang))
		got, crit, snippet := Missing, false, ""
		for _, m := range res.Mentions {
			if m.Programme == d.Programme {
				got, crit, snippet = m.Sentiment.Label, m.Criticism, m.Snippet
				rep.Found++
				break
			}
		}
		rep.Confusion[gold][slices.Index(mentionLabels[:], got)]++
		wrong := got != d.Label
		if d.Criticism != nil {
			rep.CriticismN++
			switch {
			case *d.Criticism && crit:
				ctp++
			case crit:
				cfp++
			case *d.Criticism:
				cfn++
			}
			wrong = wrong || crit != *d.Criticism
		}
		if wrong {
			e := MentionError{Line: d.Line, Programme: d.Programme, Label: d.Label, Got: got, GotCrit: crit, Snippet: snippet}
			if d.Criticism != nil {
				e.HasCriticism, e.Criticism = true, *d.Criticism
			}
			rep.Errors = append(rep.Errors, e)
		}
	}
	correct := 0
	for c := range 3 {
		correct += rep.Confusion[c][c]
		var goldN, predN int
		for k := range 4 {
			goldN += rep.Confusion[c][k]
		}
		for g := range 3 {
			predN += rep.Confusion[g][c]
		}
		s := scores(rep.Confusion[c][c], predN-rep.Confusion[c][c], goldN-rep.Confusion[c][c])
		rep.Classes[c] = sentiment.ClassReport{Label: sentiment.Labels[c], Precision: s.Precision, Recall: s.Recall, F1: s.F1, Support: goldN}
		rep.MacroF1 += s.F1 / 3
	}
	if rep.N > 0 {
		rep.Accuracy = float64(correct) / float64(rep.N)
	}
	rep.Criticism = scores(ctp, cfp, cfn)
	return rep
}

// String prints the report: label scores, the confusion matrix and the criticism scores.
func (r MentionReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mentions: n=%d found=%d label accuracy=%.4f macro-F1=%.4f\n", r.N, r.Found, r.Accuracy, r.MacroF1)
	fmt.Fprintf(&b, "%-10s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support")
	for _, c := range r.Classes {
		fmt.Fprintf(&b, "%-10s %9.4f %9.4f %9.4f %8d\n", c.Label, c.Precision, c.Recall, c.F1, c.Support)
	}
	fmt.Fprintf(&b, "confusion (rows gold, columns predicted): %10s %10s %10s %10s\n", mentionLabels[0], mentionLabels[1], mentionLabels[2], mentionLabels[3])
	for g := range 3 {
		fmt.Fprintf(&b, "  %-10s %10d %10d %10d %10d\n", sentiment.Labels[g], r.Confusion[g][0], r.Confusion[g][1], r.Confusion[g][2], r.Confusion[g][3])
	}
	fmt.Fprintf(&b, "criticism: n=%d precision=%.4f recall=%.4f F1=%.4f (tp=%d fp=%d fn=%d)\n",
		r.CriticismN, r.Criticism.Precision, r.Criticism.Recall, r.Criticism.F1, r.Criticism.TP, r.Criticism.FP, r.Criticism.FN)
	return b.String()
}

// SentimentExamples returns the DocSentiment lines of docs as sentiment examples (title and text joined).
func SentimentExamples(docs []LabelledDoc) []sentiment.Example {
	var out []sentiment.Example
	for _, d := range docs {
		if d.Kind() == DocSentiment {
			out = append(out, sentiment.Example{Text: joinSentence(strings.TrimSpace(d.Title), d.Text), Label: d.Label})
		}
	}
	return out
}
