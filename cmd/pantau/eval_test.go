package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tsv := write("s.tsv", "pelayanannya sangat bagus dan cepat\tpositive\npelayanannya buruk sekali\tnegative\n")
	csv := write("s.csv", "id,text,label\n1,\"pelayanannya buruk sekali, kecewa\",negative\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "tsv sentiment", args: []string{"--data", tsv}, stdout: []string{"lang=id n=2", "macro-F1="}},
		{name: "csv sentiment in English", args: []string{"--data", csv, "--lang", "en"}, stdout: []string{"lang=en n=1"}},
		{name: "matching", args: []string{"--data", "../../analyzer/testdata/eval_matching.jsonl"},
			stdout: []string{"programme matching: docs=5", "transportasi_publik"}},
		{name: "mentions with errors listed", args: []string{"--data", "../../analyzer/testdata/eval_mentions.jsonl", "--errors"},
			stdout: []string{"mentions: n=4 found=3", "criticism: n=3", "eval_mentions.jsonl:3: bansos: label neutral got missing"}},
		{name: "bad lines skipped, exit 1", args: []string{"--data", "../../analyzer/testdata/eval_bad.jsonl"}, code: 1,
			stdout: []string{"mentions: n=1"}, stderr: []string{"eval_bad.jsonl:2:", "eval_bad.jsonl:7:", "5 bad lines skipped"}},
		{name: "missing --data", args: nil, code: 2, stderr: []string{"pantau help eval"}},
		{name: "bad --lang", args: []string{"--data", tsv, "--lang", "fr"}, code: 2, stderr: []string{"--lang must be id or en"}},
		{name: "no such file", args: []string{"--data", filepath.Join(dir, "nope.tsv")}, code: 1, stderr: []string{"no such file"}},
		{name: "help explains exit status", args: []string{"-h"}, stdout: []string{"Usage: pantau eval", "exit status is then 1", "programmes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, "", append([]string{"eval"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
