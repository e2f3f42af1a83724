package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// shardOutage is how long TestClusterShardDown keeps a whole shard down.
var shardOutage = flag.Duration("shard-outage", time.Minute, "how long TestClusterShardDown stops a whole shard")

// clusterRun is a database on the test cluster with the pantau binary configured for it.
type clusterRun struct {
	t     *testing.T
	cl    *storagetest.Cluster
	dir   string
	bin   string
	db    string
	st    storage.Store // reads through ch2, a server no test stops
	count func(sql string) uint64
}

// newClusterRun starts a test cluster, builds pantau and migrates database db through ch1.
func newClusterRun(t *testing.T, db string) *clusterRun {
	t.Helper()
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	cl := storagetest.StartCluster(t)
	dir := t.TempDir()
	r := &clusterRun{t: t, cl: cl, dir: dir, bin: buildPantau(t, dir), db: db}
	if out, err := exec.Command(r.bin, "migrate", "--config", r.config("migrate", "ch1", "", "")).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, cl.Config("ch2", db), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	r.count = func(sql string) uint64 {
		res, err := st.Query(ctx, sql)
		if err != nil || len(res.Rows) != 1 {
			return 0 // a shard is down: nothing counted yet
		}
		v, _ := res.Rows[0][0].(uint64)
		return v
	}
	return r
}

// config writes the configuration of one pantau instance connected to node, with its own
// spool folder, crawling sources (YAML list items), and returns its path.
func (r *clusterRun) config(name, node, shard, sources string) string {
	r.t.Helper()
	if sources == "" {
		sources = "  []"
	}
	cfg := fmt.Sprintf(`storage:
  dsn: clickhouse://%s/%s
  cluster: %s
  flush_interval: 200ms
  batch_size: 20
  spool_dir: %s
http:
  listen: ""
crawler:
  allow_private: [127.0.0.0/8]
  host_delay: 0s
  host_parallelism: 4
  workers: 4
  max_article_age: 0s
  min_interval: 1s
  shard: "%s"
sources:
%s
`, r.cl.Addr(node), r.db, storagetest.ClusterName, filepath.Join(r.dir, "spool-"+name), shard, sources)
	file := filepath.Join(r.dir, name+".yaml")
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return file
}

// stored counts the distinct articles the cluster holds.
func (r *clusterRun) stored() uint64 { return r.count("SELECT uniqExact(url_hash) FROM articles") }

// syncReplicas waits until every replica of the article and mention tables has fetched
// what its shard holds.
func (r *clusterRun) syncReplicas() {
	r.t.Helper()
	for _, node := range storagetest.ClusterNodes {
		st, err := storage.Open(context.Background(), r.cl.Config(node, r.db), nil)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, table := range []string{"articles_local", "mentions_local", "mentions_hourly_local"} {
			if err := st.Exec(context.Background(), "SYSTEM SYNC REPLICA "+table); err != nil {
				r.t.Errorf("%s: sync %s: %v", node, table, err)
			}
		}
		st.Close()
	}
}

// replicaRows counts the rows of a local table on one server.
func (r *clusterRun) replicaRows(node, sql string) (uint64, error) {
	st, err := storage.Open(context.Background(), r.cl.Config(node, r.db), nil)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	res, err := st.Query(context.Background(), sql)
	if err != nil {
		return 0, err
	}
	v, _ := res.Rows[0][0].(uint64)
	return v, nil
}

// feedSource is the YAML of a feed source.
func feedSource(name, url string) string {
	return fmt.Sprintf("  - {name: %s, kind: feed, url: %q, interval: 2s}\n", name, url)
}

