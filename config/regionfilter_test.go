package config

import (
	"strings"
	"testing"
)

func TestRegionFilter(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "sumbar", want: "sumbar"}, // a source region stays one
		{in: "national", want: "national"},
		{in: "Sumbar", want: "13"},
		{in: "Sumatera Barat", want: "13"},
		{in: "Kota Padang", want: "13.71"},
		{in: "Pemkot Padang", want: "13.71"},
		{in: "13.71", want: "13.71"},
		{in: "13", want: "13"},
		{in: "13.99", err: `region "13.99": no Indonesian province, regency or city has this code`},
		{in: "99", err: `region "99": no Indonesian province`},
		{in: "Bogor", err: `region "Bogor" is ambiguous`},
		{in: "Atlantis Barat", err: `region "Atlantis Barat" is not an Indonesian province, regency or city`},
		{in: "x' OR 1", err: `region "x' OR 1" is not an Indonesian province`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := RegionFilter(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("RegionFilter(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("RegionFilter(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
