package sentiment

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestDefaultLoads(t *testing.T) {
	m := Default()
	if m == nil || m.id == nil || m.en == nil {
		t.Fatal("Default() returned an incomplete model")
	}
	if m != Default() {
		t.Error("Default() is not loaded once")
	}
	r := m.Judge("", "id")
	if r.Score < -1 || r.Score > 1 {
		t.Errorf("empty text: score %v out of range", r.Score)
	}
}

func TestJudge(t *testing.T) {
	m := Default()
	tests := []struct {
		name, text, lang string
		want             string // a label, or "!negative" for "anything but negative"
	}{
		{"negated positive", "pelayanannya tidak bagus", "id", Negative},
		{"negated negative", "tidak buruk", "id", "!negative"},
		{"contrast, point after tapi", "awalnya lambat tapi sekarang pelayanannya cepat dan ramah", "id", Positive},
		{"contrast, complaint after tapi", "bagus tapi antreannya panjang sekali", "id", Negative},
		{"elongated letters and slang", "pelayanannya bagusss bgt", "id", Positive},
		{"informal negator gk", "gk enak, pelayanan lambat", "id", Negative},
		{"informal negator tdk", "makanannya tdk enak", "id", Negative},
		{"informal negator ngga", "petugasnya ngga ramah", "id", Negative},
		{"kurang as a negator", "pelayanannya kurang memuaskan", "id", Negative},
		{"kurang mampu is lexical", "bantuan untuk keluarga kurang mampu disalurkan hari ini", "id", "!negative"},
		{"tidak mampu after a poverty noun", "warga tidak mampu menerima bantuan beras", "id", "!negative"},
		{"tidak tepat sasaran", "bantuan sosial tidak tepat sasaran", "id", Negative},
		{"event pungli", "warga keluhkan pungli di kantor kelurahan", "id", Negative},
		{"event keracunan", "puluhan siswa keracunan setelah makan siang di sekolah", "id", Negative},
		{"event mangkrak", "pembangunan pasar mangkrak sejak 2019", "id", Negative},
		{"event gratis and lancar", "layanan pembuatan e-ktp kini gratis dan lancar", "id", Positive},
		{"negated event", "tidak ada pungli dalam pelayanan ini, semuanya lancar", "id", Positive},
		{"neutral announcement", "rapat koordinasi digelar di balai kota pada hari senin", "id", Neutral},
		{"unknown lang is id", "pelayanannya sangat buruk", "xx", Negative},
		{"en negation", "The service was not good", "en", Negative},
		{"en positive", "The staff were friendly and the process was quick", "en", Positive},
		{"en events", "The new bridge was inaugurated and traffic is smooth", "en", Positive},
		{"en complaint", "Residents complained about long queues", "en", Negative},
		{"en neutral", "The minister will visit Jakarta on Monday", "en", Neutral},
		{"en contraction", "The food isn't good", "en", Negative},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := m.Judge(tt.text, tt.lang)
			if r.Score < -1 || r.Score > 1 {
				t.Fatalf("score %v out of [-1, 1]", r.Score)
			}
			if want, ok := strings.CutPrefix(tt.want, "!"); ok {
				if r.Label == want {
					t.Errorf("Judge(%q) = %s (%+.3f), want anything but %s", tt.text, r.Label, r.Score, want)
				}
				return
			}
			if r.Label != tt.want {
				t.Errorf("Judge(%q) = %s (%+.3f), want %s", tt.text, r.Label, r.Score, tt.want)
			}
		})
	}
}

func TestJudgeConcurrent(t *testing.T) {
	m := Default()
	texts := []string{"pelayanannya tidak bagus", "jalan rusak parah", "the staff were very helpful"}
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = m.Judge(s, "id")
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				i := k % len(texts)
				if got := m.Judge(texts[i], "id"); got != want[i] {
					t.Errorf("concurrent Judge(%q) = %v, want %v", texts[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestJudgeAllocs(t *testing.T) {
	m := Default()
	m.Judge("warm up", "id")
	n := testing.AllocsPerRun(100, func() {
		m.Judge("awalnya lambat tapi sekarang pelayanannya cepat dan ramah", "id")
	})
	if n > 0 {
		t.Errorf("Judge allocates %v times per call, want 0", n)
	}
}

func TestWeightsRoundTrip(t *testing.T) {
	w := Default().id.weights
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWeights(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bits != w.Bits || got.B != w.B || !slices.Equal(got.q, w.q) || got.scale != w.scale || got.LexWeight != w.LexWeight {
		t.Fatalf("round trip changed the header: %+v", got)
	}
	if _, err := ReadWeights(strings.NewReader("not weights")); err == nil {
		t.Error("ReadWeights accepted garbage")
	}
}

// Macro-F1 floors, measured with the shipped weights (see README.md) minus a margin.
func TestQualityFloors(t *testing.T) {
	requireData(t)
	tests := []struct {
		name, lang, file string
		floor            float64
	}{
		// The shipped Indonesian weights saw SmSA valid in training; the train-only figure (0.855)
		// is checked by TestTrainOnlyFloor.
		{"smsa valid", "id", "smsa/valid_preprocess.tsv", 0.95},
		{"nusax en valid", "en", "nusax/english/valid.csv", 0.78},
		{"nusax id valid", "id", "nusax/indonesian/valid.csv", 0.85},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := readData(t, tt.file)
			rep := Evaluate(Default(), tt.lang, ex)
			t.Logf("\n%s", rep)
			if rep.MacroF1 < tt.floor {
				t.Errorf("macro-F1 %.4f below floor %.2f", rep.MacroF1, tt.floor)
			}
		})
	}
}

// TestTrainOnlyFloor retrains on SmSA train only, as the headline figure is measured, and checks
// SmSA valid. It takes 10–40 s depending on machine load, so -short skips it.
func TestTrainOnlyFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("retraining skipped in -short mode")
	}
	requireData(t)
	w, err := Train(readData(t, "smsa/train_preprocess.tsv"), DefaultTrainConfig("id"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(w, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := Evaluate(m, "id", readData(t, "smsa/valid_preprocess.tsv"))
	t.Logf("\n%s", rep)
	const floor = 0.84 // measured 0.8553
	if rep.MacroF1 < floor {
		t.Errorf("train-only macro-F1 on SmSA valid %.4f below floor %.2f", rep.MacroF1, floor)
	}
}

func readData(t *testing.T, name string) []Example {
	t.Helper()
	fh, err := os.Open(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	ex, err := ReadLabelled(fh, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return ex
}

// requireData skips the test when the shared data folder is absent, or fails it under CI=true,
// where a missing folder means the quality floors were not checked.
func requireData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(dataDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data folder %s absent under CI=true: %v", dataDir, err)
		}
		t.Skipf("shared data folder %s absent: %v", dataDir, err)
	}
}
