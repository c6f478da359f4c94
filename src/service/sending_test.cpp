// The sender (delivery/sender.hpp) on SQLite and PostgreSQL with a scripted channel: claims,
// outcomes written back, retries and the validity period, the quarantine rules (hard at once;
// soft errors counted once a day, the fifth quarantines), cancel, leases that expire after a
// crash, and two senders on one delivery never sending a row twice.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "delivery/sender.hpp"
#include "service/audit.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::service {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using delivery::Outcome;
using storage::Value;

// Answers each message from a table keyed by address (default: sent), on the caller's thread
// or, with `async`, on a thread of its own.
class ScriptedChannel : public delivery::ChannelSession {
  public:
    void Send(delivery::Message m, std::function<void(delivery::SendOutcome)> done) override {
        delivery::SendOutcome o{Outcome::kSent, "", "250 2.0.0 OK"};
        {
            std::lock_guard lock(mutex);
            if (auto it = outcomes.find(m.address); it != outcomes.end()) o = it->second;
            sent.push_back(m);
        }
        done(std::move(o));
    }
    std::mutex mutex;
    std::map<std::string, delivery::SendOutcome> outcomes;
    std::vector<delivery::Message> sent;
};

class SendingTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        audit_ = std::make_unique<AuditLog>(db(), clock_);
        schema_ = std::make_unique<SchemaService>(db(), clock_, *audit_);
        ASSERT_TRUE(schema_->Load());
        records_ = std::make_unique<RecordService>(db(), clock_, *schema_);
    }

    std::int64_t Profile(const std::string& email, const std::string& first) {
        auto p = records_->Create(Actor::System(), "profile",
                                  json::object{{"email", email}, {"firstName", first}});
        EXPECT_TRUE(p) << p.error().message;
        return p ? p->at("id").as_int64() : 0;
    }

    // A delivery row in state sending with one pending sending-log row per profile.
    std::int64_t Delivery(const std::vector<std::int64_t>& profiles) {
        const auto now = ToUnixMillis(clock_.Now());
        auto id = storage::WithWrite(db(), [&](storage::Transaction& tx) -> Result<std::int64_t> {
            storage::Params p(db().dialect());
            auto sql =
                "INSERT INTO deliveries (label, state, content, audience, settings, "
                "created_at, created_by, modified_at, modified_by) VALUES ('t', "
                "'sending', '{}', '{}', '{}', " +
                p.Add(now) + ", 'test', " + p.Add(now) + ", 'test') RETURNING id";
            auto rows = tx.QuerySql(sql, p.values());
            if (!rows) return Fail(rows.error());
            const auto d = storage::AsInt(rows->rows[0][0]);
            for (auto profile : profiles) {
                storage::Params q(db().dialect());
                auto ins =
                    "INSERT INTO delivery_recipients (delivery_id, profile_id, address, status, "
                    "updated_at) SELECT " +
                    q.Add(d) + ", id, email, 'pending', " + q.Add(now) +
                    " FROM profiles WHERE id = " + q.Add(profile);
                if (auto n = tx.ExecSql(ins, q.values()); !n) return Fail(n.error());
            }
            storage::Params c(db().dialect());
            auto counters = "UPDATE deliveries SET count_pending = " +
                            c.Add(static_cast<std::int64_t>(profiles.size())) +
                            " WHERE id = " + c.Add(d);
            if (auto n = tx.ExecSql(counters, c.values()); !n) return Fail(n.error());
            return d;
        });
        EXPECT_TRUE(id) << id.error().message;
        return id.value_or(0);
    }

    std::unique_ptr<delivery::DeliverySend> Sender(
        std::int64_t delivery, std::shared_ptr<ScriptedChannel> channel, std::string owner = "a",
        int batch = 100, std::function<void(delivery::SendPlan&)> adjust = {}) {
        delivery::SendPlan plan;
        plan.delivery_id = delivery;
        plan.content = {.from_address = "news@shop.example",
                        .subject = "Hi {{ profile.firstName }}",
                        .html = "<p>Hello {{ profile.firstName }}</p>",
                        .text = "Hello {{ profile.firstName | upcase }}"};
        plan.model = schema_->Current();
        plan.valid_until = clock_.Now() + 1h;
        plan.retry_delay = 60s;
        plan.links = [](std::int64_t p) {
            return delivery::RecipientLinks{"https://x.example/u/" + std::to_string(p),
                                            "https://x.example/m/" + std::to_string(p)};
        };
        if (adjust) adjust(plan);
        auto s = delivery::DeliverySend::Create(
            db(), clock_, std::move(plan), channel,
            {.owner = std::move(owner), .batch_size = batch, .lease = 30s});
        EXPECT_TRUE(s) << s.error().message;
        return s ? std::move(*s) : nullptr;
    }

    // status, failure_type, attempts per profile.
    std::map<std::int64_t, std::tuple<std::string, std::string, int>> Log(std::int64_t d) {
        std::map<std::int64_t, std::tuple<std::string, std::string, int>> out;
        storage::Params p(db().dialect());
        const auto sql =
            "SELECT profile_id, status, failure_type, attempts FROM "
            "delivery_recipients WHERE delivery_id = " +
            p.Add(d);
        auto rows = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
        EXPECT_TRUE(rows);
        for (const auto& r : rows->rows) {
            out[storage::AsInt(r[0])] = {storage::AsString(r[1]), storage::AsString(r[2]),
                                         static_cast<int>(storage::AsInt(r[3]))};
        }
        return out;
    }

    // The kept counters (pending, retrying, sent, failed) and the same counted from the log.
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> Counters(std::int64_t d) {
        storage::Params p(db().dialect());
        const auto kept =
            "SELECT count_pending, count_retrying, count_sent, count_failed FROM "
            "deliveries WHERE id = " +
            p.Add(d);
        storage::Params q(db().dialect());
        const auto counted =
            "SELECT sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), sum(CASE WHEN status = "
            "'pending' AND attempts > 0 THEN 1 ELSE 0 END), sum(CASE WHEN status = 'sent' THEN 1 "
            "ELSE 0 END), sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) FROM "
            "delivery_recipients WHERE delivery_id = " +
            q.Add(d);
        auto a = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(kept, p.values()); });
        auto b = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(counted, q.values()); });
        EXPECT_TRUE(a && b);
        std::vector<std::int64_t> x, y;
        for (int i = 0; i < 4; ++i) {
            x.push_back(storage::AsInt(a->rows[0][i]));
            y.push_back(storage::AsInt(b->rows[0][i]));
        }
        return {x, y};
    }

    std::pair<std::string, std::int64_t> Quarantine(const std::string& address) {
        storage::Params p(db().dialect());
        const auto sql =
            "SELECT status, error_count FROM quarantine WHERE address = " + p.Add(address);
        auto rows = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
        EXPECT_TRUE(rows);
        if (!rows || rows->empty()) return {"", 0};
        return {storage::AsString(rows->rows[0][0]), storage::AsInt(rows->rows[0][1])};
    }

    FakeClock clock_{FromUnixMillis(1'800'000'000'000)};
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<SchemaService> schema_;
    std::unique_ptr<RecordService> records_;
    std::atomic<bool> no_cancel_{false};
};

