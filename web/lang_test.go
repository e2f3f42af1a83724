package web

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/pantau-id/pantau/storage"
)

// TestMessagesComplete fails when a language lacks a word of the pages: every string of
// messages is filled in every language, with the same formatting verbs in the same order.
func TestMessagesComplete(t *testing.T) {
	for _, lang := range []string{LangIndonesian, LangEnglish} {
		if pageMessages[lang] == nil {
			t.Fatalf("no messages for %q", lang)
		}
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	typ := reflect.TypeOf(messages{})
	for lang, m := range pageMessages {
		v := reflect.ValueOf(*m)
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type.Kind() != reflect.String {
				continue
			}
			s := v.Field(i).String()
			if s == "" {
				t.Errorf("%s: %s is empty", lang, f.Name)
				continue
			}
			en := reflect.ValueOf(*pageMessages[LangEnglish]).Field(i).String()
			if got, want := verbs.FindAllString(s, -1), verbs.FindAllString(en, -1); !slices.Equal(got, want) {
				t.Errorf("%s: %s %q has verbs %v, English %v", lang, f.Name, s, got, want)
			}
		}
		for i, say := range m.ago {
			if got, want := verbs.FindAllString(say, -1), verbs.FindAllString(agoEnglish[i], -1); say == "" || !slices.Equal(got, want) {
				t.Errorf("%s: ago phrase %d %q is empty or has verbs %v, English %v", lang, i, say, got, want)
			}
		}
		for i, mo := range m.months {
			if mo == "" {
				t.Errorf("%s: month %d has no name", lang, i+1)
			}
		}
		for _, l := range storage.SearchLabels {
			if m.labels[l] == "" {
				t.Errorf("%s: search label %q has no name", lang, l)
			}
		}
		if len(m.labels) != len(storage.SearchLabels) {
			t.Errorf("%s: %d label names for %d search labels", lang, len(m.labels), len(storage.SearchLabels))
		}
		if m.Lang != lang || pageMessages[m.OtherLang] == nil || m.OtherLang == lang {
			t.Errorf("%s: Lang %q, OtherLang %q", lang, m.Lang, m.OtherLang)
		}
	}
}
