package analyzer

import (
	"testing"

	"github.com/pantau-id/pantau/analyzer/sentiment"
)

// TestStanceRules checks each rule of stance on hand-written sentences (none is taken from the
// news evaluation sets), with the sentence model and the rules alone: the stance model reads the
// rules' facts as features and is scored on the news corpus instead. label "" accepts any label.
func TestStanceRules(t *testing.T) {
	rulesAnalyzer := testAnalyzer.WithStance(nil)
	tests := []struct {
		rule, name string
		text       string
		lang       string
		programme  string
		label      string
		criticism  bool
	}{
		// A repair in the clause cancels the damage it fixes, and a repair done is an improvement.
		{"repair", "thanks for repairing damaged road", "Warga berterima kasih atas perbaikan jalan desa yang sudah lama rusak.", "id", "jalan", sentiment.Positive, false},
		{"repair", "potholes repaired", "Jalan berlubang di Kelurahan Kuranji kini selesai diperbaiki oleh Dinas PUPR.", "id", "jalan", sentiment.Positive, false},
		{"repair", "resurfacing finished", "Pengaspalan jalan rusak di Nagari Sungai Sariak rampung pekan ini.", "id", "jalan", sentiment.Positive, false},
		{"repair", "street lights back on", "Lampu jalan yang padam sejak Senin sudah kembali menyala setelah kabelnya diganti.", "id", "pju", sentiment.Positive, false},
		{"repair", "not yet repaired stays criticism", "Jalan berlubang di Koto Tangah belum juga diperbaiki hingga kini.", "id", "jalan", sentiment.Negative, true},
		{"repair", "repair asked for cancels nothing", "Warga meminta jalan yang rusak parah itu segera diperbaiki.", "id", "jalan", sentiment.Negative, true},
		{"repair", "repair promised is no criticism and no improvement", "Dinas PUPR menyatakan jalan yang rusak itu akan diperbaiki tahun depan.", "id", "jalan", sentiment.Neutral, false},
		{"repair", "complaint about the repair stays", "Warga mengeluhkan perbaikan jalan yang berjalan sangat lambat.", "id", "jalan", sentiment.Negative, true},
		{"repair", "damage in another clause stays", "Jalan di pusat kota sudah diperbaiki, tetapi jalan menuju pasar masih rusak parah.", "id", "jalan", sentiment.Negative, true},
		{"repair", "English repair", "The city finally repaired the damaged road near the market, residents said.", "en", "jalan", "", false},

		// A service added, built or opened is an improvement.
		{"expansion", "new buses", "Dinas Perhubungan menambah lima armada baru Trans Padang untuk rute Pasar Raya.", "id", "transportasi_publik", sentiment.Positive, false},
		{"expansion", "health centre built", "Puskesmas pembantu di Nagari Limau dibangun tahun lalu dengan dana desa.", "id", "kesehatan_puskesmas", sentiment.Positive, false},
		{"expansion", "adding without new is no expansion", "Kenaikan tarif Trans Padang menambah beban pengeluaran warga.", "id", "transportasi_publik", "", false},
		{"expansion", "planned building is no improvement", "Pemkot berencana membangun puskesmas di Kecamatan Pauh, tetapi lahannya bermasalah.", "id", "kesehatan_puskesmas", sentiment.Negative, true},
		{"expansion", "expansion with a complaint", "Trans Padang menambah koridor baru, tetapi warga mengeluhkan antrean panjang di halte.", "id", "transportasi_publik", sentiment.Negative, true},

		// Harm to people in a clause naming the programme is criticism whatever the model says.
		{"harm", "pupils poisoned by free meals", "Puluhan siswa keracunan usai menyantap menu makan bergizi gratis yang lezat.", "id", "mbg", sentiment.Negative, true},
		{"harm", "patient died at the health centre", "Seorang pasien meninggal dunia di puskesmas karena tidak segera ditangani.", "id", "kesehatan_puskesmas", sentiment.Negative, true},
		{"harm", "English poisoning", "Dozens of pupils were poisoned by the free school meals served on Monday.", "en", "mbg", sentiment.Negative, true},
		{"harm", "flood victims are not the programme's harm", "Banjir merendam puskesmas dan dua warga menjadi korban.", "id", "kesehatan_puskesmas", "", false},
		{"harm", "harm in another clause", "Makan bergizi gratis dibagikan di SD 05; sementara itu, dua pengendara tewas dalam kecelakaan di jalan tol.", "id", "mbg", "", false},

		// A problem declared gone cancels the cues of its clause and is an improvement.
		{"resolved", "rubbish no longer seen", "Tumpukan sampah di TPS Pasar Baru kini tak terlihat lagi.", "id", "sampah_tps", sentiment.Positive, false},
		{"resolved", "no more long queues", "Tidak ada lagi antrean panjang di kantor Disdukcapil untuk mengurus e-KTP.", "id", "ektp", sentiment.Positive, false},
		{"resolved", "now clean", "Kawasan TPS Simpang Haru kini bersih setelah petugas bekerja sejak subuh.", "id", "sampah_tps", sentiment.Positive, false},
		{"resolved", "other clause still criticised", "Sampah di TPS Ulak Karang sudah tidak ada, namun warga masih mengeluhkan bau busuk.", "id", "sampah_tps", sentiment.Negative, true},

		// A cue in a phrase naming the programme outweighs a positive model; a service compound is no cue.
		{"attribution", "hope for a fix names the problem", "Warga berharap air PDAM yang mampet bisa segera lancar.", "id", "air_bersih", sentiment.Negative, true},
		{"attribution", "enclitic -nya", "Mampetnya air PDAM membuat warga terpaksa membeli air galon.", "id", "air_bersih", sentiment.Negative, true},
		{"attribution", "online queue system is a service", "Puskesmas Lubuk Buaya menerapkan sistem antrean daring agar pasien nyaman.", "id", "kesehatan_puskesmas", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			r := rulesAnalyzer.Analyze(Document{Text: tt.text, Lang: tt.lang})
			m := mention(t, r, tt.programme)
			if tt.label != "" && m.Sentiment.Label != tt.label {
				t.Errorf("label %s (score %.2f), want %s", m.Sentiment.Label, m.Sentiment.Score, tt.label)
			}
			if m.Criticism != tt.criticism {
				t.Errorf("criticism %v, want %v (label %s %.2f)", m.Criticism, tt.criticism, m.Sentiment.Label, m.Sentiment.Score)
			}
		})
	}
}

