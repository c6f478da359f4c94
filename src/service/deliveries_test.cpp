// Deliveries and typologies on SQLite and PostgreSQL: CRUD with the JSON shapes checked field by
// field, the transitions and who may make them, optimistic versions, proofs with a fake sender,
// the target condition the worker uses, and typologies. The worker is simulated by writing the
// row as it would (state ready with a preparation).
#include "service/deliveries.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <set>
#include <thread>

#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/exports.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "service/templates.hpp"
#include "service/typologies.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;
using delivery::State;
using namespace std::chrono_literals;

// Records what it was asked and answers "sent" for every test profile but the ones in `fail`.
class FakeProofSender final : public ProofSender {
  public:
    Result<std::vector<ProofRecipient>> SendProofs(std::int64_t delivery_id,
                                                   const std::vector<std::int64_t>& test_profiles,
                                                   int number) override {
        calls.push_back({delivery_id, number});
        std::vector<ProofRecipient> out;
        for (auto id : test_profiles) {
            const bool failed = fail.contains(id);
            out.push_back({id, "tp" + std::to_string(id) + "@example.com",
                           failed ? "failed" : "sent", failed ? "mailbox_full" : ""});
        }
        return out;
    }
    std::vector<std::pair<std::int64_t, int>> calls;
    std::set<std::int64_t> fail;
};

class DeliveryTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        schema_ = std::make_unique<SchemaService>(db(), clock_, *audit_);
        ASSERT_TRUE(schema_->Load());
        records_ = std::make_unique<RecordService>(db(), clock_, *schema_);
        exports_ = std::make_unique<ExportService>(*records_, *schema_);
        audiences_ = std::make_unique<AudienceService>(db(), clock_, *audit_, *schema_, *records_,
                                                       *exports_);
        templates_ = std::make_unique<TemplateService>(*records_, *schema_);
        typologies_ = std::make_unique<TypologyService>(db(), clock_, *audit_, *schema_);
        deliveries_ = std::make_unique<DeliveryService>(db(), clock_, *audit_, *schema_, *records_,
                                                        *audiences_, *templates_);
        deliveries_->SetProofSender(&proofs_);
        deliveries_->SetWake([this] { ++wakes_; });
        marketer_.username = "mia";
        marketer_.role = Role::kMarketer;
        supervisor_.username = "sam";
        supervisor_.role = Role::kSupervisor;
        analyst_.username = "ann";
        analyst_.role = Role::kAnalyst;
        admin_ = Actor::System();
    }

    std::int64_t MakeProfile(std::string email, std::string country) {
        auto p = records_->Create(Actor::System(), "profile",
                                  json::object{{"email", email}, {"country", country}});
        EXPECT_TRUE(p) << p.error().message;
        return p ? p->at("id").as_int64() : 0;
    }

    std::int64_t MakeTestProfile(std::string email) {
        json::object in{{"label", "tester"}};
        if (!email.empty()) in["email"] = email;
        auto p = records_->Create(Actor::System(), "testProfile", in);
        EXPECT_TRUE(p) << p.error().message;
        return p ? p->at("id").as_int64() : 0;
    }

    NewDelivery Basic(std::string label = "Newsletter") {
        NewDelivery in;
        in.label = std::move(label);
        in.content = json::object{{"from", {{"name", "Shop"}, {"address", "news@Shop.Example"}}},
                                  {"subject", "Hello {{ profile.firstName }}"},
                                  {"html", "<p>Hi {{ profile.email }}</p>"},
                                  {"text", "Hi"}};
        in.audience = json::object{{"kind", "query"}, {"expression", "country=\"FR\""}};
        return in;
    }

    Delivery Create(NewDelivery in) {
        auto d = deliveries_->Create(marketer_, in);
        EXPECT_TRUE(d) << d.error().message;
        return d.value_or(Delivery{});
    }

    // What the worker does at the end of a preparation.
    void SimulatePrepared(DeliveryId id, std::int64_t to_send,
                          std::vector<std::string> errors = {}) {
        Preparation p;
        p.total = to_send + 1;
        p.to_send = to_send;
        p.excluded = {{"address_missing", 1}};
        p.errors = std::move(errors);
        p.prepared_at = clock_.Now();
        const std::string state = p.errors.empty() ? "ready" : "draft";
        auto st = storage::WithWrite(db(), [&](storage::Transaction& tx) -> Status {
            storage::Params params(db().dialect());
            auto sql = fmt::format(
                "UPDATE deliveries SET state = {}, preparation = {}, version = version + 1 "
                "WHERE id = {}",
                params.Add(state), params.Add(PreparationToJson(p)), params.Add(id.value()));
            auto n = tx.ExecSql(sql, params.values());
            if (!n) return Fail(n.error());
            return {};
        });
        ASSERT_TRUE(st) << st.error().message;
    }

    void ExpectField(const Error& e, std::string_view field) {
        EXPECT_EQ(e.code, ErrorCode::kInvalidArgument) << e.message;
        auto it = e.details.find("field");
        ASSERT_NE(it, e.details.end()) << e.message;
        EXPECT_EQ(it->second, field) << e.message;
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<ExportService> exports_;
    std::unique_ptr<AudienceService> audiences_;
    std::unique_ptr<TemplateService> templates_;
    std::unique_ptr<TypologyService> typologies_;
    std::unique_ptr<DeliveryService> deliveries_;
    FakeProofSender proofs_;
    int wakes_ = 0;
    Actor marketer_, supervisor_, analyst_, admin_;
};

