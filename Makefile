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
	$(PORTAL) build
	@$(MAKE) --no-print-directory serve

# The site at http://$(HOST):$(PORT)/ and the admin at /admin/, with two task workers:
# one rebuilds the site after a publish, the other sends mail, syncs the akiya bank…;
# every minute, due LINE deliveries and the analytics rollup (in production:
# deploy/systemd timers).
serve: $(STAMP)
	@echo "Public site: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/"
	@$(PORTAL) db_worker --backend background --queue-name publishing --no-reload \
		--verbosity 0 & builds=$$!; \
	$(PORTAL) db_worker --backend background --queue-name '*' \
		--exclude-queues publishing --no-reload --verbosity 0 & others=$$!; \
	while sleep 60; do $(PORTAL) line_send_due >/dev/null 2>&1; \
		$(PORTAL) analytics rollup >/dev/null 2>&1; done & periodic=$$!; \
	trap 'kill $$builds $$others $$periodic 2>/dev/null' EXIT INT TERM; \
	$(PORTAL) runserver --noreload $(HOST):$(PORT)

test: $(STAMP) chromium node_modules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m tests.run

# Browser tests drive Debian's Chromium (with Japanese fonts, for screenshots and
# the manuals' pictures). Installed here when we may (root with apt-get); otherwise
# the browser tests say they are skipped (CI requires them).
APT_PACKAGES := chromium fonts-noto-cjk
chromium:
	@if [ -x "$(CHROMIUM)" ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's $(APT_PACKAGES) for the browser tests..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q $(APT_PACKAGES) >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 \
			&& apt-get install -y -q $(APT_PACKAGES) >/dev/null 2>&1) \
		|| echo "Could not install $(APT_PACKAGES): the browser tests will be skipped."; \
	else \
		echo "No $(CHROMIUM) and no way to install it here (needs root and apt-get):"; \
		echo "the browser tests will be skipped. Install it with: apt-get install $(APT_PACKAGES)"; \
	fi

# axe-core (accessibility checks in tests/theme) and Lighthouse (bench/lighthouse.py)
# from the npm registry, at the versions package-lock.json pins.
node_modules: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch node_modules; \
	else \
		echo "No npm here: the accessibility tests will be skipped (CI requires them)."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/portal.sqlite3* var/static var/media var/outbox var/build var/site node_modules
