# Two commands: `make demo` (set up and serve the portal) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORTAL := $(BIN)/portal
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install lint format clean serve chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PORTAL) migrate --noinput
	$(PORTAL) load_demo
	$(PORTAL) collectstatic --noinput --verbosity 0
	$(PORTAL) runserver $(HOST):$(PORT)

serve: $(STAMP)
	$(PORTAL) runserver $(HOST):$(PORT)

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/python -m tests.run

# Browser tests drive Debian's Chromium. Installed here when we may (root with
# apt-get); otherwise the browser tests say they are skipped (CI requires them).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q chromium >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) \
		|| echo "Could not install chromium: the browser tests will be skipped."; \
	else \
		echo "No $(CHROMIUM) and no way to install it here (needs root and apt-get):"; \
		echo "the browser tests will be skipped. Install it with: apt-get install chromium"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/portal.sqlite3* var/static var/media var/outbox
