package storage

import "time"

// SetRefuseBackoff sets the backoff of refused spool files for a test and returns the
// function that restores it.
func SetRefuseBackoff(lo, hi time.Duration) (restore func()) {
	oldLo, oldHi := refuseBackoffMin, refuseBackoffMax
	refuseBackoffMin, refuseBackoffMax = lo, hi
	return func() { refuseBackoffMin, refuseBackoffMax = oldLo, oldHi }
}
