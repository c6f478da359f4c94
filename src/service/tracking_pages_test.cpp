// The unsubscribe and mirror pages' logic on SQLite and PostgreSQL: unsubscribing from all
// emails or from chosen services (with history origin, audit and exactly one event), a second
// unsubscribe that changes nothing, tokens that only ever reach their own profile, the mirror
// page rendered as the recipient got it (escaped, tracked links, no open pixel) and proofs.
#include "service/tracking_pages.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "delivery/sender.hpp"
#include "service/audiences.hpp"
#include "service/exports.hpp"
#include "service/templates.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;
using tracking::TokenKind;

constexpr std::string_view kPublicUrl = "https://t.example";

class TrackingPagesTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        schema_ = std::make_unique<SchemaService>(db(), clock_, *audit_);
        ASSERT_TRUE(schema_->Load());
        records_ = std::make_unique<RecordService>(db(), clock_, *schema_);
        subscriptions_ = std::make_unique<SubscriptionService>(db(), clock_, *records_);
        exports_ = std::make_unique<ExportService>(*records_, *schema_);
        audiences_ = std::make_unique<AudienceService>(db(), clock_, *audit_, *schema_, *records_,
                                                       *exports_);
        templates_ = std::make_unique<TemplateService>(*records_, *schema_);
        fragments_ = std::make_unique<FragmentService>(db(), clock_, *audit_);
        deliveries_ = std::make_unique<DeliveryService>(db(), clock_, *audit_, *schema_, *records_,
                                                        *audiences_, *templates_);
        auto secrets = SecretBox::FromKey(std::string(SecretBox::kKeyBytes, 'x'));
        ASSERT_TRUE(secrets);
        secrets_ = std::make_unique<SecretBox>(std::move(*secrets));
        keys_ = std::make_unique<tracking::KeyStore>(db(), clock_, *secrets_);
        ASSERT_TRUE(keys_->Load());
        links_ = std::make_unique<tracking::LinkRegistry>(db());
        ingestor_ = std::make_unique<tracking::Ingestor>(db(), clock_);
        pages_ = std::make_unique<TrackingPages>(
            db(), clock_, *audit_, *schema_, *records_, *subscriptions_, *deliveries_,
            fragments_.get(), *keys_, *links_, *ingestor_, std::string(kPublicUrl) + "/");
        delivery_ = MakeDelivery();
    }

    std::int64_t MakeProfile(std::string email, std::string first_name = "Jane") {
        auto p = records_->Create(Actor::System(), "profile",
                                  json::object{{"email", email}, {"firstName", first_name}});
        EXPECT_TRUE(p) << p.error().message;
        return p ? p->at("id").as_int64() : 0;
    }

    std::int64_t MakeService(std::string name, std::string channel = "email") {
        auto s = records_->Create(
            Actor::System(), "service",
            json::object{{"name", name}, {"label", name + " label"}, {"channel", channel}});
        EXPECT_TRUE(s) << s.error().message;
        return s ? s->at("id").as_int64() : 0;
    }

    // A delivery whose HTML has a static link, a personalized link and the special URLs, and
    // whose links are registered as the sender does when sending starts.
    std::int64_t MakeDelivery() {
        NewDelivery in;
        in.label = "Winter sale";
        in.content =
            json::object{{"from", {{"name", "Shop & Co"}, {"address", "news@shop.example"}}},
                         {"subject", "Hello {{ profile.firstName }}"},
                         {"html",
                          "<html><body><p>Hi {{ profile.firstName }}</p>"
                          "<a href=\"https://shop.example/sale\">Sale</a> "
                          "<a href=\"https://shop.example/p?id={{ profile.id }}\">Yours</a> "
                          "<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a> "
                          "<a href=\"{{ mirror_url }}\">Online</a></body></html>"},
                         {"text", "Hi"}};
        in.audience = json::object{{"kind", "query"}, {"expression", "country=\"FR\""}};
        auto d = deliveries_->Create(Actor::System(), in);
        EXPECT_TRUE(d) << d.error().message;
        if (!d) return 0;
        auto content = delivery::ParseContent(d->content);
        EXPECT_TRUE(content);
        auto compiled = delivery::CompileContent(*content, false);
        EXPECT_TRUE(compiled) << compiled.error().message;
        auto stored = links_->Register(d->id.value(), compiled->html->links());
        EXPECT_TRUE(stored) << stored.error().message;
        return d->id.value();
    }

    std::string Token(TokenKind kind, std::int64_t profile) {
        return keys_->Current()->Sign(kind, delivery_, profile);
    }

    json::object Profile(std::int64_t id) {
        auto p = records_->Get(Actor::System(), "profile", id);
        EXPECT_TRUE(p) << p.error().message;
        return p.value_or(json::object{});
    }

    bool Blocked(std::int64_t id) {
        auto p = Profile(id);
        const auto* b = p.if_contains("blockEmail");
        return b && b->is_bool() && b->get_bool();
    }

    std::int64_t CountSql(const std::string& sql) {
        auto rows =
            storage::WithRead(db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, {}); });
        EXPECT_TRUE(rows) << rows.error().message;
        return rows && !rows->rows.empty() ? storage::AsInt(rows->rows[0][0]) : -1;
    }

    std::int64_t Events(std::string_view kind) {
        EXPECT_TRUE(ingestor_->Flush());
        return CountSql(
            fmt::format("SELECT COUNT(*) FROM tracking_events WHERE kind = '{}'", kind));
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<SubscriptionService> subscriptions_;
    std::unique_ptr<ExportService> exports_;
    std::unique_ptr<AudienceService> audiences_;
    std::unique_ptr<TemplateService> templates_;
    std::unique_ptr<FragmentService> fragments_;
    std::unique_ptr<DeliveryService> deliveries_;
    std::unique_ptr<SecretBox> secrets_;
    std::unique_ptr<tracking::KeyStore> keys_;
    std::unique_ptr<tracking::LinkRegistry> links_;
    std::unique_ptr<tracking::Ingestor> ingestor_;
    std::unique_ptr<TrackingPages> pages_;
    std::int64_t delivery_ = 0;
};

