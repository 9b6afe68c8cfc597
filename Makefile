# Two commands do all the set-up on a fresh machine: `make run` and `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench clean prompts voice-tools browser-tools unit-tools pdf-tools

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "foad needs Python 3.11 or newer; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools notes every editable install ("folders ... may take precedence"): a note, not a fault.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP) pdf-tools
	$(BIN)/foad db upgrade
	$(BIN)/foad agencies import --sample
	@$(MAKE) --no-print-directory prompts
	$(BIN)/foad serve --local-twilio

test: $(STAMP) voice-tools browser-tools unit-tools pdf-tools
	$(BIN)/python -m pytest

# $(call apt-install,PACKAGES,WHAT NEEDS THEM): as root with apt-get, install the Debian
# PACKAGES (reading the package lists again only if the first try fails); otherwise, or if
# that fails too, say what to run and go on without them.
define apt-install
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	echo "installing $(1) ($(2))"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get install -y -q $(1) >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(1) >/dev/null 2>&1; } || \
		echo "NOTE: could not install $(1) ($(2)): apt-get install $(1)"; \
else \
	echo "NOTE: $(2) need $(1): sudo apt-get install $(1)"; \
fi
endef

# The voice prompts are spoken by espeak-ng and converted by sox (Debian packages). Without
# them `make run` starts without prompts (callers would hear silence where a prompt should be).
voice-tools:
	@if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then \
		$(call apt-install,espeak-ng sox,the voice prompts); \
	fi

# The console's browser tests drive Debian's Chromium (`chromium`, or `chromium-browser` as
# tests/console/browser.py also accepts; Playwright's own browser download cannot work here),
# and Noto gives it Persian glyphs for the screenshots. Without Chromium those tests fail,
# saying what to install.
browser-tools:
	@if ! { command -v chromium || command -v chromium-browser; } >/dev/null || \
		{ command -v dpkg >/dev/null && ! dpkg -s fonts-noto-core >/dev/null 2>&1; }; then \
		$(call apt-install,chromium fonts-noto-core,the console's browser tests); \
	fi

# The tests check the systemd units in deploy/systemd with `systemd-analyze verify` (Debian's
# systemd package); without it they still read them strictly and check every command they run.
unit-tools:
	@if ! command -v systemd-analyze >/dev/null; then \
		$(call apt-install,systemd,the systemd unit checks); \
	fi

# The report cards' PDFs are drawn by WeasyPrint, which needs Debian's Pango at run time, in
# Noto Naskh Arabic (fonts-noto-core); their test turns them into text and images with
# poppler-utils. Without Pango the PDF link answers 503 and says why; without poppler-utils
# that test fails, saying what to install.
pdf-tools:
	@if ! { command -v dpkg >/dev/null && dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils \
			>/dev/null 2>&1; }; then \
		$(call apt-install,libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core poppler-utils,the report card PDFs); \
	fi

# Every bench on PostgreSQL (DATABASE_URL, default the local server's "test" database: each
# bench makes a throwaway schema) with Redis servers of their own; one summary table at the end.
# `.venv/bin/python bench/all.py --quick` is a short smoke run of them all.
bench: $(STAMP)
	$(BIN)/python bench/all.py

prompts: $(STAMP) voice-tools
	@if command -v espeak-ng >/dev/null && command -v sox >/dev/null; then \
		$(BIN)/foad prompts build; \
	else \
		echo "NOTE: prompts not built; install espeak-ng and sox, then run: make prompts"; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info
