// The workflow engine on SQLite and PostgreSQL: counts on transitions and working tables
// dropped at the end of a run, joins, the error policies, pause/resume/stop, signals, a task
// taken over after its node stopped, runs that never overlap, re-armed tasks under a
// FakeClock. Also the graph's JSON form and CheckGraph. The activities under test are the
// flow basics (start, end, fork, andJoin) and test-only types registered here.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "schema/model.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/engine.hpp"
#include "workflow/tables.hpp"

namespace overture::workflow {
namespace {

namespace json = boost::json;
using storage::AsInt;
using storage::AsString;
using storage::Value;

// How often each test activity ran, by "<activity id>".
struct Calls {
    std::mutex mu;
    std::map<std::string, int> n;  // guarded by mu
    int Next(const std::string& key) {
        std::lock_guard lock(mu);
        return ++n[key];
    }
    int Get(const std::string& key) {
        std::lock_guard lock(mu);
        return n[key];
    }
};

std::int64_t IntParam(const json::object& params, std::string_view key, std::int64_t fallback) {
    const auto* v = params.if_contains(key);
    return v != nullptr && v->is_int64() ? v->as_int64() : fallback;
}

std::optional<Table> FirstTable(Context& ctx) {
    for (const auto& in : ctx.inputs()) {
        if (in.table) return in.table;
    }
    return std::nullopt;
}

// A table whose rows are copies of `from`, or the ids 1..n.
Result<Table> MakeTable(Context& ctx, const std::optional<Table>& from, std::int64_t n) {
    auto table = ctx.CreateTable("profile", {});
    if (!table) return table;
    auto tx = ctx.db().Begin(storage::TxMode::kWrite);
    if (!tx) return Fail(tx.error());
    std::string sql =
        from ? "INSERT INTO " + storage::QuoteIdent(table->name) + " (id) SELECT id FROM " +
                   storage::QuoteIdent(from->name)
             : "INSERT INTO " + storage::QuoteIdent(table->name) +
                   " (id) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i "
                   "< " +
                   std::to_string(n) + ") SELECT i FROM n";
    if (auto st = (*tx)->ExecSql(sql, {}); !st) return Fail(st.error());
    if (auto st = (*tx)->Commit(); !st) return Fail(st.error());
    if (auto st = ctx.Count(*table); !st) return Fail(st.error());
    return table;
}

class TestType : public ActivityType {
  public:
    TestType(std::string type, Calls& calls) : type_(std::move(type)), calls_(calls) {}
    std::string_view type() const override { return type_; }
    std::string_view category() const override { return "test"; }
    std::string_view label() const override { return type_; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }
    std::vector<Problem> Check(const json::object&, const CheckContext&) const override {
        return {};
    }

  protected:
    std::string type_;
    Calls& calls_;
};

// "emit" {"rows": n}: a new table of n rows (a copy of its input when it has one and no rows
// are given).
class Emit final : public TestType {
  public:
    explicit Emit(Calls& calls) : TestType("emit", calls) {}
    Result<Outcome> Execute(Context& ctx) const override {
        calls_.Next(ctx.activity().id);
        auto table =
            MakeTable(ctx, ctx.activity().params.contains("rows") ? std::nullopt : FirstTable(ctx),
                      IntParam(ctx.activity().params, "rows", 0));
        if (!table) return Fail(table.error());
        return Outcome::Done({Output{"out", std::move(*table)}});
    }
};

// "fail" {"times": k}: fails its first k executions (over the whole test), then passes its
// input on.
class FailTimes final : public TestType {
  public:
    explicit FailTimes(Calls& calls) : TestType("fail", calls) {}
    Result<Outcome> Execute(Context& ctx) const override {
        int n = calls_.Next(ctx.activity().id);
        // A table made before failing: the engine must drop it.
        if (auto t = ctx.CreateTable("profile", {{"x", "string", ""}}); !t) return Fail(t.error());
        if (n <= IntParam(ctx.activity().params, "times", 0)) {
            return Fail(Error::Unavailable("the peer is down"));
        }
        return Outcome::Done({Output{"out", FirstTable(ctx)}});
    }
};

// "slow" {"steps": n}: copies its input into a new table, then reaches n checkpoints.
class Slow final : public TestType {
  public:
    explicit Slow(Calls& calls) : TestType("slow", calls) {}
    Result<Outcome> Execute(Context& ctx) const override {
        calls_.Next(ctx.activity().id);
        auto table = MakeTable(ctx, FirstTable(ctx), 0);
        if (!table) return Fail(table.error());
        for (std::int64_t i = 0; i < IntParam(ctx.activity().params, "steps", 1); ++i) {
            if (auto st = ctx.Checkpoint(); !st) return Fail(st.error());
        }
        return Outcome::Done({Output{"out", std::move(*table)}});
    }
};

// "signal": starts a run or waits on a transition, until a signal arrives.
class WaitSignal final : public TestType {
  public:
    explicit WaitSignal(Calls& calls) : TestType("signal", calls) {}
    bool can_start() const override { return true; }
    Result<Outcome> Execute(Context& ctx) const override {
        calls_.Next(ctx.activity().id);
        if (!ctx.state().contains("signal")) return Outcome::WaitUntil(std::nullopt);
        ctx.variables()["signalled"] = true;
        return Outcome::Done({Output{"out", FirstTable(ctx)}});
    }
};

// "tick" {"every": seconds}: starts a run and fires again every n seconds (a scheduler).
class Tick final : public TestType {
  public:
    explicit Tick(Calls& calls) : TestType("tick", calls) {}
    InputMode input_mode() const override { return InputMode::kNone; }
    std::vector<std::string> InputPorts(const json::object&) const override { return {}; }
    Result<Outcome> Execute(Context& ctx) const override {
        calls_.Next(ctx.activity().id);
        Outcome o = Outcome::Done({Output{"out", std::nullopt}});
        o.again_at =
            ctx.clock().Now() + std::chrono::seconds(IntParam(ctx.activity().params, "every", 60));
        return o;
    }
};

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

class EngineTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        registry_.Add(activities::MakeStart());
        registry_.Add(activities::MakeEnd());
        registry_.Add(activities::MakeFork());
        registry_.Add(activities::MakeAndJoin());
        registry_.Add(std::make_unique<Emit>(calls_));
        registry_.Add(std::make_unique<FailTimes>(calls_));
        registry_.Add(std::make_unique<Slow>(calls_));
        registry_.Add(std::make_unique<WaitSignal>(calls_));
        registry_.Add(std::make_unique<Tick>(calls_));
        engine_ = MakeEngine("node-a", {});
    }

