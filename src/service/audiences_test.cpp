// Audiences on SQLite and PostgreSQL: query audiences recomputed on use, list audiences as
// snapshots and from files, expiry, permissions, the audit trail and a model change under a
// saved expression.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/exports.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class AudienceTest : public storage::testing::BackendTest {
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
        marketer_.username = "mia";
        marketer_.role = Role::kMarketer;
        analyst_.username = "ann";
        analyst_.role = Role::kAnalyst;
    }

    std::int64_t MakeProfile(std::string email, std::string country, std::string external_id = "") {
        json::object in{{"email", email}, {"country", country}};
        if (!external_id.empty()) in["externalId"] = external_id;
        auto p = records_->Create(Actor::System(), "profile", in);
        EXPECT_TRUE(p) << p.error().message;
        return p->at("id").as_int64();
    }

    NewAudience Query(std::string label, std::string text) {
        NewAudience in;
        in.label = std::move(label);
        in.kind = AudienceKind::kQuery;
        in.expression.text = std::move(text);
        return in;
    }

    std::int64_t CountOf(AudienceId id) {
        auto n = audiences_->CountMembers(marketer_, id);
        EXPECT_TRUE(n) << n.error().message;
        return n.value_or(-1);
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<ExportService> exports_;
    std::unique_ptr<AudienceService> audiences_;
    Actor marketer_;
    Actor analyst_;
};

TEST_P(AudienceTest, QueryAudienceIsRecomputedListAudienceIsASnapshot) {
    MakeProfile("a@example.com", "FR");
    MakeProfile("b@example.com", "FR");
    MakeProfile("c@example.com", "DE");

    auto query = audiences_->Create(marketer_, Query("French", "country=\"FR\""));
    ASSERT_TRUE(query) << query.error().message;
    EXPECT_EQ(query->kind, AudienceKind::kQuery);
    EXPECT_EQ(query->expression, "country = \"FR\"") << "stored in canonical form";
    ASSERT_TRUE(query->json);
    EXPECT_FALSE(query->member_count);
    EXPECT_EQ(query->created_by, "mia");

    NewAudience list_in = Query("French snapshot", "country = \"FR\"");
    list_in.kind = AudienceKind::kList;
    auto list = audiences_->Create(marketer_, list_in);
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_EQ(list->member_count, 2);

    EXPECT_EQ(CountOf(query->id), 2);
    EXPECT_EQ(CountOf(list->id), 2);

    // A new French profile joins the query audience, not the snapshot.
    MakeProfile("d@example.com", "FR");
    EXPECT_EQ(CountOf(query->id), 3);
    EXPECT_EQ(CountOf(list->id), 2);

    // Deleting a profile removes it from the list.
    auto first = audiences_->Preview(marketer_, list->id, {"email"}, 1);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->size(), 1u);
    EXPECT_EQ(first->front().at("email").as_string(), "a@example.com");
    EXPECT_EQ(first->front().size(), 2u) << "id and the chosen column";
    ASSERT_TRUE(records_->Delete(Actor::System(), "profile", first->front().at("id").as_int64()));
    EXPECT_EQ(CountOf(list->id), 1);
    EXPECT_EQ(audiences_->Get(marketer_, list->id)->member_count, 1);

    // The JSON form gives the same audience.
    NewAudience from_json;
    from_json.label = "French (JSON)";
    from_json.expression.json = query->json;
    auto same = audiences_->Create(marketer_, from_json);
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(same->expression, query->expression);
}

TEST_P(AudienceTest, ValidatesInput) {
    auto bad = audiences_->Create(marketer_, Query("Bad", "country = "));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().details.at("field"), "expression");
    EXPECT_EQ(bad.error().details.at("line"), "1");

    auto unknown = audiences_->Create(marketer_, Query("Unknown", "shoeSize > 3"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);

    NewAudience no_expr;
    no_expr.label = "Nothing";
    EXPECT_EQ(audiences_->Create(marketer_, no_expr).error().code, ErrorCode::kInvalidArgument);

    auto no_label = audiences_->Create(marketer_, Query("   ", "country = \"FR\""));
    ASSERT_FALSE(no_label);
    EXPECT_EQ(no_label.error().details.at("field"), "label");

    auto wrong_resource = Query("Services", "name = \"x\"");
    wrong_resource.resource = "service";
    auto r = audiences_->Create(marketer_, wrong_resource);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().details.at("field"), "resource");

    EXPECT_EQ(audiences_->Get(marketer_, AudienceId(999)).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(audiences_->CountMembers(marketer_, AudienceId(999)).error().code,
              ErrorCode::kNotFound);
}

