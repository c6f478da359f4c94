// The flow activities (scheduler, externalSignal, wait, test, alert) on SQLite and PostgreSQL,
// run through TaskContext with a FakeClock: what each Execute returns step by step (waits,
// ticks, re-arming, the port taken, the population passed on), what it keeps in its state and
// logs, and the problems their Check reports, each naming its field.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/engine.hpp"
#include "workflow/schedule.hpp"
#include "workflow/testing/task_context.hpp"

namespace overture::workflow {
namespace {

namespace json = boost::json;
using testing::MakeTable;
using testing::ReadIds;
using testing::TaskContext;

json::object Params(std::string_view text) { return json::parse(text).as_object(); }

TimePoint Utc(std::string_view text) {
    auto t = ParseTimeIn(text, "UTC", "t");
    EXPECT_TRUE(t.has_value()) << text;
    return t ? *t : TimePoint{};
}

std::string Rfc(std::optional<TimePoint> t) { return t ? FormatRfc3339(*t) : "none"; }

// The problems of `params` as "field: message" lines.
std::vector<std::string> Problems(const ActivityType& type, std::string_view params,
                                  const Graph* graph = nullptr) {
    CheckContext ctx;
    ctx.model = std::make_shared<const schema::Model>(schema::BuiltinModel());
    ctx.graph = graph;
    std::vector<std::string> out;
    for (const auto& p : type.Check(Params(params), ctx)) out.push_back(p.field + ": " + p.message);
    return out;
}

using Lines = std::vector<std::string>;

class FlowTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        auto model = schema::Merge(schema::Model());
        ASSERT_TRUE(model);
        model_ = std::make_shared<const schema::Model>(std::move(*model));
        ctx_ = std::make_unique<TaskContext>(db(), model_, clock_);
    }
    void TearDown() override {
        if (ctx_) {
            EXPECT_TRUE(ctx_->DropTables());
        }
    }

    void Use(const ActivityType& type, std::string_view params) {
        ActivityDef a;
        a.id = "a1";
        a.type = std::string(type.type());
        a.params = Params(params);
        ctx_->set_activity(std::move(a));
    }

    // A population of three profiles arriving on "in".
    Table Arrive() {
        auto table = MakeTable(*ctx_, "profile", {3, 5, 8});
        EXPECT_TRUE(table) << table.error().message;
        ctx_->AddInput(*table);
        return *table;
    }

    Outcome Run(const ActivityType& type) {
        auto outcome = type.Execute(*ctx_);
        EXPECT_TRUE(outcome.has_value()) << outcome.error().message;
        return outcome ? *outcome : Outcome{};
    }

    std::string ErrorOf(const ActivityType& type) {
        auto outcome = type.Execute(*ctx_);
        EXPECT_FALSE(outcome.has_value());
        return outcome ? "" : outcome.error().message;
    }

    void SetTime(TimePoint t) { clock_.Advance(t - clock_.Now()); }

    std::vector<std::string> LogTexts() const {
        std::vector<std::string> out;
        for (const auto& l : ctx_->logs()) out.push_back(l.message);
        return out;
    }

    FakeClock clock_{Utc("2026-12-01T10:00:00Z")};
    std::shared_ptr<const schema::Model> model_;
    std::unique_ptr<TaskContext> ctx_;
};

// ---- scheduler ----

TEST_P(FlowTest, SchedulerWaitsForTheTickFiresAndRearms) {
    auto scheduler = activities::MakeScheduler();
    EXPECT_EQ(scheduler->input_mode(), InputMode::kNone);
    EXPECT_TRUE(scheduler->can_start());
    EXPECT_TRUE(scheduler->InputPorts({}).empty());
    Use(*scheduler, R"({"kind": "daily", "time": "02:00"})");

    auto first = Run(*scheduler);
    EXPECT_FALSE(first.done);
    EXPECT_EQ(Rfc(first.wake_at), "2026-12-02T02:00:00.000Z");
    EXPECT_EQ(ctx_->state().at("tick").as_int64(), ToUnixMillis(Utc("2026-12-02T02:00:00Z")));
    EXPECT_EQ(LogTexts(), (Lines{"Every day at 02:00 (UTC); first tick 2026-12-02T02:00:00.000Z"}));

    // Run early (a resumed run): waits for the same tick.
    clock_.Advance(std::chrono::hours(1));
    auto early = Run(*scheduler);
    EXPECT_FALSE(early.done);
    EXPECT_EQ(Rfc(early.wake_at), "2026-12-02T02:00:00.000Z");

    // At the tick: fires "out" without a population, and asks for the next tick.
    SetTime(Utc("2026-12-02T02:00:00Z"));
    auto fired = Run(*scheduler);
    EXPECT_TRUE(fired.done);
    ASSERT_EQ(fired.outputs.size(), 1u);
    EXPECT_EQ(fired.outputs[0].port, "out");
    EXPECT_FALSE(fired.outputs[0].table.has_value());
    EXPECT_EQ(Rfc(fired.again_at), "2026-12-03T02:00:00.000Z");

    // The re-armed task (what the engine makes of again_at) fires when it runs.
    ctx_->NextTask();
    ctx_->set_state(Params(R"({"rearmed": true})"));
    SetTime(Utc("2026-12-03T02:00:00.020Z"));
    auto again = Run(*scheduler);
    EXPECT_TRUE(again.done);
    ASSERT_EQ(again.outputs.size(), 1u);
    EXPECT_EQ(Rfc(again.again_at), "2026-12-04T02:00:00.000Z");
    EXPECT_EQ(LogTexts(), (Lines{"Fired; next tick 2026-12-04T02:00:00.000Z"}));
}