// TestClusterReplicaDown stops the first replica of shard 2 (where inserts for that shard go)
// with SIGKILL during ingest and starts it again: writes go to the other replica meanwhile,
// nothing is lost or counted twice, and the restarted replica catches up.
func TestClusterReplicaDown(t *testing.T) {
	r := newClusterRun(t, "pantau_replica_down")
	const n = 120
	site := httptest.NewServer(faultSite(n, 200*time.Millisecond))
	defer site.Close()
	logs := filepath.Join(r.dir, "run.log")
	run := startPantau(t, r.bin, r.config("run", "ch1", "", feedSource("fault", site.URL+"/rss.xml")), logs)

	waitFor(t, "the first articles stored", 60*time.Second, func() bool { return r.stored() >= 10 })
	r.cl.Node("kill-node", "ch3")
	waitFor(t, "ingest going on with ch3 down", 60*time.Second, func() bool { return r.stored() >= 60 })
	r.cl.Node("start-node", "ch3")
	back := time.Now()
	caughtUp := func() bool {
		a, err1 := r.replicaRows("ch3", "SELECT count() FROM mentions_local FINAL")
		b, err2 := r.replicaRows("ch4", "SELECT count() FROM mentions_local FINAL")
		return err1 == nil && err2 == nil && a == b && a > 0
	}
	waitFor(t, "ch3 caught up with ch4", 120*time.Second, caughtUp)
	t.Logf("replica ch3 caught up %v after its restart", time.Since(back).Round(10*time.Millisecond))
	waitFor(t, "every article stored", 120*time.Second, func() bool { return r.stored() >= n })
	_ = run.Process.Signal(syscall.SIGTERM)
	_ = run.Wait()

	r.syncReplicas()
	checkExactCounts(t, r.count, n)
	for _, pair := range [][2]string{{"ch1", "ch2"}, {"ch3", "ch4"}} {
		for _, table := range []string{"articles_local", "mentions_local"} {
			a, err1 := r.replicaRows(pair[0], "SELECT count() FROM "+table+" FINAL")
			b, err2 := r.replicaRows(pair[1], "SELECT count() FROM "+table+" FINAL")
			if err1 != nil || err2 != nil || a != b {
				t.Errorf("%s: replicas %s and %s hold %d and %d rows (%v, %v)", table, pair[0], pair[1], a, b, err1, err2)
			}
		}
	}
	if log := readFile(logs); strings.Contains(log, "spool file refused") {
		t.Errorf("a spool file was refused:\n%s", grepLines(log, "refused"))
	}
}

