// The service's workflow activities with the real engine, on SQLite and PostgreSQL: the
// "nightly import" acceptance (Scheduler -> Load file -> Update data -> Save audience, run
// twice by the scheduler under a fake clock), email deliveries per segment whose sending logs
// carry the segment codes (the delivery worker's preparation is run by hand, as the worker
// would), extract/transfer/subscription activities, and the files folder's safety rules.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/crypto.hpp"
#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/deliveries.hpp"
#include "service/delivery_prepare.hpp"
#include "service/dkim_keys.hpp"
#include "service/exports.hpp"
#include "service/records.hpp"
#include "service/routes.hpp"
#include "service/schema_service.hpp"
#include "service/subscriptions.hpp"
#include "service/templates.hpp"
#include "service/workflow_activities.hpp"
#include "service/workflow_files.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"
#include "workflow/engine.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::int64_t kNov30At1 = 1796000400000;  // 2026-11-30T01:00:00Z

class ServiceWorkflowTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        static int counter = 0;
        root_ =
            fmt::format("{}/service_workflow_{}_{}", ::testing::TempDir(), ::getpid(), ++counter);
        fs::remove_all(root_);
        fs::create_directories(root_ + "/files");
        auto box = SecretBox::FromKey(std::string(32, 'z'));
        ASSERT_TRUE(box);
        secrets_ = std::make_unique<SecretBox>(std::move(*box));
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        schema_ = std::make_unique<SchemaService>(db(), clock_, *audit_);
        ASSERT_TRUE(schema_->Load());
        records_ = std::make_unique<RecordService>(db(), clock_, *schema_);
        exports_ = std::make_unique<ExportService>(*records_, *schema_);
        audiences_ = std::make_unique<AudienceService>(db(), clock_, *audit_, *schema_, *records_,
                                                       *exports_);
        templates_ = std::make_unique<TemplateService>(*records_, *schema_);
        deliveries_ = std::make_unique<DeliveryService>(db(), clock_, *audit_, *schema_, *records_,
                                                        *audiences_, *templates_);
        subscriptions_ = std::make_unique<SubscriptionService>(db(), clock_, *records_);
        routes_ =
            std::make_unique<RouteService>(db(), clock_, *audit_, *secrets_, root_ + "/maildir");
        dkim_ = std::make_unique<DkimKeyService>(db(), clock_, *audit_, *secrets_);
        preparer_ = std::make_unique<DeliveryPreparer>(db(), clock_, *schema_, *deliveries_,
                                                       *routes_, *dkim_);
        workflow::RegisterCoreActivities(registry_);
        RegisterServiceActivities(registry_, ServiceActivityDeps{.db = db(),
                                                                 .clock = clock_,
                                                                 .schema = *schema_,
                                                                 .records = *records_,
                                                                 .deliveries = *deliveries_,
                                                                 .subscriptions = *subscriptions_,
                                                                 .audit = *audit_,
                                                                 .directory = root_ + "/files"});
        engine_ = std::make_unique<workflow::Engine>(
            db(), clock_, registry_, [this] { return schema_->Current(); },
            workflow::EngineOptions{});
    }

    void TearDown() override {
        engine_.reset();
        std::error_code ec;
        if (!root_.empty()) fs::remove_all(root_, ec);
    }

    void WriteFile(const std::string& relative, const std::string& text) {
        const fs::path p = fs::path(root_) / "files" / relative;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
    }

    std::string ReadFile(const std::string& relative) {
        std::ifstream in(fs::path(root_) / "files" / relative, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    // Saves a workflow with this graph (checked by the engine first) and returns its id.
    std::int64_t SaveWorkflow(const std::string& label, const json::value& graph) {
        auto parsed = workflow::ParseGraph(graph);
        EXPECT_TRUE(parsed) << parsed.error().message;
        if (!parsed) return 0;
        for (const auto& p : engine_->Check(*parsed)) {
            ADD_FAILURE() << "problem: " << p.activity << " " << p.field << ": " << p.message;
        }
        const auto now = ToUnixMillis(clock_.Now());
        auto id = storage::WithWrite(db(), [&](storage::Transaction& tx) -> Result<std::int64_t> {
            storage::Params p(db().dialect());
            const std::string sql = fmt::format(
                "INSERT INTO workflows (label, graph, created_at, created_by, modified_at, "
                "modified_by) VALUES ({}, {}, {}, 'admin', {}, 'admin') RETURNING id",
                p.Add(label), p.Add(json::serialize(workflow::GraphToJson(*parsed))), p.Add(now),
                p.Add(now));
            auto rows = tx.QuerySql(sql, p.values());
            if (!rows) return Fail(rows.error());
            return storage::AsInt(rows->rows[0][0]);
        });
        EXPECT_TRUE(id) << id.error().message;
        return id.value_or(0);
    }

    std::int64_t Start(std::int64_t workflow_id, std::string user = "admin",
                       std::string role = "administrator") {
        workflow::StartOptions options;
        options.started_by = std::move(user);
        options.role = std::move(role);
        auto run = engine_->StartRun(workflow_id, options);
        EXPECT_TRUE(run) << run.error().message;
        return run.value_or(0);
    }

    storage::Rows Sql(const std::string& sql, std::vector<storage::Value> params = {}) {
        auto rows = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, params); });
        EXPECT_TRUE(rows) << rows.error().message << " -- " << sql;
        return rows.value_or(storage::Rows{});
    }

    std::string Param(int n) {
        return db().dialect() == storage::Dialect::kPostgres ? fmt::format("${}", n)
                                                             : fmt::format("?{}", n);
    }

    // email -> firstName of every profile.
    std::map<std::string, std::string> Profiles() {
        std::map<std::string, std::string> out;
        for (const auto& r : Sql("SELECT email, first_name FROM profiles").rows) {
            out[storage::AsString(r[0])] = storage::AsString(r[1]);
        }
        return out;
    }

    std::set<std::string> AudienceEmails(const std::string& label) {
        std::set<std::string> out;
        for (const auto& r : Sql("SELECT p.email FROM audience_members m JOIN audiences a ON "
                                 "a.id = m.audience_id JOIN profiles p ON p.id = m.profile_id "
                                 "WHERE a.label = " +
                                     Param(1),
                                 {std::string(label)})
                                 .rows) {
            out.insert(storage::AsString(r[0]));
        }
        return out;
    }

    std::int64_t Tasks(std::int64_t run, const std::string& activity) {
        auto rows = Sql(fmt::format("SELECT count(*) FROM workflow_tasks WHERE run_id = {} AND "
                                    "activity = {}",
                                    Param(1), Param(2)),
                        {run, activity});
        return rows.empty() ? -1 : storage::AsInt(rows.rows[0][0]);
    }

    std::string Logs(std::int64_t run) {
        std::string out;
        for (const auto& r :
             Sql("SELECT activity, level, message FROM workflow_logs WHERE run_id = " + Param(1) +
                     " ORDER BY id",
                 {run})
                 .rows) {
            out += fmt::format("{} [{}] {}\n", storage::AsString(r[0]), storage::AsString(r[1]),
                               storage::AsString(r[2]));
        }
        return out;
    }

    std::string RunStatus(std::int64_t run) {
        auto rows = Sql("SELECT status, error FROM workflow_runs WHERE id = " + Param(1), {run});
        if (rows.empty()) return "?";
        const auto error = storage::AsString(rows.rows[0][1]);
        return storage::AsString(rows.rows[0][0]) + (error.empty() ? "" : ": " + error);
    }

    std::int64_t MakeProfile(const std::string& email, const std::string& first,
                             const std::string& country) {
        auto p = records_->Create(
            Actor::System(), "profile",
            json::object{{"email", email}, {"firstName", first}, {"country", country}});
        EXPECT_TRUE(p) << p.error().message;
        return p ? p->at("id").as_int64() : 0;
    }

    // What the delivery worker does: prepares every delivery in "preparing" and writes the
    // outcome back.
    int PrepareAll() {
        int n = 0;
        for (const auto& r : Sql("SELECT id FROM deliveries WHERE state = 'preparing'").rows) {
            auto d = deliveries_->Load(DeliveryId(storage::AsInt(r[0])));
            EXPECT_TRUE(d);
            if (!d) continue;
            auto prep = preparer_->Run(*d, {});
            EXPECT_TRUE(prep) << prep.error().message;
            if (!prep) continue;
            const bool ok = prep->errors.empty();
            auto st = storage::WithWrite(db(), [&](storage::Transaction& tx) -> Status {
                storage::Params p(db().dialect());
                const auto sql = fmt::format(
                    "UPDATE deliveries SET state = {}, preparation = {}, count_pending = {}, "
                    "version = version + 1 WHERE id = {}",
                    p.Add(std::string(ok ? "ready" : "draft")), p.Add(PreparationToJson(*prep)),
                    p.Add(prep->to_send), p.Add(d->id.value()));
                if (auto x = tx.ExecSql(sql, p.values()); !x) return Fail(x.error());
                return {};
            });
            EXPECT_TRUE(st) << st.error().message;
            ++n;
        }
        return n;
    }

    DeliveryId MakeTemplate() {
        NewRoute route;
        route.name = "files";
        route.kind = "maildir";
        route.settings = {{"folder", "box"}};
        route.is_default = true;
        auto r = routes_->Create(Actor::System(), route);
        EXPECT_TRUE(r) << r.error().message;
        NewDelivery in;
        in.label = "Winter sale";
        in.is_template = true;
        in.content =
            json::object{{"from", {{"name", "Shop"}, {"address", "news@shop.example"}}},
                         {"subject", "Hello {{ profile.firstName }}"},
                         {"html", "<p>Hi</p><a href=\"{{ unsubscribe_url }}\">unsubscribe</a>"},
                         {"text", "Hi {{ unsubscribe_url }}"}};
        auto d = deliveries_->Create(Actor::System(), in);
        EXPECT_TRUE(d) << d.error().message;
        return d ? d->id : DeliveryId(0);
    }

    FakeClock clock_{FromUnixMillis(kNov30At1)};
    std::string root_;
    std::unique_ptr<SecretBox> secrets_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<ExportService> exports_;
    std::unique_ptr<AudienceService> audiences_;
    std::unique_ptr<TemplateService> templates_;
    std::unique_ptr<DeliveryService> deliveries_;
    std::unique_ptr<SubscriptionService> subscriptions_;
    std::unique_ptr<RouteService> routes_;
    std::unique_ptr<DkimKeyService> dkim_;
    std::unique_ptr<DeliveryPreparer> preparer_;
    workflow::Registry registry_;
    std::unique_ptr<workflow::Engine> engine_;
};