TEST_P(FlowTest, SchedulerFiresOnceForTicksMissedWhileDown) {
    auto scheduler = activities::MakeScheduler();
    Use(*scheduler, R"({"kind": "cron", "cron": "0 */6 * * *"})");
    ctx_->set_state(Params(R"({"rearmed": true})"));
    // Due at 2026-12-01T12:00; the node came back three days later.
    SetTime(Utc("2026-12-04T13:30:00Z"));
    auto fired = Run(*scheduler);
    EXPECT_TRUE(fired.done);
    EXPECT_EQ(fired.outputs.size(), 1u);
    EXPECT_EQ(Rfc(fired.again_at), "2026-12-04T18:00:00.000Z");

    // The first task too: its kept tick is long past.
    ctx_->NextTask();
    ctx_->set_state(Params(R"({"tick": 1764590400000})"));  // 2025-12-01T12:00Z
    auto late = Run(*scheduler);
    EXPECT_TRUE(late.done);
    EXPECT_EQ(Rfc(late.again_at), "2026-12-04T18:00:00.000Z");
}

TEST_P(FlowTest, SchedulerInAZoneAcrossDst) {
    auto scheduler = activities::MakeScheduler();
    Use(*scheduler, R"({"kind": "daily", "time": "02:30", "timeZone": "Europe/Paris"})");
    SetTime(Utc("2026-03-28T12:00:00Z"));
    auto first = Run(*scheduler);
    EXPECT_EQ(Rfc(first.wake_at), "2026-03-29T01:00:00.000Z");  // 02:30 does not exist
    SetTime(Utc("2026-03-29T01:00:00Z"));
    auto fired = Run(*scheduler);
    EXPECT_EQ(Rfc(fired.again_at), "2026-03-30T00:30:00.000Z");
}

TEST_P(FlowTest, SchedulerOnce) {
    auto scheduler = activities::MakeScheduler();
    Use(*scheduler, R"({"kind": "once", "at": "2026-12-24T18:00", "timeZone": "Europe/Paris"})");
    auto first = Run(*scheduler);
    EXPECT_EQ(Rfc(first.wake_at), "2026-12-24T17:00:00.000Z");
    SetTime(Utc("2026-12-24T17:00:00Z"));
    auto fired = Run(*scheduler);
    EXPECT_TRUE(fired.done);
    EXPECT_FALSE(fired.again_at.has_value());
    EXPECT_EQ(LogTexts().back(), "Fired; no further tick");

    // Started after the date: it would never fire.
    ctx_->NextTask();
    EXPECT_EQ(ErrorOf(*scheduler),
              "Once, on 2026-12-24 at 18:00 (Europe/Paris) is in the past: the scheduler would "
              "never fire");
}

TEST_P(FlowTest, SchedulerDryRunFiresAtOnceWithoutRearming) {
    auto scheduler = activities::MakeScheduler();
    Use(*scheduler, R"({"kind": "weekly", "time": "08:00", "days": ["mon"]})");
    ctx_->set_dry_run(true);
    auto fired = Run(*scheduler);
    EXPECT_TRUE(fired.done);
    EXPECT_EQ(fired.outputs.size(), 1u);
    EXPECT_FALSE(fired.again_at.has_value());
    EXPECT_EQ(LogTexts(), (Lines{"Dry run: fired at once (Every Monday at 08:00 (UTC))"}));
}

TEST_P(FlowTest, SchedulerCheck) {
    auto scheduler = activities::MakeScheduler();
    EXPECT_TRUE(Problems(*scheduler, R"({"kind": "cron", "cron": "0 2 * * 1-5"})").empty());
    EXPECT_EQ(Problems(*scheduler, R"({"kind": "cron", "cron": "0 25 * * *"})"),
              (Lines{"params.cron: field 2 (hour) 25 is out of range 0-23"}));
    EXPECT_EQ(Problems(*scheduler, R"({})"),
              (Lines{"params.kind: choose once, daily, weekly, monthly or cron"}));
    EXPECT_EQ(Problems(*scheduler, R"({"kind": "daily", "time": "2am"})"),
              (Lines{"params.time: '2am' is not a time of day (HH:MM, 00:00-23:59)"}));
    EXPECT_EQ(Problems(*scheduler, R"({"kind": "daily", "time": "02:00", "timeZone": "Mars"})"),
              (Lines{"params.timeZone: unknown time zone 'Mars' (use an IANA name such as "
                     "Europe/Paris)"}));
    // Executing bad params fails with the same message.
    Use(*scheduler, R"({"kind": "monthly", "time": "02:00", "dayOfMonth": 0})");
    EXPECT_EQ(ErrorOf(*scheduler),
              "params.dayOfMonth: must be a day of the month 1-31, or -1 for the last day");
}

