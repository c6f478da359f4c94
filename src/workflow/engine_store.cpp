// The engine's shared steps on the 0009 tables (engine_internal.hpp), each inside the caller's
// transaction.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "workflow/engine_internal.hpp"
#include "workflow/tables.hpp"

namespace overture::workflow::internal {

namespace json = boost::json;
using storage::AsInt;
using storage::AsString;
using storage::Value;

namespace {

Value OptInt(std::optional<std::int64_t> v) { return v ? Value(*v) : Value(); }

Result<std::optional<LockedRun>> ReadLocked(Result<storage::Rows> rows) {
    if (!rows) return Fail(std::move(rows.error()));
    if (rows->empty()) return std::optional<LockedRun>();
    const auto& r = rows->rows[0];
    return std::optional<LockedRun>(
        LockedRun{AsInt(r[0]), AsInt(r[1]), AsString(r[2]), ParseObject(AsString(r[3]))});
}

}  // namespace

json::object ParseObject(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.as_object());
}

std::string ToText(const json::object& o) { return json::serialize(o); }

std::string InputsToText(const std::vector<Input>& inputs) {
    json::array arr;
    for (const auto& in : inputs) {
        json::object o{{"transition", in.transition}, {"toPort", in.to_port}};
        if (in.table) {
            o["table"] = TableToJson(*in.table);
        } else {
            o["table"] = nullptr;
        }
        arr.push_back(std::move(o));
    }
    return json::serialize(arr);
}

Result<std::vector<Input>> InputsFromText(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_array()) return Fail(Error::Internal("workflow task inputs: not an array"));
    std::vector<Input> out;
    for (const auto& item : v.as_array()) {
        if (!item.is_object()) return Fail(Error::Internal("workflow task input: not an object"));
        const auto& o = item.as_object();
        Input in;
        if (const auto* t = o.if_contains("transition"); t && t->is_string()) {
            in.transition = std::string(t->as_string());
        }
        in.to_port = "in";
        if (const auto* p = o.if_contains("toPort"); p && p->is_string()) {
            in.to_port = std::string(p->as_string());
        }
        if (const auto* t = o.if_contains("table"); t && !t->is_null()) {
            auto table = TableFromJson(*t);
            if (!table) return Fail(std::move(table.error()));
            in.table = std::move(*table);
        }
        out.push_back(std::move(in));
    }
    return out;
}

std::uint64_t Seed(std::int64_t workflow_id, std::string_view activity) {
    std::string key = fmt::format("{}:{}", workflow_id, activity);
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string_view LevelName(LogLevel level) {
    switch (level) {
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarning:
            return "warning";
        case LogLevel::kError:
            return "error";
    }
    return "info";
}

Result<std::optional<LockedRun>> LockRun(storage::Transaction& tx, std::int64_t run_id) {
    return ReadLocked(tx.Query("workflow-engine-run-lock", {run_id}));
}

Result<std::optional<LockedRun>> LockActiveRun(storage::Transaction& tx, std::int64_t workflow_id) {
    return ReadLocked(tx.Query("workflow-engine-run-lock-active", {workflow_id}));
}

Status AddLog(storage::Transaction& tx, std::int64_t run_id, std::optional<std::int64_t> task_id,
              std::string_view activity, LogLevel level, const std::string& message,
              std::optional<std::int64_t> rows, std::optional<std::int64_t> duration_ms,
              std::int64_t now) {
    auto st = tx.Exec("workflow-engine-log", {run_id, OptInt(task_id), std::string(activity),
                                              std::string(LevelName(level)), message, OptInt(rows),
                                              OptInt(duration_ms), now});
    if (!st) return Fail(std::move(st.error()));
    return {};
}

Result<std::int64_t> InsertTask(storage::Transaction& tx, std::int64_t run_id,
                                std::string_view activity, std::string_view type,
                                std::string_view status, const std::vector<Input>& inputs,
                                const json::object& state, std::int64_t wake_at, std::int64_t now) {
    auto rows = tx.Query("workflow-engine-task-insert",
                         {run_id, std::string(activity), std::string(type), std::string(status),
                          InputsToText(inputs), ToText(state), wake_at, now});
    if (!rows) return Fail(std::move(rows.error()));
    if (rows->empty()) return Fail(Error::Internal("workflow task insert returned no id"));
    return AsInt(rows->rows[0][0]);
}

Status DropTable(storage::Transaction& tx, const std::string& name, std::int64_t now) {
    if (auto st = tx.ExecScript(DropTableSql(name)); !st) return st;
    auto marked = tx.Exec("workflow-engine-table-dropped", {name, now});
    if (!marked) return Fail(std::move(marked.error()));
    return {};
}

Status DropUncommitted(storage::Transaction& tx, std::int64_t task_id) {
    auto rows = tx.Query("workflow-engine-tables-uncommitted", {task_id});
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& r : rows->rows) {
        if (auto st = tx.ExecScript(DropTableSql(AsString(r[0]))); !st) return st;
    }
    auto deleted = tx.Exec("workflow-engine-tables-uncommitted-delete", {task_id});
    if (!deleted) return Fail(std::move(deleted.error()));
    return {};
}

