// The targeting activities (query, incrementalQuery, readAudience, saveAudience, union,
// intersection, exclusion, segmentation, deduplication, enrichment) on SQLite and PostgreSQL,
// run through TaskContext over 300 profiles and their purchases (a custom resource with a
// 1-N link). Every count and every additional value is compared with the same thing computed
// by hand-written SQL; segmentation's random share is compared with the documented order
// computed here in C++. Also the parameter checks: each problem names its field.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>

#include "schema/model_json.hpp"
#include "schema/plan.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/engine.hpp"
#include "workflow/testing/task_context.hpp"

namespace overture::workflow {
namespace {

namespace json = boost::json;
using storage::AsDouble;
using storage::AsInt;
using storage::AsString;
using storage::Value;
using testing::ReadIds;
using testing::ReadRows;
using testing::TaskContext;

constexpr int kProfiles = 300;
constexpr const char* kCountries[] = {"FR", "DE", "IT", "US", ""};  // "": null

std::shared_ptr<const schema::Model> ShopModel() {
    auto custom = schema::CustomModelFromJson(json::parse(R"({"resources": [
        {"name": "purchase",
         "fields": [{"name": "amount", "type": "float"}, {"name": "paid", "type": "boolean"},
                    {"name": "sku", "type": "string", "length": 40}],
         "links": [{"name": "profile", "target": "profile", "cardinality": "one",
                    "reverseName": "purchases"}]}]})"));
    EXPECT_TRUE(custom) << custom.error().message;
    auto merged = schema::Merge(*custom);
    EXPECT_TRUE(merged) << merged.error().message;
    return std::make_shared<const schema::Model>(std::move(*merged));
}

std::set<std::int64_t> AsSet(const std::vector<std::int64_t>& ids) {
    return {ids.begin(), ids.end()};
}

json::object Params(std::string_view text) { return json::parse(text).as_object(); }

class TargetingTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        model_ = ShopModel();
        Publish();
        if (HasFatalFailure()) return;
        LoadProfiles(0, kProfiles);
        if (HasFatalFailure()) return;
        LoadPurchases();
        ctx_ = std::make_unique<TaskContext>(db(), model_, clock_);
    }

    void Publish() {
        auto builtin = schema::Merge(schema::Model());
        ASSERT_TRUE(builtin);
        auto dialect = db().dialect() == storage::Dialect::kSqlite ? schema::SqlDialect::kSqlite
                                                                   : schema::SqlDialect::kPostgres;
        auto plan = schema::PlanPublish(*builtin, *model_, dialect);
        ASSERT_TRUE(plan) << plan.error().message;
        auto tx = db().Begin(storage::TxMode::kSchemaChange);
        ASSERT_TRUE(tx);
        for (const auto& statement : plan->statements) {
            auto st = (*tx)->ExecScript(statement);
            ASSERT_TRUE(st) << statement << ": " << st.error().message << st.error().detail;
        }
        ASSERT_TRUE((*tx)->Commit());
    }

    // Profiles i in [from, to): country by i % 5 (null for 4), e-mail addresses that repeat
    // in other cases from i = 120 on (null when i % 7 == 0), city by i % 3.
    void LoadProfiles(int from, int to) {
        const std::vector<std::string> columns = {"created_at", "modified_at", "external_id",
                                                  "email",      "country",     "city"};
        std::vector<std::vector<Value>> rows;
        for (int i = from; i < to; ++i) {
            std::string country = kCountries[i % 5];
            std::string email = (i >= 120 ? "User" : "user") + std::to_string(i % 120) +
                                (i >= 120 ? "@Example.COM" : "@example.com");
            rows.push_back({std::string("2026-01-01T00:00:00.000Z"),
                            std::string("2026-01-01T00:00:00.000Z"), "p" + std::to_string(i),
                            i % 7 == 0 ? Value() : Value(email),
                            country.empty() ? Value() : Value(country),
                            std::string(i % 3 == 0 ? "Paris" : (i % 3 == 1 ? "Berlin" : "Rome"))});
        }
        auto n = storage::WithWrite(db(), [&](storage::Transaction& tx) {
            return tx.BulkInsert("profiles", columns, rows);
        });
        ASSERT_TRUE(n) << n.error().message << n.error().detail;
    }

    // i % 4 purchases for each profile, of amount (i % 10) + k / 2, paid when k is even.
    void LoadPurchases() {
        const schema::Resource& p = *model_->Find("purchase");
        const std::vector<std::string> columns = {
            "created_at", "modified_at", p.FindField("amount")->column, p.FindField("paid")->column,
            p.FindLink("profile")->column};
        auto ids = Ids("SELECT id FROM profiles ORDER BY id");
        std::vector<std::vector<Value>> rows;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            for (std::size_t k = 0; k < i % 4; ++k) {
                rows.push_back({std::string("2026-01-01T00:00:00.000Z"),
                                std::string("2026-01-01T00:00:00.000Z"),
                                static_cast<double>(i % 10) + 0.5 * static_cast<double>(k),
                                k % 2 == 0, ids[i]});
            }
        }
        auto n = storage::WithWrite(
            db(), [&](storage::Transaction& tx) { return tx.BulkInsert(p.table, columns, rows); });
        ASSERT_TRUE(n) << n.error().message << n.error().detail;
    }

    storage::Rows Sql(const std::string& sql, std::vector<Value> params = {}) {
        auto rows = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, params); });
        EXPECT_TRUE(rows) << sql << ": " << rows.error().message << rows.error().detail;
        return rows ? std::move(*rows) : storage::Rows{};
    }
    std::int64_t CountSql(const std::string& sql, std::vector<Value> params = {}) {
        auto rows = Sql(sql, std::move(params));
        return rows.empty() ? -1 : AsInt(rows.rows[0][0]);
    }
    std::vector<std::int64_t> Ids(const std::string& sql, std::vector<Value> params = {}) {
        std::vector<std::int64_t> out;
        for (const auto& r : Sql(sql, std::move(params)).rows) out.push_back(AsInt(r[0]));
        return out;
    }
    // The placeholder of parameter n in hand-written SQL.
    std::string P(int n) {
        return (db().dialect() == storage::Dialect::kSqlite ? "?" : "$") + std::to_string(n);
    }

    // Runs `type` with `params` as a new task of ctx_ (keeping what was set on it).
    Result<Outcome> Run(const std::unique_ptr<ActivityType>& type, std::string_view params,
                        std::vector<Input> inputs = {}) {
        ctx_->NextTask();
        ctx_->set_params(Params(params));
        ctx_->set_inputs(std::move(inputs));
        return type->Execute(*ctx_);
    }
    // The table of `port` in `outcome`.
    static Table Out(const Result<Outcome>& outcome, std::string_view port = "out") {
        EXPECT_TRUE(outcome) << outcome.error().message << " " << outcome.error().detail;
        if (!outcome) return {};
        for (const auto& o : outcome->outputs) {
            if (o.port == port && o.table) return *o.table;
        }
        ADD_FAILURE() << "no output on " << port;
        return {};
    }
    static Input In(const Table& t, std::string port = "in") {
        return Input{"t", std::move(port), t};
    }
    Table Query(std::string_view expression, std::string_view extra = "") {
        return Out(Run(activities::MakeQuery(),
                       std::string(R"({"resource": "profile", "expression": )") +
                           json::serialize(json::value(expression)) + (extra.empty() ? "" : ", ") +
                           std::string(extra) + "}"));
    }

    FakeClock clock_{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z
    std::shared_ptr<const schema::Model> model_;
    std::unique_ptr<TaskContext> ctx_;
};