// ---- external signal ----

TEST_P(FlowTest, ExternalSignalWaitsThenChecksParameters) {
    auto signal = activities::MakeExternalSignal();
    EXPECT_EQ(signal->input_mode(), InputMode::kEach);
    EXPECT_TRUE(signal->can_start());
    Use(*signal, R"({"parameters": [{"name": "country", "type": "string", "required": true},
                                    {"name": "limit", "type": "integer"},
                                    {"name": "vip", "type": "boolean"}]})");
    ctx_->set_ids(7, 1, 1);
    auto waiting = Run(*signal);
    EXPECT_FALSE(waiting.done);
    EXPECT_FALSE(waiting.wake_at.has_value());  // only a signal wakes it
    EXPECT_EQ(LogTexts(), (Lines{"Waiting for a signal (POST /api/v1/workflows/7/signal/a1)"}));
    auto still = Run(*signal);  // woken without a signal: waits again, says nothing more
    EXPECT_FALSE(still.done);
    EXPECT_EQ(ctx_->logs().size(), 1u);

    // What Engine::Signal leaves: the parameters in the state (and in the variables).
    ctx_->state()["signal"] = Params(R"({"country": "FR", "limit": 3.0, "extra": [1]})");
    auto fired = Run(*signal);
    EXPECT_TRUE(fired.done);
    ASSERT_EQ(fired.outputs.size(), 1u);
    EXPECT_EQ(fired.outputs[0].port, "out");
    EXPECT_FALSE(fired.outputs[0].table.has_value());  // it started the run: no population
    EXPECT_EQ(json::serialize(ctx_->variables()), R"({"country":"FR","limit":3,"extra":[1]})");
    EXPECT_EQ(LogTexts().back(), "Signal received with country, limit, extra");
}

TEST_P(FlowTest, ExternalSignalRefusesMissingOrMistypedParameters) {
    auto signal = activities::MakeExternalSignal();
    Use(*signal, R"({"parameters": [{"name": "country", "type": "string", "required": true},
                                    {"name": "limit", "type": "integer"}]})");
    ctx_->state()["signal"] = Params(R"({"limit": 3})");
    EXPECT_EQ(ErrorOf(*signal), "The signal lacks the required parameter 'country' (string)");
    ctx_->state()["signal"] = Params(R"({"country": null})");
    EXPECT_EQ(ErrorOf(*signal), "The signal lacks the required parameter 'country' (string)");
    ctx_->state()["signal"] = Params(R"({"country": 33})");
    EXPECT_EQ(ErrorOf(*signal), "The signal's parameter 'country' must be a string, not a number");
    ctx_->state()["signal"] = Params(R"({"country": "FR", "limit": 2.5})");
    EXPECT_EQ(ErrorOf(*signal), "The signal's parameter 'limit' must be an integer, not a number");
    ctx_->state()["signal"] = Params(R"({"country": "FR", "limit": "3"})");
    EXPECT_EQ(ErrorOf(*signal), "The signal's parameter 'limit' must be an integer, not a string");
    ctx_->state()["signal"] = Params(R"({"country": "FR", "limit": null})");  // optional
    EXPECT_TRUE(Run(*signal).done);
}

TEST_P(FlowTest, ExternalSignalOnABranchPassesThePopulation) {
    auto signal = activities::MakeExternalSignal();
    Use(*signal, R"({})");
    const Table in = Arrive();
    ctx_->state()["signal"] = json::object{};
    auto fired = Run(*signal);
    ASSERT_EQ(fired.outputs.size(), 1u);
    ASSERT_TRUE(fired.outputs[0].table.has_value());
    EXPECT_EQ(fired.outputs[0].table->name, in.name);
    EXPECT_EQ(fired.outputs[0].table->count, 3);
    EXPECT_EQ(LogTexts().back(), "Signal received");

    // A dry run does not wait.
    ctx_->NextTask();
    ctx_->set_dry_run(true);
    Arrive();
    auto dry = Run(*signal);
    EXPECT_TRUE(dry.done);
    ASSERT_EQ(dry.outputs.size(), 1u);
    EXPECT_TRUE(dry.outputs[0].table.has_value());
}

TEST_P(FlowTest, ExternalSignalCheck) {
    auto signal = activities::MakeExternalSignal();
    EXPECT_TRUE(Problems(*signal, R"({})").empty());
    EXPECT_TRUE(Problems(*signal, R"({"parameters": [{"name": "a_1"}]})").empty());
    EXPECT_EQ(Problems(*signal, R"({"parameters": {}})"),
              (Lines{"params.parameters: must be a list of parameters"}));
    EXPECT_EQ(Problems(*signal, R"({"parameters": [3, {"type": "string"},
                                   {"name": "1x"}, {"name": "a"}, {"name": "a", "type": "date"},
                                   {"name": "b", "required": "yes"}]})"),
              (Lines{"params.parameters[0]: must be an object with a name and a type",
                     "params.parameters[1].name: a parameter needs a name",
                     "params.parameters[2].name: \"1x\" is not a valid name: use letters, digits "
                     "and _, not starting with a digit",
                     "params.parameters[4].name: \"a\" is declared twice",
                     "params.parameters[4].type: must be string, integer or boolean",
                     "params.parameters[5].required: must be true or false"}));
}

