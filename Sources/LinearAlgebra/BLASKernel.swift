import BLASKernelSelection

/// The OpenBLAS kernels this process computes with, and how they were chosen.
///
/// OpenBLAS picks its kernels by CPU model as it loads; on a model it does not know it falls back
/// to its generic Prescott kernels. `BLASKernelSelection` then selects, before any BLAS call, the
/// best kernels the CPU's features support that pass a self-test against a plain product; a
/// user's `OPENBLAS_CORETYPE` always wins. Results depend on the kernels (their round-off
/// differs), so the programs say which they used.
public enum BLASKernel {
    /// OpenBLAS's name of the kernels in use (`Haswell`, `SkylakeX`, `Prescott`, …).
    public static var name: String { String(cString: blas_kernel_name()) }

    /// How they were chosen, in words.
    public static var choice: String { String(cString: blas_kernel_choice()) }

    /// One line: OpenBLAS's configuration, the kernels and how they were chosen.
    public static var description: String { String(cString: notebook_kernel_provenance()) }
}
