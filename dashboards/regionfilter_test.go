package dashboards

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pantau-id/pantau/regions"
	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// regionPicked is the province the region tests pick: Sumatera Barat, which the fixture's
// stories name as a province with Kota Padang ("13", "13.71") and through Kabupaten Agam alone
// ("13.06").
const regionPicked = "13"

// namesRegion reports whether a row whose text names codes matches the Region variable set to
// picked, as the panels' filter does: the region itself, or for a province one of its
// regencies and cities.
func namesRegion(codes []string, picked string) bool {
	return slices.ContainsFunc(codes, func(c string) bool { return c == picked || strings.HasPrefix(c, picked+".") })
}

// regionQueries returns the ClickHouse panel queries that honour the Region variable.
func regionQueries(t testing.TB) []Query {
	t.Helper()
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var out []Query
	for _, d := range ds {
		for _, q := range d.Queries() {
			if q.RawSQL != "" && !strings.HasPrefix(q.Panel, "variable ") && variableUsed(q.RawSQL, "region") {
				out = append(out, q)
			}
		}
	}
	return out
}

// variableUsed reports whether sql uses the template variable name.
func variableUsed(sql, name string) bool {
	for _, m := range variableUse.FindAllStringSubmatch(sql, -1) {
		if m[1]+m[2] == name {
			return true
		}
	}
	return false
}

// regionVars returns the variables with every filter on All and the Region variable set to region.
func regionVars(region string) map[string][]string {
	return map[string][]string{"programme": {"ektp"}, "region": {region}, "outlet_region": {allValue}, "source": {allValue}, "unit": {allValue}}
}

// withoutColumn returns rows with the column name blanked, when res has it.
func withoutColumn(res *storage.Result, name string) [][]any {
	j := slices.IndexFunc(res.Columns, func(c storage.Column) bool { return c.Name == name })
	if j < 0 {
		return res.Rows
	}
	out := make([][]any, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = slices.Clone(r)
		out[i][j] = nil
	}
	return out
}

// TestRegionFilterPanels runs every panel that honours the Region variable on both backends,
// with the variable set to a province, over the whole fixture, and with it on All over a
// store holding only the fixture's articles and mentions naming that province or one of its
// regencies: the answers must be the same, so a panel counts exactly the stories naming the
// region, each once. Over the second store the panel must also answer alike with the province
// picked and with All: the filter keeps every row there, and "Mentions by programme", which
// reads the hourly rollup on All and mentions FINAL with a region picked, counts alike both
// ways. (The recent articles' copies column counts every syndicated copy of a story, whatever
// region the copy names, and is left out of the first comparison.)
func TestRegionFilterPanels(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	qs := regionQueries(t)
	if len(qs) < 12 {
		t.Fatalf("%d panel queries use the Region variable, want the overview's and the programme dashboard's (at least 12)", len(qs))
	}
	ctx := context.Background()
	// answers runs every query with Region on All and picked on a store of its own, in a
	// subtest, so that the store is closed before the next opens (one embedded store per
	// process); keep selects the fixture's articles and mentions to load.
	answers := func(t *testing.T, b storagetest.Backend, keep func([]string) bool) (all, picked []*storage.Result) {
		t.Run(map[bool]string{true: "whole fixture", false: "stories naming " + regionPicked}[keep == nil], func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			loadFixtureWhere(t, s, now, keep)
			for _, q := range qs {
				for _, region := range []string{allValue, regionPicked} {
					sql, err := expand(q.RawSQL, r, regionVars(region), map[string]bool{"region": true, "outlet_region": true, "source": true, "unit": true})
					if err != nil {
						t.Fatal(err)
					}
					res, err := s.Query(ctx, sql)
					if err != nil {
						t.Fatalf("%s / %s: %v\n%s", q.Dashboard, q.Panel, err, sql)
					}
					if region == allValue {
						all = append(all, res)
					} else {
						picked = append(picked, res)
					}
				}
			}
			if keep == nil {
				checkRegionCounts(t, s, now)
			}
		})
		if len(picked) != len(qs) {
			t.FailNow()
		}
		return all, picked
	}
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			fullAll, fullPicked := answers(t, b, nil)
			onlyAll, onlyPicked := answers(t, b, func(codes []string) bool { return namesRegion(codes, regionPicked) })
			narrowed := 0
			for i, q := range qs {
				name := q.Dashboard + "/" + q.Panel + "/" + q.RefID
				picked, want := fullPicked[i], onlyAll[i]
				if len(want.Rows) == 0 {
					t.Errorf("%s: no rows over the stories naming %s", name, regionPicked)
				}
				if !sameRows(withoutColumn(picked, "copies"), withoutColumn(want, "copies")) {
					t.Errorf("%s: with Region %s the panel answers\n%v\nover the stories naming it alone\n%v", name, regionPicked, picked.Rows, want.Rows)
				}
				if !sameRows(onlyPicked[i].Rows, want.Rows) {
					t.Errorf("%s: over the stories naming %s, picking it answers\n%v\nAll answers\n%v", name, regionPicked, onlyPicked[i].Rows, want.Rows)
				}
				if !sameRows(fullAll[i].Rows, picked.Rows) {
					narrowed++
				}
			}
			t.Logf("picking Region %s changed %d of %d panels", regionPicked, narrowed, len(qs))
			if narrowed != len(qs) {
				t.Errorf("picking Region %s changed %d of %d panels, want all", regionPicked, narrowed, len(qs))
			}
		})
	}
}

