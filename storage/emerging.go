package storage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
)

// EmergingOptions tunes EmergingIssues; EmergingOptionsFrom builds them from the configuration.
type EmergingOptions struct {
	// Trend gives the windows, the minimum count, the prior and the floor of the expected
	// count: phrases are scored exactly as programmes are (see Trend.Score). Its Programmes
	// field is not used.
	Trend TrendOptions
	// Threshold is the least score of a listed phrase (config.TrendThreshold: the score
	// at which a programme trends).
	Threshold float64
	// MinSources is the least number of outlets that carried the phrase in the recent
	// window. It keeps one outlet's boilerplate (its name, a recurring column) from ever
	// being listed when the outlet is new.
	MinSources int
	// Limit is the number of phrases listed.
	Limit int
	// Articles is the number of example articles per phrase.
	Articles int
	// Known reports a phrase the taxonomy already covers (a programme matches it); such
	// phrases are not listed. Nil lists every phrase.
	Known func(phrase string) bool
}

// EmergingOptionsFrom returns the emerging issues' options of the configuration's trends
// section and their parameters (config.EmergingMinSources and the others); Known is the
// caller's.
func EmergingOptionsFrom(t config.Trends) EmergingOptions {
	return EmergingOptions{Trend: TrendOptionsFrom(t), Threshold: config.TrendThreshold,
		MinSources: config.EmergingMinSources, Limit: config.EmergingLimit, Articles: config.EmergingArticles}
}

// check refuses options with a parameter left at zero.
func (o EmergingOptions) check() error {
	if o.Threshold <= 0 || o.MinSources <= 0 || o.Limit <= 0 || o.Articles <= 0 {
		return fmt.Errorf("storage: emerging options need a positive threshold, min sources, limit and articles (got %g, %d, %d, %d): build them with EmergingOptionsFrom",
			o.Threshold, o.MinSources, o.Limit, o.Articles)
	}
	return o.Trend.check()
}

// EmergingIssue is a phrase whose volume in critical coverage outside the taxonomy rises
// sharply: a candidate for a new programme or a new alias.
//
// Counts are stories, as in Trend: syndicated copies count once, in the window where the
// first copy was published.
type EmergingIssue struct {
	Phrase string `json:"phrase"`
	// Window is the trend window in which the phrase scored highest.
	Window string `json:"window"`
	// Critical is the number of critical stories holding the phrase in the window;
	// BaselineCritical the number over the baseline before it.
	Critical         uint64 `json:"critical_stories"`
	BaselineCritical uint64 `json:"baseline_critical_stories"`
	// Expected and Score are computed as Trend.Expected and Trend.Score.
	Expected float64 `json:"expected"`
	Score    float64 `json:"score"`
	// Sources is the number of outlets that carried the phrase in the window, copies included.
	Sources uint64 `json:"sources"`
	// Related are the other phrases of the same stories, folded into this issue.
	Related  []string          `json:"related,omitempty"`
	Articles []EmergingArticle `json:"articles"`

	stories []uint64 // the recent stories, sorted
	pair    string   // the stored word pair that leads the issue
}

// EmergingArticle is an example article of an emerging issue: an original, not a copy.
type EmergingArticle struct {
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Published time.Time `json:"published"`
}

