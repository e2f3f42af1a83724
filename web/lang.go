package web

import (
	"fmt"
	"time"
)

// Languages of the report page.
const (
	LangIndonesian = "id"
	LangEnglish    = "en"
)

// messages are the report page's words in one language.
type messages struct {
	Lang, Title, Heading, Intro, Generated, Window, Unit, CriticalStories, Of, Reach, Responses,
	Spike, Latest, Priority, Trending, Score, AlsoIn, Outlet, Outlets, Empty, Footer, TrendingMeans,
	OtherLang, OtherLangName, Hours, Days, Region, Regions string
	// ago formats how long before now t was.
	ago func(now, t time.Time) string
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
		ago:    agoIndonesian,
		months: [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"},
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
		ago:    Ago,
		months: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	},
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

// agoIndonesian is Ago in Bahasa Indonesia.
func agoIndonesian(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "baru saja"
	case d < time.Hour:
		return fmt.Sprintf("%d menit lalu", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d jam lalu", int(d.Hours()))
	default:
		return fmt.Sprintf("%d hari lalu", int(d.Hours()/24))
	}
}
