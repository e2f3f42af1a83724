package analyzer

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer/sentiment"
)

// newsSplits are the news corpus splits, relative to this package.
var newsSplits = []string{"testdata/news/train.jsonl", "testdata/news/dev.jsonl", "testdata/news/test.jsonl"}

func readDocsFile(t *testing.T, path string) []LabelledDoc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	docs, err := ReadLabelledDocs(f, path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return docs
}

// TestNewsCorpusShape checks the promises testdata/news/README.md makes about the corpus: split by
// page, no page in two splits nor in newstest outside the test split, at most 3 passages a page
// and 8% a domain, a test split of at least 350 passages, every label at least 25% of the mentions,
// and at least 150 passages that name no programme.
func TestNewsCorpusShape(t *testing.T) {
	pageSplit := map[string]string{}
	perPage := map[string]int{}
	perDomain := map[string]int{}
	labels := map[string]int{}
	passages, negatives, mentions := 0, 0, 0
	perSplit := map[string]int{}
	for _, path := range newsSplits {
		split := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		for _, d := range readDocsFile(t, path) {
			if d.URL == "" {
				t.Fatalf("%s:%d: no url", path, d.Line)
			}
			if prev, ok := pageSplit[d.URL]; ok && prev != split {
				t.Errorf("%s:%d: page %s is in %s and %s", path, d.Line, d.URL, prev, split)
			}
			pageSplit[d.URL] = split
			switch d.Kind() {
			case DocMatching:
				passages++
				perSplit[split]++
				perPage[d.URL]++
				u, err := url.Parse(d.URL)
				if err != nil {
					t.Fatalf("%s:%d: %v", path, d.Line, err)
				}
				perDomain[strings.TrimPrefix(strings.TrimPrefix(u.Hostname(), "www."), "m.")]++
				if len(d.Programmes) == 0 {
					negatives++
				}
			case DocMention:
				mentions++
				labels[d.Label]++
			default:
				t.Errorf("%s:%d: a corpus line must list programmes", path, d.Line)
			}
		}
	}
	for _, d := range readDocsFile(t, "testdata/newstest.jsonl") {
		if s, ok := pageSplit[d.URL]; ok && s != "test" {
			t.Errorf("newstest page %s is in the %s split", d.URL, s)
		}
	}
	for u, n := range perPage {
		if n > 3 {
			t.Errorf("page %s has %d passages, want at most 3", u, n)
		}
	}
	for dom, n := range perDomain {
		if float64(n) > 0.08*float64(passages) {
			t.Errorf("domain %s has %d of %d passages, over 8%%", dom, n, passages)
		}
	}
	if perSplit["test"] < 350 {
		t.Errorf("test split has %d passages, want at least 350", perSplit["test"])
	}
	for _, l := range sentiment.Labels {
		if float64(labels[l]) < 0.25*float64(mentions) {
			t.Errorf("label %s on %d of %d mentions, under 25%%", l, labels[l], mentions)
		}
	}
	if negatives < 150 {
		t.Errorf("%d passages name no programme, want at least 150", negatives)
	}
	t.Logf("%d passages (%v), %d mentions %v, %d name no programme, %d pages, %d domains",
		passages, perSplit, mentions, labels, negatives, len(perPage), len(perDomain))
}

// TestSecondPassAgreement compares the blind second labelling of 150 random corpus passages
// (testdata/news/second_pass.jsonl) with the corpus labels and reports Cohen's kappa, as
// testdata/news/README.md quotes it.
func TestSecondPassAgreement(t *testing.T) {
	first := map[string]LabelledDoc{} // text + programme → mention; text → matching line
	for _, path := range newsSplits {
		for _, d := range readDocsFile(t, path) {
			first[d.Text+"\x00"+d.Programme] = d
		}
	}
	var stance, crit [][2]string
	sameSets, passages := 0, 0
	for _, d := range readDocsFile(t, "testdata/news/second_pass.jsonl") {
		f, ok := first[d.Text+"\x00"+d.Programme]
		if !ok {
			t.Fatalf("second_pass.jsonl:%d: passage not in the corpus", d.Line)
		}
		switch d.Kind() {
		case DocMatching:
			passages++
			if strings.Join(sorted(d.Programmes), ",") == strings.Join(sorted(f.Programmes), ",") {
				sameSets++
			}
		case DocMention:
			stance = append(stance, [2]string{f.Label, d.Label})
			crit = append(crit, [2]string{boolString(f.Criticism), boolString(d.Criticism)})
		}
	}
	ks, as := cohenKappa(stance)
	kc, ac := cohenKappa(crit)
	t.Logf("%d passages, identical programme lists %d; stance on %d shared mentions: agreement %.3f, kappa %.3f; criticism: agreement %.3f, kappa %.3f",
		passages, sameSets, len(stance), as, ks, ac, kc)
	if passages != 150 || ks < 0.8 || kc < 0.8 {
		t.Errorf("want 150 passages and kappa of at least 0.8 (README.md quotes 0.92 and 0.91)")
	}
}

// cohenKappa returns Cohen's kappa and the raw agreement of label pairs.
func cohenKappa(pairs [][2]string) (kappa, agreement float64) {
	a, b := map[string]float64{}, map[string]float64{}
	for _, p := range pairs {
		if p[0] == p[1] {
			agreement++
		}
		a[p[0]]++
		b[p[1]]++
	}
	n := float64(len(pairs))
	agreement /= n
	var chance float64
	for l, c := range a {
		chance += c * b[l] / (n * n)
	}
	return (agreement - chance) / (1 - chance), agreement
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func boolString(b *bool) string {
	if b == nil {
		return "unset"
	}
	return strconv.FormatBool(*b)
}
