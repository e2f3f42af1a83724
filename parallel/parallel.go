// Package parallel runs a function over a sequence of inputs on several goroutines and
// hands the results on in input order, as `pantau analyze` and `pantau extract` answer
// one line per input in the order of their input.
package parallel

import (
	"context"
	"iter"
	"runtime"
	"sync"
)

// InOrder calls do on every input on up to workers goroutines (0 or less: GOMAXPROCS)
// and hands the results to emit in input order, from the calling goroutine. inputs is
// read on another goroutine, only as far as at most 4×workers results wait to be emitted.
// InOrder stops at the first error of emit and returns it; when ctx is done it stops
// reading inputs, emits the results of those already read and returns ctx.Err().
func InOrder[In, Out any](ctx context.Context, inputs iter.Seq[In], workers int, do func(In) Out, emit func(Out) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pending := make(chan chan Out, 4*workers) // the results to come, in input order
	busy := make(chan struct{}, workers)      // calls of do running
	var wg sync.WaitGroup
	var cut error // why reading stopped early; set before pending is closed
	wg.Go(func() {
		defer close(pending)
		for in := range inputs {
			if cut = ctx.Err(); cut != nil {
				return
			}
			out := make(chan Out, 1) // buffered: do never waits for emit
			pending <- out           // the loop below receives until pending is closed
			busy <- struct{}{}
			wg.Go(func() {
				out <- do(in)
				<-busy
			})
		}
	})
	var err error
	for out := range pending {
		if res := <-out; err == nil {
			if err = emit(res); err != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if err == nil {
		err = cut
	}
	return err
}