TEST_P(TargetingTest, QueryCountsMatchHandWrittenSql) {
    auto fr_de = Query(R"(country in ("FR", "DE"))");
    EXPECT_EQ(fr_de.resource, "profile");
    EXPECT_EQ(fr_de.count, CountSql("SELECT count(*) FROM profiles WHERE country IN ('FR', 'DE')"));
    EXPECT_EQ(fr_de.count, 120);
    EXPECT_EQ(AsSet(*ReadIds(db(), fr_de)),
              AsSet(Ids("SELECT id FROM profiles WHERE country IN ('FR', 'DE')")));
    auto all = Query("");
    EXPECT_EQ(all.count, CountSql("SELECT count(*) FROM profiles"));
    auto none = Query(R"(country = "XX")");
    EXPECT_EQ(none.count, 0);
    ASSERT_FALSE(ctx_->logs().empty());
    EXPECT_EQ(ctx_->logs().back().rows, 0);
}

TEST_P(TargetingTest, QueryAdditionalDataMatchesHandWrittenSql) {
    auto t = Query(R"(country = "FR")",
                   R"("additionalData": [{"name": "city", "field": "city"},
                        {"name": "orders", "aggregate": "count", "link": "purchases"},
                        {"name": "paidAmount", "aggregate": "sum", "link": "purchases",
                         "field": "amount", "filter": "paid = true"},
                        {"name": "top", "aggregate": "max", "link": "purchases",
                         "field": "amount"}])");
    ASSERT_EQ(t.columns.size(), 4u);
    EXPECT_EQ(t.Find("city")->type, "string");
    EXPECT_EQ(t.Find("orders")->type, "integer");
    EXPECT_EQ(t.Find("paidAmount")->type, "float");
    const schema::Resource& pr = *model_->Find("purchase");
    const std::string fk = pr.FindLink("profile")->column;
    const std::string amount = pr.FindField("amount")->column;
    const std::string paid = pr.FindField("paid")->column;
    auto expected =
        Sql("SELECT p.id, p.city, (SELECT count(*) FROM " + pr.table + " x WHERE x." + fk +
                " = p.id), (SELECT sum(x." + amount + ") FROM " + pr.table + " x WHERE x." + fk +
                " = p.id AND x." + paid + " = " + P(1) + "), (SELECT max(x." + amount + ") FROM " +
                pr.table + " x WHERE x." + fk +
                " = p.id) FROM profiles p WHERE p.country = 'FR' "
                "ORDER BY p.id",
            {true});
    auto got = testing::ReadAll(db(), t);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), expected.size());
    ASSERT_EQ(got->size(), 60u);
    int with_orders = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& e = expected.rows[i];
        const auto& g = got->rows[i];
        ASSERT_EQ(AsInt(g[0]), AsInt(e[0]));
        EXPECT_EQ(AsString(g[got->Column("c1")]), AsString(e[1]));
        EXPECT_EQ(AsInt(g[got->Column("c2")]), AsInt(e[2]));
        EXPECT_EQ(storage::IsNull(g[got->Column("c3")]), storage::IsNull(e[3]));
        EXPECT_DOUBLE_EQ(AsDouble(g[got->Column("c3")]), AsDouble(e[3]));
        EXPECT_DOUBLE_EQ(AsDouble(g[got->Column("c4")]), AsDouble(e[4]));
        if (AsInt(e[2]) > 0) ++with_orders;
    }
    EXPECT_GT(with_orders, 0);
}