    void TearDown() override {
        if (engine_) engine_->Stop();
        engine_.reset();
    }

    std::unique_ptr<Engine> MakeEngine(std::string node, EngineOptions options) {
        options.node = std::move(node);
        auto model = std::make_shared<const schema::Model>(schema::BuiltinModel());
        return std::make_unique<Engine>(
            db(), clock_, registry_, [model] { return model; }, options);
    }

    // A workflow with this graph (text of the JSON form); returns its id.
    std::int64_t AddWorkflow(std::string_view graph) {
        storage::Params p(db().dialect());
        std::string sql =
            "INSERT INTO workflows (label, graph, created_at, created_by, "
            "modified_at, modified_by) VALUES (" +
            p.Add(std::string("test")) + ", " + p.Add(std::string(graph)) + ", " +
            p.Add(std::int64_t{1}) + ", 'test', 1, 'test') RETURNING id";
        auto tx = db().Begin(storage::TxMode::kWrite);
        EXPECT_TRUE(tx.has_value());
        auto rows = (*tx)->QuerySql(sql, p.values());
        EXPECT_TRUE(rows.has_value()) << rows.error().detail;
        EXPECT_TRUE((*tx)->Commit().has_value());
        return AsInt(rows->rows.at(0).at(0));
    }

    std::int64_t Start(std::int64_t workflow, bool dry_run = false) {
        StartOptions o;
        o.started_by = "admin";
        o.role = "administrator";
        o.dry_run = dry_run;
        auto run = engine_->StartRun(workflow, o);
        EXPECT_TRUE(run.has_value()) << run.error().message;
        return run.value_or(0);
    }

    storage::Rows Query(std::string_view sql, std::vector<Value> values = {}) {
        // Placeholders are written ?1, ?2 and become $1, $2 on PostgreSQL.
        std::string text(sql);
        if (db().dialect() == storage::Dialect::kPostgres) {
            for (auto& c : text) {
                if (c == '?') c = '$';
            }
        }
        auto tx = db().Begin(storage::TxMode::kRead);
        EXPECT_TRUE(tx.has_value());
        auto rows = (*tx)->QuerySql(text, values);
        EXPECT_TRUE(rows.has_value()) << text << ": " << rows.error().detail;
        return rows.value_or(storage::Rows{});
    }

    std::string RunStatus(std::int64_t run) {
        auto rows = Query("SELECT status FROM workflow_runs WHERE id = ?1", {run});
        return rows.empty() ? "" : AsString(rows.rows[0][0]);
    }

    std::string RunError(std::int64_t run) {
        auto rows = Query("SELECT error FROM workflow_runs WHERE id = ?1", {run});
        return rows.empty() ? "" : AsString(rows.rows[0][0]);
    }

    // Statuses of the run's tasks of one activity, oldest first, joined by ",".
    std::string TaskStatuses(std::int64_t run, std::string_view activity) {
        auto rows = Query(
            "SELECT status FROM workflow_tasks WHERE run_id = ?1 AND activity = ?2 "
            "ORDER BY id",
            {run, std::string(activity)});
        std::string out;
        for (const auto& r : rows.rows) out += (out.empty() ? "" : ",") + AsString(r[0]);
        return out;
    }

    // "row_count/total/times" of a transition; "" when it never fired.
    std::string Count(std::int64_t run, std::string_view transition) {
        auto rows = Query(
            "SELECT row_count, total, times FROM workflow_transition_counts "
            "WHERE run_id = ?1 AND transition = ?2",
            {run, std::string(transition)});
        if (rows.empty()) return "";
        const auto& r = rows.rows[0];
        return (storage::IsNull(r[0]) ? std::string("null") : std::to_string(AsInt(r[0]))) + "/" +
               std::to_string(AsInt(r[1])) + "/" + std::to_string(AsInt(r[2]));
    }

