package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The embedded backend inserts in ClickHouse's Native format: one block, column by
// column, each column named and typed. chDB reads it several times faster than
// JSONEachRow or RowBinary, and it needs no escaping: strings are length-prefixed bytes.
// The encoder writes each value in the exact binary form of its column's type, which it
// learns from DESCRIBE TABLE. A LowCardinality(T) column is sent as T, which ClickHouse
// converts in bulk, far faster than it builds the dictionary row by row. Since the block
// names each column's type, a table that changed since it was described gets converted
// values or a clear error, never misread bytes.
//
// The encoder covers the types Pantau's schema uses. A value or a column type it does not
// cover (a NULL for a non-Nullable column, NaN, an out-of-range integer, a Date, a map, a
// value of an unexpected Go type) is reported as errUseJSON, and the whole batch goes
// through JSONEachRow instead, whose conversions ClickHouse performs.

// errUseJSON reports a value or a column type the Native encoder does not cover.
var errUseJSON = errors.New("storage: value needs the JSON insert path")

// natKind is the binary layout of a column type.
type natKind uint8

const (
	natUnsupported natKind = iota
	natUInt8
	natUInt16
	natUInt32
	natUInt64
	natInt8
	natInt16
	natInt32
	natInt64
	natFloat32
	natFloat64
	natBool
	natString
	natDateTime // UInt32 Unix seconds, whatever the column's time zone
	natArray
	natNullable
)

// natType is a column type the Native encoder can write.
type natType struct {
	kind natKind
	elem *natType // natArray and natNullable: a scalar type
}

// parseNativeType maps a ClickHouse type name to its binary layout and to the type name the
// block declares: t without LowCardinality. It returns false for types the encoder does
// not cover; arrays and Nullable only of scalars.
func parseNativeType(t string) (natType, string, bool) {
	t = strings.TrimSpace(t)
	if inner, ok := unwrapType(t, "LowCardinality("); ok {
		return parseNativeType(inner)
	}
	for _, w := range []struct {
		prefix string
		kind   natKind
	}{{"Nullable(", natNullable}, {"Array(", natArray}} {
		if inner, ok := unwrapType(t, w.prefix); ok {
			el, name, ok := parseNativeType(inner)
			if !ok || el.kind == natArray || el.kind == natNullable {
				return natType{}, "", false
			}
			return natType{kind: w.kind, elem: &el}, w.prefix + name + ")", true
		}
	}
	if t == "DateTime" || (strings.HasPrefix(t, "DateTime('") && strings.HasSuffix(t, "')")) {
		return natType{kind: natDateTime}, t, true
	}
	k, ok := natScalars[t]
	return natType{kind: k}, t, ok
}

// natScalars are the scalar types the encoder writes, by name.
var natScalars = map[string]natKind{
	"UInt8": natUInt8, "UInt16": natUInt16, "UInt32": natUInt32, "UInt64": natUInt64,
	"Int8": natInt8, "Int16": natInt16, "Int32": natInt32, "Int64": natInt64,
	"Float32": natFloat32, "Float64": natFloat64, "Bool": natBool, "String": natString,
}

// unwrapType returns the argument of "Prefix(arg)".
func unwrapType(t, prefix string) (string, bool) {
	if strings.HasPrefix(t, prefix) && strings.HasSuffix(t, ")") {
		return t[len(prefix) : len(t)-1], true
	}
	return "", false
}

// natColumn is one column of an insert: its name, the type the block declares and the
// binary layout of that type.
type natColumn struct {
	name   string
	typ    string
	layout natType
}