// EmergingIssues lists the phrases whose volume in critical coverage that no programme
// matched rises sharply in a trend window ending at now, highest score first, each with
// example articles. The SQL runs on ClickHouse 18.16 and later.
//
// Critical coverage here is the articles whose own sentiment is negative and that have no
// mention at all. An article with a critical mention is already counted by its programme's
// trend, and the words of such articles re-describe known programmes ("blangko kosong" in an
// e-KTP wave): listing them would repeat the programme trends. An issue outside the
// taxonomy produces articles without mentions, so only the article's own sentiment can tell
// that they are critical. Phrases are the word pairs of the title and lead that migration
// 0008 stores per article (table article_phrases).
func EmergingIssues(ctx context.Context, q Querier, now time.Time, opts EmergingOptions) ([]EmergingIssue, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	best := map[string]EmergingIssue{}
	for _, w := range opts.Trend.Windows {
		if w.Length <= 0 || w.Baseline <= 0 {
			return nil, fmt.Errorf("emerging issues: window %q: length and baseline must be positive", w.Name)
		}
		// Known phrases are dropped after the query: ask for more than the limit.
		res, err := q.Query(ctx, emergingSQL(now, w, opts, 4*opts.Limit+20))
		if err != nil {
			return nil, fmt.Errorf("emerging issues for window %s: %w", w.Name, err)
		}
		issues, err := scanEmerging(res, w.Name)
		if err != nil {
			return nil, fmt.Errorf("emerging issues for window %s: %w", w.Name, err)
		}
		for _, is := range issues {
			if opts.Known != nil && opts.Known(is.Phrase) {
				continue
			}
			if cur, ok := best[is.Phrase]; !ok || is.Score > cur.Score {
				best[is.Phrase] = is
			}
		}
	}
	all := make([]EmergingIssue, 0, len(best))
	for _, is := range best {
		all = append(all, is)
	}
	slices.SortFunc(all, func(a, b EmergingIssue) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Critical, a.Critical), cmp.Compare(a.Phrase, b.Phrase))
	})
	out := foldPhrases(all)
	var longest time.Duration
	if len(out) > opts.Limit {
		out = out[:opts.Limit]
	}
	if len(out) == 0 {
		return out, nil
	}
	phrases := make([]string, len(out))
	for i, is := range out {
		phrases[i] = is.pair
		for _, w := range opts.Trend.Windows {
			if w.Name == is.Window {
				longest = max(longest, w.Length)
			}
		}
	}
	res, err := q.Query(ctx, emergingArticlesSQL(now, longest, phrases, opts.Articles))
	if err != nil {
		return nil, fmt.Errorf("emerging issues articles: %w", err)
	}
	articles, err := scanEmergingArticles(res)
	if err != nil {
		return nil, fmt.Errorf("emerging issues articles: %w", err)
	}
	for i := range out {
		out[i].Articles = articles[out[i].pair]
		if out[i].Articles == nil {
			out[i].Articles = []EmergingArticle{}
		}
	}
	return out, nil
}

// criticalPhrasesFrom is the FROM and WHERE of one phrase row per critical article without
// a mention published in (from, to].
func criticalPhrasesFrom(from, to int64) string {
	return fmt.Sprintf(`FROM article_phrases FINAL
    ARRAY JOIN phrases AS phrase
    WHERE published_at > toDateTime(%[1]d) AND published_at <= toDateTime(%[2]d)
      AND url_hash NOT IN (SELECT url_hash FROM mentions WHERE published_at > toDateTime(%[1]d) AND published_at <= toDateTime(%[2]d))`, from, to)
}

// emergingSQL counts, per phrase, the critical stories in the window and in the baseline
// and scores them with the programme trends' expected count and score.
func emergingSQL(now time.Time, w TrendWindow, o EmergingOptions, limit int) string {
	start := now.Add(-w.Length).Unix()
	return fmt.Sprintf(`SELECT
    phrase,
    toUInt64(countIf(first_published > toDateTime(%[1]d))) AS critical_recent,
    toUInt64(countIf(first_published <= toDateTime(%[1]d))) AS critical_baseline,
    toUInt64(length(groupUniqArrayArray(if(first_published > toDateTime(%[1]d), outlets, emptyArrayString())))) AS sources,
    %[2]s AS expected,
    %[3]s AS score,
    groupUniqArrayIf(story, first_published > toDateTime(%[1]d)) AS recent_stories
FROM
(
    SELECT phrase, story, min(published_at) AS first_published, groupUniqArray(source) AS outlets
    %[4]s
    GROUP BY phrase, story
)
GROUP BY phrase
HAVING critical_recent >= %[5]d AND sources >= %[6]d AND score >= %[7]s
ORDER BY score DESC, critical_recent DESC, phrase
LIMIT %[8]d`,
		start, expectedSQL("critical_baseline", w, o.Trend), scoreSQL("critical_recent", "expected", o.Trend),
		criticalPhrasesFrom(now.Add(-w.Length-w.Baseline).Unix(), now.Unix()),
		o.Trend.MinCount, o.MinSources, floatLit(o.Threshold), limit)
}

func scanEmerging(res *Result, window string) ([]EmergingIssue, error) {
	c, err := newColumns(res, "phrase", "critical_recent", "critical_baseline", "sources", "expected", "score", "recent_stories")
	if err != nil {
		return nil, err
	}
	out := make([]EmergingIssue, 0, len(res.Rows))
	for _, r := range res.Rows {
		is := EmergingIssue{
			Phrase:           c.str(r, "phrase"),
			pair:             c.str(r, "phrase"),
			Window:           window,
			Critical:         c.uint(r, "critical_recent"),
			BaselineCritical: c.uint(r, "critical_baseline"),
			Sources:          c.uint(r, "sources"),
			Expected:         c.float(r, "expected"),
			Score:            c.float(r, "score"),
		}
		if list, ok := r[c.idx["recent_stories"]].([]any); ok {
			for _, v := range list {
				if h, ok := v.(uint64); ok {
					is.stories = append(is.stories, h)
				}
			}
			slices.Sort(is.stories)
		}
		if math.IsNaN(is.Score) || math.IsInf(is.Score, 0) {
			is.Score = 0
		}
		out = append(out, is)
	}
	return out, c.err
}