json::value NightlyGraph() {
    return json::parse(R"J({
      "activities": [
        {"id": "sched", "type": "scheduler",
         "params": {"kind": "daily", "time": "02:00", "timeZone": "UTC"}},
        {"id": "load", "type": "loadFile", "params": {"path": "nightly.csv"}},
        {"id": "upd", "type": "updateData",
         "params": {"resource": "profile", "mode": "upsert", "keys": ["email"],
                    "mapping": [{"column": "email", "field": "email"},
                                {"column": "first", "field": "firstName"}]}},
        {"id": "save", "type": "saveAudience",
         "params": {"label": "Nightly import", "mode": "replace"}}
      ],
      "transitions": [
        {"id": "t1", "from": "sched", "to": "load"},
        {"id": "t2", "from": "load", "to": "upd"},
        {"id": "t3", "from": "upd", "to": "save"}
      ]
    })J");
}

TEST_P(ServiceWorkflowTest, NightlyImportRunsOncePerTick) {
    MakeProfile("bob@example.com", "Old", "FR");
    WriteFile("nightly.csv",
              "email,first\n"
              "alice@example.com,Alice\n"
              "bob@EXAMPLE.com,Bob\n"
              "not-an-email,Nobody\n"
              "carol@example.com,Carol\n");
    const auto wf = SaveWorkflow("Nightly", NightlyGraph());
    const auto run = Start(wf);
    ASSERT_GT(run, 0);

    engine_->RunDue();  // 01:00: the scheduler waits for 02:00
    EXPECT_EQ(Tasks(run, "load"), 0);
    EXPECT_EQ(Profiles().size(), 1u);

    clock_.Advance(1h);  // 02:00
    engine_->RunDue();
    engine_->RunDue();  // the same tick again: no second fire
    EXPECT_EQ(Tasks(run, "load"), 1) << Logs(run);
    EXPECT_EQ(Profiles(), (std::map<std::string, std::string>{{"alice@example.com", "Alice"},
                                                              {"bob@example.com", "Bob"},
                                                              {"carol@example.com", "Carol"}}))
        << Logs(run);
    EXPECT_EQ(AudienceEmails("Nightly import"),
              (std::set<std::string>{"alice@example.com", "bob@example.com", "carol@example.com"}))
        << Logs(run);
    const auto logs = Logs(run);
    EXPECT_NE(logs.find("4 lines read, 4 loaded, 0 rejected"), std::string::npos) << logs;
    EXPECT_NE(logs.find("1 rejected"), std::string::npos) << logs;  // not-an-email

    clock_.Advance(1h);  // 03:00: nothing new
    engine_->RunDue();
    EXPECT_EQ(Tasks(run, "load"), 1);

    WriteFile("nightly.csv",
              "email,first\n"
              "bob@example.com,Robert\n"
              "dave@example.com,Dave\n");
    clock_.Advance(23h);  // the next day, 02:00
    engine_->RunDue();
    EXPECT_EQ(Tasks(run, "load"), 2) << Logs(run);
    EXPECT_EQ(Tasks(run, "save"), 2) << Logs(run);
    EXPECT_EQ(Profiles(), (std::map<std::string, std::string>{{"alice@example.com", "Alice"},
                                                              {"bob@example.com", "Robert"},
                                                              {"carol@example.com", "Carol"},
                                                              {"dave@example.com", "Dave"}}))
        << Logs(run);
    EXPECT_EQ(AudienceEmails("Nightly import"),
              (std::set<std::string>{"bob@example.com", "dave@example.com"}))
        << Logs(run);
    EXPECT_EQ(RunStatus(run), "running");
}

