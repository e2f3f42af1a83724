package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/newsim"
)

// TestPantauConfigLoads checks that the configuration the bench writes for a run passes
// Pantau's own loading and validation with the settings and sources the bench meant.
func TestPantauConfigLoads(t *testing.T) {
	corpus, err := newsim.LoadCorpus("../../analyzer/testdata/news/train.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	w, err := newsim.Start(newsim.Options{Hosts: 2, FeedsPerHost: 2, SectionsPerHost: 1, Corpus: corpus})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, dsn := range []string{"", "clickhouse://127.0.0.1:9000/pantau_bench_1_2"} {
		dir := t.TempDir()
		file := filepath.Join(dir, "pantau.yaml")
		k := crawlKnobs{hostDelay: time.Second, minInterval: 30 * time.Second}
		if err := os.WriteFile(file, []byte(pantauConfig(dir, dsn, w.Sources(), k)), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(file)
		if err != nil {
			t.Fatalf("dsn %q: %v", dsn, err)
		}
		if cfg.Storage.DSN != dsn || (dsn == "" && cfg.Storage.DataDir != filepath.Join(dir, "data")) {
			t.Errorf("storage %+v, want dsn %q or data in %s", cfg.Storage, dsn, dir)
		}
		if cfg.Crawler.HostDelay.D() != time.Second || cfg.Crawler.MinInterval.D() != 30*time.Second || len(cfg.Crawler.AllowPrivate) != 1 {
			t.Errorf("crawler %+v", cfg.Crawler)
		}
		if len(cfg.Sources) != 6 || cfg.Sources[4].Kind != config.KindPortal || cfg.Sources[4].LinkPattern != "/berita/" || cfg.Sources[0].URL != w.Sources()[0].URL {
			t.Errorf("sources %+v, want the web's 4 feeds and 2 section pages", cfg.Sources)
		}
	}
}
