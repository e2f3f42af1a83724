package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// TestFaultsKeepCountsExact runs the pantau binary against a ClickHouse server of its own on
// loopback while articles are being ingested from a loopback news site, and breaks things on
// the way: the server is killed and restarted mid-ingest, then pantau itself is killed with
// SIGKILL mid-ingest, and a last `pantau run --once` finishes the job. Every article, every
// mention and the hourly rollup must then count each article exactly once: delivery is at
// least once (rows replayed from the spool, articles fetched again), counts are exact.
func TestFaultsKeepCountsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test skipped in -short mode")
	}
	server, err := exec.LookPath("clickhouse-server")
	if err != nil {
		storagetest.Unavailable(t, "fault test needs clickhouse-server on PATH: %v", err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := buildPantau(t, dir)

	ch := startClickHouse(t, server, filepath.Join(dir, "clickhouse"))
	defer ch.stop()

	const n = 120
	site := httptest.NewServer(faultSite(n, 200*time.Millisecond)) // about 6 s of fetching with 4 workers
	defer site.Close()

	cfgFile := filepath.Join(dir, "pantau.yaml")
	scfg := config.Storage{DSN: fmt.Sprintf("clickhouse://127.0.0.1:%d/pantau_fault", ch.port)}
	cfg := fmt.Sprintf(`storage:
  dsn: %s
  flush_interval: 200ms
  batch_size: 20
  spool_dir: %s
http:
  listen: ""
log:
  level: info
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  host_parallelism: 4
  workers: 4
  max_article_age: 0s
  min_interval: 1s
sources:
  # A short interval keeps the first poll within two seconds of the start (Run spreads first
  # polls over up to one interval).
  - {name: fault, kind: feed, url: "%s/rss.xml", interval: 2s}
`, scfg.DSN, filepath.Join(dir, "spool"), site.URL)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "migrate", "--config", cfgFile).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	st, err := storage.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func(sql string) uint64 {
		res, err := st.Query(ctx, sql)
		if err != nil || len(res.Rows) != 1 {
			return 0 // the server is down: nothing counted yet
		}
		v, _ := res.Rows[0][0].(uint64)
		return v
	}
	stored := func() uint64 { return count("SELECT uniqExact(url_hash) FROM articles") }

	// 1. pantau runs; the server is killed once articles are flowing, and comes back.
	logs := filepath.Join(dir, "run1.log")
	run1 := startPantau(t, bin, cfgFile, logs)
	waitFor(t, "the first articles stored", 60*time.Second, func() bool { return stored() >= 10 })
	ch.kill()
	time.Sleep(2 * time.Second) // articles keep arriving: the writer buffers and spools them
	ch.start()
	waitFor(t, "the server back", 30*time.Second, func() bool { _, err := st.Query(ctx, "SELECT 1"); return err == nil })

	// 2. pantau is killed with SIGKILL in the middle of the ingest.
	waitFor(t, "ingest going on after the restart", 60*time.Second, func() bool { return stored() >= 30 })
	if err := run1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = run1.Wait()
	atKill := stored()
	t.Logf("killed pantau with %d of %d articles stored", atKill, n)
	if atKill >= n {
		t.Errorf("pantau was killed after the ingest ended: the test did not crash it mid-ingest")
	}
	if log := readFile(logs); strings.Contains(log, "spool file refused") {
		// A server that is down refuses nothing: its files wait, they are not counted refused.
		t.Errorf("a spool file counted as refused while the server was down:\n%s", grepLines(log, "refused"))
	}
	if log := readFile(logs); !strings.Contains(log, "flush failed") {
		t.Errorf("the first run's log does not show the outage (no failed flush):\n%s", log)
	} else {
		t.Logf("first run's log during the faults:\n%s", grepLines(log, "flush failed", "spool", "succeed again", "replayed"))
	}

	// 3. A last run finishes the job: it replays the spool and fetches what is missing.
	if out, err := exec.Command(bin, "run", "--once", "--config", cfgFile).CombinedOutput(); err != nil {
		t.Fatalf("run --once after the faults: %v\n%s\nfirst run's log:\n%s", err, out, readFile(logs))
	}

	checkExactCounts(t, count, n)
	raw := count("SELECT count() FROM articles")
	t.Logf("articles inserted %d times for %d articles (at-least-once delivery; ReplacingMergeTree and FINAL count them once)", raw, n)
}

// buildPantau builds the pantau binary into dir.
func buildPantau(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "pantau")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build pantau: %v\n%s", err, out)
	}
	return bin
}

