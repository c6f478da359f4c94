// TaskContext and the table helpers of activity tests (task_context.hpp).
#include "workflow/testing/task_context.hpp"

#include <fmt/format.h>

#include "storage/sql_text.hpp"
#include "workflow/tables.hpp"

namespace overture::workflow::testing {

using storage::QuoteIdent;

TaskContext::TaskContext(storage::Database& db, std::shared_ptr<const schema::Model> model,
                         const Clock& clock)
    : db_(db), model_(std::move(model)), clock_(clock) {
    activity_.id = "a1";
    activity_.type = "test";
}

void TaskContext::set_ids(std::int64_t workflow_id, std::int64_t run_id, std::int64_t task_id) {
    workflow_id_ = workflow_id;
    run_id_ = run_id;
    task_id_ = task_id;
    next_table_ = 0;
}

void TaskContext::set_run_as(std::string user, std::string role) {
    run_as_ = std::move(user);
    run_as_role_ = std::move(role);
}

void TaskContext::AddInput(Table table, std::string to_port, std::string transition) {
    inputs_.push_back(Input{std::move(transition), std::move(to_port), std::move(table)});
}

void TaskContext::set_checkpoint_error(std::optional<Error> error, int after) {
    checkpoint_error_ = std::move(error);
    checkpoint_error_at_ = checkpoints_ + after;
}

void TaskContext::NextTask() {
    ++task_id_;
    next_table_ = 0;
    inputs_.clear();
    state_.clear();
    logs_.clear();
}

Result<Table> TaskContext::CreateTable(std::string_view resource, std::vector<Column> columns) {
    Table table;
    table.name = WorkingTableName(task_id_, ++next_table_);
    table.resource = std::string(resource);
    auto sql = CreateTableSql(table.name, columns, db_.dialect());
    if (!sql) return Fail(std::move(sql.error()));
    table.columns = std::move(columns);
    auto tx = db_.Begin(storage::TxMode::kWrite);
    if (!tx) return Fail(std::move(tx.error()));
    if (auto st = (*tx)->ExecScript(*sql); !st) return Fail(std::move(st.error()));
    if (auto st = (*tx)->Commit(); !st) return Fail(std::move(st.error()));
    created_.push_back(table);
    return table;
}

Status TaskContext::Count(Table& table) {
    auto n =
        storage::WithRead(db_, [&](storage::Transaction& tx) { return CountRows(tx, table.name); });
    if (!n) return Fail(std::move(n.error()));
    table.count = *n;
    return {};
}

Status TaskContext::Checkpoint() {
    ++checkpoints_;
    if (checkpoint_error_ && checkpoints_ >= checkpoint_error_at_) {
        return Fail(*checkpoint_error_);
    }
    return {};
}

void TaskContext::Log(LogLevel level, std::string message, std::optional<std::int64_t> rows) {
    logs_.push_back(LogLine{level, std::move(message), rows});
}

Status TaskContext::DropTables() {
    auto tx = db_.Begin(storage::TxMode::kWrite);
    if (!tx) return Fail(std::move(tx.error()));
    for (const auto& t : created_) {
        if (auto st = (*tx)->ExecScript(DropTableSql(t.name)); !st) return st;
    }
    if (auto st = (*tx)->Commit(); !st) return st;
    created_.clear();
    return {};
}

Result<std::vector<TableRow>> ReadRows(storage::Database& db, const Table& table) {
    auto rows = storage::WithRead(db, [&](storage::Transaction& tx) {
        return tx.QuerySql(
            "SELECT id, segment_code FROM " + QuoteIdent(table.name) + " ORDER BY id", {});
    });
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<TableRow> out;
    out.reserve(rows->size());
    for (const auto& r : rows->rows) {
        out.push_back(TableRow{storage::AsInt(r[0]), storage::AsString(r[1])});
    }
    return out;
}

Result<std::vector<std::int64_t>> ReadIds(storage::Database& db, const Table& table) {
    auto rows = ReadRows(db, table);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<std::int64_t> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back(r.id);
    return out;
}

Result<storage::Rows> ReadAll(storage::Database& db, const Table& table) {
    return storage::WithRead(db, [&](storage::Transaction& tx) {
        return tx.QuerySql("SELECT * FROM " + QuoteIdent(table.name) + " ORDER BY id", {});
    });
}

Result<std::vector<std::pair<std::int64_t, storage::Value>>> ReadColumn(storage::Database& db,
                                                                        const Table& table,
                                                                        std::string_view name) {
    const Column* c = table.Find(name);
    if (!c) return Fail(Error::NotFound(fmt::format("{} has no column '{}'", table.name, name)));
    auto rows = storage::WithRead(db, [&](storage::Transaction& tx) {
        return tx.QuerySql(
            "SELECT id, " + c->column + " FROM " + QuoteIdent(table.name) + " ORDER BY id", {});
    });
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<std::pair<std::int64_t, storage::Value>> out;
    for (auto& r : rows->rows) out.emplace_back(storage::AsInt(r[0]), std::move(r[1]));
    return out;
}

Result<Table> MakeTable(TaskContext& ctx, std::string_view resource,
                        const std::vector<std::int64_t>& ids) {
    auto table = ctx.CreateTable(resource, {});
    if (!table) return table;
    std::vector<std::vector<storage::Value>> rows;
    rows.reserve(ids.size());
    for (auto id : ids) rows.push_back({storage::Value(id)});
    const std::string columns[] = {"id"};
    auto written = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) {
        return tx.BulkInsert(table->name, columns, rows);
    });
    if (!written) return Fail(std::move(written.error()));
    table->count = *written;
    return table;
}

Result<std::int64_t> InsertWorkflow(storage::Database& db, const Clock& clock,
                                    std::string_view label) {
    const auto now = ToUnixMillis(clock.Now());
    storage::Params p(db.dialect());
    auto sql = fmt::format(
        "INSERT INTO workflows (label, graph, created_at, created_by, modified_at, modified_by) "
        "VALUES ({}, {}, {}, {}, {}, {}) RETURNING id",
        p.Add(std::string(label)), p.Add(std::string(R"({"activities": [], "transitions": []})")),
        p.Add(now), p.Add(std::string("admin")), p.Add(now), p.Add(std::string("admin")));
    auto rows = storage::WithWrite(
        db, [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
    if (!rows) return Fail(std::move(rows.error()));
    return storage::AsInt(rows->rows.at(0).at(0));
}

Result<std::int64_t> InsertRun(storage::Database& db, const Clock& clock, std::int64_t workflow_id,
                               std::string_view run_as) {
    const auto now = ToUnixMillis(clock.Now());
    storage::Params p(db.dialect());
    const auto wf = p.Add(workflow_id);
    auto sql = fmt::format(
        "INSERT INTO workflow_runs (workflow_id, number, status, graph, version, run_as, "
        "run_as_role, started_at, started_by) VALUES ({0}, (SELECT coalesce(max(number), 0) + 1 "
        "FROM workflow_runs WHERE workflow_id = {0}), 'running', {1}, 1, {2}, 'administrator', "
        "{3}, {2}) RETURNING id",
        wf, p.Add(std::string(R"({"activities": [], "transitions": []})")),
        p.Add(std::string(run_as)), p.Add(now));
    auto rows = storage::WithWrite(
        db, [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
    if (!rows) return Fail(std::move(rows.error()));
    return storage::AsInt(rows->rows.at(0).at(0));
}

}  // namespace overture::workflow::testing
