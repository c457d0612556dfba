// Shared by the golden and error tests: read files, compare with an expected file, re-bless.
#pragma once

#include <string>
#include <vector>

namespace cdefc::testing {

/// The whole file, or "" when it does not exist.
std::string read_file(const std::string& path);

/// Files in `dir` whose names end with `suffix`, sorted.
std::vector<std::string> list_files(const std::string& dir, const std::string& suffix);

/// Compares `actual` with the file at `expected_path`. With CDEFC_BLESS=1 in the
/// environment the file is (re)written instead. Returns "" when they match, else a
/// unified diff (expected -> actual) to print.
std::string compare_or_bless(const std::string& expected_path, const std::string& actual);

/// Per-test flags written inside an input file, on lines "// flags: ..." (split on spaces).
std::vector<std::string> inline_flags(const std::string& text);

/// The cdefc arguments of test input STEM in `dir`: `--cdef STEM.cdef --module STEM`,
/// `--source STEM.c` when that file exists, then `extra`, then STEM.cdef's inline flags.
std::vector<std::string> input_args(const std::string& dir, const std::string& stem,
                                    const std::vector<std::string>& extra = {});

/// Runs the cdefc pipeline in-process on command-line style arguments (argv[0] implied),
/// from directory `dir`. Returns the rendered diagnostics; `json` gets the model dump
/// when there was no error.
std::string run_cdefc(const std::string& dir, const std::vector<std::string>& args,
                      std::string* json, bool* ok);

}  // namespace cdefc::testing
