// Content fragments on SQLite and PostgreSQL: CRUD, name rules, sources that do not compile
// (with their position), includes of missing fragments and include cycles, who may do what, and
// template previews that include a stored fragment.
#include "service/fragments.hpp"

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

class FragmentTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        schema_ = std::make_unique<SchemaService>(db(), clock_, *audit_);
        ASSERT_TRUE(schema_->Load());
        records_ = std::make_unique<RecordService>(db(), clock_, *schema_);
        fragments_ = std::make_unique<FragmentService>(db(), clock_, *audit_);
        templates_ = std::make_unique<TemplateService>(*records_, *schema_);
        templates_->SetFragments(fragments_.get());
        marketer_.username = "mia";
        marketer_.role = Role::kMarketer;
        analyst_.username = "ann";
        analyst_.role = Role::kAnalyst;
    }

    Fragment Make(std::string name, std::string source) {
        auto f = fragments_->Create(marketer_, {.name = std::move(name), .source = source});
        EXPECT_TRUE(f) << f.error().message;
        return f.value_or(Fragment{});
    }

    std::string Detail(const Error& e, const std::string& key) {
        auto it = e.details.find(key);
        return it == e.details.end() ? "" : it->second;
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<FragmentService> fragments_;
    std::unique_ptr<TemplateService> templates_;
    Actor marketer_, analyst_;
};

TEST_P(FragmentTest, CreateListGetUpdateDelete) {
    auto made = fragments_->Create(marketer_, {.name = "footer",
                                               .label = "  Footer  ",
                                               .description = "At the bottom",
                                               .source = "<p>Shop Inc.</p>"});
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->name, "footer");
    EXPECT_EQ(made->label, "Footer");
    EXPECT_EQ(made->description, "At the bottom");
    EXPECT_EQ(made->created_by, "mia");
    EXPECT_EQ(made->created_at, clock_.Now());
    auto header = Make("header", "<h1>Shop</h1>");
    EXPECT_EQ(header.label, "header") << "the label defaults to the name";

    auto again = fragments_->Create(marketer_, {.name = "footer", .source = "x"});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(Detail(again.error(), "field"), "name");

    auto page = fragments_->List(analyst_, {.page = {.limit = 1}});
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].name, "footer");
    ASSERT_TRUE(page->next);
    auto rest = fragments_->List(analyst_, {.page = {.limit = 1, .cursor = *page->next}});
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->items.size(), 1u);
    EXPECT_EQ(rest->items[0].name, "header");
    EXPECT_FALSE(rest->next);
    auto found = fragments_->List(analyst_, {.search = "FOOT"});
    ASSERT_TRUE(found);
    ASSERT_EQ(found->items.size(), 1u);
    EXPECT_EQ(found->items[0].id, made->id);
    EXPECT_EQ(fragments_->Count(analyst_, "").value_or(-1), 2);
    EXPECT_EQ(fragments_->Count(analyst_, "head").value_or(-1), 1);
    EXPECT_EQ(fragments_->Count(analyst_, "%").value_or(-1), 0) << "% is not a wildcard";

    clock_.Advance(std::chrono::minutes(1));
    auto updated = fragments_->Update(marketer_, made->id,
                                      {.label = "Legal footer", .source = "<p>Shop SA</p>"});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->label, "Legal footer");
    EXPECT_EQ(updated->description, "At the bottom") << "fields not given stay";
    EXPECT_EQ(updated->source, "<p>Shop SA</p>");
    EXPECT_EQ(updated->modified_at, clock_.Now());
    auto got = fragments_->Get(analyst_, made->id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->source, "<p>Shop SA</p>");
    auto blank = fragments_->Update(marketer_, made->id, {.label = " "});
    ASSERT_FALSE(blank);
    EXPECT_EQ(Detail(blank.error(), "field"), "label");

    ASSERT_TRUE(fragments_->Delete(marketer_, made->id));
    EXPECT_EQ(fragments_->Get(analyst_, made->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(fragments_->Delete(marketer_, made->id).error().code, ErrorCode::kNotFound);

    auto audit = audit_->List(Actor::System(), {.limit = 10});
    ASSERT_TRUE(audit);
    std::vector<std::string> actions;
    for (const auto& e : audit->items) actions.push_back(e.action);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "fragment.create"), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "fragment.update"), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "fragment.delete"), actions.end());
}

TEST_P(FragmentTest, NamesFollowTheRules) {
    for (std::string bad : std::vector<std::string>{"", "Footer", "_footer", "-x", "foo bar",
                                                    "foo.bar", std::string(65, 'a'), "fóoter"}) {
        auto f = fragments_->Create(marketer_, {.name = bad, .source = "x"});
        ASSERT_FALSE(f) << bad;
        EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument) << bad;
        EXPECT_EQ(Detail(f.error(), "field"), "name") << bad;
    }
    for (std::string good :
         std::vector<std::string>{"f", "0day", "legal-notice_2", std::string(64, 'z')}) {
        EXPECT_TRUE(fragments_->Create(marketer_, {.name = good, .source = "x"})) << good;
    }
}

