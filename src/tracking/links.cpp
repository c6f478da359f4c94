// Tracked links: the registry of a delivery's link targets (table tracking_links, cached per
// delivery) and the tracked URLs written into its messages.
#include "tracking/links.hpp"

#include "common/strings.hpp"

namespace overture::tracking {
namespace {

constexpr std::size_t kMaxCachedDeliveries = 4096;

bool IStartsWith(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

}  // namespace

std::string StaticUrl(std::string_view source) {
    if (source.find("{{") != std::string_view::npos ||
        source.find("{%") != std::string_view::npos) {
        return {};
    }
    return std::string(Trim(DecodeHtmlEntities(source)));
}

std::string EncodeQueryValue(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size() * 3 / 2 + 8);
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        }
    }
    return out;
}

bool IsHttpUrl(std::string_view url) {
    std::string_view rest;
    if (IStartsWith(url, "http://")) {
        rest = url.substr(7);
    } else if (IStartsWith(url, "https://")) {
        rest = url.substr(8);
    } else {
        return false;
    }
    // A host must follow; control characters never belong in a redirect target (a space from
    // profile data may: the redirect's Location carries it as it is, like a browser would).
    if (rest.empty() || rest[0] == '/' || rest[0] == '\\' || rest[0] == '?' || rest[0] == '#') {
        return false;
    }
    for (char ch : url) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
}

LinkRegistry::LinkRegistry(storage::Database& db) : db_(db) {}

Result<std::shared_ptr<const DeliveryLinks>> LinkRegistry::Register(
    std::int64_t delivery_id, const std::vector<render::LinkInfo>& links) {
    auto made = std::make_shared<DeliveryLinks>();
    std::vector<std::vector<storage::Value>> rows;
    for (const render::LinkInfo& link : links) {
        if (!link.tracked) continue;
        TrackedLink t{.link_id = static_cast<std::int32_t>(link.id),
                      .url = StaticUrl(link.source),
                      .label = link.label,
                      .category = link.category};
        rows.push_back(
            {delivery_id, static_cast<std::int64_t>(t.link_id), t.url, t.label, t.category});
        made->emplace(t.link_id, std::move(t));
    }
    if (!rows.empty()) {
        auto done = storage::WithWrite(db_, [&](storage::Transaction& tx) {
            return tx.ExecBatch("tracking-links-upsert", rows);
        });
        if (!done) return Fail(std::move(done.error()));
    }
    std::shared_ptr<const DeliveryLinks> stored = std::move(made);
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedDeliveries && !cache_.contains(delivery_id)) cache_.clear();
    cache_[delivery_id] = stored;
    return stored;
}

std::shared_ptr<const DeliveryLinks> LinkRegistry::Cached(std::int64_t delivery_id) const {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(delivery_id);
    return it == cache_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const DeliveryLinks>> LinkRegistry::Get(std::int64_t delivery_id) {
    if (auto cached = Cached(delivery_id)) return cached;
    auto rows = storage::WithRead(db_, [&](storage::Transaction& tx) {
        return tx.Query("tracking-links-list", {delivery_id});
    });
    if (!rows) return Fail(std::move(rows.error()));
    auto made = std::make_shared<DeliveryLinks>();
    for (const auto& row : rows->rows) {
        TrackedLink t{.link_id = static_cast<std::int32_t>(storage::AsInt(row[0])),
                      .url = storage::AsString(row[1]),
                      .label = storage::AsString(row[2]),
                      .category = storage::AsString(row[3])};
        made->emplace(t.link_id, std::move(t));
    }
    std::shared_ptr<const DeliveryLinks> loaded = std::move(made);
    // An empty answer is not cached: the links may be registered later (on another node).
    if (loaded->empty()) return loaded;
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedDeliveries && !cache_.contains(delivery_id)) cache_.clear();
    cache_[delivery_id] = loaded;
    return loaded;
}

TrackingUrls::TrackingUrls(std::string public_url, std::shared_ptr<const TrackingKeys> keys,
                           std::int64_t delivery_id, std::shared_ptr<const DeliveryLinks> links)
    : base_(std::move(public_url)),
      keys_(std::move(keys)),
      delivery_id_(delivery_id),
      links_(std::move(links)) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

std::string TrackingUrls::Open(std::int64_t profile_id, std::int64_t rendered_at_s) const {
    return base_ + "/t/o/" + keys_->Sign(TokenKind::kOpen, delivery_id_, profile_id, rendered_at_s);
}

void TrackingUrls::Click(std::int64_t profile_id, const render::LinkInfo& link,
                         std::string_view rendered_url, std::string& out) const {
    const TrackedLink* tracked = nullptr;
    if (links_) {
        auto it = links_->find(static_cast<std::int32_t>(link.id));
        if (it != links_->end()) tracked = &it->second;
    }
    if (tracked == nullptr || !IsHttpUrl(rendered_url)) {
        out.append(rendered_url);
        return;
    }
    const std::int64_t link_id = tracked->link_id;
    out.append(base_);
    out.append("/t/c/");
    if (!tracked->url.empty() && tracked->url == rendered_url) {
        out.append(keys_->Sign(TokenKind::kClick, delivery_id_, profile_id, link_id));
        return;
    }
    out.append(keys_->Sign(TokenKind::kClick, delivery_id_, profile_id, link_id, rendered_url));
    out.append("?u=");
    out.append(EncodeQueryValue(rendered_url));
}

std::string TrackingUrls::Unsubscribe(std::int64_t profile_id) const {
    return base_ + "/t/u/" + keys_->Sign(TokenKind::kUnsubscribe, delivery_id_, profile_id);
}

std::string TrackingUrls::Mirror(std::int64_t profile_id) const {
    return base_ + "/m/" + keys_->Sign(TokenKind::kMirror, delivery_id_, profile_id);
}

}  // namespace overture::tracking
