package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ArticleFilter selects stored articles by publication time and source.
type ArticleFilter struct {
	From, To time.Time // published_at in [From, To); zero means unbounded
	Source   string    // empty means every source
	// With Shards > 1, only the articles whose url_hash is Shard modulo Shards: the share of
	// one of Shards instances splitting the work.
	Shard, Shards int
}

func (f ArticleFilter) where() string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, fmt.Sprintf("published_at >= toDateTime(%d)", f.From.Unix()))
	}
	if !f.To.IsZero() {
		conds = append(conds, fmt.Sprintf("published_at < toDateTime(%d)", f.To.Unix()))
	}
	if f.Source != "" {
		conds = append(conds, "source = "+quoteString(f.Source))
	}
	if f.Shards > 1 {
		conds = append(conds, fmt.Sprintf("url_hash %% %d = %d", f.Shards, f.Shard))
	}
	if len(conds) == 0 {
		return "1"
	}
	return strings.Join(conds, " AND ")
}

// CountArticles returns how many stored articles f selects.
func CountArticles(ctx context.Context, q Querier, f ArticleFilter) (uint64, error) {
	res, err := q.Query(ctx, "SELECT count() FROM articles FINAL WHERE "+f.where())
	if err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return asUint(res.Rows[0][0]), nil
}

// ArticlesAfter returns up to limit stored articles selected by f whose url_hash is
// greater than after, in url_hash order: a page of a keyset scan that stays correct while
// rows are rewritten.
func ArticlesAfter(ctx context.Context, q Querier, f ArticleFilter, after uint64, limit int) ([]Article, error) {
	res, err := q.Query(ctx, fmt.Sprintf("SELECT %s FROM articles FINAL WHERE url_hash > %d AND %s ORDER BY url_hash LIMIT %d",
		strings.Join(ArticleColumns, ", "), after, f.where(), limit))
	if err != nil {
		return nil, fmt.Errorf("read articles: %w", err)
	}
	out := make([]Article, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = Article{
			URLHash: asUint(r[0]), URL: asString(r[1]), CanonicalURL: asString(r[2]), Source: asString(r[3]),
			SourceKind: asString(r[4]), Title: asString(r[5]), Text: asString(r[6]), Lang: asString(r[7]),
			Author: asString(r[8]), PublishedAt: asTime(r[9]), DiscoveredAt: asTime(r[10]), FetchedAt: asTime(r[11]),
			SimHash: asUint(r[12]), DuplicateOf: asUint(r[13]), Sentiment: asString(r[14]),
			SentimentScore: asFloat32(r[15]), AnalyzerVersion: asString(r[16]), Region: asString(r[17]),
			Regions: stringArray(r[18]),
		}
	}
	return out, nil
}

// DeleteMentions removes the stored mentions of the given articles. It starts a
// ClickHouse mutation, which applies to the rows stored before it; mentions inserted
// afterwards are kept. Call WaitMutations before reading the result.
func DeleteMentions(ctx context.Context, e Execer, urlHashes []uint64) error {
	if len(urlHashes) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("ALTER TABLE " + mutationTarget(e, MentionsTable) + " DELETE WHERE url_hash IN (")
	for i, h := range urlHashes {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(h, 10))
	}
	b.WriteString(")")
	if err := execStatement(ctx, e, b.String()); err != nil {
		return fmt.Errorf("delete mentions: %w", err)
	}
	return nil
}

// mutationTarget is what an ALTER TABLE names to change table's rows or TTL: the table, or on
// a cluster its local table (a Distributed table holds no rows), which execStatement alters on
// one replica of every shard.
func mutationTarget(x any, table string) string {
	cluster, db := clusterOf(x)
	if cluster == "" {
		return quoteIdent(table)
	}
	return quoteIdent(db) + "." + quoteIdent(table+localSuffix)
}

// WaitMutations waits until every mutation of table is done, polling system.mutations (on a
// cluster, that of one server per shard).
func WaitMutations(ctx context.Context, q Querier, table string) error {
	mutations, db := "system.mutations", "currentDatabase()"
	if cluster, name := clusterOf(q); cluster != "" {
		mutations = "cluster(" + quoteString(cluster) + ", system, mutations)"
		db, table = quoteString(name), table+localSuffix
	}
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		res, err := q.Query(ctx, "SELECT count() FROM "+mutations+" WHERE database = "+db+" AND table = "+
			quoteString(table)+" AND is_done = 0")
		if err != nil {
			return fmt.Errorf("wait for mutations of %s: %w", table, err)
		}
		if asUint(res.Rows[0][0]) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// RebuildHourlyRollup recomputes mentions_hourly for the hours of f's range from the
// deduplicated mentions, after re-analysis rewrote them. Without a range it rebuilds all;
// f's shard is ignored (the rollup of the range covers every article). On a cluster one
// process at a time rebuilds, so that instances that split a re-analysis and finish one after
// the other leave the rollup of the last one's rebuild, made after every rewrite.
func RebuildHourlyRollup(ctx context.Context, s Store, f ArticleFilter) (err error) {
	if cluster, db := clusterOf(s); cluster != "" {
		release, err := lockCluster(ctx, s, cluster, db, rollupLockTable)
		if err != nil {
			return fmt.Errorf("rebuild rollup: %w", err)
		}
		defer func() {
			if rerr := release(); rerr != nil && err == nil {
				err = fmt.Errorf("rebuild rollup: %w", rerr)
			}
		}()
	}
	rollup, mentions := []string{"1"}, []string{"1"}
	if !f.From.IsZero() {
		from := fmt.Sprintf("toStartOfHour(toDateTime(%d))", f.From.Unix())
		rollup = append(rollup, "hour >= "+from)
		mentions = append(mentions, "toStartOfHour(published_at) >= "+from)
	}
	if !f.To.IsZero() {
		to := fmt.Sprintf("toDateTime(%d)", f.To.Unix())
		rollup = append(rollup, "hour < "+to)
		mentions = append(mentions, "toStartOfHour(published_at) < "+to)
	}
	if f.Source != "" {
		rollup = append(rollup, "source = "+quoteString(f.Source))
		mentions = append(mentions, "source = "+quoteString(f.Source))
	}
	if err := execStatement(ctx, s, "ALTER TABLE "+mutationTarget(s, "mentions_hourly")+" DELETE WHERE "+strings.Join(rollup, " AND ")); err != nil {
		return fmt.Errorf("rebuild rollup: %w", err)
	}
	if err := WaitMutations(ctx, s, "mentions_hourly"); err != nil {
		return fmt.Errorf("rebuild rollup: %w", err)
	}
	err = s.Exec(ctx, `INSERT INTO mentions_hourly (hour, programme, source, label, mentions, criticism)
SELECT toStartOfHour(published_at) AS hour, programme, source, label,
       uniqExactState(url_hash), uniqExactIfState(url_hash, criticism)
FROM mentions FINAL
WHERE `+strings.Join(mentions, " AND ")+`
GROUP BY hour, programme, source, label`)
	if err != nil {
		return fmt.Errorf("rebuild rollup: %w", err)
	}
	return nil
}

func asFloat32(v any) float32 {
	switch x := v.(type) {
	case float32:
		return x
	case float64:
		return float32(x)
	}
	return 0
}

// quoteString quotes s as a ClickHouse string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