TEST_P(ServiceWorkflowTest, EmailDeliveriesPerSegmentCarryTheSegmentCodes) {
    const auto tmpl = MakeTemplate();
    std::set<std::int64_t> fr, de;
    for (int i = 0; i < 3; ++i) {
        fr.insert(MakeProfile(fmt::format("fr{}@example.com", i), "F", "FR"));
        de.insert(MakeProfile(fmt::format("de{}@example.com", i), "D", "DE"));
    }
    MakeProfile("it@example.com", "I", "IT");
    json::value graph = json::parse(R"J({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "q", "type": "query",
         "params": {"resource": "profile", "expression": "country in (\"FR\", \"DE\")"}},
        {"id": "seg", "type": "segmentation",
         "params": {"segments": [{"code": "fr", "filter": "country = \"FR\""}],
                    "complement": {"enabled": true, "code": "rest"}}},
        {"id": "mailFr", "type": "emailDelivery", "params": {"templateId": 0}},
        {"id": "mailRest", "type": "emailDelivery", "params": {"templateId": 0}},
        {"id": "end", "type": "end"}
      ],
      "transitions": [
        {"id": "t1", "from": "start", "to": "q"},
        {"id": "t2", "from": "q", "to": "seg"},
        {"id": "t3", "from": "seg", "fromPort": "fr", "to": "mailFr"},
        {"id": "t4", "from": "seg", "fromPort": "rest", "to": "mailRest"},
        {"id": "t5", "from": "mailFr", "to": "end"}
      ]
    })J");
    for (auto& a : graph.at("activities").as_array()) {
        if (a.at("type") == "emailDelivery") {
            a.as_object()["params"].as_object()["templateId"] = tmpl.value();
        }
    }
    const auto wf = SaveWorkflow("Winter", graph);
    const auto run = Start(wf, "sam", "supervisor");
    engine_->RunDue();
    EXPECT_EQ(PrepareAll(), 2) << Logs(run);
    clock_.Advance(2s);
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished") << Logs(run);

    auto rows = Sql("SELECT id, label, state FROM deliveries WHERE is_template = " +
                    std::string(db().dialect() == storage::Dialect::kPostgres ? "false" : "0") +
                    " ORDER BY id");
    ASSERT_EQ(rows.size(), 2u) << Logs(run);
    std::map<std::string, std::set<std::int64_t>> by_segment;
    for (const auto& r : rows.rows) {
        EXPECT_EQ(storage::AsString(r[2]), "scheduled") << Logs(run);
        EXPECT_NE(storage::AsString(r[1]).find("Winter sale — Winter run 1 segment "),
                  std::string::npos)
            << storage::AsString(r[1]);
        PageRequest page;
        page.limit = 100;
        auto logs = deliveries_->Logs(Actor::System(), DeliveryId(storage::AsInt(r[0])),
                                      SendingLogQuery{.page = page});
        ASSERT_TRUE(logs) << logs.error().message;
        for (const auto& e : logs->items) by_segment[e.segment_code].insert(e.profile_id);
    }
    EXPECT_EQ(by_segment["fr"], fr);
    EXPECT_EQ(by_segment["rest"], de);
    EXPECT_EQ(by_segment.size(), 2u);
    EXPECT_NE(Logs(run).find("confirmed: 3 to send"), std::string::npos) << Logs(run);
}

