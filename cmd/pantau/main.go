// Command pantau is Pantau's one binary: it crawls news, finds and judges mentions of
// government programmes, stores them in ClickHouse and serves metrics and reports.
//
// This package only parses flags and wires the other packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand of pantau.
type command struct {
	name    string
	args    string // argument synopsis shown in help
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets from main: standard streams and the program name.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errSilent marks a failure the command has already reported on stderr; main only sets the exit status.
var errSilent = errors.New("failed")

func commands() []command {
	return []command{
		{"run", "[--config FILE] [--once]", "run the pipeline: crawl, analyse, store, serve /metrics /healthz /readyz /report", cmdRun},
		{"backfill", "--from DATE --to DATE [--source NAME] [--urls FILE]", "crawl past dates from sitemaps or a URL list, resumable, with progress", cmdBackfill},
		{"analyze", "[--config FILE] < docs.jsonl > results.jsonl", "judge programme mentions in JSON Lines documents", cmdAnalyze},
		{"reanalyze", "[--config FILE] [--from DATE] [--to DATE]", "re-analyse stored articles with the current taxonomy and models", cmdReanalyze},
		{"extract", "[--url URL] FILE.html ...", "extract title, text, author, date and language from saved pages", cmdExtract},
		{"migrate", "[--config FILE]", "create or upgrade the ClickHouse schema (idempotent)", cmdMigrate},
		{"sql", "[--config FILE] [--json] QUERY", "run a read-only query against the store; TSV or JSON lines", cmdSQL},
		{"check-config", "[--config FILE] [--print]", "validate a configuration file and print every problem", cmdCheckConfig},
		{"eval", "--data FILE [--lang id|en]", "score sentiment or programme matching on labelled data", cmdEval},
		{"report", "[--config FILE] [--json]", "print the ranked list of programmes that need a public response", cmdReport},
		{"sources", "[--config FILE]", "list sources with their crawl state", cmdSources},
		{"taxonomy", "[--config FILE]", "print the programme taxonomy in use", cmdTaxonomy},
		{"demo", "", "serve the fixture news site on loopback and run the pipeline once against it", cmdDemo},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// runMain dispatches to a subcommand and returns the exit status.
func runMain(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return runMain(ctx, e, []string{args[1], "-h"})
		}
		usage(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, errSilent):
			return 1
		}
		fmt.Fprintf(e.stderr, "pantau %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(e.stderr, "pantau: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Pantau watches the news for mentions of government programmes and judges which are criticism.")
	fmt.Fprintln(w, "\nUsage: pantau COMMAND [flags]\n\nCommands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'pantau help COMMAND' or 'pantau COMMAND -h' for a command's flags.")
}

// errUsage marks a command-line mistake that the flag set already reported.
var errUsage = errors.New("usage")

// newFlags returns a flag set for a command whose -h prints the synopsis and flags.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("pantau "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		for _, c := range commands() {
			if c.name == name {
				fmt.Fprintf(e.stderr, "Usage: pantau %s %s\n\n%s.\n", name, c.args, upperFirst(c.summary))
			}
		}
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
		if b.Len() > 0 {
			fmt.Fprintf(e.stderr, "\nFlags:\n%s", b.String())
		}
	}
	return fs
}

// parse parses flags, mapping a flag error to errUsage (already printed) and -h to flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
