// Command train fits the analyzer's mention-stance weights (analyzer/stance_id.bin and
// analyzer/stance_en.bin) and the Indonesian criticism model (analyzer/criticism_id.bin), and
// prints their scores on data they were not fitted on.
//
// Run from the repository root; the shipped weights are made with
//
//	go run ./analyzer/train -out analyzer
//
// With -conv it also fits the word-order model (package convnet) and scores the average of its
// probabilities and the linear model's; that model is not shipped (STANCE.md, "Models over word
// order and feature interactions") and -conv writes nothing. In English use it with -endev or
// -encv only, so that the hold-out stays unseen.
//
// English settings are chosen with -endev (a dev part of NewsMTSC train less the hold-out) or
// -encv 5 (cross-validation over the same), never on the hold-out.
//
// Indonesian: the train split of the news corpus (analyzer/testdata/news/train.jsonl) plus the old
// tuning set newsdev.jsonl, scored on the corpus dev split. English: NewsMTSC train
// (../shared/data/sentiment/newsmtsc) less a hold-out of one article in five, scored on that
// hold-out. The corpus test split and newstest are never read here: `pantau eval` scores them.
// Training is single-threaded and seeded: the same flags give the same files, byte for byte.
package main

import (
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pantau-id/pantau/analyzer"
	"github.com/pantau-id/pantau/analyzer/convnet"
	"github.com/pantau-id/pantau/analyzer/sentiment"
)