TEST_P(AudienceTest, AnalystsReadMarketersWrite) {
    auto made = audiences_->Create(marketer_, Query("All", "not blockAll"));
    ASSERT_TRUE(made) << made.error().message;
    auto denied = audiences_->Create(analyst_, Query("Mine", "not blockAll"));
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(audiences_->Update(analyst_, made->id, {.label = "x"}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(audiences_->Delete(analyst_, made->id).error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(audiences_->Get(analyst_, made->id));
    EXPECT_TRUE(audiences_->CountMembers(analyst_, made->id));
    EXPECT_TRUE(audiences_->List(analyst_, {}));
}

TEST_P(AudienceTest, ExpiredAudiencesCanBeExtendedNotUsed) {
    NewAudience in = Query("Short-lived", "country = \"FR\"");
    in.expires_at = clock_.Now() + 1h;
    auto a = audiences_->Create(marketer_, in);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_FALSE(a->expired);
    EXPECT_TRUE(audiences_->CountMembers(marketer_, a->id));

    clock_.Advance(2h);
    auto got = audiences_->Get(marketer_, a->id);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->expired);
    auto refused = audiences_->CountMembers(marketer_, a->id);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(refused.error().message.find("the audience 'Short-lived' expired on"),
              std::string::npos)
        << refused.error().message;
    EXPECT_FALSE(audiences_->Preview(marketer_, a->id, {}, 10));

    auto usable = audiences_->List(marketer_, {.expired = false});
    ASSERT_TRUE(usable);
    EXPECT_TRUE(usable->items.empty());
    EXPECT_EQ(*audiences_->Count(marketer_, {.expired = true}), 1);

    // Renaming and extending work on an expired audience.
    AudiencePatch extend{.label = "Longer-lived", .expires_at = clock_.Now() + 24h};
    auto extended = audiences_->Update(marketer_, a->id, extend);
    ASSERT_TRUE(extended) << extended.error().message;
    EXPECT_FALSE(extended->expired);
    EXPECT_EQ(extended->label, "Longer-lived");
    EXPECT_TRUE(audiences_->CountMembers(marketer_, a->id));

    // A list audience keeps its members when it expires.
    NewAudience list_in = Query("List", "country = \"FR\"");
    list_in.kind = AudienceKind::kList;
    MakeProfile("f@example.com", "FR");
    list_in.expires_at = clock_.Now() + 1h;
    auto list = audiences_->Create(marketer_, list_in);
    ASSERT_TRUE(list);
    clock_.Advance(2h);
    EXPECT_EQ(audiences_->Get(marketer_, list->id)->member_count, 1);
    EXPECT_EQ(audiences_->AddMembers(marketer_, list->id, "x@example.com\n", "").error().code,
              ErrorCode::kFailedPrecondition);
    EXPECT_EQ(audiences_->ClearMembers(marketer_, list->id).error().code,
              ErrorCode::kFailedPrecondition);
}

TEST_P(AudienceTest, MembersFromAFile) {
    auto p1 = MakeProfile("one@example.com", "FR", "crm-1");
    auto p2 = MakeProfile("two@example.com", "FR", "crm-2");
    NewAudience in;
    in.label = "From a file";
    in.kind = AudienceKind::kList;
    auto a = audiences_->Create(marketer_, in);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->member_count, 0);
    EXPECT_FALSE(a->expression);

    auto by_email = audiences_->AddMembers(
        marketer_, a->id, "name;Email\nOne;one@EXAMPLE.com\nNobody;nobody@example.com\nBad;x@\n",
        "");
    ASSERT_TRUE(by_email) << by_email.error().message;
    EXPECT_EQ(by_email->key, "email");
    EXPECT_EQ(by_email->added, 1);
    EXPECT_EQ(by_email->unmatched, 1);
    EXPECT_EQ(by_email->rejected, 1);
    ASSERT_EQ(by_email->rejects.size(), 2u);
    EXPECT_EQ(by_email->rejects[0].line, 3u);
    EXPECT_EQ(by_email->rejects[0].value, "nobody@example.com");
    EXPECT_EQ(by_email->rejects[1].line, 4u);

    auto by_id = audiences_->AddMembers(marketer_, a->id,
                                        std::to_string(p1) + "\n" + std::to_string(p2) + "\n", "");
    ASSERT_TRUE(by_id) << by_id.error().message;
    EXPECT_EQ(by_id->key, "id");
    EXPECT_EQ(by_id->added, 1);
    EXPECT_EQ(by_id->already, 1);
    EXPECT_EQ(CountOf(a->id), 2);

    auto by_external = audiences_->AddMembers(marketer_, a->id, "externalId\ncrm-2\ncrm-9\n", "");
    ASSERT_TRUE(by_external);
    EXPECT_EQ(by_external->already, 1);
    EXPECT_EQ(by_external->unmatched, 1);

    auto several = audiences_->AddMembers(marketer_, a->id, "a,b\n1,2\n", "");
    ASSERT_FALSE(several);
    EXPECT_EQ(several.error().code, ErrorCode::kInvalidArgument);

    auto cleared = audiences_->ClearMembers(marketer_, a->id);
    ASSERT_TRUE(cleared);
    EXPECT_EQ(*cleared, 2);
    EXPECT_EQ(CountOf(a->id), 0);

    // A query audience has no members to change.
    auto query = audiences_->Create(marketer_, Query("Q", "country = \"FR\""));
    ASSERT_TRUE(query);
    EXPECT_EQ(audiences_->AddMembers(marketer_, query->id, "1\n", "").error().code,
              ErrorCode::kFailedPrecondition);

    // Every change is in the audit trail.
    Actor admin = Actor::System();
    auto entries = audit_->List(admin, {500, ""});
    ASSERT_TRUE(entries);
    std::vector<std::string> actions;
    for (const auto& e : entries->items) {
        if (e.target_type == "audience") actions.push_back(e.action);
    }
    std::vector<std::string> want = {"audience.create",      "audience.members.clear",
                                     "audience.members.add", "audience.members.add",
                                     "audience.members.add", "audience.create"};
    EXPECT_EQ(actions, want);
}

TEST_P(AudienceTest, ExportWritesTheProfiles) {
    MakeProfile("a@example.com", "FR");
    MakeProfile("b@example.com", "DE");
    auto a = audiences_->Create(marketer_, Query("French", "country = \"FR\""));
    ASSERT_TRUE(a);
    std::string csv;
    importexport::CsvWriter writer;
    writer.OpenString(&csv);
    auto n = audiences_->Export(marketer_, a->id, {"email", "country"}, writer);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 1);
    EXPECT_EQ(csv, "email,country\na@example.com,FR\n");
}