TEST_P(SendingTest, SendsRendersAndWritesEveryOutcomeBack) {
    const auto a = Profile("ada@ok.example", "Ada");
    const auto b = Profile("hard@bad.example", "Bob");
    const auto c = Profile("soft@busy.example", "Cy");
    const auto d = Profile("big@ok.example", "Di");
    const auto delivery = Delivery({a, b, c, d});
    auto channel = std::make_shared<ScriptedChannel>();
    channel->outcomes["hard@bad.example"] = {Outcome::kHard, "user_unknown", "550 5.1.1 no"};
    channel->outcomes["soft@busy.example"] = {Outcome::kSoft, "mailbox_full", "452 4.2.2 full"};
    channel->outcomes["big@ok.example"] = {Outcome::kIgnored, "message_too_large", "552"};
    auto sender = Sender(delivery, channel);

    auto stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->claimed, 4);
    EXPECT_EQ(stats->sent, 1);
    EXPECT_EQ(stats->failed, 2);
    EXPECT_EQ(stats->retried, 1);
    ASSERT_EQ(channel->sent.size(), 4u);
    const auto& m = channel->sent[0];
    EXPECT_EQ(m.subject, "Hi Ada");
    EXPECT_EQ(m.html, "<p>Hello Ada</p>");
    EXPECT_EQ(m.text, "Hello ADA");
    EXPECT_EQ(m.unsubscribe_url, "https://x.example/u/" + std::to_string(a));

    auto log = Log(delivery);
    EXPECT_EQ(log[a], std::make_tuple(std::string("sent"), std::string(""), 1));
    EXPECT_EQ(log[b], std::make_tuple(std::string("failed"), std::string("hard"), 1));
    EXPECT_EQ(log[c], std::make_tuple(std::string("pending"), std::string("soft"), 1));
    EXPECT_EQ(log[d], std::make_tuple(std::string("failed"), std::string("ignored"), 1));
    EXPECT_EQ(Quarantine("hard@bad.example"),
              std::make_pair(std::string("quarantined"), std::int64_t{1}));
    EXPECT_EQ(Quarantine("soft@busy.example"),
              std::make_pair(std::string("erroneous"), std::int64_t{1}));
    EXPECT_EQ(Quarantine("big@ok.example").first, "") << "our message's fault, not the address's";
    auto [kept, counted] = Counters(delivery);
    EXPECT_EQ(kept, (std::vector<std::int64_t>{1, 1, 1, 2}));
    EXPECT_EQ(kept, counted);

    // The soft failure is not due before its back-off (60 s) ...
    stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->claimed, 0);
    // ... then succeeds.
    clock_.Advance(61s);
    channel->outcomes.erase("soft@busy.example");
    stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->claimed, 1);
    EXPECT_EQ(Log(delivery)[c], std::make_tuple(std::string("sent"), std::string(""), 2));
    std::tie(kept, counted) = Counters(delivery);
    EXPECT_EQ(kept, (std::vector<std::int64_t>{0, 0, 2, 2}));
    EXPECT_EQ(kept, counted);
}

