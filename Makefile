# Pantau build targets. `make run` and `make test` are the README's quick start.
CHDB_NPM   := @chdb/lib-linux-x64-gnu@26.7.3-stable.1
CHDB_LIB   := lib/libchdb.so
BIN        := bin/pantau
GO         ?= go
TESTFLAGS  ?= -count=1 -timeout 30m

.PHONY: all build run test demo libchdb bench gobench fuzz vet clean regions-data

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pantau

# libchdb.so (embedded ClickHouse) comes from the npm registry, unpacked into the git-ignored lib/.
# npm fetches the package when it is installed; otherwise curl or wget fetch the same tarball from
# the registry. Either way the tarball must match the registry's sha512 integrity below.
CHDB_TGZ    := https://registry.npmjs.org/@chdb/lib-linux-x64-gnu/-/lib-linux-x64-gnu-26.7.3-stable.1.tgz
CHDB_SHA512 := 5cff7b98caa7739b59a4a432c11f0dedc2d3b073624e61ebdf4a42e66ce8de35a6ba48ca9f62016bad1cd81fe059435cb858ce3235a8a2b408082a81563e70a7

libchdb: $(CHDB_LIB)
$(CHDB_LIB):
	@mkdir -p lib
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; cd $$tmp; \
	if command -v npm >/dev/null; then npm pack --silent $(CHDB_NPM) >/dev/null; mv *.tgz chdb.tgz; \
	elif command -v curl >/dev/null; then curl -fsSL -o chdb.tgz $(CHDB_TGZ); \
	elif command -v wget >/dev/null; then wget -q -O chdb.tgz $(CHDB_TGZ); \
	else echo "fetching libchdb needs npm, curl or wget: apt-get install curl"; exit 1; fi; \
	echo "$(CHDB_SHA512)  chdb.tgz" | sha512sum -c --quiet - || { echo "chdb.tgz: sha512 does not match the npm registry's"; exit 1; }; \
	tar -xzf chdb.tgz package/libchdb.so; mv package/libchdb.so $(CURDIR)/$(CHDB_LIB).part
	@mv $(CHDB_LIB).part $(CHDB_LIB)
	@echo "installed $(CHDB_LIB)"

# The continuous pipeline on the built-in configuration and embedded storage.
run: build libchdb
	./$(BIN) run $(ARGS)

test: libchdb
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...
	cd third_party/whatlanggo && $(GO) vet ./... && $(GO) test $(TESTFLAGS) ./...

# Offline demo: serves the fixture news site on loopback and runs the pipeline once against it.
demo: build libchdb
	./$(BIN) demo

# The end-to-end benchmark suite (cmd/pantau-bench, BENCHMARKS.md): the built pantau runs as
# `pantau run` against a simulated news web on loopback, on the embedded store and on the
# ClickHouse server at BENCH_CLICKHOUSE (skipped when none answers). About 9 minutes;
# `make bench BENCHFLAGS=-short` about 5. Not part of `make test`.
BENCH_CLICKHOUSE ?= 127.0.0.1:9000
bench: build libchdb
	$(GO) run ./cmd/pantau-bench -pantau $(BIN) -clickhouse '$(BENCH_CLICKHOUSE)' $(BENCHFLAGS)

# The Go benchmarks of the hot paths (go test -bench), as `make bench` ran them before.
gobench: libchdb
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin pantau-data

# The gazetteer of package regions: idn-area-data from the npm registry (data under the ODbL).
IDN_AREA_NPM := idn-area-data@4.0.1
regions-data:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; cd $$tmp; npm pack --silent $(IDN_AREA_NPM) >/dev/null; \
	tar -xzf *.tgz package/data/provinces.csv package/data/regencies.csv package/data/LICENSE.md; \
	cp package/data/provinces.csv package/data/regencies.csv $(CURDIR)/regions/data/; \
	cp package/data/LICENSE.md $(CURDIR)/regions/data/LICENSE-ODbL.md
	@git diff --stat -- regions/data