// emergingArticlesSQL picks, per phrase, the latest original articles holding it in the
// window of length d ending at now.
func emergingArticlesSQL(now time.Time, d time.Duration, phrases []string, perPhrase int) string {
	return fmt.Sprintf(`SELECT phrase, title, url, source, published_at
FROM
(
    SELECT url_hash, phrase, source, published_at
    %[1]s
      AND url_hash = story AND phrase IN %[2]s
) AS p
ANY LEFT JOIN
(
    SELECT url_hash, argMax(title, inserted_at) AS title, argMax(canonical_url, inserted_at) AS url
    FROM articles
    WHERE url_hash IN
    (
        SELECT url_hash FROM article_phrases
        WHERE published_at > toDateTime(%[3]d) AND published_at <= toDateTime(%[4]d) AND hasAny(phrases, [%[6]s])
    )
    GROUP BY url_hash
) AS a USING url_hash
ORDER BY phrase, published_at DESC, url_hash
LIMIT %[5]d BY phrase`,
		criticalPhrasesFrom(now.Add(-d).Unix(), now.Unix()), stringList(phrases), now.Add(-d).Unix(), now.Unix(), perPhrase,
		strings.Trim(stringList(phrases), "()"))
}

func scanEmergingArticles(res *Result) (map[string][]EmergingArticle, error) {
	c, err := newColumns(res, "phrase", "title", "url", "source", "published_at")
	if err != nil {
		return nil, err
	}
	out := map[string][]EmergingArticle{}
	for _, r := range res.Rows {
		p := c.str(r, "phrase")
		out[p] = append(out[p], EmergingArticle{
			Title: c.str(r, "title"), URL: c.str(r, "url"), Source: c.str(r, "source"), Published: c.time(r, "published_at"),
		})
	}
	return out, c.err
}

// sameStories is the least Jaccard similarity of two phrases' recent stories for them to
// be one issue.
const sameStories = 0.8

// foldPhrases merges phrases that stand for the same stories (the word pairs of one
// headline) into one issue, in score order: the first phrase of a group leads it, the
// pairs that continue it make it a longer run of words (see chain), and the others are
// listed as related.
func foldPhrases(sorted []EmergingIssue) []EmergingIssue {
	var out []EmergingIssue
	var groups [][]string
	for _, is := range sorted {
		joined := false
		for i := range out {
			if jaccard(out[i].stories, is.stories) >= sameStories {
				groups[i] = append(groups[i], is.Phrase)
				joined = true
				break
			}
		}
		if !joined {
			out = append(out, is)
			groups = append(groups, []string{is.Phrase})
		}
	}
	for i := range out {
		if len(groups[i]) == 1 {
			continue
		}
		out[i].Phrase, out[i].Related = chain(groups[i])
	}
	return out
}

// jaccard returns |a ∩ b| / |a ∪ b| of two sorted sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	var both int
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			both++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

// chain extends the leading word pair with the group's pairs that continue it on either
// side, one way only ("aplikasi sipadu" with "sipadu error" makes "aplikasi sipadu error"),
// and returns the run and the pairs it did not use.
func chain(pairs []string) (string, []string) {
	next, prev := map[string]string{}, map[string]string{}
	split := make([][2]string, len(pairs))
	for i, p := range pairs {
		first, second, _ := strings.Cut(p, " ")
		split[i] = [2]string{first, second}
		if _, dup := next[first]; dup {
			next[first] = "" // two ways on: stop there
		} else {
			next[first] = second
		}
		if _, dup := prev[second]; dup {
			prev[second] = ""
		} else {
			prev[second] = first
		}
	}
	used := map[string]bool{pairs[0]: true}
	words := []string{split[0][0], split[0][1]}
	for w := words[len(words)-1]; next[w] != "" && !used[w+" "+next[w]] && len(words) <= len(pairs); w = next[w] {
		used[w+" "+next[w]] = true
		words = append(words, next[w])
	}
	for w := words[0]; prev[w] != "" && !used[prev[w]+" "+w] && len(words) <= len(pairs); w = prev[w] {
		used[prev[w]+" "+w] = true
		words = append([]string{prev[w]}, words...)
	}
	var rest []string
	for _, p := range pairs[1:] {
		if !used[p] {
			rest = append(rest, p)
		}
	}
	return strings.Join(words, " "), rest
}
