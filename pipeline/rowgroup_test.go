package pipeline

import (
	"errors"
	"testing"
)

func TestRowGroup(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	tests := []struct {
		name   string
		events func(g *rowGroup, stored *int)
		want   error
		stored int
	}{
		{"all rows confirmed", func(g *rowGroup, stored *int) {
			for range 3 {
				g.row(func() { *stored++ })(nil)
			}
		}, nil, 3},
		{"first error wins", func(g *rowGroup, stored *int) {
			g.row(func() { *stored++ })(nil)
			g.row(func() { *stored++ })(errA)
			g.row(func() { *stored++ })(errB)
		}, errA, 1},
		{"rows never handed over", func(g *rowGroup, stored *int) {
			g.row(func() { *stored++ })(nil)
			g.fail(2, errB)
		}, errB, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, stored := 0, 0
			var got error
			g := newRowGroup(3, func(err error) { calls++; got = err })
			tt.events(g, &stored)
			if calls != 1 || !errors.Is(got, tt.want) || stored != tt.stored {
				t.Errorf("done called %d times with %v, %d stored; want once with %v, %d stored", calls, got, stored, tt.want, tt.stored)
			}
		})
	}
}
