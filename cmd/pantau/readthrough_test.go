package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pantau-id/pantau/internal/fixturesite"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
	"github.com/pantau-id/pantau/web"
)

// TestReadCommandsThroughRunningPipeline starts the pantau binary's `run` on an embedded
// store (which chDB locks for that process) against the fixture site on loopback, and runs
// `pantau report`, `sql` and `sources` as separate processes meanwhile: they read through
// the run's loopback API, with the same output as a direct read, refuse what a direct read
// refuses, and the API refuses requests without the token. With the run's HTTP server off,
// a read command fails with one clear line; after the run stops, it reads the store itself.
func TestReadCommandsThroughRunningPipeline(t *testing.T) {
	scfg := storagetest.EmbeddedConfig(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "pantau")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build pantau: %v\n%s", err, out)
	}
	site := httptest.NewServer(fixturesite.Handler("../../testdata/site"))
	defer site.Close()
	cfgFile := filepath.Join(dir, "pantau.yaml")
	cfg := fmt.Sprintf(`storage:
  data_dir: %s
  chdb_library: %s
  spool_dir: %s
  flush_interval: 100ms
http:
  listen: 127.0.0.1:0
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  max_article_age: 0s
sources:
  - {name: fx-rss, kind: feed, url: "%[4]s/rss.xml", lang: id, reach: 2}
  - {name: fx-off, kind: feed, url: "%[4]s/none.xml", disabled: true}
`, scfg.DataDir, scfg.ChDBLibrary, filepath.Join(dir, "spool"), site.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	pantau := func(args ...string) (int, string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, stdout.String(), stderr.String()
	}
	start := func(extra ...string) (*exec.Cmd, string) {
		t.Helper()
		logFile := filepath.Join(dir, fmt.Sprintf("run-%d.log", time.Now().UnixNano()))
		log, err := os.Create(logFile)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{"run", "--config", cfgFile}, extra...)...)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
			log.Close()
		})
		return cmd, logFile
	}
	stop := func(cmd *exec.Cmd) {
		t.Helper()
		_ = cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Errorf("pantau run after SIGINT: %v", err)
		}
	}

	runCmd, logFile := start()
	var articles, lastErr string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last read: %q %s\nrun's log:\n%s", articles, lastErr, readFile(logFile))
		}
	})
	waitFor(t, "the run publishing its local API", 60*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(scfg.DataDir, web.EndpointFile))
		return err == nil
	})
	waitFor(t, "the running pipeline storing the feed's articles through its API", 120*time.Second, func() bool {
		code, stdout, stderr := pantau("sql", "--config", cfgFile, "SELECT count() FROM articles FINAL")
		articles, lastErr = strings.TrimSpace(stdout), stderr
		return code == 0 && articles != "" && articles != "0"
	})
	t.Logf("articles stored while running: %s", articles)

	t.Run("sql", func(t *testing.T) {
		code, stdout, stderr := pantau("sql", "--header", "--config", cfgFile, "SELECT source, count() AS n FROM articles FINAL GROUP BY source")
		if code != 0 || !strings.HasPrefix(stdout, "source\tn\nfx-rss\t") {
			t.Errorf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
		}
		code, stdout, _ = pantau("sql", "--json", "--config", cfgFile, "SELECT 'a\tb' AS s, [1, 2] AS xs")
		if code != 0 || strings.TrimSpace(stdout) != `{"s":"a\tb","xs":[1,2]}` {
			t.Errorf("json: exit %d, %q", code, stdout)
		}
		for q, want := range map[string]string{
			"DROP TABLE articles":                               "not a read-only query: DROP statement",
			"SELECT * FROM file('/etc/passwd')":                 "reaches outside the database",
			"SELECT * FROM FILE('/etc/passwd', 'LineAsString')": "reaches outside the database",
		} {
			code, stdout, stderr := pantau("sql", "--config", cfgFile, q)
			if code != 1 || stdout != "" || !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and %q", q, code, stdout, stderr, want)
			}
		}
	})
	t.Run("sources", func(t *testing.T) {
		code, stdout, stderr := pantau("sources", "--json", "--config", cfgFile)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var got []storage.SourceStatus
		for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
			var s storage.SourceStatus
			if err := json.Unmarshal([]byte(line), &s); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, s)
		}
		if len(got) != 2 || got[0].Name != "fx-rss" || got[0].State != storage.SourceOK || got[0].Fetches == 0 || got[0].Articles == 0 ||
			got[1].Name != "fx-off" || got[1].State != storage.SourceDisabled {
			t.Errorf("sources --json through the run: %+v", got)
		}
		code, stdout, _ = pantau("sources", "--config", cfgFile)
		if code != 0 || !strings.Contains(stdout, "fx-rss") || !strings.Contains(stdout, "disabled") {
			t.Errorf("sources: exit %d\n%s", code, stdout)
		}
	})
	t.Run("report", func(t *testing.T) {
		code, stdout, stderr := pantau("report", "--window", "8760h", "--config", cfgFile)
		if code != 0 || !strings.Contains(stdout, "last 365d") || !strings.Contains(stdout, " WIB") || !strings.Contains(stdout, "Unit: ") {
			t.Errorf("report: exit %d, stderr %s\n%s", code, stderr, stdout)
		}
		code, stdout, _ = pantau("report", "--json", "--window", "8760h", "--config", cfgFile)
		var rep storage.Report
		if err := json.Unmarshal([]byte(stdout), &rep); code != 0 || err != nil || rep.WindowSeconds != 8760*3600 || len(rep.Items) == 0 {
			t.Errorf("report --json: exit %d, %v, %+v", code, err, rep)
		}
		if code, _, stderr := pantau("report", "--window", "8761h", "--config", cfgFile); code != 2 || !strings.Contains(stderr, "want a duration from 1h to 8760h") {
			t.Errorf("--window 8761h: exit %d, %s", code, stderr)
		}
	})
	t.Run("token", func(t *testing.T) {
		ep, err := web.ReadEndpoint(scfg.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(filepath.Join(scfg.DataDir, web.EndpointFile)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("endpoint file mode: %v, %v", fi.Mode(), err)
		}
		for token, want := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized, ep.Token: http.StatusOK} {
			req, _ := http.NewRequest(http.MethodPost, "http://"+ep.Addr+"/api/sql", strings.NewReader("SELECT 1"))
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != want {
				t.Errorf("token %q: status %d, want %d", token, res.StatusCode, want)
			}
		}
	})

	_, before, _ := pantau("sql", "--config", cfgFile, "SELECT count() FROM articles FINAL")
	stop(runCmd)
	if _, err := os.Stat(filepath.Join(scfg.DataDir, web.EndpointFile)); err == nil {
		t.Errorf("endpoint file left after the run stopped")
	}
	if code, stdout, stderr := pantau("sql", "--config", cfgFile, "SELECT count() FROM articles FINAL"); code != 0 || atoi(stdout) == 0 || atoi(stdout) < atoi(before) {
		t.Errorf("direct read after the run stopped: exit %d, %q (at least %q through the API), %s", code, stdout, before, stderr)
	}

	// Neither the store nor an API: one line that says what to do.
	offCmd, offLog := start("--listen", "off")
	// Waiting on the log, not on a read command: a read command opens the store while it is
	// still free, and would take it from the starting run.
	waitFor(t, "the second run holding the store", 60*time.Second, func() bool {
		return strings.Contains(readFile(offLog), "pipeline starting")
	})
	for _, args := range [][]string{{"sql", "SELECT 1"}, {"report"}, {"sources"}} {
		code, stdout, stderr := pantau(append(args, "--config", cfgFile)...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "Cannot lock file") ||
			!strings.Contains(stderr, "local API could not be used") || !strings.Contains(stderr, "http.listen") {
			t.Errorf("%v with the API off: exit %d, stderr %q", args, code, stderr)
		}
	}
	stop(offCmd)
}

// atoi reads a count that pantau sql printed.
func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}
