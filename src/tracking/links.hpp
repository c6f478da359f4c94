#pragma once
// Tracked links (docs/tracking.md, "Links"): which URLs a delivery's clicks may lead to, and
// the tracked URLs written into messages.
//
// LinkRegistry::Register stores a delivery's links (table tracking_links) when sending starts:
// one row per tracked render::LinkInfo, with the URL when the href is the same for everyone
// (its source has no `{{` or `{%`; HTML entities decoded: `&amp;` -> `&`) and '' when it is
// personalized. A click on a link with a stored URL goes there; a click on a personalized link
// goes to the URL carried in the click URL's `u` parameter, which the token's MAC covers
// (TrackingKeys::Sign with url). Either way, nothing but what we wrote into that recipient's
// message is ever a redirect target, and only http(s) URLs are.
//
// Lookups are cached per delivery (at most 4096 deliveries; then the cache starts over):
// Cached() never touches the database (the I/O threads' fast path); Get() loads on a miss.
//
// Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "render/template.hpp"
#include "storage/database.hpp"
#include "tracking/token.hpp"

namespace overture::tracking {

struct TrackedLink {
    std::int32_t link_id = 0;
    std::string url;  // '' when personalized
    std::string label;
    std::string category;
};
using DeliveryLinks = std::map<std::int32_t, TrackedLink>;

class LinkRegistry {
  public:
    explicit LinkRegistry(storage::Database& db);

    // Stores the tracked links among `links` (idempotent: an existing row is updated to the
    // same values) and caches them. Returns what it stored.
    Result<std::shared_ptr<const DeliveryLinks>> Register(
        std::int64_t delivery_id, const std::vector<render::LinkInfo>& links);
    // The cached links of a delivery, or nullptr when not cached.
    std::shared_ptr<const DeliveryLinks> Cached(std::int64_t delivery_id) const;
    // Cached, else loaded (an empty map when the delivery has none).
    Result<std::shared_ptr<const DeliveryLinks>> Get(std::int64_t delivery_id);

  private:
    storage::Database& db_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::shared_ptr<const DeliveryLinks>> cache_;
};

// The URL a href of `source` text gives everyone: entities decoded; '' when it is personalized.
std::string StaticUrl(std::string_view source);
// Percent-encodes a URL for the `u` parameter (RFC 3986 unreserved characters kept).
std::string EncodeQueryValue(std::string_view value);
// True for an absolute http:// or https:// URL with a host (case-insensitive scheme) and no
// control characters (CR and LF above all: the URL becomes a Location header).
bool IsHttpUrl(std::string_view url);

// The tracked URLs of one delivery's messages: `public_url` + /t/o, /t/c, /t/u, /m.
class TrackingUrls {
  public:
    TrackingUrls(std::string public_url, std::shared_ptr<const TrackingKeys> keys,
                 std::int64_t delivery_id, std::shared_ptr<const DeliveryLinks> links);

    std::string Open(std::int64_t profile_id, std::int64_t rendered_at_s) const;
    // The click URL of link `link.id` whose href rendered as `rendered_url` for this profile.
    // Appends to `out`. An untracked link id (not in the registry) or a non-http(s) URL gets
    // the rendered URL itself.
    void Click(std::int64_t profile_id, const render::LinkInfo& link, std::string_view rendered_url,
               std::string& out) const;
    std::string Unsubscribe(std::int64_t profile_id) const;
    std::string Mirror(std::int64_t profile_id) const;

  private:
    std::string base_;
    std::shared_ptr<const TrackingKeys> keys_;
    std::int64_t delivery_id_;
    std::shared_ptr<const DeliveryLinks> links_;
};

}  // namespace overture::tracking
