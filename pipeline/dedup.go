package pipeline

import (
	"math/bits"
	"sync"
)

// NearDupDistance is the largest Hamming distance between two 64-bit SimHashes of article
// bodies that still counts as the same story (a syndicated copy with a different lead,
// byline or footer).
const NearDupDistance = 3

// nearDupIndex finds the first-seen article whose SimHash is within NearDupDistance of a
// new one. It splits each hash into four 16-bit bands: two hashes within distance 3 share
// at least one band exactly, so a lookup only compares the candidates in four buckets.
// The index keeps at most capacity hashes, forgetting the oldest first.
type nearDupIndex struct {
	mu       sync.Mutex
	capacity int
	bands    [4]map[uint16][]int32 // band value -> positions in ring
	ring     []dupEntry
	next     int // ring position of the next insert
	full     bool
}

type dupEntry struct {
	simhash, urlHash uint64
}

func newNearDupIndex(capacity int) *nearDupIndex {
	ix := &nearDupIndex{capacity: capacity, ring: make([]dupEntry, capacity)}
	for i := range ix.bands {
		ix.bands[i] = make(map[uint16][]int32)
	}
	return ix
}

// Match returns the url hash of an earlier article within NearDupDistance of simhash, or
// 0. When there is none it remembers (simhash, urlHash) as an original. A zero simhash
// (no body text) never matches.
func (ix *nearDupIndex) Match(simhash, urlHash uint64) uint64 {
	if simhash == 0 {
		return 0
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for b := range ix.bands {
		for _, pos := range ix.bands[b][band(simhash, b)] {
			e := ix.ring[pos]
			if e.urlHash == urlHash {
				return 0 // the same article seen again is not its own duplicate
			}
			if bits.OnesCount64(e.simhash^simhash) <= NearDupDistance {
				return e.urlHash
			}
		}
	}
	ix.add(simhash, urlHash)
	return 0
}

func (ix *nearDupIndex) add(simhash, urlHash uint64) {
	pos := ix.next
	if ix.full {
		old := ix.ring[pos]
		for b := range ix.bands {
			ix.remove(b, band(old.simhash, b), int32(pos))
		}
	}
	ix.ring[pos] = dupEntry{simhash: simhash, urlHash: urlHash}
	for b := range ix.bands {
		k := band(simhash, b)
		ix.bands[b][k] = append(ix.bands[b][k], int32(pos))
	}
	ix.next++
	if ix.next == ix.capacity {
		ix.next, ix.full = 0, true
	}
}

func (ix *nearDupIndex) remove(b int, key uint16, pos int32) {
	list := ix.bands[b][key]
	for i, p := range list {
		if p == pos {
			list[i] = list[len(list)-1]
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(ix.bands[b], key)
	} else {
		ix.bands[b][key] = list
	}
}

func band(h uint64, b int) uint16 { return uint16(h >> (16 * b)) }