TEST_P(DeliveryTest, CreateFillsDefaultsAndReadsBack) {
    auto d = Create(Basic());
    EXPECT_EQ(d.label, "Newsletter");
    EXPECT_EQ(d.state, State::kDraft);
    EXPECT_EQ(d.channel, "email");
    EXPECT_FALSE(d.is_template);
    EXPECT_EQ(d.created_by, "mia");
    EXPECT_EQ(d.content.at("from").at("address"), "news@shop.example") << "normalized";
    EXPECT_EQ(d.content.at("replyTo"), nullptr);
    EXPECT_EQ(d.content.at("textMode"), "auto");
    EXPECT_EQ(d.content.at("editor"), "html");
    EXPECT_EQ(d.audience.at("expression"), "country = \"FR\"") << "canonical";
    EXPECT_EQ(d.settings.at("validityHours"), 72);
    EXPECT_EQ(d.settings.at("schedule").at("kind"), "now");
    EXPECT_EQ(d.settings.at("retryDelaySeconds"), 600);
    EXPECT_FALSE(d.preparation);

    auto got = deliveries_->Get(analyst_, d.id);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->content, d.content);
    EXPECT_EQ(got->version, d.version);

    auto missing = deliveries_->Get(analyst_, DeliveryId(9999));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    auto denied = deliveries_->Create(analyst_, Basic());
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
}

TEST_P(DeliveryTest, ListFiltersAndPages) {
    auto a = Create(Basic("Spring sale"));
    clock_.Advance(1h);
    auto t = Basic("Welcome template");
    t.is_template = true;
    auto b = Create(t);
    clock_.Advance(1h);
    auto c = Create(Basic("Summer sale"));
    ASSERT_TRUE(deliveries_->Prepare(marketer_, c.id));

    DeliveryListQuery q;
    auto all = deliveries_->List(analyst_, q);
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->items.size(), 3u);
    EXPECT_EQ(all->items[0].id, c.id) << "newest first";

    q.search = "SALE";
    EXPECT_EQ(deliveries_->Count(analyst_, q).value_or(-1), 2);
    q.search.clear();
    q.templates = true;
    auto templates = deliveries_->List(analyst_, q);
    ASSERT_TRUE(templates);
    ASSERT_EQ(templates->items.size(), 1u);
    EXPECT_EQ(templates->items[0].id, b.id);
    q.templates = false;
    EXPECT_EQ(deliveries_->Count(analyst_, q).value_or(-1), 2);
    q.templates.reset();
    q.states = {State::kPreparing, State::kReady};
    EXPECT_EQ(deliveries_->Count(analyst_, q).value_or(-1), 1);
    q.states.clear();
    q.created_after = a.created_at + 30min;
    EXPECT_EQ(deliveries_->Count(analyst_, q).value_or(-1), 2);
    q.created_before = c.created_at;
    EXPECT_EQ(deliveries_->Count(analyst_, q).value_or(-1), 1);

    DeliveryListQuery paged;
    paged.page.limit = 2;
    auto first = deliveries_->List(analyst_, paged);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->items.size(), 2u);
    ASSERT_TRUE(first->next);
    paged.page.cursor = *first->next;
    auto second = deliveries_->List(analyst_, paged);
    ASSERT_TRUE(second);
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_EQ(second->items[0].id, a.id);
    EXPECT_FALSE(second->next);
}