// fixtureCounts returns, from the fixture's recipe, the critical stories of the week before
// now and the mentions (articles) per programme, counting only rows that keep accepts.
func fixtureCounts(now time.Time, keep func(codes []string) bool) (critical int, mentions map[string]int) {
	from := now.Add(-7 * 24 * time.Hour)
	stories := map[int]bool{}
	mentions = map[string]int{}
	for i := range 120 {
		pub := now.Add(-time.Duration(i) * 83 * time.Minute)
		if !keep(fixtureRegions[i%len(fixtureRegions)]) || pub.Before(from) {
			continue
		}
		story := i
		if i%10 == 9 {
			story = i - 1
		}
		if i%3 == 0 {
			stories[story] = true
		}
		p := []string{"ektp", "bansos", "sampah_tps"}[i%3]
		if i%4 == 0 {
			p = "ektp"
		}
		if hour := pub.Truncate(time.Hour); !hour.Before(from) { // the rollup's hour filter
			mentions[p]++
		}
	}
	return len(stories), mentions
}

// checkRegionCounts checks two overview panels on a store loaded with the fixture against
// counts made from the fixture's recipe: "Critical stories" and "Mentions by programme"
// (summed over time), with Region on All and set to regionPicked.
func checkRegionCounts(t *testing.T, s storage.Querier, now time.Time) {
	t.Helper()
	r := timeRange{from: now.Add(-7 * 24 * time.Hour), to: now, interval: time.Hour}
	sqlOf := map[string]string{}
	for _, q := range regionQueries(t) {
		if q.Dashboard == "pantau-overview" {
			sqlOf[q.Panel] = q.RawSQL
		}
	}
	ctx := context.Background()
	for _, region := range []string{allValue, regionPicked} {
		critical, mentions := fixtureCounts(now, func(codes []string) bool { return region == allValue || namesRegion(codes, region) })
		query := func(panel string) *storage.Result {
			sql, err := expand(sqlOf[panel], r, regionVars(region), map[string]bool{"region": true, "source": true, "unit": true})
			if err != nil {
				t.Fatalf("%s: %v", panel, err)
			}
			res, err := s.Query(ctx, sql)
			if err != nil {
				t.Fatalf("%s: %v\n%s", panel, err, sql)
			}
			return res
		}
		res := query("Critical stories")
		if got := fmt.Sprint(res.Rows); got != fmt.Sprintf("[[%d]]", critical) {
			t.Errorf("Region %s: Critical stories answers %s, want %d", region, got, critical)
		}
		got := map[string]int{}
		for _, row := range query("Mentions by programme").Rows {
			var n int
			fmt.Sscan(fmt.Sprint(row[2]), &n)
			got[fmt.Sprint(row[1])] += n
		}
		if !maps.Equal(got, mentions) {
			t.Errorf("Region %s: Mentions by programme sums to %v, want %v", region, got, mentions)
		}
		if region == regionPicked && critical == 0 {
			t.Errorf("the fixture has no critical story naming %s", region)
		}
	}
}

