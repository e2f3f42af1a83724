// Package analyzer turns an article into its language, its overall sentiment and the government
// programmes it mentions, each mention with its own stance, criticism flag and snippet. It does no
// I/O: Analyze is a pure function of the article, the taxonomy and the sentiment model.
package analyzer

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pantau-id/pantau/analyzer/sentiment"
	"github.com/pantau-id/pantau/analyzer/taxonomy"
	"github.com/pantau-id/pantau/regions"
)

// Version identifies the analyzer's behaviour; it is stored with every analysed row and changes
// whenever the same article could be analysed differently.
const Version = "analyzer/7"

// Document is an article to analyse.
type Document struct {
	ID    string
	Title string
	Text  string
	Lang  string // "id" or "en"; detected when empty
}

// Sentiment is a label ("negative", "neutral", "positive") and a score in [-1, 1].
type Sentiment struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// Mention is one programme found in an article and the article's stance toward it.
type Mention struct {
	Programme string    `json:"programme"`
	Unit      string    `json:"unit"`
	Terms     []string  `json:"terms"`     // the aliases and query terms that matched, as written in the taxonomy
	Sentiment Sentiment `json:"sentiment"` // stance toward the programme, from the sentences about it
	Criticism bool      `json:"criticism"` // the article criticises the programme or its delivery
	Snippet   string    `json:"snippet"`   // the first sentence about the programme, at most ~300 characters
	// Regions are the Kemendagri codes of the provinces and regencies/cities the mention is about:
	// those named in its own text, else the article's most named region (and its province).
	Regions []string `json:"regions,omitempty"`
}

// Region is a province or regency/city an article names, and how often.
type Region struct {
	Code  string `json:"code"` // Kemendagri code: "13" Sumatera Barat, "13.71" Kota Padang
	Name  string `json:"name"`
	Count int    `json:"count"` // namings; a regency's also count for its province
}

// Result is the analysis of one article.
type Result struct {
	Lang      string    `json:"lang"`              // "id", "en", or "" when unknown
	Sentiment Sentiment `json:"sentiment"`         // of the title and lead
	Mentions  []Mention `json:"mentions"`          // in taxonomy order; never nil
	Regions   []Region  `json:"regions,omitempty"` // most named first (package regions)
	// Truncated is set when the text was longer than MaxTextBytes: only its start was analysed.
	Truncated bool `json:"truncated,omitempty"`
	// DroppedMentions counts the programmes found beyond MaxMentions, which are not reported.
	DroppedMentions int `json:"dropped_mentions,omitempty"`
}

// Limits on what one article may cost. Within them analysis time is linear in the text: each
// sentence is tokenised and scored once, matching is linear in the text (hits are looked up by
// sentence and position), and a mention reads at most mentionSentences sentences.
const (
	MaxTextBytes = 512 << 10 // body text analysed; what follows is ignored (Result.Truncated)
	MaxMentions  = 64        // mentions reported per article, the first in taxonomy order
	// maxSentenceBytes cuts longer "sentences" (a page without punctuation) at a space, so that
	// one sentence never makes a mention's text large.
	maxSentenceBytes = 1 << 10
)

// wordLists holds the word lists of articles being analysed, for reuse.
var wordLists = sync.Pool{New: func() any { return new(taxonomy.WordList) }}

// Analyzer analyses articles against a taxonomy. It is safe for concurrent use.
type Analyzer struct {
	tax    *taxonomy.Taxonomy
	model  *sentiment.Model
	stance *StanceWeights
}

// New returns an analyzer; a nil taxonomy or model means the one shipped in the binary. Mentions
// are judged with the shipped stance model (see WithStance).
func New(tax *taxonomy.Taxonomy, model *sentiment.Model) *Analyzer {
	if tax == nil {
		tax = taxonomy.Default()
	}
	if model == nil {
		model = sentiment.Default()
	}
	return &Analyzer{tax: tax, model: model, stance: DefaultStance()}
}

// Taxonomy returns the taxonomy a matches against.
func (a *Analyzer) Taxonomy() *taxonomy.Taxonomy { return a.tax }

// WithStance returns a copy of a that judges mentions with the stance weights w; nil judges them
// with the sentence model and the hand-written rules alone.
func (a *Analyzer) WithStance(w *StanceWeights) *Analyzer {
	b := *a
	b.stance = w
	return &b
}

// Limits on the text judged.
const (
	leadSentences    = 2   // body sentences judged with the title for the article's sentiment
	mentionSentences = 8   // sentences about one programme judged for its stance, quotes included
	snippetRunes     = 300 // longest snippet, in characters, before the ellipsis
)

