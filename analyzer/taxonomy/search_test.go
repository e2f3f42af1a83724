package taxonomy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestQueryFind(t *testing.T) {
	const title = "Warga keluhkan jalan rusak di Padang"
	const body = "Jalan berlubang di Kecamatan Koto Tangah belum diperbaiki. Antrean e-KTP mengular. KTPnya belum jadi."
	var sentences []Span
	for start := 0; start < len(body); {
		end := strings.Index(body[start:], ". ")
		if end < 0 {
			end = len(body) - start
		}
		sentences = append(sentences, Span{start, min(start+end+1, len(body))})
		start += end + 2
	}
	tests := []struct {
		query string
		match bool
		hits  []string // the marked text, "t:" for the title
	}{
		{`"jalan rusak"`, true, []string{"t:jalan rusak"}},
		{`jalan AND berlubang`, true, []string{"t:jalan", "Jalan berlubang"}}, // adjacent hits are one
		{`title:berlubang`, false, nil},
		{`body:berlubang`, true, []string{"berlubang"}},
		{`pemilu OR antre*`, true, []string{"Antrean"}},
		{`antre* AND NOT pemilu`, true, []string{"Antrean"}},
		{`antre* AND NOT "e-KTP"`, false, nil},
		{`jalan NEAR/1 diperbaiki`, false, nil},
		{`berlubang NEAR/5 diperbaiki`, true, []string{"berlubang", "diperbaiki"}},
		// A phrase does not reach into the next sentence; NEAR does, within the field.
		{`"diperbaiki antrean"`, false, nil},
		{`diperbaiki NEAR/0 antrean`, true, []string{"diperbaiki", "Antrean"}},
		{`ktp`, true, []string{"KTP", "KTPnya"}},
		{`"koto tangah" OR (padang AND NOT jakarta)`, true, []string{"t:Padang", "Koto Tangah"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			q, err := ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			hits, ok := q.Find(title, body, sentences)
			if ok != tc.match {
				t.Fatalf("match %v, want %v", ok, tc.match)
			}
			var got []string
			for _, h := range hits {
				if h.Title {
					got = append(got, "t:"+title[h.Start:h.End])
				} else {
					got = append(got, body[h.Start:h.End])
				}
			}
			if !slices.Equal(got, tc.hits) {
				t.Errorf("hits %q, want %q", got, tc.hits)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{`jalan AND (rusak`, `query "jalan AND (rusak": column 17: expected ) to close ( at column 11`},
		{`jalan rusak`, `query "jalan rusak": column 7: expected AND, OR or NEAR/n before word "rusak"`},
		{`NOT pemilu`, `query "NOT pemilu": column 1: true for an article holding none of its terms`},
		{`"jalan`, `query "\"jalan": column 1: unterminated quoted phrase`},
		{`ab*`, `query "ab*": column 1: word "ab*": wildcard prefix "ab" is shorter than 3 letters`},
		{`jalan NEAR/500 rusak`, `query "jalan NEAR/500 rusak": column 7: NEAR needs a distance`},
		{`lokasi:padang`, `query "lokasi:padang": column 1: unknown field "lokasi"`},
		{``, `query "": column 1: empty query`},
		{strings.Repeat("a OR ", 70) + "a", `terms; at most 64 are allowed`},
		{strings.Repeat("a", MaxQueryBytes+1), `longer than 2000 bytes`},
	}
	for _, tc := range tests {
		t.Run(tc.query[:min(len(tc.query), 30)], func(t *testing.T) {
			_, err := ParseQuery(tc.query)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Errorf("error %v does not wrap a *QueryError", err)
			}
		})
	}
}

func TestQueryRequired(t *testing.T) {
	tests := []struct {
		query string
		want  [][]string
	}{
		{`"jalan rusak" AND pju`, [][]string{{"jalan"}, {"pju"}}},
		{`"e-KTP elektronik"`, [][]string{{"elektronik"}}},
		{`e-KTP OR (blangko AND kosong)`, [][]string{{"blangko", "ktp"}}},
		{`antre* NEAR/3 spbu`, [][]string{{"antre"}, {"spbu"}}},
		{`sampah AND NOT pemilu`, [][]string{{"sampah"}}},
		{`pemilu OR NOT (a AND b) AND sampah`, [][]string{{"pemilu", "sampah"}}},
		{`jalan OR (NOT rusak AND títik)`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			q, err := ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Required(); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("required %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzQueryFind(f *testing.F) {
	for _, s := range []string{`"jalan rusak" AND pju`, `a NEAR/3 (b OR c*)`, `title:(x OR y) AND NOT z`, `((`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := ParseQuery(src)
		if err != nil {
			return
		}
		text := strings.Repeat(src+" ", 3)
		hits, ok := q.Find(text, text, nil)
		for _, h := range hits {
			if !ok || h.Start < 0 || h.End > len(text) || h.Start >= h.End {
				t.Fatalf("hit %+v in %q", h, text)
			}
		}
	})
}