func TestClauseWords(t *testing.T) {
	words, cuts, phrases := clauseWords("Jalan A sudah diperbaiki, tetapi jalan B rusak; warga, kata Budi, kesal.")
	if len(words) != 12 {
		t.Fatalf("words %q", words)
	}
	wantCuts := []int{0, 4, 8, 12}
	if len(cuts) != len(wantCuts) {
		t.Fatalf("cuts %v, want %v", cuts, wantCuts)
	}
	for i := range cuts {
		if cuts[i] != wantCuts[i] {
			t.Fatalf("cuts %v, want %v", cuts, wantCuts)
		}
	}
	wantPhrases := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 3, 4}
	for i := range phrases {
		if phrases[i] != wantPhrases[i] {
			t.Fatalf("phrases %v, want %v", phrases, wantPhrases)
		}
	}
}

// TestUnblamed checks when a bad event counts as nobody's fault (no criticism): not when the
// mention names what the event is put down to or asks for something.
func TestUnblamed(t *testing.T) {
	terms := []programmeTerm{{words: normalizedTerm("banjir")}}
	tests := []struct {
		name, text string
		unblamed   bool
	}{
		{"flood reported", "Banjir setinggi lutut merendam 150 rumah di Kelurahan Pauh sejak Minggu malam.", true},
		{"flood and evacuation", "Banjir merendam rumah warga; petugas mengevakuasi warga ke masjid terdekat.", true},
		{"flood put down to drainage", "Banjir merendam rumah warga karena drainase di sepanjang jalan itu terlalu kecil.", false},
		{"flood put down to culverts", "Genangan dan banjir muncul setiap hujan deras lantaran gorong-gorongnya sempit.", false},
		{"council on the flood", "Anggota DPRD menyebut banjir di kawasan itu terjadi setiap tahun.", false},
		{"residents ask", "Banjir kembali merendam permukiman, dan warga meminta pemerintah turun tangan.", false},
		{"complaint", "Warga mengeluhkan banjir yang merendam rumah mereka.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := sentenceFacts(tt.text, terms, nil, 0)
			if got := f.unblamed(); got != tt.unblamed {
				t.Errorf("unblamed %v, want %v (facts %+v)", got, tt.unblamed, f)
			}
		})
	}
}

// TestCriticismModelScoredOnce checks that Analyze, which scores the criticism model's text
// features from the article's cached sentences (sentiment.Weights.ClassifyPassage), flags the
// same mentions as criticism as JudgeStance, which builds every feature, on the dev split.
func TestCriticismModelScoredOnce(t *testing.T) {
	if DefaultStance().CriticismID == nil {
		t.Fatal("no criticism model shipped")
	}
	var crit, n int
	for _, d := range readDocsFile(t, "testdata/news/dev.jsonl") {
		if d.Kind() != DocMention {
			continue
		}
		for _, m := range testAnalyzer.Analyze(d.document("id")).Mentions {
			if m.Programme != d.Programme {
				continue
			}
			n++
			s, c := testAnalyzer.JudgeStance(StanceExample{Text: joinSentence(d.Title, d.Text), Lang: "id", Programme: d.Programme})
			if s.Label != m.Sentiment.Label || c != m.Criticism {
				t.Errorf("line %d %s: Analyze %s/%v, JudgeStance %s/%v", d.Line, d.Programme, m.Sentiment.Label, m.Criticism, s.Label, c)
			}
			if c {
				crit++
			}
		}
	}
	if n < 300 || crit < 50 {
		t.Errorf("compared %d mentions, %d criticism: want at least 300 and 50", n, crit)
	}
}
