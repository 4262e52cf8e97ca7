"""The same work as factorize-bench, in numpy (and cvxpy when installed), timed the same way.

Prints one JSON object: the OpenBLAS threads numpy uses; seconds per gradient-descent iteration at
n=50, m=300, d=50; seconds per run-iteration of a 30-run sweep (numpy advances the runs one after
another); then, unless NUMPY_REFERENCE_PARTS=descent, the cvxpy solve of the minimum nuclear norm
when cvxpy is importable, scipy's gradient flow and a MovieLens iteration.
"""
import json
import os
import sys
import time

import numpy as np

n, m = 50, 300
rng = np.random.default_rng(0)
G = rng.standard_normal((m, n, n))
A = (G + G.transpose(0, 2, 1)) / (2 * np.sqrt(m))
W = rng.standard_normal((n, 2))
Xstar = W @ W.T
Xstar /= np.linalg.norm(Xstar)
y = np.tensordot(A, Xstar, axes=([1, 2], [0, 1]))
eta = 1e-3


def step(U):
    X = U @ U.T
    r = np.tensordot(A, X, axes=([1, 2], [0, 1])) - y
    S = np.tensordot(r, A, axes=(0, 0))
    return U - eta * 2 * (S @ U)


def start(d, seed):
    g = np.random.default_rng(seed).standard_normal((n, d))
    return 1e-4 * g / np.linalg.norm(g)


out = {}
# numpy's OpenBLAS runs one thread per core unless OPENBLAS_NUM_THREADS says otherwise.
out["blas_threads"] = int(os.environ.get("OPENBLAS_NUM_THREADS") or os.cpu_count())
U = start(n, 1)
for _ in range(20):
    U = step(U)
K = 300
t = time.perf_counter()
for _ in range(K):
    U = step(U)
out["gd_iteration_seconds"] = (time.perf_counter() - t) / K

runs = [start(d, s) for d in (1, 2, 3, 4, 5, 6, 8, 10, 15, 20) for s in (1, 2, 3)]
K = 60
t = time.perf_counter()
for _ in range(K):
    runs = [step(u) for u in runs]
out["sweep_run_iteration_seconds"] = (time.perf_counter() - t) / (K * len(runs))
if os.environ.get("NUMPY_REFERENCE_PARTS") == "descent":
    json.dump(out, sys.stdout)
    sys.exit(0)

try:
    import cvxpy as cp

    X = cp.Variable((n, n), PSD=True)
    problem = cp.Problem(cp.Minimize(cp.trace(X)), [A.reshape(m, n * n) @ cp.vec(X, order="C") == y])
    solver = "CLARABEL" if "CLARABEL" in cp.installed_solvers() else "SCS"
    t = time.perf_counter()
    problem.solve(solver=solver)
    out["cvxpy_seconds"] = time.perf_counter() - t
    out["cvxpy_solver"] = solver
    out["cvxpy_nuclear_norm"] = float(problem.value)
except ImportError:
    out["cvxpy_seconds"] = None

# The gradient flow on a 3×3 completion instance (entries 00=1, 01=1/9, 02=1/9, 11=1), to T = 100,
# with scipy's RK45 (the same Dormand–Prince pair) at rtol 1e-10, atol 1e-10·‖U0‖/3.
try:
    from scipy.integrate import solve_ivp

    entries = [(0, 0, 1.0), (0, 1, 1 / 9), (0, 2, 1 / 9), (1, 1, 1.0)]
    G = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3], [-0.6, 0.2, 0.1]])
    U0 = 1e-3 * G / np.linalg.norm(G)

    def flow_rhs(_t, u):
        U = u.reshape(3, 3)
        X = U @ U.T
        S = np.zeros((3, 3))
        for i, j, v in entries:
            r = X[i, j] - v
            if i == j:
                S[i, i] += r
            else:
                S[i, j] += r / 2
                S[j, i] += r / 2
        return (-2 * S @ U).ravel()

    t = time.perf_counter()
    solution = solve_ivp(flow_rhs, (0, 100), U0.ravel(), method="RK45", rtol=1e-10, atol=1e-10 * 1e-3 / 3)
    out["flow_seconds"] = time.perf_counter() - t
    out["flow_evaluations"] = int(solution.nfev)
    U = solution.y[:, -1].reshape(3, 3)
    out["flow_nuclear_norm"] = float(np.trace(U @ U.T))
except ImportError:
    out["flow_seconds"] = None

# The flow to stationarity with scipy's stiff integrators, LSODA and Radau with the analytic Jacobian
# (stiff_reference.py: |r|/|y| <= 1e-8 and t |dX/dt|/|X| <= 1e-6, or t = 1e10, rtol 1e-10), on the
# 3x3 instance above and the n = 20 sensing fixture, as factorize-bench runs ours. Radau on the n = 20
# flow takes more than 25 minutes of CPU (its Newton iterations in Python, a 400 x 400 complex LU each),
# so it runs only with BENCH_RADAU=1.
try:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import stiff_reference

    square = {"kind": "completion", "rows": 3, "entries": [list(e) for e in entries]}
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "flow-n20-r2-m120.json")
    sensing20 = json.load(open(fixture))
    instances = {"3x3": (square, U0), "n20": (sensing20, np.array(sensing20["flow"]["U0"]).reshape(20, 20))}
    out["stiff_flows"] = {
        name: {method: {k: v for k, v in stiff_reference.integrate(method, problem, start, stiff_reference.MAX_TIME, stop=True).items() if k != "X"}
               for method in ("LSODA", "Radau") if method == "LSODA" or name == "3x3" or os.environ.get("BENCH_RADAU") == "1"}
        for name, (problem, start) in instances.items()
    }
except ImportError:
    out["stiff_flows"] = None

# One MovieLens-100k gradient-descent iteration on X = UVᵀ (d = 943) with scipy.sparse, when the
# data is present ($MOVIELENS_DIR, else data/ml-100k).
folder = os.environ.get("MOVIELENS_DIR", "data/ml-100k")
try:
    import scipy.sparse as sp

    ratings = np.loadtxt(os.path.join(folder, "ua.base"), dtype=np.int64)
    rows, cols, vals = ratings[:, 0] - 1, ratings[:, 1] - 1, ratings[:, 2].astype(float)
    d = 943
    g = np.random.default_rng(0)
    Um = 1e-3 * g.standard_normal((943, d)) / np.sqrt(2 * 943 * d)
    Vm = 1e-3 * g.standard_normal((1682, d)) / np.sqrt(2 * 1682 * d)

    def movielens_step(U, V):
        r = np.einsum("ij,ij->i", U[rows], V[cols]) - vals
        S = sp.csr_matrix((r, (rows, cols)), shape=(943, 1682))
        return U - 1e-2 / 12.0 * (S @ V), V - 1e-2 / 12.0 * (S.T @ U)

    Um, Vm = movielens_step(Um, Vm)
    t = time.perf_counter()
    for _ in range(5):
        Um, Vm = movielens_step(Um, Vm)
    out["movielens_iteration_seconds"] = (time.perf_counter() - t) / 5
except (ImportError, OSError):
    out["movielens_iteration_seconds"] = None

json.dump(out, sys.stdout)
