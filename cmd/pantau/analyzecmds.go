package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/crawler"
	"github.com/pantau-id/pantau/jsonl"
	"github.com/pantau-id/pantau/parallel"
)

func cmdAnalyze(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "analyze")
	file := fs.String("config", "", "configuration `FILE` whose taxonomy to use (default: the built-in one)")
	workers := fs.Int("workers", 0, "analysis goroutines (default: one per CPU)")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	a := analyzer.New(tax, sentiment.Default())
	stats, err := jsonl.Analyze(ctx, a, e.stdin, e.stdout, *workers)
	if err != nil {
		return err
	}
	if stats.Failed > 0 {
		fmt.Fprintf(e.stderr, "pantau analyze: %d of %d lines failed (see their error lines)\n", stats.Failed, stats.Lines)
		return errSilent
	}
	return nil
}

// extracted is one line of `pantau extract` output.
type extracted struct {
	File      string `json:"file"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Author    string `json:"author"`
	Published string `json:"published"`
	Lang      string `json:"lang"`
	Error     string `json:"error,omitempty"`
}

func cmdExtract(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "extract")
	pageURL := fs.String("url", "", "the `URL` the pages were saved from (resolves relative links, canonical URL)")
	workers := fs.Int("workers", 0, "extraction goroutines (default: one per CPU)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	failed := 0
	err := parallel.InOrder(ctx, slices.Values(fs.Args()), *workers, func(name string) extracted {
		return extractFile(name, *pageURL)
	}, func(out extracted) error {
		if out.Error != "" {
			failed++
		}
		return enc.Encode(out)
	})
	if err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(e.stderr, "pantau extract: %d of %d files failed\n", failed, fs.NArg())
		return errSilent
	}
	return nil
}

// extractFile extracts one saved page; a failure is reported in the result's Error.
func extractFile(name, pageURL string) extracted {
	out := extracted{File: name}
	data, err := os.ReadFile(name)
	if err == nil {
		var x crawler.Extracted
		x, err = crawler.Extract(data, pageURL)
		if err == nil {
			out.URL, out.Title, out.Text, out.Author, out.Lang = x.URL, x.Title, x.Text, x.Author, x.Lang
			if x.Lang == "" {
				out.Lang = analyzer.DetectLanguage(x.Title + "\n" + x.Text)
			}
			if !x.Published.IsZero() {
				out.Published = x.Published.UTC().Format(time.RFC3339)
			}
		}
	}
	if err != nil {
		out.Error = err.Error()
	}
	return out
}

func cmdTaxonomy(_ context.Context, e *env, args []string) error {
	fs, file := newConfigFlags(e, "taxonomy")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*file)
	if err != nil {
		return err
	}
	if cfg.Taxonomy == "" {
		_, err = e.stdout.Write(taxonomy.DefaultYAML())
		return err
	}
	data, err := os.ReadFile(cfg.Taxonomy)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(data)
	return err
}
