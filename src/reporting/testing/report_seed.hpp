#pragma once
// Test data for the report tests (reporting/reports_test.cpp, service/reports_test.cpp): a
// delivery's sending log, roll-ups and uniques written in SQL with known numbers, as the
// sender, the bounce handling and the tracking ingestion would leave them. The expected numbers
// are in the tests. Header-only; the SQL runs on both backends.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "storage/database.hpp"

namespace overture::reporting::testing {

inline constexpr std::int64_t kDelivery = 1000;  // the one with every kind of number
inline constexpr std::int64_t kEmpty = 1001;     // started, nothing happened yet
inline constexpr std::int64_t kOld = 1002;       // started 45 days before kDay
inline constexpr std::int64_t kTemplate = 1003;  // templates are never in the lists

// 2026-03-01T00:00:00Z, and an hour, in Unix milliseconds.
inline constexpr std::int64_t kDay = 1'772'323'200'000;
inline constexpr std::int64_t kHour = 3'600'000;

// A SQL string literal.
inline std::string Quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

inline Status ExecSql(storage::Database& db, const std::string& sql) {
    return storage::WithWrite(db, [&](storage::Transaction& tx) { return tx.ExecScript(sql); });
}

struct SeedDelivery {
    std::int64_t id = 0;
    std::string label;
    std::string state = "finished";
    std::string started_at = "NULL", finished_at = "NULL";  // SQL: NULL or Unix milliseconds
    bool is_template = false;
    std::string content = R"({"subject":"Hi","html":"<p>x</p>"})";
    std::string settings = "{}";
    std::string preparation = "NULL";  // SQL: NULL or a quoted JSON text
    std::int64_t pending = 0, sent = 0, failed = 0, ignored = 0;
};

inline Status InsertDelivery(storage::Database& db, const SeedDelivery& d) {
    return ExecSql(
        db, fmt::format(
                "INSERT INTO deliveries (id, label, is_template, state, content, audience, "
                "settings, preparation, started_at, finished_at, count_pending, count_sent, "
                "count_failed, count_ignored, created_at, created_by, modified_at, modified_by) "
                "VALUES ({}, {}, {}, {}, {}, '{{}}', {}, {}, {}, {}, {}, {}, {}, {}, {}, 'test', "
                "{}, 'test')",
                d.id, Quote(d.label), d.is_template ? "TRUE" : "FALSE", Quote(d.state),
                Quote(d.content), Quote(d.settings), d.preparation, d.started_at, d.finished_at,
                d.pending, d.sent, d.failed, d.ignored, kDay, kDay));
}

// kDelivery, "Spring sale": 13 recipients in 5 domains, 8 sent (one bounced later), 2 hours of
// counters (and an empty one), 3 links, 3 device/client rows, 2 bounce reasons, 2 exclusion
// causes in its preparation.
inline Status SeedReportDelivery(storage::Database& db) {
    const std::string preparation =
        R"({"total":13,"toSend":11,"excluded":[{"cause":"address_missing","count":1},)"
        R"({"cause":"duplicate_address","count":1}],"warnings":[],"errors":[],)"
        R"("preparedAt":"2026-03-01T09:00:00.000Z"})";
    if (auto st = InsertDelivery(db, {.id = kDelivery,
                                      .label = "Spring sale",
                                      .started_at = std::to_string(kDay + 9 * kHour + 1800'000),
                                      .finished_at = std::to_string(kDay + 12 * kHour),
                                      .preparation = Quote(preparation),
                                      .pending = 1,
                                      .sent = 7,
                                      .failed = 3,
                                      .ignored = 2});
        !st) {
        return st;
    }
    struct Row {
        int profile;
        const char* address;
        const char* status;
        const char* type;
        const char* reason;
        bool sent;  // sent_at set: accepted by the next hop at some point
    };
    const Row rows[] = {
        {1, "a1@a.example", "sent", "", "", true},
        {2, "a2@a.example", "sent", "", "", true},
        {3, "a3@A.example", "sent", "", "", true},
        {4, "a4@a.example", "failed", "hard", "user_unknown", false},  // at sending
        {5, "a5@a.example", "failed", "hard", "user_unknown", true},   // asynchronous
        {6, "b6@B.Example", "sent", "", "", true},
        {7, "b7@b.example", "sent", "", "", true},
        {8, "b8@b.example", "failed", "soft", "mailbox_full", false},
        {9, "c9@c.example", "sent", "", "", true},
        {10, "C9@c.example", "ignored", "", "duplicate_address", false},
        {11, "d11@d.example", "sent", "", "", true},
        {12, "", "ignored", "", "address_missing", false},
        {13, "d13@d.example", "pending", "", "", false},
    };
    std::string sql;
    for (const auto& r : rows) {
        sql += fmt::format(
            "INSERT INTO delivery_recipients (delivery_id, profile_id, address, status, "
            "failure_type, reason, sent_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {});\n",
            kDelivery, r.profile, Quote(r.address), Quote(r.status), Quote(r.type), Quote(r.reason),
            r.sent ? std::to_string(kDay + 10 * kHour) : "NULL", kDay + 10 * kHour);
    }
    // Openers 1, 2, 6, 9; clickers 1 and 6 (1 on link 0; 6 on links 0 and 1).
    const std::pair<int, int> uniques[] = {{1, -1}, {2, -1}, {6, -1}, {9, -1}, {1, -2},
                                           {6, -2}, {1, 0},  {6, 0},  {6, 1}};
    for (auto [profile, link] : uniques) {
        sql += fmt::format(
            "INSERT INTO tracking_uniques (delivery_id, profile_id, link_id, first_at) "
            "VALUES ({}, {}, {}, {});\n",
            kDelivery, profile, link, kDay + 10 * kHour);
    }
    // Hours out of order, and one with nothing in it. Columns: sent, hard, soft, ignored, opens,
    // unique opens, machine opens, clicks, unique clicks, unsubscribes, mirror views, complaints.
    const std::string stats =
        "INSERT INTO delivery_stats (delivery_id, hour, sent, hard_bounces, soft_bounces, "
        "ignored, opens, unique_opens, machine_opens, clicks, unique_clicks, unsubscribes, "
        "mirror_views, complaints) VALUES ";
    sql += fmt::format("{}({}, {}, 3, 1, 1, 0, 2, 1, 0, 1, 0, 0, 2, 1);\n", stats, kDelivery,
                       kDay + 11 * kHour);
    sql += fmt::format("{}({}, {}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);\n", stats, kDelivery,
                       kDay + 12 * kHour);
    sql += fmt::format("{}({}, {}, 5, 1, 0, 0, 4, 3, 2, 3, 2, 1, 1, 0);\n", stats, kDelivery,
                       kDay + 10 * kHour);
    sql += fmt::format(
        "INSERT INTO delivery_failure_stats (delivery_id, hour, failure_type, reason, count) "
        "VALUES ({0}, {1}, 'hard', 'user_unknown', 1), ({0}, {2}, 'hard', 'user_unknown', 1), "
        "({0}, {2}, 'soft', 'mailbox_full', 1), ({0}, {1}, 'ignored', 'too_large', 0);\n",
        kDelivery, kDay + 10 * kHour, kDay + 11 * kHour);
    sql += fmt::format(
        "INSERT INTO tracking_links (delivery_id, link_id, url, label, category) VALUES "
        "({0}, 0, 'https://shop.example/?a=1&b=2', 'Shop now', 'link'), "
        "({0}, 1, '', '=HYPERLINK(\"x\")', 'link'), "
        "({0}, 2, 'https://x.example/\"q\",y', 'Never, ever', 'footer');\n",
        kDelivery);
    sql += fmt::format(
        "INSERT INTO delivery_link_stats (delivery_id, link_id, hour, clicks, unique_clicks) "
        "VALUES ({0}, 0, {1}, 2, 2), ({0}, 0, {2}, 1, 0), ({0}, 1, {1}, 1, 1);\n",
        kDelivery, kDay + 10 * kHour, kDay + 11 * kHour);
    sql += fmt::format(
        "INSERT INTO delivery_agent_stats (delivery_id, device, client, opens, machine_opens, "
        "clicks) VALUES ({0}, 'proxy', 'Apple Mail', 0, 2, 0), "
        "({0}, 'desktop', 'Gmail', 3, 0, 2), ({0}, 'mobile', 'Apple Mail', 1, 0, 2);\n",
        kDelivery);
    return ExecSql(db, sql);
}

// kEmpty (started 2026-03-05, nothing yet), kOld (started 2026-01-15, 4 rows sent) and
// kTemplate (a template with a start time, which no list shows).
inline Status SeedOtherDeliveries(storage::Database& db) {
    for (const auto& d : {SeedDelivery{.id = kEmpty,
                         .label = "Nothing yet",
                         .state = "sending",
                         .started_at = std::to_string(kDay + 4 * 24 * kHour)},
                          SeedDelivery{.id = kOld,
                          .label = "January",
                          .started_at = std::to_string(kDay - 45 * 24 * kHour),
                          .sent = 4},
                          SeedDelivery{.id = kTemplate,
                          .label = "A template",
                          .state = "draft",
                          .started_at = std::to_string(kDay + 24 * kHour),
                          .is_template = true}}) {
        if (auto st = InsertDelivery(db, d); !st) return st;
    }
    return {};
}

}  // namespace overture::reporting::testing