TEST_P(TargetingTest, QueryOfACustomResourceReadsFieldsThroughItsLinks) {
    auto t = Out(Run(activities::MakeQuery(), R"({"resource": "purchase",
        "expression": "amount >= 5 and profile.country = \"FR\"",
        "additionalData": [{"name": "who", "field": "profile.email"},
                           {"name": "amount", "field": "amount"}]})"));
    EXPECT_EQ(t.resource, "purchase");
    const schema::Resource& pr = *model_->Find("purchase");
    const std::string fk = pr.FindLink("profile")->column;
    auto expected =
        Sql("SELECT x.id, p.email, x." + pr.FindField("amount")->column + " FROM " + pr.table +
            " x JOIN profiles p ON p.id = x." + fk + " WHERE x." + pr.FindField("amount")->column +
            " >= 5 AND p.country = 'FR' ORDER BY x.id");
    auto got = testing::ReadAll(db(), t);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), expected.size());
    EXPECT_GT(got->size(), 0u);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(AsInt(got->rows[i][0]), AsInt(expected.rows[i][0]));
        EXPECT_EQ(AsString(got->rows[i][got->Column("c1")]), AsString(expected.rows[i][1]));
        EXPECT_DOUBLE_EQ(AsDouble(got->rows[i][got->Column("c2")]), AsDouble(expected.rows[i][2]));
    }
}

TEST_P(TargetingTest, IncrementalQueryGivesOnlyNewRowsTheSecondTime) {
    auto workflow = testing::InsertWorkflow(db(), clock_);
    ASSERT_TRUE(workflow);
    ctx_->set_ids(*workflow, 1, 100);
    const std::string params = R"({"expression": "country = \"FR\""})";
    auto first = Out(Run(activities::MakeIncrementalQuery(), params));
    EXPECT_EQ(first.count, 60);
    EXPECT_EQ(CountSql("SELECT count(*) FROM workflow_seen"), 60);
    // The same task run again (its node died before the engine recorded it; the engine drops
    // the table of the interrupted attempt) gives the same rows again: they never reached the
    // next activity.
    ASSERT_TRUE(storage::WithWrite(db(), [&](storage::Transaction& tx) -> Status {
        return tx.ExecScript("DROP TABLE " + first.name);
    }));
    ctx_->set_ids(*workflow, 1, 100);  // Run() takes the next id: 101 again
    EXPECT_EQ(Out(Run(activities::MakeIncrementalQuery(), params)).count, 60);
    EXPECT_EQ(CountSql("SELECT count(*) FROM workflow_seen"), 60);
    // The next tick of the same run is another task: nothing new.
    auto again = Out(Run(activities::MakeIncrementalQuery(), params));
    EXPECT_EQ(again.count, 0);
    LoadProfiles(kProfiles, kProfiles + 10);  // 2 more in FR
    ctx_->set_ids(*workflow, 2, 200);
    auto second = Out(Run(activities::MakeIncrementalQuery(), params));
    EXPECT_EQ(second.count, 2);
    EXPECT_EQ(AsSet(*ReadIds(db(), second)),
              AsSet(Ids("SELECT id FROM profiles WHERE country = 'FR' AND external_id IN "
                        "('p300', 'p301', 'p302', 'p303', 'p304', 'p305', 'p306', 'p307', "
                        "'p308', 'p309')")));
    // A dry run reads what was given out but adds nothing; another activity starts afresh.
    ctx_->set_dry_run(true);
    ActivityDef other;
    other.id = "other";
    other.type = "incrementalQuery";
    ctx_->set_activity(other);
    EXPECT_EQ(Out(Run(activities::MakeIncrementalQuery(), params)).count, 62);
    EXPECT_EQ(Out(Run(activities::MakeIncrementalQuery(), params)).count, 62);
    EXPECT_EQ(CountSql("SELECT count(*) FROM workflow_seen"), 62);
}

