package storage_test

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

// BenchmarkEmergingIssues scores the phrases of 20,000 stored articles published over
// 15 days (a quarter negative, half of those without a mention), built from the news
// corpus' passages, in both trend windows.
func BenchmarkEmergingIssues(b *testing.B) {
	f, err := os.Open("../analyzer/testdata/news/train.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var passages []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &p); err == nil {
			passages = append(passages, p.Text)
		}
	}
	f.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	var arts []storage.Article
	var ments []storage.Mention
	for i := range 20000 {
		text := ""
		for range 6 {
			text += passages[rng.IntN(len(passages))] + " "
		}
		u := fmt.Sprintf("https://src%d.example.id/%d", i%15, i)
		pub := emergingNow.Add(-time.Duration(rng.Int64N(int64(15 * 24 * time.Hour))))
		sentiment := []string{"negative", "neutral", "neutral", "positive"}[rng.IntN(4)]
		arts = append(arts, storage.Article{URL: u, CanonicalURL: u, Source: fmt.Sprintf("src%d", i%15), Lang: "id",
			Title: passages[rng.IntN(len(passages))], Text: text, PublishedAt: pub, Sentiment: sentiment})
		if i%2 == 0 {
			ments = append(ments, storage.Mention{URLHash: storage.URLHash(u), Programme: "jalan", Label: "neutral", PublishedAt: pub})
		}
	}
	for _, bk := range storagetest.Backends {
		b.Run(bk.Name, func(b *testing.B) {
			s := storagetest.Open(b, bk.Config(b))
			ctx := context.Background()
			for i := 0; i < len(arts); i += 5000 {
				if err := storage.InsertRows(ctx, s, arts[i:i+5000]...); err != nil {
					b.Fatal(err)
				}
			}
			if err := storage.InsertRows(ctx, s, ments...); err != nil {
				b.Fatal(err)
			}
			var issues []storage.EmergingIssue
			for b.Loop() {
				if issues, err = storage.EmergingIssues(ctx, s, emergingNow, emergingOptions(nil)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(issues)), "issues")
		})
	}
}
