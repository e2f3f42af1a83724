package parallel

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// count yields 0, 1, 2, … up to n (without end when n < 0), and records how many it read.
func count(n int, read *atomic.Int64) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; n < 0 || i < n; i++ {
			read.Add(1)
			if !yield(i) {
				return
			}
		}
	}
}

// TestInOrderKeepsInputOrder works on inputs whose work takes uneven times: the results
// come out in input order, each once, and no more than workers calls of do run at once.
func TestInOrderKeepsInputOrder(t *testing.T) {
	for _, tc := range []struct {
		name          string
		inputs, limit int
	}{
		{"one worker", 200, 1},
		{"three workers", 500, 3},
		{"default workers", 500, 0},
		{"no inputs", 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			workers := tc.limit
			if workers == 0 {
				workers = runtime.GOMAXPROCS(0)
			}
			var read, running, most atomic.Int64
			var got []int
			err := InOrder(context.Background(), count(tc.inputs, &read), tc.limit, func(i int) int {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				if i%7 == 0 {
					time.Sleep(time.Millisecond) // later inputs finish first
				}
				running.Add(-1)
				return i * i
			}, func(sq int) error {
				got = append(got, sq)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]int, tc.inputs)
			for i := range want {
				want[i] = i * i
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %d results %v…, want the %d squares in order", len(got), got[:min(len(got), 10)], tc.inputs)
			}
			if most.Load() > int64(workers) {
				t.Errorf("%d calls of do ran at once, want at most %d", most.Load(), workers)
			}
		})
	}
}

// TestInOrderReadsABoundedWindowAhead emits slowly: the inputs are read no further than
// about 4×workers ahead of the last result emitted.
func TestInOrderReadsABoundedWindowAhead(t *testing.T) {
	const workers = 2
	var emitted, ahead atomic.Int64
	inputs := func(yield func(int) bool) {
		for i := 1; i <= 300; i++ {
			if a := int64(i) - emitted.Load(); a > ahead.Load() {
				ahead.Store(a)
			}
			if !yield(i) {
				return
			}
		}
	}
	err := InOrder(context.Background(), inputs, workers, func(i int) int { return i }, func(int) error {
		time.Sleep(100 * time.Microsecond)
		emitted.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if emitted.Load() != 300 {
		t.Errorf("emitted %d results, want 300", emitted.Load())
	}
	if limit := int64(4*workers + 2); ahead.Load() > limit {
		t.Errorf("read %d inputs ahead of the results emitted, want at most %d", ahead.Load(), limit)
	}
}

// TestInOrderStops ends an endless input by an error of emit and by cancelling the
// context: InOrder returns that error, emits nothing after an error, and what it emitted
// is the start of the input in order.
func TestInOrderStops(t *testing.T) {
	errFull := errors.New("output full")
	for _, tc := range []struct {
		name     string
		emitErr  bool
		want     error
		wantLeft func(emitted int) bool
	}{
		{"emit fails", true, errFull, func(n int) bool { return n == 10 }},
		{"context cancelled", false, context.Canceled, func(n int) bool { return n >= 10 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var read atomic.Int64
			var got []int
			err := InOrder(ctx, count(-1, &read), 3, func(i int) int { return i }, func(i int) error {
				got = append(got, i)
				if len(got) == 10 {
					if tc.emitErr {
						return errFull
					}
					cancel()
				}
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !tc.wantLeft(len(got)) || !slices.Equal(got, inputsUpTo(len(got))) {
				t.Errorf("emitted %v", got)
			}
			if read.Load() > 10+4*3+2+1 {
				t.Errorf("read %d inputs after stopping at the 10th", read.Load())
			}
		})
	}
}

func inputsUpTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func ExampleInOrder() {
	words := slices.Values([]string{"satu", "dua", "tiga"})
	_ = InOrder(context.Background(), words, 2, func(w string) int { return len(w) }, func(n int) error {
		fmt.Println(n)
		return nil
	})
	// Output:
	// 4
	// 3
	// 4
}