TEST(OpenPixel, GoesBeforeTheLastBodyEndTagOrAtTheEnd) {
    std::string html = "<html><BODY><p>x</p></Body></html>";
    delivery::InsertOpenPixel(html, "https://t.example/o/a&b\"c");
    EXPECT_EQ(html,
              "<html><BODY><p>x</p><img src=\"https://t.example/o/a&amp;b&quot;c\" width=\"1\" "
              "height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\"></Body>"
              "</html>");
    std::string fragment = "<p>no body</p>";
    delivery::InsertOpenPixel(fragment, "u");
    EXPECT_TRUE(fragment.starts_with("<p>no body</p><img src=\"u\""));
    std::string two = "</body><p></p></body>";
    delivery::InsertOpenPixel(two, "u");
    EXPECT_TRUE(two.starts_with("</body><p></p><img")) << two;
}

// The tracking hooks (docs/tracking.md): links go through click_url with the recipient and the
// link, the open pixel comes last in the body; the outcomes land in the hourly roll-up.
TEST_P(SendingTest, TrackedLinksOpenPixelAndHourlyRollUp) {
    const auto a = Profile("ada@ok.example", "Ada");
    const auto b = Profile("hard@bad.example", "Bob");
    const auto c = Profile("big@ok.example", "Cy");
    const auto delivery = Delivery({a, b, c});
    auto channel = std::make_shared<ScriptedChannel>();
    channel->outcomes["hard@bad.example"] = {Outcome::kHard, "user_unknown", "550 5.1.1 no"};
    channel->outcomes["big@ok.example"] = {Outcome::kIgnored, "message_too_large", "552"};
    std::vector<std::string> seen_links;
    auto sender = Sender(delivery, channel, "a", 100, [&](delivery::SendPlan& plan) {
        plan.content.html =
            "<html><body><a href=\"https://shop.example/?id={{ profile.id }}\">Shop</a> "
            "<a href=\"mailto:x@y.example\">Mail</a> <a href=\"https://blog.example/\" "
            "data-no-track>Blog</a></body></html>";
        plan.tracking =
            [&](const std::vector<render::LinkInfo>& links) -> Result<delivery::MessageTracking> {
            for (const auto& l : links) seen_links.push_back(l.label);
            delivery::MessageTracking t;
            t.open_url = [](std::int64_t p, std::int64_t at) {
                return "https://t.example/o/" + std::to_string(p) + "/" + std::to_string(at);
            };
            t.click_url = [](std::int64_t p, const render::LinkInfo& link, std::string_view url,
                             std::string& out) {
                out = "https://t.example/c/" + std::to_string(p) + "/" + std::to_string(link.id) +
                      "?to=" + std::string(url);
            };
            return t;
        };
    });
    ASSERT_TRUE(sender);
    EXPECT_EQ(seen_links, (std::vector<std::string>{"Shop", "Mail", "Blog"}));
    auto stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats) << stats.error().message;
    ASSERT_EQ(channel->sent.size(), 3u);
    const auto& m = channel->sent[0];
    const auto id = std::to_string(a);
    const auto now_s = std::to_string(ToUnixMillis(clock_.Now()) / 1000);
    EXPECT_EQ(m.html, "<html><body><a href=\"https://t.example/c/" + id +
                          "/0?to=https://shop.example/?id=" + id +
                          "\">Shop</a> <a href=\"mailto:x@y.example\">Mail</a> <a "
                          "href=\"https://blog.example/\">Blog</a><img src=\"https://t.example/o/" +
                          id + "/" + now_s +
                          "\" width=\"1\" height=\"1\" alt=\"\" "
                          "style=\"display:block;width:1px;height:1px;border:0\"></body></html>");

    // One row for the hour: 1 sent, 1 hard, 1 ignored; reasons apart.
    const std::int64_t hour = ToUnixMillis(clock_.Now()) / 3'600'000 * 3'600'000;
    storage::Params p(db().dialect());
    const auto sql =
        "SELECT hour, sent, hard_bounces, soft_bounces, ignored FROM delivery_stats WHERE "
        "delivery_id = " +
        p.Add(delivery);
    auto rows = storage::WithRead(
        db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(storage::AsInt(rows->rows[0][0]), hour);
    EXPECT_EQ(storage::AsInt(rows->rows[0][1]), 1);
    EXPECT_EQ(storage::AsInt(rows->rows[0][2]), 1);
    EXPECT_EQ(storage::AsInt(rows->rows[0][3]), 0);
    EXPECT_EQ(storage::AsInt(rows->rows[0][4]), 1);
    storage::Params q(db().dialect());
    const auto reasons_sql =
        "SELECT failure_type, reason, count FROM delivery_failure_stats WHERE delivery_id = " +
        q.Add(delivery) + " ORDER BY failure_type";
    auto reasons = storage::WithRead(
        db(), [&](storage::Transaction& tx) { return tx.QuerySql(reasons_sql, q.values()); });
    ASSERT_TRUE(reasons) << reasons.error().message;
    ASSERT_EQ(reasons->size(), 2u);
    EXPECT_EQ(storage::AsString(reasons->rows[0][0]), "hard");
    EXPECT_EQ(storage::AsString(reasons->rows[0][1]), "user_unknown");
    EXPECT_EQ(storage::AsInt(reasons->rows[0][2]), 1);
    EXPECT_EQ(storage::AsString(reasons->rows[1][0]), "ignored");
    EXPECT_EQ(storage::AsString(reasons->rows[1][1]), "message_too_large");
}