TEST_P(DeliveryTest, ValidationNamesTheField) {
    auto fails = [&](NewDelivery in, std::string_view field) {
        auto d = deliveries_->Create(marketer_, in);
        ASSERT_FALSE(d) << field;
        ExpectField(d.error(), field);
    };
    auto in = Basic();
    in.label = "  ";
    fails(in, "label");
    in = Basic();
    in.content->emplace("foo", 1);
    fails(in, "content.foo");
    in = Basic();
    (*in.content)["from"] = json::object{{"address", "not an address"}};
    fails(in, "content.from.address");
    in = Basic();
    (*in.content)["from"] = json::object{{"address", "a@b.example"}, {"display", "x"}};
    fails(in, "content.from.display");
    in = Basic();
    (*in.content)["subject"] = 3;
    fails(in, "content.subject");
    in = Basic();
    (*in.content)["editor"] = "word";
    fails(in, "content.editor");
    in = Basic();
    in.audience = json::object{{"kind", "query"}, {"expression", "nosuchfield = 1"}};
    fails(in, "audience.expression");
    in = Basic();
    in.audience = json::object{{"kind", "query"}, {"expression", "country = "}};
    fails(in, "audience.expression");
    in = Basic();
    in.audience = json::object{{"kind", "audience"}, {"audienceId", 42}};
    fails(in, "audience.audienceId");
    in = Basic();
    in.audience = json::object{{"kind", "list"}, {"profileIds", json::array{1, "x"}}};
    fails(in, "audience.profileIds");
    in = Basic();
    in.audience = json::object{{"kind", "segment"}};
    fails(in, "audience.kind");
    in = Basic();
    in.settings = json::object{{"validityHours", 721}};
    fails(in, "settings.validityHours");
    in = Basic();
    in.settings = json::object{{"testProfileIds", json::array{77}}};
    fails(in, "settings.testProfileIds");
    in = Basic();
    in.settings = json::object{{"schedule", {{"kind", "at"}, {"at", "tomorrow"}}}};
    fails(in, "settings.schedule.at");
    in = Basic();
    in.settings = json::object{{"schedule",
                                {{"kind", "local"},
                                 {"date", "2027-01-01"},
                                 {"time", "09:00"},
                                 {"defaultTimeZone", "Mars/Base"}}}};
    fails(in, "settings.schedule.defaultTimeZone");
    in = Basic();
    in.settings = json::object{{"throughput", 5}};
    fails(in, "settings.throughput");

    in = Basic();
    in.route_id = 5;
    auto no_route = deliveries_->Create(marketer_, in);
    ASSERT_FALSE(no_route);
    EXPECT_EQ(no_route.error().code, ErrorCode::kNotFound);
    in = Basic();
    in.typology_id = 5;
    auto no_typology = deliveries_->Create(marketer_, in);
    ASSERT_FALSE(no_typology);
    EXPECT_EQ(no_typology.error().code, ErrorCode::kNotFound);

    // A subject may be empty while the delivery is a draft: preparation checks it.
    in = Basic();
    (*in.content)["subject"] = "";
    EXPECT_TRUE(deliveries_->Create(marketer_, in));
}

