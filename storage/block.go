package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/ch-go/proto"
)

// Rows have one shape on the wire. A table's row is a typed struct (a Record); rows of one
// table become a Block: typed columns of github.com/ClickHouse/ch-go/proto. The embedded
// backend streams a block to chDB in ClickHouse's Native format, the server backend appends
// its columns to a clickhouse-go batch, and a spool file holds it in the Native format, so
// what is spooled is what is inserted. A column is declared with its plain type (String for
// a LowCardinality(String) column, DateTime for DateTime('UTC')): ClickHouse converts in bulk
// on insert, and the same block fits ClickHouse 18.16, which lacks LowCardinality, and chDB.

// Record is a typed row of one table.
type Record interface {
	// Table names the table the row belongs to.
	Table() string
	// schema returns the table's columns; the same value for every row of a table.
	schema() *schema
	// appendTo appends the row's values to the columns of a block of its schema.
	appendTo(r *row)
}

// Block is rows of one table as typed columns: the form in which rows are inserted and
// spooled.
type Block struct {
	Table   string
	Columns proto.Input
}

// Rows returns the number of rows in b.
func (b *Block) Rows() int {
	if len(b.Columns) == 0 {
		return 0
	}
	return b.Columns[0].Data.Rows()
}

// names returns the names of b's columns.
func (b *Block) names() []string {
	out := make([]string, len(b.Columns))
	for i, c := range b.Columns {
		out[i] = c.Name
	}
	return out
}

// appendNative appends b to buf in ClickHouse's Native format, as INSERT ... FORMAT Native
// reads it.
func (b *Block) appendNative(buf *proto.Buffer) error {
	n, size := b.Rows(), 16
	for _, c := range b.Columns {
		size += len(c.Name) + len(c.Data.Type()) + 2 + sizeHint(c.Data, n)
	}
	buf.Buf = slices.Grow(buf.Buf, size)
	return proto.Block{Columns: len(b.Columns), Rows: n}.EncodeRawBlock(buf, 0, b.Columns)
}

// sizeHint returns at least the encoded size of n rows of c.
func sizeHint(c proto.ColInput, n int) int {
	switch c := c.(type) {
	case *proto.ColStr:
		return len(c.Buf) + binary.MaxVarintLen32*n
	case *proto.ColArr[string]:
		return 8*n + sizeHint(c.Data, c.Data.Rows())
	}
	return 8 * n
}

// decodeNative reads data, one Native block, as a block of table.
func decodeNative(table string, data []byte) (b *Block, err error) {
	defer func() {
		if r := recover(); r != nil { // ch-go trusts the lengths it reads
			b, err = nil, fmt.Errorf("native block: %v", r)
		}
	}()
	rd := bytes.NewReader(data)
	var res proto.Results
	var blk proto.Block
	if err := blk.DecodeRawBlock(proto.NewReader(rd), 0, res.Auto()); err != nil {
		return nil, fmt.Errorf("native block: %w", err)
	}
	if rd.Len() > 0 {
		return nil, fmt.Errorf("native block: %d bytes after the block", rd.Len())
	}
	b = &Block{Table: table, Columns: make(proto.Input, len(res))}
	for i, c := range res {
		col, ok := c.Data.(proto.ColInput)
		if !ok {
			return nil, fmt.Errorf("native block: column %s of type %s cannot be inserted", c.Name, c.Data.Type())
		}
		b.Columns[i] = proto.InputColumn{Name: c.Name, Data: col}
	}
	return b, nil
}

// schema is the columns of a table's rows: their names and the types a block declares.
type schema struct {
	table string
	names []string
	types []proto.ColumnType
}

// newSchema returns the schema of table from its columns, each "name Type".
func newSchema(table string, columns ...string) *schema {
	s := &schema{table: table}
	for _, c := range columns {
		name, typ, _ := strings.Cut(c, " ")
		s.names = append(s.names, name)
		s.types = append(s.types, proto.ColumnType(typ))
	}
	return s
}

// block returns an empty block with room for n rows.
func (s *schema) block(n int) *Block {
	b := &Block{Table: s.table, Columns: make(proto.Input, len(s.names))}
	for i, t := range s.types {
		var c proto.ColAuto
		if err := c.Infer(t); err != nil {
			panic(fmt.Sprintf("storage: column %s.%s: %v", s.table, s.names[i], err)) // a schema in this package is wrong
		}
		reserve(c.Data, n)
		b.Columns[i] = proto.InputColumn{Name: s.names[i], Data: c.Data}
	}
	return b
}

