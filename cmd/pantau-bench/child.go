package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pantau-id/pantau/config"
)

// backend is where the child pantau stores its rows.
type backend struct {
	name string // "embedded" or "server"
	addr string // the server's native address, for "server"
}

// pantauRun is one `pantau run` child process on a configuration the bench wrote.
type pantauRun struct {
	cmd     *exec.Cmd
	dir     string // the run's folder: configuration, data, spool, log
	dsn     string // the server database, for "server"
	started time.Time
	ended   time.Time // once exited is closed
	exited  chan struct{}
	err     error        // Wait's, once exited is closed
	hwm     atomic.Int64 // the highest VmHWM read from /proc, bytes
}

// crawlKnobs are the crawler settings a run overrides; the rest are Pantau's defaults.
type crawlKnobs struct {
	hostDelay   time.Duration
	minInterval time.Duration
	workers     int
	cpuProfile  string // not a crawl setting: the child's --cpuprofile file, when set
}

// startPantau writes a configuration for sources and b into a new folder under parent and
// starts bin as `pantau run` on it (--once when once), its log in the folder's pantau.log.
func startPantau(bin, parent string, b backend, sources []config.Source, k crawlKnobs, once bool, tag string) (*pantauRun, error) {
	dir, err := os.MkdirTemp(parent, tag+"-"+b.name+"-")
	if err != nil {
		return nil, err
	}
	r := &pantauRun{dir: dir, exited: make(chan struct{})}
	if b.name == "server" {
		r.dsn = fmt.Sprintf("clickhouse://%s/pantau_bench_%d_%s", b.addr, os.Getpid(), filepath.Base(dir)[len(tag)+len(b.name)+2:])
	}
	cfgFile := filepath.Join(dir, "pantau.yaml")
	if err := os.WriteFile(cfgFile, []byte(pantauConfig(dir, r.dsn, sources, k)), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "pantau.log"))
	if err != nil {
		return nil, err
	}
	args := []string{"run", "--config", cfgFile}
	if once {
		args = append(args, "--once")
	}
	if k.cpuProfile != "" {
		args = append(args, "--cpuprofile", k.cpuProfile)
	}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	r.started = time.Now()
	if err := r.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go r.watchRSS()
	go func() {
		r.err = r.cmd.Wait()
		r.ended = time.Now()
		logf.Close()
		close(r.exited)
	}()
	return r, nil
}

// stop asks the child to shut down (SIGINT: it drains, flushes and saves its state) and
// waits for it, killing it after a minute.
func (r *pantauRun) stop() error {
	select {
	case <-r.exited:
		return r.exitErr()
	default:
	}
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.exited:
	case <-time.After(time.Minute):
		r.cmd.Process.Kill()
		<-r.exited
		return fmt.Errorf("pantau did not stop within a minute of SIGINT; killed (log: %s)", r.logFile())
	}
	return r.exitErr()
}

// wait waits for the child to exit by itself, at most d.
func (r *pantauRun) wait(ctx context.Context, d time.Duration) error {
	select {
	case <-r.exited:
		return r.exitErr()
	case <-time.After(d):
		r.stop()
		return fmt.Errorf("pantau did not finish within %s (log: %s)", d, r.logFile())
	case <-ctx.Done():
		r.stop()
		return ctx.Err()
	}
}

func (r *pantauRun) exitErr() error {
	if r.err != nil {
		return fmt.Errorf("pantau run: %w (log: %s)", r.err, r.logFile())
	}
	return nil
}

func (r *pantauRun) logFile() string { return filepath.Join(r.dir, "pantau.log") }

// watchRSS reads the child's peak resident set size (VmHWM in /proc/PID/status) every
// 100 ms until it exits. The rusage's ru_maxrss cannot serve: Go starts a child with
// CLONE_VM, and at exec Linux folds the shared memory's high-water mark — the bench's
// own — into the child's.
func (r *pantauRun) watchRSS() {
	path := fmt.Sprintf("/proc/%d/status", r.cmd.Process.Pid)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-r.exited:
			return
		case <-t.C:
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if err == nil && kb*1024 > r.hwm.Load() {
					r.hwm.Store(kb * 1024)
				}
			}
		}
	}
}

// usage is what was measured of the child once it exited: CPU time (user and system,
// from the kernel's rusage) and peak resident set size (see watchRSS).
type usage struct {
	cpu     time.Duration
	peakRSS int64 // bytes
	wall    time.Duration
}

func (r *pantauRun) usage() (usage, error) {
	<-r.exited
	ru, ok := r.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, errors.New("no resource usage for the child on this system")
	}
	return usage{
		cpu:     time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		peakRSS: r.hwm.Load(),
		wall:    r.ended.Sub(r.started),
	}, nil
}

// pantauConfig returns the configuration of a run in dir: the server database dsn (""
// for the embedded store in dir/data), the HTTP server on a free loopback port (the
// embedded store's local API), loopback crawl targets allowed, k's crawler settings and
// sources.
func pantauConfig(dir, dsn string, sources []config.Source, k crawlKnobs) string {
	var y strings.Builder
	y.WriteString("storage:\n")
	if dsn != "" {
		fmt.Fprintf(&y, "  dsn: %q\n", dsn)
	} else {
		fmt.Fprintf(&y, "  data_dir: %q\n", filepath.Join(dir, "data"))
	}
	fmt.Fprintf(&y, "  spool_dir: %q\n", filepath.Join(dir, "spool"))
	y.WriteString("http:\n  listen: 127.0.0.1:0\nlog:\n  level: warn\n")
	fmt.Fprintf(&y, "crawler:\n  allow_private: [127.0.0.0/8]\n  host_delay: %s\n", k.hostDelay)
	if k.minInterval > 0 {
		fmt.Fprintf(&y, "  min_interval: %s\n", k.minInterval)
	}
	if k.workers > 0 {
		fmt.Fprintf(&y, "  workers: %d\n", k.workers)
	}
	y.WriteString("sources:\n")
	for _, s := range sources {
		fmt.Fprintf(&y, "  - {name: %s, kind: %s, url: %q, lang: %s, region: %s", s.Name, s.Kind, s.URL, s.Lang, s.Region)
		if s.LinkPattern != "" {
			fmt.Fprintf(&y, ", link_pattern: %q", s.LinkPattern)
		}
		y.WriteString("}\n")
	}
	return y.String()
}
