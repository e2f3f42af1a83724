package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// TestSearchAndEmergingCommands stores a burst of critical articles about a service the
// taxonomy does not know, then runs pantau search and pantau report --emerging on them.
func TestSearchAndEmergingCommands(t *testing.T) {
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) { testSearchAndEmerging(t, b) })
	}
}

func testSearchAndEmerging(t *testing.T, b storagetest.Backend) {
	cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
	if err := os.WriteFile(cfgFile, []byte(storageYAML(t, b)+"log:\n  level: warn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	cfg, _, err := loadConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(context.Background(), cfg.Storage, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var arts []storage.Article
	for i := range 6 {
		src := []string{"langgam", "antara"}[i%2]
		u := fmt.Sprintf("https://%s.example.id/sipadu/%d", src, i)
		arts = append(arts, storage.Article{URL: u, CanonicalURL: u, Source: src, Lang: "id", Sentiment: "negative",
			Title: fmt.Sprintf("Aplikasi SiPadu lumpuh lagi (%d)", i), Text: "Warga gagal mendaftar lewat aplikasi SiPadu sejak pagi.",
			PublishedAt: now.Add(-time.Duration(5+i) * time.Minute)})
	}
	err = storage.InsertRows(context.Background(), st, arts...)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := run(t, "", "search", "--config", cfgFile, "--format", "csv", `sipadu NEAR/2 lumpuh`)
	rows, cerr := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if code != 0 || cerr != nil || len(rows) != 7 || !strings.HasPrefix(rows[1][2], "Aplikasi **SiPadu lumpuh** lagi") {
		t.Errorf("search: exit %d, rows %q (%v), stderr %s", code, rows, cerr, stderr)
	}
	code, stdout, _ = run(t, "", "search", "--config", cfgFile, "--to", now.AddDate(0, 0, -2).Format(time.DateOnly), `sipadu`)
	if code != 0 || strings.Count(stdout, "\n") != 1 {
		t.Errorf("search before the burst: exit %d, %q", code, stdout)
	}
	code, _, stderr = run(t, "", "search", "--config", cfgFile, `sipadu AND (lumpuh`)
	if code != 1 || !strings.Contains(stderr, `query "sipadu AND (lumpuh": column 19: expected ) to close ( at column 12`) {
		t.Errorf("bad query: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, "", "search", "--config", cfgFile, "--format", "xml", `sipadu`)
	if code != 1 || !strings.Contains(stderr, `--format "xml"`) {
		t.Errorf("bad format: exit %d, %s", code, stderr)
	}

	code, stdout, stderr = run(t, "", "report", "--emerging", "--config", cfgFile)
	// The phrase is the run of word pairs the six stories share, whichever way it reads.
	if code != 0 || !strings.Contains(stdout, ` 1. "`) || !strings.Contains(stdout, `aplikasi sipadu`) ||
		!strings.Contains(stdout, "6 critical stories in the 1h window") || !strings.Contains(stdout, "https://langgam.example.id/sipadu/0") {
		t.Errorf("report --emerging: exit %d\n%s%s", code, stdout, stderr)
	}
}