// The node dies after the activity made its delivery but before the engine recorded the task's
// wait (its state, with the delivery id, is lost): the task runs again and must go on with the
// delivery it made, not make a second one that would send everything twice.
TEST_P(ServiceWorkflowTest, AnInterruptedEmailDeliveryDoesNotMakeASecondDelivery) {
    const auto tmpl = MakeTemplate();
    MakeProfile("a@example.com", "A", "FR");
    MakeProfile("b@example.com", "B", "FR");
    json::value graph = json::parse(R"J({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "q", "type": "query", "params": {"resource": "profile", "expression": "country = \"FR\""}},
        {"id": "mail", "type": "emailDelivery", "params": {"templateId": 0, "label": "Once"}}
      ],
      "transitions": [
        {"id": "t1", "from": "start", "to": "q"},
        {"id": "t2", "from": "q", "to": "mail"}
      ]
    })J");
    graph.at("activities").as_array()[2].as_object()["params"].as_object()["templateId"] =
        tmpl.value();
    const auto run = Start(SaveWorkflow("Once", graph), "sam", "supervisor");
    engine_->RunDue();
    ASSERT_EQ(Sql("SELECT id FROM deliveries WHERE label = 'Once'").size(), 1u) << Logs(run);
    // What a crash before the engine's record leaves: the task due again, without its state.
    ASSERT_TRUE(storage::WithWrite(db(), [&](storage::Transaction& tx) {
        return tx.ExecSql(
            "UPDATE workflow_tasks SET status = 'pending', state = '{}', wake_at = 0 WHERE "
            "activity = 'mail'",
            {});
    }));
    engine_->RunDue();
    EXPECT_EQ(Sql("SELECT id FROM deliveries WHERE label = 'Once'").size(), 1u) << Logs(run);
    EXPECT_NE(Logs(run).find("before it was interrupted"), std::string::npos) << Logs(run);
    EXPECT_EQ(PrepareAll(), 1);
    clock_.Advance(2s);
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished") << Logs(run);
    auto rows = Sql("SELECT state FROM deliveries WHERE label = 'Once'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(storage::AsString(rows.rows[0][0]), "scheduled");
}

