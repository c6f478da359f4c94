#include "delivery/sender.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <thread>
#include <unordered_map>

#include "common/strings.hpp"
#include "storage/sql_text.hpp"

namespace overture::delivery {

namespace json = boost::json;
using storage::Value;

std::string_view OutcomeName(Outcome o) {
    switch (o) {
        case Outcome::kSent:
            return "sent";
        case Outcome::kSoft:
            return "soft";
        case Outcome::kHard:
            return "hard";
        case Outcome::kIgnored:
            return "ignored";
        case Outcome::kRouteFailure:
            return "route";
    }
    return "unknown";
}

namespace {

// A string member of `o`, "" when absent or null; an error for another type.
Result<std::string> StringAt(const json::object& o, std::string_view key, std::string_view path) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::string();
    if (!v->is_string()) {
        return Fail(
            Error::InvalidField(std::string(path), fmt::format("{} must be a string", path)));
    }
    return std::string(v->as_string());
}

Result<std::pair<std::string, std::string>> MailboxAt(const json::object& o, std::string_view key,
                                                      std::string_view path) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::pair<std::string, std::string>();
    if (!v->is_object()) {
        return Fail(
            Error::InvalidField(std::string(path), fmt::format("{} must be an object", path)));
    }
    auto name = StringAt(v->as_object(), "name", fmt::format("{}.name", path));
    if (!name) return Fail(name.error());
    auto address = StringAt(v->as_object(), "address", fmt::format("{}.address", path));
    if (!address) return Fail(address.error());
    return std::pair{std::move(*name), std::move(*address)};
}

render::Value ToRender(const Value& v) {
    return std::visit(
        [](const auto& x) -> render::Value {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return render::Value();
            } else {
                return render::Value(x);
            }
        },
        v);
}

}  // namespace

Result<Content> ParseContent(const json::object& content) {
    Content c;
    auto from = MailboxAt(content, "from", "content.from");
    if (!from) return Fail(from.error());
    c.from_name = std::move(from->first);
    c.from_address = std::move(from->second);
    auto reply = MailboxAt(content, "replyTo", "content.replyTo");
    if (!reply) return Fail(reply.error());
    c.reply_to_name = std::move(reply->first);
    c.reply_to_address = std::move(reply->second);
    for (auto [key, out] : {std::pair{"subject", &c.subject}, std::pair{"html", &c.html},
                            std::pair{"text", &c.text}}) {
        auto v = StringAt(content, key, fmt::format("content.{}", key));
        if (!v) return Fail(v.error());
        *out = std::move(*v);
    }
    if (c.from_address.empty()) {
        return Fail(Error::InvalidField("content.from.address", "the message has no From address"));
    }
    if (c.subject.find_first_not_of(" \t\r\n") == std::string::npos) {
        return Fail(Error::InvalidField("content.subject", "the message has no subject"));
    }
    if (c.html.empty() && c.text.empty()) {
        return Fail(
            Error::InvalidField("content.html", "the message has neither an HTML nor a text part"));
    }
    return c;
}