TEST(MaskAddressTest, KeepsTheFirstCharacterAndTheDomain) {
    EXPECT_EQ(MaskAddress("jane@example.com"), "j***@example.com");
    EXPECT_EQ(MaskAddress("j@example.com"), "j***@example.com");
    EXPECT_EQ(MaskAddress("\xc3\xa9lise@example.com"), "\xc3\xa9***@example.com");
    EXPECT_EQ(MaskAddress(""), "");
    EXPECT_EQ(MaskAddress("nodomain"), "***");
}

TEST_P(TrackingPagesTest, UnsubscribeAllSetsBlockEmailOnce) {
    const auto jane = MakeProfile("jane@example.com");
    const auto token = Token(TokenKind::kUnsubscribe, jane);

    auto view = pages_->ViewUnsubscribe(token);
    ASSERT_TRUE(view) << view.error().message;
    EXPECT_FALSE(view->proof);
    EXPECT_FALSE(view->already);
    EXPECT_EQ(view->masked_address, "j***@example.com");
    EXPECT_EQ(view->sender, "Shop & Co");
    EXPECT_EQ(view->profile_id, jane);

    auto out = pages_->Unsubscribe(token, {.all = true, .user_agent = "Mozilla/5.0 Firefox/120"});
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_TRUE(out->blocked_email);
    EXPECT_FALSE(out->already);
    EXPECT_TRUE(Blocked(jane));
    EXPECT_EQ(Profile(jane).at("modifiedBy").as_string(), "unsubscribe link");
    EXPECT_EQ(Events("unsubscribe"), 1);
    EXPECT_EQ(CountSql("SELECT COUNT(*) FROM audit_log WHERE action = 'profile.unsubscribe'"), 1);

    // A second click (or the one-click POST after the form): "already", nothing written.
    auto again = pages_->Unsubscribe(token, {.all = true});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again->already);
    EXPECT_FALSE(again->blocked_email);
    EXPECT_EQ(Events("unsubscribe"), 1);
    auto seen = pages_->ViewUnsubscribe(token);
    ASSERT_TRUE(seen);
    EXPECT_TRUE(seen->already);
}