// TestClusterShardDown stops both replicas of shard 2 for -shard-outage (a minute by
// default) during ingest: inserts fail, rows wait in the spool, and land when the shard is
// back, each counted once.
func TestClusterShardDown(t *testing.T) {
	r := newClusterRun(t, "pantau_shard_down")
	const n = 120
	site := httptest.NewServer(faultSite(n, 200*time.Millisecond))
	defer site.Close()
	logs := filepath.Join(r.dir, "run.log")
	cfg := r.config("run", "ch1", "", feedSource("fault", site.URL+"/rss.xml"))
	// Small batches: the writer keeps four per table in memory, and the rest must spool.
	if err := os.WriteFile(cfg, []byte(strings.Replace(readFile(cfg), "batch_size: 20", "batch_size: 5", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	run := startPantau(t, r.bin, cfg, logs)

	waitFor(t, "the first articles stored", 60*time.Second, func() bool { return r.stored() >= 10 })
	r.cl.Node("kill-node", "ch3")
	r.cl.Node("kill-node", "ch4")
	atDown := r.count("SELECT uniqExact(url_hash) FROM articles_local") // shard 1's, read on ch2
	spooled := 0
	deadline := time.Now().Add(*shardOutage)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(r.dir, "spool-run", "*.spool"))
		spooled = max(spooled, len(files))
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("shard 2 down for %v from %d articles on shard 1 to %d; up to %d spool files waited", *shardOutage, atDown,
		r.count("SELECT uniqExact(url_hash) FROM articles_local"), spooled)
	if spooled == 0 {
		t.Errorf("no rows waited in the spool while shard 2 was down")
	}
	r.cl.Node("start-node", "ch3")
	r.cl.Node("start-node", "ch4")
	back := time.Now()
	waitFor(t, "every article stored after the shard's return", 180*time.Second, func() bool { return r.stored() >= n })
	waitFor(t, "the spool emptied", 60*time.Second, func() bool {
		files, _ := filepath.Glob(filepath.Join(r.dir, "spool-run", "*.spool"))
		return len(files) == 0
	})
	t.Logf("every article stored %v after the shard came back", time.Since(back).Round(10*time.Millisecond))
	_ = run.Process.Signal(syscall.SIGTERM)
	_ = run.Wait()

	r.syncReplicas()
	checkExactCounts(t, r.count, n)
	log := readFile(logs)
	if !strings.Contains(log, "flush failed") {
		t.Errorf("the log does not show the outage (no failed flush):\n%s", log)
	}
	if strings.Contains(log, "spool file refused") {
		t.Errorf("a spool file was refused:\n%s", grepLines(log, "refused"))
	}
}

// TestClusterTwoInstances runs two pantau instances, each crawling one shard of six
// sources and writing through a server of its own; the second is killed with SIGKILL mid-
// ingest and started again. Every article is then stored once, and both instances' source
// states are in the cluster.
func TestClusterTwoInstances(t *testing.T) {
	r := newClusterRun(t, "pantau_two_instances")
	const feeds, perFeed = 6, 30
	site := httptest.NewServer(multiFeedSite(feeds, perFeed, 200*time.Millisecond))
	defer site.Close()
	var sources strings.Builder
	for i := range feeds {
		sources.WriteString(feedSource(fmt.Sprintf("feed%d", i), fmt.Sprintf("%s/feed/%d.xml", site.URL, i)))
	}
	cfgA := r.config("a", "ch1", "0/2", sources.String())
	cfgB := r.config("b", "ch3", "1/2", sources.String())
	start := time.Now()
	a := startPantau(t, r.bin, cfgA, filepath.Join(r.dir, "a.log"))
	b := startPantau(t, r.bin, cfgB, filepath.Join(r.dir, "b.log"))

	const n = feeds * perFeed
	waitFor(t, "a third of the articles stored", 120*time.Second, func() bool { return r.stored() >= n/3 })
	if err := b.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = b.Wait()
	t.Logf("killed instance b with %d of %d articles stored", r.stored(), n)
	b = startPantau(t, r.bin, cfgB, filepath.Join(r.dir, "b2.log"))
	waitFor(t, "every article stored", 180*time.Second, func() bool { return r.stored() >= n })
	t.Logf("%d articles from %d feeds stored by two instances in %v", n, feeds, time.Since(start).Round(10*time.Millisecond))
	for _, p := range []*exec.Cmd{a, b} {
		_ = p.Process.Signal(syscall.SIGTERM)
		_ = p.Wait()
	}

	r.syncReplicas()
	checkExactCounts(t, r.count, n)
	if got := r.count("SELECT uniqExact(source) FROM source_state"); got != feeds {
		t.Errorf("source states in the cluster: %d, want %d (both instances')", got, feeds)
	}
}

// multiFeedSite serves feeds feed/0.xml … feed/(feeds-1).xml of perFeed items each, and
// their article pages as faultSite does.
func multiFeedSite(feeds, perFeed int, delay time.Duration) http.Handler {
	pages := faultSite(feeds*perFeed, delay)
	mux := http.NewServeMux()
	mux.HandleFunc("/feed/", func(w http.ResponseWriter, r *http.Request) {
		var k int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d.xml", &k); err != nil || k < 0 || k >= feeds {
			http.NotFound(w, r)
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title>`, k)
		for i := k * perFeed; i < (k+1)*perFeed; i++ {
			fmt.Fprintf(&b, "<item><title>Berita %d</title><link>http://%s/berita/%d.html</link></item>", i, r.Host, i)
		}
		b.WriteString("</channel></rss>")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b.String())
	})
	mux.Handle("/", pages)
	return mux
}

func TestURLShard(t *testing.T) {
	var urls []string
	for i := range 100 {
		urls = append(urls, fmt.Sprintf("https://example.org/berita/%d", i))
	}
	seen := map[string]int{}
	for i := range 3 {
		part := urlShard(urls, i, 3)
		if len(part) == 0 {
			t.Errorf("shard %d/3 of 100 URLs is empty", i)
		}
		for _, u := range part {
			seen[u]++
		}
	}
	for _, u := range urls {
		if seen[u] != 1 {
			t.Errorf("%s is in %d shards, want 1", u, seen[u])
		}
	}
	if got := urlShard(urls, 0, 1); len(got) != len(urls) {
		t.Errorf("shard 0/1 has %d URLs, want all %d", len(got), len(urls))
	}
}
