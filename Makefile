# Pantau build targets. `make run` and `make test` are the README's quick start.
CHDB_NPM   := @chdb/lib-linux-x64-gnu@26.7.3-stable.1
CHDB_LIB   := lib/libchdb.so
BIN        := bin/pantau
GO         ?= go
TESTFLAGS  ?= -count=1 -timeout 30m

.PHONY: all build run test demo libchdb bench fuzz vet clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pantau

# libchdb.so (embedded ClickHouse) comes from the npm registry, unpacked into the git-ignored lib/.
libchdb: $(CHDB_LIB)
$(CHDB_LIB):
	@command -v npm >/dev/null || { echo "npm is needed to fetch libchdb: apt-get install npm"; exit 1; }
	@mkdir -p lib
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent $(CHDB_NPM) >/dev/null && \
		tar -xzf *.tgz package/libchdb.so && mv package/libchdb.so $(CURDIR)/$(CHDB_LIB).part && \
		rm -rf $$tmp
	@mv $(CHDB_LIB).part $(CHDB_LIB)
	@echo "installed $(CHDB_LIB)"

# The continuous pipeline on the built-in configuration and embedded storage.
run: build libchdb
	./$(BIN) run $(ARGS)

test: libchdb
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...

# Offline demo: serves the fixture news site on loopback and runs the pipeline once against it.
demo: build libchdb
	./$(BIN) demo

bench: libchdb
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin pantau-data