TEST_P(DeliveryTest, CreateFromATemplateCopiesItsContent) {
    auto tp = MakeTestProfile("qa@example.com");
    auto t = Basic("Template");
    t.is_template = true;
    t.settings = json::object{{"testProfileIds", json::array{tp}}, {"validityHours", 10}};
    auto tmpl = Create(t);
    NewDelivery in;
    in.label = "From template";
    in.from_delivery = tmpl.id.value();
    in.audience = json::object{{"kind", "list"}, {"profileIds", json::array{3, 1, 3}}};
    auto d = Create(in);
    EXPECT_FALSE(d.is_template);
    EXPECT_EQ(d.content, tmpl.content);
    EXPECT_EQ(d.settings.at("validityHours"), 10);
    EXPECT_EQ(d.audience.at("profileIds"), (json::array{3, 1})) << "duplicates dropped";

    in.from_delivery = 999;
    auto missing = deliveries_->Create(marketer_, in);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    auto prepare = deliveries_->Prepare(marketer_, tmpl.id);
    ASSERT_FALSE(prepare) << "a template is never sent";
    EXPECT_EQ(prepare.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(DeliveryTest, UpdateChecksVersionAndState) {
    auto d = Create(Basic());
    DeliveryPatch patch;
    patch.label = "Renamed";
    patch.version = d.version;
    auto updated = deliveries_->Update(marketer_, d.id, patch);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->label, "Renamed");
    EXPECT_GT(updated->version, d.version);

    // The same (now stale) version again: somebody else saved in between.
    auto stale = deliveries_->Update(marketer_, d.id, patch);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(stale.error().details.at("field"), "version");

    DeliveryPatch bad;
    bad.content = json::object{{"subjct", "x"}};
    auto refused = deliveries_->Update(marketer_, d.id, bad);
    ASSERT_FALSE(refused);
    ExpectField(refused.error(), "content.subjct");

    // Ready goes back to draft on an edit, and loses its preparation.
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 5);
    DeliveryPatch subject;
    subject.content = json::object{{"subject", "New subject"}};
    auto edited = deliveries_->Update(marketer_, d.id, subject);
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->state, State::kDraft);
    EXPECT_FALSE(edited->preparation);
    EXPECT_EQ(edited->content.at("subject"), "New subject");
    EXPECT_EQ(edited->content.at("html"), "") << "content is replaced whole";

    // Preparing: no edits.
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    auto busy = deliveries_->Update(marketer_, d.id, subject);
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(DeliveryTest, TheLifecycleAndWhoMayDoWhat) {
    auto d = Create(Basic());
    EXPECT_EQ(wakes_, 0);
    auto prepared = deliveries_->Prepare(marketer_, d.id);
    ASSERT_TRUE(prepared) << prepared.error().message;
    EXPECT_EQ(prepared->state, State::kPreparing);
    EXPECT_EQ(wakes_, 1);
    auto again = deliveries_->Prepare(marketer_, d.id);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(again.error().details.at("state"), "preparing");

    SimulatePrepared(d.id, 10);
    auto by_marketer = deliveries_->Confirm(marketer_, d.id);
    ASSERT_FALSE(by_marketer);
    EXPECT_EQ(by_marketer.error().code, ErrorCode::kPermissionDenied);

    auto confirmed = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    EXPECT_EQ(confirmed->state, State::kScheduled);
    EXPECT_EQ(confirmed->confirmed_by, "sam");
    EXPECT_EQ(confirmed->start_at, clock_.Now());
    EXPECT_EQ(confirmed->valid_until, clock_.Now() + 72h);
    EXPECT_EQ(confirmed->counters.to_send, 10);

    auto del = deliveries_->Delete(marketer_, d.id);
    ASSERT_FALSE(del);
    EXPECT_EQ(del.error().code, ErrorCode::kFailedPrecondition);

    auto paused = deliveries_->Pause(marketer_, d.id);
    ASSERT_TRUE(paused) << paused.error().message;
    EXPECT_EQ(paused->state, State::kPaused);
    auto resume_by_marketer = deliveries_->Resume(marketer_, d.id);
    ASSERT_FALSE(resume_by_marketer);
    EXPECT_EQ(resume_by_marketer.error().code, ErrorCode::kPermissionDenied);
    auto resumed = deliveries_->Resume(supervisor_, d.id);
    ASSERT_TRUE(resumed) << resumed.error().message;
    EXPECT_EQ(resumed->state, State::kSending);

    clock_.Advance(5s);
    auto stopped = deliveries_->Stop(marketer_, d.id);
    ASSERT_TRUE(stopped) << stopped.error().message;
    EXPECT_EQ(stopped->state, State::kStopped);
    EXPECT_EQ(stopped->finished_at, clock_.Now());
    auto resume_stopped = deliveries_->Resume(supervisor_, d.id);
    ASSERT_FALSE(resume_stopped);
    EXPECT_EQ(resume_stopped.error().code, ErrorCode::kFailedPrecondition);

    ASSERT_TRUE(deliveries_->Delete(marketer_, d.id));
    EXPECT_EQ(deliveries_->Get(marketer_, d.id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(wakes_, 5) << "prepare, confirm, pause, resume, stop";
}

TEST_P(DeliveryTest, OfConcurrentConfirmationsOneWins) {
    auto d = Create(Basic());
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 4);
    constexpr int kThreads = 6;
    std::atomic<int> won = 0, refused = 0, other = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&] {
            auto r = deliveries_->Confirm(supervisor_, d.id);
            if (r) {
                ++won;
            } else if (r.error().code == ErrorCode::kFailedPrecondition) {
                ++refused;
            } else {
                ++other;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(refused.load(), kThreads - 1);
    EXPECT_EQ(other.load(), 0) << "busy or unavailable instead of a clean refusal";
    auto after = deliveries_->Get(analyst_, d.id);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->state, State::kScheduled);
}

TEST_P(DeliveryTest, ConfirmNeedsAGoodPreparation) {
    auto d = Create(Basic());
    auto unprepared = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_FALSE(unprepared);
    EXPECT_EQ(unprepared.error().code, ErrorCode::kFailedPrecondition);

    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 0);
    auto nobody = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_FALSE(nobody);
    EXPECT_EQ(nobody.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(nobody.error().message.find("nobody"), std::string::npos);

    // Scheduled at a time that has passed.
    DeliveryPatch patch;
    patch.settings =
        json::object{{"schedule", {{"kind", "at"}, {"at", FormatRfc3339(clock_.Now() + 1h)}}}};
    ASSERT_TRUE(deliveries_->Update(marketer_, d.id, patch));
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 3);
    clock_.Advance(2h);
    auto late = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(late.error().details.at("field"), "settings.schedule.at");

    patch.settings =
        json::object{{"schedule", {{"kind", "at"}, {"at", FormatRfc3339(clock_.Now() + 1h)}}},
                     {"validityHours", 2}};
    ASSERT_TRUE(deliveries_->Update(marketer_, d.id, patch));
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 3);
    auto later = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_TRUE(later) << later.error().message;
    EXPECT_EQ(later->start_at, clock_.Now() + 1h);
    EXPECT_EQ(later->valid_until, clock_.Now() + 3h);
}

