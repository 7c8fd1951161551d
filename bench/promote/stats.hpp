#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace pgfo::bench {

struct Summary {
    double median = 0;
    double p90 = 0;  // nearest rank
    double min = 0;
    double max = 0;
};

inline Summary summarize(std::vector<double> values)
{
    Summary summary;
    if (values.empty())
        return summary;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    summary.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    summary.p90 = values[static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n))) - 1];
    summary.min = values.front();
    summary.max = values.back();
    return summary;
}

}  // namespace pgfo::bench