TEST_P(SendingTest, SoftFailuresStopAtTheEndOfTheValidityPeriod) {
    const auto a = Profile("soft@busy.example", "Ann");
    const auto delivery = Delivery({a});
    auto channel = std::make_shared<ScriptedChannel>();
    channel->outcomes["soft@busy.example"] = {Outcome::kSoft, "mailbox_full", "452"};
    auto sender = Sender(delivery, channel);  // valid 1 h; retries after 60, 120, 240, ... s
    int attempts = 0;
    for (int i = 0; i < 20 && std::get<0>(Log(delivery)[a]) == "pending"; ++i) {
        auto stats = sender->RunBatch(no_cancel_);
        ASSERT_TRUE(stats);
        attempts += stats->claimed;
        clock_.Advance(10min);
    }
    EXPECT_EQ(Log(delivery)[a],
              std::make_tuple(std::string("failed"), std::string("soft"), attempts));
    EXPECT_GE(attempts, 4);
    EXPECT_LE(attempts, 7);
    EXPECT_EQ(delivery::RetryDelay(60s, 1), 60s);
    EXPECT_EQ(delivery::RetryDelay(60s, 3), 240s);
    EXPECT_EQ(delivery::RetryDelay(60s, 30), delivery::kMaxRetryDelay);
}

