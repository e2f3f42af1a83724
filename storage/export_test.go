package storage

import (
	"time"

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
