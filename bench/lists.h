// Comma-separated command-line lists, shared by hpk_bench and hpk_accuracy:
// items, and sizes written N, 2^K or LO:HI:F (the geometric range LO, LO*F,
// ... up to HI).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hpkb {

// The non-empty items of a comma-separated list.
std::vector<std::string> split(const std::string &s);

// One integer, N or 2^K (0 <= K <= 62); false when it is neither.
bool parse_int(const std::string &s, int64_t *v);

// A list of sizes >= 1; false (out undefined) on a malformed item, a range
// with HI < LO or F < 2, or an empty list.
bool parse_sizes(const std::string &s, std::vector<int64_t> *out);

}  // namespace hpkb