TEST_P(SendingTest, FiveSoftErrorsADayApartQuarantine) {
    auto channel = std::make_shared<ScriptedChannel>();
    channel->outcomes["full@box.example"] = {Outcome::kSoft, "mailbox_full", "452"};
    const auto p = Profile("full@box.example", "Flo");
    for (int day = 1; day <= 5; ++day) {
        // Two deliveries the same day count once.
        for (int again = 0; again < 2; ++again) {
            const auto delivery = Delivery({p});
            auto sender = Sender(delivery, channel);
            ASSERT_TRUE(sender->RunBatch(no_cancel_));
            clock_.Advance(1h);
        }
        auto [status, count] = Quarantine("full@box.example");
        EXPECT_EQ(count, day);
        EXPECT_EQ(status, day < 5 ? "erroneous" : "quarantined") << "day " << day;
        clock_.Advance(23h);
    }
}

TEST_P(SendingTest, ADeadRouteIsReportedAfterThreeBatchesInARow) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 8; ++i) ids.push_back(Profile(fmt::format("p{}@x.example", i), "P"));
    const auto delivery = Delivery(ids);
    auto channel = std::make_shared<ScriptedChannel>();
    for (int i = 0; i < 8; ++i) {
        channel->outcomes[fmt::format("p{}@x.example", i)] = {Outcome::kRouteFailure, "connection",
                                                              "connection refused"};
    }
    auto sender = Sender(delivery, channel, "a", 2);
    for (int batch = 1; batch <= 3; ++batch) {
        EXPECT_FALSE(sender->route_down()) << "batch " << batch;
        auto stats = sender->RunBatch(no_cancel_);
        ASSERT_TRUE(stats);
        EXPECT_EQ(stats->route_failures, 2);
    }
    EXPECT_TRUE(sender->route_down());
    EXPECT_EQ(sender->route_error(), "connection: connection refused");
    // Route failures wait a minute, not the delivery's retry delay, and do not quarantine.
    EXPECT_EQ(Quarantine("p0@x.example").first, "");
    clock_.Advance(61s);
    channel->outcomes.clear();
    auto stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->sent, 2);
    EXPECT_FALSE(sender->route_down()) << "a message that got through clears it";
}

TEST_P(SendingTest, CancelReleasesTheRestOfTheBatch) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(Profile(fmt::format("p{}@x.example", i), "P"));
    const auto delivery = Delivery(ids);
    std::atomic<bool> cancel{false};
    // The channel cancels after the third message.
    class Cancelling : public ScriptedChannel {
      public:
        explicit Cancelling(std::atomic<bool>& c) : cancel(c) {}
        void Send(delivery::Message m, std::function<void(delivery::SendOutcome)> done) override {
            ScriptedChannel::Send(std::move(m), std::move(done));
            if (sent.size() == 3) cancel = true;
        }
        std::atomic<bool>& cancel;
    };
    auto channel = std::make_shared<Cancelling>(cancel);
    auto sender = Sender(delivery, channel);
    auto stats = sender->RunBatch(cancel);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->sent, 3);
    EXPECT_EQ(stats->released, 7);
    // The released rows are free at once for the next batch.
    cancel = false;
    stats = sender->RunBatch(cancel);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->claimed, 7);
}

