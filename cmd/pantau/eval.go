package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
)

const evalHelp = `
Input formats (from the extension, else the content):
  .tsv         text<TAB>label                                sentiment
  .csv         header naming text and label columns          sentiment
  .jsonl       one JSON object a line:
                 {"text","label"}                            sentiment of the text
                 {"text","title"?,"programmes":[...]}        programme matching: every programme the text mentions
                 {"text","title"?,"programme","label","criticism"?}
                                                             one mention: its stance and criticism flag;
                                                             a mention not found counts as a miss
Labels: negative, neutral, positive (or neg/neu/pos). Other JSON fields (url, note) are ignored.

Output: accuracy, per-class and macro-F1 for labels; micro and per-programme precision/recall/F1
for matching; precision/recall of the criticism flag.

Bad lines are reported on stderr with their line numbers and skipped; the scores of the good lines
are still printed, and the exit status is then 1, so that a script never takes figures from a
partly unreadable file for complete ones.
`

func cmdEval(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "eval")
	data := fs.String("data", "", "labelled `FILE` (TSV, CSV or JSON Lines; see below)")
	lang := fs.String("lang", "", "language `id|en` of texts that do not name one (default: id for sentiment, detected for articles)")
	file := fs.String("config", "", "configuration `FILE` whose taxonomy to use (default: the built-in one)")
	showErrors := fs.Bool("errors", false, "also list the mentions judged wrongly, with line numbers")
	fs.more = evalHelp
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	switch *lang {
	case "", "id", "en":
	default:
		fmt.Fprintf(e.stderr, "pantau eval: --lang must be id or en, got %q\n", *lang)
		return errUsage
	}
	raw, err := os.ReadFile(*data)
	if err != nil {
		return err
	}
	name := filepath.Base(*data)
	model := sentiment.Default()
	sentLang := *lang
	if sentLang == "" {
		sentLang = "id"
	}

	var readErr error
	if isJSONLines(*data, raw) {
		var docs []analyzer.LabelledDoc
		docs, readErr = analyzer.ReadLabelledDocs(bytes.NewReader(raw), name)
		_, tax, err := loadConfig(*file)
		if err != nil {
			return err
		}
		a := analyzer.New(tax, model)
		kinds := map[string]int{}
		for _, d := range docs {
			kinds[d.Kind()]++
		}
		if kinds[analyzer.DocSentiment] > 0 {
			fmt.Fprint(e.stdout, sentiment.Evaluate(model, sentLang, analyzer.SentimentExamples(docs)).String())
		}
		if kinds[analyzer.DocMatching] > 0 {
			fmt.Fprint(e.stdout, analyzer.EvaluateMatching(a, docs, *lang).String())
		}
		if kinds[analyzer.DocMention] > 0 {
			rep := analyzer.EvaluateMentions(a, docs, *lang)
			fmt.Fprint(e.stdout, rep.String())
			if *showErrors {
				for _, me := range rep.Errors {
					crit := ""
					if me.HasCriticism {
						crit = fmt.Sprintf(" criticism %v got %v", me.Criticism, me.GotCrit)
					}
					fmt.Fprintf(e.stdout, "%s:%d: %s: label %s got %s%s: %s\n", name, me.Line, me.Programme, me.Label, me.Got, crit, me.Snippet)
				}
			}
		}
	} else {
		var ex []sentiment.Example
		ex, readErr = sentiment.ReadLabelled(bytes.NewReader(raw), name)
		if len(ex) > 0 {
			fmt.Fprint(e.stdout, sentiment.Evaluate(model, sentLang, ex).String())
		}
	}
	if readErr != nil {
		fmt.Fprintln(e.stderr, readErr)
		fmt.Fprintf(e.stderr, "pantau eval: %d bad lines skipped\n", countErrors(readErr))
		return errSilent
	}
	return nil
}

// isJSONLines reports whether an evaluation file is JSON Lines, from its extension or else its first
// non-blank byte.
func isJSONLines(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson", ".json":
		return true
	case ".tsv", ".tab", ".csv":
		return false
	}
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

// countErrors counts the errors joined in err.
func countErrors(err error) int {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return len(j.Unwrap())
	}
	return 1
}