TEST_P(DeliveryTest, LocalScheduleStartsWhereTheDayComesFirst) {
    // 1'800'000'000'000 ms is 2027-01-15T08:00:00Z.
    auto in = Basic();
    in.settings = json::object{{"schedule",
                                {{"kind", "local"},
                                 {"date", "2027-01-16"},
                                 {"time", "09:00"},
                                 {"defaultTimeZone", "Europe/Paris"}}},
                               {"validityHours", 6}};
    auto d = Create(in);
    EXPECT_EQ(d.settings.at("schedule").at("defaultTimeZone"), "Europe/Paris");
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 3);
    auto confirmed = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    const auto wall = FromUnixMillis(1'800'000'000'000) + 25h;  // 2027-01-16T09:00 as UTC
    EXPECT_EQ(confirmed->start_at, wall - 14h) << "UTC+14 reaches 09:00 first";
    EXPECT_EQ(confirmed->valid_until, wall + 12h + 6h) << "UTC-12 reaches it last";
}

TEST_P(DeliveryTest, BlockingErrorsRefuseConfirmation) {
    auto d = Create(Basic());
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    // The worker sends it back to draft with its errors; it is then prepared and ready again
    // with the errors still written (as a worker bug would): confirm must still refuse.
    SimulatePrepared(d.id, 4, {"the subject is empty"});
    auto got = deliveries_->Get(marketer_, d.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->state, State::kDraft);
    ASSERT_TRUE(got->preparation);
    EXPECT_EQ(got->preparation->errors, std::vector<std::string>{"the subject is empty"});
    auto st = storage::WithWrite(db(), [&](storage::Transaction& tx) -> Status {
        auto r = tx.ExecScript(
            fmt::format("UPDATE deliveries SET state = 'ready' WHERE id = {}", d.id.value()));
        return r;
    });
    ASSERT_TRUE(st);
    auto refused = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(refused.error().message.find("the subject is empty"), std::string::npos);
}