    std::int64_t WorkingTablesLeft() {
        auto rows = db().dialect() == storage::Dialect::kSqlite
                        ? Query(
                              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                              "name LIKE 'wkf\\_%' ESCAPE '\\'")
                        : Query(
                              "SELECT count(*) FROM information_schema.tables WHERE "
                              "table_schema = current_schema() AND table_name LIKE 'wkf\\_%' "
                              "ESCAPE '\\'");
        return AsInt(rows.rows.at(0).at(0));
    }

    std::int64_t TablesNotMarkedDropped(std::int64_t run) {
        auto rows = Query(
            "SELECT count(*) FROM workflow_tables WHERE run_id = ?1 AND dropped_at IS NULL", {run});
        return AsInt(rows.rows.at(0).at(0));
    }

    // Waits (real time) until `pred` holds, up to 20 s.
    template <typename Pred>
    bool Eventually(Pred pred) {
        for (int i = 0; i < 2000; ++i) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return pred();
    }

    Calls calls_;
    Registry registry_;
    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<Engine> engine_;
};

// start -> emit(100) -> fork -> end1, end2 (and a third branch straight to end3).
constexpr std::string_view kForkGraph = R"({
  "activities": [
    {"id": "start", "type": "start"},
    {"id": "emit", "type": "emit", "params": {"rows": 100}},
    {"id": "fork", "type": "fork"},
    {"id": "end1", "type": "end"},
    {"id": "end2", "type": "end"},
    {"id": "end3", "type": "end"}],
  "transitions": [
    {"id": "t1", "from": "start", "to": "emit"},
    {"id": "t2", "from": "emit", "to": "fork"},
    {"id": "t3", "from": "fork", "to": "end1"},
    {"id": "t4", "from": "fork", "to": "end2"},
    {"id": "t5", "from": "start", "to": "end3"}],
  "variables": {"campaign": "winter"}})";

TEST_P(EngineTest, RunFinishesWithCountsAndDropsEveryWorkingTable) {
    auto wf = AddWorkflow(kForkGraph);
    auto run = Start(wf);
    EXPECT_EQ(engine_->RunDue(), 6);
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(Count(run, "t1"), "null/0/1");
    EXPECT_EQ(Count(run, "t2"), "100/100/1");
    EXPECT_EQ(Count(run, "t3"), "100/100/1");
    EXPECT_EQ(Count(run, "t4"), "100/100/1");
    EXPECT_EQ(Count(run, "t5"), "null/0/1");
    EXPECT_EQ(WorkingTablesLeft(), 0);
    EXPECT_EQ(TablesNotMarkedDropped(run), 0);
    auto rows = Query(
        "SELECT active, finished_at, variables, number FROM workflow_runs WHERE id = ?1", {run});
    EXPECT_TRUE(storage::IsNull(rows.rows[0][0]));
    EXPECT_FALSE(storage::IsNull(rows.rows[0][1]));
    EXPECT_EQ(json::parse(AsString(rows.rows[0][2])).as_object().at("campaign"), "winter");
    EXPECT_EQ(AsInt(rows.rows[0][3]), 1);
    // A log line per task with its rows, and the run's own lines.
    auto logs =
        Query("SELECT row_count FROM workflow_logs WHERE run_id = ?1 AND activity = 'emit'", {run});
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(AsInt(logs.rows[0][0]), 100);

    // A second run of the same workflow gets the next number.
    auto again = Start(wf);
    engine_->RunDue();
    EXPECT_EQ(RunStatus(again), "finished");
    auto number = Query("SELECT number FROM workflow_runs WHERE id = ?1", {again});
    EXPECT_EQ(AsInt(number.rows[0][0]), 2);
}

// Two branches into an and-join; one of them waits 60 s for a retry.
constexpr std::string_view kJoinGraph = R"({
  "activities": [
    {"id": "start", "type": "start"},
    {"id": "fork", "type": "fork"},
    {"id": "a", "type": "emit", "params": {"rows": 10}},
    {"id": "b", "type": "emit", "params": {"rows": 20}},
    {"id": "slowb", "type": "fail", "params": {"times": 1},
     "onError": {"policy": "retry", "retries": 2, "delaySeconds": 60}},
    {"id": "join", "type": "andJoin", "params": {"primary": "tb"}},
    {"id": "end", "type": "end"}],
  "transitions": [
    {"id": "t1", "from": "start", "to": "fork"},
    {"id": "t2", "from": "fork", "to": "a"},
    {"id": "t3", "from": "fork", "to": "b"},
    {"id": "t4", "from": "b", "to": "slowb"},
    {"id": "ta", "from": "a", "to": "join"},
    {"id": "tb", "from": "slowb", "to": "join"},
    {"id": "t5", "from": "join", "to": "end"}]})";

