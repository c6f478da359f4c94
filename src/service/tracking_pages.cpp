// The unsubscribe and mirror pages' logic behind service/tracking_pages.hpp.
#include "service/tracking_pages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <utility>

#include "common/strings.hpp"
#include "delivery/sender.hpp"
#include "render/template.hpp"
#include "render/value.hpp"
#include "storage/sql_text.hpp"
#include "tracking/agents.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::int64_t kRefreshEveryMs = 1000;

Error Gone() { return Error::NotFound("This message is no longer available"); }

std::string StringMember(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Actor PageActor(std::string_view remote) {
    Actor a = Actor::System();
    a.username = std::string(TrackingPages::kOrigin);
    a.remote = remote.empty() ? std::string("-") : std::string(remote);
    return a;
}

}  // namespace

std::string MaskAddress(std::string_view address) {
    const auto at = address.rfind('@');
    if (address.empty()) return {};
    if (at == std::string_view::npos || at == 0) return "***";
    // The first character (a whole UTF-8 sequence) stays, the rest of the local part goes.
    return std::string(CutUtf8Points(address.substr(0, at), 1)) + "***" +
           std::string(address.substr(at));
}

// What a token names, loaded.
struct TrackingPages::Target {
    tracking::TokenData token;
    Delivery delivery;
    json::object profile;
};