TEST_P(DeliveryTest, ProofsAreNumberedAndCanBeRequired) {
    auto tp1 = MakeTestProfile("qa1@example.com");
    auto tp2 = MakeTestProfile("qa2@example.com");
    auto no_address = MakeTestProfile("");
    auto typology = typologies_->Create(
        admin_, {"proofed", "Proof first", json::object{{"requireProof", true}}});
    ASSERT_TRUE(typology) << typology.error().message;
    auto in = Basic();
    in.typology_id = typology->id.value();
    in.settings = json::object{{"testProfileIds", json::array{tp1}}};
    auto d = Create(in);

    auto none = deliveries_->Proof(marketer_, d.id, {no_address});
    ASSERT_FALSE(none);
    ExpectField(none.error(), "testProfileIds");

    auto first = deliveries_->Proof(marketer_, d.id, {});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->number, 1);
    ASSERT_EQ(first->recipients.size(), 1u);
    EXPECT_EQ(first->recipients[0].test_profile_id, tp1);

    proofs_.fail = {tp2};
    auto second = deliveries_->Proof(marketer_, d.id, {tp1, tp2});
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->number, 2);
    ASSERT_EQ(proofs_.calls.size(), 2u);
    EXPECT_EQ(proofs_.calls[1].second, 2) << "the sender gets the number for \"[Proof 2]\"";

    auto list = deliveries_->ListProofs(analyst_, d.id);
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[2].number, 2);
    EXPECT_EQ((*list)[2].status, "failed");
    EXPECT_EQ((*list)[2].sent_by, "mia");
    EXPECT_EQ(deliveries_->Get(analyst_, d.id)->proof_count, 2);

    // The proofs above were sent before this preparation: the typology wants a new one.
    clock_.Advance(1min);
    ASSERT_TRUE(deliveries_->Prepare(marketer_, d.id));
    SimulatePrepared(d.id, 2);
    auto unproofed = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_FALSE(unproofed);
    EXPECT_EQ(unproofed.error().code, ErrorCode::kFailedPrecondition);
    clock_.Advance(1min);
    ASSERT_TRUE(deliveries_->Proof(marketer_, d.id, {tp1}));
    auto confirmed = deliveries_->Confirm(supervisor_, d.id);
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    EXPECT_EQ(confirmed->proof_count, 3);

    // No proofs once sending.
    ASSERT_TRUE(deliveries_->Pause(marketer_, d.id));
    auto paused_proof = deliveries_->Proof(marketer_, d.id, {tp1});
    ASSERT_FALSE(paused_proof);
    EXPECT_EQ(paused_proof.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(DeliveryTest, TargetConditionForEachKindOfAudience) {
    auto fr1 = MakeProfile("a@example.com", "FR");
    auto fr2 = MakeProfile("b@example.com", "FR");
    auto de = MakeProfile("c@example.com", "DE");
    auto ids_of = [&](const std::string& condition, const storage::Params& params) {
        std::vector<std::int64_t> out;
        auto rows = storage::WithRead(db(), [&](storage::Transaction& tx) {
            return tx.QuerySql("SELECT t.id FROM profiles t WHERE " + condition + " ORDER BY t.id",
                               params.values());
        });
        EXPECT_TRUE(rows) << rows.error().message;
        if (rows) {
            for (const auto& r : rows->rows) out.push_back(storage::AsInt(r[0]));
        }
        return out;
    };

    auto query = Create(Basic());
    storage::Params p1(db().dialect());
    auto c1 = deliveries_->TargetCondition(query, p1);
    ASSERT_TRUE(c1) << c1.error().message;
    EXPECT_EQ(ids_of(*c1, p1), (std::vector<std::int64_t>{fr1, fr2}));

    auto in = Basic();
    in.audience = json::object{{"kind", "list"}, {"profileIds", json::array{de, fr2}}};
    auto list = Create(in);
    storage::Params p2(db().dialect());
    auto c2 = deliveries_->TargetCondition(list, p2);
    ASSERT_TRUE(c2) << c2.error().message;
    EXPECT_EQ(ids_of(*c2, p2), (std::vector<std::int64_t>{fr2, de}));

    NewAudience germans;
    germans.label = "Germans";
    germans.expression.text = "country = \"DE\"";
    auto audience = audiences_->Create(marketer_, germans);
    ASSERT_TRUE(audience) << audience.error().message;
    in.audience = json::object{{"kind", "audience"}, {"audienceId", audience->id.value()}};
    auto saved = Create(in);
    storage::Params p3(db().dialect());
    auto c3 = deliveries_->TargetCondition(saved, p3);
    ASSERT_TRUE(c3) << c3.error().message;
    EXPECT_EQ(ids_of(*c3, p3), (std::vector<std::int64_t>{de}));

    ASSERT_TRUE(audiences_->Delete(marketer_, audience->id));
    storage::Params p4(db().dialect());
    auto gone = deliveries_->TargetCondition(saved, p4);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kFailedPrecondition);

    Delivery empty = saved;
    empty.audience = {};
    storage::Params p5(db().dialect());
    auto none = deliveries_->TargetCondition(empty, p5);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(DeliveryTest, PreviewRendersTheContent) {
    auto p = MakeProfile("ann@example.com", "FR");
    auto d = Create(Basic());
    DeliveryPreviewRequest request;
    request.profile_id = p;
    auto rendered = deliveries_->Preview(analyst_, d.id, request);
    ASSERT_TRUE(rendered) << rendered.error().message;
    EXPECT_EQ(rendered->html, "<p>Hi ann@example.com</p>");
    EXPECT_EQ(rendered->subject, "Hello ");
    auto neither = deliveries_->Preview(analyst_, d.id, {});
    ASSERT_FALSE(neither);
    EXPECT_EQ(neither.error().code, ErrorCode::kInvalidArgument);
    request.profile_id = 9999;
    auto missing = deliveries_->Preview(analyst_, d.id, request);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(DeliveryTest, LogsCountersAndHistory) {
    auto p1 = MakeProfile("a@example.com", "FR");
    auto p2 = MakeProfile("b@example.com", "FR");
    auto p3 = MakeProfile("c@example.com", "FR");
    auto d = Create(Basic());
    const auto now = ToUnixMillis(clock_.Now());
    auto st = storage::WithWrite(db(), [&](storage::Transaction& tx) -> Status {
        return tx.ExecScript(fmt::format(
            "INSERT INTO delivery_recipients (delivery_id, profile_id, address, status, reason, "
            "attempts, sent_at, updated_at) VALUES "
            "({0}, {1}, 'a@example.com', 'sent', '', 1, {4}, {4}), "
            "({0}, {2}, 'b@example.com', 'pending', 'soft', 1, NULL, {4}), "
            "({0}, {3}, 'c@example.com', 'ignored', 'quarantined', 0, NULL, {4});\n"
            // The counters the sender and the preparation keep beside the rows.
            "UPDATE deliveries SET count_pending = 1, count_retrying = 1, count_sent = 1, "
            "count_ignored = 1 WHERE id = {0};",
            d.id.value(), p1, p2, p3, now));
    });
    ASSERT_TRUE(st) << st.error().message;
    auto got = deliveries_->Get(analyst_, d.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->counters.sent, 1);
    EXPECT_EQ(got->counters.pending, 1);
    EXPECT_EQ(got->counters.retrying, 1);
    EXPECT_EQ(got->counters.ignored, 1);
    EXPECT_EQ(got->counters.failed, 0);

    SendingLogQuery q;
    q.page.limit = 2;
    auto page = deliveries_->Logs(analyst_, d.id, q);
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->items.size(), 2u);
    EXPECT_EQ(page->items[0].profile_id, p1);
    ASSERT_TRUE(page->next);
    q.page.cursor = *page->next;
    auto rest = deliveries_->Logs(analyst_, d.id, q);
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->items.size(), 1u);
    EXPECT_EQ(rest->items[0].reason, "quarantined");
    SendingLogQuery by_reason;
    by_reason.reason = "quarantined";
    EXPECT_EQ(deliveries_->Logs(analyst_, d.id, by_reason)->items.size(), 1u);
    SendingLogQuery by_address;
    by_address.address = "B@EXAMPLE";
    EXPECT_EQ(deliveries_->Logs(analyst_, d.id, by_address)->items.size(), 1u);

    auto history = deliveries_->ProfileHistory(analyst_, p1);
    ASSERT_TRUE(history) << history.error().message;
    ASSERT_EQ(history->size(), 1u);
    EXPECT_EQ((*history)[0].delivery_label, "Newsletter");
    EXPECT_EQ((*history)[0].status, "sent");
    EXPECT_EQ(deliveries_->ProfileHistory(analyst_, 9999).error().code, ErrorCode::kNotFound);
}