TEST_P(FragmentTest, ASourceThatDoesNotCompileGivesItsPosition) {
    auto f =
        fragments_->Create(marketer_, {.name = "footer", .source = "<p>ok</p>\n<p>{% if x %}</p>"});
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Detail(f.error(), "field"), "source");
    EXPECT_EQ(Detail(f.error(), "line"), "2");
    EXPECT_NE(Detail(f.error(), "column"), "");
    EXPECT_TRUE(f.error().message.starts_with("line 2, column ")) << f.error().message;

    auto ok = Make("header", "<h1>{{ profile.firstName }}</h1>");
    auto broken = fragments_->Update(marketer_, ok.id, {.source = "{{ profile.firstName "});
    ASSERT_FALSE(broken);
    EXPECT_EQ(Detail(broken.error(), "field"), "source");
    EXPECT_EQ(Detail(broken.error(), "line"), "1");
    EXPECT_EQ(fragments_->Get(analyst_, ok.id)->source, "<h1>{{ profile.firstName }}</h1>");
}

TEST_P(FragmentTest, IncludingAMissingFragmentNamesIt) {
    auto f = fragments_->Create(
        marketer_, {.name = "footer", .source = "<p>a</p>\n  {% include \"legal\" %}"});
    ASSERT_FALSE(f);
    EXPECT_EQ(Detail(f.error(), "field"), "source");
    EXPECT_EQ(Detail(f.error(), "line"), "2");
    EXPECT_NE(f.error().message.find("\"legal\""), std::string::npos) << f.error().message;

    // Through another fragment: the include of that one, and the missing name.
    Make("legal", "<small>legal</small>");
    auto footer = Make("footer", "<p>a</p>\n  {% include \"legal\" %}");
    auto legal = fragments_->List(analyst_, {.search = "legal"})->items.at(0);
    auto deep = fragments_->Update(marketer_, legal.id, {.source = "{% include \"address\" %}"});
    ASSERT_FALSE(deep);
    EXPECT_EQ(Detail(deep.error(), "fragment"), "address");
    auto page = fragments_->Create(marketer_,
                                   {.name = "page", .source = "x\ny {% include \"footer\" %}\nz"});
    ASSERT_TRUE(page) << "footer and legal are fine";

    // A fragment included by another cannot be deleted.
    auto gone = fragments_->Delete(marketer_, legal.id);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(gone.error().message.find("\"footer\""), std::string::npos) << gone.error().message;
    (void)footer;
}

TEST_P(FragmentTest, IncludeCyclesAreRefused) {
    auto self = fragments_->Create(marketer_, {.name = "loop", .source = "{% include \"loop\" %}"});
    ASSERT_FALSE(self);
    EXPECT_EQ(Detail(self.error(), "field"), "source");
    EXPECT_EQ(Detail(self.error(), "line"), "1");
    EXPECT_EQ(Detail(self.error(), "column"), "12");
    EXPECT_NE(self.error().message.find("includes itself"), std::string::npos)
        << self.error().message;

    auto b = fragments_->Create(marketer_, {.name = "b", .source = "B"});
    ASSERT_TRUE(b);
    Make("a", "A {% include \"b\" %}");
    // b -> a -> b
    auto cycle = fragments_->Update(marketer_, b->id, {.source = "B\n\n{% include \"a\" %}"});
    ASSERT_FALSE(cycle);
    EXPECT_EQ(cycle.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Detail(cycle.error(), "field"), "source");
    EXPECT_EQ(Detail(cycle.error(), "line"), "3");
    EXPECT_NE(cycle.error().message.find("b -> a -> b"), std::string::npos)
        << cycle.error().message;
}

TEST_P(FragmentTest, ReadingAndWritingNeedTheirPermissions) {
    auto denied = fragments_->Create(analyst_, {.name = "footer", .source = "x"});
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
    auto f = Make("footer", "x");
    EXPECT_EQ(fragments_->Update(analyst_, f.id, {.label = "y"}).error().code,
              ErrorCode::kPermissionDenied);
    EXPECT_EQ(fragments_->Delete(analyst_, f.id).error().code, ErrorCode::kPermissionDenied);
    EXPECT_TRUE(fragments_->Get(analyst_, f.id));
    // A read-only API key of a marketer reads but does not write.
    Actor key = marketer_;
    key.api_key_id = ApiKeyId(1);
    key.scopes = {Scope::kRead};
    EXPECT_TRUE(fragments_->List(key, {}));
    EXPECT_EQ(fragments_->Update(key, f.id, {.label = "y"}).error().code,
              ErrorCode::kPermissionDenied);
}

TEST_P(FragmentTest, PreviewsRenderTheStoredFragment) {
    Make("footer", "<p>Bye {{ profile.firstName }}</p>");
    TemplateParts parts;
    parts.html = "<p>Hi</p>{% include \"footer\" %}";
    parts.text = "Hi";
    PreviewData data;
    data.context = json::object{{"profile", {{"firstName", "Zoé & co"}}}};
    auto out = templates_->Render(marketer_, parts, data);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out->html, "<p>Hi</p><p>Bye Zoé &amp; co</p>");

    auto valid = templates_->Validate(marketer_, parts);
    ASSERT_TRUE(valid);
    EXPECT_TRUE(valid->errors.empty());
    EXPECT_EQ(valid->fields, std::vector<std::string>{"firstName"});

    parts.html = "{% include \"nope\" %}";
    auto missing = templates_->Render(marketer_, parts, data);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("\"nope\""), std::string::npos);
}

OVERTURE_INSTANTIATE_BACKENDS(FragmentTest);

}  // namespace
}  // namespace overture::service
