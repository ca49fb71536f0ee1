#!/usr/bin/env bash
# CI for the httpx2 twin (meetingbooster_async_httpx2): the committed twin is what
# tools/generate_httpx2.py makes from meetingbooster_async/, it lints and type-checks, the whole
# test suite passes against it, and the README's twin quick start runs with no legacy httpx.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv-httpx2
# shellcheck disable=SC1091
. .venv-httpx2/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e '.[httpx2,test]' --group dev

echo "== twin up to date";     python tools/generate_httpx2.py --check
echo "== ruff check (twin)";   ruff check meetingbooster_async_httpx2 tools
echo "== mypy --strict (twin)"; mypy --strict meetingbooster_async_httpx2
echo "== tests_httpx2/ (the whole suite, generated, against the twin)"
python tools/generate_httpx2.py --tests
# Two workers, like the httpx suite (1,588 tests passed under -n 2 in 3m54s on 2 cores, the
# httpx suite's 1,574 in 3m48s; 7m41s when two other suites shared the cores. The storms' bounds
# hold once the core's request path no longer sends near-expiry tokens).
python -m pytest -q -n 2 -p no:cacheprovider -m "not processes" tests_httpx2
# And again at the lowest httpx2/httpcore2 the twin allows: their pools differ (httpcore2 2.17
# checks an idle connection when it assigns it, 2.16 in has_expired()), and both must hold.
lowest=$(sed -nE 's/.*"httpx2>=([0-9.]+).*/\1/p' pyproject.toml)
echo "== tests_httpx2/ at the lowest httpx2 ($lowest; httpcore2 releases with it)"
python -m pip install --quiet "httpx2==$lowest" "httpcore2==$lowest"
python -m pip list 2>/dev/null | grep -iE '^(httpx2|httpcore2) '
python -m pytest -q -n 2 -p no:cacheprovider -m "not processes" tests_httpx2
deactivate

echo "== README twin quick start, in a venv without legacy httpx"
rm -rf .venv-nohttpx
python3 -m venv .venv-nohttpx
# Our distribution without its dependencies, then the twin's runtime ones (httpx left out; pip
# then says the base package's httpx requirement is not installed: that is the point).
.venv-nohttpx/bin/python -m pip install --quiet --upgrade pip
.venv-nohttpx/bin/python -m pip install --quiet --no-deps .
.venv-nohttpx/bin/python -m pip install --quiet 'httpx2>=2.16.2,<3' 'attrs>=23.1' 'cattrs>=24.1' \
    'anyio>=4.5' 'sniffio>=1.3'
quickstart=$(mktemp --suffix=.py)
python3 - "$quickstart" <<'PY'
import re, sys
readme = open("README.md").read()
section = readme.split("## httpx or httpx2?", 1)[1]
code = re.search(r"```python\n(.+?)\n```", section, re.DOTALL).group(1)
check = (
    "\nimport sys\n"
    "legacy = sorted(m for m in sys.modules if m.split('.')[0] in {'httpx', 'httpcore'})\n"
    "assert not legacy, legacy\n"
    "print('no legacy httpx imported')\n"
)
open(sys.argv[1], "w").write(code + check)
PY
(cd "$(mktemp -d)" && "$OLDPWD/.venv-nohttpx/bin/python" -c 'import importlib.util as u; assert u.find_spec("httpx") is None, "httpx is installed"' \
    && "$OLDPWD/.venv-nohttpx/bin/python" -W error "$quickstart")
rm -rf .venv-nohttpx "$quickstart"
