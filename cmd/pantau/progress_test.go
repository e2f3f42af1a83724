package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestProgressOnTerminal draws the bar on a real pseudo-terminal: the description, the count,
// the rate and the time left are on it.
func TestProgressOnTerminal(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	defer master.Close()
	var logs bytes.Buffer
	p := newProgress(tty, slog.New(slog.NewTextHandler(&logs, nil)), "backfill", false, time.Millisecond)
	if p.bar == nil {
		t.Fatal("no bar on a terminal")
	}
	for done := 0; done <= 40; done += 10 {
		p.update(done, 40)
		time.Sleep(250 * time.Millisecond) // the bar redraws at most every 200 ms
	}
	p.finish(40)
	tty.Close()
	out, _ := io.ReadAll(master) // ends with EIO once the terminal side is closed
	for _, want := range []string{"backfill", "40/40", "items/s"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("bar output lacks %q:\n%q", want, out)
		}
	}
	if logs.Len() != 0 {
		t.Errorf("progress logged on a terminal: %s", logs.String())
	}
}

// TestProgressOffTerminal writes log lines with the rate and the time left, never control
// characters, when the output is a file.
func TestProgressOffTerminal(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var logs bytes.Buffer
	p := newProgress(f, slog.New(slog.NewTextHandler(&logs, nil)), "backfill", false, time.Nanosecond)
	if p.bar != nil {
		t.Fatal("a bar drawn into a file")
	}
	p.update(10, 40)
	p.finish(40)
	for _, want := range []string{"backfill progress", "done=10", "total=40", "rate_per_second=", "eta=", "done=40"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if b, _ := os.ReadFile(f.Name()); len(b) != 0 {
		t.Errorf("wrote %q into the file", b)
	}
}