// reserve makes room for n rows in c, so that appending them copies no column more than
// twice.
func reserve(c proto.Column, n int) {
	switch c := c.(type) {
	case *proto.ColStr:
		c.Pos = make([]proto.Position, 0, n)
		c.Buf = make([]byte, 0, 16*n)
	case *proto.ColArr[string]:
		c.Offsets = make(proto.ColUInt64, 0, n)
		reserve(c.Data, 2*n)
	case *proto.ColUInt8:
		*c = make(proto.ColUInt8, 0, n)
	case *proto.ColUInt16:
		*c = make(proto.ColUInt16, 0, n)
	case *proto.ColUInt32:
		*c = make(proto.ColUInt32, 0, n)
	case *proto.ColUInt64:
		*c = make(proto.ColUInt64, 0, n)
	case *proto.ColFloat32:
		*c = make(proto.ColFloat32, 0, n)
	case *proto.ColFloat64:
		*c = make(proto.ColFloat64, 0, n)
	case *proto.ColDateTime:
		c.Data = make([]proto.DateTime, 0, n)
	}
}

// blockOf returns recs, rows of one table, as a block.
func blockOf[R Record](recs []R) (*Block, error) {
	if len(recs) == 0 {
		return nil, errors.New("no rows")
	}
	sc := recs[0].schema()
	b := sc.block(len(recs))
	r := row{cols: b.Columns}
	for i, rec := range recs {
		if rec.schema() != sc {
			return nil, fmt.Errorf("row %d is a row of %s with other columns than row 0", i, rec.Table())
		}
		r.i = 0
		rec.appendTo(&r)
	}
	return b, nil
}

// InsertRows inserts recs, rows of one table, through ins as one block.
func InsertRows[R Record](ctx context.Context, ins Inserter, recs ...R) error {
	if len(recs) == 0 {
		return nil
	}
	b, err := blockOf(recs)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", recs[0].Table(), err)
	}
	return ins.Insert(ctx, b)
}

// row appends one row's values to a block's columns, in the order of its schema.
type row struct {
	cols proto.Input
	i    int
}

func (r *row) next() proto.ColInput {
	c := r.cols[r.i].Data
	r.i++
	return c
}

func (r *row) str(v string)  { appendStr(r.next().(*proto.ColStr), v) }
func (r *row) u16(v uint16)  { r.next().(*proto.ColUInt16).Append(v) }
func (r *row) u32(v uint32)  { r.next().(*proto.ColUInt32).Append(v) }
func (r *row) u64(v uint64)  { r.next().(*proto.ColUInt64).Append(v) }
func (r *row) f32(v float32) { r.next().(*proto.ColFloat32).Append(v) }
func (r *row) f64(v float64) { r.next().(*proto.ColFloat64).Append(v) }
func (r *row) time(v time.Time) {
	c := r.next().(*proto.ColDateTime)
	c.Data = append(c.Data, dateTime(v))
}
func (r *row) flag(v bool) {
	var b uint8
	if v {
		b = 1
	}
	r.next().(*proto.ColUInt8).Append(b)
}

func (r *row) strs(v []string) {
	c := r.next().(*proto.ColArr[string])
	s := c.Data.(*proto.ColStr)
	for _, x := range v {
		appendStr(s, x)
	}
	c.Offsets = append(c.Offsets, uint64(s.Rows()))
}

// appendStr appends v to c, doubling c's bytes when they are full: append alone grows a
// large slice by a quarter, copying it over and over.
func appendStr(c *proto.ColStr, v string) {
	if n := len(c.Buf) + len(v); n > cap(c.Buf) {
		c.Buf = slices.Grow(c.Buf, max(n, 2*cap(c.Buf))-len(c.Buf))
	}
	c.Append(v)
}

// dateTime returns t as a DateTime: Unix seconds, the epoch for a zero time or one before it
// (DateTime cannot hold them), and the largest DateTime for one after it.
func dateTime(t time.Time) proto.DateTime {
	if t.IsZero() {
		return 0
	}
	return proto.DateTime(min(max(t.Unix(), 0), math.MaxUint32))
}
