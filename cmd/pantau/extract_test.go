package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtractSavedPages runs `pantau extract` over saved news pages of five layouts and
// checks the title, language and the start of the body text of each.
func TestExtractSavedPages(t *testing.T) {
	var want []struct {
		File, Title, Lang string
		BodyPrefix        string `json:"body_prefix"`
	}
	data, err := os.ReadFile("../../testdata/pages/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	args := []string{"extract", "--url", "https://example.id/berita/1"}
	for _, w := range want {
		args = append(args, filepath.Join("../../testdata/pages", w.File))
	}
	args = append(args, "../../testdata/pages/missing.html")
	code, stdout, stderr := run(t, "", args...)
	if code != 1 || !strings.Contains(stderr, "1 of 6 files failed") {
		t.Errorf("exit %d, stderr %q; want 1 for the missing file", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(want)+1 {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want)+1, stdout)
	}
	for i, w := range want {
		t.Run(w.File, func(t *testing.T) {
			var got extracted
			if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
				t.Fatal(err)
			}
			if got.Title != w.Title || got.Lang != w.Lang {
				t.Errorf("title %q lang %q, want %q %q", got.Title, got.Lang, w.Title, w.Lang)
			}
			if !strings.HasPrefix(got.Text, w.BodyPrefix) {
				t.Errorf("body starts %q, want %q", got.Text[:min(len(got.Text), 80)], w.BodyPrefix)
			}
			if got.Error != "" || filepath.Base(got.File) != w.File {
				t.Errorf("file %q error %q", got.File, got.Error)
			}
		})
	}
	var last extracted
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if !strings.Contains(last.Error, "missing.html") {
		t.Errorf("missing file: error %q should name it", last.Error)
	}
}

// TestExtractKeepsInputOrder extracts many files on several goroutines: the lines come
// out in the order of the arguments.
func TestExtractKeepsInputOrder(t *testing.T) {
	files, err := filepath.Glob("../../testdata/pages/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no saved pages: %v", err)
	}
	args := []string{"extract", "--workers", "3"}
	var want []string
	for i := range 40 {
		f := files[i%len(files)]
		if i%7 == 3 {
			f = "../../testdata/pages/missing.html"
		}
		args = append(args, f)
		want = append(want, f)
	}
	_, stdout, _ := run(t, "", args...)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d", len(lines), len(want))
	}
	for i, line := range lines {
		var got extracted
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		if got.File != want[i] {
			t.Fatalf("line %d is %s, want %s", i, got.File, want[i])
		}
	}
}
