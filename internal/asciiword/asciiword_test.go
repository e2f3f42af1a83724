package asciiword

import "testing"

func TestLower(t *testing.T) {
	for c := range 256 {
		var want byte
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			want = byte(c)
		case 'A' <= c && c <= 'Z':
			want = byte(c) | 0x20
		}
		if Lower[c] != want {
			t.Errorf("Lower[%#x] = %#x, want %#x", c, Lower[c], want)
		}
	}
}