TEST_P(EngineTest, AndJoinWaitsForEveryBranch) {
    auto run = Start(AddWorkflow(kJoinGraph));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "running");
    EXPECT_EQ(TaskStatuses(run, "join"), "collecting");
    EXPECT_EQ(TaskStatuses(run, "slowb"), "pending");
    EXPECT_EQ(Count(run, "ta"), "10/10/1");

    clock_.Advance(std::chrono::seconds(60));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(TaskStatuses(run, "join"), "done");
    EXPECT_EQ(Count(run, "t5"), "20/20/1");  // the primary branch's population
    EXPECT_EQ(WorkingTablesLeft(), 0);
    auto attempts = Query(
        "SELECT attempts FROM workflow_tasks WHERE run_id = ?1 AND "
        "activity = 'slowb'",
        {run});
    EXPECT_EQ(AsInt(attempts.rows[0][0]), 2);
}

TEST_P(EngineTest, AndJoinWithoutPrimaryTakesTheFirstInboundTransition) {
    std::string graph(kJoinGraph);
    graph.replace(graph.find(R"({"primary": "tb"})"), 17, "{}");
    auto run = Start(AddWorkflow(graph));
    engine_->RunDue();
    clock_.Advance(std::chrono::seconds(60));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(Count(run, "t5"), "10/10/1");
}

constexpr std::string_view kPolicyGraph = R"({
  "activities": [
    {"id": "start", "type": "start"},
    {"id": "emit", "type": "emit", "params": {"rows": 5}},
    {"id": "fail", "type": "fail", "params": {"times": TIMES}, "onError": POLICY},
    {"id": "end", "type": "end"},
    {"id": "other", "type": "emit", "params": {"rows": 7}},
    {"id": "end2", "type": "end"}],
  "transitions": [
    {"id": "t1", "from": "start", "to": "emit"},
    {"id": "t2", "from": "emit", "to": "fail"},
    {"id": "t3", "from": "fail", "to": "end"},
    {"id": "t4", "from": "start", "to": "other"},
    {"id": "t5", "from": "other", "to": "end2"}]})";

std::string PolicyGraph(int times, std::string_view policy) {
    std::string g(kPolicyGraph);
    g.replace(g.find("TIMES"), 5, std::to_string(times));
    g.replace(g.find("POLICY"), 6, policy);
    return g;
}

TEST_P(EngineTest, RetryPolicyRunsAgainUntilItWorks) {
    auto run = Start(AddWorkflow(PolicyGraph(2, R"({"policy": "retry", "retries": 3,
                                                  "delaySeconds": 0})")));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(calls_.Get("fail"), 3);
    EXPECT_EQ(TaskStatuses(run, "fail"), "done");
    EXPECT_EQ(Count(run, "t3"), "5/5/1");
    auto warnings = Query(
        "SELECT count(*) FROM workflow_logs WHERE run_id = ?1 AND "
        "activity = 'fail' AND level = 'warning'",
        {run});
    EXPECT_EQ(AsInt(warnings.rows[0][0]), 2);
    EXPECT_EQ(WorkingTablesLeft(), 0);
}

TEST_P(EngineTest, RetryPolicyStopsTheRunWhenRetriesRunOut) {
    auto run = Start(AddWorkflow(PolicyGraph(10, R"({"policy": "retry", "retries": 2,
                                                   "delaySeconds": 0})")));
    engine_->RunDue();
    EXPECT_EQ(calls_.Get("fail"), 3);
    EXPECT_EQ(RunStatus(run), "failed");
    EXPECT_EQ(RunError(run), "fail: the peer is down");
    EXPECT_EQ(TaskStatuses(run, "fail"), "failed");
    EXPECT_EQ(WorkingTablesLeft(), 0);
    EXPECT_EQ(TablesNotMarkedDropped(run), 0);
}

TEST_P(EngineTest, SkipPolicyEndsTheBranchOnly) {
    auto run = Start(AddWorkflow(PolicyGraph(1, R"({"policy": "skip"})")));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(TaskStatuses(run, "fail"), "skipped");
    EXPECT_EQ(TaskStatuses(run, "end"), "");
    EXPECT_EQ(TaskStatuses(run, "end2"), "done");
    EXPECT_EQ(Count(run, "t5"), "7/7/1");
    EXPECT_EQ(WorkingTablesLeft(), 0);
}

TEST_P(EngineTest, StopPolicyFailsTheRunAndCancelsTheRest) {
    // The failing branch runs first (emit, then fail), while "other" is still pending.
    std::string graph = PolicyGraph(1, R"({"policy": "stop"})");
    auto run = Start(AddWorkflow(graph));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "failed");
    EXPECT_EQ(TaskStatuses(run, "fail"), "failed");
    auto open = Query(
        "SELECT count(*) FROM workflow_tasks WHERE run_id = ?1 AND status IN "
        "('pending', 'running', 'waiting', 'collecting')",
        {run});
    EXPECT_EQ(AsInt(open.rows[0][0]), 0);
    EXPECT_EQ(WorkingTablesLeft(), 0);
    auto active = Query("SELECT count(*) FROM workflow_runs WHERE active IS NOT NULL");
    EXPECT_EQ(AsInt(active.rows[0][0]), 0);
}

TEST_P(EngineTest, PauseHoldsTasksAndResumeGoesOn) {
    auto run = Start(AddWorkflow(kForkGraph));
    ASSERT_TRUE(engine_->Pause(run).has_value());
    EXPECT_EQ(RunStatus(run), "paused");
    EXPECT_EQ(engine_->RunDue(), 0);
    auto again = engine_->Pause(run);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(again.error().message, "the run is paused");
    ASSERT_TRUE(engine_->Resume(run).has_value());
    EXPECT_GT(engine_->RunDue(), 0);
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(engine_->Resume(run).error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(engine_->Pause(424242).error().code, ErrorCode::kNotFound);
}

TEST_P(EngineTest, StopCancelsWaitingTasksAtOnce) {
    auto run = Start(AddWorkflow(kJoinGraph));
    engine_->RunDue();  // join collecting, slowb pending a retry
    ASSERT_TRUE(engine_->Stop(run).has_value());
    EXPECT_EQ(RunStatus(run), "stopped");
    EXPECT_EQ(TaskStatuses(run, "join"), "cancelled");
    EXPECT_EQ(TaskStatuses(run, "slowb"), "cancelled");
    EXPECT_EQ(WorkingTablesLeft(), 0);
    EXPECT_EQ(engine_->Stop(run).error().code, ErrorCode::kFailedPrecondition);
}

constexpr std::string_view kSlowGraph = R"({
  "activities": [
    {"id": "start", "type": "start"},
    {"id": "emit", "type": "emit", "params": {"rows": 50}},
    {"id": "slow", "type": "slow", "params": {"steps": STEPS}},
    {"id": "end", "type": "end"}],
  "transitions": [
    {"id": "t1", "from": "start", "to": "emit"},
    {"id": "t2", "from": "emit", "to": "slow"},
    {"id": "t3", "from": "slow", "to": "end"}]})";

