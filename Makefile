# Two commands do all the set-up on a fresh machine: `make run` and `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench clean prompts voice-tools

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "foad needs Python 3.11 or newer; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/foad db upgrade
	$(BIN)/foad agencies import --sample
	@$(MAKE) --no-print-directory prompts
	$(BIN)/foad serve

test: $(STAMP) voice-tools
	@command -v chromium >/dev/null || echo "note: no chromium on PATH, so the console's browser tests will be skipped (apt-get install chromium)"
	$(BIN)/python -m pytest

# The voice prompts are spoken by espeak-ng and converted by sox (Debian packages). As root
# with apt-get they are installed here; otherwise this says what to run, and `make run`
# starts without prompts (callers would hear silence where a prompt should be).
voice-tools:
	@if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing espeak-ng and sox (voice prompts)"; \
			apt-get install -y -q espeak-ng sox >/dev/null 2>&1 || \
				{ apt-get update -q >/dev/null && apt-get install -y -q espeak-ng sox >/dev/null; }; \
		else \
			echo "NOTE: the voice prompts need espeak-ng and sox: sudo apt-get install espeak-ng sox"; \
		fi; \
	fi

prompts: $(STAMP) voice-tools
	@if command -v espeak-ng >/dev/null && command -v sox >/dev/null; then \
		$(BIN)/foad prompts build; \
	else \
		echo "NOTE: prompts not built; install espeak-ng and sox, then run: make prompts"; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info