Result<CompiledContent> CompileContent(const Content& content, bool strict,
                                       const render::FragmentProvider& fragments) {
    auto tag = [](Error e, std::string_view part) {
        return std::move(e).With("part", std::string(part));
    };
    auto subject = render::Compile(
        content.subject, {.mode = render::Mode::kText, .strict = strict, .fragments = fragments});
    if (!subject) return Fail(tag(subject.error(), "subject"));
    CompiledContent out{.subject = std::move(*subject)};
    std::vector<const render::Template*> all{&out.subject};
    if (!content.html.empty()) {
        auto html = render::Compile(
            content.html, {.mode = render::Mode::kHtml, .strict = strict, .fragments = fragments});
        if (!html) return Fail(tag(html.error(), "html"));
        out.html.emplace(std::move(*html));
        all.push_back(&*out.html);
    }
    if (!content.text.empty()) {
        auto text = render::Compile(
            content.text, {.mode = render::Mode::kText, .strict = strict, .fragments = fragments});
        if (!text) return Fail(tag(text.error(), "text"));
        out.text.emplace(std::move(*text));
        all.push_back(&*out.text);
    }
    for (const auto* t : all) {
        const auto& info = t->info();
        out.profile_fields.insert(out.profile_fields.end(), info.profile_fields.begin(),
                                  info.profile_fields.end());
        out.whole_profile = out.whole_profile || info.whole_profile;
    }
    std::sort(out.profile_fields.begin(), out.profile_fields.end());
    out.profile_fields.erase(std::unique(out.profile_fields.begin(), out.profile_fields.end()),
                             out.profile_fields.end());
    auto mentions = [](const std::string& s) { return s.find("unsubscribe_url") != s.npos; };
    out.uses_unsubscribe_url = mentions(content.html) || mentions(content.text);
    if (out.html) {
        // A link to {{ unsubscribe_url }} in an included fragment (a shared footer) counts.
        for (const auto& link : out.html->links()) {
            out.uses_unsubscribe_url = out.uses_unsubscribe_url || link.category == "unsubscribe";
        }
    }
    return out;
}

std::chrono::seconds RetryDelay(std::chrono::seconds first, int attempt) {
    auto delay = first;
    for (int i = 1; i < attempt && delay < kMaxRetryDelay; ++i) delay *= 2;
    return std::min(delay, kMaxRetryDelay);
}

void InsertOpenPixel(std::string& html, std::string_view url) {
    std::string img = "<img src=\"";
    render::AppendEscaped(img, url);
    img +=
        "\" width=\"1\" height=\"1\" alt=\"\" "
        "style=\"display:block;width:1px;height:1px;border:0\">";
    // The last </body>, case-insensitively.
    std::size_t at = std::string::npos;
    for (std::size_t i = html.size(); i >= 7; --i) {
        const std::string_view tail(html.data() + i - 7, 7);
        if (tail[0] == '<' && tail[1] == '/' && (tail[6] == '>') &&
            ToLower(tail.substr(2, 4)) == "body") {
            at = i - 7;
            break;
        }
    }
    if (at == std::string::npos) {
        html += img;
    } else {
        html.insert(at, img);
    }
}

DeliverySend::DeliverySend(storage::Database& db, const Clock& clock, SendPlan plan,
                           std::shared_ptr<ChannelSession> channel, SenderOptions options,
                           CompiledContent compiled)
    : db_(db),
      clock_(clock),
      plan_(std::move(plan)),
      channel_(std::move(channel)),
      options_(std::move(options)),
      compiled_(std::move(compiled)) {}

