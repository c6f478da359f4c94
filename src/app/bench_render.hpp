#pragma once
// overture bench render (bench/render/run.sh, docs/benchmarks.md): renders a realistic 2 KB
// HTML email (ten profile fields, one `if`, one `for` over three purchases, five links) for
// many in-memory profiles on one thread with the personalization engine (render/template.hpp),
// and in the same run builds the same bytes with a hand-written C++ function (string appends,
// the same HTML escaping). Prints renders per second for both and their ratio, median of the
// rounds. Issue 5's target: over 100,000 renders/s per core and at least 0.5x the hand-written.
#include <cstdint>
#include <string>

namespace overture::app {

struct BenchRenderOptions {
    std::int64_t profiles = 1'000'000;  // --profiles N: generated up front, held in memory
    int rounds = 5;                     // --rounds R: each renders every profile both ways
    double max_seconds = 600;           // --max-seconds: stop starting new rounds after this
    std::string out;                    // --out FILE: append the results (TSV)
    std::uint64_t seed = 1;             // --seed
};

// Exit codes as commands.hpp: 1 also when the two sides give different bytes.
int RunBenchRender(const BenchRenderOptions& options);

}  // namespace overture::app