// ---- wait ----

TEST_P(FlowTest, WaitForADuration) {
    auto wait = activities::MakeWait();
    Use(*wait, R"({"kind": "duration", "seconds": 3600})");
    const Table in = Arrive();
    auto first = Run(*wait);
    EXPECT_FALSE(first.done);
    EXPECT_EQ(Rfc(first.wake_at), "2026-12-01T11:00:00.000Z");
    EXPECT_EQ(LogTexts(), (Lines{"Waiting until 2026-12-01T11:00:00.000Z"}));
    // Run again half-way (a restart): the moment is kept, not recomputed.
    clock_.Advance(std::chrono::minutes(30));
    EXPECT_EQ(Rfc(Run(*wait).wake_at), "2026-12-01T11:00:00.000Z");
    clock_.Advance(std::chrono::minutes(30));
    auto done = Run(*wait);
    EXPECT_TRUE(done.done);
    ASSERT_EQ(done.outputs.size(), 1u);
    ASSERT_TRUE(done.outputs[0].table.has_value());
    EXPECT_EQ(done.outputs[0].table->name, in.name);
    auto ids = ReadIds(db(), *done.outputs[0].table);
    ASSERT_TRUE(ids);
    EXPECT_EQ(*ids, (std::vector<std::int64_t>{3, 5, 8}));
}

TEST_P(FlowTest, WaitUntil) {
    auto wait = activities::MakeWait();
    Use(*wait, R"({"kind": "until", "at": "2026-12-02T09:00", "timeZone": "Europe/Paris"})");
    EXPECT_EQ(Rfc(Run(*wait).wake_at), "2026-12-02T08:00:00.000Z");
    ctx_->NextTask();
    Use(*wait, R"({"kind": "until", "at": "2026-12-02T09:00:00+05:00"})");
    EXPECT_EQ(Rfc(Run(*wait).wake_at), "2026-12-02T04:00:00.000Z");
    // Already past: goes on at once.
    ctx_->NextTask();
    Use(*wait, R"({"kind": "until", "at": "2026-11-30T09:00:00Z"})");
    auto past = Run(*wait);
    EXPECT_TRUE(past.done);
    EXPECT_EQ(past.outputs.size(), 1u);
    // A dry run does not wait.
    ctx_->NextTask();
    ctx_->set_dry_run(true);
    Use(*wait, R"({"kind": "duration", "seconds": 86400})");
    EXPECT_TRUE(Run(*wait).done);
}

TEST_P(FlowTest, WaitCheck) {
    auto wait = activities::MakeWait();
    EXPECT_TRUE(Problems(*wait, R"({"kind": "duration", "seconds": 60})").empty());
    EXPECT_TRUE(Problems(*wait, R"({"kind": "until", "at": "2026-12-01T09:00:00Z"})").empty());
    EXPECT_EQ(Problems(*wait, R"({})"), (Lines{"params.kind: choose duration or until"}));
    const std::string seconds =
        "params.seconds: must be a whole number of seconds from 1 to 31622400 (366 days)";
    EXPECT_EQ(Problems(*wait, R"({"kind": "duration"})"), (Lines{seconds}));
    EXPECT_EQ(Problems(*wait, R"({"kind": "duration", "seconds": 0})"), (Lines{seconds}));
    EXPECT_EQ(Problems(*wait, R"({"kind": "duration", "seconds": "60"})"), (Lines{seconds}));
    EXPECT_EQ(Problems(*wait, R"({"kind": "duration", "seconds": 31622401})"), (Lines{seconds}));
    EXPECT_EQ(Problems(*wait, R"({"kind": "until"})"),
              (Lines{"params.at: must be a date and time such as 2026-12-01T09:00:00Z"}));
    EXPECT_EQ(Problems(*wait, R"({"kind": "until", "at": "next monday"})"),
              (Lines{"params.at: 'next monday' is not a date and time (YYYY-MM-DDTHH:MM[:SS], "
                     "optionally followed by Z or an offset such as +02:00)"}));
    EXPECT_EQ(Problems(*wait, R"({"kind": "until", "at": "2026-12-01T09:00", "timeZone": "X"})"),
              (Lines{"params.timeZone: unknown time zone 'X'"}));
}

// ---- test ----

