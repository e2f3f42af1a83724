package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pantau-id/pantau/storage"
	"github.com/pantau-id/pantau/storage/storagetest"
)

// TestDemoTwiceStoresNoCopies runs `pantau demo` twice on one data folder: the fixture
// site is served on a new port each time, but its articles keep their URLs, so the second
// demo finds them stored and the articles table holds each once.
func TestDemoTwiceStoresNoCopies(t *testing.T) {
	lib := storagetest.EmbeddedConfig(t).ChDBLibrary
	t.Setenv(storage.LibraryEnv, lib)
	dir := t.TempDir()
	args := []string{"demo", "--site", "../../testdata/site", "--data", filepath.Join(dir, "data"), "--write-config", filepath.Join(dir, "demo.yaml")}
	count := func() string {
		code, stdout, stderr := run(t, "", "sql", "--config", filepath.Join(dir, "demo.yaml"),
			"SELECT count(), uniqExact(url_hash), countIf(url NOT LIKE 'http://bagonjong.test/%') FROM articles")
		if code != 0 {
			t.Fatalf("sql: %s", stderr)
		}
		return strings.TrimSpace(stdout)
	}
	var first string
	for pass := 1; pass <= 2; pass++ {
		if code, stdout, stderr := run(t, "", args...); code != 0 || !strings.Contains(stdout, "Done. Try:") {
			t.Fatalf("demo %d: exit %d\n%s%s", pass, code, stdout, stderr)
		}
		got := count()
		if pass == 1 {
			first = got
			if !strings.HasSuffix(got, "\t0") || strings.HasPrefix(got, "0\t") {
				t.Fatalf("first demo stored (count, distinct, other origin) = %s", got)
			}
			continue
		}
		if got != first {
			t.Errorf("after a second demo the articles table holds (count, distinct, other origin) = %s, after the first %s", got, first)
		}
	}
}
