package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// knownURLsChunk bounds the IN list of one KnownURLs query.
const knownURLsChunk = 5000

// KnownURLs reports which of hashes (url_hash values, see URLHash) are stored in articles.
// The map holds true for each stored hash and nothing for the others.
func KnownURLs(ctx context.Context, q Querier, hashes []uint64) (map[uint64]bool, error) {
	known := make(map[uint64]bool)
	for start := 0; start < len(hashes); start += knownURLsChunk {
		chunk := hashes[start:min(start+knownURLsChunk, len(hashes))]
		var b strings.Builder
		b.WriteString("SELECT DISTINCT url_hash FROM articles WHERE url_hash IN (")
		for i, h := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatUint(h, 10))
		}
		b.WriteString(")")
		res, err := q.Query(ctx, b.String())
		if err != nil {
			return nil, fmt.Errorf("known urls: %w", err)
		}
		for _, r := range res.Rows {
			if h, ok := r[0].(uint64); ok {
				known[h] = true
			}
		}
	}
	return known, nil
}

var sourceStateRowSchema = newSchema(SourceStateTable,
	append(slices.Clip(sourceStateColumns), "feeds String", "mean_gap_ms UInt64", "last_item DateTime")...)

// SourceStateRowColumns are the columns a SourceStateRow fills: SourceStateColumns, the
// feeds column of migration 0002 and the rate columns of migration 0010.
var SourceStateRowColumns = sourceStateRowSchema.names

// SourceStateRow is one row of source_state: a source's state and the feeds its portal
// pages advertised.
type SourceStateRow struct {
	SourceState
	// Feeds holds a portal's discovered feeds and their validators in the crawler's
	// encoding; empty for none, and in rows written before migration 0002.
	Feeds string
	// MeanGap (stored in whole milliseconds) is the weighted mean time between the
	// source's new items and LastItem the arrival of the newest one seen; zero (unknown)
	// in rows written before migration 0010.
	MeanGap  time.Duration
	LastItem time.Time
}

func (SourceStateRow) schema() *schema { return sourceStateRowSchema }

func (s SourceStateRow) appendTo(r *row) {
	s.SourceState.appendTo(r)
	r.str(s.Feeds)
	r.u64(uint64(max(s.MeanGap, 0) / time.Millisecond))
	r.time(s.LastItem)
}

// LoadSourceStates returns the newest stored state of every source, by source name.
func LoadSourceStates(ctx context.Context, q Querier) (map[string]SourceStateRow, error) {
	res, err := q.Query(ctx, "SELECT "+strings.Join(SourceStateRowColumns, ", ")+" FROM source_state FINAL")
	if err != nil {
		return nil, fmt.Errorf("load source states: %w", err)
	}
	out := make(map[string]SourceStateRow, len(res.Rows))
	for i, r := range res.Rows {
		s, err := scanSourceState(r)
		if err != nil {
			return nil, fmt.Errorf("load source states: row %d: %w", i, err)
		}
		out[s.Source] = s
	}
	return out, nil
}

// SaveSourceStates stores states; each replaces the source's earlier state once its
// UpdatedAt is newer.
func SaveSourceStates(ctx context.Context, ins Inserter, states []SourceStateRow) error {
	if err := InsertRows(ctx, ins, states...); err != nil {
		return fmt.Errorf("save source states: %w", err)
	}
	return nil
}

// scanSourceState converts a Result row in SourceStateRowColumns order.
func scanSourceState(r []any) (SourceStateRow, error) {
	if len(r) != len(SourceStateRowColumns) {
		return SourceStateRow{}, fmt.Errorf("%d values for %d columns", len(r), len(SourceStateRowColumns))
	}
	var s SourceStateRow
	var err error
	str := func(i int) string {
		v, ok := r[i].(string)
		if !ok && err == nil {
			err = fmt.Errorf("column %s: want string, got %T", SourceStateRowColumns[i], r[i])
		}
		return v
	}
	num := func(i int) uint64 {
		v, ok := r[i].(uint64)
		if !ok && err == nil {
			err = fmt.Errorf("column %s: want uint64, got %T", SourceStateRowColumns[i], r[i])
		}
		return v
	}
	tm := func(i int) time.Time {
		v, ok := r[i].(time.Time)
		if !ok && err == nil {
			err = fmt.Errorf("column %s: want time, got %T", SourceStateRowColumns[i], r[i])
		}
		if v.Equal(epoch) {
			return time.Time{}
		}
		return v
	}
	s.Source = str(0)
	s.ETag = str(1)
	s.LastModified = str(2)
	s.NextPoll = tm(3)
	s.Interval = time.Duration(num(4)) * time.Second
	s.Failures = uint32(num(5))
	s.LastSuccess = tm(6)
	s.LastErrorAt = tm(7)
	s.LastError = str(8)
	s.Dead = num(9) != 0
	s.UpdatedAt = tm(10)
	s.Feeds = str(11)
	s.MeanGap = time.Duration(num(12)) * time.Millisecond
	s.LastItem = tm(13)
	return s, err
}
