// ReportService on SQLite and PostgreSQL: what it adds to reporting/ (whose numbers
// reporting/reports_test.cpp checks): the permission check, not-found cases, the exclusions of
// the preparation, the CSV files by name, the default range and limits of the cross-delivery
// report, the hot-clicks rendering and the paging of a profile's tracking history.
#include "service/reports.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "reporting/testing/report_seed.hpp"
#include "service/audiences.hpp"
#include "service/audit.hpp"
#include "service/exports.hpp"
#include "service/schema_service.hpp"
#include "service/templates.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;
using namespace ::overture::reporting::testing;  // the seed

class ReportServiceTest : public storage::testing::BackendTest {
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
        deliveries_ = std::make_unique<DeliveryService>(db(), clock_, *audit_, *schema_, *records_,
                                                        *audiences_, *templates_);
        fragments_ = std::make_unique<FragmentService>(db(), clock_, *audit_);
        reports_ =
            std::make_unique<ReportService>(db(), clock_, *deliveries_, *records_, *fragments_);
        analyst_.username = "ann";
        analyst_.role = Role::kAnalyst;
        keyless_.username = "bot";
        keyless_.role = Role::kAdministrator;
        keyless_.api_key_id = ApiKeyId(7);  // an API key without any scope
    }

    void Seed() {
        auto st = SeedReportDelivery(db());
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
        st = SeedOtherDeliveries(db());
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
    }

    std::int64_t MakeProfile(const std::string& email) {
        auto p = records_->Create(Actor::System(), "profile", json::object{{"email", email}});
        EXPECT_TRUE(p) << p.error().message;
        return p ? p->at("id").as_int64() : 0;
    }

    // 30 days after the seed's deliveries.
    FakeClock clock_{FromUnixMillis(kDay + 30 * 24 * kHour)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::unique_ptr<ExportService> exports_;
    std::unique_ptr<AudienceService> audiences_;
    std::unique_ptr<TemplateService> templates_;
    std::unique_ptr<DeliveryService> deliveries_;
    std::unique_ptr<FragmentService> fragments_;
    std::unique_ptr<ReportService> reports_;
    Actor analyst_, keyless_;
};

TEST_P(ReportServiceTest, ReportWithExclusions) {
    Seed();
    auto r = reports_->DeliveryReport(analyst_, kDelivery);
    ASSERT_TRUE(r) << r.error().message << " " << r.error().detail;
    EXPECT_EQ(r->summary.counts.targeted, 13);
    EXPECT_EQ(r->rates.open_rate, 0.5714);
    EXPECT_EQ(r->generated_at, clock_.Now());
    ASSERT_EQ(r->exclusions.size(), 2u);  // in the order the preparation applied them
    EXPECT_EQ(r->exclusions[0].cause, "address_missing");
    EXPECT_EQ(r->exclusions[0].count, 1);
    EXPECT_EQ(r->exclusions[1].cause, "duplicate_address");
    EXPECT_EQ(r->exclusions[1].count, 1);
    auto j = reporting::ReportJson(*r);
    EXPECT_EQ(j.at("exclusions").at(1).at("cause").as_string(), "duplicate_address");

    auto csv = reports_->DeliveryReportCsv(analyst_, kDelivery, "exclusions");
    ASSERT_TRUE(csv) << csv.error().message;
    EXPECT_EQ(*csv, "cause,count\r\naddress_missing,1\r\nduplicate_address,1\r\n");
    csv = reports_->DeliveryReportCsv(analyst_, kDelivery, "summary");
    ASSERT_TRUE(csv);
    EXPECT_TRUE(csv->starts_with("deliveryId,label,state,startedAt,finishedAt,generatedAt,"));
    EXPECT_NE(csv->find("\r\n1000,Spring sale,finished,"), std::string::npos) << *csv;

    auto empty = reports_->DeliveryReport(analyst_, kEmpty);  // never prepared
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_TRUE(empty->exclusions.empty());
    csv = reports_->DeliveryReportCsv(analyst_, kEmpty, "exclusions");
    ASSERT_TRUE(csv);
    EXPECT_EQ(*csv, "cause,count\r\n");
}

