#pragma once
// Internal to the engine (engine.cpp, engine_tasks.cpp, engine_store.cpp,
// engine_context.cpp): the claimed task, and the steps on the 0009 tables that several
// commands share, each run inside the caller's write transaction (statements in
// sql/<dialect>/workflow_engine.sql). Not for activities: they see only Context.
#include <boost/json/object.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "storage/database.hpp"
#include "workflow/activity.hpp"
#include "workflow/model.hpp"

namespace overture::workflow::internal {

// wake_at of a task that only a signal wakes.
inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// A task this engine has claimed, with what Execute needs.
struct ClaimedTask {
    std::int64_t id = 0;
    std::int64_t run_id = 0;
    std::int64_t workflow_id = 0;
    std::string activity;
    std::string type;
    std::vector<Input> inputs;
    boost::json::object state;
    boost::json::object variables;  // the run's, when claimed
    int attempts = 0;
    bool dry_run = false;
    bool interrupted = false;  // claimed from an expired lease
    std::string run_as;
    std::string run_as_role;
    Graph graph;
    std::optional<Error> load_error;  // the run's graph or the inputs did not read back
};

// The run row, locked (workflow-engine-run-lock).
struct LockedRun {
    std::int64_t id = 0;
    std::int64_t workflow_id = 0;
    std::string status;  // running, paused, stopping, stopped, finished, failed
    boost::json::object variables;
};

// JSON text <-> values. ParseObject gives {} for text that is not an object.
boost::json::object ParseObject(std::string_view text);
std::string ToText(const boost::json::object& o);
std::string InputsToText(const std::vector<Input>& inputs);
Result<std::vector<Input>> InputsFromText(std::string_view text);

// FNV-1a of "<workflow>:<activity>": Context::seed().
std::uint64_t Seed(std::int64_t workflow_id, std::string_view activity);

// "info", "warning", "error".
std::string_view LevelName(LogLevel level);

// Open runs: the run is still doing something.
inline bool RunLive(std::string_view status) { return status == "running" || status == "paused"; }

// Steps inside the caller's transaction.
Result<std::optional<LockedRun>> LockRun(storage::Transaction& tx, std::int64_t run_id);
Result<std::optional<LockedRun>> LockActiveRun(storage::Transaction& tx, std::int64_t workflow_id);
Status AddLog(storage::Transaction& tx, std::int64_t run_id, std::optional<std::int64_t> task_id,
              std::string_view activity, LogLevel level, const std::string& message,
              std::optional<std::int64_t> rows, std::optional<std::int64_t> duration_ms,
              std::int64_t now);
Result<std::int64_t> InsertTask(storage::Transaction& tx, std::int64_t run_id,
                                std::string_view activity, std::string_view type,
                                std::string_view status, const std::vector<Input>& inputs,
                                const boost::json::object& state, std::int64_t wake_at,
                                std::int64_t now);
// Drops a working table and marks it dropped.
Status DropTable(storage::Transaction& tx, const std::string& name, std::int64_t now);
// Drops the tables an unfinished attempt of the task made and forgets them (before it runs
// again).
Status DropUncommitted(storage::Transaction& tx, std::int64_t task_id);
// Releases the task's inputs (refs - 1) and drops every table of the run nobody reads any
// more, the task's own unsent tables included.
Status ReleaseAndDrop(storage::Transaction& tx, std::int64_t run_id, std::int64_t task_id,
                      const std::vector<Input>& inputs, std::int64_t now);
// Ends the run (status, finished_at, active NULL, every table dropped, a log line).
Status EndRun(storage::Transaction& tx, std::int64_t run_id, std::string_view status,
              const std::string& error, std::int64_t now);
// Ends the run when nothing keeps it alive: no task pending, running or waiting (collecting
// tasks are cancelled with a warning). A stopping run becomes stopped, a running or paused one
// finished. Returns true when it ended.
Result<bool> EndRunIfIdle(storage::Transaction& tx, const LockedRun& run, std::int64_t now);
// The run's variables with what the task changed (`after` against `before`) applied to
// `current`, so that tasks running side by side and signals do not undo each other.
boost::json::object MergeVariables(boost::json::object current, const boost::json::object& before,
                                   const boost::json::object& after);

}  // namespace overture::workflow::internal
