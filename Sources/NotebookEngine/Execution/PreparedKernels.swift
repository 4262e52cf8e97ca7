import Foundation

/// The kernels one invocation has prepared (``NotebookKernel/prepare(_:toolchain:log:)``: the
/// package described, its sources read and digested), each once: every notebook, report and index
/// entry of a `notebook run` is keyed by the same digest of its kernel, and a run of many notebooks
/// reads the kernel's sources once, not once per notebook and again per index entry.
///
/// A runner that outlives its invocation (the preview, which runs again after each edit) calls
/// ``forget()`` before each new run, so no run is keyed by a digest computed before an edit.
public final class PreparedKernels: @unchecked Sendable {
    private let lock = NSLock()
    private var kernels: [KernelDeclaration: NotebookKernel] = [:]

    public init() {}

    /// The kernel `declaration` names, prepared on first use in this invocation.
    public func kernel(_ declaration: KernelDeclaration, toolchain: NotebookToolchain, log: (String) -> Void) throws -> NotebookKernel {
        if let kernel = lock.withLock({ kernels[declaration] }) { return kernel }
        let kernel = try NotebookKernel.prepare(declaration, toolchain: toolchain, log: log)
        lock.withLock { kernels[declaration] = kernel }
        return kernel
    }

    /// Starts a new invocation: kernels are prepared again, from their sources as they are now.
    public func forget() {
        lock.withLock { kernels.removeAll() }
    }
}
