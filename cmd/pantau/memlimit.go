package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// setMemoryLimit gives the Go runtime the soft memory limit pipeline.memory_limit_bytes sets
// (0: none), unless GOMEMLIMIT in the environment already set one. With the default
// garbage collection alone the heap grows to twice what is live between collections;
// the limit keeps a run's peak near the configured figure (BENCHMARKS.md, peak RSS).
func setMemoryLimit(limit int64, log *slog.Logger) {
	if limit <= 0 {
		return
	}
	if env := os.Getenv("GOMEMLIMIT"); env != "" {
		log.Debug("memory limit from the environment", "gomemlimit", env)
		return
	}
	debug.SetMemoryLimit(limit)
}
