package sentiment

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Weights are the trained parameters of one language's linear model.
type Weights struct {
	Lang      string  // "id" or "en"
	Bits      uint8   // the hashed feature space has 1<<Bits buckets
	Valences  bool    // the model reads lexicon valence features (English)
	LexWeight float32 // logit per unit of news-event lexicon score, added at judgement time
	// W holds the weight of bucket i for class c at W[i*3+c]; B the class biases. Weights read
	// from a file keep them as stored, quantised (q, times scale), and leave W nil: half the
	// memory, so that scoring's scattered reads miss the cache less.
	W     []float32
	B     [numClasses]float32
	q     []int16
	scale float32
}

// ErrBadWeights reports a weights file that is not in Pantau's format or is damaged.
var ErrBadWeights = errors.New("sentiment: bad weights file")

const weightsMagic = "PANTAU-SENT1"

func (w *Weights) score(feats []feature) [numClasses]float32 {
	if w.q != nil {
		return w.scoreQuantised(feats)
	}
	z := w.B
	W := w.W
	for _, f := range feats {
		i := int(f.idx) * numClasses
		r := W[i : i+numClasses : i+numClasses]
		z[0] += r[0] * f.val
		z[1] += r[1] * f.val
		z[2] += r[2] * f.val
	}
	return z
}

func (w *Weights) scoreQuantised(feats []feature) [numClasses]float32 {
	return w.finish(sumRows(w.q, feats))
}

// finish turns the sums of quantised weights times feature values into logits.
func (w *Weights) finish(z [numClasses]float32) [numClasses]float32 {
	for c := range z {
		z[c] = w.B[c] + z[c]*w.scale
	}
	return z
}

// sumRows sums, per class, the quantised weights of the features' buckets times their values, in
// the order of feats. A bucket's weights are the numClasses values at q[idx*numClasses:]. Each
// class is summed in a variable of its own rather than in an array, so that the sums stay in
// registers and no addition waits on a store and a load.
func sumRows(q []int16, feats []feature) [numClasses]float32 {
	var z0, z1, z2 float32
	for _, f := range feats {
		i := int(f.idx) * numClasses
		r := q[i : i+numClasses : i+numClasses]
		z0 += float32(r[0]) * f.val
		z1 += float32(r[1]) * f.val
		z2 += float32(r[2]) * f.val
	}
	return [numClasses]float32{z0, z1, z2}
}

// WriteTo writes the weights in Pantau's format: a header, then the weights quantised to int16
// and gzipped. The output is a pure function of the weights.
func (w *Weights) WriteTo(out io.Writer) (int64, error) {
	cw := &countWriter{w: out}
	bw := bufio.NewWriter(cw)
	scale := w.scale
	if w.q == nil {
		var maxAbs float64
		for _, v := range w.W {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		scale = float32(maxAbs / 32767)
		if scale == 0 {
			scale = 1
		}
	}
	lang := [2]byte{}
	copy(lang[:], w.Lang)
	var flags uint8
	if w.Valences {
		flags |= 1
	}
	hdr := struct {
		Lang      [2]byte
		Bits      uint8
		Flags     uint8
		LexWeight float32
		Scale     float32
		B         [numClasses]float32
	}{lang, w.Bits, flags, w.LexWeight, scale, w.B}
	bw.WriteString(weightsMagic)
	if err := binary.Write(bw, binary.LittleEndian, hdr); err != nil {
		return cw.n, err
	}
	zw, err := gzip.NewWriterLevel(bw, gzip.BestCompression)
	if err != nil {
		return cw.n, err
	}
	var buf []byte
	if w.q != nil {
		buf = make([]byte, 2*len(w.q))
		for i, v := range w.q {
			binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
		}
	} else {
		buf = make([]byte, 2*len(w.W))
		for i, v := range w.W {
			binary.LittleEndian.PutUint16(buf[2*i:], uint16(int16(math.Round(float64(v/scale)))))
		}
	}
	if _, err := zw.Write(buf); err != nil {
		return cw.n, err
	}
	if err := zw.Close(); err != nil {
		return cw.n, err
	}
	err = bw.Flush()
	return cw.n, err
}

// ReadWeights reads weights written by WriteTo.
func ReadWeights(r io.Reader) (*Weights, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(weightsMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != weightsMagic {
		return nil, fmt.Errorf("%w: missing header", ErrBadWeights)
	}
	var hdr struct {
		Lang      [2]byte
		Bits      uint8
		Flags     uint8
		LexWeight float32
		Scale     float32
		B         [numClasses]float32
	}
	if err := binary.Read(br, binary.LittleEndian, &hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrBadWeights, err)
	}
	if hdr.Bits < 8 || hdr.Bits > 24 {
		return nil, fmt.Errorf("%w: %d hash bits", ErrBadWeights, hdr.Bits)
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadWeights, err)
	}
	n := numClasses << hdr.Bits
	buf := make([]byte, 2*n)
	if _, err := io.ReadFull(zr, buf); err != nil {
		return nil, fmt.Errorf("%w: weights: %v", ErrBadWeights, err)
	}
	w := &Weights{Lang: string(hdr.Lang[:]), Bits: hdr.Bits, Valences: hdr.Flags&1 != 0,
		LexWeight: hdr.LexWeight, B: hdr.B, q: make([]int16, n), scale: hdr.Scale}
	for i := range w.q {
		w.q[i] = int16(binary.LittleEndian.Uint16(buf[2*i:]))
	}
	return w, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
