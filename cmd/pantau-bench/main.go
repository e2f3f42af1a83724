// Command pantau-bench measures Pantau end to end: it serves a simulated news web
// (internal/newsim) on loopback, runs the pantau binary (`pantau run`, the shipped
// pipeline: crawler, analyzer, writer, ClickHouse) against it as a child process, reads
// what the child stored as a user would, and prints detection latency, polling, cold
// start, throughput, CPU per article and peak RSS on both backends, plus the analyzer's
// MB/s per core and rows/s into both backends. `make bench` runs it; BENCHMARKS.md keeps
// its figures.
//
// Pantau runs as a child process so that its CPU time and peak RSS come from the kernel
// for Pantau alone (not the simulated web or the measuring), and so that it runs exactly
// as deployed: a configuration file, migrations, the state store, a signal to stop.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"time"
)

// options are the bench's flags.
type options struct {
	pantau      string
	corpus      string
	clickhouse  string
	backends    []string
	phases      map[string]bool
	short       bool
	latencyRun  time.Duration
	minInterval time.Duration
	cpuProfile  string // a folder for the throughput children's CPU profiles
	out         io.Writer
}

func main() {
	var o options
	fs := flag.NewFlagSet("pantau-bench", flag.ContinueOnError)
	fs.StringVar(&o.pantau, "pantau", "bin/pantau", "the pantau `BINARY` to measure")
	fs.StringVar(&o.corpus, "corpus", "analyzer/testdata/news/train.jsonl", "labelled passages the simulated articles are made of (`FILE`)")
	fs.StringVar(&o.clickhouse, "clickhouse", "127.0.0.1:9000", "native `ADDR` of a ClickHouse server on loopback for the server backend; \"\" skips it")
	backends := fs.String("backends", "embedded,server", "backends to measure, comma-separated")
	phases := fs.String("phases", "analyzer,rows,throughput,latency", "phases to run, comma-separated")
	fs.BoolVar(&o.short, "short", false, "a quick run: a smaller throughput web and a 3-minute latency run")
	fs.DurationVar(&o.minInterval, "min-interval", 0, "crawler.min_interval of the latency run (0: Pantau's default)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the throughput runs' CPU profiles (throughput-BACKEND.pprof) into `DIR`")
	fs.DurationVar(&o.latencyRun, "latency-run", 0, "length of the latency run (default 6m, 3m with -short)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	o.backends = strings.Split(*backends, ",")
	o.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		o.phases[strings.TrimSpace(p)] = true
	}
	o.out = os.Stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "pantau-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) (err error) {
	if _, err := os.Stat(o.pantau); err != nil {
		return fmt.Errorf("pantau binary: %w (make build)", err)
	}
	if o.latencyRun == 0 {
		o.latencyRun = 6 * time.Minute
		if o.short {
			o.latencyRun = 3 * time.Minute
		}
	}
	var bs []backend
	for _, name := range o.backends {
		switch name = strings.TrimSpace(name); name {
		case "embedded":
			bs = append(bs, backend{name: name})
		case "server":
			if err := reachable(o.clickhouse); err != nil {
				fmt.Fprintf(o.out, "server backend skipped: %v\n", err)
				continue
			}
			bs = append(bs, backend{name: name, addr: o.clickhouse})
		default:
			return fmt.Errorf("-backends: unknown backend %q (want embedded or server)", name)
		}
	}
	if len(bs) == 0 {
		return errors.New("no backend to measure")
	}
	tmp, err := os.MkdirTemp("", "pantau-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			os.RemoveAll(tmp)
		} else {
			err = fmt.Errorf("%w; the runs' configurations and logs are kept in %s", err, tmp)
		}
	}()
	corpus, err := loadCorpus(o.corpus)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.out, "pantau-bench %s, %s, load average at start %s\n\n", time.Now().UTC().Format(time.RFC3339), machine(), loadAvg())

	if o.phases["analyzer"] {
		mbps, err := analyzerRate(corpus)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.out, "analyzer: %.2f MB/s per core (one goroutine over simulated article texts)\n\n", mbps)
	}
	for _, b := range bs {
		if !o.phases["rows"] {
			break
		}
		r, err := insertRate(ctx, b, tmp)
		if err != nil {
			return fmt.Errorf("rows/s into %s: %w", b.name, err)
		}
		fmt.Fprintf(o.out, "rows/s into %s: %.0f (%d mention rows in batches of %d)\n\n", b.name, r.rowsPerSec, r.rows, r.batch)
	}
	for _, b := range bs {
		if !o.phases["throughput"] {
			break
		}
		t, err := throughput(ctx, o, b, tmp, corpus)
		if err != nil {
			return fmt.Errorf("throughput on %s: %w", b.name, err)
		}
		t.print(o.out, b)
	}

	if o.phases["latency"] {
		lb := bs[len(bs)-1] // the server when measured: what production runs
		l, err := latency(ctx, o, lb, tmp, corpus)
		if err != nil {
			return fmt.Errorf("latency on %s: %w", lb.name, err)
		}
		l.print(o.out, lb)
	}
	fmt.Fprintf(o.out, "\nload average at end %s\n", loadAvg())
	return nil
}

// reachable checks that a ClickHouse server on loopback accepts connections at addr.
func reachable(addr string) error {
	if addr == "" {
		return errors.New("no -clickhouse address")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-clickhouse %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-clickhouse %q: the bench talks to loopback only", addr)
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return fmt.Errorf("no ClickHouse server at %s: %w", addr, err)
	}
	return c.Close()
}

// loadAvg returns the 1-, 5- and 15-minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// machine describes the CPU the bench runs on.
func machine() string {
	n := 0
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "processor":
				n++
			case "model name":
				model = strings.TrimSpace(v)
			}
		}
	}
	return fmt.Sprintf("%d × %s", n, model)
}