Result<std::unique_ptr<DeliverySend>> DeliverySend::Create(storage::Database& db,
                                                           const Clock& clock, SendPlan plan,
                                                           std::shared_ptr<ChannelSession> channel,
                                                           SenderOptions options) {
    auto compiled = CompileContent(plan.content, /*strict=*/false, plan.fragments);
    if (!compiled) return Fail(compiled.error());
    const schema::Resource* profile = plan.model ? plan.model->Find("profile") : nullptr;
    if (!profile) return Fail(Error::Internal("the data model has no profile resource"));
    MessageTracking tracking;
    if (plan.tracking && compiled->html) {
        auto t = plan.tracking(compiled->html->links());
        if (!t) return Fail(t.error());
        tracking = std::move(*t);
    }
    std::unique_ptr<DeliverySend> s(new DeliverySend(db, clock, std::move(plan), std::move(channel),
                                                     std::move(options), std::move(*compiled)));
    s->tracking_ = std::move(tracking);
    // The fields to load: what the templates read (every field for a template that reads the
    // whole profile), plus id and timeZone, which the sender itself uses; then the 1-N links
    // the templates read (profile.purchases), as in a preview: the first kLinkRows rows of
    // each profile in id order, with every field and link of the linked resource.
    std::vector<std::string> names;
    for (const auto& f : profile->fields) {
        const bool wanted = s->compiled_.whole_profile || f.name == "id" || f.name == "timeZone" ||
                            std::binary_search(s->compiled_.profile_fields.begin(),
                                               s->compiled_.profile_fields.end(), f.name);
        if (wanted) {
            s->fields_.push_back(&f);
            names.push_back(f.name);
        }
    }
    const auto d = db.dialect();
    for (const auto& link : s->plan_.model->ReverseLinks("profile")) {
        const bool wanted = s->compiled_.whole_profile ||
                            std::binary_search(s->compiled_.profile_fields.begin(),
                                               s->compiled_.profile_fields.end(), link.name);
        if (!wanted) continue;
        names.push_back(link.name);
        std::vector<std::string> link_names;
        std::string link_cols;
        for (const auto& f : link.source->fields) {
            link_cols += ", " + storage::ReadExpr(f, d, "x");
            link_names.push_back(f.name);
        }
        for (const auto& l : link.source->links) {
            link_cols += ", x." + storage::QuoteIdent(l.column);
            link_names.push_back(l.name);
        }
        const auto col = storage::QuoteIdent(link.link->column);
        s->links_.push_back(
            {.sql_prefix = fmt::format(
                 "SELECT x.{0}{1} FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.{0} ORDER BY "
                 "t.id) AS ov_row FROM {2} t WHERE t.{0} IN (",
                 col, link_cols, storage::QuoteIdent(link.source->table)),
             .sql_suffix =
                 fmt::format(")) x WHERE x.ov_row <= {} ORDER BY x.{}, x.id", kLinkRows, col),
             .shape = std::make_shared<const render::Shape>(std::move(link_names))});
    }
    s->shape_ = std::make_shared<const render::Shape>(std::move(names));
    std::string cols;
    for (const auto* f : s->fields_) {
        cols += cols.empty() ? "" : ", ";
        cols += storage::ReadExpr(*f, db.dialect(), "t");
    }
    s->select_sql_ = fmt::format("SELECT {} FROM profiles t WHERE t.id IN (", cols);
    return s;
}

bool DeliverySend::Pace(const std::atomic<bool>& cancel) {
    if (plan_.max_per_second <= 0) return true;
    std::chrono::steady_clock::time_point slot;
    {
        std::lock_guard lock(pace_mutex_);
        const auto now = std::chrono::steady_clock::now();
        const auto step = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / plan_.max_per_second));
        slot = std::max(now, next_slot_);
        next_slot_ = slot + step;
    }
    while (std::chrono::steady_clock::now() < slot) {
        if (cancel.load()) return false;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            slot - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
    }
    return !cancel.load();
}

namespace {

struct Row {
    std::int64_t profile_id = 0;
    std::string address;
    int attempts = 0;
};

// Outcomes arrive on the channel's thread; the batch waits for all of them.
struct Pending {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::optional<SendOutcome>> outcomes;
    int waiting = 0;
};

}  // namespace

