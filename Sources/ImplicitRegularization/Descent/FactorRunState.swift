import LinearAlgebra

/// One run of gradient descent on `f(U) = ½‖A(UUᵀ) − y‖²` (equation (2)): its factor, its
/// workspace, and the steps of one iteration that do not touch the measurement operator.
///
/// `FactorizedGradientDescent` drives one run with matrix–vector products;
/// `BatchedGradientDescent` drives many with matrix–matrix products. Both use this type for the
/// rest, so the two compute the same iterates.
struct FactorRunState {
    var u: Matrix
    let policy: StepPolicy
    /// The run's account under its stopping rule.
    private(set) var tracker: StoppingRule.Tracker
    /// Σ η_k over the steps taken: the time of the gradient flow that the iterates approximate.
    var elapsedTime = 0.0
    /// X = UUᵀ (upper triangle current after `packIterate`).
    private var x: Matrix
    /// A*(r) in full.
    private var adjoint: Matrix
    /// D = −∇f(U) = −2 A*(r) U.
    private(set) var direction: Matrix
    private var scratch: Matrix

    init(initialFactor: Matrix, policy: StepPolicy, stopping: StoppingRule, observationNorm: Double) {
        let n = initialFactor.rows
        u = initialFactor
        self.policy = policy
        tracker = StoppingRule.Tracker(rule: stopping, observationNorm: observationNorm)
        x = Matrix(rows: n, columns: n)
        adjoint = Matrix(rows: n, columns: n)
        direction = Matrix(rows: n, columns: initialFactor.columns)
        scratch = Matrix(rows: n, columns: n)
    }

    /// Writes `svec(UUᵀ)` into `out` (BLAS `dsyrk`, then the packing).
    mutating func packIterate(into out: UnsafeMutableBufferPointer<Double>) {
        Matrix.syrk(1, u, 0, into: &x)
        SymmetricPacking.pack(x, into: out)
    }

    /// Records `‖A(UUᵀ) − y‖`; true while the run goes on.
    mutating func observe(residualNorm norm: Double) -> Bool { tracker.observe(residualNorm: norm) }

    /// Sets `D = −2 A*(r) U` from `svec(A*(r))` (BLAS `dsymm`).
    mutating func computeDirection(adjointPacked g: UnsafeBufferPointer<Double>) {
        SymmetricPacking.unpack(g, into: &adjoint)
        Matrix.symm(-2, adjoint, u, 0, into: &direction)
    }

    /// Writes `svec(UDᵀ + DUᵀ)` and `svec(DDᵀ)`, whose images under A are the line search's a and b.
    mutating func packLineSearch(first: UnsafeMutableBufferPointer<Double>, second: UnsafeMutableBufferPointer<Double>) {
        Matrix.syr2k(1, u, direction, 0, into: &scratch)
        SymmetricPacking.pack(scratch, into: first)
        Matrix.syrk(1, direction, 0, into: &scratch)
        SymmetricPacking.pack(scratch, into: second)
    }

    /// `U ← U + η D`.
    mutating func step(_ eta: Double) {
        u.add(eta, direction)
        tracker.countUpdate()
        elapsedTime += eta
    }

    /// The exact line search's step, given r, a = A(UDᵀ + DUᵀ) and b = A(DDᵀ).
    func lineSearchStep(r: UnsafeBufferPointer<Double>, a: UnsafeBufferPointer<Double>, b: UnsafeBufferPointer<Double>, maxStep: Double) -> Double {
        let dot = Vector.dot as (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Double
        return ExactLineSearch.step(
            rr: dot(r, r), ra: dot(r, a), rb: dot(r, b), aa: dot(a, a), ab: dot(a, b), bb: dot(b, b), maxStep: maxStep)
    }

    /// The run's outcome.
    func result() -> DescentResult { tracker.result(x: Matrix.gram(u), factor: u, elapsedTime: elapsedTime) }
}
