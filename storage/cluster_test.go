package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// TestClusterMigrateAndCount runs the schema on the test cluster (2 shards × 2 replicas):
// three processes migrate at once through three servers, then rows inserted through one
// server, some of them twice, are counted once through every other, an article's mentions
// sit on its shard, replicas hold the same rows, and re-analysis deletes and rebuilds across
// shards.
func TestClusterMigrateAndCount(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped in -short mode")
	}
	cl := storagetest.StartCluster(t)
	ctx := context.Background()
	const db = "pantau_cluster"
	stores := map[string]storage.Store{}
	for _, node := range storagetest.ClusterNodes {
		s, err := storage.Open(ctx, cl.Config(node, db), nil)
		if err != nil {
			t.Fatalf("open %s: %v", node, err)
		}
		defer s.Close()
		stores[node] = s
	}

	// Three instances migrate at once: each migration is applied once in all.
	migs, err := storage.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var applied []string
	var wg sync.WaitGroup
	for _, node := range []string{"ch1", "ch2", "ch3"} {
		wg.Go(func() {
			got, err := storage.Migrate(ctx, stores[node], storage.MigrateOptions{})
			if err != nil {
				t.Errorf("migrate through %s: %v", node, err)
			}
			mu.Lock()
			applied = append(applied, got...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(applied)
	var want []string
	for _, m := range migs {
		want = append(want, fmt.Sprintf("%04d_%s", m.Version, m.Name))
	}
	if !slices.Equal(applied, want) {
		t.Fatalf("concurrent migrates applied %v, want each of %v once", applied, want)
	}

	count := func(node, sql string) uint64 {
		t.Helper()
		res, err := stores[node].Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %s: %v", node, sql, err)
		}
		return asUint64(res.Rows[0][0])
	}
	for _, node := range storagetest.ClusterNodes {
		if err := stores[node].Exec(ctx, "SYSTEM SYNC REPLICA schema_migrations"); err != nil {
			t.Fatal(err)
		}
		if n := count(node, "SELECT count() FROM schema_migrations FINAL"); n != uint64(len(migs)) {
			t.Errorf("%s: schema_migrations has %d versions, want %d", node, n, len(migs))
		}
		if err := storage.CheckSchema(ctx, stores[node]); err != nil {
			t.Errorf("%s: %v", node, err)
		}
		// Columns added by migrations, on one replica of each shard, reach every server.
		for _, column := range []string{"articles_local.regions", "mentions_local.region", "source_state_local.last_item", "articles.regions"} {
			table, name, _ := strings.Cut(column, ".")
			sql := "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '" + table + "' AND name = '" + name + "'"
			if count(node, sql) != 1 {
				t.Errorf("%s: column %s missing", node, column)
			}
		}
		for table, engine := range map[string]string{
			"articles": "Distributed", "articles_local": "ReplicatedReplacingMergeTree",
			"mentions": "Distributed", "mentions_local": "ReplicatedReplacingMergeTree",
			"fetches": "Distributed", "fetches_local": "ReplicatedMergeTree",
			"source_state": "Distributed", "source_state_local": "ReplicatedReplacingMergeTree",
			"mentions_hourly": "Distributed", "mentions_hourly_local": "ReplicatedAggregatingMergeTree",
			"mentions_hourly_mv": "MaterializedView", storage.LockTable: "",
		} {
			res, err := stores[node].Query(ctx, "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = '"+table+"'")
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(res.Rows) == 1 {
				got, _ = res.Rows[0][0].(string)
			}
			if got != engine {
				t.Errorf("%s: table %s has engine %q, want %q", node, table, got, engine)
			}
		}
	}

	// 40 articles with one mention each, every third critical, inserted through ch1 twice
	// (a retried batch) and once more through ch3.
	const n = 40
	published := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	var arts []storage.Article
	var ments []storage.Mention
	for i := range n {
		h := uint64(i)*0x9E3779B97F4A7C15 + 1
		src := fmt.Sprintf("src%d", i%3)
		url := fmt.Sprintf("https://example.org/%d", i)
		arts = append(arts, storage.Article{URLHash: h, URL: url, CanonicalURL: url, Source: src, Title: fmt.Sprintf("Judul %d", i), PublishedAt: published})
		ments = append(ments, storage.Mention{URLHash: h, Programme: "ektp", Label: "negative", Criticism: i%3 == 0, PublishedAt: published, Source: src})
	}
	// A fetch row lists every column: a batch sent again is the same block, which the
	// replicated table drops (inserted_at makes article and mention batches differ: FINAL
	// counts those once).
	fetch := storage.Fetch{Time: published, Source: "src0", Host: "example.org", Kind: "article", Status: 200, Bytes: 100, Duration: 500 * time.Millisecond}
	for _, node := range []string{"ch1", "ch1", "ch3"} {
		if err := storage.InsertRows(ctx, stores[node], fetch); err != nil {
			t.Fatalf("insert fetches through %s: %v", node, err)
		}
		if err := storage.InsertRows(ctx, stores[node], ments...); err != nil {
			t.Fatalf("insert mentions through %s: %v", node, err)
		}
		if err := storage.InsertRows(ctx, stores[node], arts...); err != nil {
			t.Fatalf("insert articles through %s: %v", node, err)
		}
	}
	critical := uint64((n + 2) / 3)
	syncReplicas := func() {
		t.Helper()
		for _, node := range storagetest.ClusterNodes {
			for _, table := range []string{"articles_local", "mentions_local", "mentions_hourly_local", "fetches_local"} {
				if err := stores[node].Exec(ctx, "SYSTEM SYNC REPLICA "+table); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	syncReplicas()
	for _, node := range storagetest.ClusterNodes {
		checks := []struct {
			what string
			sql  string
			want uint64
		}{
			{"fetches (a retried block is deduplicated)", "SELECT count() FROM fetches", 1},
			{"articles", "SELECT count() FROM articles FINAL", n},
			{"mentions", "SELECT count() FROM mentions FINAL", n},
			{"rollup", "SELECT sum(m) FROM (SELECT uniqExactMerge(mentions) AS m FROM mentions_hourly GROUP BY hour, programme, source, label)", n},
			{"critical in the rollup", "SELECT sum(c) FROM (SELECT uniqExactIfMerge(criticism) AS c FROM mentions_hourly GROUP BY hour, programme, source, label)", critical},
			{"mentions away from their article's shard", "SELECT count() FROM mentions_local WHERE url_hash NOT IN (SELECT url_hash FROM articles_local)", 0},
		}
		for _, c := range checks {
			if got := count(node, c.sql); got != c.want {
				t.Errorf("%s: %s: %d, want %d\n%s", node, c.what, got, c.want, c.sql)
			}
		}
	}
	s1, s2 := count("ch1", "SELECT count() FROM articles_local FINAL"), count("ch3", "SELECT count() FROM articles_local FINAL")
	if s1 == 0 || s2 == 0 || s1+s2 != n {
		t.Errorf("articles per shard: %d and %d, want both shards used, %d in all", s1, s2, n)
	}
	for _, pair := range [][2]string{{"ch1", "ch2"}, {"ch3", "ch4"}} {
		a, b := count(pair[0], "SELECT count() FROM mentions_local"), count(pair[1], "SELECT count() FROM mentions_local")
		if a == 0 {
			t.Errorf("replica %s holds no mentions", pair[0])
		}
		if a != b {
			t.Errorf("replicas %s and %s hold %d and %d mentions", pair[0], pair[1], a, b)
		}
	}

	// Re-analysis through ch2: mentions of the first ten articles deleted on both shards,
	// the rollup rebuilt from what is left.
	var gone []uint64
	for i := range 10 {
		gone = append(gone, uint64(i)*0x9E3779B97F4A7C15+1)
	}
	s := stores["ch2"]
	if err := storage.DeleteMentions(ctx, s, gone); err != nil {
		t.Fatal(err)
	}
	if err := storage.WaitMutations(ctx, s, storage.MentionsTable); err != nil {
		t.Fatal(err)
	}
	if err := storage.RebuildHourlyRollup(ctx, s, storage.ArticleFilter{}); err != nil {
		t.Fatal(err)
	}
	syncReplicas()
	if got := count("ch4", "SELECT count() FROM mentions FINAL"); got != n-10 {
		t.Errorf("mentions after deleting 10: %d, want %d", got, n-10)
	}
	if got := count("ch4", "SELECT sum(m) FROM (SELECT uniqExactMerge(mentions) AS m FROM mentions_hourly GROUP BY hour, programme, source, label)"); got != n-10 {
		t.Errorf("rollup after the rebuild: %d, want %d", got, n-10)
	}
	if got, err := storage.CountArticles(ctx, stores["ch4"], storage.ArticleFilter{}); err != nil || got != n {
		t.Errorf("CountArticles through ch4: %d, %v; want %d", got, err, n)
	}
	// Two instances splitting a re-analysis take every article once between them.
	var split uint64
	for i := range 2 {
		got, err := storage.CountArticles(ctx, stores["ch4"], storage.ArticleFilter{Shard: i, Shards: 2})
		if err != nil || got == 0 {
			t.Errorf("CountArticles of shard %d/2: %d, %v", i, got, err)
		}
		split += got
	}
	if split != n {
		t.Errorf("the two halves of a split re-analysis count %d articles, want %d", split, n)
	}

	// No ALTER went through the cluster's DDL queue: 18.16's DDL worker can die running one
	// on a Replicated table (see clusteralter.go). The queue's ZooKeeper nodes hold each
	// ON CLUSTER statement.
	res, err := stores["ch1"].Query(ctx, "SELECT name, value FROM system.zookeeper WHERE path = '/clickhouse/task_queue/ddl'")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) == 0 {
		t.Error("the DDL queue is empty: no ON CLUSTER statement seen")
	}
	for _, r := range res.Rows {
		if q, _ := r[1].(string); strings.Contains(q, "ALTER TABLE") {
			t.Errorf("an ALTER went ON CLUSTER (%v): %s", r[0], q)
		}
	}
}

func asUint64(v any) uint64 {
	switch x := v.(type) {
	case uint64:
		return x
	case int64:
		return uint64(x)
	}
	return 0
}

// BenchmarkClusterInsert measures rows per second into the test cluster from two writers, as
// two pantau instances would send them: each through its own server (ch1 and ch3), batches of
// 50,000 ten-column mention rows into the Distributed table, waiting for every shard
// (insert_distributed_sync).
func BenchmarkClusterInsert(b *testing.B) {
	cl := storagetest.StartCluster(b)
	ctx := context.Background()
	const db, batch = "pantau_bench", 50000
	var stores []storage.Store
	for _, node := range []string{"ch1", "ch3"} {
		s, err := storage.Open(ctx, cl.Config(node, db), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	if _, err := storage.Migrate(ctx, stores[0], storage.MigrateOptions{}); err != nil {
		b.Fatal(err)
	}
	published := time.Date(2026, 11, 2, 3, 0, 0, 0, time.UTC)
	rows := func(writer, round int) []storage.Mention {
		out := make([]storage.Mention, batch)
		for i := range out {
			h := uint64(writer)<<40 | uint64(round)<<20 | uint64(i)
			out[i] = storage.Mention{
				URLHash: h * 0x9E3779B97F4A7C15, Programme: "ektp", Unit: "Disdukcapil", Terms: []string{"e-KTP"},
				Score: -0.5, Label: "negative", Criticism: i%3 == 0, Snippet: "Warga mengeluhkan blangko e-KTP yang kosong.",
				PublishedAt: published.Add(time.Duration(i) * time.Second), Source: fmt.Sprintf("src%d", i%20), AnalyzerVersion: "bench",
			}
		}
		return out
	}
	batches := make([][][]storage.Mention, len(stores))
	for w := range stores {
		for round := range b.N {
			batches[w] = append(batches[w], rows(w, round))
		}
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w, s := range stores {
		wg.Go(func() {
			for _, r := range batches[w] {
				if err := storage.InsertRows(ctx, s, r...); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(2*batch*b.N)/time.Since(start).Seconds(), "rows/s")
}