TEST_P(ReportServiceTest, PermissionsAndNotFound) {
    Seed();
    const std::int64_t profile = MakeProfile("p@example.com");
    auto denied = [](const auto& r) {
        return !r && r.error().code == ErrorCode::kPermissionDenied;
    };
    EXPECT_TRUE(denied(reports_->DeliveryReport(keyless_, kDelivery)));
    EXPECT_TRUE(denied(reports_->DeliveryReportCsv(keyless_, kDelivery, "summary")));
    EXPECT_TRUE(denied(reports_->HotClicksView(keyless_, kDelivery)));
    EXPECT_TRUE(denied(reports_->Deliveries(keyless_, {})));
    EXPECT_TRUE(denied(reports_->DeliveriesCsv(keyless_, {})));
    EXPECT_TRUE(denied(reports_->ProfileTracking(keyless_, profile, {})));
    Actor reader = keyless_;
    reader.scopes = {Scope::kRead};
    EXPECT_TRUE(reports_->DeliveryReport(reader, kDelivery));

    auto not_found = [](const auto& r) { return !r && r.error().code == ErrorCode::kNotFound; };
    EXPECT_TRUE(not_found(reports_->DeliveryReport(analyst_, 999)));
    EXPECT_TRUE(not_found(reports_->DeliveryReportCsv(analyst_, 999, "summary")));
    EXPECT_TRUE(not_found(reports_->DeliveryReportCsv(analyst_, kDelivery, "secrets")));
    EXPECT_TRUE(not_found(reports_->HotClicksView(analyst_, 999)));
    EXPECT_TRUE(not_found(reports_->ProfileTracking(analyst_, profile + 100, {})));
}

TEST_P(ReportServiceTest, AcrossDeliveriesRangeAndLimit) {
    Seed();
    DeliveryRange range;
    range.from = FromUnixMillis(kDay - 24 * kHour);
    range.to = FromUnixMillis(kDay + 10 * 24 * kHour);
    auto list = reports_->Deliveries(analyst_, range);
    ASSERT_TRUE(list) << list.error().message << " " << list.error().detail;
    ASSERT_EQ(list->items.size(), 2u);
    EXPECT_EQ(list->items[0].delivery_id, kEmpty);
    EXPECT_EQ(list->totals.targeted, 13);
    EXPECT_EQ(list->totals.unique_opens, 4);

    auto csv = reports_->DeliveriesCsv(analyst_, range);
    ASSERT_TRUE(csv) << csv.error().message;
    EXPECT_TRUE(csv->starts_with("deliveryId,label,state,startedAt,targeted,")) << *csv;
    EXPECT_TRUE(
        csv->ends_with("\r\n,Total,,,13,2,10,8,7,2,1,0,6,4,2,4,2,1,3,1,0.7000,0.3000,"
                       "0.2000,0.1000,0.5714,0.2857,0.5000,0.1429,0.1429\r\n"))
        << *csv;

    range.limit = 1;
    list = reports_->Deliveries(analyst_, range);
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->totals.targeted, 0);  // the totals of what is listed

    // By default the 90 days before now: the delivery of 75 days ago is in.
    list = reports_->Deliveries(analyst_, {});
    ASSERT_TRUE(list);
    EXPECT_EQ(list->items.size(), 3u);
    EXPECT_EQ(list->totals.delivered, 11);
    // Only `to`: the 90 days before it.
    list = reports_->Deliveries(analyst_, {.to = FromUnixMillis(kDay)});
    ASSERT_TRUE(list);
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_EQ(list->items[0].delivery_id, kOld);

    auto invalid = [](const auto& r) {
        return !r && r.error().code == ErrorCode::kInvalidArgument;
    };
    EXPECT_TRUE(invalid(reports_->Deliveries(analyst_, {.limit = 0})));
    EXPECT_TRUE(invalid(reports_->Deliveries(analyst_, {.limit = kMaxPageSize + 1})));
    EXPECT_TRUE(invalid(reports_->DeliveriesCsv(analyst_, {.limit = 0})));
    EXPECT_TRUE(invalid(reports_->Deliveries(analyst_, {.from = range.to, .to = range.from})));
}

