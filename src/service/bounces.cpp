#include "service/bounces.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <limits>

#include "common/strings.hpp"
#include "service/queries.hpp"
#include "storage/field_values.hpp"

namespace overture::service {

namespace json = boost::json;
using email::Outcome;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

std::optional<Outcome> ParseOutcome(std::string_view name) {
    for (auto o : {Outcome::kSent, Outcome::kSoftFailure, Outcome::kHardFailure, Outcome::kIgnored,
                   Outcome::kRouteFailure}) {
        if (email::OutcomeName(o) == name) return o;
    }
    return std::nullopt;
}

BounceRule RuleFromRow(const std::vector<Value>& r) {
    BounceRule out;
    out.id = AsInt(r[0]);
    out.rule.name = AsString(r[2]);
    out.rule.code = static_cast<int>(AsInt(r[3]));
    out.rule.status_prefix = AsString(r[4]);
    out.rule.text_pattern = AsString(r[5]);
    out.rule.outcome = ParseOutcome(AsString(r[6])).value_or(Outcome::kSoftFailure);
    out.rule.reason = AsString(r[7]);
    return out;
}

StoredBounce BounceFromRow(const std::vector<Value>& r) {
    StoredBounce b;
    b.id = AsInt(r[0]);
    b.received_at = FromUnixMillis(AsInt(r[1]));
    b.source = AsString(r[2]);
    b.event.kind =
        AsString(r[3]) == "complaint" ? email::BounceKind::kComplaint : email::BounceKind::kDsn;
    if (!IsNull(r[4]) && !IsNull(r[5])) b.event.key = email::MessageKey{AsInt(r[4]), AsInt(r[5])};
    b.event.recipient = AsString(r[6]);
    b.event.action = AsString(r[7]);
    b.event.status = AsString(r[8]);
    b.event.diagnostic = AsString(r[9]);
    b.event.feedback_type = AsString(r[10]);
    b.event.original_message_id = AsString(r[11]);
    b.event.classification.outcome = ParseOutcome(AsString(r[12])).value_or(Outcome::kIgnored);
    b.event.classification.reason = AsString(r[13]);
    if (!IsNull(r[14])) b.applied_at = FromUnixMillis(AsInt(r[14]));
    return b;
}

}  // namespace

void BounceService::Invalidate() const {
    std::lock_guard lock(mu_);
    classifier_.reset();
}

Result<std::shared_ptr<const email::Classifier>> BounceService::Classifier() const {
    {
        std::lock_guard lock(mu_);
        if (classifier_) return classifier_;
    }
    auto rows =
        storage::WithRead(db_, [&](Transaction& tx) { return tx.Query(q::kBounceRuleList, {}); });
    if (!rows) return Fail(rows.error());
    std::vector<email::ClassificationRule> extra;
    for (const auto& row : rows->rows) extra.push_back(RuleFromRow(row).rule);
    auto built = email::Classifier::Create(std::move(extra));
    if (!built) return Fail(built.error());
    auto shared = std::make_shared<const email::Classifier>(std::move(*built));
    std::lock_guard lock(mu_);
    classifier_ = shared;
    return shared;
}

Result<std::vector<BounceRule>> BounceService::ListRules(const Actor& actor) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto rows =
        storage::WithRead(db_, [&](Transaction& tx) { return tx.Query(q::kBounceRuleList, {}); });
    if (!rows) return Fail(rows.error());
    std::vector<BounceRule> out;
    for (const auto& row : rows->rows) out.push_back(RuleFromRow(row));
    for (const auto& rule : email::Classifier::DefaultRules()) {
        out.push_back(BounceRule{std::nullopt, rule, true});
    }
    return out;
}

Result<BounceRule> BounceService::CreateRule(const Actor& actor,
                                             const email::ClassificationRule& rule) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    const std::string name(Trim(rule.name));
    if (name.empty() || name.size() > 200) {
        return Fail(Error::InvalidField("name", "name is required (at most 200 characters)"));
    }
    const std::string reason(Trim(rule.reason));
    if (reason.empty() || reason.size() > 64 ||
        reason.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        return Fail(
            Error::InvalidField("reason",
                                "reason must be a short word of lower-case letters, digits and '_' "
                                "(such as user_unknown)"));
    }
    if (rule.text_pattern.size() > 1000) {
        return Fail(
            Error::InvalidField("textPattern", "textPattern must be at most 1000 characters"));
    }
    email::ClassificationRule checked = rule;
    checked.name = name;
    checked.reason = reason;
    if (auto c = email::Classifier::Create({checked}); !c) {
        const auto& m = c.error().message;
        std::string field = "textPattern";
        if (m.find("code") != std::string::npos && m.find("pattern") == std::string::npos) {
            field = "code";
        } else if (m.find("status") != std::string::npos &&
                   m.find("pattern") == std::string::npos) {
            field = "statusPrefix";
        }
        return Fail(Error::InvalidField(field, m));
    }
    const auto now = ToUnixMillis(clock_.Now());
    auto created = storage::WithWrite(db_, [&](Transaction& tx) -> Result<BounceRule> {
        auto rows =
            tx.Query(q::kBounceRuleInsert,
                     {checked.name, std::int64_t{checked.code}, checked.status_prefix,
                      checked.text_pattern, std::string(email::OutcomeName(checked.outcome)),
                      checked.reason, now, actor.username});
        if (!rows) return Fail(rows.error());
        const auto id = AsInt(rows->rows.at(0).at(0));
        if (auto st =
                audit_.Record(tx, actor, "bounce_rule.create", "bounce_rule", std::to_string(id),
                              {{"name", checked.name},
                               {"code", std::to_string(checked.code)},
                               {"statusPrefix", checked.status_prefix},
                               {"textPattern", checked.text_pattern},
                               {"outcome", std::string(email::OutcomeName(checked.outcome))},
                               {"reason", checked.reason}});
            !st) {
            return Fail(st.error());
        }
        return BounceRule{id, checked, false};
    });
    Invalidate();
    return created;
}

