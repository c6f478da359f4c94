#pragma once
// overture bench segment (bench/segment/run.sh, docs/benchmarks.md): times the count of five
// representative audiences through the whole query layer (expression text -> parse -> check
// -> normalize -> SQL -> execute, exactly as RecordService::Count runs a `?filter=`) against
// hand-written SQL for the same filter in the same database, cold and warm, and checks that
// both give the same count.
//
// The data is the demo generator's (demo_data.hpp), loaded once with the demo's loader
// (demo_load.hpp) and with exactly `purchases` purchases per profile; a database that already
// holds `profiles` demo profiles is reused as it is.
#include <cstdint>
#include <string>

#include "app/commands.hpp"

namespace overture::app {

struct BenchSegmentOptions {
    std::int64_t profiles = 10'000;  // --profiles N: load this many unless already there
    int purchases = 5;               // --purchases K per profile (0: none)
    int rounds = 5;                  // --rounds R: warm runs per query and side
    bool cold = true;                // --no-cold: skip the cold runs
    std::string pgdata;              // --pgdata DIR: evict PostgreSQL's files for cold runs
    double max_seconds = 600;        // --max-seconds: stop starting new rounds after this
    std::string out;                 // --out FILE: tab-separated results
    std::uint64_t seed = 1;          // --seed
};

// Exit codes as commands.hpp: 1 also when our count and the hand-written count differ.
int RunBenchSegment(const CommonOptions& common, const BenchSegmentOptions& options);

}  // namespace overture::app
