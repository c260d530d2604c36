"""portcheck.lint: each rule fires on the mistake and stays quiet on faithful code.

Snippets are rewritten from the patterns in real questions (nnCostFunction
unrolling, ``lamb/2*m``, ``m = y.shape[1]``, captured theta in a gradient check).
A line ending in ``# <-`` is where the issue must be reported.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from portcheck.errors import PortError
from portcheck.lint import RULES, LintIssue, lint_file, lint_findings, lint_object, lint_source
from portcheck.report import KINDS, Finding

PACKAGE = Path(__file__).resolve().parent.parent / "portcheck"
GUIDE = PACKAGE.parent / "migration_guide"

# (rule, snippet): the snippet must produce `rule` on every line marked `# <-`.
FIRES = [
    ("reshape-order", """
        import numpy as np
        def nn_cost(nn_params, n_in, n_hid, n_lab):
            Theta1 = np.reshape(nn_params[:n_hid * (n_in + 1)], (n_hid, n_in + 1))  # <-
            Theta2 = nn_params[n_hid * (n_in + 1):].reshape(n_lab, n_hid + 1)  # <-
            return Theta1, Theta2
    """),
    ("reshape-order", """
        import numpy as np
        def unroll(Theta1_grad, Theta2_grad):
            return np.concatenate([Theta1_grad.ravel(),  # <-
                                   Theta2_grad.flatten()])  # <-
    """),
    ("reshape-order", """
        import numpy as np
        def debug_initialize_weights(fan_out, fan_in):
            W = np.sin(np.arange(1, fan_out * (fan_in + 1) + 1)) / 10
            return W.reshape(fan_out, fan_in + 1)  # <-
    """),
    ("reshape-order", """
        import numpy as np
        def unroll(Theta1, Theta2):
            return np.append(Theta1, Theta2)  # <-
    """),
    ("reshape-order", """
        import numpy as np
        def unroll(model):
            w = np.asarray(model['W1']).reshape(-1, 1)  # <-
            return w
    """),
    ("std-ddof", """
        import numpy as np
        def feature_normalize(X):
            mu = np.mean(X, axis=0)
            sigma = np.std(X, axis=0)  # <-
            return (X - mu) / sigma, mu, sigma
    """),
    ("std-ddof", """
        def spread(X):
            return X.var(axis=0)  # <-
    """),
    ("precedence", """
        import numpy as np
        def reg_cost(theta1, theta2, lamb, m):
            reg = np.sum(np.square(theta1)) + np.sum(np.square(theta2))
            return (lamb/2*m) * reg  # <-
    """),
    ("precedence", """
        def reg_term(theta, lam, X):
            return lam / 2.0 * X.shape[0] * (theta[1:] @ theta[1:])  # <-
    """),
    ("lambda-capture", """
        from scipy.optimize import minimize
        def train(cost, theta0, X, y, lam):
            return minimize(lambda t: cost(theta0, X, y, lam), theta0, jac=True)  # <-
    """),
    ("lambda-capture", """
        import numpy as np
        def check(nn_cost, nn_params, X, y, lam):
            cost_func = lambda p: nn_cost(nn_params, X, y, lam)  # <-
            return compute_numerical_gradient(cost_func, nn_params)
    """),
    ("lambda-capture", """
        import scipy.optimize as opt
        def fit(cost_grad, theta, X, y):
            def objective(t):  # <-
                return cost_grad(theta, X, y)
            return opt.fmin_l_bfgs_b(objective, theta)
    """),
    ("late-binding", """
        def make_costs(cost, lambdas):
            costs = []
            for lam in lambdas:
                costs.append(lambda t: cost(t, lam))  # <-
            return costs
    """),
    ("late-binding", """
        def one_vs_all(cost, X, y, K):
            objectives = {}
            for k in range(1, K + 1):
                def obj(t):  # <-
                    return cost(t, X, y == k)
                objectives[k] = obj
            return objectives
    """),
    ("late-binding", """
        def scaled(xs):
            return [lambda v: v * s for s in xs]  # <-
    """),
    ("example-count", """
        import numpy as np
        def J2(y_target, y_pred):
            m = y_target.shape[1]  # <-
            return -np.sum(y_target * np.log(y_pred)) / m
    """),
    ("example-count", """
        import numpy as np
        def cost(X, y, theta):
            m = np.size(X, 1)  # <-
            return np.sum((X @ theta - y) ** 2) / (2 * m)
    """),
    ("matmul-elementwise", """
        import numpy as np
        def backprop(Theta2, d3, z2):
            return np.dot(Theta2[:, 1:].T @ d3, sigmoid_gradient(z2))  # <-
    """),
    ("matmul-elementwise", """
        import numpy as np
        def backprop(delta3, Theta2, a2):
            return (delta3 @ Theta2) @ (a2 * (1 - a2))  # <-
    """),
    ("matmul-elementwise", """
        def forward(a1, Theta1):
            z2 = a1 * Theta1.T  # <-
            return z2
    """),
    ("matmul-elementwise", """
        import numpy as np
        def forward(X, W1):
            return np.multiply(X, W1)  # <-
    """),
    ("int-division", """
        import numpy as np
        def cost(h, y, m):
            return 1 // m * np.sum((h - y) ** 2)  # <-
    """),
    ("int-division", """
        def numerical_gradient(J, theta, k):
            e = 1e-4
            return (J(theta + e) - J(theta - e)) // (2 * e)  # <-
    """),
    ("int-division", """
        def mean_grad(total, X):
            total //= len(X)  # <-
            return total
    """),
    ("index-tuple", """
        import numpy as np
        def one_hot(y, K):
            m = y.shape[0]
            Y = np.zeros((m, K))
            Y[[np.arange(m), y - 1]] = 1  # <-
            return Y
    """),
    ("index-tuple", """
        def picked(P, rows, cols):
            return P[[rows, cols]]  # <-
    """),
    ("round-half", """
        import numpy as np
        def quantize(x):
            return np.round(x * 2) / 2  # <-
    """),
    ("round-half", """
        def split(m):
            return round(0.7 * m)  # <-
    """),
    ("rem-mod", """
        import numpy as np
        def wrap(k, n):
            # MATLAB: r = rem(k, n)
            r = k % n  # <-
            return r
    """),
    ("rem-mod", """
        import numpy as np
        def phase(t, period):
            rem_t = np.mod(t, period)  # <-
            return rem_t
    """),
]

# (rule, snippet): faithful code the rule must leave alone.
QUIET = [
    ("reshape-order", """
        import numpy as np
        def roll(nn_params, n_in, n_hid, y, X, theta, Theta1, data):
            T1 = np.reshape(nn_params[:n_hid * (n_in + 1)], (n_hid, n_in + 1), order='F')
            T2 = nn_params[:6].reshape(3, 2).T         # C-order reshape of the transpose: column-major
            v = Theta1.T.ravel()                        # Theta1(:)
            yc = y.reshape(-1, 1)
            yf = y.ravel()
            col = theta.reshape(-1, 1)
            t = np.asarray(theta, dtype=float).reshape(-1)
            xm = X.reshape(X.shape[0], 1)
            flat = data.reshape(data.shape[0], -1)      # cs231n-style, C order by design
            s = np.asarray(data).reshape(())
            both = np.append(y, 5)
            trials = np.asarray(data["trials"], dtype=float).reshape(len(n_in), 7)
            return T1, T2, v, yc, yf, col, t, xm, flat, s, both, trials
    """),
    ("std-ddof", """
        import numpy as np
        import statistics
        def feature_normalize(X, xs):
            return np.std(X, axis=0, ddof=1), X.var(ddof=1), statistics.stdev(xs), statistics.pvariance(xs)
    """),
    ("precedence", """
        import numpy as np
        def reg(lamb, m, theta, x):
            a = lamb / (2 * m) * np.sum(theta[1:] ** 2)
            b = (lamb / 2) * m
            c = lamb / 2 * np.sum(theta ** 2)
            d = x / 2 * theta
            return a, b, c, d
    """),
    ("lambda-capture", """
        from collections import defaultdict
        from scipy.optimize import minimize
        def train(cost, theta0, X, y, lam):
            counts = defaultdict(lambda: 0)
            key = sorted(X, key=lambda row: row[0])
            ignore = lambda _: cost(theta0, X, y, lam)
            def stub(t):
                raise NotImplementedError
            return minimize(lambda t: cost(t, X, y, lam), theta0, jac=True), counts, key, ignore, stub
    """),
    ("late-binding", """
        from scipy.optimize import minimize
        def one_vs_all(cost, X, y, K, theta0):
            out, fs = [], []
            for k in range(1, K + 1):
                res = minimize(lambda t: cost(t, X, y == k), theta0, jac=True)
                out.append(res.x)
                fs.append(lambda t, k=k: cost(t, X, y == k))
                ordered = sorted(X, key=lambda row: row[k])
            results = [minimize(lambda t: cost(t, X, y == k), theta0) for k in range(K)]
            return out, fs, ordered, results
    """),
    ("example-count", """
        import numpy as np
        def cost(X, y, data):
            m = X.shape[0]
            n = X.shape[1]
            k = y.shape[1]
            p = data.shape[1]
            return m, n, k, p
        def ufldl_cost(X):
            n = X.shape[0]      # features in rows, examples in columns: deliberate
            m = X.shape[1]
            return n, m
    """),
    ("matmul-elementwise", """
        import numpy as np
        def backprop(Theta1, Theta2, a1, a2, d3, z2, X, W1, lam, m):
            d2 = (d3 @ Theta2[:, 1:]) * sigmoid_gradient(z2)
            z = a1 @ Theta1.T
            sq = np.multiply(Theta1, Theta1)
            reg = lam / m * Theta1
            h = sigmoid(X @ W1)
            out = np.dot(a2, Theta2.T)
            return d2, z, sq, reg, h, out
    """),
    ("int-division", """
        def halves(n, m, x, shape):
            mid = n // 2
            rows = m // 2
            e = 1e-4
            blocks = shape[0] // 3
            return mid, rows, x / m, 1 / m, x / (2 * e), blocks
    """),
    ("index-tuple", """
        import numpy as np
        def pick(P, y, m, i, j):
            a = P[np.arange(m), y]
            b = P[[0, 2]]
            c = P[[i, j]]
            return a, b, c
    """),
    ("round-half", """
        import numpy as np
        def show(x, n_est, a):
            return np.round(x, 4), round(x, 3), int(round(n_est)), bool(np.all(a == np.round(a)))
    """),
    ("rem-mod", """
        import numpy as np
        def labels(k, n, name):
            # MATLAB mod(k, n)
            idx = k % n
            text = "%s: %d" % (name, idx)
            return idx, np.mod(k, n), text
    """),
]


def _marked_lines(src: str) -> list[int]:
    return [i for i, line in enumerate(src.splitlines(), start=1) if line.rstrip().endswith("# <-")]


@pytest.mark.parametrize(("rule", "snippet"), FIRES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(FIRES)])
def test_rule_fires_on_the_marked_lines(rule: str, snippet: str) -> None:
    src = textwrap.dedent(snippet)
    issues = lint_source(src, filename="port.py")
    got = sorted(i.line for i in issues if i.rule == rule)
    assert got == _marked_lines(src), "\n".join(str(i) for i in issues)
    # the rule is not drowned in others: any other issue would be a false alarm here
    assert all(i.rule == rule for i in issues), "\n".join(str(i) for i in issues)


@pytest.mark.parametrize(("rule", "snippet"), QUIET, ids=[r for r, _ in QUIET])
def test_rule_stays_quiet_on_faithful_code(rule: str, snippet: str) -> None:
    issues = lint_source(textwrap.dedent(snippet))
    assert issues == [], "\n".join(str(i) for i in issues)


def test_every_rule_has_a_firing_and_a_quiet_case_and_a_guide_page() -> None:
    assert {r for r, _ in FIRES} == set(RULES) == {r for r, _ in QUIET}
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)
        assert rule.severity in {"warning", "info"}
        assert (PACKAGE.parent / rule.guide).is_file(), f"{rule.id}: missing guide page {rule.guide}"


def test_issue_carries_position_message_fix_and_guide() -> None:
    src = "import numpy as np\n\ndef f(y, p):\n    m = y.shape[1]\n    return np.std(p)\n"
    issues = lint_source(src, filename="ports/cost.py")
    assert [(i.rule, i.line, i.col) for i in issues] == [("example-count", 4, 9), ("std-ddof", 5, 12)]
    first = issues[0]
    assert first.fix == "m = y.shape[0]"
    assert first.guide == "migration_guide/example-count.md"
    assert str(first) == (f"ports/cost.py:4:9: example-count: {first.message} ({first.fix}) "
                          f"[see {first.guide}: portcheck guide example-count]")
    d = first.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert {"rule", "line", "col", "message", "fix", "guide"} <= set(d)
    with pytest.raises(AttributeError):
        first.line = 3  # type: ignore[misc]


def test_round_half_is_info_and_the_rest_are_warnings() -> None:
    issues = lint_source("import numpy as np\nr = np.round(x)\ns = np.std(x)\n")
    assert {i.rule: i.severity for i in issues} == {"round-half": "info", "std-ddof": "warning"}


def test_suppression_comment_skips_named_rules_only() -> None:
    src = (
        "import numpy as np\n"
        "a = np.std(x)  # portcheck: ignore\n"
        "b = np.std(Theta1.ravel())  # portcheck: ignore[std-ddof]\n"
        "c = np.std(x)  # portcheck: ignore[reshape-order]\n"
    )
    assert [(i.rule, i.line) for i in lint_source(src)] == [("reshape-order", 3), ("std-ddof", 4)]


def test_rules_argument_selects_and_validates() -> None:
    src = "import numpy as np\nm = X.shape[1]\ns = np.std(X)\n"
    assert [i.rule for i in lint_source(src, rules=["std-ddof"])] == ["std-ddof"]
    with pytest.raises(KeyError, match="no-such-rule"):
        lint_source(src, rules=["no-such-rule"])


def test_unparsable_source_raises_port_error_with_line() -> None:
    with pytest.raises(PortError, match=r"bad\.py:2"):
        lint_source("x = 1\ndef f(:\n", filename="bad.py")


def test_lint_file_and_lint_object_locate_issues(tmp_path: Path) -> None:
    path = tmp_path / "myport.py"
    path.write_text(
        "import numpy as np\n\n"
        "def good(theta):\n    return np.std(theta, ddof=1)\n\n"
        "def bad(Theta1):\n    return Theta1.ravel()\n"
    )
    issues = lint_file(path)
    assert [(i.rule, i.line, i.file) for i in issues] == [("reshape-order", 7, str(path))]
    spec = importlib.util.spec_from_file_location("portcheck_lint_myport", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        assert lint_object(module.good) == []
        assert [i.line for i in lint_object(module.bad)] == [7]
        assert [i.line for i in lint_object(module)] == [7]
    finally:
        del sys.modules[spec.name]
    with pytest.raises(PortError, match="not available"):
        lint_object(len)
    with pytest.raises(PortError, match="check the path"):
        lint_file(tmp_path / "missing.py")


def test_lint_findings_are_report_findings(tmp_path: Path) -> None:
    src = "import numpy as np\nm = X.shape[1]\nr = np.round(x)\n"
    findings = lint_findings(src)
    assert all(isinstance(f, Finding) and f.kind == "lint" and f.kind in KINDS for f in findings)
    assert [(f.severity, f.evidence["rule"], f.evidence["line"]) for f in findings] == [
        ("warning", "example-count", 2), ("info", "round-half", 3)
    ]
    assert all(f.block is None and f.output is None for f in findings)
    assert {"rule", "line", "col", "file"} <= set(findings[0].evidence)
    assert "shape[0]" in findings[0].message
    path = tmp_path / "p.py"
    path.write_text(src)
    assert [f.evidence for f in lint_findings(path)] == [
        {**f.evidence, "file": str(path)} for f in findings
    ]
    assert lint_findings(lint_source(src)) == findings


# ----------------------------------------------------------------------------
# no false alarms on faithful code


def _faithful_example_files() -> list[Path]:
    return sorted(p for p in (PACKAGE / "examples").glob("*.py"))


def _own_source_files() -> list[Path]:
    broken = PACKAGE / "examples" / "broken"
    return sorted(p for p in PACKAGE.rglob("*.py") if broken not in p.parents)


@pytest.mark.parametrize("path", _faithful_example_files(), ids=lambda p: p.name)
def test_no_issue_on_faithful_ports(path: Path) -> None:
    issues = lint_file(path)
    assert issues == [], "\n".join(str(i) for i in issues)


def test_no_issue_on_portchecks_own_source() -> None:
    files = _own_source_files()
    assert PACKAGE / "lint" / "_checker.py" in files and PACKAGE / "octave.py" in files
    issues = [i for p in files for i in lint_file(p)]
    assert issues == [], "\n".join(str(i) for i in issues)


# ----------------------------------------------------------------------------
# the broken gallery: mistakes a linter can see are flagged where they live

# Rules the gallery's prose implies where its quoted code cannot show them alone
# (a lone `np.round` or `%` is not a call; a closure needs its loop around it).
_PROSE_RULES = [
    (re.compile(r"``np\.(round|around)``"), "round-half"),
    (re.compile(r"MATLAB's ``rem``"), "rem-mod"),
    (re.compile(r"``np\.(std|var)``'s default"), "std-ddof"),
    (re.compile(r"when\s+it\s+is\s+\*?called\*?|late[- ]binding", re.I), "late-binding"),
    (re.compile(r"``//``"), "int-division"),
]
_CODE_SPAN = re.compile(r"``(.+?)``", re.S)


def _gallery_functions() -> list[tuple[str, object, Path]]:
    """(module.function, function, file) for every public function in broken/*.py."""
    folder = PACKAGE / "examples" / "broken"
    out = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"portcheck.examples.broken.{path.stem}")
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_"):
                out.append((f"{path.stem}.{name}", fn, path))
    return out


def _gallery_mistakes() -> dict[object, str]:
    """Broken port -> its BrokenCase.mistake, for every GALLERY the modules list."""
    out: dict[object, str] = {}
    folder = PACKAGE / "examples" / "broken"
    for path in sorted(folder.glob("*.py")):
        module = importlib.import_module(
            "portcheck.examples.broken" + ("" if path.stem == "__init__" else f".{path.stem}")
        )
        for case in getattr(module, "GALLERY", ()) or ():
            out[case.port] = case.mistake
    return out


def _expected_rules(fn: object, mistakes: dict[object, str]) -> set[str]:
    """Rules the mistake's own description triggers: its quoted code, linted alone, plus prose cues.

    Only the part before "Fix:" counts, so the quoted fix never sets expectations.
    """
    doc = (inspect.getdoc(fn) or "").split("Fix:")[0] + "\n" + mistakes.get(fn, "")
    expected = {rule for pattern, rule in _PROSE_RULES if pattern.search(doc)}
    for span in _CODE_SPAN.findall(doc):
        try:
            expected |= {i.rule for i in lint_source(" ".join(span.split()))}
        except PortError:
            continue  # prose in backquotes, or a fragment such as ``%``
    return expected


def _delegates(fn: object) -> bool:
    """The body is ``return _helper(..., flag=...)``: the mistake lives in shared code, out of sight."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    body = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return (
        len(body) == 1
        and isinstance(body[0], ast.Return)
        and isinstance(body[0].value, ast.Call)
        and isinstance(body[0].value.func, ast.Name)
        and body[0].value.func.id.startswith("_")
    )


def test_broken_gallery_lintable_mistakes_are_flagged() -> None:
    functions = _gallery_functions()
    assert functions, "portcheck/examples/broken/ holds no gallery functions"
    mistakes = _gallery_mistakes()
    checked, missed = [], []
    for label, fn, _path in functions:
        expected = _expected_rules(fn, mistakes)
        if not expected or _delegates(fn):
            continue
        found = {i.rule for i in lint_object(fn)}
        checked.append(label)
        missed += [f"{label}: expected {rule}, lint found {sorted(found) or 'nothing'}" for rule in expected - found]
    assert not missed, "\n".join(missed)
    # The gallery holds at least these statically visible mistakes; keep them visible.
    assert len(checked) >= 10, checked