// TestRegionVariable runs the Region variable's query on both backends: it offers every
// province and regency/city the fixture's articles name, and every province of those, with
// its Kemendagri code as value and the gazetteer's name as text ("Sumatera Barat / Kota
// Padang" for a city), sorted by text.
func TestRegionVariable(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var qs []Query
	for _, d := range ds {
		for _, q := range d.Queries() {
			if q.Panel == "variable region" {
				qs = append(qs, q)
			}
		}
	}
	if len(qs) != 2 {
		t.Fatalf("%d dashboards have a Region variable, want 2 (overview and programme)", len(qs))
	}
	if qs[0].RawSQL != qs[1].RawSQL {
		t.Errorf("the Region variables of %s and %s differ", qs[0].Dashboard, qs[1].Dashboard)
	}
	codes := map[string]bool{}
	for _, rs := range fixtureRegions {
		for _, c := range rs {
			codes[c], codes[c[:2]] = true, true
		}
	}
	var want []string
	for c := range codes {
		reg, ok := regions.Default().Lookup(c)
		if !ok {
			t.Fatalf("fixture region %s is not in the gazetteer", c)
		}
		text := reg.Name
		if reg.Level == regions.Regency {
			prov, _ := regions.Default().Lookup(reg.Province)
			text = prov.Name + " / " + reg.Name
		}
		want = append(want, text+"\x00"+c)
	}
	slices.Sort(want) // by text: NUL sorts before every character of a name
	for i, w := range want {
		want[i] = strings.Replace(w, "\x00", " = ", 1)
	}
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	ctx := context.Background()
	for _, b := range storagetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := storagetest.Open(t, b.Config(t))
			loadFixture(t, s, now)
			res, err := s.Query(ctx, qs[0].RawSQL)
			if err != nil {
				t.Fatalf("%v\n%s", err, qs[0].RawSQL)
			}
			if len(res.Columns) != 2 || res.Columns[0].Name != "__value" || res.Columns[1].Name != "__text" {
				t.Fatalf("columns %v, want __value then __text (the plugin takes the first as value, the second as text)", res.Columns)
			}
			var got []string
			for _, row := range res.Rows {
				got = append(got, fmt.Sprintf("%v = %v", row[1], row[0]))
			}
			if !slices.Equal(got, want) {
				t.Errorf("Region offers\n%v\nwant\n%v", got, want)
			}
		})
	}
}

// TestRegionVariableNames checks that the Region variable names every province and every
// regency/city as the gazetteer does.
func TestRegionVariableNames(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var sql string
	for _, d := range ds {
		for _, q := range d.Queries() {
			if q.Panel == "variable region" {
				sql = q.RawSQL
			}
		}
	}
	m := regexp.MustCompile(`transform\(substring\(code, 1, 2\), \[([^\]]*)\], \[([^\]]*)\], substring\(code, 1, 2\)\)`).FindStringSubmatch(sql)
	if m == nil {
		t.Fatalf("Region variable has no transform(substring(code, 1, 2), [codes], [names], ...):\n%s", sql)
	}
	checkNames(t, "provinces", m[1], m[2], gazetteerNames(regions.Province))
	m = regexp.MustCompile(`transform\(code, \[([^\]]*)\], \[([^\]]*)\], code\)`).FindStringSubmatch(sql)
	if m == nil {
		t.Fatalf("Region variable has no transform(code, [codes], [names], code):\n%s", sql)
	}
	checkNames(t, "regencies", m[1], m[2], gazetteerNames(regions.Regency))
}

// gazetteerNames returns "'code' name" for every region of the level, by code.
func gazetteerNames(level regions.Level) []string {
	var out []string
	for p := 10; p < 100; p++ {
		if level == regions.Province {
			if r, ok := regions.Default().Lookup(fmt.Sprint(p)); ok {
				out = append(out, fmt.Sprintf("'%s' %s", r.Code, r.Name))
			}
			continue
		}
		for k := 1; k < 100; k++ {
			if r, ok := regions.Default().Lookup(fmt.Sprintf("%d.%02d", p, k)); ok {
				out = append(out, fmt.Sprintf("'%s' %s", r.Code, r.Name))
			}
		}
	}
	return out
}

// checkNames checks that SQL array literals of codes and names pair as want does.
func checkNames(t *testing.T, what, codeList, nameList string, want []string) {
	t.Helper()
	codes, names := strings.Split(codeList, ", "), strings.Split(nameList, ", ")
	if len(codes) != len(names) {
		t.Fatalf("%s: %d codes, %d names", what, len(codes), len(names))
	}
	var got []string
	for i := range codes {
		got = append(got, codes[i]+" "+strings.Trim(names[i], "'"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: the variable names %d, the gazetteer %d; first difference at %d", what, len(got), len(want),
			slices.IndexFunc(got, func(s string) bool { return !slices.Contains(want, s) }))
	}
}