// appendNativeBlock appends rows as one Native block of cols. On error buf holds a
// partial block.
func appendNativeBlock(buf []byte, cols []natColumn, rows [][]any) ([]byte, error) {
	buf = binary.AppendUvarint(buf, uint64(len(cols)))
	buf = binary.AppendUvarint(buf, uint64(len(rows)))
	var err error
	for j := range cols {
		c := &cols[j]
		buf = appendNativeString(buf, c.name)
		buf = appendNativeString(buf, c.typ)
		if buf, err = appendNativeColumn(buf, &c.layout, rows, j); err != nil {
			return buf, fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	return buf, nil
}

// appendNativeColumn appends column j of rows in the Native layout of t.
func appendNativeColumn(buf []byte, t *natType, rows [][]any, j int) ([]byte, error) {
	var err error
	switch t.kind {
	case natNullable:
		// The null map, then every value, a zero standing in for each NULL.
		for _, r := range rows {
			if r[j] == nil {
				buf = append(buf, 1)
			} else {
				buf = append(buf, 0)
			}
		}
		for _, r := range rows {
			v := r[j]
			if v == nil {
				buf = appendZero(buf, t.elem)
				continue
			}
			if buf, err = appendNativeValue(buf, t.elem, v); err != nil {
				return buf, err
			}
		}
		return buf, nil
	case natArray:
		// The cumulative end offset of every row's array, then all elements.
		var end uint64
		for _, r := range rows {
			switch x := r[j].(type) {
			case []string:
				if t.elem.kind != natString {
					return buf, errUseJSON
				}
				end += uint64(len(x))
			case []any:
				end += uint64(len(x))
			default:
				return buf, errUseJSON
			}
			buf = binary.LittleEndian.AppendUint64(buf, end)
		}
		for _, r := range rows {
			switch x := r[j].(type) {
			case []string:
				for _, s := range x {
					buf = appendNativeString(buf, s)
				}
			case []any:
				for _, e := range x {
					if buf, err = appendNativeValue(buf, t.elem, e); err != nil {
						return buf, err
					}
				}
			}
		}
		return buf, nil
	}
	for _, r := range rows {
		if buf, err = appendNativeValue(buf, t, r[j]); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// appendZero appends the zero value of the scalar type t.
func appendZero(buf []byte, t *natType) []byte {
	switch t.kind {
	case natString:
		return append(buf, 0)
	case natFloat32, natDateTime:
		return append(buf, 0, 0, 0, 0)
	case natFloat64:
		return append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
	case natBool:
		return append(buf, 0)
	}
	return appendLE(buf, 0, sizeOf[t.kind])
}

// appendNativeString appends s as a length-prefixed String.
func appendNativeString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// appendNativeValue appends v in the binary form of the scalar type t, or returns
// errUseJSON.
func appendNativeValue(buf []byte, t *natType, v any) ([]byte, error) {
	switch t.kind {
	case natString:
		switch x := v.(type) {
		case string:
			return appendNativeString(buf, x), nil
		case []byte:
			buf = binary.AppendUvarint(buf, uint64(len(x)))
			return append(buf, x...), nil
		}
	case natDateTime:
		var sec int64
		switch x := v.(type) {
		case time.Time:
			if !x.IsZero() { // the JSON path writes a zero time as 0 as well
				sec = x.Unix()
			}
		default:
			n, ok := signedOf(v)
			if !ok {
				return buf, errUseJSON
			}
			sec = n
		}
		if sec < 0 || sec > math.MaxUint32 {
			return buf, errUseJSON
		}
		return binary.LittleEndian.AppendUint32(buf, uint32(sec)), nil
	case natFloat32, natFloat64:
		f, ok := floatOf(v, t.kind == natFloat64)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			// The JSON path writes these as null, which becomes the column's default.
			return buf, errUseJSON
		}
		if t.kind == natFloat32 {
			return binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(f))), nil
		}
		return binary.LittleEndian.AppendUint64(buf, math.Float64bits(f)), nil
	case natBool:
		if b, ok := v.(bool); ok {
			if b {
				return append(buf, 1), nil
			}
			return append(buf, 0), nil
		}
	case natUInt8, natUInt16, natUInt32, natUInt64:
		n, ok := unsignedOf(v)
		if !ok || n > maxUnsigned[t.kind] {
			return buf, errUseJSON
		}
		return appendLE(buf, n, sizeOf[t.kind]), nil
	case natInt8, natInt16, natInt32, natInt64:
		n, ok := signedOf(v)
		bits := 8 * sizeOf[t.kind]
		if !ok || n < -1<<(bits-1) || (bits < 64 && n > 1<<(bits-1)-1) {
			return buf, errUseJSON
		}
		return appendLE(buf, uint64(n), sizeOf[t.kind]), nil
	}
	return buf, errUseJSON
}

var (
	sizeOf = [...]int{
		natUInt8: 1, natUInt16: 2, natUInt32: 4, natUInt64: 8,
		natInt8: 1, natInt16: 2, natInt32: 4, natInt64: 8, natArray: 0, natNullable: 0,
	}
	maxUnsigned = [...]uint64{
		natUInt8: math.MaxUint8, natUInt16: math.MaxUint16, natUInt32: math.MaxUint32, natUInt64: math.MaxUint64,
		natNullable: 0,
	}
)

// appendLE appends the low size bytes of n, little-endian.
func appendLE(buf []byte, n uint64, size int) []byte {
	for i := 0; i < size; i++ {
		buf = append(buf, byte(n>>(8*i)))
	}
	return buf
}

// unsignedOf returns a non-negative integer or a bool (as 0 or 1) as a uint64.
func unsignedOf(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint64:
		return x, true
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint:
		return uint64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	n, ok := signedOf(v)
	return uint64(n), ok && n >= 0
}

// signedOf returns an integer or a bool (as 0 or 1) as an int64; unsigned values above
// MaxInt64 are refused.
func signedOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		return int64(x), x <= math.MaxInt64
	case uint64:
		return int64(x), x <= math.MaxInt64
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// floatOf returns a number as a float64. A float32 bound for a Float64 column takes the
// value of its shortest decimal form, as the JSON path, which writes that form, stores it.
func floatOf(v any, wide bool) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		f := float64(x)
		if wide && f == f && !math.IsInf(f, 0) {
			var tmp [32]byte
			s := strconv.AppendFloat(tmp[:0], f, 'g', -1, 32)
			if g, err := strconv.ParseFloat(string(s), 64); err == nil {
				f = g
			}
		}
		return f, true
	}
	if n, ok := signedOf(v); ok {
		return float64(n), true
	}
	if n, ok := v.(uint64); ok {
		return float64(n), true
	}
	return 0, false
}

// insertBufs recycles insert buffers; buffers that grew past maxPooledBuf are dropped.
var insertBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBuf = 64 << 20