TrackingPages::TrackingPages(storage::Database& db, const Clock& clock, const AuditLog& audit,
                             const SchemaService& schema, const RecordService& records,
                             const SubscriptionService& subscriptions,
                             const DeliveryService& deliveries, const FragmentService* fragments,
                             tracking::KeyStore& keys, tracking::LinkRegistry& links,
                             tracking::Ingestor& ingestor, std::string public_url)
    : db_(db),
      clock_(clock),
      audit_(audit),
      schema_(schema),
      records_(records),
      subscriptions_(subscriptions),
      deliveries_(deliveries),
      fragments_(fragments),
      keys_(keys),
      links_(links),
      ingestor_(ingestor),
      public_url_(std::move(public_url)) {
    while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

Result<tracking::TokenData> TrackingPages::Verify(tracking::TokenKind kind, std::string_view token,
                                                  std::string_view url) const {
    auto keys = keys_.Current();
    if (!keys) return Fail(Error::Unavailable("the tracking keys are not loaded"));
    auto data = keys->Verify(kind, token, url);
    if (data || data.error().code != ErrorCode::kPermissionDenied) return data;
    // Maybe a key rotated on another node: reload (at most once a second) and try again.
    const std::int64_t now = ToUnixMillis(clock_.Now());
    std::int64_t last = last_refresh_ms_.load();
    if (now - last < kRefreshEveryMs || !last_refresh_ms_.compare_exchange_strong(last, now)) {
        return data;
    }
    if (auto st = keys_.Refresh(std::chrono::milliseconds(0)); !st) return data;
    auto fresh = keys_.Current();
    if (!fresh || fresh == keys) return data;
    return fresh->Verify(kind, token, url);
}

Result<TrackingPages::Target> TrackingPages::Load(tracking::TokenKind kind,
                                                  std::string_view token) const {
    auto data = Verify(kind, token);
    if (!data) return Fail(data.error());
    auto d = deliveries_.Load(DeliveryId(data->delivery_id));
    if (!d) {
        if (d.error().code == ErrorCode::kNotFound) return Fail(Gone());
        return Fail(d.error());
    }
    auto profile = records_.Get(Actor::System(), "profile", data->profile_id);
    if (!profile) {
        if (profile.error().code == ErrorCode::kNotFound) return Fail(Gone());
        return Fail(profile.error());
    }
    return Target{std::move(*data), std::move(*d), std::move(*profile)};
}

Result<std::vector<PageService>> TrackingPages::ActiveServices(std::int64_t profile_id) const {
    const auto dialect = db_.dialect();
    storage::Params params(dialect);
    // expires_at is RFC 3339 text on SQLite (comparable as text), timestamptz on PostgreSQL.
    const std::string now = params.Add(FormatRfc3339(clock_.Now()));
    const std::string sql = fmt::format(
        "SELECT s.id, s.name, s.label, s.public_label FROM subscriptions sub "
        "JOIN services s ON s.id = sub.service_id "
        "WHERE sub.profile_id = {} AND s.channel = 'email' "
        "AND (sub.expires_at IS NULL OR sub.expires_at > {}) ORDER BY s.name, s.id",
        params.Add(profile_id),
        dialect == storage::Dialect::kPostgres ? "CAST(" + now + " AS timestamptz)" : now);
    auto rows =
        storage::WithRead(db_, [&](Transaction& tx) { return tx.QuerySql(sql, params.values()); });
    if (!rows) return Fail(rows.error());
    std::vector<PageService> out;
    for (const auto& r : rows->rows) {
        PageService s;
        s.id = storage::AsInt(r.at(0));
        s.name = storage::AsString(r.at(1));
        const std::string label = storage::AsString(r.at(2));
        const std::string public_label = storage::AsString(r.at(3));
        s.label = !public_label.empty() ? public_label : !label.empty() ? label : s.name;
        out.push_back(std::move(s));
    }
    return out;
}

void TrackingPages::Record(tracking::EventKind kind, const tracking::TokenData& token,
                           std::string_view user_agent, std::string_view remote_address) const {
    ingestor_.Accept(tracking::MakeEvent(kind, token, -1, clock_.Now(),
                                         tracking::ClassifyAgent(user_agent, remote_address),
                                         user_agent));
}

Result<UnsubscribeView> TrackingPages::ViewUnsubscribe(std::string_view token) const {
    UnsubscribeView view;
    if (token == kProofToken) {
        view.proof = true;
        return view;
    }
    auto target = Load(tracking::TokenKind::kUnsubscribe, token);
    if (!target) return Fail(target.error());
    view.delivery_id = target->token.delivery_id;
    view.profile_id = target->token.profile_id;
    view.masked_address = MaskAddress(StringMember(target->profile, "email"));
    const json::value* from = target->delivery.content.if_contains("from");
    view.sender = from && from->is_object() ? StringMember(from->get_object(), "name") : "";
    if (view.sender.empty()) view.sender = target->delivery.label;
    const json::value* blocked = target->profile.if_contains("blockEmail");
    view.already = blocked && blocked->is_bool() && blocked->get_bool();
    if (!view.already) {
        auto services = ActiveServices(view.profile_id);
        if (!services) return Fail(services.error());
        view.services = std::move(*services);
    }
    return view;
}

Result<UnsubscribeOutcome> TrackingPages::Unsubscribe(std::string_view token,
                                                      const UnsubscribeChoice& choice) const {
    auto view = ViewUnsubscribe(token);
    if (!view) return Fail(view.error());
    UnsubscribeOutcome out;
    out.proof = view->proof;
    out.masked_address = view->masked_address;
    out.sender = view->sender;
    if (view->proof) return out;
    const std::int64_t profile_id = view->profile_id;
    const Actor actor = PageActor(choice.remote_address);

    if (choice.all) {
        const auto dialect = db_.dialect();
        const bool pg = dialect == storage::Dialect::kPostgres;
        auto changed = storage::WithWrite(db_, [&](Transaction& tx) -> Result<bool> {
            storage::Params params(dialect);
            const std::string stamp = params.Add(FormatRfc3339(clock_.Now()));
            const std::string by = params.Add(actor.username);
            const std::string id = params.Add(profile_id);
            // Only the request that flips the flag counts: a double click changes nothing.
            const std::string sql = fmt::format(
                "UPDATE profiles SET block_email = {}, modified_at = {}, modified_by = {} "
                "WHERE id = {} AND block_email = {} RETURNING id",
                pg ? "true" : "1", pg ? "CAST(" + stamp + " AS timestamptz)" : stamp, by, id,
                pg ? "false" : "0");
            auto rows = tx.QuerySql(sql, params.values());
            if (!rows) return Fail(rows.error());
            if (rows->empty()) return false;
            auto st = audit_.Record(tx, actor, "profile.unsubscribe", "profile",
                                    std::to_string(profile_id),
                                    {{"origin", std::string(kOrigin)},
                                     {"scope", "all"},
                                     {"deliveryId", std::to_string(view->delivery_id)}});
            if (!st) return Fail(st.error());
            return true;
        });
        if (!changed) return Fail(changed.error());
        out.already = !*changed;
        out.blocked_email = *changed;
    } else {
        if (view->already) {
            out.already = true;
            return out;
        }
        for (const auto& name : choice.services) {
            auto it = std::find_if(view->services.begin(), view->services.end(),
                                   [&](const PageService& s) { return s.name == name; });
            if (it == view->services.end()) continue;  // left already (a second submit)
            auto st = subscriptions_.Unsubscribe(actor, it->id, profile_id, kOrigin);
            if (!st) {
                if (st.error().code == ErrorCode::kNotFound) continue;  // a concurrent submit
                return Fail(st.error());
            }
            if (std::none_of(out.left.begin(), out.left.end(),
                             [&](const PageService& s) { return s.id == it->id; })) {
                out.left.push_back(*it);
            }
        }
        out.unchanged = out.left.empty();
        if (!out.unchanged) {
            std::string names;
            for (const auto& s : out.left) names += (names.empty() ? "" : ",") + s.name;
            auto st = storage::WithWrite(db_, [&](Transaction& tx) -> Status {
                return audit_.Record(tx, actor, "profile.unsubscribe", "profile",
                                     std::to_string(profile_id),
                                     {{"origin", std::string(kOrigin)},
                                      {"scope", "services"},
                                      {"services", names},
                                      {"deliveryId", std::to_string(view->delivery_id)}});
            });
            if (!st) return Fail(st.error());
        }
    }
    if (!out.already && !out.unchanged) {
        tracking::TokenData data;
        data.delivery_id = view->delivery_id;
        data.profile_id = profile_id;
        Record(tracking::EventKind::kUnsubscribe, data, choice.user_agent, choice.remote_address);
    }
    return out;
}

Result<std::string> TrackingPages::Mirror(std::string_view token, std::string_view user_agent,
                                          std::string_view remote_address) const {
    auto target = Load(tracking::TokenKind::kMirror, token);
    if (!target) return Fail(target.error());
    const std::int64_t delivery_id = target->token.delivery_id;
    const std::int64_t profile_id = target->token.profile_id;
    auto content = delivery::ParseContent(target->delivery.content);
    if (!content) return Fail(content.error());
    render::FragmentProvider provider;
    if (fragments_) {
        auto p = fragments_->Provider();
        if (!p) return Fail(p.error());
        provider = std::move(*p);
    }
    auto compiled = delivery::CompileContent(*content, /*strict=*/false, provider);
    if (!compiled) return Fail(compiled.error());
    if (!compiled->html) return Fail(Gone());  // a text-only message has no page

    // The profile as the sender loads it: its fields plus the first rows of each 1-N link
    // the content reads.
    json::object profile = std::move(target->profile);
    const auto model = schema_.Current();
    for (const auto& link : model->ReverseLinks("profile")) {
        const bool wanted = compiled->whole_profile ||
                            std::binary_search(compiled->profile_fields.begin(),
                                               compiled->profile_fields.end(), link.name);
        if (!wanted) continue;
        ListQuery query;
        query.page.limit = delivery::kLinkRows;
        query.equals.emplace_back(link.link->name, std::to_string(profile_id));
        auto rows = records_.List(Actor::System(), link.source->name, query);
        if (!rows) return Fail(rows.error());
        json::array items;
        for (auto& row : rows->items) items.emplace_back(std::move(row));
        profile[link.name] = std::move(items);
    }
    const std::string zone = StringMember(profile, "timeZone");

    auto links = links_.Get(delivery_id);
    if (!links) return Fail(links.error());
    const tracking::TrackingUrls urls(public_url_, keys_.Current(), delivery_id, *links);
    render::Context ctx;
    ctx.profile = render::FromJson(json::value(std::move(profile)));
    ctx.delivery = render::FromJson(
        json::value(json::object{{"id", delivery_id}, {"label", target->delivery.label}}));
    ctx.unsubscribe_url = render::Value(urls.Unsubscribe(profile_id));
    ctx.mirror_url = render::Value(urls.Mirror(profile_id));
    render::RenderOptions options;
    options.time_zone = zone;
    options.now = std::chrono::floor<std::chrono::seconds>(clock_.Now());
    options.rewrite_link = [&urls, profile_id](const render::LinkInfo& link,
                                               std::string_view rendered, std::string& out) {
        urls.Click(profile_id, link, rendered, out);
    };
    std::string html;
    if (auto st = compiled->html->Render(ctx, options, html); !st) return Fail(st.error());
    Record(tracking::EventKind::kMirror, target->token, user_agent, remote_address);
    return html;
}

}  // namespace overture::service
