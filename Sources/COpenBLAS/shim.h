// CBLAS and LAPACKE as Debian ships them (libopenblas-dev, liblapacke-dev).
// cblas.h lives in /usr/include/<triplet>/ and declares openblas_set_num_threads.
#include <cblas.h>
#include <lapacke.h>
