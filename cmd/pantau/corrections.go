package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/pipeline"
	"github.com/pantau-id/pantau/storage"
)

const correctHelp = `
Give the article (--url, its canonical URL as stored, or --hash) and the mention's --programme, then
either its right stance (--label, and --criticism when a negative mention is criticism of the
programme or its delivery) or that the programme is wrong (--not-programme, or --to-programme ID).
The correction holds for the story's syndicated copies too, changes reports, trends and dashboards
at once, and is kept by pantau reanalyze.
`

func cmdCorrect(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "correct")
	rawURL := fs.String("url", "", "the article's canonical `URL`")
	hash := fs.String("hash", "", "the article's url_hash (`NUMBER`) instead of --url")
	programme := fs.String("programme", "", "the mention's programme `ID`")
	label := fs.String("label", "", "the right stance `LABEL`: negative, neutral or positive")
	criticism := fs.Bool("criticism", false, "with --label negative: the mention is criticism")
	notProgramme := fs.Bool("not-programme", false, "the article is not about --programme")
	toProgramme := fs.String("to-programme", "", "the article is about programme `ID` instead of --programme")
	analyst := fs.String("analyst", os.Getenv("USER"), "who corrects (`NAME`)")
	note := fs.String("note", "", "why, for the record (`TEXT`)")
	fs.more = correctHelp
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, tax, err := loadConfig(*file)
	if err != nil {
		return err
	}
	c := storage.Correction{Programme: *programme, Analyst: *analyst, Note: *note}
	switch {
	case *rawURL != "" && *hash == "":
		c.URLHash = storage.URLHash(*rawURL)
	case *hash != "" && *rawURL == "":
		if c.URLHash, err = strconv.ParseUint(*hash, 10, 64); err != nil {
			return fmt.Errorf("--hash %q: want the article's url_hash, a number", *hash)
		}
	default:
		fmt.Fprintln(e.stderr, "pantau correct: give the article with --url or --hash")
		return errUsage
	}
	switch {
	case *label != "" && !*notProgramme && *toProgramme == "":
		c.Kind, c.Label, c.Criticism = storage.CorrectStance, *label, *criticism
	case *label == "" && (*notProgramme != (*toProgramme != "")):
		c.Kind, c.NewProgramme = storage.CorrectProgramme, *toProgramme
	default:
		fmt.Fprintln(e.stderr, "pantau correct: give one of --label, --not-programme or --to-programme")
		return errUsage
	}
	if err := knownProgrammes(tax, c.Programme, c.NewProgramme); err != nil {
		return err
	}
	st, closeStore, err := openStore(ctx, e, cfg, migrated)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	c, err = storage.Correct(ctx, st, c, tax.UnitOf)
	if errors.Is(err, storage.ErrNoMention) {
		return fmt.Errorf("%w (pantau sql \"SELECT programme, label FROM mentions FINAL WHERE url_hash = %d\" lists its mentions)", err, c.URLHash)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "corrected %s of story %d (article %d): was %s, by %s at %s\n", c.Programme, c.Story, c.URLHash,
		c.WasLabel, c.Analyst, c.CorrectedAt.Format("2006-01-02 15:04:05 MST"))
	return nil
}

// knownProgrammes refuses programme ids the taxonomy lacks (empty ids pass).
func knownProgrammes(tax *taxonomy.Taxonomy, ids ...string) error {
	for _, id := range ids {
		if _, ok := tax.Programme(id); id != "" && !ok {
			return fmt.Errorf("programme %q: not in the taxonomy (pantau taxonomy lists them)", id)
		}
	}
	return nil
}

func cmdExportCorrections(ctx context.Context, e *env, args []string) (err error) {
	fs, file := newConfigFlags(e, "export-corrections")
	fs.more = "\nOne JSON line per corrected article, in the format pantau eval --data reads.\n"
	if err := parse(fs, args); err != nil {
		return err
	}
	_, st, closeStore, err := loadStore(ctx, e, *file, readOnly)
	if err != nil {
		return err
	}
	defer closeStore(&err)
	arts, err := storage.CorrectedArticles(ctx, st)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, line := range pipeline.CorrectionLines(arts) {
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}
