package analyzer

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer/sentiment"
)

func readDocs(t *testing.T, name string) ([]LabelledDoc, error) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ReadLabelledDocs(f, name)
}

func TestReadLabelledDocs(t *testing.T) {
	tests := []struct {
		file      string
		kinds     []string // per good line
		lines     []int    // their line numbers
		badErrors []string // substrings of the error, one per bad line
	}{
		{file: "eval_matching.jsonl", kinds: []string{DocMatching, DocMatching, DocMatching, DocMatching, DocMatching}, lines: []int{1, 2, 3, 4, 5}},
		{file: "eval_mentions.jsonl", kinds: []string{DocMention, DocMention, DocMention, DocMention}, lines: []int{1, 2, 3, 4}},
		{file: "eval_bad.jsonl", kinds: []string{DocMention, DocSentiment}, lines: []int{1, 8},
			badErrors: []string{"eval_bad.jsonl:2: invalid character", "eval_bad.jsonl:3: empty text", `eval_bad.jsonl:4: unknown label "sad"`,
				"eval_bad.jsonl:6: set either programme", "eval_bad.jsonl:7: want a label"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			docs, err := readDocs(t, tt.file)
			if len(docs) != len(tt.kinds) {
				t.Fatalf("got %d docs, want %d (err %v)", len(docs), len(tt.kinds), err)
			}
			for i, d := range docs {
				if d.Kind() != tt.kinds[i] || d.Line != tt.lines[i] {
					t.Errorf("doc %d: kind %s line %d, want %s line %d", i, d.Kind(), d.Line, tt.kinds[i], tt.lines[i])
				}
			}
			if (err != nil) != (len(tt.badErrors) > 0) {
				t.Fatalf("err %v, want %d bad lines", err, len(tt.badErrors))
			}
			for _, want := range tt.badErrors {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if n := strings.Count(errString(err), "\n") + 1; err != nil && n != len(tt.badErrors) {
				t.Errorf("%d errors, want %d: %v", n, len(tt.badErrors), err)
			}
		})
	}
	if docs, _ := readDocs(t, "eval_bad.jsonl"); len(docs) == 2 && docs[1].Label != sentiment.Positive {
		t.Errorf("label pos read as %q, want positive", docs[1].Label)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestEvaluateMatching(t *testing.T) {
	docs, err := readDocs(t, "eval_matching.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	rep := EvaluateMatching(testAnalyzer, docs, "")
	// Found: m1 ektp; m2 pju, jalan; m3 none; m4 subsidi_bbm (transportasi_publik expected but
	// absent: fn); m5 kesehatan_puskesmas and transportasi_publik (not expected: fp).
	if rep.Docs != 5 || rep.Micro.TP != 5 || rep.Micro.FP != 1 || rep.Micro.FN != 1 || rep.ExactMatches != 3 {
		t.Fatalf("report %+v", rep)
	}
	if !near(rep.Micro.Precision, 5.0/6) || !near(rep.Micro.Recall, 5.0/6) {
		t.Errorf("micro %+v", rep.Micro)
	}
	want := map[string][3]int{"ektp": {1, 0, 0}, "jalan": {1, 0, 0}, "kesehatan_puskesmas": {1, 0, 0}, "pju": {1, 0, 0},
		"subsidi_bbm": {1, 0, 0}, "transportasi_publik": {0, 1, 1}}
	if len(rep.Programmes) != len(want) {
		t.Fatalf("programmes %+v", rep.Programmes)
	}
	for _, p := range rep.Programmes {
		if w := want[p.Programme]; [3]int{p.TP, p.FP, p.FN} != w {
			t.Errorf("%s: tp/fp/fn %d/%d/%d, want %v", p.Programme, p.TP, p.FP, p.FN, w)
		}
	}
	if !near(rep.MacroF1, 5.0/6) {
		t.Errorf("macro-F1 %v, want 5/6", rep.MacroF1)
	}
	if s := rep.String(); !strings.Contains(s, "transportasi_publik") || !strings.Contains(s, "micro precision=0.8333") {
		t.Errorf("String():\n%s", s)
	}
}

func TestEvaluateMentions(t *testing.T) {
	docs, err := readDocs(t, "eval_mentions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	rep := EvaluateMentions(testAnalyzer, docs, "id")
	// Lines 1, 2, 4 are found and judged right; line 3 names no programme: a miss.
	if rep.N != 4 || rep.Found != 3 || !near(rep.Accuracy, 0.75) {
		t.Fatalf("report %+v", rep)
	}
	if rep.Confusion[1][3] != 1 {
		t.Errorf("the missing neutral mention must be in column missing: %v", rep.Confusion)
	}
	// Criticism: lines 1-3 give a flag (line 4 does not); one true positive, no errors.
	if rep.CriticismN != 3 || rep.Criticism.TP != 1 || rep.Criticism.FP != 0 || rep.Criticism.FN != 0 {
		t.Errorf("criticism %d %+v", rep.CriticismN, rep.Criticism)
	}
	// neutral: precision 1 (one predicted, right), recall 1/2 → F1 2/3; the others 1.
	if !near(rep.Classes[1].F1, 2.0/3) || !near(rep.MacroF1, (1+2.0/3+1)/3) {
		t.Errorf("classes %+v macro %v", rep.Classes, rep.MacroF1)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 3 || rep.Errors[0].Got != Missing {
		t.Errorf("errors %+v", rep.Errors)
	}
}

func TestScores(t *testing.T) {
	tests := []struct {
		name       string
		tp, fp, fn int
		p, r, f    float64
	}{
		{"perfect", 3, 0, 0, 1, 1, 1},
		{"nothing predicted", 0, 0, 2, 0, 0, 0},
		{"half", 1, 1, 1, 0.5, 0.5, 0.5},
		{"empty", 0, 0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scores(tt.tp, tt.fp, tt.fn)
			if !near(s.Precision, tt.p) || !near(s.Recall, tt.r) || !near(s.F1, tt.f) {
				t.Errorf("got %+v", s)
			}
		})
	}
}