// Text that a spreadsheet would run as a formula leaves with an apostrophe (CSV injection);
// phone numbers and the rest leave as they are, so that the export imports back.
TEST_P(AudienceTest, ExportGuardsFormulasAndKeepsPhoneNumbers) {
    json::object in{{"email", "f@example.com"},
                    {"country", "FR"},
                    {"firstName", "=HYPERLINK(\"https://evil.example\",\"x\")"},
                    {"lastName", "@SUM(A1)"},
                    {"mobilePhone", "+33612345678"}};
    ASSERT_TRUE(records_->Create(Actor::System(), "profile", in));
    auto a = audiences_->Create(marketer_, Query("French", "country = \"FR\""));
    ASSERT_TRUE(a);
    std::string csv;
    importexport::CsvWriter writer;
    writer.OpenString(&csv);
    auto n = audiences_->Export(marketer_, a->id, {"email", "firstName", "lastName", "mobilePhone"},
                                writer);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(csv,
              "email,firstName,lastName,mobilePhone\n"
              "f@example.com,\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\",'@SUM(A1),"
              "+33612345678\n");
}

TEST_P(AudienceTest, ADroppedFieldIsNamedWhenTheAudienceIsUsed) {
    schema::Model desired;
    {
        // Publish a custom resource, make an audience over it, then drop it.
        schema::Resource widget;
        widget.name = "widget";
        schema::Field name;
        name.name = "name";
        name.type = schema::FieldType::kString;
        name.length = 20;
        widget.fields.push_back(name);
        schema::Link owner;
        owner.name = "profile";
        owner.target = "profile";
        owner.reverse_name = "widgets";
        widget.links.push_back(owner);
        desired = schema::Model({widget});
    }
    auto published = schema_->Publish(Actor::System(), desired, false, false);
    ASSERT_TRUE(published) << published.error().message;
    auto a = audiences_->Create(marketer_, Query("Widget owners", "exists widgets"));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_TRUE(audiences_->CountMembers(marketer_, a->id));

    clock_.Advance(3s);
    ASSERT_TRUE(schema_->Publish(Actor::System(), schema::Model(), false, true));
    auto stale = audiences_->CountMembers(marketer_, a->id);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(stale.error().message.find("widgets"), std::string::npos) << stale.error().message;
    EXPECT_NE(stale.error().message.find("Widget owners"), std::string::npos);
    EXPECT_TRUE(audiences_->Get(marketer_, a->id)) << "still readable";
}

OVERTURE_INSTANTIATE_BACKENDS(AudienceTest);

}  // namespace
}  // namespace overture::service