// checkExactCounts checks that articles, mentions and the hourly rollup count each of n
// articles (one mention each) exactly once; count runs a query returning one number.
func checkExactCounts(t *testing.T, count func(sql string) uint64, n uint64) {
	t.Helper()
	checks := []struct {
		what string
		sql  string
		want uint64
	}{
		{"articles", "SELECT count() FROM articles FINAL", n},
		{"distinct articles", "SELECT uniqExact(url_hash) FROM articles", n},
		{"mentions", "SELECT count() FROM mentions FINAL", n},
		{"distinct mentions", "SELECT uniqExact(url_hash, programme) FROM mentions", n},
		{"hourly rollup", "SELECT sum(m) FROM (SELECT uniqExactMerge(mentions) AS m FROM mentions_hourly GROUP BY hour, programme, source, label)", n},
		{"critical in the rollup", "SELECT sum(c) FROM (SELECT uniqExactIfMerge(criticism) AS c FROM mentions_hourly GROUP BY hour, programme, source, label)",
			count("SELECT countIf(criticism = 1) FROM mentions FINAL")},
	}
	for _, c := range checks {
		if got := count(c.sql); got != c.want {
			t.Errorf("%s: %d, want %d\n%s", c.what, got, c.want, c.sql)
		}
	}
}

// faultSite serves an RSS feed of n items and their article pages, each page after delay,
// each mentioning e-KTP once.
func faultSite(n int, delay time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Fault</title>`)
		for i := range n {
			fmt.Fprintf(&b, "<item><title>Berita %d</title><link>http://%s/berita/%d.html</link></item>", i, r.Host, i)
		}
		b.WriteString("</channel></rss>")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b.String())
	})
	mux.HandleFunc("/berita/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/berita/"), ".html")
		fmt.Fprintf(w, `<html lang="id"><head><title>Berita %[1]s</title></head><body><article><h1>Laporan warga nomor %[1]s</h1>
<p>Warga kelurahan nomor %[1]s mengeluhkan blangko e-KTP yang kosong sejak pekan lalu di kantor kecamatan.</p>
<p>Antrean panjang terlihat setiap pagi, dan petugas meminta warga datang lagi bulan depan. Laporan %[1]s dicatat redaksi.</p>
</article></body></html>`, id)
	})
	return mux
}

// privateClickHouse is a ClickHouse server of the test's own, on free loopback ports, with its
// data in a folder of the test; it can be killed and started again on the same data.
type privateClickHouse struct {
	t      *testing.T
	bin    string
	dir    string
	port   int
	args   []string
	cmd    *exec.Cmd
	exited chan struct{}
}

func startClickHouse(t *testing.T, bin, dir string) *privateClickHouse {
	t.Helper()
	ports := freePorts(t, 3)
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ch := &privateClickHouse{t: t, bin: bin, dir: dir, port: ports[0], args: []string{
		"--config-file=/etc/clickhouse-server/config.xml", "--",
		"--path=" + dir + "/data/", "--tmp_path=" + dir + "/tmp/", "--user_files_path=" + dir + "/user_files/",
		"--format_schema_path=" + dir + "/format_schemas/",
		fmt.Sprintf("--tcp_port=%d", ports[0]), fmt.Sprintf("--http_port=%d", ports[1]),
		fmt.Sprintf("--interserver_http_port=%d", ports[2]), "--listen_host=127.0.0.1",
		"--logger.log=" + dir + "/server.log", "--logger.errorlog=" + dir + "/server.err.log",
	}}
	ch.start()
	return ch
}

func (c *privateClickHouse) start() {
	c.t.Helper()
	c.cmd = exec.Command(c.bin, c.args...)
	c.cmd.Dir = c.dir
	if err := c.cmd.Start(); err != nil {
		c.t.Fatalf("start clickhouse-server: %v", err)
	}
	c.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(c.cmd, c.exited)
	waitFor(c.t, "clickhouse-server accepting connections", 60*time.Second, func() bool {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", c.port), time.Second)
		if err == nil {
			conn.Close()
		}
		return err == nil
	})
}

// kill stops the server with SIGKILL and waits for it to exit.
func (c *privateClickHouse) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

func (c *privateClickHouse) stop() {
	if c.cmd != nil && c.cmd.ProcessState == nil {
		c.kill()
	}
}

func startPantau(t *testing.T, bin, cfgFile, logFile string) *exec.Cmd {
	t.Helper()
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	cmd := exec.Command(bin, "run", "--config", cfgFile)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// freePorts returns n loopback TCP ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// grepLines returns the lines of s that hold one of words.
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