TEST_P(TargetingTest, SetOperationsMatchHandWrittenSql) {
    auto a = Query(R"(country in ("FR", "DE"))", R"("additionalData": [{"name": "city",
                   "field": "city"}])");
    auto b = Query(R"(country in ("DE", "IT"))");
    auto c = Query(R"(city = "Paris")");
    auto u = Out(Run(activities::MakeUnion(), "{}", {In(a), In(b), In(c)}));
    EXPECT_EQ(u.count, CountSql("SELECT count(*) FROM profiles WHERE country IN ('FR', 'DE', "
                                "'IT') OR city = 'Paris'"));
    ASSERT_NE(u.Find("city"), nullptr);
    // A row from a keeps a's city; a row only in b has none.
    auto cities = testing::ReadColumn(db(), u, "city");
    ASSERT_TRUE(cities);
    auto from_a = AsSet(*ReadIds(db(), a));
    for (const auto& [id, v] : *cities) {
        EXPECT_EQ(from_a.contains(id), !storage::IsNull(v)) << id;
    }
    auto i = Out(Run(activities::MakeIntersection(), "{}", {In(a), In(b)}));
    EXPECT_EQ(i.count, CountSql("SELECT count(*) FROM profiles WHERE country = 'DE'"));
    EXPECT_EQ(AsSet(*ReadIds(db(), i)), AsSet(Ids("SELECT id FROM profiles WHERE country = "
                                                  "'DE'")));
    auto i3 = Out(Run(activities::MakeIntersection(), "{}", {In(a), In(b), In(c)}));
    EXPECT_EQ(i3.count, CountSql("SELECT count(*) FROM profiles WHERE country = 'DE' AND city = "
                                 "'Paris'"));
    auto e =
        Out(Run(activities::MakeExclusion(), "{}", {In(a), In(b, "exclude"), In(c, "exclude")}));
    EXPECT_EQ(AsSet(*ReadIds(db(), e)),
              AsSet(Ids("SELECT id FROM profiles WHERE country = 'FR' AND city <> 'Paris'")));
    EXPECT_EQ(e.Find("city")->type, "string");

    // Populations of two resources do not mix.
    ctx_->NextTask();
    auto purchases = testing::MakeTable(*ctx_, "purchase", {1, 2, 3});
    ASSERT_TRUE(purchases);
    auto mixed = Run(activities::MakeUnion(), "{}", {In(a), In(*purchases)});
    ASSERT_FALSE(mixed);
    EXPECT_EQ(mixed.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(mixed.error().message.find("one resource"), std::string::npos);
}

// The control group the documented random order gives: the `n` first of `ids` by
// (((id + seed % 1000003) * 2654435761) % 4294967311), id.
std::set<std::int64_t> RandomPick(std::vector<std::int64_t> ids, std::uint64_t seed,
                                  std::size_t n) {
    auto key = [&](std::int64_t id) {
        return ((static_cast<std::uint64_t>(id) + seed % 1000003) * 2654435761u) % 4294967311u;
    };
    std::sort(ids.begin(), ids.end(), [&](std::int64_t x, std::int64_t y) {
        return key(x) != key(y) ? key(x) < key(y) : x < y;
    });
    ids.resize(std::min(n, ids.size()));
    return {ids.begin(), ids.end()};
}

TEST_P(TargetingTest, SegmentationSplitsWithoutOverlapAndDrawsTheSameControlGroup) {
    auto all = Query("");
    const std::string params = R"({"segments": [
        {"code": "fr", "filter": "country = \"FR\""},
        {"code": "de", "filter": "country = \"DE\""},
        {"code": "control", "limit": {"kind": "percent", "value": 10, "random": true}}],
        "complement": {"enabled": true, "code": "rest"}})";
    auto seg = activities::MakeSegmentation();
    EXPECT_EQ(seg->OutputPorts(Params(params)),
              (std::vector<std::string>{"fr", "de", "control", "rest"}));
    auto outcome = Run(seg, params, {In(all)});
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_GE(ctx_->checkpoints(), 4);
    auto fr = Out(outcome, "fr"), de = Out(outcome, "de"), control = Out(outcome, "control"),
         rest = Out(outcome, "rest");
    EXPECT_EQ(fr.count, CountSql("SELECT count(*) FROM profiles WHERE country = 'FR'"));
    EXPECT_EQ(de.count, CountSql("SELECT count(*) FROM profiles WHERE country = 'DE'"));
    const std::int64_t left = CountSql(
        "SELECT count(*) FROM profiles WHERE country IS NULL OR country NOT IN ('FR', "
        "'DE')");
    EXPECT_EQ(control.count, (left * 10 + 50) / 100);  // 18: 10 % of 180
    EXPECT_EQ(fr.count + de.count + control.count + rest.count, all.count);
    std::set<std::int64_t> seen;
    for (const Table* t : {&fr, &de, &control, &rest}) {
        auto rows = ReadRows(db(), *t);
        ASSERT_TRUE(rows);
        for (const auto& r : *rows) {
            EXPECT_TRUE(seen.insert(r.id).second) << "row " << r.id << " in two segments";
            EXPECT_EQ(r.segment_code, t == &fr        ? "fr"
                                      : t == &de      ? "de"
                                      : t == &control ? "control"
                                                      : "rest");
        }
    }
    EXPECT_EQ(seen, AsSet(*ReadIds(db(), all)));
    auto remaining =
        Ids("SELECT id FROM profiles WHERE country IS NULL OR country NOT IN ('FR', "
            "'DE')");
    auto control_ids = AsSet(*ReadIds(db(), control));
    EXPECT_EQ(control_ids, RandomPick(remaining, 42, 18));

    // The same seed draws the same rows; another seed others.
    auto again = Out(Run(seg, params, {In(all)}), "control");
    EXPECT_EQ(AsSet(*ReadIds(db(), again)), control_ids);
    ctx_->set_seed(7);
    auto other = Out(Run(seg, params, {In(all)}), "control");
    EXPECT_EQ(other.count, control.count);
    EXPECT_NE(AsSet(*ReadIds(db(), other)), control_ids);
    EXPECT_EQ(AsSet(*ReadIds(db(), other)), RandomPick(remaining, 7, 18));

    // A count limit without random takes the lowest ids; a stop at a checkpoint ends the task.
    auto first = Out(Run(seg, R"({"segments": [{"code": "a", "limit": {"kind": "count",
                                   "value": 5}}]})",
                         {In(all)}),
                     "a");
    auto lowest = *ReadIds(db(), all);
    lowest.resize(5);
    EXPECT_EQ(*ReadIds(db(), first), lowest);
    ctx_->set_checkpoint_error(Error::FailedPrecondition("the run is being stopped"), 2);
    auto stopped = Run(seg, params, {In(all)});
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().message, "the run is being stopped");
}

