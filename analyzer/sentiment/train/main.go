// Command train fits the sentiment weights that analyzer/sentiment ships and reports their scores.
//
// Run from the repository root; the shipped weights are made with
//
//	go run ./analyzer/sentiment/train -lang id -out analyzer/sentiment/model_id.bin \
//	    -train smsa/train_preprocess.tsv,smsa/valid_preprocess.tsv,nusax/indonesian/train.csv
//	go run ./analyzer/sentiment/train -lang en -out analyzer/sentiment/model_en.bin \
//	    -train nusax/english/train.csv
//
// Training is single-threaded and seeded: the same flags give the same file, byte for byte.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pantau-id/pantau/analyzer/sentiment"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run() error {
	def := sentiment.DefaultTrainConfig("id")
	lang := flag.String("lang", "id", "language: id or en")
	dataDir := flag.String("data", "../shared/data/sentiment", "folder that relative -train and -eval paths are read from")
	trainFiles := flag.String("train", "", "comma-separated labelled files to train on (default per language)")
	evalFiles := flag.String("eval", "", "comma-separated labelled files to score after training (default per language)")
	out := flag.String("out", "", "write the weights here (default: do not write)")
	bits := flag.Uint("bits", uint(def.Bits), "hash bits")
	epochs := flag.Int("epochs", 0, "epochs (0: default)")
	lr := flag.Float64("lr", 0, "learning rate (0: default)")
	l2 := flag.Float64("l2", -1, "L2 decay (-1: default)")
	cwp := flag.Float64("classweight", -1, "class weight power, 0 none .. 1 balanced (-1: default)")
	lexWeight := flag.Float64("lexweight", -1, "news-event lexicon weight (-1: default)")
	seed := flag.Uint64("seed", def.Seed, "shuffle seed")
	holdout := flag.Int("holdout", 0, "if > 0, hold out every n-th training example and score on it (for tuning without touching -eval data)")
	flag.Parse()

	cfg := sentiment.DefaultTrainConfig(*lang)
	cfg.Bits = uint8(*bits)
	cfg.Seed = *seed
	if *epochs > 0 {
		cfg.Epochs = *epochs
	}
	if *lr > 0 {
		cfg.LearningRate = *lr
	}
	if *l2 >= 0 {
		cfg.L2 = *l2
	}
	if *cwp >= 0 {
		cfg.ClassWeightPower = *cwp
	}
	if *lexWeight >= 0 {
		cfg.LexWeight = float32(*lexWeight)
	}
	if *trainFiles == "" {
		*trainFiles = "smsa/train_preprocess.tsv"
		if cfg.Lang == "en" {
			*trainFiles = "nusax/english/train.csv"
		}
	}
	if *evalFiles == "" {
		*evalFiles = "smsa/valid_preprocess.tsv,nusax/indonesian/valid.csv"
		if cfg.Lang == "en" {
			*evalFiles = "nusax/english/valid.csv"
		}
	}

	var train []sentiment.Example
	for _, f := range split(*trainFiles) {
		ex, err := read(*dataDir, f)
		if err != nil {
			return err
		}
		train = append(train, ex...)
	}
	var held []sentiment.Example
	if *holdout > 0 {
		kept := train[:0:0]
		for i, e := range train {
			if i%*holdout == *holdout-1 {
				held = append(held, e)
			} else {
				kept = append(kept, e)
			}
		}
		train = kept
	}
	start := time.Now()
	w, err := sentiment.Train(train, cfg)
	if err != nil {
		return err
	}
	fmt.Printf("trained %s on %d examples in %s (%+v)\n", cfg.Lang, len(train), time.Since(start).Round(time.Millisecond), cfg)

	var m *sentiment.Model
	if cfg.Lang == "en" {
		m, err = sentiment.New(nil, w)
	} else {
		m, err = sentiment.New(w, nil)
	}
	if err != nil {
		return err
	}
	if len(held) > 0 {
		fmt.Printf("== holdout (every %d-th training example)\n%s", *holdout, sentiment.Evaluate(m, cfg.Lang, held))
	}
	for _, f := range split(*evalFiles) {
		ex, err := read(*dataDir, f)
		if err != nil {
			return err
		}
		fmt.Printf("== %s\n%s", f, sentiment.Evaluate(m, cfg.Lang, ex))
	}
	if *out != "" {
		fh, err := os.Create(*out)
		if err != nil {
			return err
		}
		n, err := w.WriteTo(fh)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		fmt.Printf("wrote %s (%d bytes)\n", *out, n)
	}
	return nil
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func read(dir, name string) ([]sentiment.Example, error) {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, name)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	ex, err := sentiment.ReadLabelled(fh, path)
	if err != nil {
		// Bad lines are skipped; say how many and go on with the good ones.
		n := len(strings.Split(err.Error(), "\n"))
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			n = len(joined.Unwrap())
		}
		fmt.Fprintf(os.Stderr, "%s: %d bad lines skipped; first: %v\n", path, n, strings.SplitN(err.Error(), "\n", 2)[0])
	}
	return ex, nil
}