std::string SlowGraph(int steps) {
    std::string g(kSlowGraph);
    g.replace(g.find("STEPS"), 5, std::to_string(steps));
    return g;
}

TEST_P(EngineTest, StopInTheMiddleOfAnActivityCancelsItAtItsCheckpoint) {
    EngineOptions options;
    options.threads = 2;
    options.tick = std::chrono::milliseconds(20);
    options.step_delay = std::chrono::milliseconds(20);
    engine_ = MakeEngine("node-a", options);
    engine_->Start();
    auto run = Start(AddWorkflow(SlowGraph(100000)));
    ASSERT_TRUE(Eventually([&] { return TaskStatuses(run, "slow") == "running"; }));
    ASSERT_TRUE(Eventually([&] { return WorkingTablesLeft() == 2; }));  // emit's and slow's
    ASSERT_TRUE(engine_->Stop(run).has_value());
    ASSERT_TRUE(Eventually([&] { return RunStatus(run) == "stopped"; }));
    EXPECT_EQ(TaskStatuses(run, "slow"), "cancelled");
    EXPECT_EQ(TaskStatuses(run, "end"), "");
    EXPECT_EQ(WorkingTablesLeft(), 0);
    EXPECT_EQ(TablesNotMarkedDropped(run), 0);
}

constexpr std::string_view kSignalGraph = R"({
  "activities": [
    {"id": "sig", "type": "signal"},
    {"id": "emit", "type": "emit", "params": {"rows": 3}},
    {"id": "end", "type": "end"}],
  "transitions": [
    {"id": "t1", "from": "sig", "to": "emit"},
    {"id": "t2", "from": "emit", "to": "end"}]})";

TEST_P(EngineTest, SignalWakesTheWaitingActivityWithItsParameters) {
    auto wf = AddWorkflow(kSignalGraph);
    auto before = engine_->Signal(wf, "sig", {});
    ASSERT_FALSE(before.has_value());
    EXPECT_EQ(before.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(before.error().message.find("start the workflow first"), std::string::npos);

    auto run = Start(wf);
    engine_->RunDue();
    EXPECT_EQ(TaskStatuses(run, "sig"), "waiting");
    EXPECT_EQ(engine_->RunDue(), 0);
    auto wrong = engine_->Signal(wf, "emit", {});
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().message, "activity \"emit\" is not waiting for a signal");

    ASSERT_TRUE(engine_->Signal(wf, "sig", Obj(R"({"country": "FR"})")).has_value());
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(Count(run, "t2"), "3/3/1");
    auto vars = Query("SELECT variables FROM workflow_runs WHERE id = ?1", {run});
    auto v = json::parse(AsString(vars.rows[0][0])).as_object();
    EXPECT_EQ(v.at("country"), "FR");
    EXPECT_EQ(v.at("signalled"), true);
    auto state =
        Query("SELECT state FROM workflow_tasks WHERE run_id = ?1 AND activity = 'sig'", {run});
    EXPECT_EQ(json::parse(AsString(state.rows[0][0])).at("signal").at("country"), "FR");
}

