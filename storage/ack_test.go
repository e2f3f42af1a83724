package storage

import (
	"errors"
	"testing"
)

func TestAckGroup(t *testing.T) {
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
			g := newAckGroup(len(tt.settled), func(err error) { calls++; got = err })
			for i, err := range tt.settled {
				g.settle(err)
				if i < len(tt.settled)-1 && calls != 0 {
					t.Fatalf("ack called after %d of %d rows", i+1, len(tt.settled))
				}
			}
			if calls != 1 || !errors.Is(got, tt.want) {
				t.Errorf("ack called %d times with %v; want once with %v", calls, got, tt.want)
			}
		})
	}
	if g := newAckGroup(2, nil); g != nil {
		t.Errorf("group without an ack = %v, want nil", g)
	}
	settle([]*ackGroup{nil, nil}, errA) // rows nobody waits for
}
