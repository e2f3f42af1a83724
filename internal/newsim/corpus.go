package newsim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Mention is a programme a passage is about and the stance its label gives.
type Mention struct {
	Programme string `json:"programme"`
	Label     string `json:"label"`
	Criticism bool   `json:"criticism"`
}

// Passage is one labelled passage of the corpus: text quoted from a news page, the page's
// URL and the programmes it mentions with their stance (none for filler).
type Passage struct {
	Text     string    `json:"text"`
	URL      string    `json:"url"`
	Mentions []Mention `json:"mentions"`
}

// Corpus is the text the simulated articles are made of: leads, passages about a
// programme with a known stance, and filler, passages about none.
type Corpus struct {
	Leads  []Passage
	Filler []Passage
}

// LoadCorpus reads a labelled corpus in the JSON Lines format of
// analyzer/testdata/news/train.jsonl. A line that does not decode or has no text is an
// error naming the file and line; a corpus without leads or filler is an error too.
func LoadCorpus(path string) (*Corpus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	defer f.Close()
	c := &Corpus{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var p Passage
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return nil, fmt.Errorf("load corpus %s:%d: %w", path, n, err)
		}
		if strings.TrimSpace(p.Text) == "" {
			return nil, fmt.Errorf("load corpus %s:%d: passage without text", path, n)
		}
		if len(p.Mentions) > 0 {
			c.Leads = append(c.Leads, p)
		} else {
			c.Filler = append(c.Filler, p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load corpus %s: %w", path, err)
	}
	if len(c.Leads) == 0 || len(c.Filler) == 0 {
		return nil, fmt.Errorf("load corpus %s: %d passages about a programme and %d about none; want some of each", path, len(c.Leads), len(c.Filler))
	}
	return c, nil
}
