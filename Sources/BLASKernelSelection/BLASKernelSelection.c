// The best OpenBLAS kernels the CPU can run, when OpenBLAS does not know the CPU.
//
// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels by CPU model when it is loaded; a
// model it does not know (a newer Xeon, say) gets its generic Prescott (SSE3) kernels, two to three
// times slower on BLAS-bound work. When that happened and the user has not chosen kernels
// (OPENBLAS_CORETYPE), this constructor, run as the library loads and before any BLAS call,
// re-runs OpenBLAS's own dispatch (gotoblas_dynamic_init, exported by DYNAMIC_ARCH builds) under
// the best kernels the CPU's features support and the operating system enables (AVX-512 →
// SkylakeX, AVX2 and FMA → Haswell, AVX → Sandybridge, SSE4.2 → Nehalem), keeping the first whose
// product passes a self-test against a plain triple loop (relative error ≤ 1e-12); if none
// does, it goes back to Prescott. A user's OPENBLAS_CORETYPE always wins, and so does any kernel
// OpenBLAS chose itself. blas_kernel_choice() says which happened.
//
// BLAS_KERNEL_SELECTION_SIMULATE_FALLBACK=1 (for tests) first puts OpenBLAS on its Prescott
// fallback, as on an unknown CPU, and then selects as above, whatever OPENBLAS_CORETYPE says.

#include "BLASKernelSelection.h"

#include <cpuid.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
extern void gotoblas_dynamic_init(void);
extern void gotoblas_dynamic_quit(void);
extern void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha,
                        const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);

static char choice[512] = "chosen by OpenBLAS for this CPU";
static char provenance[768];

// XCR0: which register states the operating system saves (AVX needs bits 1–2, AVX-512 bits 5–7 too).
static unsigned long long xcr0(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

// Re-runs OpenBLAS's dispatch under `core` (NULL: the CPU's own choice).
static void dispatch(const char *core) {
    if (core) setenv("OPENBLAS_CORETYPE", core, 1); else unsetenv("OPENBLAS_CORETYPE");
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
}

// A 67 × 53 by 53 × 71 product (odd sizes: every kernel's edge cases) against a triple loop.
static int self_test(void) {
    enum { M = 67, K = 53, N = 71 };
    static double a[M * K], b[K * N], c[M * N];
    unsigned long long state = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < M * K; i++) { state = state * 6364136223846793005ull + 1442695040888963407ull; a[i] = (double)(state >> 11) / 9007199254740992.0 - 0.5; }
    for (int i = 0; i < K * N; i++) { state = state * 6364136223846793005ull + 1442695040888963407ull; b[i] = (double)(state >> 11) / 9007199254740992.0 - 0.5; }
    memset(c, 0, sizeof c);
    cblas_dgemm(102 /* CblasColMajor */, 111 /* CblasNoTrans */, 111, M, N, K, 1.0, a, M, b, K, 0.0, c, M);
    double worst = 0;
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < M; i++) {
            double sum = 0, scale = 0;
            for (int k = 0; k < K; k++) { sum += a[i + k * M] * b[k + j * K]; scale += fabs(a[i + k * M] * b[k + j * K]); }
            double error = fabs(c[i + j * M] - sum) / (scale > 0 ? scale : 1);
            if (!(error <= worst)) worst = error;  // NaN makes it fail
        }
    }
    return worst <= 1e-12;
}

__attribute__((constructor)) static void blas_kernel_select(void) {
    const char *simulate = getenv("BLAS_KERNEL_SELECTION_SIMULATE_FALLBACK");
    int simulated = simulate && strcmp(simulate, "1") == 0;
    const char *user = getenv("OPENBLAS_CORETYPE");
    if (simulated) {
        dispatch("Prescott");
    } else if (user && *user) {
        snprintf(choice, sizeof choice, "OPENBLAS_CORETYPE=%s, the user's choice", user);
        return;
    }
    if (strcasecmp(openblas_get_corename(), "Prescott") != 0) return;

    __builtin_cpu_init();
    unsigned long long os = xcr0();
    int avx = (os & 0x6) == 0x6 && __builtin_cpu_supports("avx");
    int avx512 = avx && (os & 0xE0) == 0xE0 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    const char *candidates[4];
    int count = 0;
    if (avx512) candidates[count++] = "SkylakeX";
    if (avx && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) candidates[count++] = "Haswell";
    if (avx) candidates[count++] = "Sandybridge";
    if (__builtin_cpu_supports("sse4.2")) candidates[count++] = "Nehalem";

    char failed[160] = "";
    for (int i = 0; i < count; i++) {
        dispatch(candidates[i]);
        if (strcasecmp(openblas_get_corename(), candidates[i]) == 0 && self_test()) {
            snprintf(choice, sizeof choice, "selected for this CPU's features%s in place of OpenBLAS's generic Prescott fallback%s%s, after a self-test",
                     simulated ? " (simulated fallback)" : "", failed[0] ? "; failed: " : "", failed);
            unsetenv("OPENBLAS_CORETYPE");
            if (user && *user && simulated) setenv("OPENBLAS_CORETYPE", user, 1);
            return;
        }
        strncat(failed, candidates[i], sizeof failed - strlen(failed) - 2);
        strncat(failed, " ", sizeof failed - strlen(failed) - 1);
    }
    dispatch("Prescott");
    snprintf(choice, sizeof choice, "OpenBLAS's generic Prescott fallback: no better kernel %s",
             count ? "passed the self-test" : "is supported by this CPU");
    unsetenv("OPENBLAS_CORETYPE");
    if (user && *user && simulated) setenv("OPENBLAS_CORETYPE", user, 1);
}

const char *blas_kernel_name(void) { return openblas_get_corename(); }

const char *blas_kernel_choice(void) { return choice; }

const char *notebook_kernel_provenance(void) {
    snprintf(provenance, sizeof provenance, "OpenBLAS (%s): %s kernels, %s", openblas_get_config(), openblas_get_corename(), choice);
    return provenance;
}
