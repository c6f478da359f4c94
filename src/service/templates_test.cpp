// Template validation and previews on SQLite and PostgreSQL: strict errors with their part and
// position, the fields used, previews from a profile (with a 1-N link), a test profile and a
// JSON context, HTML escaping, the profile's time zone, limits and permissions.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "service/audit.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "service/templates.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;

class TemplateTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        schema_ = std::make_unique<SchemaService>(db(), clock_, *audit_);
        ASSERT_TRUE(schema_->Load());
        records_ = std::make_unique<RecordService>(db(), clock_, *schema_);
        templates_ = std::make_unique<TemplateService>(*records_, *schema_);
        analyst_.username = "ann";
        analyst_.role = Role::kAnalyst;
    }

    std::int64_t Create(std::string_view resource, json::object in) {
        auto r = records_->Create(Actor::System(), resource, in);
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->at("id").as_int64() : 0;
    }

    // A custom `purchase` resource linked to profile, reverse link `purchases`.
    void PublishPurchase() {
        schema::Resource purchase;
        purchase.name = "purchase";
        schema::Field name;
        name.name = "name";
        name.type = schema::FieldType::kString;
        name.length = 50;
        purchase.fields.push_back(name);
        schema::Link owner;
        owner.name = "profile";
        owner.target = "profile";
        owner.reverse_name = "purchases";
        purchase.links.push_back(owner);
        auto published = schema_->Publish(Actor::System(), schema::Model({purchase}), false, false);
        ASSERT_TRUE(published) << published.error().message;
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<TemplateService> templates_;
    Actor analyst_;
};

TEST_P(TemplateTest, ValidateReportsFieldsOrTheFirstErrorOfEachPart) {
    TemplateParts ok;
    ok.subject = "Hi {{ profile.firstName }}";
    ok.html = "<p>{{ profile.email }}</p>{% for p in profile.purchases %}{{ p.name }}{% endfor %}";
    auto v = templates_->Validate(analyst_, ok);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_TRUE(v->errors.empty());
    EXPECT_EQ(v->fields, (std::vector<std::string>{"email", "firstName", "purchases"}));
    EXPECT_FALSE(v->whole_profile);

    TemplateParts whole;
    whole.text = "{{ profile | json }}";
    auto w = templates_->Validate(analyst_, whole);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_TRUE(w->whole_profile);

    TemplateParts bad;
    bad.subject = "fine";
    bad.html = "<p>\n  {{ profile.x | nope }}</p>";
    bad.text = "{{ customer.name }}";
    auto b = templates_->Validate(analyst_, bad);
    ASSERT_TRUE(b) << b.error().message;
    ASSERT_EQ(b->errors.size(), 2u);
    EXPECT_EQ(b->errors[0].part, "html");
    EXPECT_EQ(b->errors[0].line, 2);
    EXPECT_EQ(b->errors[0].column, 18);
    EXPECT_NE(b->errors[0].message.find("nope"), std::string::npos) << b->errors[0].message;
    EXPECT_NE(b->errors[0].excerpt.find('^'), std::string::npos);
    EXPECT_EQ(b->errors[1].part, "text");
    EXPECT_TRUE(b->fields.empty());

    auto none = templates_->Validate(analyst_, {});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(TemplateTest, RenderFromAProfileLoadsItsLinksAndEscapesHtml) {
    PublishPurchase();
    auto id = Create("profile", {{"email", "a@example.com"},
                                 {"firstName", "<script>x</script>"},
                                 {"timeZone", "Asia/Tokyo"}});
    Create("purchase", {{"name", "Boots"}, {"profile", id}});
    Create("purchase", {{"name", "Hat"}, {"profile", id}});
    auto other = Create("profile", {{"email", "b@example.com"}});
    Create("purchase", {{"name", "Not mine"}, {"profile", other}});

    TemplateParts parts;
    parts.subject = "Hi {{ profile.firstName }}";
    parts.html =
        "<p>{{ profile.firstName }}</p>{% for p in profile.purchases %}[{{ p.name }}]"
        "{% endfor %}<a href=\"{{ unsubscribe_url }}\">u</a>";
    parts.text = "{{ profile.purchases.size }} {{ \"2020-01-01T00:00:00Z\" | date: \"%H\" }}";
    PreviewData data;
    data.profile_id = id;
    auto r = templates_->Render(analyst_, parts, data);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r->subject, "Hi <script>x</script>") << "text parts are not escaped";
    EXPECT_EQ(*r->html,
              "<p>&lt;script&gt;x&lt;/script&gt;</p>[Boots][Hat]"
              "<a href=\"https://preview.invalid/unsubscribe\">u</a>");
    EXPECT_EQ(*r->text, "2 09") << "the profile's time zone";

    auto missing = templates_->Render(analyst_, parts, PreviewData{.profile_id = 999999});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(TemplateTest, RenderFromATestProfileOrAContext) {
    auto profile = Create("profile", {{"email", "real@example.com"}, {"firstName", "Real"}});
    auto own = Create("testProfile", {{"label", "Seed"}, {"firstName", "Seedy"}});
    auto borrowing = Create("testProfile", {{"label", "Borrow"}, {"profile", profile}});
    TemplateParts parts;
    parts.text = "{{ profile.firstName }}|{{ event.sku }}";

    auto a = templates_->Render(analyst_, parts, PreviewData{.test_profile_id = own});
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(*a->text, "Seedy|");
    EXPECT_FALSE(a->html);
    auto b = templates_->Render(analyst_, parts, PreviewData{.test_profile_id = borrowing});
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(*b->text, "Real|");

    PreviewData ctx;
    ctx.context =
        json::parse(R"({"profile": {"firstName": "Ctx"}, "event": {"sku": "A1"}})").as_object();
    auto c = templates_->Render(analyst_, parts, ctx);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(*c->text, "Ctx|A1");

    ctx.context = json::parse(R"({"customer": {}})").as_object();
    auto bad = templates_->Render(analyst_, parts, ctx);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

    PreviewData two;
    two.profile_id = profile;
    two.test_profile_id = own;
    EXPECT_FALSE(templates_->Render(analyst_, parts, two));

    auto empty = templates_->Render(analyst_, parts, {});
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(*empty->text, "|") << "lenient: unknown data is nil";
}

TEST_P(TemplateTest, LimitsAndPermissions) {
    TemplateParts parts;
    parts.html = "{% for i in (1..1000000) %}{{ i }}{% endfor %}";
    auto r = templates_->Render(analyst_, parts, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().details.at("part"), "html");
    EXPECT_EQ(r.error().details.at("limit"), "maxIterations");
    EXPECT_NE(r.error().message.find("100000"), std::string::npos) << r.error().message;

    Actor nobody;  // an API key without the read scope
    nobody.username = "n";
    nobody.api_key_id = ApiKeyId(1);
    parts.html = "x";
    auto denied = templates_->Validate(nobody, parts);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
}

OVERTURE_INSTANTIATE_BACKENDS(TemplateTest);

}  // namespace
}  // namespace overture::service
