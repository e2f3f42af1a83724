package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

var timeType = reflect.TypeOf(time.Time{})

// normalize converts a value scanned by clickhouse-go to the forms Result documents.
func normalize(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Type() == timeType {
		return v.Interface().(time.Time).UTC()
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32:
		return float32(v.Float())
	case reflect.Float64:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return []any{}
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out[fmt.Sprint(normalize(iter.Key()))] = normalize(iter.Value())
		}
		return out
	}
	if s, ok := v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(v.Interface())
}

// decodeCompactResult parses chDB's JSONCompactEachRowWithNamesAndTypes output, produced
// with date_time_output_format=unix_timestamp.
func decodeCompactResult(out []byte) (*Result, error) {
	res := &Result{}
	if len(bytes.TrimSpace(out)) == 0 {
		return res, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), len(out)+1)
	var names, types []string
	var kinds []chType
	line := 0
	for sc.Scan() {
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		line++
		switch line {
		case 1:
			if err := json.Unmarshal(b, &names); err != nil {
				return nil, fmt.Errorf("decode result names: %w", err)
			}
			continue
		case 2:
			if err := json.Unmarshal(b, &types); err != nil {
				return nil, fmt.Errorf("decode result types: %w", err)
			}
			if len(types) != len(names) {
				return nil, errors.New("decode result: names and types differ in length")
			}
			res.Columns = make([]Column, len(names))
			kinds = make([]chType, len(names))
			for i := range names {
				res.Columns[i] = Column{Name: names[i], Type: types[i]}
				kinds[i] = parseType(types[i])
			}
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var raw []any
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("decode result row %d: %w", line-2, err)
		}
		if len(raw) != len(kinds) {
			return nil, fmt.Errorf("decode result row %d: %d values for %d columns", line-2, len(raw), len(kinds))
		}
		row := make([]any, len(raw))
		for i, v := range raw {
			x, err := kinds[i].convert(v)
			if err != nil {
				return nil, fmt.Errorf("decode result row %d column %s: %w", line-2, names[i], err)
			}
			row[i] = x
		}
		res.Rows = append(res.Rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("decode result: %w", err)
	}
	if line == 1 {
		return nil, errors.New("decode result: types line missing")
	}
	return res, nil
}

// chType is the part of a ClickHouse type that decides how a JSON value is converted.
type chType struct {
	base string   // Int, UInt, Float32, Float64, Bool, Date, DateTime, Array, Tuple, String, Other
	elem []chType // Array: one; Tuple: one per element
}

// parseType reduces a ClickHouse type name to a chType.
func parseType(t string) chType {
	t = strings.TrimSpace(t)
	for _, wrap := range []string{"Nullable(", "LowCardinality(", "SimpleAggregateFunction("} {
		if strings.HasPrefix(t, wrap) && strings.HasSuffix(t, ")") {
			inner := t[len(wrap) : len(t)-1]
			if wrap == "SimpleAggregateFunction(" {
				args := splitTypeArgs(inner)
				if len(args) < 2 {
					return chType{base: "Other"}
				}
				inner = args[1]
			}
			return parseType(inner)
		}
	}
	switch {
	case strings.HasPrefix(t, "Array(") && strings.HasSuffix(t, ")"):
		return chType{base: "Array", elem: []chType{parseType(t[6 : len(t)-1])}}
	case strings.HasPrefix(t, "Tuple(") && strings.HasSuffix(t, ")"):
		var el []chType
		for _, a := range splitTypeArgs(t[6 : len(t)-1]) {
			// Named tuple elements are written "name Type".
			if i := strings.IndexByte(a, ' '); i > 0 && !strings.ContainsAny(a[:i], "(") {
				a = a[i+1:]
			}
			el = append(el, parseType(a))
		}
		return chType{base: "Tuple", elem: el}
	case strings.HasPrefix(t, "UInt"):
		return chType{base: "UInt"}
	case strings.HasPrefix(t, "Int"):
		return chType{base: "Int"}
	case t == "Float32", t == "BFloat16":
		return chType{base: "Float32"}
	case t == "Float64":
		return chType{base: "Float64"}
	case t == "Bool":
		return chType{base: "Bool"}
	case t == "Date", t == "Date32":
		return chType{base: "Date"}
	case strings.HasPrefix(t, "DateTime"):
		return chType{base: "DateTime"}
	}
	return chType{base: "Other"}
}

// splitTypeArgs splits "A, B(C, D), E" at top-level commas.
func splitTypeArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// convert turns a decoded JSON value into the Result form of the type.
func (t chType) convert(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t.base {
	case "Int":
		s := jsonText(v)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			// Int128 and wider do not fit: keep the text.
			return s, nil //nolint:nilerr // wide integers stay textual
		}
		return n, nil
	case "UInt":
		s := jsonText(v)
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return s, nil //nolint:nilerr // wide integers stay textual
		}
		return n, nil
	case "Float32", "Float64":
		s := jsonText(v)
		f, err := parseCHFloat(s)
		if err != nil {
			return nil, err
		}
		if t.base == "Float32" {
			return float32(f), nil
		}
		return f, nil
	case "Bool":
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want bool, got %T", v)
		}
		return b, nil
	case "Date":
		tm, err := time.ParseInLocation("2006-01-02", jsonText(v), time.UTC)
		if err != nil {
			return nil, err
		}
		return tm, nil
	case "DateTime":
		return parseUnixTime(jsonText(v))
	case "Array", "Tuple":
		arr, ok := v.([]any)
		if !ok {
			return jsonText(v), nil
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			et := chType{base: "Other"}
			switch {
			case t.base == "Array":
				et = t.elem[0]
			case i < len(t.elem):
				et = t.elem[i]
			}
			x, err := et.convert(e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return jsonText(v), nil
}

// jsonText returns a decoded JSON scalar as text; composite values are re-encoded.
func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// parseCHFloat parses a float as ClickHouse writes it, including nan and inf.
func parseCHFloat(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "nan", "-nan":
		return math.NaN(), nil
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

// parseUnixTime parses "1700000000" or "1700000000.123" as a UTC time.
func parseUnixTime(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse unix time %q: %w", s, err)
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		f, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("parse unix time %q: %w", s, err)
		}
		nsec = f
		if n < 0 || strings.HasPrefix(sec, "-") {
			nsec = -nsec
		}
	}
	return time.Unix(n, nsec).UTC(), nil
}