TEST_P(EngineTest, TaskOfAStoppedNodeIsTakenOverAndGivesTheSameCounts) {
    EngineOptions options;
    options.threads = 1;
    options.tick = std::chrono::milliseconds(20);
    options.lease = std::chrono::milliseconds(5000);
    options.step_delay = std::chrono::milliseconds(50);
    engine_ = MakeEngine("node-a", options);
    engine_->Start();
    auto run = Start(AddWorkflow(SlowGraph(20)));
    ASSERT_TRUE(Eventually([&] { return TaskStatuses(run, "slow") == "running"; }));
    ASSERT_TRUE(Eventually([&] { return WorkingTablesLeft() == 2; }));
    engine_->Stop();  // the node goes away in the middle of "slow"
    EXPECT_EQ(TaskStatuses(run, "slow"), "running");
    EXPECT_EQ(RunStatus(run), "running");

    // Another node: the lease has not expired yet (PostgreSQL waits for it; one SQLite node
    // takes over at once).
    auto other = MakeEngine("node-b", {});
    if (db().dialect() == storage::Dialect::kPostgres) {
        EXPECT_EQ(other->RunDue(), 0);
    }
    clock_.Advance(std::chrono::seconds(6));
    EXPECT_EQ(other->RunDue(), 2);  // slow (again), end
    EXPECT_EQ(RunStatus(run), "finished");
    EXPECT_EQ(calls_.Get("slow"), 2);
    EXPECT_EQ(Count(run, "t2"), "50/50/1");
    EXPECT_EQ(Count(run, "t3"), "50/50/1");
    EXPECT_EQ(WorkingTablesLeft(), 0);
    auto attempts = Query(
        "SELECT attempts FROM workflow_tasks WHERE run_id = ?1 AND "
        "activity = 'slow'",
        {run});
    EXPECT_EQ(AsInt(attempts.rows[0][0]), 1);
    auto warned = Query(
        "SELECT count(*) FROM workflow_logs WHERE run_id = ?1 AND "
        "activity = 'slow' AND level = 'warning'",
        {run});
    EXPECT_EQ(AsInt(warned.rows[0][0]), 1);
}

TEST_P(EngineTest, RunsOfOneWorkflowNeverOverlap) {
    auto wf = AddWorkflow(kSignalGraph);
    auto run = Start(wf);
    auto second = engine_->StartRun(wf, {});
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(second.error().details.at("runId"), std::to_string(run));
    ASSERT_TRUE(engine_->Stop(run).has_value());
    EXPECT_EQ(RunStatus(run), "stopped");
    EXPECT_TRUE(engine_->StartRun(wf, {}).has_value());
    EXPECT_EQ(engine_->StartRun(424242, {}).error().code, ErrorCode::kNotFound);
}

TEST_P(EngineTest, AGraphWithProblemsDoesNotStart) {
    auto wf = AddWorkflow(R"({"activities": [{"id": "start", "type": "start"},
                                             {"id": "x", "type": "nope"},
                                             {"id": "end", "type": "end"}],
                              "transitions": [{"id": "t1", "from": "start", "to": "x"}]})");
    auto run = engine_->StartRun(wf, {});
    ASSERT_FALSE(run.has_value());
    EXPECT_EQ(run.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(run.error().details.at("problems"), "2");
    EXPECT_NE(run.error().message.find("\"nope\" is not an activity type"), std::string::npos)
        << run.error().message;
}

// tick (every 60 s) -> fail once, retried after 120 s -> end.
constexpr std::string_view kTickGraph = R"({
  "activities": [
    {"id": "tick", "type": "tick", "params": {"every": 60}},
    {"id": "work", "type": "fail", "params": {"times": 1},
     "onError": {"policy": "retry", "retries": 1, "delaySeconds": 120}},
    {"id": "end", "type": "end"}],
  "transitions": [
    {"id": "t1", "from": "tick", "to": "work"},
    {"id": "t2", "from": "work", "to": "end"}]})";

TEST_P(EngineTest, ReArmedTaskFiresOncePerTickAndNotWhileItsBranchIsBusy) {
    auto run = Start(AddWorkflow(kTickGraph));
    engine_->RunDue();
    EXPECT_EQ(calls_.Get("tick"), 1);
    EXPECT_EQ(TaskStatuses(run, "tick"), "done,waiting");
    EXPECT_EQ(TaskStatuses(run, "work"), "pending");  // retried in 120 s

    clock_.Advance(std::chrono::seconds(60));  // the next tick is due, the branch is busy
    EXPECT_EQ(engine_->RunDue(), 0);
    EXPECT_EQ(calls_.Get("tick"), 1);

    clock_.Advance(std::chrono::seconds(60));  // the retry runs, then the tick fires once
    engine_->RunDue();
    EXPECT_EQ(calls_.Get("tick"), 2);
    EXPECT_EQ(calls_.Get("work"), 3);
    EXPECT_EQ(Count(run, "t1"), "null/0/2");
    EXPECT_EQ(Count(run, "t2"), "null/0/2");
    EXPECT_EQ(TaskStatuses(run, "tick"), "done,done,waiting");
    EXPECT_EQ(engine_->RunDue(), 0);

    clock_.Advance(std::chrono::seconds(60));
    engine_->RunDue();
    EXPECT_EQ(calls_.Get("tick"), 3);
    EXPECT_EQ(RunStatus(run), "running");  // a recurring run goes on until stopped
    ASSERT_TRUE(engine_->Stop(run).has_value());
    EXPECT_EQ(RunStatus(run), "stopped");
    EXPECT_EQ(TaskStatuses(run, "tick"), "done,done,done,cancelled");
}

