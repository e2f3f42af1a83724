package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/internal/trendtest"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

func TestDigestCommand(t *testing.T) {
	b := storagetest.Backends[0]
	cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
	if err := os.WriteFile(cfgFile, []byte(storageYAML(t, b)+"digest:\n  time: \"16:30\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "", "migrate", "--config", cfgFile); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	func() {
		cfg, err := config.Load(cfgFile)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.Open(context.Background(), cfg.Storage, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		trendtest.Store(t, st, append(trendtest.QuietHistory(trendtest.Now), trendtest.Burst("ektp", 8, trendtest.Now)...))
	}()

	code, list, stderr := run(t, "", "digest", "--list", "--config", cfgFile)
	if code != 0 || !strings.Contains(list, "[ektp kk_akta]") {
		t.Fatalf("digest --list: exit %d %s%s", code, list, stderr)
	}
	id := strings.Fields(list[strings.Index(list, "disdukcapil"):])[0]

	code, out, stderr := run(t, "", "digest", "--config", cfgFile, "--unit", id, "--date", "2026-05-04", "--format", "json")
	if code != 0 {
		t.Fatalf("digest: exit %d: %s", code, stderr)
	}
	var d struct {
		Date     string `json:"date"`
		Critical []struct {
			URL   string   `json:"url"`
			Reach float64  `json:"reach"`
			Outs  []string `json:"outlets"`
		} `json:"critical"`
		Trending []struct {
			Programme string `json:"programme"`
			Trending  bool   `json:"trending"`
		} `json:"trending"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Date != "2026-05-04" || len(d.Critical) != 10 || len(d.Critical[0].Outs) != 3 || len(d.Trending) == 0 || !d.Trending[0].Trending {
		t.Errorf("digest %+v", d)
	}
	// A part of the unit's name works too; html and md render.
	for _, f := range []string{"html", "md"} {
		if code, out, stderr := run(t, "", "digest", "--config", cfgFile, "--unit", "Sipil", "--date", "2026-05-04", "--format", f); code != 0 || !strings.Contains(out, "Kliping harian Pantau") {
			t.Errorf("--format %s: exit %d %s", f, code, stderr)
		}
	}
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--unit", "nope"}, 1, `unit "nope": no unit`},
		{[]string{"--unit", id, "--date", "4 Mei"}, 1, `date "4 Mei": want YYYY-MM-DD`},
		{[]string{"--unit", id, "--format", "pdf"}, 2, "--format must be"},
		{nil, 2, "give --unit"},
	} {
		code, _, stderr := run(t, "", append([]string{"digest", "--config", cfgFile}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("digest %v: exit %d, %s; want %d and %q", tt.args, code, stderr, tt.code, tt.msg)
		}
	}
}
