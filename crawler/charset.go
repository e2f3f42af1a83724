package crawler

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// toUTF8 decodes an HTML body to UTF-8. A BOM is trusted. A declared charset (the
// Content-Type header or a <meta charset>) is trusted unless the bytes contradict it, since
// servers and pages that lie about their charset are common: a body that is valid UTF-8 with
// multi-byte sequences in it is UTF-8 whatever an 8-bit declaration says (latin-1 text is
// practically never valid UTF-8 that way), and a body declared UTF-8 that holds no UTF-8
// sequence at all but invalid bytes is windows-1252. A mostly-UTF-8 body with a few bad bytes
// keeps UTF-8, each bad byte replaced by U+FFFD. Undeclared bodies that are not valid UTF-8
// are read as windows-1252.
func toUTF8(body []byte, contentType string) []byte {
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return bytes.ToValidUTF8(body[3:], []byte("\uFFFD"))
	}
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if enc == nil || isUTF8(enc, name) {
		switch {
		case utf8.Valid(body):
			return body
		case hasUTF8Sequence(body):
			return bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
		enc = charmap.Windows1252
	} else if utf8.Valid(body) && (!certain || hasUTF8Sequence(body)) {
		return body
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return out
}

func isUTF8(enc encoding.Encoding, name string) bool {
	return enc == unicode.UTF8 || strings.EqualFold(name, "utf-8")
}

// charsetReader lets encoding/xml read documents declared in other encodings.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, input)
}

// xmlEncodingDecl finds the encoding in an XML declaration.
var xmlEncodingDecl = regexp.MustCompile(`^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)(["'])`)

// repairCharset turns a feed body that is neither UTF-16 with a byte-order mark nor declared in
// an 8-bit charset into valid UTF-8 declared as such, and reports whether it changed anything.
// Bytes that are mostly UTF-8 keep it, with each invalid byte replaced by U+FFFD; bytes with no
// UTF-8 sequence at all are read as windows-1252 (a feed declaring UTF-16 over latin-1 bytes).
func repairCharset(body []byte) ([]byte, bool) {
	if bytes.HasPrefix(body, []byte{0xfe, 0xff}) || bytes.HasPrefix(body, []byte{0xff, 0xfe}) {
		return nil, false
	}
	declared := ""
	if m := xmlEncodingDecl.FindSubmatch(body); m != nil {
		declared = strings.ToLower(string(m[2]))
	}
	eightBit := declared != "" && !strings.HasPrefix(declared, "utf")
	if eightBit || (utf8.Valid(body) && !strings.HasPrefix(declared, "utf-16") && declared != "utf16") {
		return nil, false
	}
	var out []byte
	if hasUTF8Sequence(body) {
		out = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	} else {
		dec, err := charmap.Windows1252.NewDecoder().Bytes(body)
		if err != nil {
			return nil, false
		}
		out = dec
	}
	if declared != "" {
		out = xmlEncodingDecl.ReplaceAll(out, []byte("${1}UTF-8${3}"))
	}
	return out, true
}

// hasUTF8Sequence reports whether b holds at least one valid multi-byte UTF-8 sequence.
func hasUTF8Sequence(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if n > 1 && r != utf8.RuneError {
			return true
		}
		b = b[n:]
	}
	return false
}
