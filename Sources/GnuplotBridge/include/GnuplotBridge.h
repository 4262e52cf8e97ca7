#ifndef GNUPLOT_BRIDGE_H
#define GNUPLOT_BRIDGE_H

// A plain C interface over gnuplot-iostream (Debian libgnuplot-iostream-dev), so that Swift
// calls it without C++ interoperability and boost stays inside GnuplotSession.cpp.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One named table: `row_count` rows of `column_count` cells, row-major.
typedef struct {
    /// A gnuplot identifier: the datablock is `$name`, the binary source `name_binary`.
    const char *name;
    size_t column_count;
    const char *const *columns;
    size_t row_count;
    /// `row_count * column_count` cells as the table's TSV has them.
    const char *const *cells;
    /// `row_count * column_count` numbers: each cell's value, NaN where it is not a finite number.
    const double *values;
} GnuplotTable;

/// Writes, through a gnuplot-iostream `Gnuplot` stream, the gnuplot commands that define the
/// tables into `folder/data.gp`, and each table's numbers as a binary array into `folder/NAME.bin`:
///
/// - `$NAME`, a datablock: the header row (so scripts select columns by name, `using "d":"error"`)
///   and the cells verbatim, tab separated (so `strcol` and tick labels read what the table says);
/// - for a table with rows, `NAME_binary`, a string holding gnuplot-iostream's `binFile1d` clause for `NAME.bin`
///   (`'NAME.bin' binary format='%double…' record=(rows)`, one `%double` per column, NaN where a
///   cell is not a number), for `plot @NAME_binary using 1:2`: gnuplot reads binary data by
///   position only (it keeps no column names for binary sources).
///
/// Returns 0, or -1 with a one-line message in `error` (truncated to `error_capacity`).
int gnuplot_bridge_write_tables(const char *folder, const GnuplotTable *tables, size_t table_count,
                                char *error, size_t error_capacity);

#ifdef __cplusplus
}
#endif

#endif
