"""portcheck inside a real Jupyter kernel (ipykernel through jupyter_client), as a notebook runs it."""

from __future__ import annotations

import os
import queue
from pathlib import Path

import pytest

jupyter_client = pytest.importorskip("jupyter_client", reason="the dev extras install jupyter_client")
pytest.importorskip("ipykernel", reason="the dev extras install ipykernel")

ROOT = Path(__file__).resolve().parents[1]


class Kernel:
    """One running kernel; ``run`` returns what a notebook cell would show."""

    def __init__(self) -> None:
        from jupyter_client.manager import start_new_kernel

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.km, self.kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT), startup_timeout=120)

    def run(self, code: str, timeout: float = 300) -> dict:
        msg_id = self.kc.execute(code)
        out: dict = {"stdout": "", "stderr": "", "displays": [], "error": None}
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"the kernel did not finish within {timeout} s:\n{code}") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out[content["name"]] += content["text"]
            elif kind in ("display_data", "execute_result", "update_display_data"):
                out["displays"].append(content["data"])
            elif kind == "error":
                out["error"] = content
            elif kind == "status" and content["execution_state"] == "idle":
                return out

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    try:
        yield k
    finally:
        k.close()


def test_report_text_and_repr_in_a_kernel(kernel):
    res = kernel.run("""
import portcheck
from portcheck.report import Finding, Report
f = Finding("sign", "error", "the port's grad is the negated reference", output="grad")
r = Report("compare", "costFunction vs port", findings=(f,))
print(repr(str(r)))
f
""")
    assert res["error"] is None, res["error"]
    assert "costFunction vs port" in res["stdout"] and "FAIL" in res["stdout"]
    assert "the port's grad is the negated reference" in res["stdout"]
    shown = res["displays"][-1]
    assert shown["text/plain"].startswith("<Finding error sign [grad]")
    assert "<code>sign</code>" in shown["text/html"]


@pytest.mark.octave
def test_assertion_messages_carry_the_report_in_a_kernel(kernel):
    res = kernel.run("""
import portcheck, numpy as np
from portcheck.examples import ex4
from portcheck.examples.broken import nn
with portcheck.Octave() as oc:
    try:
        portcheck.assert_port("nnCostFunction", nn.nn_cost_c_order, args=ex4.CASES[0].make_args(),
                              octave=oc, layout=ex4.NN_LAYOUT)
    except AssertionError as exc:
        print("PORT:", str(exc))
try:
    portcheck.assert_gradient(lambda x: (float(x @ x), 5.0 * x), np.array([1.0, 2.0, 3.0, 4.0]))
except AssertionError as exc:
    print("GRAD:", str(exc))
""")
    assert res["error"] is None, res["error"]
    port_msg = res["stdout"].split("PORT:", 1)[1].split("GRAD:", 1)[0]
    assert "unroll-order" in port_msg and "order='F'" in port_msg
    grad_msg = res["stdout"].split("GRAD:", 1)[1]
    assert "FAIL" in grad_msg and "ERROR   scale" in grad_msg


@pytest.mark.octave
def test_a_suite_shows_progress_in_a_notebook(kernel):
    res = kernel.run("""
import portcheck
from portcheck.suite import load_suite, run_suite
result = run_suite(load_suite("examples/portcheck.toml"), only=["faithful nnCostFunction (debug recipe)",
                   "student nnCostFunction (factory inputs)"])
print("OK" if result.expectations_met else "NOT MET")
""")
    assert res["error"] is None, res["error"]
    assert res["stdout"].strip().endswith("OK")
    lines = [d.get("text/plain", "") for d in res["displays"]]
    assert any(ln.startswith("portcheck: 0/2 checks") for ln in lines), lines
    assert lines[-1].startswith("portcheck: 2/2 checks") and lines[-1].endswith("done")
    assert "<progress" in res["displays"][-1]["text/html"]