TEST_P(TargetingTest, DeduplicationKeepsOnePerLowerCaseEmail) {
    auto all = Query("");
    auto outcome = Run(activities::MakeDeduplication(), R"({"fields": ["email"]})", {In(all)});
    auto kept = Out(outcome), dups = Out(outcome, "duplicates");
    auto expected =
        AsSet(Ids("SELECT min(id) FROM profiles WHERE email IS NOT NULL GROUP BY "
                  "lower(email)"));
    for (auto id : Ids("SELECT id FROM profiles WHERE email IS NULL")) expected.insert(id);
    EXPECT_EQ(AsSet(*ReadIds(db(), kept)), expected);
    EXPECT_EQ(kept.count + dups.count, all.count);
    EXPECT_GT(dups.count, 0);
    auto highest = Out(Run(activities::MakeDeduplication(),
                           R"({"fields": ["email", "country"], "keep": "highestId"})", {In(all)}));
    auto expected_high =
        AsSet(Ids("SELECT max(id) FROM profiles WHERE email IS NOT NULL AND "
                  "country IS NOT NULL GROUP BY lower(email), lower(country)"));
    for (auto id : Ids("SELECT id FROM profiles WHERE email IS NULL OR country IS NULL")) {
        expected_high.insert(id);
    }
    EXPECT_EQ(AsSet(*ReadIds(db(), highest)), expected_high);
}

TEST_P(TargetingTest, EnrichmentAddsColumnsAndKeepsTheOnesThere) {
    auto base = Query(R"(country = "DE")", R"("additionalData": [{"name": "city",
                      "field": "city"}])");
    auto seg = Out(
        Run(activities::MakeSegmentation(), R"({"segments": [{"code": "s1"}]})", {In(base)}), "s1");
    auto out = Out(Run(activities::MakeEnrichment(),
                       R"({"add": [{"name": "orders", "aggregate": "count",
                                    "link": "purchases"},
                                   {"name": "mail", "field": "email"}]})",
                       {In(seg)}));
    EXPECT_EQ(out.count, base.count);
    ASSERT_EQ(out.columns.size(), 3u);
    const schema::Resource& pr = *model_->Find("purchase");
    auto expected = Sql("SELECT p.id, p.city, (SELECT count(*) FROM " + pr.table + " x WHERE x." +
                        pr.FindLink("profile")->column +
                        " = p.id), p.email FROM profiles p WHERE p.country = 'DE' ORDER BY p.id");
    auto got = testing::ReadAll(db(), out);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(AsInt(got->rows[i][0]), AsInt(expected.rows[i][0]));
        EXPECT_EQ(AsString(got->rows[i][got->Column("segment_code")]), "s1");
        EXPECT_EQ(AsString(got->rows[i][got->Column("c1")]), AsString(expected.rows[i][1]));
        EXPECT_EQ(AsInt(got->rows[i][got->Column("c2")]), AsInt(expected.rows[i][2]));
        EXPECT_EQ(AsString(got->rows[i][got->Column("c3")]), AsString(expected.rows[i][3]));
    }
    auto clash = Run(activities::MakeEnrichment(), R"({"add": [{"name": "city",
                                                    "field": "city"}]})",
                     {In(base)});
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().details.at("field"), "params.add");
}