TEST_P(DeliveryTest, Typologies) {
    auto list = typologies_->List(analyst_, {});
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->items[0].name, "default");
    EXPECT_EQ(list->items[0].rules.at("requireDkim"), false) << "defaults shown";

    json::object rules{
        {"filters", json::array{json::object{{"name", "no-test"},
                                             {"expression", "email like \"%@test.invalid\""}}}},
        {"fatigue",
         json::array{json::object{{"name", "one-a-day"}, {"max", 1}, {"windowHours", 24}}}},
        {"requireProof", true}};
    auto denied = typologies_->Create(marketer_, {"strict", "", rules});
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    auto made = typologies_->Create(admin_, {"strict", "", rules});
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->label, "strict");
    EXPECT_EQ(made->rules.at("filters").at(0).at("label"), "no-test");
    EXPECT_EQ(made->rules.at("filters").at(0).at("expression"), "email like \"%@test.invalid\"");
    EXPECT_EQ(made->rules.at("fatigue").at(0).at("channel"), "email");
    EXPECT_EQ(made->rules.at("requireDkim"), false);
    auto dup = typologies_->Create(admin_, {"strict", "", {}});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

    auto fails = [&](json::object r, std::string_view field) {
        auto t = typologies_->Create(admin_, {"other", "", std::move(r)});
        ASSERT_FALSE(t) << field;
        ExpectField(t.error(), field);
    };
    fails(json::object{{"filterz", json::array{}}}, "rules.filterz");
    fails(json::object{{"filters",
                        json::array{json::object{{"name", "x"}, {"expression", "nope = 1"}}}}},
          "rules.filters[0].expression");
    fails(json::object{{"filters",
                        json::array{json::object{{"name", "Bad Name"}, {"expression", "true"}}}}},
          "rules.filters[0].name");
    fails(json::object{{"fatigue",
                        json::array{json::object{{"name", "f"}, {"max", 0}, {"windowHours", 1}}}}},
          "rules.fatigue[0].max");
    fails(json::object{{"fatigue", json::array{json::object{{"name", "f"}, {"max", 1}}}}},
          "rules.fatigue[0].windowHours");
    fails(json::object{{"fatigue",
                        json::array{json::object{
                            {"name", "f"}, {"max", 1}, {"windowHours", 1}, {"channel", "sms"}}}}},
          "rules.fatigue[0].channel");
    fails(json::object{{"fatigue",
                        json::array{json::object{{"name", "f"}, {"max", 1}, {"windowHours", 1}},
                                    json::object{{"name", "f"}, {"max", 2}, {"windowHours", 1}}}}},
          "rules.fatigue[1].name");
    fails(json::object{{"requireProof", "yes"}}, "rules.requireProof");
    auto bad_name = typologies_->Create(admin_, {"-x", "", {}});
    ASSERT_FALSE(bad_name);
    ExpectField(bad_name.error(), "name");

    TypologyPatch patch;
    patch.label = "Strict rules";
    patch.rules = json::object{{"requireDkim", true}};
    auto updated = typologies_->Update(admin_, made->id, patch);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->label, "Strict rules");
    EXPECT_EQ(updated->rules.at("filters").as_array().size(), 0u) << "rules replaced whole";
    EXPECT_EQ(updated->rules.at("requireDkim"), true);

    auto default_gone = typologies_->Delete(admin_, list->items[0].id);
    ASSERT_FALSE(default_gone);
    EXPECT_EQ(default_gone.error().code, ErrorCode::kFailedPrecondition);
    ASSERT_TRUE(typologies_->Delete(admin_, made->id));
    EXPECT_EQ(typologies_->Get(analyst_, made->id).error().code, ErrorCode::kNotFound);
}

OVERTURE_INSTANTIATE_BACKENDS(DeliveryTest);

}  // namespace
}  // namespace overture::service
