package analyzer

import (
	"slices"
	"testing"

	"github.com/pantau-id/pantau/analyzer/convnet"
	"github.com/pantau-id/pantau/analyzer/sentiment"
)

func TestMentionWordsPositions(t *testing.T) {
	in := testAnalyzer.mentionOf(StanceExample{Lang: "id", Target: "program makan",
		Text: "Warga mengeluhkan program makan yang terlambat. Hujan turun sore itu."})
	words, pos := mentionWords(in)
	wantWords := []string{"warga", "mengeluhkan", "program", "makan", "yang", "terlambat", "hujan", "turun", "sore", "itu"}
	wantPos := []int{-2, -1, 0, 0, 1, 2, convnet.NoTerm, convnet.NoTerm, convnet.NoTerm, convnet.NoTerm}
	if !slices.Equal(words, wantWords) || !slices.Equal(pos, wantPos) {
		t.Errorf("mentionWords = %q %v, want %q %v", words, pos, wantWords, wantPos)
	}
}

func TestMixStance(t *testing.T) {
	linear := [3]float32{0.5, 0.3, 0.2}
	conv := [3]float32{0.0, 0.1, 0.9}
	for _, tc := range []struct {
		share float32
		want  string
	}{
		{0, sentiment.Negative},
		{0.2, sentiment.Negative}, // 0.40, 0.26, 0.34
		{0.5, sentiment.Positive}, // 0.25, 0.20, 0.55
		{1, sentiment.Positive},
	} {
		if got := mixStance(linear, conv, tc.share); got.Label != tc.want {
			t.Errorf("share %.1f: %s, want %s", tc.share, got.Label, tc.want)
		}
	}
}

// TestConvModelJudgesMentions trains the word-order model on a few hundred corpus mentions and
// checks that judging with it goes through Analyze as through JudgeStance, and that it changes
// some judgements (the hook is live).
func TestConvModelJudgesMentions(t *testing.T) {
	ex := StanceExamples(readDocsFile(t, "testdata/news/dev.jsonl"), "id")
	cfg := DefaultConvConfig()
	cfg.Epochs = 10
	conv, err := testAnalyzer.TrainConv(ex, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sw := *DefaultStance()
	sw.ConvID, sw.ConvShare = conv, 0.9
	a := testAnalyzer.WithStance(&sw)
	var n, changed int
	for _, d := range readDocsFile(t, "testdata/news/dev.jsonl") {
		if d.Kind() != DocMention {
			continue
		}
		for _, m := range a.Analyze(d.document("id")).Mentions {
			if m.Programme != d.Programme {
				continue
			}
			n++
			e := StanceExample{Text: joinSentence(d.Title, d.Text), Lang: "id", Programme: d.Programme}
			if s, _ := a.JudgeStance(e); s.Label != m.Sentiment.Label {
				t.Errorf("line %d %s: Analyze %s, JudgeStance %s", d.Line, d.Programme, m.Sentiment.Label, s.Label)
			}
			if s, _ := testAnalyzer.JudgeStance(e); s.Label != m.Sentiment.Label {
				changed++
			}
		}
	}
	if n < 300 || changed == 0 {
		t.Errorf("compared %d mentions, %d judged otherwise with the word-order model: want at least 300 and 1", n, changed)
	}
}
