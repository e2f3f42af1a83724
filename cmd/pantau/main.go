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
	"runtime"
	"runtime/debug"
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
	// positional is how many arguments other than flags the command takes: 0, 1, or
	// anyNumber. parse refuses more.
	positional int
}

// anyNumber is command.positional for a command that takes any number of arguments.
const anyNumber = -1

// env is what every command gets from main: standard streams and the program name.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errSilent marks a failure the command has already reported on stderr; main only sets the exit status.
var errSilent = errors.New("failed")

func commands() []command {
	return []command{
		{"run", "[--config FILE] [--once]", "run the pipeline: crawl, analyse, store, serve /metrics /healthz /readyz /report", cmdRun, 0},
		{"backfill", "--from DATE --to DATE [--source NAME] [--urls FILE]", "crawl past dates from sitemaps or a URL list, resumable, with progress", cmdBackfill, 0},
		{"analyze", "[--config FILE] < docs.jsonl > results.jsonl", "judge programme mentions in JSON Lines documents", cmdAnalyze, 0},
		{"reanalyze", "[--config FILE] [--from DATE] [--to DATE]", "re-analyse stored articles with the current taxonomy and models", cmdReanalyze, 0},
		{"extract", "[--url URL] FILE.html ...", "extract title, text, author, date and language from saved pages", cmdExtract, anyNumber},
		{"migrate", "[--config FILE]", "create or upgrade the ClickHouse schema (idempotent)", cmdMigrate, 0},
		{"sql", "[--config FILE] [--json] QUERY", "run a read-only query against the store; TSV or JSON lines", cmdSQL, 1},
		{"check-config", "[--config FILE | FILE] [--print]", "validate a configuration file and print every problem", cmdCheckConfig, 1},
		{"eval", "--data FILE [--lang id|en]", "score sentiment or programme matching on labelled data", cmdEval, 0},
		{"report", "[--config FILE] [--json] [--window DURATION] [--region REGION] [--emerging]", "print the ranked list of programmes that need a public response", cmdReport, 0},
		{"digest", "[--config FILE] --unit ID [--date DAY] [--format html|md|text|json] | --list", "print a unit's daily clipping: critical stories, trends, positive coverage", cmdDigest, 0},
		{"correct", "[--config FILE] --url URL --programme ID (--label LABEL [--criticism] | --not-programme | --to-programme ID)", "correct a mention's stance or programme; kept by reanalyze", cmdCorrect, 0},
		{"export-corrections", "[--config FILE] > corrections.jsonl", "export the analysts' corrections as labelled data for pantau eval", cmdExportCorrections, 0},
		{"search", "QUERY [--from DATE] [--to DATE] [--programme ID] [--region REGION] [--label LABEL] [--format tsv|csv|json]", "search stored articles with the taxonomy's query language", cmdSearch, 1},
		{"sources", "[--config FILE] [--json] [--window DURATION]", "list sources with their crawl state", cmdSources, 0},
		{"taxonomy", "[--config FILE]", "print the programme taxonomy in use", cmdTaxonomy, 0},
		{"demo", "", "serve the fixture news site on loopback and run the pipeline once against it", cmdDemo, 0},
		{"version", "", "print Pantau's version, the commit it was built from and the Go version", cmdVersion, 0},
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
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'pantau help COMMAND' or 'pantau COMMAND -h' for a command's flags.")
}

// errUsage marks a command-line mistake that the flag set already reported.
var errUsage = errors.New("usage")

// cmdFlags is a command's flag set, with what -h needs to print its help on standard output.
type cmdFlags struct {
	*flag.FlagSet
	name string
	out  io.Writer // where -h prints
	more string    // printed after the flags by -h
}

// newFlags returns a flag set for a command whose -h prints the synopsis and flags on
// standard output; mistakes are reported on standard error in one line.
func newFlags(e *env, name string) *cmdFlags {
	fs := flag.NewFlagSet("pantau "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	c := &cmdFlags{FlagSet: fs, name: name, out: e.stdout}
	// The flag package calls Usage for -h and for mistakes; parse prints what each needs.
	fs.Usage = func() {}
	return c
}

// newConfigFlags is newFlags with the --config flag, whose value it returns.
func newConfigFlags(e *env, name string) (*cmdFlags, *string) {
	fs := newFlags(e, name)
	return fs, fs.String("config", "", "configuration `FILE` (default: the built-in configuration)")
}

// Usage reports a command-line mistake's way out, on standard error.
func (fs *cmdFlags) Usage() {
	fmt.Fprintf(fs.Output(), "Run 'pantau help %s' for its flags.\n", fs.name)
}

// help prints the command's synopsis and flags.
func (fs *cmdFlags) help() {
	for _, c := range commands() {
		if c.name == fs.name {
			fmt.Fprintf(fs.out, "Usage: pantau %s %s\n\n%s.\n", fs.name, c.args, upperFirst(c.summary))
		}
	}
	var b strings.Builder
	errOut := fs.Output()
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(errOut)
	if b.Len() > 0 {
		fmt.Fprintf(fs.out, "\nFlags:\n%s", b.String())
	}
	fmt.Fprint(fs.out, fs.more)
}

// parse parses flags wherever they stand among the arguments (pantau sql QUERY --json works),
// leaves the other arguments in fs.Args(), and refuses more of them than the command takes. A
// mistake is reported on standard error in one line and returns errUsage (exit status 2); -h
// prints the command's help on standard output and returns flag.ErrHelp.
func parse(fs *cmdFlags, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return err
			}
			fs.Usage()
			return errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...) // everything after "--" is an argument
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	for _, c := range commands() {
		if c.name == fs.name && c.positional != anyNumber && len(positional) > c.positional {
			fmt.Fprintf(fs.Output(), "pantau %s: unexpected argument %q (run 'pantau help %s')\n", fs.name, positional[c.positional], fs.name)
			return errUsage
		}
	}
	_ = fs.Parse(append([]string{"--"}, positional...)) // so that fs.Args() returns them
	return nil
}

// cmdVersion prints the version of the binary.
func cmdVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	v := buildVersion()
	fmt.Fprintf(e.stdout, "pantau %s (commit %s, %s)\n", v.version, v.revision, v.goVersion)
	return nil
}

// version is what the binary knows of its build.
type version struct{ version, revision, goVersion string }

// buildVersion reads the module version and the VCS revision Go stamped into the binary.
func buildVersion() version {
	v := version{version: "(devel)", revision: "unknown", goVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Version != "" {
		v.version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v.revision += "+modified"
			}
		}
	}
	return v
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
