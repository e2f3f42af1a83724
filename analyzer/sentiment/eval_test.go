package sentiment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadLabelled(t *testing.T) {
	tests := []struct {
		name, file, input string
		want              []Example
		wantErr           []string // substrings of the joined error
	}{
		{
			name: "tsv", file: "a.tsv",
			input:   "bagus sekali\tpositive\n\njelek\tNEG\nno label here\nenak\tmaybe\n",
			want:    []Example{{"bagus sekali", Positive}, {"jelek", Negative}},
			wantErr: []string{"a.tsv:4:", "a.tsv:5: unknown label"},
		},
		{
			name: "tsv with header, detected by content", file: "data",
			input: "text\tlabel\nbiasa saja\tneutral\n",
			want:  []Example{{"biasa saja", Neutral}},
		},
		{
			name: "nusax csv", file: "valid.csv",
			input:   "id,text,label\n1,\"Enak, murah\",positive\n2,ok,unknown\n3,Biasa,neutral\n",
			want:    []Example{{"Enak, murah", Positive}, {"Biasa", Neutral}},
			wantErr: []string{"valid.csv:3: unknown label"},
		},
		{
			name: "csv without label column", file: "x.csv",
			input:   "id,text\n1,halo\n",
			wantErr: []string{"x.csv:1: header"},
		},
		{
			name: "jsonl detected by content", file: "stdin",
			input:   "{\"text\":\"jalan rusak\",\"label\":\"negative\"}\n{bad json\n{\"text\":\"x\"}\n",
			want:    []Example{{"jalan rusak", Negative}},
			wantErr: []string{"stdin:2:", "stdin:3:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadLabelled(strings.NewReader(tt.input), tt.file)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d examples %v, want %v (err %v)", len(got), got, tt.want, err)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("example %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
			if len(tt.wantErr) == 0 && err != nil {
				t.Errorf("unexpected error %v", err)
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not mention %q", err, w)
				}
			}
		})
	}
}

func TestEvaluateReport(t *testing.T) {
	ex := []Example{
		{"pelayanannya sangat buruk dan lambat", Negative},
		{"petugasnya ramah dan cepat, mantap", Positive},
		{"rapat digelar di balai kota hari senin", Neutral},
	}
	rep := Evaluate(Default(), "id", ex)
	if rep.N != 3 || rep.Accuracy != 1 || rep.MacroF1 != 1 {
		t.Errorf("report %+v, want all correct", rep)
	}
	s := rep.String()
	for _, w := range []string{"macro-F1=1.0000", "negative", "confusion"} {
		if !strings.Contains(s, w) {
			t.Errorf("report table lacks %q:\n%s", w, s)
		}
	}
}

func FuzzReadLabelled(f *testing.F) {
	for _, s := range []string{
		"bagus\tpositive\n", "id,text,label\n1,\"a, b\",neutral\n", "{\"text\":\"x\",\"label\":\"neg\"}\n",
		"\xef\xbb\xbftext\tlabel\n", "a,\"b\n", "{\"text\":1}",
	} {
		f.Add(s, "in")
		f.Add(s, "in.csv")
	}
	if b, err := os.ReadFile(filepath.Join(dataDir, "nusax", "english", "valid.csv")); err == nil {
		f.Add(string(b[:min(len(b), 2000)]), "valid.csv")
	}
	f.Fuzz(func(t *testing.T, input, name string) {
		ex, _ := ReadLabelled(strings.NewReader(input), name)
		for _, e := range ex {
			if _, ok := labelIndex(e.Label); !ok || e.Label != Labels[mustLabel(e.Label)] {
				t.Fatalf("example with non-canonical label %q", e.Label)
			}
			if strings.TrimSpace(e.Text) == "" {
				t.Fatal("example with empty text")
			}
			Default().Judge(e.Text, "id")
		}
	})
}

func mustLabel(l string) int {
	c, _ := labelIndex(l)
	return c
}