TEST_P(TargetingTest, SaveAudienceReplacesAndAppendsAndReadAudienceReadsItBack) {
    auto fr = Query(R"(country = "FR")");
    auto de = Query(R"(country = "DE")");
    auto save = activities::MakeSaveAudience();
    ctx_->set_run_as("marie", "marketer");
    // A dry run writes nothing.
    ctx_->set_dry_run(true);
    auto dry = Run(save, R"({"label": "Nightly"})", {In(fr)});
    EXPECT_EQ(Out(dry).name, fr.name);
    EXPECT_EQ(CountSql("SELECT count(*) FROM audiences"), 0);
    ctx_->set_dry_run(false);

    EXPECT_EQ(Out(Run(save, R"({"label": "Nightly"})", {In(fr)})).name, fr.name);
    auto id = CountSql("SELECT id FROM audiences WHERE label = 'Nightly'");
    EXPECT_EQ(
        Sql("SELECT kind, resource, created_by FROM audiences").rows.at(0),
        (std::vector<Value>{std::string("list"), std::string("profile"), std::string("marie")}));
    auto members = [&] {
        return AsSet(
            Ids("SELECT profile_id FROM audience_members WHERE audience_id = " + P(1), {id}));
    };
    EXPECT_EQ(members(), AsSet(*ReadIds(db(), fr)));
    EXPECT_EQ(ctx_->logs().back().rows, 60);
    ASSERT_TRUE(Run(save, R"({"label": "Nightly", "mode": "append"})", {In(de)}));
    EXPECT_EQ(members().size(), 120u);
    EXPECT_EQ(ctx_->logs().back().rows, 120);
    ASSERT_TRUE(Run(save, R"({"label": "Nightly", "mode": "append"})", {In(de)}));
    EXPECT_EQ(members().size(), 120u);
    ASSERT_TRUE(Run(save, R"({"label": "Nightly", "mode": "replace"})", {In(de)}));
    EXPECT_EQ(members(), AsSet(*ReadIds(db(), de)));
    EXPECT_EQ(CountSql("SELECT count(*) FROM audiences"), 1);

    // Read it back, and a query audience, and an expired one.
    auto read = activities::MakeReadAudience();
    auto list = Out(Run(read, R"({"audienceId": )" + std::to_string(id) + "}"));
    EXPECT_EQ(AsSet(*ReadIds(db(), list)), AsSet(*ReadIds(db(), de)));
    const auto now = ToUnixMillis(clock_.Now());
    auto insert = [&](const std::string& label, Value expires) {
        std::vector<Value> p = {label, std::string(R"(country = "IT")"), now, std::string("x"),
                                std::move(expires)};
        auto rows = storage::WithWrite(db(), [&](storage::Transaction& tx) {
            return tx.QuerySql(
                "INSERT INTO audiences (label, kind, resource, expression, "
                "created_at, created_by, modified_at, modified_by, expires_at) "
                "VALUES (" +
                    P(1) + ", 'query', 'profile', " + P(2) + ", " + P(3) + ", " + P(4) + ", " +
                    P(3) + ", " + P(4) + ", " + P(5) + ") RETURNING id",
                p);
        });
        EXPECT_TRUE(rows) << rows.error().message;
        return rows ? AsInt(rows->rows.at(0).at(0)) : -1;
    };
    auto italy = insert("Italy", Value());
    auto q = Out(Run(read, R"({"audienceId": )" + std::to_string(italy) + "}"));
    EXPECT_EQ(q.count, CountSql("SELECT count(*) FROM profiles WHERE country = 'IT'"));
    auto expired = insert("Old", Value(now - 1));
    auto failed = Run(read, R"({"audienceId": )" + std::to_string(expired) + "}");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(failed.error().message.find("expired"), std::string::npos);
    // Saving profiles only, and never into a query audience's label.
    auto on_query = Run(save, R"({"label": "Italy"})", {In(de)});
    ASSERT_FALSE(on_query);
    EXPECT_NE(on_query.error().message.find("not a list"), std::string::npos);

    CheckContext check{model_, &db(), nullptr};
    auto problems = read->Check(Params(R"({"audienceId": 999999})"), check);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field, "params.audienceId");
    EXPECT_TRUE(
        read->Check(Params(R"({"audienceId": )" + std::to_string(id) + "}"), check).empty());
}

