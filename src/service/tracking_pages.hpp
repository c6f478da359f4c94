#pragma once
// TrackingPages: what stands behind a recipient's own pages (docs/tracking.md, "Unsubscribe"
// and "Mirror pages"). The HTTP layer (http/api_tracking.cpp) turns the results into HTML;
// this class decides whose page it is, what it may change and what it shows.
//
// Every page is reached through a signed token (tracking/token.hpp): the unsubscribe token
// (kind 'u') and the mirror token (kind 'm') name the delivery and the profile, so a page can
// only ever read or change the profile the message was sent to. A token signed with a key this
// node does not know yet (a rotation on another node) triggers one key reload, at most once a
// second. The literal token "proof" (what proofs carry, service/email_sending.cpp) is valid and
// changes nothing.
//
// Unsubscribing: "all" sets the profile's blockEmail; "services" deletes the chosen active email
// subscriptions (SubscriptionService, history origin "unsubscribe link"). A change that changes
// something writes an audit entry ("profile.unsubscribe", origin "unsubscribe link") and accepts
// one `unsubscribe` event; a change that changes nothing ("already unsubscribed") neither.
//
// Mirror: the delivery's HTML rendered for the profile as the sender renders it (profile fields
// and 1-N links, delivery data, signed unsubscribe and mirror URLs, tracked click URLs) without
// the open pixel; one `mirror` event per view.
//
// Thread-safe (holds references; the refresh throttle is atomic).
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "service/audit.hpp"
#include "service/deliveries.hpp"
#include "service/fragments.hpp"
#include "service/records.hpp"
#include "service/schema_service.hpp"
#include "service/subscriptions.hpp"
#include "storage/database.hpp"
#include "tracking/ingest.hpp"
#include "tracking/keys.hpp"
#include "tracking/links.hpp"
#include "tracking/token.hpp"

namespace overture::service {

// A service a recipient may leave.
struct PageService {
    std::int64_t id = 0;
    std::string name;
    std::string label;  // publicLabel, else label, else name
};

// What the unsubscribe page shows.
struct UnsubscribeView {
    bool proof = false;  // the token of a proof: the page explains and changes nothing
    std::int64_t delivery_id = 0;
    std::int64_t profile_id = 0;
    std::string masked_address;         // "j***@example.com"
    std::string sender;                 // the delivery's from name, else its label
    bool already = false;               // blockEmail is set: nothing left to unsubscribe from
    std::vector<PageService> services;  // the profile's active email subscriptions
};

struct UnsubscribeChoice {
    bool all = true;                    // set blockEmail
    std::vector<std::string> services;  // service names to leave, when !all
    std::string user_agent;             // for the event
    std::string remote_address;         // for the event and the audit trail
};

struct UnsubscribeOutcome {
    bool proof = false;
    bool already = false;           // blockEmail was set before: nothing changed (no event)
    bool unchanged = false;         // services scope: each chosen service was left before
    bool blocked_email = false;     // blockEmail was set now
    std::vector<PageService> left;  // services left now
    std::string masked_address;
    std::string sender;
};

class TrackingPages {
  public:
    static constexpr std::string_view kProofToken = "proof";
    static constexpr std::string_view kOrigin = "unsubscribe link";

    // `public_url` as in config (delivery.public_url), without a trailing slash. `fragments`
    // may be null (content with includes then fails to render).
    TrackingPages(storage::Database& db, const Clock& clock, const AuditLog& audit,
                  const SchemaService& schema, const RecordService& records,
                  const SubscriptionService& subscriptions, const DeliveryService& deliveries,
                  const FragmentService* fragments, tracking::KeyStore& keys,
                  tracking::LinkRegistry& links, tracking::Ingestor& ingestor,
                  std::string public_url);

    // The token's fields. kInvalidArgument or kPermissionDenied (tracking/token.hpp) for a
    // token that does not verify, after one key reload when it might be signed by a newer key.
    Result<tracking::TokenData> Verify(tracking::TokenKind kind, std::string_view token,
                                       std::string_view url = {}) const;

    // The unsubscribe page for `token`. Token errors as Verify; kNotFound ("This message is no
    // longer available") when the profile or the delivery no longer exists.
    Result<UnsubscribeView> ViewUnsubscribe(std::string_view token) const;
    // Applies `choice`. Fails as ViewUnsubscribe, and on storage errors. A chosen service the
    // profile is no longer subscribed to (a second submit) is skipped; when none is left now,
    // the outcome is `unchanged` (no event).
    Result<UnsubscribeOutcome> Unsubscribe(std::string_view token,
                                           const UnsubscribeChoice& choice) const;

    // The mirror page's HTML for `token` (kind 'm'), and one mirror event. Token errors as
    // Verify; kNotFound when the profile or delivery no longer exists; kInvalidArgument for
    // content that no longer renders.
    Result<std::string> Mirror(std::string_view token, std::string_view user_agent,
                               std::string_view remote_address) const;

    const Clock& clock() const { return clock_; }

  private:
    struct Target;
    Result<Target> Load(tracking::TokenKind kind, std::string_view token) const;
    Result<std::vector<PageService>> ActiveServices(std::int64_t profile_id) const;
    void Record(tracking::EventKind kind, const tracking::TokenData& token,
                std::string_view user_agent, std::string_view remote_address) const;

    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    const SchemaService& schema_;
    const RecordService& records_;
    const SubscriptionService& subscriptions_;
    const DeliveryService& deliveries_;
    const FragmentService* fragments_;
    tracking::KeyStore& keys_;
    tracking::LinkRegistry& links_;
    tracking::Ingestor& ingestor_;
    std::string public_url_;
    mutable std::atomic<std::int64_t> last_refresh_ms_{0};  // key reloads on a miss: 1/s
};

// "jane@example.com" -> "j***@example.com"; "" stays "". Public for the tests.
std::string MaskAddress(std::string_view address);

}  // namespace overture::service
