#include "lists.h"

#include <cstdlib>
#include <sstream>

namespace hpkb {

std::vector<std::string> split(const std::string &s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

bool parse_int(const std::string &s, int64_t *v)
{
    char *end = nullptr;
    if (s.rfind("2^", 0) == 0) {
        const long k = std::strtol(s.c_str() + 2, &end, 10);
        if (*end || k < 0 || k > 62)
            return false;
        *v = int64_t(1) << k;
        return true;
    }
    *v = std::strtoll(s.c_str(), &end, 10);
    return !s.empty() && !*end;
}

bool parse_sizes(const std::string &s, std::vector<int64_t> *out)
{
    out->clear();
    for (const std::string &item : split(s)) {
        const size_t c1 = item.find(':');
        if (c1 == std::string::npos) {
            int64_t v;
            if (!parse_int(item, &v) || v < 1)
                return false;
            out->push_back(v);
            continue;
        }
        const size_t c2 = item.find(':', c1 + 1);
        int64_t lo, hi, f;
        if (c2 == std::string::npos || !parse_int(item.substr(0, c1), &lo) ||
            !parse_int(item.substr(c1 + 1, c2 - c1 - 1), &hi) || !parse_int(item.substr(c2 + 1), &f) ||
            lo < 1 || hi < lo || f < 2)
            return false;
        for (int64_t v = lo; v <= hi; v *= f)
            out->push_back(v);
    }
    return !out->empty();
}

}  // namespace hpkb