TEST_P(TrackingPagesTest, ServiceUnsubscribeLeavesOnlyTheChosenServices) {
    const auto jane = MakeProfile("jane@example.com");
    const auto news = MakeService("news");
    const auto promo = MakeService("promo");
    const auto alerts = MakeService("alerts", "sms");
    for (auto s : {news, promo, alerts}) {
        ASSERT_TRUE(subscriptions_->Subscribe(Actor::System(), s, jane, "api"));
    }
    const auto token = Token(TokenKind::kUnsubscribe, jane);
    auto view = pages_->ViewUnsubscribe(token);
    ASSERT_TRUE(view) << view.error().message;
    ASSERT_EQ(view->services.size(), 2u);  // email services only
    EXPECT_EQ(view->services[0].name, "news");
    EXPECT_EQ(view->services[0].label, "news label");
    EXPECT_EQ(view->services[1].name, "promo");

    UnsubscribeChoice choice{.all = false, .services = {"news", "unknown"}};
    auto out = pages_->Unsubscribe(token, choice);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_FALSE(out->already);
    EXPECT_FALSE(out->blocked_email);
    ASSERT_EQ(out->left.size(), 1u);
    EXPECT_EQ(out->left[0].name, "news");
    EXPECT_FALSE(Blocked(jane));
    EXPECT_EQ(
        CountSql(fmt::format("SELECT COUNT(*) FROM subscriptions WHERE profile_id = {}", jane)), 2);
    EXPECT_EQ(
        CountSql(fmt::format("SELECT COUNT(*) FROM subscriptions WHERE service_id = {}", news)), 0);
    EXPECT_EQ(CountSql(fmt::format(
                  "SELECT COUNT(*) FROM subscription_history WHERE action = 'unsubscribe' AND "
                  "origin = 'unsubscribe link' AND service_id = {} AND profile_id = {}",
                  news, jane)),
              1);
    EXPECT_EQ(Events("unsubscribe"), 1);

    // A second submit leaves nothing: "unchanged", not "already unsubscribed" (blockEmail is
    // still false: the page must not say this person gets no more emails).
    auto again = pages_->Unsubscribe(token, choice);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again->unchanged);
    EXPECT_FALSE(again->already);
    EXPECT_EQ(Events("unsubscribe"), 1);
    auto seen = pages_->ViewUnsubscribe(token);
    ASSERT_TRUE(seen);
    ASSERT_EQ(seen->services.size(), 1u);
    EXPECT_EQ(seen->services[0].name, "promo");
}

TEST_P(TrackingPagesTest, ATokenForOneProfileNeverChangesAnother) {
    const auto a = MakeProfile("anna@example.com");
    const auto b = MakeProfile("bob@example.com");
    const auto token = Token(TokenKind::kUnsubscribe, a);

    // The same token with B's id in it: the MAC no longer matches.
    std::string edited = token;
    const auto first = edited.find('.');
    const auto second = edited.find('.', first + 1);
    const auto third = edited.find('.', second + 1);
    edited.replace(second + 1, third - second - 1, std::to_string(b));
    auto forged = pages_->Unsubscribe(edited, {.all = true});
    ASSERT_FALSE(forged);
    EXPECT_EQ(forged.error().code, ErrorCode::kPermissionDenied);
    // Another kind of token for A (a mirror token) does not unsubscribe either.
    auto wrong_kind = pages_->Unsubscribe(Token(TokenKind::kMirror, a), {.all = true});
    ASSERT_FALSE(wrong_kind);
    auto garbage = pages_->ViewUnsubscribe("not-a-token");
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(Blocked(a));
    EXPECT_FALSE(Blocked(b));

    ASSERT_TRUE(pages_->Unsubscribe(token, {.all = true}));
    EXPECT_TRUE(Blocked(a));
    EXPECT_FALSE(Blocked(b));
    EXPECT_EQ(Events("unsubscribe"), 1);
}