TEST_P(EngineTest, DryRunDoesNotReArm) {
    auto run = Start(AddWorkflow(kTickGraph), /*dry_run=*/true);
    engine_->RunDue();
    clock_.Advance(std::chrono::seconds(120));
    engine_->RunDue();
    EXPECT_EQ(TaskStatuses(run, "tick"), "done");
    EXPECT_EQ(RunStatus(run), "finished");
}

TEST_P(EngineTest, ThreadsRunAWholeWorkflow) {
    EngineOptions options;
    options.threads = 3;
    options.tick = std::chrono::milliseconds(20);
    engine_ = MakeEngine("node-a", options);
    engine_->Start();
    auto run = Start(AddWorkflow(kForkGraph));
    ASSERT_TRUE(Eventually([&] { return RunStatus(run) == "finished"; }));
    EXPECT_EQ(Count(run, "t4"), "100/100/1");
    EXPECT_EQ(WorkingTablesLeft(), 0);
}

// Five branches finish side by side on four threads and meet at one join: it runs once, with
// every input.
TEST_P(EngineTest, ConcurrentBranchesMeetAtOneJoin) {
    std::string activities = R"({"id": "start", "type": "start"}, {"id": "fork", "type": "fork"},
        {"id": "join", "type": "andJoin", "params": {"primary": "j3"}}, {"id": "end", "type": "end"})";
    std::string transitions = R"({"id": "t0", "from": "start", "to": "fork"},
        {"id": "t9", "from": "join", "to": "end"})";
    for (int i = 1; i <= 5; ++i) {
        activities += R"(, {"id": "e)" + std::to_string(i) +
                      R"(", "type": "emit", "params": {"rows": )" + std::to_string(i * 10) + "}}";
        transitions += R"(, {"id": "f)" + std::to_string(i) + R"(", "from": "fork", "to": "e)" +
                       std::to_string(i) + R"("}, {"id": "j)" + std::to_string(i) +
                       R"(", "from": "e)" + std::to_string(i) + R"(", "to": "join"})";
    }
    EngineOptions options;
    options.threads = 4;
    options.tick = std::chrono::milliseconds(10);
    engine_ = MakeEngine("node-a", options);
    engine_->Start();
    for (int round = 0; round < 3; ++round) {
        auto run = Start(AddWorkflow(R"({"activities": [)" + activities + R"(], "transitions": [)" +
                                     transitions + "]}"));
        ASSERT_TRUE(Eventually([&] { return RunStatus(run) == "finished"; })) << RunStatus(run);
        EXPECT_EQ(TaskStatuses(run, "join"), "done");
        EXPECT_EQ(Count(run, "t9"), "30/30/1");
        auto inputs = Query(
            "SELECT inputs FROM workflow_tasks WHERE run_id = ?1 AND "
            "activity = 'join'",
            {run});
        EXPECT_EQ(json::parse(AsString(inputs.rows[0][0])).as_array().size(), 5u);
    }
    EXPECT_EQ(WorkingTablesLeft(), 0);
}

OVERTURE_INSTANTIATE_BACKENDS(EngineTest);

// The graph's JSON form and CheckGraph (no database).
class GraphTest : public ::testing::Test {
  protected:
    void SetUp() override { RegisterCoreActivities(registry_); }

    std::vector<Problem> Check(std::string_view text) {
        auto graph = ParseGraph(json::parse(text));
        EXPECT_TRUE(graph.has_value()) << graph.error().message;
        graph_ = std::move(*graph);
        CheckContext ctx;
        ctx.model = std::make_shared<const schema::Model>(schema::BuiltinModel());
        return CheckGraph(graph_, registry_, ctx);
    }

    Registry registry_;
    Graph graph_;
};

TEST_F(GraphTest, ParseNamesTheMember) {
    auto bad = [](std::string_view text) {
        auto g = ParseGraph(json::parse(text));
        EXPECT_FALSE(g.has_value()) << text;
        return g ? std::string() : g.error().message;
    };
    EXPECT_EQ(bad("[]"), "graph: must be an object");
    EXPECT_EQ(bad(R"({"activities": [{"id": "a", "type": "start"}, {"id": "b"}]})"),
              "activities[1].type: is required");
    EXPECT_EQ(bad(R"({"activities": [{"id": "a b", "type": "start"}]})"),
              "activities[0].id: must be 1 to 64 letters, digits, '_' or '-'");
    EXPECT_EQ(bad(R"({"activities": [{"id": "a", "type": "start"}, {"id": "a", "type": "end"}]})"),
              "activities[1].id: \"a\" is used twice");
    EXPECT_EQ(bad(R"({"transitions": [{"id": "t", "from": "a"}]})"),
              "transitions[0].to: is required");
    EXPECT_EQ(bad(R"({"activities": [{"id": "a", "type": "start", "onError": {"policy": "x"}}]})"),
              "activities[0].onError.policy: must be \"stop\", \"skip\" or \"retry\"");
    EXPECT_EQ(bad(R"({"variables": []})"), "variables: must be an object");

    auto g = ParseGraph(json::parse(R"({"activities": [{"id": "a", "type": "start", "x": 3,
        "onError": {"policy": "retry", "retries": 5}}], "transitions": [{"id": "t", "from": "a",
        "to": "b"}]})"));
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->activities[0].on_error.policy, ErrorPolicy::kRetry);
    EXPECT_EQ(g->activities[0].on_error.retries, 5);
    EXPECT_EQ(g->activities[0].on_error.delay_seconds, 60);
    EXPECT_EQ(g->transitions[0].from_port, "out");
    EXPECT_EQ(g->transitions[0].to_port, "in");
    auto round = ParseGraph(GraphToJson(*g));
    ASSERT_TRUE(round.has_value());
    EXPECT_EQ(GraphToJson(*round), GraphToJson(*g));
}