TEST_P(FlowTest, TestBranchesOnVariablesAndCount) {
    auto test = activities::MakeTest();
    EXPECT_EQ(test->OutputPorts({}), (std::vector<std::string>{"true", "false"}));
    ctx_->set_variables(Params(
        R"({"country": "FR", "limit": 5, "ratio": 0.5, "vip": true, "big": 18446744073709551615,
            "note": null, "list": [1], "odd name": 1})"));
    const Table in = Arrive();
    Use(*test,
        R"({"condition": "count = 3 and country = \"FR\" and limit > 4 and ratio < 1 and vip and big > 1 and note is empty"})");
    auto yes = Run(*test);
    ASSERT_EQ(yes.outputs.size(), 1u);
    EXPECT_EQ(yes.outputs[0].port, "true");
    ASSERT_TRUE(yes.outputs[0].table.has_value());
    EXPECT_EQ(yes.outputs[0].table->name, in.name);
    ASSERT_EQ(ctx_->logs().size(), 1u);
    EXPECT_EQ(ctx_->logs()[0].rows, 3);

    Use(*test, R"js({"condition": "count > 1000 or country in (\"DE\", \"IT\")"})js");
    auto no = Run(*test);
    ASSERT_EQ(no.outputs.size(), 1u);
    EXPECT_EQ(no.outputs[0].port, "false");
    EXPECT_TRUE(no.outputs[0].table.has_value());
}

TEST_P(FlowTest, TestWithoutPopulationCountsZero) {
    auto test = activities::MakeTest();
    Use(*test, R"({"condition": "count = 0"})");
    auto out = Run(*test);
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].port, "true");
    EXPECT_FALSE(out.outputs[0].table.has_value());
    // A variable called count is hidden by the count of rows.
    ctx_->set_variables(Params(R"({"count": 12})"));
    EXPECT_EQ(Run(*test).outputs[0].port, "true");
}

TEST_P(FlowTest, TestNamesAVariableThatIsNotSet) {
    auto test = activities::MakeTest();
    ctx_->set_variables(Params(R"({"campaign": "winter", "limit": 2, "list": [1]})"));
    Use(*test, R"({"condition": "campaign = \"winter\" and country = \"FR\""})");
    EXPECT_EQ(ErrorOf(*test),
              "params.condition: the condition names the variable 'country', which is not set "
              "in this run (set: campaign, limit)");
    ctx_->set_variables({});
    EXPECT_EQ(ErrorOf(*test),
              "params.condition: the condition names the variable 'campaign', which is not set "
              "in this run (no variable is set)");
    ctx_->set_variables(Params(R"({"list": [1]})"));
    Use(*test, R"({"condition": "list = 1"})");
    EXPECT_EQ(ErrorOf(*test),
              "params.condition: variable 'list' holds a list or an object; a condition reads "
              "strings, numbers and booleans");
    // Types come from the values: a string variable is not a number.
    ctx_->set_variables(Params(R"({"limit": "2"})"));
    Use(*test, R"({"condition": "limit > 1"})");
    const std::string message = ErrorOf(*test);
    EXPECT_TRUE(message.starts_with("params.condition: line 1, column ")) << message;
}

TEST_P(FlowTest, TestCheck) {
    auto test = activities::MakeTest();
    EXPECT_EQ(Problems(*test, R"({})"),
              (Lines{"params.condition: write a condition, e.g. count > 0 or country = \"FR\""}));
    EXPECT_EQ(Problems(*test, R"({"condition": "  "})").size(), 1u);
    auto syntax = Problems(*test, R"({"condition": "count >"})");
    ASSERT_EQ(syntax.size(), 1u);
    EXPECT_TRUE(syntax[0].starts_with("params.condition: line 1, column 8: ")) << syntax[0];

    // Names that only a start or a signal will set are not checked before the run.
    EXPECT_TRUE(Problems(*test, R"({"condition": "country = 3"})").empty());
    // Known names are: the graph's variables and the signals' declared parameters.
    Graph graph;
    graph.variables = Params(R"({"campaign": "winter"})");
    ActivityDef signal;
    signal.id = "signal";
    signal.type = "externalSignal";
    signal.params = Params(R"({"parameters": [{"name": "limit", "type": "integer"}]})");
    graph.activities.push_back(signal);
    EXPECT_TRUE(
        Problems(*test, R"({"condition": "campaign = \"winter\" and limit > count"})", &graph)
            .empty());
    auto typed = Problems(*test, R"({"condition": "limit = \"x\""})", &graph);
    ASSERT_EQ(typed.size(), 1u);
    EXPECT_TRUE(typed[0].starts_with("params.condition: line 1, column ")) << typed[0];
    auto unknown = Problems(*test, R"({"condition": "count > 0 and campain = \"w\""})", &graph);
    EXPECT_TRUE(unknown.empty());  // may come with the start: checked at run time
}

// ---- alert ----

// A users row named `name` (role marketer).
void InsertUser(storage::Database& db, std::string_view name) {
    storage::Params p(db.dialect());
    auto sql = fmt::format(
        "INSERT INTO users (username, role, password_hash, created_at, updated_at) "
        "VALUES ({}, {}, {}, {}, {})",
        p.Add(std::string(name)), p.Add(std::string("marketer")), p.Add(std::string("x")),
        p.Add(std::int64_t{0}), p.Add(std::int64_t{0}));
    auto done = storage::WithWrite(
        db, [&](storage::Transaction& tx) { return tx.ExecSql(sql, p.values()); });
    ASSERT_TRUE(done) << done.error().message;
}

