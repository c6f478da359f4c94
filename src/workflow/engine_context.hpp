#pragma once
// Internal to the engine: the Context (activity.hpp) the engine hands to Execute for one
// claimed task. Working tables are registered in workflow_tables before they exist (so an
// interrupted attempt's tables are found and dropped), checkpoints renew the lease and notice a
// stopping run or a stopping engine, log lines go to workflow_logs at once.
//
// Thread-safety: one task, one thread; `engine_stopping` is read atomically.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "workflow/activity.hpp"
#include "workflow/engine_internal.hpp"

namespace overture::workflow::internal {

struct ContextDeps {
    storage::Database& db;
    const Clock& clock;
    std::shared_ptr<const schema::Model> model;
    std::string owner;  // this engine in workflow_tasks.owner
    std::chrono::milliseconds lease;
    std::chrono::milliseconds step_delay;
    const std::atomic<bool>& engine_stopping;
};

class EngineContext final : public Context {
  public:
    // `task` and `activity` must outlive the context.
    EngineContext(ContextDeps deps, ClaimedTask& task, const ActivityDef& activity);

    storage::Database& db() override { return deps_.db; }
    const Clock& clock() const override { return deps_.clock; }
    std::shared_ptr<const schema::Model> model() const override { return deps_.model; }
    std::int64_t workflow_id() const override { return task_.workflow_id; }
    std::int64_t run_id() const override { return task_.run_id; }
    std::int64_t task_id() const override { return task_.id; }
    const ActivityDef& activity() const override { return activity_; }
    const Graph& graph() const override { return task_.graph; }
    bool dry_run() const override { return task_.dry_run; }
    const std::string& run_as() const override { return task_.run_as; }
    const std::string& run_as_role() const override { return task_.run_as_role; }
    std::uint64_t seed() const override { return seed_; }
    std::span<const Input> inputs() const override { return task_.inputs; }
    boost::json::object& variables() override { return variables_; }
    boost::json::object& state() override { return task_.state; }

    Result<Table> CreateTable(std::string_view resource, std::vector<Column> columns) override;
    Status Count(Table& table) override;
    Status Checkpoint() override;
    void Log(LogLevel level, std::string message,
             std::optional<std::int64_t> rows = std::nullopt) override;

    // The variables as Execute left them.
    const boost::json::object& variables_after() const { return variables_; }
    // True when the task must be left as it is in the database: the engine is stopping (the
    // task is taken over at the next start) or another node took the lease over.
    bool abandoned() const { return abandoned_; }
    // True when a checkpoint (or CreateTable) found the run stopping or the task cancelled:
    // the task is cancelled whatever Execute returns. (ErrorCode has no "cancelled": the error
    // Checkpoint returns is kFailedPrecondition with details["reason"] = "cancelled".)
    bool cancelled() const { return cancelled_; }

  private:
    Error Cancel();  // sets cancelled_

    ContextDeps deps_;
    ClaimedTask& task_;
    const ActivityDef& activity_;
    std::uint64_t seed_;
    boost::json::object variables_;
    int next_table_ = 0;  // 0: not read from the database yet
    bool abandoned_ = false;
    bool cancelled_ = false;
};

}  // namespace overture::workflow::internal