TEST_F(GraphTest, CheckFindsStructuralProblems) {
    auto problems = Check(R"({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "fork", "type": "fork"},
        {"id": "orphan", "type": "end"},
        {"id": "island", "type": "fork"},
        {"id": "islandEnd", "type": "end"},
        {"id": "join", "type": "andJoin"},
        {"id": "start2", "type": "start"},
        {"id": "what", "type": "mystery"}],
      "transitions": [
        {"id": "t1", "from": "start", "to": "fork"},
        {"id": "t2", "from": "fork", "fromPort": "nope", "to": "join"},
        {"id": "t3", "from": "fork", "to": "ghost"},
        {"id": "t4", "from": "fork", "to": "start2"},
        {"id": "t5", "from": "island", "to": "islandEnd"},
        {"id": "t6", "from": "fork", "to": "join"}]})");
    std::vector<std::string> got;
    for (const auto& p : problems) {
        got.push_back(p.activity + "|" + p.transition + "|" + p.field + "|" + p.message);
    }
    std::vector<std::string> want = {
        "what||type|\"mystery\" is not an activity type",
        "|t2|fromPort|\"fork\" has no output \"nope\" (its outputs: \"out\")",
        "|t3|to|the transition leads to \"ghost\", which is not an activity of this workflow",
        "start2|t4||Start starts the workflow: no transition may lead to it",
        "orphan|||nothing leads to this activity: connect it, or begin the workflow with Start, "
        "Scheduler or External signal",
        "island|||nothing leads to this activity: connect it, or begin the workflow with Start, "
        "Scheduler or External signal",
        "islandEnd|||this activity cannot be reached from the start of the workflow",
    };
    EXPECT_EQ(got, want);
}

TEST_F(GraphTest, AndJoinPrimaryMustBeAnInboundTransition) {
    auto problems = Check(R"({
      "activities": [
        {"id": "start", "type": "start"}, {"id": "fork", "type": "fork"},
        {"id": "join", "type": "andJoin", "params": {"primary": "t1"}}],
      "transitions": [
        {"id": "t1", "from": "start", "to": "fork"},
        {"id": "t2", "from": "fork", "to": "join"},
        {"id": "t3", "from": "fork", "to": "join"}]})");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].activity, "join");
    EXPECT_EQ(problems[0].field, "params.primary");
    EXPECT_TRUE(Check(R"({"activities": [{"id": "s", "type": "start"}]})").empty());
}

TEST_F(GraphTest, RegistryListsByCategoryAndIgnoresNull) {
    Registry r;
    r.Add(nullptr);
    r.Add(activities::MakeEnd());
    r.Add(activities::MakeStart());
    EXPECT_EQ(r.All().size(), 2u);
    EXPECT_EQ(r.Find("start")->type(), "start");
    EXPECT_EQ(r.Find("nope"), nullptr);
    auto all = registry_.All();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front()->category(), "flow");
}

TEST_F(GraphTest, TablesRoundTripThroughJson) {
    Table t{"wkf_12_3", "profile", {{"city", "string", "c1"}}, 42};
    auto back = TableFromJson(TableToJson(t));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->name, "wkf_12_3");
    EXPECT_EQ(back->count, 42);
    ASSERT_NE(back->Find("city"), nullptr);
    EXPECT_EQ(back->Find("city")->column, "c1");
    EXPECT_FALSE(TableFromJson(json::parse(R"({"name": "users; drop", "resource": "p"})")));
    EXPECT_FALSE(
        TableFromJson(json::parse(R"({"name": "wkf_1_1", "resource": "p", "columns": [{"name": "a",
        "type": "string", "column": "x\""}]})")));
}

TEST(WorkingTables, NamesAreRecognisedExactly) {
    EXPECT_TRUE(IsWorkingTableName(WorkingTableName(12, 3)));
    EXPECT_TRUE(IsWorkingTableName("wkf_1_1"));
    for (const char* bad : {"wkf_", "wkf_1", "wkf_1_", "wkf__1", "wkf_1_2_3", "wkf_1_x", "profiles",
                            "wkf_1_1; DROP TABLE profiles", "WKF_1_1", ""}) {
        EXPECT_FALSE(IsWorkingTableName(bad)) << bad;
    }
}

}  // namespace
}  // namespace overture::workflow