// The notifications table as "user|level|title|message|link|read" lines, by id.
Lines Notifications(storage::Database& db) {
    const std::string sql =
        "SELECT username, level, title, message, link, read_at FROM notifications ORDER BY id";
    auto rows = storage::WithRead(db, [&](storage::Transaction& tx) {
        return tx.QuerySql(sql, std::span<const storage::Value>());
    });
    EXPECT_TRUE(rows) << rows.error().message;
    Lines out;
    if (!rows) return out;
    for (const auto& r : rows->rows) {
        out.push_back(fmt::format("{}|{}|{}|{}|{}|{}", storage::AsString(r[0]),
                                  storage::AsString(r[1]), storage::AsString(r[2]),
                                  storage::AsString(r[3]), storage::AsString(r[4]),
                                  storage::IsNull(r[5]) ? "unread" : "read"));
    }
    return out;
}

TEST_P(FlowTest, AlertLogsTheMessageAndPasses) {
    InsertUser(db(), "admin");  // the run's user (TaskContext), notified without recipients
    InsertUser(db(), "alice");
    InsertUser(db(), "bob");
    auto alert = activities::MakeAlert();
    ctx_->set_variables(Params(R"({"campaign": "winter", "wave": 2})"));
    Use(*alert,
        R"({"message": "{{count}} rows for {{ variables.campaign }} #{{variables.wave}}{{variables.none}} {{other}} {{", "level": "warning", "recipients": ["alice", "bob"]})");
    const Table in = Arrive();
    auto out = Run(*alert);
    EXPECT_TRUE(out.done);
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].port, "out");
    ASSERT_TRUE(out.outputs[0].table.has_value());
    EXPECT_EQ(out.outputs[0].table->name, in.name);
    ASSERT_EQ(ctx_->logs().size(), 1u);
    EXPECT_EQ(ctx_->logs()[0].level, LogLevel::kWarning);
    EXPECT_EQ(ctx_->logs()[0].message, "3 rows for winter #2 {{other}} {{ (to alice, bob)");
    EXPECT_EQ(ctx_->logs()[0].rows, 3);

    // Without a population and without a level: info, count 0, no rows.
    ctx_->NextTask();
    Use(*alert, R"({"message": "Done: {{count}}"})");
    auto plain = Run(*alert);
    ASSERT_EQ(plain.outputs.size(), 1u);
    EXPECT_FALSE(plain.outputs[0].table.has_value());
    ASSERT_EQ(ctx_->logs().size(), 1u);
    EXPECT_EQ(ctx_->logs()[0].level, LogLevel::kInfo);
    EXPECT_EQ(ctx_->logs()[0].message, "Done: 0");
    EXPECT_FALSE(ctx_->logs()[0].rows.has_value());
}

// Each recipient (once) gets a notification titled after the workflow, linking to it; without
// recipients the run's user does; a dry run notifies nobody; a user deleted since the check is
// skipped with a warning.
TEST_P(FlowTest, AlertNotifiesItsRecipients) {
    InsertUser(db(), "alice");
    InsertUser(db(), "bob");
    InsertUser(db(), "carol");
    auto workflow = testing::InsertWorkflow(db(), clock_, "Nightly import");
    ASSERT_TRUE(workflow) << workflow.error().message;
    const std::string link = fmt::format("/workflows/{}", *workflow);
    ctx_->set_ids(*workflow, 1, 1);
    ctx_->set_variables(Params(R"({"campaign": "winter"})"));
    auto alert = activities::MakeAlert();

    Use(*alert,
        R"({"message": "{{count}} for {{variables.campaign}}", "level": "warning", "recipients": ["alice", " bob ", "alice", "ghost"]})");
    Arrive();
    Run(*alert);
    EXPECT_EQ(
        Notifications(db()),
        (Lines{"alice|warning|Workflow alert: Nightly import|3 for winter|" + link + "|unread",
               "bob|warning|Workflow alert: Nightly import|3 for winter|" + link + "|unread"}));
    EXPECT_EQ(LogTexts(), (Lines{"3 for winter (to alice,  bob , alice, ghost)",
                                 "no user is named \"ghost\": not notified"}));

    // The same task run again (its node died after notifying): nobody is notified twice, and
    // alice and bob are not reported as unknown.
    ctx_->set_ids(*workflow, 1, 1);
    Run(*alert);
    EXPECT_EQ(Notifications(db()).size(), 2u);
    const auto logs = LogTexts();
    ASSERT_EQ(logs.size(), 4u);
    EXPECT_EQ(logs[3], "no user is named \"ghost\": not notified");

    // No recipients: the run's user.
    ctx_->NextTask();
    ctx_->set_run_as("carol", "marketer");
    Use(*alert, R"({"message": "done"})");
    Run(*alert);
    auto all = Notifications(db());
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[2], "carol|info|Workflow alert: Nightly import|done|" + link + "|unread");

    // A dry run logs but notifies nobody.
    ctx_->NextTask();
    ctx_->set_dry_run(true);
    Use(*alert, R"({"message": "dry", "recipients": ["alice"]})");
    Run(*alert);
    EXPECT_EQ(LogTexts(), (Lines{"dry (to alice)"}));
    EXPECT_EQ(Notifications(db()).size(), 3u);
}

