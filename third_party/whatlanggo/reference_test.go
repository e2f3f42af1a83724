package whatlanggo

import (
	"encoding/json"
	"math/rand"
	"os"
	"strings"
	"testing"
	"unicode"
)

// count, calculateDistance and detectScript are upstream's code before Pantau's patch: the
// reference the patched detection must agree with.
func count(input string) map[string]int {
	// Convert input runes to lower
	inputRunes := []rune(input)
	nInputRunes := len(inputRunes)

	runes := make([]rune, nInputRunes+1)
	for i, ir := range inputRunes {
		if isStopCharSlow(ir) {
			ir = ' '
		}
		runes[i] = unicode.ToLower(ir)
	}
	runes[nInputRunes] = ' ' // put space as the last rune

	var r1, r2, r3 rune
	trigrams := map[string]int{}

	r1, r2 = ' ', runes[0]
	for i := 1; i < len(runes); i++ {
		r3 = runes[i]
		if !(r2 == ' ' && (r1 == ' ' || r3 == ' ')) {
			trigram := []rune{r1, r2, r3}
			strTrigram := string(trigram)

			if trigrams[strTrigram] == 0 {
				trigrams[strTrigram] = 1
			} else {
				trigrams[strTrigram]++
			}
		}
		r1 = r2
		r2 = r3
	}
	return trigrams
}

func calculateDistance(langTrigrams []string, textTrigramsWeights map[string]int) (totalDist, numberTrigrams int) {
	for i, trigram := range langTrigrams {
		if textTrigramsWeights[trigram] > 0 {
			numberTrigrams++
			totalDist += (maxTrigramDistance - i) * textTrigramsWeights[trigram]
		}
	}
	return totalDist, numberTrigrams
}

func detectScript(text string) *unicode.RangeTable {
	halfLen := len(text) / 2

	scriptCounter := []scriptCounter{
		{isLatin, unicode.Latin, 0},
		{isCyrillic, unicode.Cyrillic, 0},
		{isArabic, unicode.Arabic, 0},
		{isDevanagari, unicode.Devanagari, 0},
		{isHiraganaKatakana, _HiraganaKatakana, 0},
		{isEthiopic, unicode.Ethiopic, 0},
		{isHebrew, unicode.Hebrew, 0},
		{isBengali, unicode.Bengali, 0},
		{isGeorgian, unicode.Georgian, 0},
		{isHan, unicode.Han, 0},
		{isHangul, unicode.Hangul, 0},
		{isGreek, unicode.Greek, 0},
		{isKannada, unicode.Kannada, 0},
		{isTamil, unicode.Tamil, 0},
		{isThai, unicode.Thai, 0},
		{isGujarati, unicode.Gujarati, 0},
		{isGurmukhi, unicode.Gurmukhi, 0},
		{isTelugu, unicode.Telugu, 0},
		{isMalayalam, unicode.Malayalam, 0},
		{isOriya, unicode.Oriya, 0},
		{isMyanmar, unicode.Myanmar, 0},
		{isSinhala, unicode.Sinhala, 0},
		{isKhmer, unicode.Khmer, 0},
	}

	for _, ch := range text {
		if isStopCharSlow(ch) {
			continue
		}

		for i, sc := range scriptCounter {
			if sc.checkFunc(ch) {
				scriptCounter[i].count++
				if scriptCounter[i].count > halfLen {
					return sc.script
				}

				//if script is found, move it closer to the front so that it be checked first.
				if i > 0 {
					scriptCounter[i], scriptCounter[i-1] = scriptCounter[i-1], scriptCounter[i]
				}
			}
		}
	}

	//find the script that occurs the most in the text and return it.
	jpCount := 0
	max := 0
	maxScript := &unicode.RangeTable{}
	for _, script := range scriptCounter {
		if script.count > max {
			max = script.count
			maxScript = script.script
			if script.script == _HiraganaKatakana {
				jpCount = max
			}
		}
	}

	switch {
	case max == 0:
		//if no valid script is detected, return nil.
		return nil
	case max != 0 && (maxScript == unicode.Han && jpCount > 0):
		return _HiraganaKatakana
	default:
		return maxScript
	}
}

