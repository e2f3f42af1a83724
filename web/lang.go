package web

import (
	"fmt"
	"net/http"
	"time"
)

// Languages of the report page.
const (
	LangIndonesian = "id"
	LangEnglish    = "en"
)

// messages are the words of the report and search pages in one language. Every string
// field is filled in every language (TestMessagesComplete).
type messages struct {
	Lang, Title, Heading, Intro, Generated, Window, Unit, CriticalStories, Of, Reach, Responses,
	Spike, Latest, Priority, Trending, Score, AlsoIn, Outlet, Outlets, Empty, Footer, TrendingMeans,
	OtherLang, OtherLangName, Hours, Days, Region, Regions string
	// BadWindow formats a refused ?window= (the value, the shortest and the longest window);
	// BadRegion leads a refused ?region= (the detail follows).
	BadWindow, BadRegion string

	// The emerging issues outside the taxonomy.
	EmergingHeading, EmergingIntro, Expected, Sources string

	// The correction form under each article, and what the analyst sees after posting it.
	CorrectSummary, Analyst, NotCriticism, Positive, NotProgramme, Corrected,
	CorrectionFailed, CorrectionNoAnalyst, CorrectionNoMention, CorrectionUnavailable, CorrectionInvalid, BackToReport string

	// The search page. SummaryOne and SummaryMany format the count of results and their
	// time range; BadDate (the field's name and value), BadLimit (value, maximum) and
	// BadFormat (value) name a refused parameter; BadQuery and BadSearch lead the parser's
	// or the search's own detail.
	SearchTitle, SearchHeading, Query, QueryHelp, From, To, Programme, RegionField, Any, Label, Limit, SearchButton,
	SummaryOne, SummaryMany, Truncated, DownloadCSV, SyndicatedCopy, SearchFooter, ReportLink,
	BadDate, BadLimit, BadFormat, BadQuery, BadSearch, SearchUnavailable string
	// labels name the search labels (storage.SearchLabels).
	labels map[string]string
	// ago are the phrases that say how long before now a time was (see ago).
	ago [4]string
	// months are the short month names, January first.
	months [12]string
}