Result<BatchStats> DeliverySend::RunBatch(const std::atomic<bool>& cancel) {
    BatchStats stats;
    const TimePoint now = clock_.Now();
    const std::int64_t d = plan_.delivery_id;

    // 1. Claim.
    std::vector<Row> rows;
    {
        auto claimed =
            storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<storage::Rows> {
                return tx.Query("send-claim",
                                {Value(d), Value(ToUnixMillis(now)), Value(options_.owner),
                                 Value(ToUnixMillis(now + options_.lease)),
                                 Value(std::int64_t{options_.batch_size})});
            });
        if (!claimed) return Fail(claimed.error());
        for (const auto& r : claimed->rows) {
            rows.push_back({storage::AsInt(r.at(0)), storage::AsString(r.at(1)),
                            static_cast<int>(storage::AsInt(r.at(2)))});
        }
    }
    stats.claimed = static_cast<int>(rows.size());
    if (rows.empty()) return stats;
    std::sort(rows.begin(), rows.end(),
              [](const Row& a, const Row& b) { return a.profile_id < b.profile_id; });

    // 2. Load the profiles' fields, and the rows of the 1-N links the content reads, for the
    // whole batch: one query each.
    std::unordered_map<std::int64_t, render::Value> profiles;
    std::unordered_map<std::int64_t, std::string> zones;
    {
        auto with_ids = [&](std::string sql, const std::string& suffix) {
            storage::Params p(db_.dialect());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                sql += i ? ", " : "";
                sql += p.Add(rows[i].profile_id);
            }
            sql += suffix;
            return storage::WithRead(
                db_, [&](storage::Transaction& tx) { return tx.QuerySql(sql, p.values()); });
        };
        // Per link: profile id -> its rows as records.
        std::vector<std::unordered_map<std::int64_t, render::Array>> linked(links_.size());
        for (std::size_t l = 0; l < links_.size(); ++l) {
            auto loaded = with_ids(links_[l].sql_prefix, links_[l].sql_suffix);
            if (!loaded) return Fail(loaded.error());
            for (const auto& r : loaded->rows) {
                std::vector<render::Value> values;
                values.reserve(r.size() - 1);
                for (std::size_t c = 1; c < r.size(); ++c) values.push_back(ToRender(r[c]));
                linked[l][storage::AsInt(r[0])].push_back(
                    render::Value(links_[l].shape, std::move(values)));
            }
        }
        auto loaded = with_ids(select_sql_, ")");
        if (!loaded) return Fail(loaded.error());
        const std::size_t zone_slot = shape_->SlotOf("timeZone");
        for (auto& r : loaded->rows) {
            std::vector<render::Value> values;
            values.reserve(r.size() + links_.size());
            for (const auto& v : r) values.push_back(ToRender(v));
            const std::int64_t id = storage::AsInt(r.at(0));
            if (zone_slot < r.size()) zones[id] = storage::AsString(r[zone_slot]);
            for (auto& by_profile : linked) {
                auto it = by_profile.find(id);
                values.push_back(it == by_profile.end() ? render::Value(render::Array{})
                                                        : render::Value(std::move(it->second)));
            }
            profiles.emplace(id, render::Value(shape_, std::move(values)));
        }
    }

    // A batch that takes longer than half its lease (a slow route, a throttled delivery)
    // extends the lease of its rows, so that no other sender takes them while they are in
    // flight.
    auto lease_end = clock_.Now() + options_.lease;
    auto renew_if_due = [&]() {
        const auto t = clock_.Now();
        if (lease_end - t > options_.lease / 2) return;
        lease_end = t + options_.lease;
        std::vector<std::vector<Value>> renew;
        renew.reserve(rows.size());
        for (const auto& r : rows) {
            renew.push_back({Value(d), Value(r.profile_id), Value(ToUnixMillis(lease_end))});
        }
        auto st = storage::WithWrite(
            db_, [&](storage::Transaction& tx) { return tx.ExecBatch("send-renew", renew); });
        (void)st;  // a failed renewal is retried at the next message; the lease may lapse
    };

    // 3. Render and send.
    auto pending = std::make_shared<Pending>();
    pending->outcomes.resize(rows.size());
    const render::Value delivery_value = render::FromJson(json::value(plan_.delivery_data));
    std::size_t submitted = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (cancel.load() || !Pace(cancel)) break;
        const Row& row = rows[i];
        auto found = profiles.find(row.profile_id);
        if (found == profiles.end()) {
            pending->outcomes[i] =
                SendOutcome{Outcome::kIgnored, "profile_deleted", "the profile no longer exists"};
            ++submitted;
            continue;
        }
        render::Context ctx;
        ctx.profile = found->second;
        ctx.delivery = delivery_value;
        Message m{.delivery_id = d, .profile_id = row.profile_id, .address = row.address};
        if (plan_.links) {
            RecipientLinks links = plan_.links(row.profile_id);
            ctx.unsubscribe_url = render::Value(links.unsubscribe_url);
            ctx.mirror_url = render::Value(std::move(links.mirror_url));
            m.unsubscribe_url = std::move(links.unsubscribe_url);
        }
        render::RenderOptions ro;
        ro.time_zone = zones[row.profile_id];
        ro.now = std::chrono::floor<std::chrono::seconds>(now);
        Status st = compiled_.subject.Render(ctx, ro, m.subject);
        if (st && compiled_.html) {
            if (tracking_.click_url) {
                ro.rewrite_link = [this, profile = row.profile_id](const render::LinkInfo& link,
                                                                   std::string_view url,
                                                                   std::string& out) {
                    tracking_.click_url(profile, link, url, out);
                };
            }
            st = compiled_.html->Render(ctx, ro, m.html);
            ro.rewrite_link = nullptr;
            if (st && tracking_.open_url) {
                InsertOpenPixel(
                    m.html, tracking_.open_url(row.profile_id, ro.now.time_since_epoch().count()));
            }
        }
        if (st && compiled_.text) st = compiled_.text->Render(ctx, ro, m.text);
        if (!st) {
            pending->outcomes[i] =
                SendOutcome{Outcome::kIgnored, "render_error", st.error().message};
            ++submitted;
            continue;
        }
        renew_if_due();
        {
            std::unique_lock lock(pending->mutex);
            while (!pending->cv.wait_for(lock, std::chrono::milliseconds(500),
                                         [&] { return pending->waiting < options_.window; })) {
                lock.unlock();
                renew_if_due();
                lock.lock();
            }
            ++pending->waiting;
        }
        if (cancel.load()) {
            // Paused or stopped while waiting for room: this message is not sent.
            std::lock_guard lock(pending->mutex);
            --pending->waiting;
            break;
        }
        ++submitted;
        channel_->Send(std::move(m), [pending, i](SendOutcome o) {
            std::lock_guard lock(pending->mutex);
            pending->outcomes[i] = std::move(o);
            --pending->waiting;
            pending->cv.notify_all();
        });
    }
    {
        std::unique_lock lock(pending->mutex);
        while (!pending->cv.wait_for(lock, std::chrono::milliseconds(500),
                                     [&] { return pending->waiting == 0; })) {
            lock.unlock();
            renew_if_due();
            lock.lock();
        }
    }

    // 4. Write the outcomes back in one transaction.
    const TimePoint done_at = clock_.Now();
    const std::int64_t at = ToUnixMillis(done_at);
    const std::string iso = FormatRfc3339(done_at);
    const std::string day_before = FormatRfc3339(done_at - std::chrono::hours(24));
    std::vector<std::vector<Value>> sent, failed, retry, release, hard, soft;
    std::int64_t retrying_change = 0;  // rows that start or stop retrying
    // The hourly roll-up (docs/reports.md): final outcomes by type, failures by reason.
    std::int64_t final_hard = 0, final_soft = 0, final_ignored = 0;
    std::map<std::pair<std::string, std::string>, std::int64_t> failure_reasons;
    auto count_failure = [&](std::string_view type, const std::string& reason) {
        (type == "hard" ? final_hard : type == "soft" ? final_soft : final_ignored) += 1;
        ++failure_reasons[{std::string(type), reason}];
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& row = rows[i];
        if (i >= submitted || !pending->outcomes[i]) {
            release.push_back({Value(d), Value(row.profile_id)});
            ++stats.released;
            continue;
        }
        const SendOutcome& o = *pending->outcomes[i];
        const bool was_retrying = row.attempts > 0;
        switch (o.outcome) {
            case Outcome::kSent:
                sent.push_back({Value(d), Value(row.profile_id), Value(at), Value(o.detail)});
                ++stats.sent;
                retrying_change -= was_retrying ? 1 : 0;
                break;
            case Outcome::kHard:
            case Outcome::kIgnored:
                failed.push_back({Value(d), Value(row.profile_id), Value(at),
                                  Value(std::string(OutcomeName(o.outcome))), Value(o.reason),
                                  Value(o.detail)});
                if (o.outcome == Outcome::kHard && !row.address.empty()) {
                    hard.push_back({Value(row.address), Value(iso), Value(o.reason)});
                }
                count_failure(OutcomeName(o.outcome), o.reason);
                ++stats.failed;
                retrying_change -= was_retrying ? 1 : 0;
                break;
            case Outcome::kSoft:
            case Outcome::kRouteFailure: {
                if (o.outcome == Outcome::kSoft && !row.address.empty()) {
                    soft.push_back(
                        {Value(row.address), Value(iso), Value(o.reason), Value(day_before)});
                }
                if (o.outcome == Outcome::kRouteFailure) {
                    ++stats.route_failures;
                    stats.route_error = o.reason + ": " + o.detail;
                }
                const auto next = done_at + (o.outcome == Outcome::kRouteFailure
                                                 ? std::chrono::seconds(kRouteRetryDelay)
                                                 : RetryDelay(plan_.retry_delay, row.attempts + 1));
                if (next > plan_.valid_until) {
                    failed.push_back({Value(d), Value(row.profile_id), Value(at),
                                      Value(std::string("soft")), Value(o.reason),
                                      Value(o.detail + " (validity period over)")});
                    count_failure("soft", o.reason);
                    ++stats.failed;
                    retrying_change -= was_retrying ? 1 : 0;
                } else {
                    retry.push_back({Value(d), Value(row.profile_id), Value(at),
                                     Value(ToUnixMillis(next)), Value(o.reason), Value(o.detail)});
                    ++stats.retried;
                    retrying_change += was_retrying ? 0 : 1;
                }
                break;
            }
        }
    }
    auto written = storage::WithWrite(db_, [&](storage::Transaction& tx) -> Result<bool> {
        for (auto [name, batch] :
             {std::pair{"send-mark-sent", &sent}, std::pair{"send-mark-failed", &failed},
              std::pair{"send-mark-retry", &retry}, std::pair{"send-release", &release},
              std::pair{"quarantine-hard", &hard}, std::pair{"quarantine-soft", &soft}}) {
            if (batch->empty()) continue;
            if (auto n = tx.ExecBatch(name, *batch); !n) return Fail(n.error());
        }
        if (stats.sent + stats.failed > 0 || retrying_change != 0) {
            auto n =
                tx.Exec("send-count", {Value(d), Value(std::int64_t{stats.sent}),
                                       Value(std::int64_t{stats.failed}), Value(retrying_change)});
            if (!n) return Fail(n.error());
        }
        if (stats.sent + stats.failed > 0) {
            const std::int64_t hour = at - at % kHourMillis;
            auto n =
                tx.Exec("stats-add-sending",
                        {Value(d), Value(hour), Value(std::int64_t{stats.sent}), Value(final_hard),
                         Value(final_soft), Value(final_ignored), Value(std::int64_t{0})});
            if (!n) return Fail(n.error());
            std::vector<std::vector<Value>> reasons;
            for (const auto& [key, count] : failure_reasons) {
                reasons.push_back(
                    {Value(d), Value(hour), Value(key.first), Value(key.second), Value(count)});
            }
            if (!reasons.empty()) {
                if (auto r = tx.ExecBatch("stats-add-failure", reasons); !r) return Fail(r.error());
            }
        }
        return true;
    });
    if (!written) return Fail(written.error());
    const int handed = stats.sent + stats.failed + stats.retried;
    if (handed > 0 && stats.route_failures == handed) {
        ++route_down_batches_;
        std::lock_guard lock(route_error_mutex_);
        route_error_ = stats.route_error;
    } else if (stats.sent > 0) {
        route_down_batches_ = 0;
    }
    return stats;
}

std::string DeliverySend::route_error() const {
    std::lock_guard lock(route_error_mutex_);
    return route_error_;
}

}  // namespace overture::delivery
