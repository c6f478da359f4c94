#pragma once
// Internal to the engine: Engine::Impl, shared by engine.cpp (commands, threads) and
// engine_tasks.cpp (claiming, executing and finishing tasks).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "workflow/engine.hpp"
#include "workflow/engine_context.hpp"
#include "workflow/engine_internal.hpp"

namespace overture::workflow {

struct Engine::Impl {
    explicit Impl(Engine& engine);

    Engine& e;
    const std::string owner;  // options.node + "#" + an instance number: unique per engine

    std::atomic<bool> stopping{false};
    std::mutex mu;               // guards wake_generation, workers, heartbeat
    std::condition_variable cv;  // signalled by Wake() and Stop()
    std::uint64_t wake_generation = 0;
    std::vector<std::thread> workers;
    std::thread heartbeat;

    std::mutex executing_mu;           // guards executing
    std::set<std::int64_t> executing;  // tasks this engine runs now (the heartbeat renews them)
    std::once_flag takeover;           // SQLite: tasks left running by a dead process

    std::int64_t Now() const { return ToUnixMillis(e.clock_.Now()); }

    // engine_tasks.cpp
    void TakeOverOnce();
    // Claims one due task; nullopt when none is due.
    Result<std::optional<internal::ClaimedTask>> ClaimOne();
    // Cancels running tasks of runs that stopped or failed whose node died.
    void SweepStale();
    // Executes a claimed task and records its outcome.
    void Execute(internal::ClaimedTask& task);

    // engine.cpp
    void WorkerLoop(int index);
    void HeartbeatLoop();
};

}  // namespace overture::workflow
