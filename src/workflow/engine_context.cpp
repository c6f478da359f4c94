// The engine's Context for one task (engine_context.hpp).
#include "workflow/engine_context.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <thread>

#include "workflow/tables.hpp"

namespace overture::workflow::internal {

namespace json = boost::json;
using storage::AsInt;
using storage::AsString;

EngineContext::EngineContext(ContextDeps deps, ClaimedTask& task, const ActivityDef& activity)
    : deps_(std::move(deps)),
      task_(task),
      activity_(activity),
      seed_(Seed(task.workflow_id, task.activity)),
      variables_(task.variables) {}

Result<Table> EngineContext::CreateTable(std::string_view resource, std::vector<Column> columns) {
    auto& db = deps_.db;
    const std::int64_t now = ToUnixMillis(deps_.clock.Now());
    if (next_table_ == 0) {
        auto count = storage::WithRead(db, [&](storage::Transaction& tx) {
            return tx.Query("workflow-engine-table-next", {task_.id});
        });
        if (!count) return Fail(std::move(count.error()));
        next_table_ = static_cast<int>(AsInt(count->rows.at(0).at(0))) + 1;
    }
    Table table;
    table.name = WorkingTableName(task_.id, next_table_);
    table.resource = std::string(resource);
    auto create = CreateTableSql(table.name, columns, db.dialect());
    if (!create) return Fail(std::move(create.error()));
    table.columns = std::move(columns);
    ++next_table_;

    json::array columns_json;
    for (const auto& c : table.columns) {
        columns_json.push_back(
            json::object{{"name", c.name}, {"type", c.type}, {"column", c.column}});
    }
    auto registered = storage::WithWrite(db, [&](storage::Transaction& tx) -> Result<std::int64_t> {
        return tx.Exec("workflow-engine-table-register",
                       {table.name, task_.run_id, task_.id, table.resource,
                        json::serialize(columns_json), now, deps_.owner});
    });
    if (!registered) return Fail(std::move(registered.error()));
    if (*registered == 0) return Fail(Cancel());
    auto made = storage::WithWrite(db, [&](storage::Transaction& tx) -> Status {
        if (auto st = tx.ExecScript(DropTableSql(table.name)); !st) return st;
        return tx.ExecScript(*create);
    });
    if (!made) return Fail(std::move(made.error()));
    return table;
}

Error EngineContext::Cancel() {
    cancelled_ = true;
    return Error::FailedPrecondition("the run is being stopped").With("reason", "cancelled");
}

Status EngineContext::Count(Table& table) {
    auto n = storage::WithRead(deps_.db,
                               [&](storage::Transaction& tx) { return CountRows(tx, table.name); });
    if (!n) return Fail(std::move(n.error()));
    table.count = *n;
    return {};
}

Status EngineContext::Checkpoint() {
    auto stopping = [&] {
        abandoned_ = true;
        return Fail(Error::Unavailable("engine stopping"));
    };
    if (deps_.engine_stopping.load()) return stopping();
    if (deps_.step_delay.count() > 0) {
        // Sleep in slices so that an engine stop is not held up by the test delay.
        auto until = std::chrono::steady_clock::now() + deps_.step_delay;
        while (std::chrono::steady_clock::now() < until) {
            if (deps_.engine_stopping.load()) return stopping();
            auto left = until - std::chrono::steady_clock::now();
            std::this_thread::sleep_for(
                std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(10)));
        }
    }
    const std::int64_t now = ToUnixMillis(deps_.clock.Now());
    auto checked = storage::WithWrite(
        deps_.db, [&](storage::Transaction& tx) -> Result<std::pair<std::string, std::string>> {
            auto renewed = tx.Exec("workflow-engine-lease-renew",
                                   {task_.id, deps_.owner, now + deps_.lease.count()});
            if (!renewed) return Fail(std::move(renewed.error()));
            std::string task_status = "running";
            if (*renewed == 0) {
                auto t = tx.Query("workflow-engine-task-state", {task_.id});
                if (!t) return Fail(std::move(t.error()));
                task_status = t->empty() ? "" : AsString(t->rows[0][0]);
                if (!t->empty() && AsString(t->rows[0][1]) != deps_.owner) task_status = "lost";
            }
            auto run = tx.Query("workflow-engine-run-status", {task_.run_id});
            if (!run) return Fail(std::move(run.error()));
            return std::pair{task_status, run->empty() ? std::string() : AsString(run->rows[0][0])};
        });
    if (!checked) return Fail(std::move(checked.error()));
    const auto& [task_status, run_status] = *checked;
    if (task_status == "lost" || task_status.empty()) {
        abandoned_ = true;
        return Fail(Error::Unavailable("the task was taken over by another node"));
    }
    if (task_status != "running" || (run_status != "running" && run_status != "paused")) {
        return Fail(Cancel());
    }
    if (deps_.engine_stopping.load()) return stopping();
    return {};
}

void EngineContext::Log(LogLevel level, std::string message, std::optional<std::int64_t> rows) {
    const std::int64_t now = ToUnixMillis(deps_.clock.Now());
    auto st = storage::WithWrite(deps_.db, [&](storage::Transaction& tx) {
        return AddLog(tx, task_.run_id, task_.id, task_.activity, level, message, rows,
                      std::nullopt, now);
    });
    if (!st) {
        spdlog::warn("workflow run {} task {}: could not write a log line: {}", task_.run_id,
                     task_.id, st.error().message);
    }
}

}  // namespace overture::workflow::internal
