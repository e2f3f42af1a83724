package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
)

func newTestAnalyzer() *analyzer.Analyzer {
	return analyzer.New(taxonomy.Default(), sentiment.Default())
}

// TestAnalyzeJSONLNeverLosesALine feeds 10,000 documents with bad lines among them and
// checks that every line gets exactly one answer, in input order.
func TestAnalyzeJSONLNeverLosesALine(t *testing.T) {
	const n = 10_000
	bad := map[int]string{ // 1-based line -> what is wrong
		17:   "invalid JSON",
		4242: `missing "text"`,
		9999: "empty line",
	}
	var in strings.Builder
	for i := 1; i <= n; i++ {
		switch bad[i] {
		case "invalid JSON":
			in.WriteString(`{"id": "doc-17", "text": "unterminated` + "\n")
		case `missing "text"`:
			in.WriteString(`{"id": "doc-4242", "title": "no body"}` + "\n")
		case "empty line":
			in.WriteString("\n")
		default:
			text := "Warga mengeluhkan antrean panjang saat mengurus e-KTP karena blangko habis."
			if i%2 == 0 {
				text = "Lampu jalan di Jalan Sudirman kini menyala terang dan warga merasa aman."
			}
			fmt.Fprintf(&in, `{"id": "doc-%d", "text": %q}`+"\n", i, text)
		}
	}
	var out bytes.Buffer
	stats, err := Analyze(context.Background(), newTestAnalyzer(), strings.NewReader(in.String()), &out, 4)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if stats.Lines != n || stats.Failed != len(bad) {
		t.Errorf("stats = %+v, want %d lines, %d failed", stats, n, len(bad))
	}
	sc := bufio.NewScanner(&out)
	line := 0
	for sc.Scan() {
		line++
		var got struct {
			ID       *string           `json:"id"`
			Error    string            `json:"error"`
			Mentions []json.RawMessage `json:"mentions"`
		}
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("output line %d is not JSON: %v", line, err)
		}
		if what, isBad := bad[line]; isBad {
			if !strings.Contains(got.Error, fmt.Sprintf("line %d:", line)) || !strings.Contains(got.Error, what) {
				t.Errorf("line %d: error %q, want one naming line %d and %q", line, got.Error, line, what)
			}
			continue
		}
		if got.Error != "" || got.ID == nil || *got.ID != fmt.Sprintf("doc-%d", line) {
			t.Fatalf("line %d: got id %v error %q, want doc-%d in order", line, got.ID, got.Error, line)
		}
		if len(got.Mentions) != 1 {
			t.Errorf("line %d: %d mentions, want 1", line, len(got.Mentions))
		}
	}
	if line != n {
		t.Errorf("got %d output lines, want %d", line, n)
	}
}

func TestAnalyzeJSONLLongLineAndNoTrailingNewline(t *testing.T) {
	long := `{"id": 1, "text": "` + strings.Repeat("a", MaxLineBytes) + `"}`
	in := long + "\n" + `{"id": 2, "text": "PJU padam"}` // last line without newline
	var out bytes.Buffer
	stats, err := Analyze(context.Background(), newTestAnalyzer(), strings.NewReader(in), &out, 2)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || stats.Failed != 1 {
		t.Fatalf("got %d lines (%d failed), want 2 (1 failed):\n%s", len(lines), stats.Failed, out.String()[:min(out.Len(), 500)])
	}
	if !strings.Contains(lines[0], "line 1: line is longer than") {
		t.Errorf("line 1: %s", lines[0])
	}
	if !strings.HasPrefix(lines[1], `{"id":2,`) {
		t.Errorf("line 2: %s", lines[1])
	}
}

func BenchmarkAnalyzeJSONL(b *testing.B) {
	var in strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&in, `{"id": %d, "text": "Warga mengeluhkan antrean panjang saat mengurus e-KTP karena blangko habis. Lampu jalan kini menyala."}`+"\n", i)
	}
	a := newTestAnalyzer()
	b.SetBytes(int64(in.Len()))
	for b.Loop() {
		if _, err := Analyze(context.Background(), a, strings.NewReader(in.String()), &bytes.Buffer{}, 0); err != nil {
			b.Fatal(err)
		}
	}
}
