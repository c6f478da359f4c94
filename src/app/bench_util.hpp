#pragma once
// What the `overture bench ...` commands share (bench_segment.cpp, bench_render.cpp).
#include <algorithm>
#include <vector>

namespace overture::app {

// The median of the rounds' measurements (`v` not empty).
inline double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace overture::app
