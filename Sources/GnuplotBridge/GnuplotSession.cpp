// The tables of a gnuplot block, written through gnuplot-iostream.
#include "GnuplotBridge.h"

#include <gnuplot-iostream.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

void report(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    std::snprintf(error, capacity, "%s", message.c_str());
}

/// The datablock `$NAME`: the header row, then each row, tab separated, verbatim.
void writeDatablock(Gnuplot &gp, const GnuplotTable &table) {
    gp << "$" << table.name << " << EOD\n";
    for (size_t c = 0; c < table.column_count; ++c) gp << (c ? "\t" : "") << table.columns[c];
    gp << "\n";
    for (size_t r = 0; r < table.row_count; ++r) {
        for (size_t c = 0; c < table.column_count; ++c) gp << (c ? "\t" : "") << table.cells[r * table.column_count + c];
        gp << "\n";
    }
    gp << "EOD\n";
}

/// The table's numbers as rows of doubles, for `binFile1d` (one `%double` per column).
std::vector<std::vector<double>> numericRows(const GnuplotTable &table) {
    std::vector<std::vector<double>> rows(table.row_count);
    for (size_t r = 0; r < table.row_count; ++r)
        rows[r].assign(table.values + r * table.column_count, table.values + (r + 1) * table.column_count);
    return rows;
}

}  // namespace

extern "C" int gnuplot_bridge_write_tables(const char *folder, const GnuplotTable *tables, size_t table_count,
                                           char *error, size_t error_capacity) {
    try {
        const std::string base = std::string(folder) + "/";
        // gnuplot-iostream's file sink: a command string starting with '>' writes the session to
        // that file instead of a gnuplot pipe (the runner starts gnuplot itself, with its timeout).
        Gnuplot gp(">" + base + "data.gp");
        gp << "set datafile separator tab\nset datafile columnheaders\n";
        for (size_t t = 0; t < table_count; ++t) {
            const GnuplotTable &table = tables[t];
            writeDatablock(gp, table);
            if (table.row_count > 0 && table.column_count > 0) {
                const std::string file = std::string(table.name) + ".bin";
                // binFile1d writes the binary file and returns " 'file' binary format='%double…' record=(n) ".
                const std::string clause = gp.binFile1d(numericRows(table), "record", base + file);
                std::ifstream written(base + file, std::ios::binary | std::ios::ate);
                const std::streamoff expected = std::streamoff(table.row_count * table.column_count * sizeof(double));
                if (!written || written.tellg() != expected) {
                    report(error, error_capacity, "cannot write " + base + file);
                    return -1;
                }
                std::string relative = clause;
                const std::string absolute = "'" + base + file + "'";
                const size_t at = relative.find(absolute);
                if (at != std::string::npos) relative.replace(at, absolute.size(), "'" + file + "'");
                gp << table.name << "_binary = \"" << relative << "\"\n";
            }
        }
        gp << std::flush;
        if (!gp.good()) {
            report(error, error_capacity, "cannot write " + base + "data.gp: " + std::strerror(errno));
            return -1;
        }
        return 0;
    } catch (const std::exception &failure) {
        report(error, error_capacity, std::string("gnuplot-iostream: ") + failure.what());
        return -1;
    }
}
