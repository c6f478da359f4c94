// The report statements and tables on SQLite and PostgreSQL: the roll-ups, the sending log and
// the uniques are seeded in SQL with known numbers (reporting/testing/report_seed.hpp), then
// every count, rate, breakdown, the cross-delivery list, a profile's tracking log and the CSV
// text (header, quoting, formula guard) are checked. The service around them (permissions,
// exclusions, hot clicks) is tested in service/reports_test.cpp.
#include "reporting/reports.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <map>

#include "reporting/testing/report_seed.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::reporting {
namespace {

using namespace ::overture::reporting::testing;  // the seed
using storage::Transaction;

class ReportTest : public storage::testing::BackendTest {
  protected:
    void Seed() {
        auto st = SeedReportDelivery(db());
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
        st = SeedOtherDeliveries(db());
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
    }

    DeliveryReport Report(std::int64_t id) {
        auto r = storage::WithRead(db(), [&](Transaction& tx) {
            return LoadReport(tx, id, FromUnixMillis(kDay + 30 * 24 * kHour));
        });
        EXPECT_TRUE(r) << r.error().message << " " << r.error().detail;
        EXPECT_TRUE(r && *r);
        return r && *r ? std::move(**r) : DeliveryReport{};
    }
};

TEST_P(ReportTest, CountsAndRates) {
    Seed();
    const DeliveryReport r = Report(kDelivery);
    EXPECT_EQ(r.summary.label, "Spring sale");
    EXPECT_EQ(r.summary.state, "finished");
    EXPECT_EQ(r.generated_at, FromUnixMillis(kDay + 30 * 24 * kHour));
    const Counts& c = r.summary.counts;
    EXPECT_EQ(c.targeted, 13);  // every row of the sending log, the pending one included
    EXPECT_EQ(c.excluded, 2);
    EXPECT_EQ(c.processed, 10);  // 7 sent + 3 failed: the asynchronous bounce counts once
    EXPECT_EQ(c.sent, 8);
    EXPECT_EQ(c.delivered, 7);
    EXPECT_EQ(c.hard_bounces, 2);
    EXPECT_EQ(c.soft_bounces, 1);
    EXPECT_EQ(c.ignored, 0);
    EXPECT_EQ(c.opens, 6);
    EXPECT_EQ(c.unique_opens, 4);
    EXPECT_EQ(c.machine_opens, 2);
    EXPECT_EQ(c.clicks, 4);
    EXPECT_EQ(c.unique_clicks, 2);
    EXPECT_EQ(c.unsubscribes, 1);
    EXPECT_EQ(c.mirror_views, 3);
    EXPECT_EQ(c.complaints, 1);

    const Rates& rates = r.rates;
    EXPECT_EQ(rates.delivered_rate, 0.7);
    EXPECT_EQ(rates.bounce_rate, 0.3);
    EXPECT_EQ(rates.hard_bounce_rate, 0.2);
    EXPECT_EQ(rates.soft_bounce_rate, 0.1);
    EXPECT_EQ(rates.open_rate, 0.5714);
    EXPECT_EQ(rates.click_through_rate, 0.2857);
    EXPECT_EQ(rates.reactivity, 0.5);
    EXPECT_EQ(rates.unsubscribe_rate, 0.1429);
    EXPECT_EQ(rates.complaint_rate, 0.1429);

    auto j = ReportJson(r);
    EXPECT_EQ(j.at("deliveryId").as_int64(), kDelivery);
    EXPECT_EQ(j.at("startedAt").as_string(), "2026-03-01T09:30:00.000Z");
    EXPECT_EQ(j.at("finishedAt").as_string(), "2026-03-01T12:00:00.000Z");
    EXPECT_EQ(j.at("generatedAt").as_string(), "2026-03-31T00:00:00.000Z");
    EXPECT_EQ(j.at("counts").at("uniqueOpens").as_int64(), 4);
    EXPECT_EQ(j.at("counts").as_object().size(), 16u);
    EXPECT_EQ(j.at("rates").at("openRate").as_double(), 0.5714);
    EXPECT_EQ(j.at("rates").as_object().size(), 9u);
    for (auto key : {"hourly", "domains", "devices", "links", "bounces", "exclusions"}) {
        EXPECT_TRUE(j.at(key).is_array()) << key;
    }
    EXPECT_EQ(j.at("links").at(1).at("url").as_string(), "(personalized)");
    EXPECT_EQ(j.at("links").at(0).at("share").as_double(), 0.75);
}

TEST_P(ReportTest, RatesAreNullWithoutADenominator) {
    Seed();
    const DeliveryReport r = Report(kEmpty);
    EXPECT_EQ(r.summary.counts.targeted, 0);
    for (const auto& rate :
         {r.rates.delivered_rate, r.rates.bounce_rate, r.rates.hard_bounce_rate,
          r.rates.soft_bounce_rate, r.rates.open_rate, r.rates.click_through_rate,
          r.rates.reactivity, r.rates.unsubscribe_rate, r.rates.complaint_rate}) {
        EXPECT_FALSE(rate.has_value());
    }
    EXPECT_TRUE(r.hourly.empty());
    EXPECT_TRUE(r.domains.empty());
    EXPECT_TRUE(r.links.empty());
    EXPECT_TRUE(r.devices.empty());
    EXPECT_TRUE(r.bounces.empty());
    auto j = ReportJson(r);
    EXPECT_TRUE(j.at("rates").at("openRate").is_null());
    EXPECT_TRUE(j.at("rates").at("deliveredRate").is_null());
    EXPECT_TRUE(j.at("finishedAt").is_null());

    // Opens without anything delivered: the open rate stays null, reactivity is not.
    Counts c;
    c.unique_opens = 2;
    c.unique_clicks = 1;
    auto rates = ComputeRates(c);
    EXPECT_FALSE(rates.open_rate);
    EXPECT_EQ(rates.reactivity, 0.5);
    EXPECT_EQ(Ratio(1, 3), 0.3333);
    EXPECT_EQ(Ratio(2, 3), 0.6667);
    EXPECT_EQ(Ratio(3, 3), 1.0);
    EXPECT_FALSE(Ratio(5, 0));

    auto none = storage::WithRead(db(), [](Transaction& tx) { return LoadSummary(tx, 999); });
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

TEST_P(ReportTest, HourlyInTimeOrderWithoutEmptyHours) {
    Seed();
    const DeliveryReport r = Report(kDelivery);
    ASSERT_EQ(r.hourly.size(), 2u);
    EXPECT_EQ(ToUnixMillis(r.hourly[0].hour), kDay + 10 * kHour);
    EXPECT_EQ(r.hourly[0].sent, 5);
    EXPECT_EQ(r.hourly[0].machine_opens, 2);
    EXPECT_EQ(r.hourly[0].unsubscribes, 1);
    EXPECT_EQ(ToUnixMillis(r.hourly[1].hour), kDay + 11 * kHour);
    EXPECT_EQ(r.hourly[1].soft_bounces, 1);
    EXPECT_EQ(r.hourly[1].mirror_views, 2);
    EXPECT_EQ(r.hourly[1].complaints, 1);
    EXPECT_EQ(ToCsv(*ReportTable(r, "hourly")),
              "hour,sent,hardBounces,softBounces,opens,uniqueOpens,machineOpens,clicks,"
              "uniqueClicks,unsubscribes,mirrorViews,complaints\r\n"
              "2026-03-01T10:00:00.000Z,5,1,0,4,3,2,3,2,1,1,0\r\n"
              "2026-03-01T11:00:00.000Z,3,1,1,2,1,0,1,0,0,2,1\r\n");
}

TEST_P(ReportTest, DomainsGroupTheSendingLog) {
    Seed();
    auto all = storage::WithRead(db(), [](Transaction& tx) { return LoadDomains(tx, kDelivery); });
    ASSERT_TRUE(all) << all.error().message << " " << all.error().detail;
    ASSERT_EQ(all->size(), 5u);
    // Most recipients first, then by name; upper-case domains fold into lower case.
    const auto& a = (*all)[0];
    EXPECT_EQ(a.domain, "a.example");
    EXPECT_EQ(a.targeted, 5);
    EXPECT_EQ(a.sent, 4);  // the asynchronous bounce was sent first
    EXPECT_EQ(a.delivered, 3);
    EXPECT_EQ(a.hard_bounces, 2);
    EXPECT_EQ(a.soft_bounces, 0);
    EXPECT_EQ(a.unique_opens, 2);
    EXPECT_EQ(a.unique_clicks, 1);
    const auto& b = (*all)[1];
    EXPECT_EQ(b.domain, "b.example");
    EXPECT_EQ(b.targeted, 3);
    EXPECT_EQ(b.soft_bounces, 1);
    EXPECT_EQ(b.unique_opens, 1);
    EXPECT_EQ(b.unique_clicks, 1);
    EXPECT_EQ((*all)[2].domain, "c.example");
    EXPECT_EQ((*all)[2].targeted, 2);
    EXPECT_EQ((*all)[3].domain, "d.example");
    EXPECT_EQ((*all)[3].targeted, 2);
    EXPECT_EQ((*all)[3].delivered, 1);
    EXPECT_EQ((*all)[4].domain, kNoDomain);
    EXPECT_EQ((*all)[4].targeted, 1);

    auto top =
        storage::WithRead(db(), [](Transaction& tx) { return LoadDomains(tx, kDelivery, 2); });
    ASSERT_TRUE(top) << top.error().message << " " << top.error().detail;
    ASSERT_EQ(top->size(), 3u);
    EXPECT_EQ((*top)[0].domain, "a.example");
    EXPECT_EQ((*top)[1].domain, "b.example");
    const DomainRow& other = (*top)[2];
    EXPECT_EQ(other.domain, kOtherDomain);
    EXPECT_EQ(other.targeted, 5);
    EXPECT_EQ(other.sent, 2);
    EXPECT_EQ(other.delivered, 2);
    EXPECT_EQ(other.hard_bounces, 0);
    EXPECT_EQ(other.unique_opens, 1);
    EXPECT_EQ(other.unique_clicks, 0);

    const DeliveryReport r = Report(kDelivery);
    EXPECT_EQ(ToCsv(*ReportTable(r, "domains")),
              "domain,targeted,sent,delivered,hardBounces,softBounces,uniqueOpens,uniqueClicks,"
              "openRate,clickThroughRate\r\n"
              "a.example,5,4,3,2,0,2,1,0.6667,0.3333\r\n"
              "b.example,3,2,2,0,1,1,1,0.5000,0.5000\r\n"
              "c.example,2,1,1,0,0,1,0,1.0000,0.0000\r\n"
              "d.example,2,1,1,0,0,0,0,0.0000,0.0000\r\n"
              "(none),1,0,0,0,0,0,0,,\r\n");
}

TEST_P(ReportTest, LinksDevicesAndBounces) {
    Seed();
    const DeliveryReport r = Report(kDelivery);
    ASSERT_EQ(r.links.size(), 3u);
    EXPECT_EQ(r.links[0].link_id, 0);
    EXPECT_EQ(r.links[0].url, "https://shop.example/?a=1&b=2");
    EXPECT_EQ(r.links[0].clicks, 3);
    EXPECT_EQ(r.links[0].unique_clicks, 2);
    EXPECT_EQ(r.links[0].share, 0.75);
    EXPECT_EQ(r.links[1].url, kPersonalizedUrl);
    EXPECT_EQ(r.links[1].share, 0.25);
    EXPECT_EQ(r.links[2].clicks, 0);  // never clicked, still listed
    EXPECT_EQ(r.links[2].share, 0.0);
    EXPECT_EQ(r.links[2].category, "footer");

    ASSERT_EQ(r.devices.size(), 3u);  // the busiest first
    EXPECT_EQ(r.devices[0].device, "desktop");
    EXPECT_EQ(r.devices[0].client, "Gmail");
    EXPECT_EQ(r.devices[0].opens, 3);
    EXPECT_EQ(r.devices[1].device, "mobile");
    EXPECT_EQ(r.devices[2].device, "proxy");
    EXPECT_EQ(r.devices[2].machine_opens, 2);

    ASSERT_EQ(r.bounces.size(), 2u);  // a reason with no count is left out
    EXPECT_EQ(r.bounces[0].failure_type, "hard");
    EXPECT_EQ(r.bounces[0].reason, "user_unknown");
    EXPECT_EQ(r.bounces[0].count, 2);
    EXPECT_EQ(r.bounces[1].failure_type, "soft");
    EXPECT_EQ(r.bounces[1].reason, "mailbox_full");
    EXPECT_EQ(r.bounces[1].count, 1);

    // Quoting and the formula guard on text from the message (a link's label).
    EXPECT_EQ(ToCsv(*ReportTable(r, "links")),
              "linkId,label,category,url,clicks,uniqueClicks,share\r\n"
              "0,Shop now,link,https://shop.example/?a=1&b=2,3,2,0.7500\r\n"
              "1,\"'=HYPERLINK(\"\"x\"\")\",link,(personalized),1,1,0.2500\r\n"
              "2,\"Never, ever\",footer,\"https://x.example/\"\"q\"\",y\",0,0,0.0000\r\n");
    EXPECT_EQ(ToCsv(*ReportTable(r, "devices")),
              "device,client,opens,machineOpens,clicks\r\n"
              "desktop,Gmail,3,0,2\r\nmobile,Apple Mail,1,0,2\r\nproxy,Apple Mail,0,2,0\r\n");
    EXPECT_EQ(ToCsv(*ReportTable(r, "bounces")),
              "failureType,reason,count\r\nhard,user_unknown,2\r\nsoft,mailbox_full,1\r\n");
    EXPECT_EQ(ToCsv(*ReportTable(r, "summary")),
              "deliveryId,label,state,startedAt,finishedAt,generatedAt,targeted,excluded,"
              "processed,sent,delivered,hardBounces,softBounces,ignored,opens,uniqueOpens,"
              "machineOpens,clicks,uniqueClicks,unsubscribes,mirrorViews,complaints,"
              "deliveredRate,bounceRate,hardBounceRate,softBounceRate,openRate,clickThroughRate,"
              "reactivity,unsubscribeRate,complaintRate\r\n"
              "1000,Spring sale,finished,2026-03-01T09:30:00.000Z,2026-03-01T12:00:00.000Z,"
              "2026-03-31T00:00:00.000Z,13,2,10,8,7,2,1,0,6,4,2,4,2,1,3,1,"
              "0.7000,0.3000,0.2000,0.1000,0.5714,0.2857,0.5000,0.1429,0.1429\r\n");
    EXPECT_FALSE(ReportTable(r, "secrets"));
}

// The tables' columns are the API's documented keys (docs/reports.md): the JSON rows and the
// CSV header both come from them, so a renamed or dropped column shows up here.
TEST_P(ReportTest, TablesHaveTheDocumentedColumns) {
    Seed();
    const DeliveryReport r = Report(kDelivery);
    const std::map<std::string, std::vector<std::string>> documented = {
        {"hourly",
         {"hour", "sent", "hardBounces", "softBounces", "opens", "uniqueOpens", "machineOpens",
          "clicks", "uniqueClicks", "unsubscribes", "mirrorViews", "complaints"}},
        {"domains",
         {"domain", "targeted", "sent", "delivered", "hardBounces", "softBounces", "uniqueOpens",
          "uniqueClicks", "openRate", "clickThroughRate"}},
        {"devices", {"device", "client", "opens", "machineOpens", "clicks"}},
        {"links", {"linkId", "label", "category", "url", "clicks", "uniqueClicks", "share"}},
        {"bounces", {"failureType", "reason", "count"}},
        {"exclusions", {"cause", "count"}},
    };
    auto j = ReportJson(r);
    for (const auto& [name, columns] : documented) {
        const Table t = *ReportTable(r, name);
        EXPECT_EQ(t.columns, columns) << name;
        const auto& rows = j.at(name).as_array();
        ASSERT_EQ(rows.size(), t.rows.size()) << name;
        for (const auto& row : rows) EXPECT_EQ(row.as_object().size(), columns.size()) << name;
    }
}

TEST_P(ReportTest, CsvQuotingAndInjectionGuard) {
    Table t;
    t.columns = {"text", "n", "rate"};
    t.rows.push_back({std::string("=1+2"), std::int64_t{-3}, 0.5});
    t.rows.push_back({std::string("+x"), std::int64_t{0}, Cell()});
    t.rows.push_back({std::string("-y"), Cell(), 1.0});
    t.rows.push_back({std::string("@SUM(A1)"), std::int64_t{1}, 0.12345});
    t.rows.push_back({std::string("\tTab"), std::int64_t{1}, 0.0});
    t.rows.push_back({std::string("a \"b\", c\nd"), std::int64_t{1}, 0.0});
    t.rows.push_back({std::string("plain - text"), std::int64_t{1}, 0.0});
    t.rows.push_back({std::string(), std::int64_t{1}, 0.0});
    EXPECT_EQ(ToCsv(t),
              "text,n,rate\r\n"
              "'=1+2,-3,0.5000\r\n"  // numbers are not text: -3 stays a number
              "'+x,0,\r\n"
              "'-y,,1.0000\r\n"
              "'@SUM(A1),1,0.1235\r\n"
              "'\tTab,1,0.0000\r\n"
              "\"a \"\"b\"\", c\nd\",1,0.0000\r\n"
              "plain - text,1,0.0000\r\n"
              ",1,0.0000\r\n");
    auto j = TableJson(t);
    EXPECT_EQ(j.at(0).at("text").as_string(), "=1+2");  // JSON is not a spreadsheet
    EXPECT_TRUE(j.at(1).at("rate").is_null());
    EXPECT_EQ(j.at(0).at("n").as_int64(), -3);
}

TEST_P(ReportTest, AcrossDeliveries) {
    Seed();
    auto list = storage::WithRead(db(), [](Transaction& tx) {
        return LoadDeliveries(tx, FromUnixMillis(kDay - 24 * kHour),
                              FromUnixMillis(kDay + 10 * 24 * kHour), 100);
    });
    ASSERT_TRUE(list) << list.error().message << " " << list.error().detail;
    ASSERT_EQ(list->size(), 2u);                // not the old one, not the template
    EXPECT_EQ((*list)[0].delivery_id, kEmpty);  // newest first
    EXPECT_EQ((*list)[1].delivery_id, kDelivery);
    EXPECT_EQ((*list)[1].counts.unique_opens, 4);
    const Counts totals = SumCounts(*list);
    EXPECT_EQ(totals.targeted, 13);
    EXPECT_EQ(ComputeRates(totals).open_rate, 0.5714);

    EXPECT_EQ(ToCsv(DeliveryListTable(*list, /*total_row=*/true)),
              "deliveryId,label,state,startedAt,targeted,excluded,processed,sent,delivered,"
              "hardBounces,softBounces,ignored,opens,uniqueOpens,machineOpens,clicks,"
              "uniqueClicks,unsubscribes,mirrorViews,complaints,deliveredRate,bounceRate,"
              "hardBounceRate,softBounceRate,openRate,clickThroughRate,reactivity,"
              "unsubscribeRate,complaintRate\r\n"
              "1001,Nothing yet,sending,2026-03-05T00:00:00.000Z,"
              "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,,,,,,\r\n"
              "1000,Spring sale,finished,2026-03-01T09:30:00.000Z,"
              "13,2,10,8,7,2,1,0,6,4,2,4,2,1,3,1,"
              "0.7000,0.3000,0.2000,0.1000,0.5714,0.2857,0.5000,0.1429,0.1429\r\n"
              ",Total,,,13,2,10,8,7,2,1,0,6,4,2,4,2,1,3,1,"
              "0.7000,0.3000,0.2000,0.1000,0.5714,0.2857,0.5000,0.1429,0.1429\r\n");

    auto one = storage::WithRead(db(), [](Transaction& tx) {
        return LoadDeliveries(tx, FromUnixMillis(0), FromUnixMillis(kDay * 2), 1);
    });
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].delivery_id, kEmpty);
    auto all = storage::WithRead(db(), [](Transaction& tx) {
        return LoadDeliveries(tx, FromUnixMillis(0), FromUnixMillis(kDay * 2), 100);
    });
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[2].delivery_id, kOld);
    EXPECT_EQ((*all)[2].counts.delivered, 4);
    EXPECT_EQ((*all)[2].counts.sent, 0);  // no roll-up rows: zeros, not nulls
}