// With a database, Check names each recipient that is no user.
TEST_P(FlowTest, AlertCheckFlagsUnknownUsers) {
    InsertUser(db(), "alice");
    auto alert = activities::MakeAlert();
    CheckContext check;
    check.model = model_;
    check.db = &db();
    Lines problems;
    for (const auto& p : alert->Check(
             Params(R"({"message": "x", "recipients": ["alice", "ghost", " "]})"), check)) {
        problems.push_back(p.field + ": " + p.message);
    }
    EXPECT_EQ(problems, (Lines{"params.recipients[1]: no user is named \"ghost\"",
                               "params.recipients[2]: must be a user name"}));
}

TEST_P(FlowTest, AlertCheck) {
    auto alert = activities::MakeAlert();
    EXPECT_TRUE(Problems(*alert, R"({"message": "hi", "level": "error"})").empty());
    EXPECT_EQ(Problems(*alert, R"({"level": "loud", "recipients": ["ann", 3, " "]})"),
              (Lines{"params.message: write the message of the alert",
                     "params.level: choose info, warning or error",
                     "params.recipients[1]: must be a user name",
                     "params.recipients[2]: must be a user name"}));
    EXPECT_EQ(Problems(*alert, R"({"message": "x", "recipients": "ann"})"),
              (Lines{"params.recipients: must be a list of user names"}));
    const std::string long_message(2001, 'x');
    EXPECT_EQ(Problems(*alert, R"({"message": ")" + long_message + "\"}"),
              (Lines{"params.message: is longer than 2000 characters"}));
}

// The flow activities in the registry, with their categories and input modes.
TEST_P(FlowTest, Registered) {
    Registry registry;
    RegisterCoreActivities(registry);
    for (std::string_view type : {"scheduler", "externalSignal", "wait", "test", "alert"}) {
        const ActivityType* t = registry.Find(type);
        ASSERT_NE(t, nullptr) << type;
        EXPECT_EQ(t->category(), "flow");
    }
    EXPECT_EQ(registry.Find("scheduler")->input_mode(), InputMode::kNone);
    EXPECT_EQ(registry.Find("externalSignal")->label(), "External signal");
}

OVERTURE_INSTANTIATE_BACKENDS(FlowTest);

// ---- through the engine ----

// The flow activities in real runs of the engine (RunDue with the FakeClock): a daily
// scheduler in Paris that fires once per tick, once for ticks missed while down, and an
// External signal whose parameter a Test reads.
class FlowEngineTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        RegisterCoreActivities(registry_);
        auto model = std::make_shared<const schema::Model>(schema::BuiltinModel());
        engine_ = std::make_unique<Engine>(
            db(), clock_, registry_, [model] { return model; }, EngineOptions{});
    }
    void TearDown() override {
        if (engine_) engine_->Stop();
        engine_.reset();
    }

    std::int64_t AddWorkflow(std::string_view graph) {
        storage::Params p(db().dialect());
        const std::string sql =
            "INSERT INTO workflows (label, graph, created_at, created_by, modified_at, "
            "modified_by) VALUES (" +
            p.Add(std::string("flow")) + ", " + p.Add(std::string(graph)) + ", " +
            p.Add(std::int64_t{1}) + ", 'test', 1, 'test') RETURNING id";
        auto rows = storage::WithWrite(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
        EXPECT_TRUE(rows.has_value()) << rows.error().detail;
        return rows ? storage::AsInt(rows->rows.at(0).at(0)) : 0;
    }

    std::int64_t Start(std::int64_t workflow) {
        StartOptions o;
        o.started_by = "admin";
        o.role = "administrator";
        auto run = engine_->StartRun(workflow, o);
        EXPECT_TRUE(run.has_value()) << run.error().message;
        return run.value_or(0);
    }

    storage::Rows Query(std::string_view sql, std::int64_t run) {
        storage::Params p(db().dialect());
        std::string text(sql);
        text.replace(text.find("{run}"), 5, p.Add(run));
        auto rows = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(text, p.values()); });
        EXPECT_TRUE(rows.has_value()) << text << ": " << rows.error().detail;
        return rows.value_or(storage::Rows{});
    }

    // How many times the activity wrote `message` in the run's log (the engine writes its own
    // lines too).
    int Said(std::int64_t run, std::string_view activity, std::string_view message) {
        int n = 0;
        for (const auto& line : LogOf(run, activity)) n += line == message ? 1 : 0;
        return n;
    }

    // The run's log lines of one activity, oldest first.
    Lines LogOf(std::int64_t run, std::string_view activity) {
        Lines out;
        for (const auto& r : Query("SELECT activity, message FROM workflow_logs WHERE run_id = "
                                   "{run} ORDER BY id",
                                   run)
                                 .rows) {
            if (storage::AsString(r[0]) == activity) out.push_back(storage::AsString(r[1]));
        }
        return out;
    }

    std::string RunStatus(std::int64_t run) {
        auto rows = Query("SELECT status FROM workflow_runs WHERE id = {run}", run);
        return rows.empty() ? "" : storage::AsString(rows.rows[0][0]);
    }

    void SetTime(TimePoint t) { clock_.Advance(t - clock_.Now()); }

    FakeClock clock_{Utc("2026-12-01T10:00:00Z")};
    Registry registry_;
    std::unique_ptr<Engine> engine_;
};