// Through the engine: a query, a segmentation with a random control group saved as an
// audience, two runs. The counts on the transitions are the populations', the control group is
// the same people in both runs, and the audience belongs to the user who started the runs.
TEST_P(TargetingTest, RunsThroughTheEngineAndDrawsTheSameControlGroupEveryRun) {
    Registry registry;
    RegisterCoreActivities(registry);
    auto model = model_;
    EngineOptions options;
    options.node = "targeting-test";
    Engine engine(
        db(), clock_, registry, [model] { return model; }, options);
    auto workflow = testing::InsertWorkflow(db(), clock_);
    ASSERT_TRUE(workflow);
    const std::string graph = R"j({
        "activities": [
          {"id": "start", "type": "start"},
          {"id": "q", "type": "query", "params": {"expression": "country in (\"FR\", \"DE\")"}},
          {"id": "seg", "type": "segmentation", "params": {"segments": [
             {"code": "control", "limit": {"kind": "percent", "value": 10, "random": true}}],
             "complement": {"enabled": true, "code": "rest"}}},
          {"id": "save", "type": "saveAudience", "params": {"label": "Control group"}},
          {"id": "end1", "type": "end"}, {"id": "end2", "type": "end"}],
        "transitions": [
          {"id": "t1", "from": "start", "to": "q"},
          {"id": "t2", "from": "q", "to": "seg"},
          {"id": "t3", "from": "seg", "fromPort": "control", "to": "save"},
          {"id": "t4", "from": "seg", "fromPort": "rest", "to": "end1"},
          {"id": "t5", "from": "save", "to": "end2"}]})j";
    storage::Params p(db().dialect());
    const std::string sql =
        "UPDATE workflows SET graph = " + p.Add(graph) + " WHERE id = " + p.Add(*workflow);
    ASSERT_TRUE(storage::WithWrite(
        db(), [&](storage::Transaction& tx) { return tx.ExecSql(sql, p.values()); }));
    auto parsed = ParseGraph(json::parse(graph));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(engine.Check(*parsed).empty()) << engine.Check(*parsed)[0].message;

    std::set<std::int64_t> first;
    for (int run = 0; run < 2; ++run) {
        StartOptions start;
        start.started_by = "marie";
        start.role = "marketer";
        auto id = engine.StartRun(*workflow, start);
        ASSERT_TRUE(id) << id.error().message;
        engine.RunDue();
        EXPECT_EQ(AsString(Sql("SELECT status, error FROM workflow_runs WHERE id = " + P(1), {*id})
                               .rows.at(0)
                               .at(0)),
                  "finished")
            << AsString(Sql("SELECT error FROM workflow_runs WHERE id = " + P(1), {*id})
                            .rows.at(0)
                            .at(0));
        std::map<std::string, std::int64_t> counts;
        for (const auto& r : Sql("SELECT transition, row_count FROM workflow_transition_counts "
                                 "WHERE run_id = " +
                                     P(1),
                                 {*id})
                                 .rows) {
            counts[AsString(r[0])] = AsInt(r[1]);
        }
        EXPECT_EQ(counts["t2"], 120);
        EXPECT_EQ(counts["t3"], 12);
        EXPECT_EQ(counts["t4"], 108);
        EXPECT_EQ(counts["t5"], 12);
        auto members =
            AsSet(Ids("SELECT m.profile_id FROM audience_members m JOIN audiences a ON "
                      "a.id = m.audience_id WHERE a.label = 'Control group'"));
        EXPECT_EQ(members.size(), 12u);
        if (run == 0) first = members;
        EXPECT_EQ(members, first);
    }
    EXPECT_EQ(AsString(Sql("SELECT created_by FROM audiences").rows.at(0).at(0)), "marie");
    engine.Stop();
}

OVERTURE_INSTANTIATE_BACKENDS(TargetingTest);

// ---- Parameter checks (no database).

std::vector<std::string> Fields(const std::vector<Problem>& problems) {
    std::vector<std::string> out;
    for (const auto& p : problems) out.push_back(p.field);
    return out;
}

TEST(TargetingCheck, QueryProblemsNameTheirField) {
    CheckContext ctx{ShopModel(), nullptr, nullptr};
    auto query = activities::MakeQuery();
    EXPECT_TRUE(query->Check(Params(R"({"expression": "country = \"FR\""})"), ctx).empty());
    EXPECT_EQ(Fields(query->Check(Params(R"({"resource": "nope"})"), ctx)),
              std::vector<std::string>{"params.resource"});
    auto bad = query->Check(Params(R"({"expression": "country = "})"), ctx);
    ASSERT_EQ(Fields(bad), std::vector<std::string>{"params.expression"});
    EXPECT_NE(bad[0].message.find("line 1, column"), std::string::npos) << bad[0].message;
    auto typed = query->Check(Params(R"({"expression": "country = 3"})"), ctx);
    ASSERT_EQ(Fields(typed), std::vector<std::string>{"params.expression"});
    EXPECT_EQ(Fields(query->Check(Params(R"({"additionalData": [
                  {"name": "a", "field": "nope"},
                  {"name": "b", "aggregate": "sum", "link": "purchases", "field": "paid"},
                  {"name": "c", "aggregate": "count", "link": "nope"},
                  {"name": "d", "aggregate": "median", "link": "purchases"},
                  {"name": "a", "field": "city"},
                  {"name": "e", "aggregate": "count", "link": "purchases", "filter": "x ="}]})"),
                                  ctx)),
              (std::vector<std::string>{
                  "params.additionalData[0].field", "params.additionalData[1].field",
                  "params.additionalData[2].link", "params.additionalData[3].aggregate",
                  "params.additionalData[4].name", "params.additionalData[5].filter"}));
    EXPECT_TRUE(query
                    ->Check(Params(R"({"additionalData": [
                  {"name": "a", "field": "city"},
                  {"name": "b", "aggregate": "avg", "link": "purchases", "field": "amount",
                   "filter": "paid = true"}]})"),
                            ctx)
                    .empty());
    EXPECT_EQ(Fields(activities::MakeIncrementalQuery()->Check(Params(R"({"resource": 3})"), ctx)),
              std::vector<std::string>{"params.resource"});
}