TEST_P(ReportServiceTest, HotClicksRendersForTheFirstTestProfile) {
    auto tp = records_->Create(
        Actor::System(), "testProfile",
        json::object{{"label", "Tess"}, {"email", "tess@example.com"}, {"firstName", "Tess"}});
    ASSERT_TRUE(tp) << tp.error().message;
    const std::string html =
        "<p>Hello {{ profile.firstName }}</p>"
        "<a href=\"https://shop.example/?a=1&amp;b=2\">Shop</a> "
        "<a href=\"https://x.example/u/{{ profile.firstName }}\">You</a> "
        "<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a> "
        "<a href=\"mailto:help@shop.example\">Mail</a>";
    const std::string content = json::serialize(
        json::object{{"from", json::object{{"name", "Shop"}, {"address", "news@shop.example"}}},
                     {"subject", "Hi"},
                     {"html", html}});
    const std::string settings =
        json::serialize(json::object{{"testProfileIds", json::array{tp->at("id").as_int64()}}});
    ASSERT_TRUE(InsertDelivery(
        db(), {.id = kDelivery, .label = "Hot", .content = content, .settings = settings}));
    ASSERT_TRUE(
        InsertDelivery(db(), {.id = kEmpty, .label = "No test profile", .content = content}));
    ASSERT_TRUE(InsertDelivery(db(), {.id = kOld,
                                      .label = "Text only",
                                      .content = R"({"from":{"name":"","address":"a@b.example"},)"
                                                 R"("subject":"Hi","text":"Hello"})"}));
    ASSERT_TRUE(ExecSql(
        db(), fmt::format("INSERT INTO tracking_links (delivery_id, link_id, url, label, category) "
                          "VALUES ({0}, 0, 'https://shop.example/?a=1&b=2', 'Shop', 'link'), "
                          "({0}, 1, '', 'You', 'link');"
                          "INSERT INTO delivery_link_stats (delivery_id, link_id, hour, clicks, "
                          "unique_clicks) VALUES ({0}, 1, {1}, 4, 3);",
                          kDelivery, kDay)));

    auto view = reports_->HotClicksView(analyst_, kDelivery);
    ASSERT_TRUE(view) << view.error().message << " " << view.error().detail;
    EXPECT_NE(view->html.find("Hello Tess"), std::string::npos) << view->html;
    EXPECT_NE(view->html.find("href=\"#ov-link-0\""), std::string::npos) << view->html;
    EXPECT_NE(view->html.find("href=\"#ov-link-1\""), std::string::npos) << view->html;
    EXPECT_NE(view->html.find("href=\"#\""), std::string::npos) << view->html;  // unsubscribe
    EXPECT_NE(view->html.find("href=\"mailto:help@shop.example\""), std::string::npos);
    EXPECT_EQ(view->html.find("https://"), std::string::npos) << view->html;
    ASSERT_EQ(view->links.size(), 2u);
    EXPECT_EQ(view->links[1].clicks, 4);
    EXPECT_EQ(view->links[1].share, 1.0);
    EXPECT_EQ(view->links[0].share, 0.0);

    auto plain = reports_->HotClicksView(analyst_, kEmpty);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_NE(plain->html.find("<p>Hello </p>"), std::string::npos) << plain->html;
    EXPECT_NE(plain->html.find("href=\"#ov-link-1\""), std::string::npos) << plain->html;
    EXPECT_TRUE(plain->links.empty());

    auto text = reports_->HotClicksView(analyst_, kOld);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(ReportServiceTest, ProfileTrackingNewestFirstInPages) {
    Seed();
    const std::int64_t p = MakeProfile("p@example.com");
    const std::int64_t someone = MakeProfile("q@example.com");
    std::string sql;
    const std::string insert =
        "INSERT INTO tracking_events (delivery_id, profile_id, kind, link_id, machine, at, "
        "device, client) VALUES ";
    const std::int64_t t = kDay + 10 * kHour;
    sql += fmt::format("{}({}, {}, 'open', NULL, TRUE, {}, 'proxy', 'Apple Mail');", insert,
                       kDelivery, p, t);
    sql += fmt::format("{}({}, {}, 'click', 0, FALSE, {}, 'desktop', 'Gmail');", insert, kDelivery,
                       p, t + 1000);
    sql += fmt::format("{}({}, {}, 'open', NULL, FALSE, {}, 'desktop', 'Gmail');", insert,
                       kDelivery, someone, t + 1500);
    sql += fmt::format("{}({}, {}, 'click', 1, FALSE, {}, 'mobile', 'Safari');", insert, kDelivery,
                       p, t + 2000);
    sql += fmt::format("{}({}, {}, 'unsubscribe', NULL, FALSE, {}, 'mobile', 'Safari');", insert,
                       kDelivery, p, t + 3000);
    ASSERT_TRUE(ExecSql(db(), sql));

    auto first = reports_->ProfileTracking(analyst_, p, {.limit = 3});
    ASSERT_TRUE(first) << first.error().message << " " << first.error().detail;
    ASSERT_EQ(first->items.size(), 3u);
    ASSERT_TRUE(first->next);
    EXPECT_EQ(first->items[0].kind, "unsubscribe");
    EXPECT_EQ(first->items[0].delivery_label, "Spring sale");
    EXPECT_EQ(first->items[1].kind, "click");
    EXPECT_EQ(first->items[1].link_id, 1);
    EXPECT_EQ(first->items[2].kind, "click");
    EXPECT_EQ(first->items[2].url, "https://shop.example/?a=1&b=2");
    EXPECT_EQ(first->items[2].link_label, "Shop now");

    auto second = reports_->ProfileTracking(analyst_, p, {.limit = 3, .cursor = *first->next});
    ASSERT_TRUE(second) << second.error().message;
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_FALSE(second->next);
    EXPECT_EQ(second->items[0].kind, "open");
    EXPECT_TRUE(second->items[0].machine);

    // Exactly one page: no next cursor.
    auto whole = reports_->ProfileTracking(analyst_, p, {.limit = 4});
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->items.size(), 4u);
    EXPECT_FALSE(whole->next);

    auto bad = reports_->ProfileTracking(analyst_, p, {.limit = 0});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    bad = reports_->ProfileTracking(analyst_, p, {.limit = 10, .cursor = "nope"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

OVERTURE_INSTANTIATE_BACKENDS(ReportServiceTest);

}  // namespace
}  // namespace overture::service