TEST_P(ServiceWorkflowTest, AMarketersDeliveryWaitsForASupervisor) {
    const auto tmpl = MakeTemplate();
    MakeProfile("a@example.com", "A", "FR");
    json::value graph = json::parse(R"J({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "q", "type": "query", "params": {"resource": "profile", "expression": "country = \"FR\""}},
        {"id": "mail", "type": "emailDelivery", "params": {"templateId": 0, "label": "Hello"}}
      ],
      "transitions": [
        {"id": "t1", "from": "start", "to": "q"},
        {"id": "t2", "from": "q", "to": "mail"}
      ]
    })J");
    graph.at("activities").as_array()[2].as_object()["params"].as_object()["templateId"] =
        tmpl.value();
    const auto run = Start(SaveWorkflow("Hello", graph), "mia", "marketer");
    engine_->RunDue();
    EXPECT_EQ(PrepareAll(), 1);
    clock_.Advance(2s);
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished") << Logs(run);
    auto rows = Sql("SELECT id, state FROM deliveries WHERE label = 'Hello'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(storage::AsString(rows.rows[0][1]), "ready");
    EXPECT_NE(Logs(run).find("waits for a supervisor"), std::string::npos) << Logs(run);

    // Once the run is over its population is gone: preparing the delivery again says so.
    auto d = deliveries_->Load(DeliveryId(storage::AsInt(rows.rows[0][0])));
    ASSERT_TRUE(d);
    storage::Params params(db().dialect());
    auto cond = deliveries_->TargetCondition(*d, params);
    ASSERT_FALSE(cond);
    EXPECT_EQ(cond.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(ServiceWorkflowTest, ExtractTransferAndSubscribe) {
    MakeProfile("a@example.com", "=cmd()", "FR");
    MakeProfile("b@example.com", "Bea", "FR");
    auto service = records_->Create(
        Actor::System(), "service",
        json::object{{"name", "newsletter"}, {"label", "News"}, {"channel", "email"}});
    ASSERT_TRUE(service) << service.error().message;
    json::value graph = json::parse(R"J({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "q", "type": "query", "params": {"resource": "profile", "expression": "country = \"FR\""}},
        {"id": "ex", "type": "extractFile",
         "params": {"path": "out/run-{run}.csv", "columns": ["email", "firstName", "segmentCode"]}},
        {"id": "sub", "type": "subscriptionServices",
         "params": {"service": "newsletter", "action": "subscribe"}},
        {"id": "tr", "type": "transferFile",
         "params": {"from": "out/run-{run}.csv", "to": "archive/{date}.csv", "mode": "move"}}
      ],
      "transitions": [
        {"id": "t1", "from": "start", "to": "q"},
        {"id": "t2", "from": "q", "to": "ex"},
        {"id": "t3", "from": "ex", "to": "sub"},
        {"id": "t4", "from": "sub", "to": "tr"}
      ]
    })J");
    const auto run = Start(SaveWorkflow("Export", graph));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished") << Logs(run);
    EXPECT_FALSE(fs::exists(fs::path(root_) / "files" / fmt::format("out/run-{}.csv", run)));
    EXPECT_EQ(ReadFile("archive/2026-11-30.csv"),
              "email,firstName,segmentCode\n"
              "a@example.com,'=cmd(),\n"
              "b@example.com,Bea,\n");
    auto subs = Sql("SELECT count(*) FROM subscriptions");
    EXPECT_EQ(storage::AsInt(subs.rows[0][0]), 2);
    auto history = Sql("SELECT origin FROM subscription_history");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(storage::AsString(history.rows[0][0]), "workflow Export");
}

