package storage

import (
	"context"
	"fmt"
	"time"
)

// SourceHealth is what the fetches and articles tables say about one source over a window.
type SourceHealth struct {
	Source         string
	LastSuccess    time.Time // last fetch answered 2xx or 304; zero if none in the window
	LastError      time.Time // last failed fetch; zero if none in the window
	LastErrorClass string
	Fetches        uint64
	Errors         uint64
	Articles       uint64 // articles fetched in the window (originals and copies)
}

// SourcesHealth returns the health of every source that fetched or stored anything since
// since, by source name. The SQL runs on ClickHouse 18.16 and later.
func SourcesHealth(ctx context.Context, q Querier, since time.Time) (map[string]SourceHealth, error) {
	from := since.Unix()
	res, err := q.Query(ctx, fmt.Sprintf(`
SELECT source,
       maxIf(time, status_class IN ('2xx', '3xx') AND error_class = '') AS last_success,
       maxIf(time, error_class != '' OR status_class IN ('4xx', '5xx', 'error')) AS last_error,
       argMaxIf(error_class, time, error_class != '') AS last_error_class,
       count() AS fetches,
       countIf(error_class != '' OR status_class IN ('4xx', '5xx', 'error')) AS errors
FROM fetches
WHERE time >= toDateTime(%d)
GROUP BY source`, from))
	if err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	out := make(map[string]SourceHealth, len(res.Rows))
	for _, r := range res.Rows {
		h := SourceHealth{Source: asString(r[0]), LastSuccess: asTime(r[1]), LastError: asTime(r[2]),
			LastErrorClass: asString(r[3]), Fetches: asUint(r[4]), Errors: asUint(r[5])}
		out[h.Source] = h
	}
	res, err = q.Query(ctx, fmt.Sprintf(
		"SELECT source, count() FROM articles FINAL WHERE fetched_at >= toDateTime(%d) GROUP BY source", from))
	if err != nil {
		return nil, fmt.Errorf("source health: %w", err)
	}
	for _, r := range res.Rows {
		name := asString(r[0])
		h := out[name]
		h.Source, h.Articles = name, asUint(r[1])
		out[name] = h
	}
	return out, nil
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func asUint(v any) uint64 {
	switch x := v.(type) {
	case uint64:
		return x
	case int64:
		return uint64(max(x, 0))
	}
	return 0
}

// asTime returns a DateTime value; ClickHouse's zero DateTime (1970-01-01) becomes the zero time.
func asTime(v any) time.Time {
	t, _ := v.(time.Time)
	if t.Unix() <= 0 {
		return time.Time{}
	}
	return t
}
