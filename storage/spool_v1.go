package storage

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/ClickHouse/ch-go/proto"
)

// The first spool format, written by earlier releases, held each row as tagged Go values:
//
//	magic "PNTSPL01"
//	body: table, column count, columns, row count, rows (one tagged value per column)
//	trailer: as in the current format
//
// Strings are a uvarint length and the bytes. It is read so that rows spooled before an
// upgrade are replayed after it; nothing writes it any more. Only the value types Pantau's
// rows held are read; a file holding another is set aside.

// spoolMagicV1 opens a spool file of the first format.
const spoolMagicV1 = "PNTSPL01"

// Value tags of the first format that Pantau's rows used.
const (
	tagString  byte = 1
	tagUint8   byte = 10
	tagUint16  byte = 11
	tagUint32  byte = 12
	tagUint64  byte = 13
	tagFloat32 byte = 14
	tagFloat64 byte = 15
	tagTime    byte = 16
	tagStrings byte = 17
)

// decodeSpoolV1 decodes the checked body of a first-format file into a block.
func decodeSpoolV1(body []byte) (*Block, error) {
	d := spoolDecoder{b: body}
	table, columns := d.header()
	n := d.count(len(columns))
	b := &Block{Table: table, Columns: make(proto.Input, len(columns))}
	for i := 0; i < n && d.err == nil; i++ {
		for j, name := range columns {
			d.appendValue(&b.Columns[j], name)
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail("%d bytes after the last row", len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	if n == 0 {
		b.Columns = nil
	}
	return b, nil
}

// header reads the table and columns.
func (d *spoolDecoder) header() (table string, columns []string) {
	table = d.string()
	columns = make([]string, d.count(1))
	for i := range columns {
		columns[i] = d.string()
	}
	if d.err == nil && (table == "" || len(columns) == 0) {
		d.fail("no table or no columns")
	}
	return table, columns
}

// appendValue reads one tagged value and appends it to col, which the first row's value
// types: a later row whose value has another type is corrupt.
func (d *spoolDecoder) appendValue(col *proto.InputColumn, name string) {
	tag := d.bytes(1)
	if tag == nil {
		return
	}
	if col.Data == nil {
		col.Name = name
		switch tag[0] {
		case tagString:
			col.Data = new(proto.ColStr)
		case tagUint8:
			col.Data = new(proto.ColUInt8)
		case tagUint16:
			col.Data = new(proto.ColUInt16)
		case tagUint32:
			col.Data = new(proto.ColUInt32)
		case tagUint64:
			col.Data = new(proto.ColUInt64)
		case tagFloat32:
			col.Data = new(proto.ColFloat32)
		case tagFloat64:
			col.Data = new(proto.ColFloat64)
		case tagTime:
			col.Data = new(proto.ColDateTime)
		case tagStrings:
			col.Data = proto.NewArray[string](new(proto.ColStr))
		default:
			d.fail("column %s: value tag %d is not one of Pantau's rows", name, tag[0])
			return
		}
	}
	ok := true
	switch c := col.Data.(type) {
	case *proto.ColStr:
		ok = tag[0] == tagString
		c.Append(d.string())
	case *proto.ColUInt8:
		ok = tag[0] == tagUint8
		if b := d.bytes(1); b != nil {
			c.Append(b[0])
		}
	case *proto.ColUInt16:
		ok = tag[0] == tagUint16
		c.Append(uint16(d.unsigned(16)))
	case *proto.ColUInt32:
		ok = tag[0] == tagUint32
		c.Append(uint32(d.unsigned(32)))
	case *proto.ColUInt64:
		ok = tag[0] == tagUint64
		c.Append(d.unsigned(64))
	case *proto.ColFloat32:
		ok = tag[0] == tagFloat32
		if b := d.bytes(4); b != nil {
			c.Append(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
	case *proto.ColFloat64:
		ok = tag[0] == tagFloat64
		if b := d.bytes(8); b != nil {
			c.Append(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	case *proto.ColDateTime:
		ok = tag[0] == tagTime
		var t time.Time
		if err := t.UnmarshalBinary(d.lenBytes()); err != nil {
			d.fail("column %s: time: %v", name, err)
		}
		c.Data = append(c.Data, dateTime(t))
	case *proto.ColArr[string]:
		ok = tag[0] == tagStrings
		v := make([]string, d.count(1))
		for i := range v {
			v[i] = d.string()
		}
		c.Append(v)
	}
	if !ok {
		d.fail("column %s: value tag %d after values of another type", name, tag[0])
	}
}

// unsigned reads a uvarint that must fit in bits.
func (d *spoolDecoder) unsigned(bits int) uint64 {
	v := d.uvarint()
	if bits < 64 && v >= 1<<bits {
		d.fail("%d out of range of uint%d", v, bits)
	}
	return v
}
