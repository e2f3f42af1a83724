package storage

import (
	"cmp"
	"log/slog"
	"testing"
	"time"

	"github.com/pantau-id/pantau/config"

	"github.com/ClickHouse/ch-go/proto"
)

// SetRefuseBackoff sets the backoff of refused spool files for a test and returns the
// function that restores it.
func SetRefuseBackoff(lo, hi time.Duration) (restore func()) {
	oldLo, oldHi := refuseBackoffMin, refuseBackoffMax
	refuseBackoffMin, refuseBackoffMax = lo, hi
	return func() { refuseBackoffMin, refuseBackoffMax = oldLo, oldHi }
}

// BlockOf returns recs as a block.
func BlockOf[R Record](recs ...R) *Block {
	b, err := blockOf(recs)
	if err != nil {
		panic(err)
	}
	return b
}

// NativeBytes returns b in the Native format.
func NativeBytes(b *Block) []byte {
	var buf proto.Buffer
	if err := b.appendNative(&buf); err != nil {
		panic(err)
	}
	return buf.Buf
}

// NewTestWriter returns NewWriter(ins, o) or fails tb. The fields o leaves at zero take
// WriterOptionsFrom's values for the default configuration, without a spool and
// discarding logs; MaxBuffered takes config.WriterBufferBatches batches of o's BatchSize.
func NewTestWriter(tb testing.TB, ins Inserter, o WriterOptions) *Writer {
	tb.Helper()
	def := WriterOptionsFrom(config.Default().Storage, slog.New(slog.DiscardHandler))
	o.BatchSize = cmp.Or(o.BatchSize, def.BatchSize)
	o.FlushInterval = cmp.Or(o.FlushInterval, def.FlushInterval)
	o.MaxBuffered = cmp.Or(o.MaxBuffered, config.WriterBufferBatches*o.BatchSize)
	o.FlushTimeout = cmp.Or(o.FlushTimeout, def.FlushTimeout)
	o.SpoolMaxBytes = cmp.Or(o.SpoolMaxBytes, def.SpoolMaxBytes)
	o.Logger = cmp.Or(o.Logger, def.Logger)
	w, err := NewWriter(ins, o)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}
