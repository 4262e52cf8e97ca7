"""The gradient flow dU/dt = -2 A*(A(UU^T) - y) U with scipy's stiff integrators (LSODA and Radau,
each given the analytic Jacobian), the reference for our RODAS4 (`GradientFlow`, `.stiff`/`.automatic`).

  python3 Benchmarks/stiff_reference.py fixture PROBLEM.json --init-norm 1e-5 --seed 1 --T 1e6 > FIXTURE.json
      the problem file with "flow": {U0, T} (U0 = a G/|G|_F, G drawn as FactorInitialization.gaussian
      draws it, by the independent xoshiro256** of Tests/Fixtures/xoshiro256starstar.py) and a
      "reference" with X_T from Radau and from LSODA at rtol 1e-10 (atol 1e-10 |U0|_F / sqrt(N),
      ours), their steps, evaluations and seconds, and how far apart the two are.
  python3 Benchmarks/stiff_reference.py bench FILE [FILE...]
      for each problem file with a "flow".U0: LSODA and Radau from U0 until the flow is stationary,
      |r|/|y| <= 1e-8 and t |dX/dt|_F / |X|_F <= 1e-6 (a terminal event), or t = 1e10; one JSON
      object keyed by file name (the bench's reference side; factorize-bench runs ours to the same test).

The measurement convention is the problem files': A(X)_k = <A_k, X> with A_k the k-th n x n matrix
("measurements", row-major), or for completion A_k = (E_ij + E_ji)/2 on the entry (i, j).
"""
import json
import math
import os
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

RTOL = 1e-10
RESIDUAL_TOLERANCE = 1e-8
STATIONARITY_TOLERANCE = 1e-6
MAX_TIME = 1e10


def operators(problem):
    n = problem["n"] if "n" in problem else problem["rows"]
    if problem["kind"] == "sensing":
        A = np.array(problem["measurements"], dtype=float).reshape(-1, n, n)
        y = np.array(problem["y"], dtype=float)
    else:
        entries = problem["entries"]
        A = np.zeros((len(entries), n, n))
        for k, (i, j, _) in enumerate(entries):
            A[k, i, j] += 0.5
            A[k, j, i] += 0.5
        y = np.array([v for _, _, v in entries], dtype=float)
    return n, A, y


def flow(A, y, n, d):
    """F, its Jacobian and the residual, on u = U.ravel() (row-major)."""

    def residual(u):
        U = u.reshape(n, d)
        return np.tensordot(A, U @ U.T, axes=([1, 2], [0, 1])) - y

    def rhs(_t, u):
        U = u.reshape(n, d)
        S = np.tensordot(residual(u), A, axes=(0, 0))
        return (-2 * S @ U).ravel()

    def jacobian(_t, u):
        U = u.reshape(n, d)
        B = (A @ U).reshape(len(y), n * d)  # rows vec(A_k U), row-major
        S = np.tensordot(residual(u), A, axes=(0, 0))
        return -4 * B.T @ B - 2 * np.kron(S, np.eye(d))

    return rhs, jacobian, residual


def stationarity(A, y, n, d, rhs, residual):
    norm_y = np.linalg.norm(y)

    def event(t, u):
        U = u.reshape(n, d)
        V = rhs(t, u).reshape(n, d)
        X = U @ U.T
        speed = t * np.linalg.norm(V @ U.T + U @ V.T) / max(np.linalg.norm(X), 1e-300)
        relres = np.linalg.norm(residual(u)) / norm_y
        # Below zero once both tests hold; the terminal event fires at the first step where they do.
        return max(relres / RESIDUAL_TOLERANCE, speed / STATIONARITY_TOLERANCE) - 1

    event.terminal = True
    event.direction = -1
    return event


def integrate(method, problem, U0, T, stop=False):
    n, A, y = operators(problem)
    d = U0.shape[1]
    rhs, jacobian, residual = flow(A, y, n, d)
    atol = RTOL * np.linalg.norm(U0) / math.sqrt(n * d)
    events = [stationarity(A, y, n, d, rhs, residual)] if stop else None
    start, cpu = time.perf_counter(), time.process_time()
    solution = solve_ivp(rhs, (0, T), U0.ravel(), method=method, jac=jacobian, rtol=RTOL, atol=atol, events=events)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    u = solution.y[:, -1]
    U = u.reshape(n, d)
    X = U @ U.T
    return {
        "method": method,
        "success": bool(solution.success),
        "status": int(solution.status),
        "time": float(solution.t[-1]),
        "steps": int(len(solution.t) - 1),
        "evaluations": int(solution.nfev),
        "jacobians": int(solution.njev),
        "factorizations": int(solution.nlu),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "relative_residual": float(np.linalg.norm(residual(u)) / np.linalg.norm(y)),
        "nuclear_norm": float(np.trace(X)),
        "X": X.ravel().tolist(),
    }


def gaussian_start(n, d, norm, seed):
    """FactorInitialization.gaussian: G row-major from RandomSource(seed, stream 3), U0 = norm G/|G|_F."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "xoshiro256starstar.py")
    source = open(path).read().split("# Cross-check")[0]
    scope = {}
    exec(source, scope)
    g = np.array(scope["Xoshiro"](seed, 3).normals(n * d)).reshape(n, d)
    return norm * g / np.linalg.norm(g)


def fixture(path, init_norm, seed, T):
    problem = json.load(open(path))
    n = problem["n"]
    U0 = gaussian_start(n, n, init_norm, seed)
    radau = integrate("Radau", problem, U0, T)
    lsoda = integrate("LSODA", problem, U0, T)
    Xr, Xl = np.array(radau["X"]), np.array(lsoda["X"])
    problem["name"] = f"flow-n{n}-r2-m{len(problem['y'])}"
    problem["flow"] = {"loss": "f(U) = 1/2 ||A(U U^T) - y||^2", "U0": U0.ravel().tolist(), "T": T,
                       "init_norm": init_norm, "seed": seed}
    problem["reference"] = {
        "solver": f"scipy {__import__('scipy').__version__} solve_ivp Radau and LSODA, analytic Jacobian, rtol {RTOL}, "
                  f"atol rtol*|U0|_F/sqrt(N); written by Benchmarks/stiff_reference.py",
        "X_T": radau["X"],
        "X_T_LSODA": lsoda["X"],
        "Radau_LSODA_max_difference": float(np.max(np.abs(Xr - Xl))),
        "relative_residual_X_T": radau["relative_residual"],
        "nuclear_norm_X_T": radau["nuclear_norm"],
        "runs": [{k: v for k, v in r.items() if k != "X"} for r in (radau, lsoda)],
    }
    json.dump(problem, sys.stdout)


def bench(paths):
    out = {}
    for path in paths:
        problem = json.load(open(path))
        n = problem["n"] if "n" in problem else problem["rows"]
        U0 = np.array(problem["flow"]["U0"], dtype=float).reshape(n, -1)
        out[os.path.basename(path)] = {
            m: {k: v for k, v in integrate(m, problem, U0, MAX_TIME, stop=True).items()} for m in ("LSODA", "Radau")
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "fixture":
        args = sys.argv[3:]
        options = dict(zip(args[::2], args[1::2]))
        fixture(sys.argv[2], float(options.get("--init-norm", 1e-5)), int(options.get("--seed", 1)), float(options.get("--T", 1e6)))
    elif sys.argv[1] == "bench":
        bench(sys.argv[2:])
    else:
        sys.exit(__doc__)
