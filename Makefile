# Gridbot: `make demo` and `make test` work on a fresh machine (Python 3.11, no token, no internet
# beyond the package registries).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium
# Chinese glyphs for the browser screenshots and the charts.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

.PHONY: demo test bench lint setup system-deps clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Debian's Chromium (for the browser tests) and the CJK and emoji fonts, and PostgreSQL's server
# (initdb, pg_ctl: the tests start a throwaway one); installed when missing (needs root). Stops
# with what to install when it cannot: those tests would fail in CI.
system-deps:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f $(CJK_FONT) ] || [ ! -f $(EMOJI_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fonts-noto-color-emoji >/dev/null; \
	  fi; \
	  if [ ! -x $(CHROMIUM) ] || [ ! -f $(CJK_FONT) ] || [ ! -f $(EMOJI_FONT) ]; then \
	    echo "error: the browser tests need $(CHROMIUM), $(CJK_FONT) and $(EMOJI_FONT):" >&2; \
	    echo "       run 'make system-deps' as root, or apt-get install chromium fonts-wqy-microhei fonts-noto-color-emoji" >&2; \
	    exit 1; \
	  fi; \
	fi
	@if [ -z "$$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  fi; \
	  if [ -z "$$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ]; then \
	    echo "error: the PostgreSQL tests need Debian's postgresql (initdb, pg_ctl):" >&2; \
	    echo "       run 'make system-deps' as root, or apt-get install postgresql" >&2; \
	    exit 1; \
	  fi; \
	fi

demo: setup
	$(BIN)/gridbot demo --config examples/zhenhai.toml

test: setup system-deps
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider

bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache gridbot-data tests/artifacts
