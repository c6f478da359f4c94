#pragma once
// TaskContext: a workflow::Context for activity tests, over a real storage::Database (a fresh
// database of storage/testing/databases.hpp, SQLite or PostgreSQL). Tests set what the engine
// would (inputs, variables, state, dry run, run-as user and role, seed, ids), call an
// activity's Execute and look at what it did: the working tables it created (real tables,
// wkf_<task>_<n>, made by workflow/tables.hpp like the engine's), its log lines and how often
// it reached a checkpoint.
//
//     TaskContext ctx(db, model, clock);
//     ctx.set_params(json::parse(R"({"resource": "profile", "expression": "country = \"FR\""})")
//                        .as_object());
//     auto outcome = activities::MakeQuery()->Execute(ctx);
//     auto rows = ReadRows(db, *outcome->outputs[0].table);
//
// Working tables are not registered in workflow_tables (there is no run unless the test makes
// one with InsertWorkflow/InsertRun) and stay until DropTables() or the database goes away.
//
// Thread-safety: none; one test thread.
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "schema/model.hpp"
#include "storage/database.hpp"
#include "workflow/activity.hpp"

namespace overture::workflow::testing {

class TaskContext final : public Context {
  public:
    struct LogLine {
        LogLevel level = LogLevel::kInfo;
        std::string message;
        std::optional<std::int64_t> rows;
    };

    // `db`, `model` and `clock` must outlive the context. The activity defaults to id "a1" of
    // type "test" with no params; ids to workflow 1, run 1, task 1; run-as "admin",
    // "administrator"; seed 42.
    TaskContext(storage::Database& db, std::shared_ptr<const schema::Model> model,
                const Clock& clock);

    // Context.
    storage::Database& db() override { return db_; }
    const Clock& clock() const override { return clock_; }
    std::shared_ptr<const schema::Model> model() const override { return model_; }
    std::int64_t workflow_id() const override { return workflow_id_; }
    std::int64_t run_id() const override { return run_id_; }
    std::int64_t task_id() const override { return task_id_; }
    const ActivityDef& activity() const override { return activity_; }
    const Graph& graph() const override { return graph_; }
    bool dry_run() const override { return dry_run_; }
    const std::string& run_as() const override { return run_as_; }
    const std::string& run_as_role() const override { return run_as_role_; }
    std::uint64_t seed() const override { return seed_; }
    std::span<const Input> inputs() const override { return inputs_; }
    boost::json::object& variables() override { return variables_; }
    boost::json::object& state() override { return state_; }
    Result<Table> CreateTable(std::string_view resource, std::vector<Column> columns) override;
    Status Count(Table& table) override;
    Status Checkpoint() override;
    void Log(LogLevel level, std::string message,
             std::optional<std::int64_t> rows = std::nullopt) override;

    // What the engine would set.
    void set_model(std::shared_ptr<const schema::Model> model) { model_ = std::move(model); }
    void set_activity(ActivityDef activity) { activity_ = std::move(activity); }
    void set_params(boost::json::object params) { activity_.params = std::move(params); }
    void set_graph(Graph graph) { graph_ = std::move(graph); }
    void set_ids(std::int64_t workflow_id, std::int64_t run_id, std::int64_t task_id);
    void set_dry_run(bool dry_run) { dry_run_ = dry_run; }
    void set_run_as(std::string user, std::string role);
    void set_seed(std::uint64_t seed) { seed_ = seed; }
    void set_inputs(std::vector<Input> inputs) { inputs_ = std::move(inputs); }
    void AddInput(Table table, std::string to_port = "in", std::string transition = "");
    void set_variables(boost::json::object variables) { variables_ = std::move(variables); }
    void set_state(boost::json::object state) { state_ = std::move(state); }
    // Checkpoint() fails with `error` from the `after`-th call after this one on (1: the next
    // call fails); nullopt: never.
    void set_checkpoint_error(std::optional<Error> error, int after = 1);

    // A new task of the same activity (as a scheduler's next tick would make): the next task
    // id, table numbering from 1, no inputs, an empty state, no log lines. Variables stay.
    void NextTask();

    // What the activity did.
    const std::vector<LogLine>& logs() const { return logs_; }
    int checkpoints() const { return checkpoints_; }
    const std::vector<Table>& created() const { return created_; }  // by CreateTable

    // Drops every table CreateTable made. Fails with the database's error.
    Status DropTables();

  private:
    storage::Database& db_;
    std::shared_ptr<const schema::Model> model_;
    const Clock& clock_;
    ActivityDef activity_;
    Graph graph_;
    std::int64_t workflow_id_ = 1;
    std::int64_t run_id_ = 1;
    std::int64_t task_id_ = 1;
    bool dry_run_ = false;
    std::string run_as_ = "admin";
    std::string run_as_role_ = "administrator";
    std::uint64_t seed_ = 42;
    std::vector<Input> inputs_;
    boost::json::object variables_;
    boost::json::object state_;
    std::optional<Error> checkpoint_error_;
    int checkpoint_error_at_ = 1;  // the call (counted in checkpoints_) that fails first
    int checkpoints_ = 0;
    int next_table_ = 0;
    std::vector<LogLine> logs_;
    std::vector<Table> created_;
};

// One row of a working table, for assertions.
struct TableRow {
    std::int64_t id = 0;
    std::string segment_code;
    friend bool operator==(const TableRow&, const TableRow&) = default;
};

// The rows of `table` (id, segment_code) by id. Fails with the database's error.
Result<std::vector<TableRow>> ReadRows(storage::Database& db, const Table& table);
// The ids of `table`, ascending.
Result<std::vector<std::int64_t>> ReadIds(storage::Database& db, const Table& table);
// Every column of `table` (id, segment_code, c1, ...) by id.
Result<storage::Rows> ReadAll(storage::Database& db, const Table& table);
// The values of the additional column named `name` (API name) by id: {id, value}.
Result<std::vector<std::pair<std::int64_t, storage::Value>>> ReadColumn(storage::Database& db,
                                                                        const Table& table,
                                                                        std::string_view name);

// Makes a working table of `resource` holding `ids` (segment_code ""), as an upstream activity
// would, named wkf_<task>_<n> through `ctx` (so it counts as created by ctx's task).
Result<Table> MakeTable(TaskContext& ctx, std::string_view resource,
                        const std::vector<std::int64_t>& ids);

// A workflows row (for what references one: workflow_seen, runs) with an empty graph; returns
// its id.
Result<std::int64_t> InsertWorkflow(storage::Database& db, const Clock& clock,
                                    std::string_view label = "test workflow");
// A running workflow_runs row of `workflow_id` (number: one more than the last); returns its id.
Result<std::int64_t> InsertRun(storage::Database& db, const Clock& clock, std::int64_t workflow_id,
                               std::string_view run_as = "admin");

}  // namespace overture::workflow::testing
