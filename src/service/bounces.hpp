#pragma once
// Bounces and complaints (docs/email.md): the rules that classify SMTP replies and bounces,
// and the events received from the IMAP bounce mailbox or the webhook.
//
// - Rules: the administrator's rules (table bounce_rules, tried in order) come before the
//   built-in table of email::Classifier::DefaultRules(); the first match decides. Reading needs
//   kReadData; adding and deleting need kManageChannels and are audited ("bounce_rule.create",
//   "bounce_rule.delete").
// - Events: every bounce or complaint is stored with its classification, so that nothing
//   accepted is lost; the deliveries module applies them to sending logs and quarantine and
//   sets applied_at. The webhook (kManageChannels) stores a batch all or nothing; the mailbox
//   reader stores one event at a time as it reads (a message whose events cannot be stored is
//   left in the mailbox for the next poll).
//
// Thread-safe (references only; the classifier is rebuilt from the table when it changes).
#include <boost/json/value.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "channels/email/bounce.hpp"
#include "channels/email/classify.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

struct BounceRule {
    std::optional<std::int64_t> id;  // none for built-in rules
    email::ClassificationRule rule;
    bool built_in = false;
};

struct StoredBounce {
    std::int64_t id = 0;
    TimePoint received_at;
    std::string source;  // "imap" or "webhook"
    email::BounceEvent event;
    std::optional<TimePoint> applied_at;
};

struct ReplyClassification {
    email::Classification classification;
    int code = 0;
    std::string status;
    std::string text;
};

inline constexpr std::size_t kMaxWebhookEvents = 1000;

struct WebhookResult {
    std::vector<StoredBounce> stored;
    int duplicates = 0;  // events whose "id" was stored before: nothing done
};

class BounceService {
  public:
    BounceService(storage::Database& db, const Clock& clock, const AuditLog& audit)
        : db_(db), clock_(clock), audit_(audit) {}

    Result<std::vector<BounceRule>> ListRules(const Actor& actor) const;
    // kInvalidArgument naming the field (name, code, statusPrefix, textPattern, outcome, reason).
    Result<BounceRule> CreateRule(const Actor& actor, const email::ClassificationRule& rule) const;
    Status DeleteRule(const Actor& actor, std::int64_t id) const;
    Result<ReplyClassification> ClassifyReply(const Actor& actor, std::string_view reply) const;

    // The rules in force (the administrator's, then the built-in ones), for the SMTP client
    // and the bounce reader. No permission check.
    Result<std::shared_ptr<const email::Classifier>> Classifier() const;

    // The webhook: one event object, or {"events": [...]} (at most kMaxWebhookEvents). All or
    // nothing; kInvalidArgument naming the event and member ("events[2].messageId"). An event
    // may carry the sender's "id" (1-200 characters): an id stored before is a duplicate (a
    // retried request) and is skipped, so a sender may retry safely.
    Result<WebhookResult> RecordWebhook(const Actor& actor, const boost::json::value& body) const;
    // Stores one event read from the bounce mailbox (kNotABounce events are not stored: they
    // return 0). No permission check: for the server's mailbox reader only.
    Result<std::int64_t> RecordFromMailbox(const email::BounceEvent& event) const;

    Result<Page<StoredBounce>> List(const Actor& actor, const PageRequest& page,
                                    std::int64_t delivery_id) const;
    Result<std::int64_t> Count(const Actor& actor, std::int64_t delivery_id) const;

  private:
    // The new row's id, or 0 when `external_id` was stored before.
    Result<std::int64_t> Insert(storage::Transaction& tx, const email::BounceEvent& event,
                                std::string_view source,
                                const std::optional<std::string>& external_id) const;
    void Invalidate() const;

    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    mutable std::mutex mu_;
    mutable std::shared_ptr<const email::Classifier> classifier_;  // cache; null: rebuild
};

}  // namespace overture::service