// Analyze returns the language, the sentiment of the title and lead, and the programme mentions of doc.
//
// Each mention is judged on its own text only: the title when the programme is named there, the
// sentences naming it, and an attributed quote that directly follows one of them ("...," kata
// warga). An article praising one programme and criticising another thus gets both right.
func (a *Analyzer) Analyze(doc Document) Result {
	text, truncated := doc.Text, false
	if len(text) > MaxTextBytes {
		text, truncated = cutAt(text, MaxTextBytes), true
	}
	// The text is split into words once, for language detection and matching; its first
	// langMaxBytes, all detection reads, are the same whether or not it was cut.
	words := wordLists.Get().(*taxonomy.WordList)
	defer wordLists.Put(words)
	words.Split(text)
	lang := normalizeLang(doc.Lang)
	if lang == "" {
		lang = detectWords(words)
		if lang == "" {
			lang = DetectLanguage(doc.Title + "\n" + doc.Text)
		}
	}
	judgeLang := lang
	if judgeLang != "en" {
		judgeLang = "id"
	}
	title := strings.TrimSpace(doc.Title)
	if len(title) > maxSentenceBytes {
		title = cutAt(title, maxSentenceBytes)
	}
	doc.Text = text
	sents := splitSentences(doc.Text)

	// The sentences of the article are tokenised and scored once, for its lead and its mentions.
	passages := passagesPool.Get().(*sentiment.Passages)
	defer passagesPool.Put(passages)
	passages.Reset(a.model, judgeLang, a.stance.forLang(judgeLang))

	res := Result{Lang: lang, Mentions: []Mention{}, Sentiment: Sentiment{Label: sentiment.Neutral}, Truncated: truncated}
	var leadArr [1 + leadSentences]string
	lead := leadArr[:0]
	if title != "" {
		lead = append(lead, title)
	}
	for i := 0; i < len(sents) && i < leadSentences; i++ {
		lead = append(lead, doc.Text[sents[i].Start:sents[i].End])
	}
	if len(lead) > 0 {
		j := passages.Judge(lead)
		res.Sentiment = Sentiment{Label: j.Label, Score: j.Score}
	}

	progs := a.tax.Programmes()
	matches := a.tax.MatchWords(title, words, sents)
	if len(matches) > MaxMentions {
		res.DroppedMentions = len(matches) - MaxMentions
		matches = matches[:MaxMentions]
	}
	// Regions are scanned once, in the title and text as one string: the body starts after the
	// title and a newline.
	gaz := regions.Default()
	hits := gaz.Scan(title + "\n" + doc.Text)
	found := gaz.Count(hits)
	if len(found) > 0 {
		res.Regions = make([]Region, 0, len(found))
	}
	for _, f := range found {
		res.Regions = append(res.Regions, Region{Code: f.Code, Name: f.Name, Count: f.Count})
	}
	bodyAt := len(title) + 1
	named := namingCounts(matches)
	for _, m := range matches {
		p := progs[m.Programme]
		in, snippet, index := newMentionInput(p, m, title, doc.Text, sents, named)
		in.lang, in.passages = judgeLang, passages
		stance, criticism := a.judgeMention(in)
		res.Mentions = append(res.Mentions, Mention{
			Programme: p.ID,
			Unit:      p.Unit,
			Terms:     m.Terms,
			Sentiment: stance,
			Criticism: criticism,
			Snippet:   trimSnippet(snippet),
			Regions:   mentionRegions(hits, found, index, sents, len(title), bodyAt),
		})
	}
	return res
}

// mentionRegions returns the codes of the regions named in a mention's parts (sentence indexes,
// titlePart for the title), most named first, or else of the article's most named region
// (found[0]) and, for a regency, its province. hits are at offsets of the title, a newline and the
// body (which starts at bodyAt).
func mentionRegions(hits []regions.Hit, found []regions.Found, index []int, sents []taxonomy.Span, titleLen, bodyAt int) []string {
	if len(found) == 0 {
		return nil
	}
	var own []regions.Hit
	for _, h := range hits {
		for _, i := range index {
			lo, hi := 0, titleLen
			if i != titlePart {
				lo, hi = bodyAt+sents[i].Start, bodyAt+sents[i].End
			}
			if h.At >= lo && h.At < hi {
				own = append(own, h)
				break
			}
		}
	}
	var codes []string
	for _, f := range regions.Default().Count(own) {
		codes = append(codes, f.Code)
	}
	if len(codes) > 0 {
		return codes
	}
	codes = append(codes, found[0].Code)
	if found[0].Level == regions.Regency {
		codes = append(codes, found[0].Province)
	}
	return codes
}

