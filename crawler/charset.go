package crawler

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
)

// toUTF8 decodes an HTML body to UTF-8. A BOM or a charset in the Content-Type header is
// trusted; a <meta charset> is trusted unless the body is already valid UTF-8 (pages that
// declare latin-1 but send UTF-8 are common). Undeclared bodies that are not valid UTF-8
// are read as windows-1252.
func toUTF8(body []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if enc == nil || isUTF8(enc, name) {
		return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	}
	if !certain && utf8.Valid(body) {
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