TEST_P(FlowEngineTest, DailySchedulerFiresOncePerTick) {
    auto run = Start(AddWorkflow(R"({
        "activities": [
          {"id": "sched", "type": "scheduler",
           "params": {"kind": "daily", "time": "02:00", "timeZone": "Europe/Paris"}},
          {"id": "note", "type": "alert", "params": {"message": "tick for {{variables.campaign}}"}},
          {"id": "end", "type": "end"}],
        "transitions": [{"id": "t1", "from": "sched", "to": "note"},
                        {"id": "t2", "from": "note", "to": "end"}],
        "variables": {"campaign": "winter"}})"));
    engine_->RunDue();
    EXPECT_EQ(Said(run, "note", "tick for winter"), 0);
    SetTime(Utc("2026-12-02T00:59:59Z"));
    engine_->RunDue();
    EXPECT_EQ(Said(run, "note", "tick for winter"), 0);

    SetTime(Utc("2026-12-02T01:00:00Z"));  // 02:00 in Paris
    engine_->RunDue();
    EXPECT_EQ(Said(run, "note", "tick for winter"), 1);
    engine_->RunDue();
    SetTime(Utc("2026-12-02T18:00:00Z"));
    engine_->RunDue();
    EXPECT_EQ(Said(run, "note", "tick for winter"), 1);  // never twice for one tick

    // Down for three days: the missed ticks fire once.
    SetTime(Utc("2026-12-05T12:00:00Z"));
    engine_->RunDue();
    engine_->RunDue();
    EXPECT_EQ(Said(run, "note", "tick for winter"), 2);
    SetTime(Utc("2026-12-06T01:00:00Z"));
    engine_->RunDue();
    EXPECT_EQ(Said(run, "note", "tick for winter"), 3);
    EXPECT_EQ(RunStatus(run), "running");
    ASSERT_TRUE(engine_->Stop(run).has_value());
    EXPECT_EQ(RunStatus(run), "stopped");
}

TEST_P(FlowEngineTest, SignalParameterDrivesATest) {
    const auto workflow = AddWorkflow(R"({
        "activities": [
          {"id": "signal", "type": "externalSignal",
           "params": {"parameters": [{"name": "country", "type": "string", "required": true}]}},
          {"id": "isFr", "type": "test", "params": {"condition": "country = \"FR\""}},
          {"id": "yes", "type": "alert", "params": {"message": "France", "level": "warning"}},
          {"id": "no", "type": "alert", "params": {"message": "elsewhere"}},
          {"id": "wait", "type": "wait", "params": {"kind": "duration", "seconds": 60}},
          {"id": "end", "type": "end"}],
        "transitions": [{"id": "t1", "from": "signal", "to": "isFr"},
                        {"id": "t2", "from": "isFr", "fromPort": "true", "to": "wait"},
                        {"id": "t3", "from": "wait", "to": "yes"},
                        {"id": "t4", "from": "isFr", "fromPort": "false", "to": "no"},
                        {"id": "t5", "from": "yes", "to": "end"},
                        {"id": "t6", "from": "no", "to": "end"}]})");
    auto run = Start(workflow);
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "running");
    ASSERT_TRUE(engine_->Signal(workflow, "signal", Params(R"({"country": "FR"})")).has_value());
    engine_->RunDue();
    EXPECT_EQ(Said(run, "yes", "France"), 0);  // waiting a minute first
    clock_.Advance(std::chrono::seconds(60));
    engine_->RunDue();
    EXPECT_EQ(Said(run, "yes", "France"), 1);
    EXPECT_TRUE(LogOf(run, "no").empty());
    EXPECT_EQ(RunStatus(run), "finished");

    // Without the required parameter the signal activity fails the run.
    auto second = Start(workflow);
    engine_->RunDue();
    ASSERT_TRUE(engine_->Signal(workflow, "signal", Params(R"({"other": 1})")).has_value());
    engine_->RunDue();
    EXPECT_EQ(RunStatus(second), "failed");
    auto error = Query("SELECT error FROM workflow_runs WHERE id = {run}", second);
    ASSERT_FALSE(error.empty());
    EXPECT_NE(storage::AsString(error.rows[0][0])
                  .find("The signal lacks the required parameter 'country' (string)"),
              std::string::npos)
        << storage::AsString(error.rows[0][0]);
}

OVERTURE_INSTANTIATE_BACKENDS(FlowEngineTest);

}  // namespace
}  // namespace overture::workflow