TEST(TargetingCheck, SegmentationDeduplicationAndSaveProblemsNameTheirField) {
    CheckContext ctx{ShopModel(), nullptr, nullptr};
    auto seg = activities::MakeSegmentation();
    EXPECT_EQ(Fields(seg->Check(Params(R"({"segments": [
                  {"code": "a", "limit": {"kind": "percent", "value": 0}},
                  {"code": "a"},
                  {"code": "bad code!"},
                  {"code": "c", "limit": {"kind": "count", "value": -1}},
                  {"code": "d", "filter": "country ="},
                  {"code": "e", "limit": {"kind": "share", "value": 1}}],
                  "complement": {"enabled": true, "code": "c"}})"),
                                ctx)),
              (std::vector<std::string>{"params.segments[0].limit.value", "params.segments[1].code",
                                        "params.segments[2].code", "params.segments[3].limit.value",
                                        "params.segments[5].limit.kind", "params.complement.code",
                                        "params.segments[4].filter"}));
    EXPECT_EQ(Fields(seg->Check(Params("{}"), ctx)), std::vector<std::string>{"params.segments"});
    EXPECT_TRUE(seg->Check(Params(R"({"segments": [{"code": "x", "limit": {"kind": "percent",
                              "value": 100, "random": true}}], "complement": {"enabled": true}})"),
                           ctx)
                    .empty());

    auto dedup = activities::MakeDeduplication();
    EXPECT_EQ(Fields(dedup->Check(Params(R"({"fields": [], "keep": "first"})"), ctx)),
              (std::vector<std::string>{"params.fields", "params.keep"}));
    auto save = activities::MakeSaveAudience();
    EXPECT_EQ(Fields(save->Check(Params(R"({"label": " ", "mode": "merge"})"), ctx)),
              (std::vector<std::string>{"params.label", "params.mode"}));
    EXPECT_EQ(Fields(activities::MakeReadAudience()->Check(Params("{}"), ctx)),
              std::vector<std::string>{"params.audienceId"});
    EXPECT_EQ(Fields(activities::MakeEnrichment()->Check(Params(R"({"add": []})"), ctx)),
              std::vector<std::string>{"params.add"});
}

TEST(TargetingCheck, FiltersAndFieldsAreCheckedAgainstTheResourceUpstream) {
    auto graph = ParseGraph(json::parse(R"({
        "activities": [
          {"id": "start", "type": "start"},
          {"id": "q", "type": "query", "params": {"resource": "purchase",
           "additionalData": [{"name": "score", "field": "amount"}]}},
          {"id": "seg", "type": "segmentation", "params": {"segments": [
             {"code": "big", "filter": "amount > 10"},
             {"code": "bad", "filter": "country = \"FR\""}]}},
          {"id": "dd", "type": "deduplication", "params": {"fields": ["sku", "score", "nope"]}},
          {"id": "en", "type": "enrichment", "params": {"add": [
             {"name": "who", "field": "profile.email"}, {"name": "score", "field": "sku"}]}}],
        "transitions": [
          {"id": "t1", "from": "start", "to": "q"},
          {"id": "t2", "from": "q", "to": "seg"},
          {"id": "t3", "from": "seg", "fromPort": "big", "to": "dd"},
          {"id": "t4", "from": "dd", "to": "en"}]})"));
    ASSERT_TRUE(graph) << graph.error().message;
    CheckContext ctx{ShopModel(), nullptr, &*graph};
    EXPECT_EQ(Fields(activities::MakeSegmentation()->Check(graph->Find("seg")->params, ctx)),
              std::vector<std::string>{"params.segments[1].filter"});
    EXPECT_EQ(Fields(activities::MakeDeduplication()->Check(graph->Find("dd")->params, ctx)),
              std::vector<std::string>{"params.fields[2]"});
    // Set operations over populations of two resources.
    auto two = ParseGraph(json::parse(R"({
        "activities": [
          {"id": "start", "type": "start"},
          {"id": "a", "type": "query", "params": {"resource": "purchase"}},
          {"id": "b", "type": "readAudience", "params": {"audienceId": 1}},
          {"id": "f", "type": "fork"},
          {"id": "u", "type": "union"}],
        "transitions": [
          {"id": "t1", "from": "start", "to": "a"}, {"id": "t2", "from": "start", "to": "b"},
          {"id": "t3", "from": "a", "to": "u"}, {"id": "t4", "from": "b", "to": "f"},
          {"id": "t5", "from": "f", "to": "u"}]})"));
    ASSERT_TRUE(two) << two.error().message;
    CheckContext two_ctx{ShopModel(), nullptr, &*two};
    auto mixed = activities::MakeUnion()->Check(two->Find("u")->params, two_ctx);
    ASSERT_EQ(mixed.size(), 1u);
    EXPECT_EQ(mixed[0].transition, "t5");
    EXPECT_EQ(mixed[0].message,
              "Union needs populations of one resource: t3 brings purchase, t5 brings profile");

    // CheckGraph names the activity checked; its params may then be a copy.
    CheckContext named = ctx;
    named.activity = graph->Find("en");
    const json::object copy = graph->Find("en")->params;
    EXPECT_EQ(Fields(activities::MakeEnrichment()->Check(copy, named)),
              std::vector<std::string>{"params.add[1].name"});
}

}  // namespace
}  // namespace overture::workflow
