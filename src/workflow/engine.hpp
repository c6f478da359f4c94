#pragma once
// The workflow engine (docs/workflows.md, "How a run works"): runs are persistent. A run's
// activity tasks are rows of workflow_tasks; engine threads claim due tasks under a lease,
// execute them (ActivityType::Execute), and in one transaction record the outcome, the counts
// on the transitions taken and the tasks those transitions create. A node that dies leaves
// its leases to expire; the task is then run again from the start (its unfinished tables are
// dropped first). On one SQLite node the engine takes over its own interrupted tasks at start.
//
// - Commands: Start (a new run: tasks for the activities that start), Pause (no new task is
//   claimed; running ones finish), Resume, Stop (running tasks are cancelled at their next
//   Checkpoint, waiting and pending ones at once, working tables dropped), Signal (wakes an
//   External signal activity with parameters that become run variables).
// - Runs of one workflow never overlap (workflow_runs.active is unique).
// - Error policy per activity: stop the run (failed), skip (the branch ends there, the run
//   goes on), retry n times after a delay, then stop.
// - A working table is dropped when every task it was sent to has finished, and every table
//   of a run when the run ends.
// - A run finishes when it has no task left that is not done, failed, skipped or cancelled.
//
// Thread-safety: every method may be called from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "storage/database.hpp"
#include "workflow/activity.hpp"
#include "workflow/model.hpp"

namespace overture::workflow {

struct EngineOptions {
    std::string node = "node";               // this node's name in leases (host:pid)
    int threads = 2;                         // tasks executed at once
    std::chrono::milliseconds tick{500};     // how often due tasks are looked for
    std::chrono::milliseconds lease{30000};  // a claimed task returns to the pool after this
    // Test seam: Context::Checkpoint sleeps this long (the crash test uses it to stop a
    // node in the middle of an activity).
    std::chrono::milliseconds step_delay{0};
};

struct StartOptions {
    bool dry_run = false;
    std::string started_by;         // the user, recorded in the run and used as run_as
    std::string role;               // that user's role name
    boost::json::object variables;  // added to the graph's variables
};

using ModelSource = std::function<std::shared_ptr<const schema::Model>()>;

class Engine {
  public:
    Engine(storage::Database& db, const Clock& clock, const Registry& registry, ModelSource model,
           EngineOptions options);
    ~Engine();  // stops the threads

    const Registry& registry() const { return registry_; }
    // CheckGraph with this engine's registry, model and database.
    std::vector<Problem> Check(const Graph& graph) const;

    // Starts a run of the workflow's current graph. kNotFound; kFailedPrecondition when a run
    // of it is active (details["runId"]) or the graph has problems (details["problems"]: their
    // count; the message names the first). Returns the run id.
    Result<std::int64_t> StartRun(std::int64_t workflow_id, const StartOptions& options);
    // kNotFound for an unknown run; kFailedPrecondition when the run is not in a state the
    // command applies to (the message says which state it is in).
    Status Pause(std::int64_t run_id);
    Status Resume(std::int64_t run_id);
    Status Stop(std::int64_t run_id);
    // Wakes the waiting External signal task `activity` of the workflow's active run; the
    // parameters become run variables. kFailedPrecondition when no run is active or no task
    // of that activity waits (the message says to start the workflow first).
    Status Signal(std::int64_t workflow_id, std::string_view activity,
                  const boost::json::object& parameters);

    // Executes, on the calling thread, every task due now, and again those its outcomes make
    // due, until none is left; returns how many tasks were executed. For tests (with a
    // FakeClock) and `overture workflow run`.
    int RunDue();

    // Engine threads (serve): look for due tasks every tick, or at once after Wake.
    void Start();
    void Stop();  // lets running tasks reach their end or their next checkpoint, then joins
    void Wake();

  private:
    struct Impl;
    storage::Database& db_;
    const Clock& clock_;
    const Registry& registry_;
    ModelSource model_;
    EngineOptions options_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace overture::workflow
