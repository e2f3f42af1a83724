package storage

import (
	"strings"
	"testing"
)

// TestWriteTSVEscapesControlCharacters checks that crawled text printed by `pantau sql` (WriteTSV) cannot
// drive the terminal: escape sequences and other control characters come out escaped.
func TestWriteTSVEscapesControlCharacters(t *testing.T) {
	res := &Result{
		Columns: []Column{{Name: "title", Type: "String"}},
		Rows: [][]any{
			{"\x1b[31mred\x1b[0m"},
			{"tab\there\nnew\\line\r"},
			{"bell\a del\x7f csi\u009b2J é ok"},
		},
	}
	var b strings.Builder
	if err := res.WriteTSV(&b, true); err != nil {
		t.Fatal(err)
	}
	want := "title\n" +
		`\x1b[31mred\x1b[0m` + "\n" +
		`tab\there\nnew\\line\r` + "\n" +
		`bell\x07 del\x7f csi\u009b2J é ok` + "\n"
	if b.String() != want {
		t.Errorf("WriteTSV =\n%q\nwant\n%q", b.String(), want)
	}
}