// convCfg, when set, fits the word-order model with these settings, convMix being its
// share of the averaged probabilities.
var (
	convCfg *convnet.Config
	convMix float32
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run() error {
	corpus := flag.String("corpus", "analyzer/testdata", "folder with news/train.jsonl, news/dev.jsonl and newsdev.jsonl")
	dataDir := flag.String("data", "../shared/data/sentiment", "shared sentiment data (NewsMTSC, NusaX)")
	out := flag.String("out", "", "write stance_id.bin, criticism_id.bin and stance_en.bin into this folder (default: do not write)")
	lang := flag.String("lang", "id,en", "languages to train")
	epochs := flag.Int("epochs", 0, "epochs (0: default)")
	l2 := flag.Float64("l2", -1, "L2 decay (-1: default)")
	lr := flag.Float64("lr", 0, "learning rate (0: default)")
	cwp := flag.Float64("classweight", -1, "class weight power (-1: default)")
	errorsOut := flag.Bool("errors", false, "print the dev split's wrong mentions (English: with -endev)")
	enDev := flag.Bool("endev", false, "English: fit on NewsMTSC train less a dev part and score that part (for tuning), instead of scoring the hold-out")
	folds := flag.Int("cv", 0, "if > 1, also score by cross-validation over the train and dev splits' pages in this many folds")
	enFolds := flag.Int("encv", 0, "English: if > 1, score by cross-validation over NewsMTSC train less the hold-out, by article, in this many folds (for tuning), instead of scoring the hold-out")
	seed := flag.Uint64("seed", 0, "linear model's shuffling seed (0: default)")
	conv := flag.Bool("conv", false, "also fit the word-order model (convnet) and score its average with the linear model; writes no weights")
	convShare := flag.Float64("convshare", 0.2, "-conv: the word-order model's share of the averaged probabilities")
	convEpochs := flag.Int("convepochs", 0, "word-order model's epochs (0: default)")
	convDim := flag.Int("convdim", 0, "word-order model's embedding size (0: default)")
	convFilters := flag.Int("convfilters", 0, "word-order model's filters per width (0: default)")
	convSeed := flag.Uint64("convseed", 0, "word-order model's seed (0: default)")
	convWindow := flag.Int("convwindow", -1, "word-order model: words within this distance of a term only (0: all; -1: default)")
	flag.Parse()
	if *conv {
		c := analyzer.DefaultConvConfig()
		if *convEpochs > 0 {
			c.Epochs = *convEpochs
		}
		if *convDim > 0 {
			c.Dim = *convDim
		}
		if *convFilters > 0 {
			c.Filters = *convFilters
		}
		if *convWindow >= 0 {
			c.Window = *convWindow
		}
		if *convSeed > 0 {
			c.Seed = *convSeed
		}
		convCfg, convMix = &c, float32(*convShare)
		if *out != "" {
			return fmt.Errorf("-conv fits a model that is not shipped: it cannot be used with -out")
		}
	}

	a := analyzer.New(nil, nil).WithStance(nil)
	set := func(c sentiment.TrainConfig) sentiment.TrainConfig {
		if *epochs > 0 {
			c.Epochs = *epochs
		}
		if *l2 >= 0 {
			c.L2 = *l2
		}
		if *lr > 0 {
			c.LearningRate = *lr
		}
		if *cwp >= 0 {
			c.ClassWeightPower = *cwp
		}
		if *seed > 0 {
			c.Seed = *seed
		}
		return c
	}
	weights := &analyzer.StanceWeights{}
	for _, l := range strings.Split(*lang, ",") {
		var err error
		switch l {
		case "id":
			if *folds > 1 {
				if err := crossValidate(a, *corpus, set(analyzer.DefaultStanceConfig("id")), *folds); err != nil {
					return err
				}
			}
			var sw *analyzer.StanceWeights
			sw, err = trainID(a, *corpus, set(analyzer.DefaultStanceConfig("id")), *errorsOut)
			if sw != nil {
				weights.ID, weights.CriticismID = sw.ID, sw.CriticismID
			}
		case "en":
			weights.EN, err = trainEN(a, *dataDir, set(analyzer.DefaultStanceConfig("en")), *enDev, *errorsOut, *enFolds)
		default:
			err = fmt.Errorf("unknown language %q", l)
		}
		if err != nil {
			return err
		}
	}
	if *out == "" {
		return nil
	}
	files := map[string]io.WriterTo{}
	for name, w := range map[string]*sentiment.Weights{"stance_id.bin": weights.ID, "criticism_id.bin": weights.CriticismID, "stance_en.bin": weights.EN} {
		if w != nil {
			files[name] = w
		}
	}
	for name, w := range files {
		if err := writeWeights(filepath.Join(*out, name), w); err != nil {
			return err
		}
	}
	return nil
}

// trainID fits the Indonesian stance and criticism weights on the corpus train split and newsdev
// and scores the dev split.
func trainID(a *analyzer.Analyzer, corpus string, cfg sentiment.TrainConfig, showErrors bool) (*analyzer.StanceWeights, error) {
	var train []analyzer.StanceExample
	for _, name := range []string{"news/train.jsonl", "newsdev.jsonl"} {
		docs, err := readDocs(filepath.Join(corpus, name))
		if err != nil {
			return nil, err
		}
		train = append(train, analyzer.StanceExamples(docs, "id")...)
	}
	dev, err := readDocs(filepath.Join(corpus, "news/dev.jsonl"))
	if err != nil {
		return nil, err
	}
	sw, err := trainBoth(a, train, cfg)
	if err != nil {
		return nil, err
	}
	fmt.Printf("== id: trained on %d mentions (news/train.jsonl + newsdev.jsonl)\n", len(train))
	rep := analyzer.EvaluateMentions(a.WithStance(sw), dev, "id")
	fmt.Print("== news/dev.jsonl with the stance model\n", rep)
	if showErrors {
		for _, e := range rep.Errors {
			fmt.Printf("  line %d %s gold %s/%v got %s/%v: %s\n", e.Line, e.Programme, e.Label, e.Criticism, e.Got, e.GotCrit, e.Snippet)
		}
	}
	fmt.Printf("criticism F1 without the criticism model: %.4f\n",
		analyzer.EvaluateMentions(a.WithStance(&analyzer.StanceWeights{ID: sw.ID, ConvID: sw.ConvID, ConvShare: sw.ConvShare}), dev, "id").Criticism.F1)
	if sw.ConvID != nil {
		fmt.Printf("macro-F1 of the linear model alone: %.4f\n",
			analyzer.EvaluateMentions(a.WithStance(&analyzer.StanceWeights{ID: sw.ID, CriticismID: sw.CriticismID}), dev, "id").MacroF1)
	}
	fmt.Print("== news/dev.jsonl with the sentence model and rules only\n", analyzer.EvaluateMentions(a, dev, "id"))
	return sw, nil
}

// trainBoth fits the Indonesian stance weights with cfg, the criticism model with its default
// settings and, unless -conv=false, the word-order model.
func trainBoth(a *analyzer.Analyzer, train []analyzer.StanceExample, cfg sentiment.TrainConfig) (*analyzer.StanceWeights, error) {
	sw := &analyzer.StanceWeights{}
	var err error
	if sw.ID, err = a.TrainStance(train, cfg); err != nil {
		return nil, err
	}
	if sw.CriticismID, err = a.TrainCriticism(train, analyzer.DefaultCriticismConfig()); err != nil {
		return nil, err
	}
	if convCfg != nil {
		sw.ConvID, err = a.TrainConv(train, *convCfg)
		sw.ConvShare = convMix
	}
	return sw, err
}

// crossValidate scores the Indonesian stance model by k-fold cross-validation over the pages of
// the train and dev splits (newsdev always trains), and prints each fold's and the mean macro-F1.
func crossValidate(a *analyzer.Analyzer, corpus string, cfg sentiment.TrainConfig, k int) error {
	var docs []analyzer.LabelledDoc
	for _, name := range []string{"news/train.jsonl", "news/dev.jsonl"} {
		d, err := readDocs(filepath.Join(corpus, name))
		if err != nil {
			return err
		}
		docs = append(docs, d...)
	}
	extra, err := readDocs(filepath.Join(corpus, "newsdev.jsonl"))
	if err != nil {
		return err
	}
	var sum, sumCrit float64
	for fold := range k {
		var train, test []analyzer.LabelledDoc
		for _, d := range docs {
			h := fnv.New32a()
			h.Write([]byte(d.URL))
			if int(h.Sum32()%uint32(k)) == fold {
				test = append(test, d)
			} else {
				train = append(train, d)
			}
		}
		sw, err := trainBoth(a, append(analyzer.StanceExamples(train, "id"), analyzer.StanceExamples(extra, "id")...), cfg)
		if err != nil {
			return err
		}
		rep := analyzer.EvaluateMentions(a.WithStance(sw), test, "id")
		fmt.Printf("cv fold %d: n=%d macro-F1=%.4f criticism F1=%.4f\n", fold, rep.N, rep.MacroF1, rep.Criticism.F1)
		sum += rep.MacroF1
		sumCrit += rep.Criticism.F1
	}
	fmt.Printf("cv mean macro-F1=%.4f criticism F1=%.4f\n", sum/float64(k), sumCrit/float64(k))
	return nil
}

// trainEN fits the English weights on NewsMTSC train less its hold-out and scores the hold-out.
// With tuning it scores a dev part of the rest instead (printing its errors with showErrors), and
// with folds > 1 the mean of a cross-validation over the rest by article; neither writes weights.
func trainEN(a *analyzer.Analyzer, dataDir string, cfg sentiment.TrainConfig, tuning, showErrors bool, folds int) (*sentiment.Weights, error) {
	// fit fits the stance weights and, with -conv, the word-order model.
	fit := func(train []analyzer.StanceExample) (*analyzer.StanceWeights, error) {
		w, err := a.TrainStance(train, cfg)
		if err != nil || convCfg == nil {
			return &analyzer.StanceWeights{EN: w}, err
		}
		conv, err := a.TrainConv(train, *convCfg)
		return &analyzer.StanceWeights{EN: w, ConvEN: conv, ConvShare: convMix}, err
	}
	train, held, err := analyzer.ReadNewsMTSC(filepath.Join(dataDir, "newsmtsc/train.jsonl"))
	if err != nil {
		return nil, err
	}
	if folds > 1 {
		var sum float64
		for fold := range folds {
			tr, test := analyzer.FoldSplit(train, uint32(folds), uint32(fold))
			sw, err := fit(tr)
			if err != nil {
				return nil, err
			}
			rep := analyzer.ScoreStance(a.WithStance(sw), test)
			fmt.Printf("en cv fold %d: n=%d macro-F1=%.4f\n", fold, rep.N, rep.MacroF1)
			sum += rep.MacroF1
		}
		fmt.Printf("en cv mean macro-F1=%.4f\n", sum/float64(folds))
		return nil, nil
	}
	if tuning {
		var dev []analyzer.StanceExample
		train, dev = analyzer.DevSplit(train, 5)
		sw, err := fit(train)
		if err != nil {
			return nil, err
		}
		fmt.Printf("== en tuning: trained on %d NewsMTSC targets, dev %d\n", len(train), len(dev))
		judged := a.WithStance(sw)
		fmt.Print(analyzer.ScoreStance(judged, dev))
		if showErrors {
			for _, e := range dev {
				if got, _ := judged.JudgeStance(e); got.Label != e.Label {
					fmt.Printf("  gold %s got %s toward %q: %s\n", e.Label, got.Label, e.Target, e.Text)
				}
			}
		}
		return nil, nil
	}
	sw, err := fit(train)
	if err != nil {
		return nil, err
	}
	w := sw.EN
	fmt.Printf("== en: trained on %d NewsMTSC targets; hold-out %d targets (one article in five)\n", len(train), len(held))
	fmt.Print(analyzer.ScoreStance(a.WithStance(sw), held))
	fmt.Print("== hold-out with the sentence model and rules only\n", analyzer.ScoreStance(a, held))
	return w, nil
}

func readDocs(path string) ([]analyzer.LabelledDoc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return analyzer.ReadLabelledDocs(f, path)
}

func writeWeights(path string, w io.WriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println("wrote", path)
	return nil
}
