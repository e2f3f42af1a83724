package dashboards

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// BenchmarkMentionsByProgramme runs the overview's "Mentions by programme" panel over a week
// of 100,000 stored mentions (3 programmes, 40 sources, 3 labels; each article names the
// regions of a passage of the labelled region set, 58% naming none), with Region on All (the
// hourly rollup) and picked (mentions FINAL). It reports the rollup's rows, and the rows it
// would have if its key also held the regions (rollup_rows_with_regions), for the mentions.
func BenchmarkMentionsByProgramme(b *testing.B) {
	f, err := os.Open("../regions/testdata/labelled.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var lists [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p struct{ Regions []string }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			b.Fatal(err)
		}
		lists = append(lists, p.Regions)
	}
	f.Close()
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 100000
	mentions := make([]storage.Record, 0, n)
	for i := range n {
		u := fmt.Sprintf("https://src%d.example.id/%d", i%40, i)
		mentions = append(mentions, storage.Mention{URLHash: storage.URLHash(u), Programme: []string{"ektp", "bansos", "sampah_tps"}[rng.IntN(3)],
			Label: []string{"negative", "neutral", "positive"}[rng.IntN(3)], Source: fmt.Sprintf("src%d", i%40),
			PublishedAt: now.Add(-time.Duration(rng.Int64N(int64(7 * 24 * time.Hour)))), Regions: lists[rng.IntN(len(lists))]})
	}
	var sql string
	for _, q := range regionQueries(b) {
		if q.Dashboard == "pantau-overview" && q.Panel == "Mentions by programme" {
			sql = q.RawSQL
		}
	}
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	ctx := context.Background()
	for _, bk := range storagetest.Backends {
		b.Run(bk.Name, func(b *testing.B) {
			s := storagetest.Open(b, bk.Config(b))
			for i := 0; i < n; i += 10000 {
				if err := storage.InsertRows(ctx, s, mentions[i:i+10000]...); err != nil {
					b.Fatal(err)
				}
			}
			count := func(sql string) float64 {
				res, err := s.Query(ctx, sql)
				if err != nil {
					b.Fatal(err)
				}
				var v float64
				fmt.Sscan(fmt.Sprint(res.Rows[0][0]), &v)
				return v
			}
			rollup := count("SELECT count() FROM (SELECT 1 FROM mentions_hourly GROUP BY hour, programme, source, label)")
			withRegions := count("SELECT count() FROM (SELECT 1 FROM mentions FINAL GROUP BY toStartOfHour(published_at), programme, source, label, regions)")
			for _, region := range []string{allValue, "33"} { // Jawa Tengah, the province the set names most
				b.Run(map[bool]string{true: "all", false: "region"}[region == allValue], func(b *testing.B) {
					q, err := expand(sql, r, regionVars(region), map[string]bool{"region": true, "source": true, "unit": true})
					if err != nil {
						b.Fatal(err)
					}
					for b.Loop() {
						if _, err := s.Query(ctx, q); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(rollup, "rollup_rows")
					b.ReportMetric(withRegions, "rollup_rows_with_regions")
				})
			}
		})
	}
}
