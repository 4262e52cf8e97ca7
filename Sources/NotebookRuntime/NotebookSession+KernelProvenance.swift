#if canImport(Glibc)
import Glibc
#endif

extension NotebookSession {
    /// The kernel's own account of what it computes with: the C string its library returns from
    /// `notebook_kernel_provenance()`, looked up in this process by name (no kernel has to define
    /// it; this project's says which OpenBLAS kernels run and how they were chosen). Nil without one.
    static func kernelProvenance() -> String? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "notebook_kernel_provenance") else { return nil }
        typealias Provenance = @convention(c) () -> UnsafePointer<CChar>?
        let function = unsafeBitCast(symbol, to: Provenance.self)
        return function().map { String(cString: $0) }
    }
}