TEST_P(SendingTest, ALeaseThatEndsReturnsTheRows) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(Profile(fmt::format("p{}@x.example", i), "P"));
    const auto delivery = Delivery(ids);
    // A node claims the rows and dies before writing anything back.
    auto claimed = storage::WithWrite(db(), [&](storage::Transaction& tx) {
        return tx.Query(
            "send-claim",
            {Value(delivery), Value(ToUnixMillis(clock_.Now())), Value(std::string("dead")),
             Value(ToUnixMillis(clock_.Now() + 30s)), Value(std::int64_t{100})});
    });
    ASSERT_TRUE(claimed) << claimed.error().message;
    EXPECT_EQ(claimed->size(), 5u);
    auto channel = std::make_shared<ScriptedChannel>();
    auto sender = Sender(delivery, channel, "alive");
    auto stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->claimed, 0) << "leased by another node";
    clock_.Advance(31s);
    stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->claimed, 5);
    EXPECT_EQ(stats->sent, 5);
}

TEST_P(SendingTest, ABatchLongerThanItsLeaseKeepsItsRows) {
    // A slow route: every message takes 20 s (of the fake clock); the lease is 30 s. Half-way
    // through the batch another sender looks for work and must find none.
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(Profile(fmt::format("p{}@x.example", i), "P"));
    const auto delivery = Delivery(ids);
    auto other_channel = std::make_shared<ScriptedChannel>();
    auto other = Sender(delivery, other_channel, "other");
    class Slow : public ScriptedChannel {
      public:
        Slow(FakeClock& clock, std::function<void()> midway)
            : clock(clock), midway(std::move(midway)) {}
        void Send(delivery::Message m, std::function<void(delivery::SendOutcome)> done) override {
            clock.Advance(20s);
            ScriptedChannel::Send(std::move(m), std::move(done));
            if (sent.size() == 4) midway();
        }
        FakeClock& clock;
        std::function<void()> midway;
    };
    int stolen = -1;
    auto slow = std::make_shared<Slow>(clock_, [&] {
        auto stats = other->RunBatch(no_cancel_);
        ASSERT_TRUE(stats) << stats.error().message;
        stolen = stats->claimed;
    });
    auto sender = Sender(delivery, slow, "slow");
    auto stats = sender->RunBatch(no_cancel_);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->sent, 6);
    EXPECT_EQ(stolen, 0) << "rows of a batch still at work were claimed again";
    EXPECT_TRUE(other_channel->sent.empty());
}

TEST_P(SendingTest, TwoSendersNeverSendARowTwice) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 600; ++i) ids.push_back(Profile(fmt::format("p{}@x.example", i), "P"));
    const auto delivery = Delivery(ids);
    auto channel = std::make_shared<ScriptedChannel>();
    auto one = Sender(delivery, channel, "one", 50);
    auto two = Sender(delivery, channel, "two", 50);
    auto run = [&](delivery::DeliverySend* s) {
        for (int i = 0; i < 100; ++i) {
            auto stats = s->RunBatch(no_cancel_);
            ASSERT_TRUE(stats) << stats.error().message;
            if (stats->claimed == 0) return;
        }
    };
    std::thread t1(run, one.get()), t2(run, two.get());
    t1.join();
    t2.join();
    std::set<std::int64_t> seen;
    for (const auto& m : channel->sent)
        EXPECT_TRUE(seen.insert(m.profile_id).second) << m.profile_id;
    EXPECT_EQ(seen.size(), ids.size());
    auto [kept, counted] = Counters(delivery);
    EXPECT_EQ(kept, (std::vector<std::int64_t>{0, 0, 600, 0}));
    EXPECT_EQ(kept, counted);
}

OVERTURE_INSTANTIATE_BACKENDS(SendingTest);

}  // namespace
}  // namespace overture::service