TEST_P(TrackingPagesTest, ProofTokensChangeNothing) {
    const auto jane = MakeProfile("jane@example.com");
    auto view = pages_->ViewUnsubscribe(TrackingPages::kProofToken);
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->proof);
    auto out = pages_->Unsubscribe(TrackingPages::kProofToken, {.all = true});
    ASSERT_TRUE(out);
    EXPECT_TRUE(out->proof);
    EXPECT_FALSE(out->blocked_email);
    EXPECT_FALSE(Blocked(jane));
    EXPECT_EQ(Events("unsubscribe"), 0);
    EXPECT_FALSE(pages_->Mirror(TrackingPages::kProofToken, "", ""));
}

TEST_P(TrackingPagesTest, MirrorRendersTheMessageEscapedWithTrackedLinks) {
    const auto jane = MakeProfile("jane@example.com", "<script>alert(1)</script>");
    auto html = pages_->Mirror(Token(TokenKind::kMirror, jane), "Mozilla/5.0", "127.0.0.1");
    ASSERT_TRUE(html) << html.error().message;
    EXPECT_EQ(html->find("<script>"), std::string::npos) << *html;
    EXPECT_NE(html->find("&lt;script&gt;"), std::string::npos) << *html;
    const std::string base(kPublicUrl);
    EXPECT_NE(html->find(base + "/t/c/"), std::string::npos) << *html;
    EXPECT_NE(html->find(base + "/t/u/"), std::string::npos) << *html;
    EXPECT_NE(html->find(base + "/m/"), std::string::npos) << *html;
    EXPECT_EQ(html->find("/t/o/"), std::string::npos) << *html;  // no open pixel
    EXPECT_EQ(html->find("https://shop.example/sale"), std::string::npos) << *html;
    // The unsubscribe link in the page is the recipient's own and works.
    const std::string unsubscribe = base + "/t/u/";
    const auto at = html->find(unsubscribe) + unsubscribe.size();
    const std::string token = html->substr(at, html->find('"', at) - at);
    auto view = pages_->ViewUnsubscribe(token);
    ASSERT_TRUE(view) << view.error().message << " " << token;
    EXPECT_EQ(view->profile_id, jane);
    EXPECT_EQ(Events("mirror"), 1);

    // An unsubscribe token is no mirror token.
    EXPECT_FALSE(pages_->Mirror(Token(TokenKind::kUnsubscribe, jane), "", ""));
    EXPECT_EQ(Events("mirror"), 1);
}

TEST_P(TrackingPagesTest, MirrorOfADeletedProfileIsGone) {
    const auto jane = MakeProfile("jane@example.com");
    ASSERT_TRUE(records_->Delete(Actor::System(), "profile", jane));
    auto html = pages_->Mirror(Token(TokenKind::kMirror, jane), "", "");
    ASSERT_FALSE(html);
    EXPECT_EQ(html.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(html.error().message, "This message is no longer available");
    auto view = pages_->ViewUnsubscribe(Token(TokenKind::kUnsubscribe, jane));
    ASSERT_FALSE(view);
    EXPECT_EQ(view.error().code, ErrorCode::kNotFound);
}

TEST_P(TrackingPagesTest, ATokenOfARotatedKeyStillWorks) {
    const auto jane = MakeProfile("jane@example.com");
    const auto old_token = Token(TokenKind::kUnsubscribe, jane);
    // Another node rotates: this node learns the new key on its first miss.
    tracking::KeyStore other(db(), clock_, *secrets_);
    ASSERT_TRUE(other.Load());
    ASSERT_TRUE(other.Rotate());
    const auto new_token = other.Current()->Sign(TokenKind::kUnsubscribe, delivery_, jane);
    clock_.Advance(std::chrono::seconds(2));
    auto view = pages_->ViewUnsubscribe(new_token);
    ASSERT_TRUE(view) << view.error().message;
    auto old_view = pages_->ViewUnsubscribe(old_token);
    ASSERT_TRUE(old_view) << old_view.error().message;
}

OVERTURE_INSTANTIATE_BACKENDS(TrackingPagesTest);

}  // namespace
}  // namespace overture::service