var pageMessages = map[string]*messages{
	LangIndonesian: {
		Lang: "id", Title: "Pantau — perlu tanggapan", Heading: "Perlu tanggapan publik",
		Intro:     "Program diurutkan menurut lonjakan kritik, jangkauan media yang memuatnya dan belum adanya pemberitaan yang menjawab",
		Generated: "dibuat", Window: "Rentang", Unit: "Unit penanggung jawab:", CriticalStories: "Berita kritis", Of: "dari",
		Reach: "Jangkauan", Responses: "Tanggapan", Spike: "Lonjakan", Latest: "Terbaru", Priority: "Prioritas",
		Trending: "Sedang tren", Score: "skor", AlsoIn: "juga dimuat", Outlet: "media lain", Outlets: "media lain",
		Empty:         "Tidak ada pemberitaan kritis dalam rentang ini. Tidak ada yang perlu ditanggapi.",
		Footer:        "Salinan sindikasi dihitung sekali sebagai berita dan menambah jangkauan medianya.",
		TrendingMeans: "Sedang tren berarti skor minimal", OtherLang: "en", OtherLangName: "English",
		Hours: "jam", Days: "hari", Region: "wilayah", Regions: "Wilayah:",
		BadWindow: "Rentang %q tidak valid: isi durasi dari %s sampai %s, misalnya 24h atau 168h",
		BadRegion: "Wilayah tidak dikenal",

		EmergingHeading: "Isu baru di luar taksonomi",
		EmergingIntro:   "Frasa yang naik dalam pemberitaan kritis dan tidak cocok dengan program mana pun: calon program atau alias baru.",
		Expected:        "Perkiraan", Sources: "Media",

		CorrectSummary: "Salah? Koreksi", Analyst: "Nama analis", NotCriticism: "Bukan kritik", Positive: "Positif",
		NotProgramme: "Bukan tentang program ini", Corrected: "Koreksi disimpan dan sudah dihitung dalam laporan ini.",
		CorrectionFailed:      "Koreksi tidak disimpan",
		CorrectionNoAnalyst:   "Isi nama analis: setiap koreksi dicatat dengan siapa yang membuatnya.",
		CorrectionNoMention:   "Penyebutan ini tidak ada lagi di data; muat ulang laporan.",
		CorrectionUnavailable: "Penyimpanan tidak menjawab; coba lagi sebentar lagi.",
		CorrectionInvalid:     "Formulir koreksi tidak valid.",
		BackToReport:          "Kembali ke laporan",

		SearchTitle: "Pantau — pencarian", SearchHeading: "Cari artikel tersimpan", Query: "Kueri",
		QueryHelp: `AND, OR, NOT, NEAR/n, "frasa", awalan*, title:, body:`,
		From:      "Dari", To: "Sampai", Programme: "Program", RegionField: "Wilayah", Any: "semua", Label: "Sikap", Limit: "Batas",
		SearchButton: "Cari", SummaryOne: "%d artikel terbit %s sampai %s", SummaryMany: "%d artikel terbit %s sampai %s",
		Truncated:   "; pencarian berhenti lebih awal, mungkin ada hasil yang lebih lama: persempit rentang tanggal",
		DownloadCSV: "Unduh CSV", SyndicatedCopy: "salinan sindikasi",
		SearchFooter:      "Hanya mencari berita yang sudah terbit; hasilnya artikel, tidak pernah orang.",
		ReportLink:        "Perlu tanggapan",
		BadDate:           "%s %q: isi tanggal seperti 2026-11-01",
		BadLimit:          "Batas %q: isi 1 sampai %d",
		BadFormat:         "Format %q: pilih csv atau json",
		BadQuery:          "Kueri tidak dapat dibaca",
		BadSearch:         "Filter pencarian tidak valid",
		SearchUnavailable: "Pencarian tidak tersedia: penyimpanan tidak menjawab.",
		labels:            map[string]string{"negative": "negatif", "neutral": "netral", "positive": "positif", "critical": "kritik"},
		ago:               agoIndonesian,
		months:            [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"},
	},
	LangEnglish: {
		Lang: "en", Title: "Pantau — needs a response", Heading: "Needs a public response",
		Intro:     "Programmes ranked by criticism spike, reach of the outlets carrying it and the absence of answering coverage",
		Generated: "generated", Window: "Window", Unit: "Responsible unit:", CriticalStories: "Critical stories", Of: "of",
		Reach: "Reach", Responses: "Responses", Spike: "Spike", Latest: "Latest", Priority: "Priority",
		Trending: "Trending", Score: "score", AlsoIn: "also in", Outlet: "other outlet", Outlets: "other outlets",
		Empty:         "No critical coverage in the window. Nothing needs a response.",
		Footer:        "Syndicated copies count once as stories and add their outlet's reach.",
		TrendingMeans: "Trending means a score of at least", OtherLang: "id", OtherLangName: "Bahasa Indonesia",
		Hours: "hours", Days: "days", Region: "region", Regions: "Regions:",
		BadWindow: "window %q: want a duration from %s to %s, such as 24h or 168h",
		BadRegion: "Unknown region",

		EmergingHeading: "Emerging issues outside the taxonomy",
		EmergingIntro:   "Phrases rising in critical coverage that no programme matched: candidates for a new programme or alias.",
		Expected:        "Expected", Sources: "Outlets",

		CorrectSummary: "Wrong? Correct it", Analyst: "Analyst", NotCriticism: "Not criticism", Positive: "Positive",
		NotProgramme: "Not about this programme", Corrected: "Correction stored and counted in this report.",
		CorrectionFailed:      "Correction not stored",
		CorrectionNoAnalyst:   "Give the analyst's name: every correction is logged with who made it.",
		CorrectionNoMention:   "This mention is no longer stored; reload the report.",
		CorrectionUnavailable: "The store did not answer; try again shortly.",
		CorrectionInvalid:     "The correction form is not valid.",
		BackToReport:          "Back to the report",

		SearchTitle: "Pantau — search", SearchHeading: "Search stored articles", Query: "Query",
		QueryHelp: `AND, OR, NOT, NEAR/n, "phrase", prefix*, title:, body:`,
		From:      "From", To: "To", Programme: "Programme", RegionField: "Region", Any: "any", Label: "Label", Limit: "Limit",
		SearchButton: "Search", SummaryOne: "%d article published %s to %s", SummaryMany: "%d articles published %s to %s",
		Truncated:   "; stopped early, older matches may exist: narrow the dates",
		DownloadCSV: "Download CSV", SyndicatedCopy: "syndicated copy",
		SearchFooter:      "Searches published articles only; results are articles, never people.",
		ReportLink:        "Needs a response",
		BadDate:           "%s %q: want a date such as 2026-11-01",
		BadLimit:          "limit %q: want 1 to %d",
		BadFormat:         "format %q: want csv or json",
		BadQuery:          "The query does not parse",
		BadSearch:         "The search filters are not valid",
		SearchUnavailable: "Search unavailable: the store did not answer.",
		labels:            map[string]string{"negative": "negative", "neutral": "neutral", "positive": "positive", "critical": "criticism"},
		ago:               agoEnglish,
		months:            [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	},
}

// pageLang returns the messages of the language a request asks for (?lang=), else of def.
func pageLang(r *http.Request, def string) (*messages, error) {
	lang := def
	if s := r.FormValue("lang"); s != "" {
		lang = s
	}
	m, ok := pageMessages[lang]
	if !ok {
		return nil, fmt.Errorf("lang %q: want id or en", lang)
	}
	return m, nil
}

// summary says how many articles a search found between from and to (UTC).
func (m *messages) summary(n int, from, to time.Time) string {
	f := m.SummaryMany
	if n == 1 {
		f = m.SummaryOne
	}
	return fmt.Sprintf(f, n, m.stamp(from, time.UTC), m.stamp(to, time.UTC))
}

// stamp formats t in loc as "20 Nov 2026 08:00 WIB", with the language's month names.
func (m *messages) stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	t = t.In(loc)
	return fmt.Sprintf("%02d %s %d %s", t.Day(), m.months[t.Month()-1], t.Year(), t.Format("15:04 MST"))
}

// windowLabel names a report window: "24 jam", "7 hari".
func (m *messages) windowLabel(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d %s", d/(24*time.Hour), m.Days)
	}
	return fmt.Sprintf("%s %s", hours(d), m.Hours)
}

// agoEnglish and agoIndonesian are the phrases of ago: under a minute, then minutes, hours
// and days ago.
var (
	agoEnglish    = [4]string{"just now", "%d min ago", "%d h ago", "%d days ago"}
	agoIndonesian = [4]string{"baru saja", "%d menit lalu", "%d jam lalu", "%d hari lalu"}
)

// ago formats the age of t at now, rounded, with the phrases say; "-" for the zero time.
func ago(now, t time.Time, say [4]string) string {
	if t.IsZero() {
		return "-"
	}
	switch d := now.Sub(t); {
	case d < time.Minute:
		return say[0]
	case d < time.Hour:
		return fmt.Sprintf(say[1], int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf(say[2], int(d.Hours()))
	default:
		return fmt.Sprintf(say[3], int(d.Hours()/24))
	}
}
