package digest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pantau-id/pantau/config"
	"github.com/pantau-id/pantau/storage"
)

//go:embed digest.html
var pageHTML string

var pageTemplate = template.Must(template.New("digest").Funcs(template.FuncMap{
	"wib":   wib,
	"reach": reach,
	"join":  func(ss []string) string { return strings.Join(ss, ", ") },
}).Parse(pageHTML))

// wib formats t in WIB.
func wib(t time.Time) string { return t.In(config.WIB).Format("02 Jan 2006 15:04") + " WIB" }

func reach(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Formats of Render.
const (
	FormatHTML     = "html"
	FormatMarkdown = "md"
	FormatText     = "text"
	FormatJSON     = "json"
)

// Render writes the digest in format: FormatHTML (a printable page, also the e-mail's HTML
// part), FormatMarkdown, FormatText (the e-mail's plain-text part) or FormatJSON.
func Render(w io.Writer, d *Digest, format string) error {
	switch format {
	case FormatHTML:
		return pageTemplate.Execute(w, d)
	case FormatMarkdown:
		_, err := io.WriteString(w, markdown(d))
		return err
	case FormatText:
		_, err := io.WriteString(w, text(d))
		return err
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	return fmt.Errorf("format %q: want html, md, text or json", format)
}

// programmes names a story's programmes.
func (d *Digest) programmes(s storage.Story) string {
	names := make([]string, len(s.Programmes))
	for i, p := range s.Programmes {
		names[i] = d.ProgrammeName(p)
	}
	return strings.Join(names, ", ")
}

// markdownEscape keeps titles and snippets from turning into Markdown markup.
var markdownEscape = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;")

func markdown(d *Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Kliping harian Pantau — %s\n\n**Unit:** %s  \nBerita terbit %s s.d. %s\n\n", d.Date, markdownEscape.Replace(d.Unit.Name), wib(d.From), wib(d.To))
	section := func(title string, ss []storage.Story, none string) {
		fmt.Fprintf(&b, "## %s (%d)\n\n", title, len(ss))
		if len(ss) == 0 {
			fmt.Fprintf(&b, "%s\n\n", none)
		}
		for _, s := range ss {
			fmt.Fprintf(&b, "- [%s](<%s>)  \n  %s · %s · jangkauan %s · %d media · %s\n", markdownEscape.Replace(orUntitled(s.Title)),
				strings.ReplaceAll(s.URL, ">", "%3E"), markdownEscape.Replace(s.Source), wib(s.Published), reach(s.Reach), len(s.Outlets),
				markdownEscape.Replace(d.programmes(s)))
			if s.Snippet != "" {
				fmt.Fprintf(&b, "  > %s\n", markdownEscape.Replace(s.Snippet))
			}
		}
		b.WriteString("\n")
	}
	section("Berita kritis", d.Critical, "Tidak ada berita kritis dalam 24 jam ini.")
	b.WriteString("## Sedang tren\n\n")
	if len(d.Trending) == 0 {
		b.WriteString("Tidak ada kritik yang meningkat.\n\n")
	} else {
		b.WriteString("| Program | Jendela | Berita kritis | Biasanya | Skor |\n|---|---|---|---|---|\n")
		for _, t := range d.Trending {
			name := markdownEscape.Replace(d.ProgrammeName(t.Programme))
			if t.Trending {
				name = "**" + name + " — TREN**"
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %.1f | %.1f |\n", name, t.Window, t.Critical, t.Expected, t.Score)
		}
		b.WriteString("\n")
	}
	section("Liputan positif untuk dibagikan", d.Positive, "Tidak ada liputan positif dalam 24 jam ini.")
	b.WriteString("_" + d.ReachNote + "_\n")
	if d.PageURL != "" {
		fmt.Fprintf(&b, "\nHalaman cetak: <%s>\n", d.PageURL)
	}
	return b.String()
}

func orUntitled(title string) string {
	if strings.TrimSpace(title) == "" {
		return "(tanpa judul)"
	}
	return title
}

func text(d *Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Kliping harian Pantau — %s\nUnit: %s\nBerita terbit %s s.d. %s\n", d.Date, d.Unit.Name, wib(d.From), wib(d.To))
	section := func(title string, ss []storage.Story, none string) {
		fmt.Fprintf(&b, "\n%s (%d)\n%s\n", strings.ToUpper(title), len(ss), strings.Repeat("=", len(title)+5))
		if len(ss) == 0 {
			fmt.Fprintf(&b, "%s\n", none)
		}
		for i, s := range ss {
			fmt.Fprintf(&b, "\n%d. %s\n   %s · %s · jangkauan %s · %d media · %s\n", i+1, orUntitled(s.Title), s.Source, wib(s.Published),
				reach(s.Reach), len(s.Outlets), d.programmes(s))
			if s.Snippet != "" {
				fmt.Fprintf(&b, "   \"%s\"\n", s.Snippet)
			}
			fmt.Fprintf(&b, "   %s\n", s.URL)
		}
	}
	section("Berita kritis", d.Critical, "Tidak ada berita kritis dalam 24 jam ini.")
	b.WriteString("\nSEDANG TREN\n===========\n")
	if len(d.Trending) == 0 {
		b.WriteString("Tidak ada kritik yang meningkat.\n")
	}
	for _, t := range d.Trending {
		flag := ""
		if t.Trending {
			flag = " — TREN"
		}
		fmt.Fprintf(&b, "- %s%s: %d berita kritis dalam %s (biasanya %.1f), skor %.1f\n", d.ProgrammeName(t.Programme), flag, t.Critical, t.Window, t.Expected, t.Score)
	}
	section("Liputan positif untuk dibagikan", d.Positive, "Tidak ada liputan positif dalam 24 jam ini.")
	fmt.Fprintf(&b, "\n%s\n", d.ReachNote)
	if d.PageURL != "" {
		fmt.Fprintf(&b, "Halaman cetak: %s\n", d.PageURL)
	}
	return b.String()
}

// telegramLimit is the Bot API's longest message text.
const telegramLimit = 4096

// telegramText is the digest as Telegram Bot API HTML (b, i, a tags only), cut to fit one message.
func telegramText(d *Digest) string {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, "<b>Kliping Pantau %s</b>\n%s\n", d.Date, esc(shortName(d.Unit.Name)))
	fmt.Fprintf(&b, "\n<b>Berita kritis (%d)</b>\n", len(d.Critical))
	for _, s := range d.Critical {
		fmt.Fprintf(&b, "• <a href=\"%s\">%s</a> — %s, jangkauan %s\n", esc(s.URL), esc(orUntitled(s.Title)), esc(s.Source), reach(s.Reach))
	}
	for _, t := range d.Trending {
		if t.Trending {
			fmt.Fprintf(&b, "\n<b>TREN:</b> %s, %d berita kritis (%s), skor %.1f\n", esc(d.ProgrammeName(t.Programme)), t.Critical, t.Window, t.Score)
		}
	}
	fmt.Fprintf(&b, "\n<b>Liputan positif (%d)</b>\n", len(d.Positive))
	for _, s := range d.Positive {
		fmt.Fprintf(&b, "• <a href=\"%s\">%s</a> — %s\n", esc(s.URL), esc(orUntitled(s.Title)), esc(s.Source))
	}
	if d.PageURL != "" {
		fmt.Fprintf(&b, "\n<a href=\"%s\">Kliping lengkap</a>", esc(d.PageURL))
	}
	return cutLines(b.String(), telegramLimit)
}

// cutLines cuts s at a line end so that it is at most limit characters, marking the cut.
func cutLines(s string, limit int) string {
	if len([]rune(s)) <= limit {
		return s
	}
	const more = "\n…"
	r := []rune(s)[:limit-len([]rune(more))]
	cut := string(r)
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + more
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackLimit is the longest text of a Slack section block.
const slackLimit = 3000

// slackPayload is the digest as a Slack incoming-webhook message: a fallback text and blocks.
func slackPayload(d *Digest) map[string]any {
	esc := slackEscape.Replace
	link := func(s storage.Story) string {
		return fmt.Sprintf("• <%s|%s> — %s, jangkauan %s", strings.NewReplacer("|", "%7C", ">", "%3E").Replace(s.URL),
			esc(orUntitled(s.Title)), esc(s.Source), reach(s.Reach))
	}
	section := func(title string, ss []storage.Story) map[string]any {
		lines := []string{fmt.Sprintf("*%s (%d)*", title, len(ss))}
		for _, s := range ss {
			lines = append(lines, link(s))
		}
		return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": cutLines(strings.Join(lines, "\n"), slackLimit)}}
	}
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": cutLines("Kliping Pantau "+d.Date+": "+shortName(d.Unit.Name), 150)}},
		section("Berita kritis", d.Critical),
	}
	var hot []string
	for _, t := range d.Trending {
		if t.Trending {
			hot = append(hot, fmt.Sprintf("• %s: %d berita kritis (%s), skor %.1f", esc(d.ProgrammeName(t.Programme)), t.Critical, t.Window, t.Score))
		}
	}
	if len(hot) > 0 {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": cutLines("*Sedang tren*\n"+strings.Join(hot, "\n"), slackLimit)}})
	}
	blocks = append(blocks, section("Liputan positif", d.Positive))
	if d.PageURL != "" {
		blocks = append(blocks, map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": "<" + d.PageURL + "|Kliping lengkap>"}}})
	}
	return map[string]any{"text": d.Subject(), "blocks": blocks}
}