// TestMatchesReference checks the script detection and the profile index against upstream's
// code, language by language, on the examples and on random mixes of them.
func TestMatchesReference(t *testing.T) {
	var examples map[string]string
	data, err := os.ReadFile("testdata/examples.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &examples); err != nil {
		t.Fatal(err)
	}
	texts := []string{"", " ", ",", "a", "-a-", "yes", "Give - IT...", "a b", "ab ", " ab", "x  y", "\xff\xfeab"}
	var all []string
	for _, text := range examples {
		texts = append(texts, text, strings.ToUpper(text), text[:len(text)/2])
		all = append(all, text)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 300; i++ {
		var b strings.Builder
		for j := rng.Intn(400); j > 0; j-- {
			text := all[rng.Intn(len(all))]
			runes := []rune(text)
			start := rng.Intn(len(runes))
			end := min(len(runes), start+rng.Intn(12))
			b.WriteString(string(runes[start:end]))
			b.WriteByte(" .,7\n"[rng.Intn(5)])
		}
		texts = append(texts, b.String())
	}

	for _, text := range texts {
		if got, want := DetectScript(text), detectScript(text); got != want {
			t.Fatalf("script of %q: %v, reference %v", text, Scripts[got], Scripts[want])
		}
	}

	lists := map[string]langProfileList{"latin": latinLangs, "cyrillic": cyrillicLangs,
		"devanagari": devanagariLangs, "hebrew": hebrewLangs, "ethiopic": ethiopicLangs, "arabic": arabicLangs}
	for name, list := range lists {
		idx := newProfileIndex(list)
		for _, text := range texts {
			weights := count(text)
			got := 0
			idx.distances(text, func(lang Lang, dist, matched int) {
				got++
				wantDist, wantMatched := calculateDistance(list[lang], weights)
				if dist != wantDist || matched != wantMatched {
					t.Fatalf("%s profiles, %s on %q: distance %d over %d trigrams, reference %d over %d",
						name, lang, text, dist, matched, wantDist, wantMatched)
				}
			})
			if got != len(list) {
				t.Fatalf("%s profiles: %d languages scored, want %d", name, got, len(list))
			}
		}
	}
}

// BenchmarkDetectLang detects the language of 4 KB of Indonesian news passages.
func BenchmarkDetectLang(b *testing.B) {
	data, err := os.ReadFile("testdata/news_id.txt")
	if err != nil {
		b.Fatal(err)
	}
	text := string(data)
	b.SetBytes(int64(len(text)))
	for i := 0; i < b.N; i++ {
		if DetectLang(text) != Ind {
			b.Fatal("not detected as Indonesian")
		}
	}
}

// TestScriptsDisjoint checks that no rune belongs to two of the scripts DetectScript counts,
// which lets it stop at the first script that matches.
func TestScriptsDisjoint(t *testing.T) {
	checks := []struct {
		name string
		is   func(rune) bool
	}{{"Latin", isLatin}, {"Cyrillic", isCyrillic}, {"Arabic", isArabic}, {"Devanagari", isDevanagari},
		{"Hiragana/Katakana", isHiraganaKatakana}, {"Ethiopic", isEthiopic}, {"Hebrew", isHebrew},
		{"Bengali", isBengali}, {"Georgian", isGeorgian}, {"Han", isHan}, {"Hangul", isHangul},
		{"Greek", isGreek}, {"Kannada", isKannada}, {"Tamil", isTamil}, {"Thai", isThai},
		{"Gujarati", isGujarati}, {"Gurmukhi", isGurmukhi}, {"Telugu", isTelugu},
		{"Malayalam", isMalayalam}, {"Oriya", isOriya}, {"Myanmar", isMyanmar},
		{"Sinhala", isSinhala}, {"Khmer", isKhmer}}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		first := ""
		for _, c := range checks {
			if c.is(r) {
				if first != "" {
					t.Fatalf("%U is both %s and %s", r, first, c.name)
				}
				first = c.name
			}
		}
	}
}