TEST_P(ServiceWorkflowTest, LoadFileConvertsTypesAndLogsRejectedLines) {
    WriteFile("typed.tsv",
              "email\tpoints\tbirth\n"
              "a@example.com\t12\t1990-01-02\n"
              "b@example.com\ttwelve\t1990-01-02\n"
              "c@example.com\t7\t1990-02-30\n"
              "d@example.com\t\t\n");
    json::value graph = json::parse(R"J({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "load", "type": "loadFile",
         "params": {"path": "typed.tsv", "delimiter": "auto",
                    "columns": [{"name": "email", "type": "string"},
                                {"name": "points", "type": "integer"},
                                {"name": "birth", "type": "date"}]}},
        {"id": "ex", "type": "extractFile", "params": {"path": "copy.csv"}}
      ],
      "transitions": [
        {"id": "t1", "from": "start", "to": "load"},
        {"id": "t2", "from": "load", "to": "ex"}
      ]
    })J");
    const auto run = Start(SaveWorkflow("Typed", graph));
    engine_->RunDue();
    EXPECT_EQ(RunStatus(run), "finished") << Logs(run);
    const auto logs = Logs(run);
    EXPECT_NE(logs.find("line 3 rejected: column 'points': 'twelve' is not an integer"),
              std::string::npos)
        << logs;
    EXPECT_NE(logs.find("line 4 rejected: column 'birth'"), std::string::npos) << logs;
    EXPECT_NE(logs.find("4 lines read, 2 loaded, 2 rejected"), std::string::npos) << logs;
    EXPECT_EQ(ReadFile("copy.csv"),
              "id,segmentCode,email,points,birth\n"
              "2,,a@example.com,12,1990-01-02\n"
              "5,,d@example.com,,\n");
}