Status BounceService::DeleteRule(const Actor& actor, std::int64_t id) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    auto done = storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto n = tx.Exec(q::kBounceRuleDelete, {id});
        if (!n) return Fail(n.error());
        if (*n == 0) {
            return Fail(Error::NotFound(fmt::format(
                "there is no bounce rule with id {} (built-in rules cannot be deleted)", id)));
        }
        return audit_.Record(tx, actor, "bounce_rule.delete", "bounce_rule", std::to_string(id));
    });
    Invalidate();
    return done;
}

Result<ReplyClassification> BounceService::ClassifyReply(const Actor& actor,
                                                         std::string_view reply) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (Trim(reply).empty()) return Fail(Error::InvalidField("reply", "reply is required"));
    auto classifier = Classifier();
    if (!classifier) return Fail(classifier.error());
    ReplyClassification out;
    email::Classifier::SplitReply(reply, out.code, out.status, out.text);
    out.classification = (*classifier)->Classify(out.code, out.status, out.text);
    return out;
}

Result<std::int64_t> BounceService::Insert(Transaction& tx, const email::BounceEvent& e,
                                           std::string_view source,
                                           const std::optional<std::string>& external_id) const {
    auto rows = tx.Query(
        q::kBounceEventInsert,
        {ToUnixMillis(clock_.Now()), std::string(source),
         std::string(e.kind == email::BounceKind::kComplaint ? "complaint" : "bounce"),
         e.key ? Value(e.key->delivery_id) : Value(), e.key ? Value(e.key->recipient_id) : Value(),
         e.recipient, e.action, e.status, e.diagnostic, e.feedback_type, e.original_message_id,
         std::string(email::OutcomeName(e.classification.outcome)), e.classification.reason,
         external_id ? Value(*external_id) : Value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::int64_t{0};
    return AsInt(rows->rows.at(0).at(0));
}

Result<WebhookResult> BounceService::RecordWebhook(const Actor& actor,
                                                   const json::value& body) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    std::vector<const json::value*> items;
    bool batch = false;
    if (body.is_object() && body.as_object().contains("events")) {
        batch = true;
        const auto& events = body.as_object().at("events");
        if (!events.is_array() || events.as_array().empty()) {
            return Fail(
                Error::InvalidField("events", "events must be a non-empty array of events"));
        }
        if (events.as_array().size() > kMaxWebhookEvents) {
            return Fail(Error::InvalidField(
                "events", fmt::format("at most {} events per request", kMaxWebhookEvents)));
        }
        for (const auto& e : events.as_array()) items.push_back(&e);
    } else {
        items.push_back(&body);
    }
    auto classifier = Classifier();
    if (!classifier) return Fail(classifier.error());
    std::vector<email::BounceEvent> events;
    std::vector<std::optional<std::string>> ids;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto e = email::BounceEventFromJson(*items[i], **classifier);
        std::optional<std::string> id;
        if (e && items[i]->is_object()) {
            if (const auto* v = items[i]->as_object().if_contains("id"); v && !v->is_null()) {
                if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 200) {
                    e = Fail(
                        Error::InvalidField("id", "id must be a string of 1 to 200 characters"));
                } else {
                    id = std::string(v->as_string());
                }
            }
        }
        if (!e) {
            Error err = std::move(e.error());
            if (batch) {
                const std::string prefix = fmt::format("events[{}]", i);
                auto field =
                    err.details.contains("field") ? prefix + "." + err.details["field"] : prefix;
                err.message = prefix + ": " + err.message;
                err.details["field"] = field;
            }
            return Fail(std::move(err));
        }
        events.push_back(std::move(*e));
        ids.push_back(std::move(id));
    }
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<WebhookResult> {
        WebhookResult out;
        for (std::size_t i = 0; i < events.size(); ++i) {
            auto id = Insert(tx, events[i], "webhook", ids[i]);
            if (!id) return Fail(id.error());
            if (*id == 0) {
                ++out.duplicates;
                continue;
            }
            out.stored.push_back(
                StoredBounce{*id, clock_.Now(), "webhook", events[i], std::nullopt});
        }
        return out;
    });
}

Result<std::int64_t> BounceService::RecordFromMailbox(const email::BounceEvent& event) const {
    if (event.kind == email::BounceKind::kNotABounce) return std::int64_t{0};
    return storage::WithWrite(
        db_, [&](Transaction& tx) { return Insert(tx, event, "imap", std::nullopt); });
}

Result<Page<StoredBounce>> BounceService::List(const Actor& actor, const PageRequest& page,
                                               std::int64_t delivery_id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<StoredBounce>> {
        auto rows =
            tx.Query(q::kBounceEventList, {*before, std::int64_t{page.limit} + 1, delivery_id});
        if (!rows) return Fail(rows.error());
        Page<StoredBounce> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id);
                break;
            }
            out.items.push_back(BounceFromRow(row));
        }
        return out;
    });
}

Result<std::int64_t> BounceService::Count(const Actor& actor, std::int64_t delivery_id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kBounceEventCount, {delivery_id});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

}  // namespace overture::service
