# The two commands of README.md: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
TEST_DIR := build/test
DB ?= var/overture.db

.PHONY: run test deps test-deps build build-test web check-format format clean
.PHONY: fuzz fuzz-build fuzz-deps

run: deps build web
	@mkdir -p var
	@if [ ! -f "$(DB)" ]; then $(RELEASE_DIR)/overture init --database sqlite:$(DB) && \
	  $(RELEASE_DIR)/overture demo --profiles 10000 --database sqlite:$(DB); fi
	$(RELEASE_DIR)/overture serve --database sqlite:$(DB) --listen 127.0.0.1:8080

test: test-deps build-test build web
	scripts/test.sh $(TEST_DIR)

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build:
	@cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DOVERTURE_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

build-test:
	@cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOVERTURE_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

web:
	@if [ ! -f web/dist/index.html ] || [ -n "$$(find web/src web/index.html web/package.json -newer web/dist/index.html 2>/dev/null | head -1)" ]; then \
	  cd web && npm run build; fi

# libFuzzer targets of the query language, built with clang 19 into their own directory
# (fuzz/CMakeLists.txt) and run FUZZ_SECONDS each; fails on a crash, leak or UB report.
FUZZ_DIR := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++-19

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

fuzz-build: fuzz-deps
	@cmake -S fuzz -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)

fuzz-deps:
	@scripts/install-deps.sh --fuzz

check-format:
	@clang-format --dry-run --Werror $$(git ls-files 'src/*.cpp' 'src/*.hpp')

format:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp')

clean:
	rm -rf build web/dist