TEST_P(ReportTest, ProfileTrackingLog) {
    Seed();
    std::string sql;
    const std::string insert =
        "INSERT INTO tracking_events (delivery_id, profile_id, kind, link_id, machine, at, "
        "device, client) VALUES ";
    sql += fmt::format("{}({}, 7, 'open', NULL, TRUE, {}, 'proxy', 'Apple Mail');", insert,
                       kDelivery, kDay + 10 * kHour);
    sql += fmt::format("{}({}, 7, 'click', 1, FALSE, {}, 'mobile', 'Safari');", insert, kDelivery,
                       kDay + 10 * kHour + 2000);
    sql += fmt::format("{}({}, 8, 'open', NULL, FALSE, {}, 'desktop', 'Gmail');", insert, kDelivery,
                       kDay + 10 * kHour + 2500);
    sql += fmt::format("{}(4242, 7, 'mirror', NULL, FALSE, {}, 'mobile', 'Safari');", insert,
                       kDay + 10 * kHour + 4000);  // a delivery deleted since
    ASSERT_TRUE(ExecSql(db(), sql));

    auto rows = storage::WithRead(db(), [](Transaction& tx) {
        return LoadProfileTracking(tx, 7, std::numeric_limits<std::int64_t>::max(), 10);
    });
    ASSERT_TRUE(rows) << rows.error().message << " " << rows.error().detail;
    ASSERT_EQ(rows->size(), 3u);
    EXPECT_EQ((*rows)[0].kind, "mirror");
    EXPECT_EQ((*rows)[0].delivery_label, "");
    EXPECT_FALSE((*rows)[0].link_id);
    const TrackingEntry& click = (*rows)[1];
    EXPECT_EQ(click.kind, "click");
    EXPECT_EQ(click.delivery_id, kDelivery);
    EXPECT_EQ(click.delivery_label, "Spring sale");
    EXPECT_EQ(click.link_id, 1);
    EXPECT_EQ(click.link_label, "=HYPERLINK(\"x\")");
    EXPECT_EQ(click.url, std::string(kPersonalizedUrl));
    EXPECT_FALSE(click.machine);
    EXPECT_EQ(click.device, "mobile");
    EXPECT_EQ(click.client, "Safari");
    EXPECT_EQ(ToUnixMillis(click.at), kDay + 10 * kHour + 2000);
    EXPECT_EQ((*rows)[2].kind, "open");
    EXPECT_TRUE((*rows)[2].machine);

    auto older = storage::WithRead(
        db(), [&](Transaction& tx) { return LoadProfileTracking(tx, 7, click.id, 10); });
    ASSERT_TRUE(older);
    ASSERT_EQ(older->size(), 1u);
    EXPECT_EQ((*older)[0].kind, "open");
}

OVERTURE_INSTANTIATE_BACKENDS(ReportTest);

}  // namespace
}  // namespace overture::reporting
