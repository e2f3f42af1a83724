package ack

import (
	"errors"
	"testing"
)

func TestGroup(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	tests := []struct {
		name    string
		settled []error
		want    error
	}{
		{"all rows confirmed", []error{nil, nil, nil}, nil},
		{"first error wins", []error{nil, errA, errB}, errA},
		{"an error on the last row", []error{nil, nil, errB}, errB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var got error
			g := NewGroup(len(tt.settled), func(err error) { calls++; got = err })
			for i, err := range tt.settled {
				g.Done(err)
				if i < len(tt.settled)-1 && calls != 0 {
					t.Fatalf("ack called after %d of %d rows", i+1, len(tt.settled))
				}
			}
			if calls != 1 || !errors.Is(got, tt.want) {
				t.Errorf("ack called %d times with %v; want once with %v", calls, got, tt.want)
			}
		})
	}
	if g := NewGroup(2, nil); g != nil {
		t.Errorf("group without an ack = %v, want nil", g)
	}
	Each([]*Group{nil, nil}, errA) // rows nobody waits for
}

func TestGroupAddKeepsItOpen(t *testing.T) {
	calls := 0
	g := NewGroup(1, func(error) { calls++ }) // the holder's own part
	g.Add(2)
	g.Done(nil)
	g.Done(nil)
	if calls != 0 {
		t.Fatal("group settled while its holder still held it")
	}
	g.Done(nil)
	if calls != 1 {
		t.Errorf("ack called %d times, want once", calls)
	}
}
