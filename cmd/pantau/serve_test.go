package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/internal/fixturesite"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// TestRunServes runs the continuous pipeline against the fixture site and checks what it
// serves while running: health, readiness, metrics, the report, then a clean shutdown on
// cancellation.
func TestRunServes(t *testing.T) {
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	b := storagetest.Backends[0] // embedded: the zero-setup default
	cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
	cfg := storageYAML(t, b) + fmt.Sprintf(`log:
  level: warn
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  max_article_age: 0s
  min_interval: 1s
trends:
  interval: 1s
sources:
  - {name: fx-rss, kind: feed, url: "%[1]s/rss.xml", reach: 2, interval: 1s}
  - {name: fx-kota, kind: portal, url: "%[1]s/kota/", link_pattern: "/berita/", interval: 1s}
`, site.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr},
			[]string{"run", "--config", cfgFile, "--listen", addr})
	}()

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// 12 articles: 8 in the RSS feed, 4 on the portal page.
	stored := regexp.MustCompile(`(?m)^pantau_pipeline_articles_stored_total\{source="[^"]+"\} (\d+)$`)
	wants := []string{
		`pantau_crawler_fetches_total{kind="feed",source="fx-rss",status_class="2xx"}`,
		`pantau_pipeline_mentions_stored_total{label="negative",programme="ektp"} 1`,
		`pantau_pipeline_stage_seconds_count{stage="analyze"} 12`,
		`pantau_pipeline_queue_depth{queue="articles"} 0`,
		`pantau_pipeline_detection_latency_seconds_count 12`,
		`pantau_storage_rows_written_total{table="articles"} 12`,
		`pantau_trend_last_run_timestamp_seconds`,
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, metrics := get("/metrics")
		total := 0
		for _, m := range stored.FindAllStringSubmatch(metrics, -1) {
			n, _ := strconv.Atoi(m[1])
			total += n
		}
		var missing []string
		for _, w := range wants {
			if !strings.Contains(metrics, w) {
				missing = append(missing, w)
			}
		}
		if code == 200 && total == 12 && len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: %d articles stored (want 12), /metrics %d, missing %q; log:\n%s", total, code, missing, stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body := get("/healthz"); code != 200 {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if code, body := get("/report?window=720h"); code != 200 || !strings.Contains(body, "Blangko KTP-el Habis") {
		t.Errorf("/report: %d, lacks the e-KTP article:\n%.500s", code, body)
	}
	code, body := get("/api/report?window=720h")
	var rep struct {
		Items []struct{ Programme, Unit string } `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &rep); code != 200 || err != nil || len(rep.Items) == 0 {
		t.Errorf("/api/report: %d %v %.300s", code, err, body)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("pantau run exited %d after cancellation; log:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("pantau run did not stop within 30s of cancellation")
	}
	if code, _ := get("/healthz"); code != 0 {
		t.Errorf("server still answers after shutdown")
	}
}

// TestRunBusyPortFailsFast checks that `pantau run` whose HTTP port is taken stops before
// crawling, with an error naming the address, and leaves the store closed and reusable.
func TestRunBusyPortFailsFast(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()
	cfgFile := filepath.Join(t.TempDir(), "pantau.yaml")
	cfg := storageYAML(t, storagetest.Backends[0]) + fmt.Sprintf(`log:
  level: warn
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
sources:
  - {name: fx-rss, kind: feed, url: "%s/rss.xml"}
`, site.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "run", "--config", cfgFile, "--listen", busy.Addr().String())
	if code != 1 || !strings.Contains(stderr, "listen "+busy.Addr().String()) {
		t.Errorf("exit %d, stderr %q: want 1 and the listen error", code, stderr)
	}
	// The embedded store's folder is free again: one process at a time may own it.
	if code, _, stderr := run(t, "", "run", "--config", cfgFile, "--once", "--listen", "off"); code != 0 {
		t.Errorf("run --once after the failed start: exit %d\n%s", code, stderr)
	}
}
