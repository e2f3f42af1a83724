package pipeline

import (
	"context"
	"fmt"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/storage"
)

// ReanalyzeStats counts what Reanalyze did.
type ReanalyzeStats struct {
	Articles, Mentions int
}

// Reanalyze runs the analyzer again over the stored articles f selects, batch articles at
// a time, and rewrites their sentiment and mentions: mentions of programmes that no longer
// match are removed, and the hourly rollup of the range is rebuilt at the end. It is
// idempotent, so an interrupted run is completed by running it again. progress, if not
// nil, is called after each batch with the number of articles done.
func Reanalyze(ctx context.Context, st storage.Store, a *analyzer.Analyzer, f storage.ArticleFilter, batch int, progress func(done int)) (ReanalyzeStats, error) {
	var stats ReanalyzeStats
	var after uint64
	for {
		arts, err := storage.ArticlesAfter(ctx, st, f, after, batch)
		if err != nil {
			return stats, err
		}
		if len(arts) == 0 {
			break
		}
		hashes := make([]uint64, len(arts))
		var mentions []storage.Mention
		for i := range arts {
			art := &arts[i]
			res := a.Analyze(analyzer.Document{ID: art.CanonicalURL, Title: art.Title, Text: art.Text, Lang: art.Lang})
			mentions = append(mentions, analysisRows(art, res)...)
			hashes[i] = art.URLHash
		}
		// Analysts' corrections outrank the analyzer: a re-analysis never undoes them.
		mentions, err = keepCorrections(ctx, st, a, arts, mentions)
		if err != nil {
			return stats, err
		}
		// The delete applies to the mentions stored before it, not to those inserted next.
		if err := storage.DeleteMentions(ctx, st, hashes); err != nil {
			return stats, err
		}
		if err := storage.InsertRows(ctx, st, arts...); err != nil {
			return stats, fmt.Errorf("rewrite articles: %w", err)
		}
		if len(mentions) > 0 {
			if err := storage.InsertRows(ctx, st, mentions...); err != nil {
				return stats, fmt.Errorf("rewrite mentions: %w", err)
			}
		}
		stats.Articles += len(arts)
		stats.Mentions += len(mentions)
		after = hashes[len(hashes)-1]
		if progress != nil {
			progress(stats.Articles)
		}
	}
	if err := storage.WaitMutations(ctx, st, storage.MentionsTable); err != nil {
		return stats, err
	}
	if err := storage.RebuildHourlyRollup(ctx, st, f); err != nil {
		return stats, err
	}
	return stats, nil
}

// keepCorrections applies the corrections in force for the stories of arts to their new mentions.
func keepCorrections(ctx context.Context, st storage.Store, a *analyzer.Analyzer, arts []storage.Article, ms []storage.Mention) ([]storage.Mention, error) {
	stories := make([]uint64, 0, len(arts))
	for _, art := range arts {
		if art.DuplicateOf != 0 {
			stories = append(stories, art.DuplicateOf)
		} else {
			stories = append(stories, art.URLHash)
		}
	}
	cs, err := storage.LatestCorrections(ctx, st, stories)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return ms, nil
	}
	return storage.ApplyCorrections(ms, cs, a.Taxonomy().UnitOf), nil
}

// analysisRows writes res's document sentiment into art and returns the mention rows of
// res for art.
func analysisRows(art *storage.Article, res analyzer.Result) []storage.Mention {
	art.Lang = res.Lang
	art.Sentiment, art.SentimentScore = res.Sentiment.Label, float32(res.Sentiment.Score)
	art.AnalyzerVersion = analyzer.Version
	art.Regions = make([]string, len(res.Regions))
	for i, r := range res.Regions {
		art.Regions[i] = r.Code
	}
	if art.URLHash == 0 {
		art.URLHash = storage.URLHash(art.CanonicalURL)
	}
	out := make([]storage.Mention, len(res.Mentions))
	for i, m := range res.Mentions {
		out[i] = storage.Mention{
			URLHash: art.URLHash, Programme: m.Programme, Unit: m.Unit, Terms: m.Terms,
			Score: float32(m.Sentiment.Score), Label: m.Sentiment.Label, Criticism: m.Criticism,
			Snippet: m.Snippet, PublishedAt: art.PublishedAt, Source: art.Source, Region: art.Region,
			Regions: m.Regions, DuplicateOf: art.DuplicateOf, AnalyzerVersion: analyzer.Version,
		}
	}
	return out
}
