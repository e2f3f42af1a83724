package main

import (
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name  string
		env   string
		limit int64
		want  int64
	}{
		{"configured", "", 192 << 20, 192 << 20},
		{"zero sets none", "", 0, math.MaxInt64},
		{"environment first", "100MiB", 192 << 20, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tc.env)
			debug.SetMemoryLimit(math.MaxInt64)
			setMemoryLimit(tc.limit, log)
			if got := debug.SetMemoryLimit(-1); got != tc.want {
				t.Errorf("memory limit %d, want %d", got, tc.want)
			}
		})
	}
}