Status ReleaseAndDrop(storage::Transaction& tx, std::int64_t run_id, std::int64_t task_id,
                      const std::vector<Input>& inputs, std::int64_t now) {
    for (const auto& in : inputs) {
        if (!in.table) continue;
        auto released = tx.Exec("workflow-engine-table-release", {in.table->name});
        if (!released) return Fail(std::move(released.error()));
    }
    auto rows = tx.Query("workflow-engine-tables-unused", {run_id, task_id});
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& r : rows->rows) {
        if (auto st = DropTable(tx, AsString(r[0]), now); !st) return st;
    }
    return {};
}

Status EndRun(storage::Transaction& tx, std::int64_t run_id, std::string_view status,
              const std::string& error, std::int64_t now) {
    auto ended = tx.Exec("workflow-engine-run-end", {run_id, std::string(status), now, error});
    if (!ended) return Fail(std::move(ended.error()));
    auto rows = tx.Query("workflow-engine-tables-of-run", {run_id});
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& r : rows->rows) {
        if (auto st = DropTable(tx, AsString(r[0]), now); !st) return st;
    }
    LogLevel level = status == "failed" ? LogLevel::kError : LogLevel::kInfo;
    std::string message = status == "failed" ? fmt::format("The run failed: {}", error)
                                             : fmt::format("The run {}.", status);
    return AddLog(tx, run_id, std::nullopt, "", level, message, std::nullopt, std::nullopt, now);
}

Result<bool> EndRunIfIdle(storage::Transaction& tx, const LockedRun& run, std::int64_t now) {
    if (!RunLive(run.status) && run.status != "stopping") return false;
    auto open = tx.Query("workflow-engine-run-open", {run.id});
    if (!open) return Fail(std::move(open.error()));
    if (AsInt(open->rows.at(0).at(0)) > 0) return false;
    auto collecting = tx.Query("workflow-engine-collecting-all", {run.id});
    if (!collecting) return Fail(std::move(collecting.error()));
    for (const auto& r : collecting->rows) {
        std::int64_t task = AsInt(r[0]);
        std::string activity = AsString(r[1]);
        std::string message =
            "never received all its inputs (a branch before it ended elsewhere); cancelled";
        if (run.status == "running" || run.status == "paused") {
            if (auto st = AddLog(tx, run.id, task, activity, LogLevel::kWarning, message,
                                 std::nullopt, std::nullopt, now);
                !st) {
                return Fail(std::move(st.error()));
            }
        }
        auto cancelled = tx.Exec("workflow-engine-task-cancel", {task, now, message});
        if (!cancelled) return Fail(std::move(cancelled.error()));
    }
    std::string_view status = run.status == "stopping" ? "stopped" : "finished";
    if (auto st = EndRun(tx, run.id, status, "", now); !st) return Fail(std::move(st.error()));
    return true;
}

json::object MergeVariables(json::object current, const json::object& before,
                            const json::object& after) {
    for (const auto& kv : after) {
        const json::value* old = before.if_contains(kv.key());
        if (old == nullptr || *old != kv.value()) current[kv.key()] = kv.value();
    }
    for (const auto& kv : before) {
        if (!after.contains(kv.key())) current.erase(kv.key());
    }
    return current;
}

}  // namespace overture::workflow::internal
