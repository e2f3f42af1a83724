package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/pantau-id/pantau"

// testsOnly is the layer of the packages only tests import; they may import any other.
const testsOnly = 1 << 30

// architecture is the package list of the README's architecture section: each entry's
// layer, by the package path inside the module.
func architecture(t *testing.T) map[string]int {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	layers := map[string]int{}
	line := regexp.MustCompile(`(?m)^(?:layer (\d+)|(tests only)): (.+)$`)
	for _, m := range line.FindAllStringSubmatch(string(readme), -1) {
		layer := testsOnly
		if m[2] == "" {
			layer, _ = strconv.Atoi(m[1])
		}
		for _, name := range strings.Split(m[3], ",") {
			layers[strings.TrimSpace(name)] = layer
		}
	}
	if len(layers) < 10 {
		t.Fatalf("README lists only %d packages in its architecture section: %v", len(layers), layers)
	}
	return layers
}

// goPackage is what `go list -json` tells of a package.
type goPackage struct {
	ImportPath string
	Imports    []string
}

// modulePackages returns the module's packages with their non-test imports inside the
// module, by path inside the module ("" for the root).
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		var imports []string
		for _, imp := range p.Imports {
			if rel, ok := inModule(imp); ok {
				imports = append(imports, rel)
			}
		}
		rel, _ := inModule(p.ImportPath)
		pkgs[rel] = imports
	}
	return pkgs
}

func inModule(path string) (string, bool) {
	if path == modulePath {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, modulePath+"/")
	return rel, ok
}

// entryOf returns the architecture entry a package belongs to: itself or its nearest
// listed parent (analyzer/sentiment belongs to analyzer).
func entryOf(layers map[string]int, pkg string) (string, bool) {
	for p := pkg; ; {
		if _, ok := layers[p]; ok {
			return p, true
		}
		i := strings.LastIndex(p, "/")
		if i < 0 {
			return "", false
		}
		p = p[:i]
	}
}

// TestArchitecture keeps the README's architecture section true: every package it names
// exists, every package of the module is in it, and every import goes to a lower layer
// (or within one entry); packages for tests only are imported by no production code, the
// fixture site only by the command's demo, and the simulated news web only by the bench.
func TestArchitecture(t *testing.T) {
	layers := architecture(t)
	pkgs := modulePackages(t)
	for name := range layers {
		if _, ok := pkgs[name]; !ok {
			t.Errorf("README names package %s, which does not exist", name)
		}
	}
	for pkg, imports := range pkgs {
		from, ok := entryOf(layers, pkg)
		if !ok {
			t.Errorf("package %s is missing from the README's architecture section", pkg)
			continue
		}
		for _, imp := range imports {
			to, ok := entryOf(layers, imp)
			switch {
			case !ok || to == from:
			case layers[to] == testsOnly && layers[from] != testsOnly:
				t.Errorf("%s imports %s, which is for tests only", pkg, imp)
			case to == "internal/fixturesite" && from != "cmd/pantau" && layers[from] != testsOnly:
				t.Errorf("%s imports the fixture site, which only tests and the demo may use", pkg)
			case to == "internal/newsim" && from != "cmd/pantau-bench" && layers[from] != testsOnly:
				t.Errorf("%s imports the simulated news web, which only tests and cmd/pantau-bench may use", pkg)
			case layers[to] >= layers[from] && layers[from] != testsOnly:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go to lower layers only", pkg, layers[from], imp, layers[to])
			}
		}
	}
}
