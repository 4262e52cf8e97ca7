#ifndef BLAS_KERNEL_SELECTION_H
#define BLAS_KERNEL_SELECTION_H

/// The name of the OpenBLAS kernels this process uses (openblas_get_corename()).
const char *blas_kernel_name(void);

/// How they were chosen, in one line: by OpenBLAS for this CPU, by the user's OPENBLAS_CORETYPE,
/// or by this selection in place of OpenBLAS's generic fallback (and which candidates failed).
const char *blas_kernel_choice(void);

/// The same line for a notebook's report: "OpenBLAS <config>: <name> kernels (<choice>)". A
/// notebook runtime finds it by this name in the process, whatever the kernel package.
const char *notebook_kernel_provenance(void);

#endif
