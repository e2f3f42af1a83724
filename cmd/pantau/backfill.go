package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/pipeline"
	"github.com/pantau-id/pantau/storage"
)

func cmdBackfill(ctx context.Context, e *env, args []string) error {
	fs, file := newConfigFlags(e, "backfill")
	from := fs.String("from", "", "first publication `DATE` (YYYY-MM-DD, WIB)")
	to := fs.String("to", "", "last publication `DATE` (YYYY-MM-DD, WIB), inclusive")
	source := fs.String("source", "", "read only this source's listings; with --urls, the source `NAME` the URLs are stored under")
	urlsFile := fs.String("urls", "", "fetch the article URLs in `FILE` (one a line; # starts a comment)")
	quiet := fs.Bool("quiet", false, "no progress: neither the bar (on a terminal) nor the progress log lines")
	shard := fs.String("shard", "", "backfill only shard `i/n`: the sources whose name hashes to i of n (as run --shard), or of --urls the URLs whose hash is i modulo n")
	if err := parse(fs, args); err != nil {
		return err
	}
	shardI, shardN := 0, 1
	if *shard != "" {
		var err error
		if shardI, shardN, err = config.ParseShard(*shard); err != nil {
			return fmt.Errorf("--shard: %w", err)
		}
	}
	if *urlsFile == "" && (*from == "" || *to == "") {
		fmt.Fprintln(e.stderr, "pantau backfill: --from and --to are required unless --urls is given")
		return errUsage
	}
	f, err := dateFilter(*from, *to)
	if err != nil {
		return err
	}
	cfg, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	if *shard != "" {
		cfg.Crawler.Shard = *shard
	}
	req := crawler.BackfillRequest{From: f.From, To: f.To}
	if *urlsFile != "" {
		if req.URLs, err = readURLList(*urlsFile, e); err != nil {
			return err
		}
		req.URLs = urlShard(req.URLs, shardI, shardN)
		req.URLSource = *source
	} else if *source != "" {
		req.Sources = []string{*source}
	}
	cfg.HTTP.Listen = "" // a batch job serves nothing

	prog := newProgress(e.stderr, newLogger(cfg.Log, e.stderr), "backfill", *quiet, 10*time.Second)
	req.Progress = func(p crawler.BackfillProgress) { prog.update(p.Done, p.Total) }
	var result crawler.BackfillProgress
	start := time.Now()
	err = runPipelineWith(ctx, e, cfg, tax, true, func(c *crawler.Crawler) pipeline.Crawler {
		return &backfillRun{c: c, req: req, result: &result}
	})
	prog.finish(result.Done)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backfilled %d of %d items in %s: %d stored, %d skipped (already stored or out of range), %d failed\n",
		result.Done, result.Total, time.Since(start).Round(time.Millisecond), result.Stored, result.Skipped, result.Failed)
	if result.Failed > 0 {
		// As analyze does: done, but not everything; running the backfill again retries them.
		fmt.Fprintf(e.stderr, "pantau backfill: %d of %d items failed (see the log); run it again to retry them\n", result.Failed, result.Total)
		return errSilent
	}
	return nil
}

// readURLList reads one URL a line. A line that is not an absolute http(s) URL is
// reported with its line number and skipped.
func readURLList(path string, e *env) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--urls: %w", err)
	}
	defer fh.Close()
	var urls []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := url.Parse(line)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(e.stderr, "%s:%d: not an absolute http(s) URL, skipped: %q\n", path, n, line)
			continue
		}
		urls = append(urls, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--urls %s: %w", path, err)
	}
	return urls, nil
}

// urlShard returns the URLs of shard i of n: those whose hash is i modulo n.
func urlShard(urls []string, i, n int) []string {
	if n <= 1 {
		return urls
	}
	var out []string
	for _, u := range urls {
		if storage.URLHash(u)%uint64(n) == uint64(i) {
			out = append(out, u)
		}
	}
	return out
}

// backfillRun runs a backfill where the pipeline expects a crawler.
type backfillRun struct {
	c      *crawler.Crawler
	req    crawler.BackfillRequest
	result *crawler.BackfillProgress
}

// RunOnce implements pipeline.Crawler.
func (b *backfillRun) RunOnce(ctx context.Context, out chan<- crawler.Article) error {
	p, err := b.c.Backfill(ctx, b.req, out)
	*b.result = p
	return err
}

// Run implements pipeline.Crawler: a backfill runs once.
func (b *backfillRun) Run(ctx context.Context, out chan<- crawler.Article) error {
	return b.RunOnce(ctx, out)
}