// newMentionInput builds the input of a match's judgement, without its language and passages.
// named counts the matches naming each sentence (namingCounts).
// It also returns the sentence indexes of the mention's parts (titlePart for the title).
func newMentionInput(p taxonomy.Programme, m taxonomy.Match, title, body string, sents []taxonomy.Span, named map[int]int) (mentionInput, string, []int) {
	text, snippet, parts, index := mentionParts(title, body, sents, m)
	in := mentionInput{programme: p.ID, text: text, parts: parts, terms: programmeTerms(p, m.Terms), inTitle: m.InTitle}
	for k, i := range index {
		if named[i] > 1 {
			in.shared = append(in.shared, k)
		}
	}
	return in, snippet, index
}

// namingCounts returns how many matches name each sentence, the title under titlePart; nil,
// which is read as empty, when there are no matches (most articles): no map is made.
func namingCounts(matches []taxonomy.Match) map[int]int {
	if len(matches) == 0 {
		return nil
	}
	named := make(map[int]int, 16)
	for _, m := range matches {
		if m.InTitle {
			named[titlePart]++
		}
		for _, s := range m.Sentences {
			named[s]++
		}
	}
	return named
}

// titlePart is the index mentionParts gives the title.
const titlePart = -1

// mentionParts assembles the text judged for a match, as one text and as its sentences (the
// title first when it names the programme) with the sentence index of each (titlePart for the
// title), and picks its snippet.
func mentionParts(title, body string, sents []taxonomy.Span, m taxonomy.Match) (text, snippet string, parts []string, index []int) {
	if m.InTitle {
		text = title
		snippet = title
		parts = append(parts, title)
		index = append(index, titlePart)
	}
	included := make(map[int]bool, len(m.Sentences)+2)
	var order []int
	add := func(i int) {
		if !included[i] && len(order) < mentionSentences {
			included[i] = true
			order = append(order, i)
		}
	}
	for _, s := range m.Sentences {
		add(s)
		// open: inside a quotation that runs over several sentences.
		open := quoteMarks(body[sents[s].Start:sents[s].End])%2 == 1
		for j := s + 1; j < len(sents) && j <= s+3; j++ {
			next := body[sents[j].Start:sents[j].End]
			if !open && (j > s+1 || !attributedQuote(next)) {
				break
			}
			add(j)
			if quoteMarks(next)%2 == 1 {
				open = !open
			}
		}
	}
	for _, i := range order {
		part := body[sents[i].Start:sents[i].End]
		text = joinSentence(text, part)
		parts = append(parts, part)
		index = append(index, i)
	}
	if len(m.Sentences) > 0 {
		snippet = body[sents[m.Sentences[0]].Start:sents[m.Sentences[0]].End]
	}
	return text, snippet, parts, index
}

// attributionWords are the verbs that attribute a quotation to a speaker.
var attributionWords = setOf(
	"kata", "katanya", "ujar", "ujarnya", "ucap", "ucapnya", "ungkap", "ungkapnya", "tutur", "tuturnya",
	"jelas", "jelasnya", "tambah", "tambahnya", "terang", "terangnya", "imbuh", "imbuhnya", "tegas",
	"tegasnya", "sebut", "sebutnya", "keluh", "keluhnya", "pungkas", "pungkasnya", "lanjut", "lanjutnya",
	"said", "says", "told", "added", "explained", "complained",
)

// attributedQuote reports whether s is quoted speech attributed to a speaker ("...," kata warga) or
// opens a quotation.
func attributedQuote(s string) bool {
	marks := quoteMarks(s)
	if marks == 0 {
		return false
	}
	if marks%2 == 1 {
		return true
	}
	attributed := false
	taxonomy.Words(s, func(w []byte, _, _ int) {
		if attributionWords[string(w)] {
			attributed = true
		}
	})
	return attributed
}

// quoteMarks counts double quotation marks in s.
func quoteMarks(s string) int {
	return strings.Count(s, `"`) + strings.Count(s, "\u201c") + strings.Count(s, "\u201d")
}

// joinSentence appends sentence s to text, ending text with a full stop first when it has no
// final punctuation (a title).
func joinSentence(text, s string) string {
	if text == "" {
		return s
	}
	if r, _ := utf8.DecodeLastRuneInString(text); !strings.ContainsRune(".!?\u2026\"\u201d", r) {
		text += "."
	}
	return text + " " + s
}

// trimSnippet collapses white space and cuts s at a word boundary to at most snippetRunes
// characters, marking a cut with an ellipsis.
func trimSnippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= snippetRunes {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == snippetRunes {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ,;:") + "\u2026"
}

// cutAt returns the start of s, at most n bytes, ending at the last space (or else rune
// boundary) before n.
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexAny(s[:cut], " \n\t"); sp > n/2 {
		cut = sp
	}
	return s[:cut]
}

// normalizeLang maps language tags such as "id-ID", "in" or "EN" to "id" or "en"; other tags are
// kept lower-cased, and "" stays "".
func normalizeLang(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	switch tag {
	case "id", "in", "ind":
		return "id"
	case "en", "eng":
		return "en"
	}
	return tag
}
