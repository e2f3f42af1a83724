package convnet

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrBadNet reports a file that is not a Net written by WriteTo, or is damaged.
var ErrBadNet = errors.New("convnet: bad net file")

const magic = "PANTAU-CONV1"

type header struct {
	Bits         uint8
	Dim, Filters uint16
	Window       uint16
	ScaleE       float32
	B            [Classes]float32
}

// WriteTo writes n: a header, then gzipped the word embeddings as int16 steps and the other
// parameters as float32. The output is a pure function of n.
func (n *Net) WriteTo(out io.Writer) (int64, error) {
	var buf bytes.Buffer
	buf.WriteString(magic)
	if err := binary.Write(&buf, binary.LittleEndian, header{n.Bits, uint16(n.Dim), uint16(n.Filters), uint16(n.Window), n.scaleE, n.B}); err != nil {
		return 0, err
	}
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	q := make([]int16, len(n.E))
	for i, v := range n.E {
		q[i] = int16(math.Round(float64(v / n.scaleE)))
	}
	parts := []any{q, n.P}
	for wi := range widths {
		parts = append(parts, n.C[wi], n.CB[wi])
	}
	for _, p := range append(parts, n.W) {
		if err := binary.Write(zw, binary.LittleEndian, p); err != nil {
			return 0, err
		}
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.WriteTo(out)
}

// Read reads a Net written by WriteTo.
func Read(r io.Reader) (*Net, error) {
	br := bufio.NewReader(r)
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(br, m); err != nil || string(m) != magic {
		return nil, fmt.Errorf("%w: missing header", ErrBadNet)
	}
	var h header
	if err := binary.Read(br, binary.LittleEndian, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrBadNet, err)
	}
	if h.Bits < 8 || h.Bits > 24 || h.Dim < 1 || h.Dim > 256 || h.Filters < 1 || h.Filters > 256 {
		return nil, fmt.Errorf("%w: %d bits, %d dimensions, %d filters", ErrBadNet, h.Bits, h.Dim, h.Filters)
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadNet, err)
	}
	D, F := int(h.Dim), int(h.Filters)
	n := &Net{Bits: h.Bits, Dim: D, Filters: F, Window: int(h.Window), scaleE: h.ScaleE, B: h.B, P: make([]float32, D*posBuckets)}
	q := make([]int16, D<<h.Bits)
	parts := []any{q, n.P}
	for wi, w := range widths {
		n.C[wi], n.CB[wi] = make([]float32, F*w*D), make([]float32, F)
		parts = append(parts, n.C[wi], n.CB[wi])
	}
	n.W = make([]float32, Classes*n.outputs())
	for _, p := range append(parts, n.W) {
		if err := binary.Read(zr, binary.LittleEndian, p); err != nil {
			return nil, fmt.Errorf("%w: parameters: %v", ErrBadNet, err)
		}
	}
	if _, err := zr.Read(make([]byte, 1)); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrBadNet)
	}
	n.E = make([]float32, len(q))
	for i, v := range q {
		n.E[i] = float32(v) * n.scaleE
	}
	return n, nil
}