TEST_P(ServiceWorkflowTest, ChecksRefuseBadParameters) {
    json::value graph = json::parse(R"J({
      "activities": [
        {"id": "start", "type": "start"},
        {"id": "load", "type": "loadFile", "params": {"path": "../etc/passwd"}},
        {"id": "tr", "type": "transferFile", "params": {"from": "sftp://host/x", "to": "/tmp/x"}},
        {"id": "upd", "type": "updateData",
         "params": {"resource": "nothing", "mode": "upsert", "keys": [], "mapping": []}},
        {"id": "mail", "type": "emailDelivery", "params": {"templateId": 999}},
        {"id": "sub", "type": "subscriptionServices", "params": {"service": "nope", "action": "x"}},
        {"id": "mail2", "type": "emailDelivery", "params": {"templateId": 999, "label": ""}}
      ],
      "transitions": [
        {"id": "t1", "from": "start", "to": "load"},
        {"id": "t2", "from": "load", "to": "tr"},
        {"id": "t3", "from": "load", "to": "upd"},
        {"id": "t4", "from": "load", "to": "mail"},
        {"id": "t5", "from": "load", "to": "sub"},
        {"id": "t6", "from": "load", "to": "mail2"}
      ]
    })J");
    // A label of 201 characters (the delivery's limit is 200): refused when saved, not when
    // the delivery is made.
    graph.at("activities").as_array()[6].as_object()["params"].as_object()["label"] =
        std::string(201, 'x');
    auto parsed = workflow::ParseGraph(graph);
    ASSERT_TRUE(parsed) << parsed.error().message;
    std::set<std::string> fields;
    for (const auto& p : engine_->Check(*parsed)) fields.insert(p.activity + ":" + p.field);
    for (const char* want :
         {"load:params.path", "tr:params.from", "tr:params.to", "upd:params.resource",
          "upd:params.mapping", "upd:params.keys", "mail:params.templateId", "sub:params.service",
          "sub:params.action", "mail2:params.label"}) {
        EXPECT_TRUE(fields.contains(want)) << want;
    }
}

OVERTURE_INSTANTIATE_BACKENDS(ServiceWorkflowTest);

// ---- the files folder (no database) -----------------------------------------------------------

TEST(WorkflowFilesTest, PathRules) {
    EXPECT_FALSE(wf::PathProblem("nightly.csv"));
    EXPECT_FALSE(wf::PathProblem("in/2026/nightly-{date}.csv"));
    EXPECT_FALSE(wf::PathProblem(".runs/1/x.csv"));
    for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "a/./b", "a//b", "a/", "..",
                            "a\\b", "C:/x", "sftp://host/x"}) {
        EXPECT_TRUE(wf::PathProblem(bad)) << bad;
    }
}

TEST(WorkflowFilesTest, ResolveRefusesASymbolicLinkOutOfTheFolder) {
    const std::string root = fmt::format("{}/wf_files_{}", ::testing::TempDir(), ::getpid());
    fs::remove_all(root);
    fs::create_directories(root + "/folder/in");
    fs::create_directories(root + "/outside");
    fs::create_directory_symlink(root + "/outside", root + "/folder/escape");
    fs::create_directory_symlink(root + "/folder/in", root + "/folder/alias");
    auto ok = wf::Resolve(root + "/folder", "in/a.csv", false);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, fs::canonical(root + "/folder/in") / "a.csv");
    EXPECT_TRUE(wf::Resolve(root + "/folder", "alias/a.csv", false));
    auto bad = wf::Resolve(root + "/folder", "escape/a.csv", true);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("outside"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(fs::exists(root + "/outside/a.csv"));
    EXPECT_FALSE(wf::Resolve(root + "/folder", "../outside/a.csv", false));
    auto made = wf::Resolve(root + "/folder", "new/sub/b.csv", true);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_TRUE(fs::is_directory(root + "/folder/new/sub"));
    fs::remove_all(root);
}

}  // namespace
}  // namespace overture::service
