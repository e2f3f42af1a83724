package dashboards

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/pantau-id/pantau/regions"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// regionPanel is the title of the overview's per-province panel.
const regionPanel = "Critical stories by province (named in the text)"

// regionPanelSQL returns the SQL of the per-province panel.
func regionPanelSQL(t *testing.T) string {
	t.Helper()
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, q := range d.Queries() {
			if d.UID == "pantau-overview" && q.Panel == regionPanel {
				return q.RawSQL
			}
		}
	}
	t.Fatalf("no panel %q in the overview dashboard", regionPanel)
	return ""
}

// TestRegionPanelNames checks that the panel names every province as the gazetteer does.
func TestRegionPanelNames(t *testing.T) {
	m := regexp.MustCompile(`transform\(province, \[([^\]]*)\], \[([^\]]*)\], province\)`).FindStringSubmatch(regionPanelSQL(t))
	if m == nil {
		t.Fatal("panel has no transform(province, [codes], [names], province)")
	}
	checkNames(t, "provinces", m[1], m[2], gazetteerNames(regions.Province))
}

// TestRegionPanelCounts runs the per-province panel on the dashboards' fixture on both
// backends: each province counts the critical stories whose text names it or one of its
// regencies, a syndicated copy with its original.
func TestRegionPanelCounts(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	sql, err := expand(regionPanelSQL(t), r, panelVariables[0].vars, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture: story i is critical when i%3 == 0, a copy of story i-1 when i%10 == 9,
	// published 83 minutes apart, naming the regions of fixtureRegions[i%5].
	stories := map[string]map[int]bool{}
	for i := range 120 {
		pub := now.Add(-time.Duration(i) * 83 * time.Minute)
		if i%3 != 0 || !pub.After(r.from) {
			continue
		}
		story := i
		if i%10 == 9 {
			story = i - 1
		}
		for _, c := range fixtureRegions[i%len(fixtureRegions)] {
			p := c[:2]
			if stories[p] == nil {
				stories[p] = map[int]bool{}
			}
			stories[p][story] = true
		}
	}
	var want []string
	for p, s := range stories {
		reg, _ := regions.Default().Lookup(p)
		want = append(want, fmt.Sprintf("%s %s %d", p, reg.Name, len(s)))
	}
	slices.Sort(want)
	if len(want) != 3 {
		t.Fatalf("fixture names %d provinces in critical stories, want 3: %v", len(want), want)
	}
	ctx := context.Background()
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			loadFixture(t, s, now)
			res, err := s.Query(ctx, sql)
			if err != nil {
				t.Fatalf("%v\n%s", err, sql)
			}
			var got []string
			for _, row := range res.Rows {
				got = append(got, fmt.Sprintf("%v %v %v", row...))
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("panel answers\n%v\nwant\n%v", got, want)
			}
		})
	}
}
