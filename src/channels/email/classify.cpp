// The SMTP reply and bounce classifier: the default rule table and the matcher. See
// classify.hpp for the contract.
#include "channels/email/classify.hpp"

#include <re2/re2.h>

#include <cctype>

namespace overture::email {

std::string_view OutcomeName(Outcome outcome) {
    switch (outcome) {
        case Outcome::kSent:
            return "sent";
        case Outcome::kSoftFailure:
            return "soft";
        case Outcome::kHardFailure:
            return "hard";
        case Outcome::kIgnored:
            return "ignored";
        case Outcome::kRouteFailure:
            return "route";
    }
    return "unknown";
}

struct Classifier::Compiled {
    ClassificationRule rule;
    std::unique_ptr<const re2::RE2> pattern;  // null when the rule has no text pattern
};

namespace {

constexpr Outcome kSent = Outcome::kSent;
constexpr Outcome kSoft = Outcome::kSoftFailure;
constexpr Outcome kHard = Outcome::kHardFailure;
constexpr Outcome kIgnored = Outcome::kIgnored;
constexpr Outcome kRoute = Outcome::kRouteFailure;

// Spam, block lists and reputation: the receiver refuses *us*, not the address.
constexpr const char* kSpamText =
    "spam|unsolicited|blocked|block ?list|black ?list|deny ?list|reputation|spamhaus|"
    "\\brbl\\b|dnsbl|barracuda|spamcop|sorbs|banned sending ip|\\bbl\\d+\\b|junk|"
    "content (was )?rejected|message content|security issue|phish|virus|malware";
// Sender authentication and DMARC: our configuration (SPF, DKIM, alignment) is at fault.
constexpr const char* kAuthPolicyText =
    "dmarc|\\bspf\\b|dkim|authenticat(e|ion|ed) (sender|domain)|not authenticated|"
    "sender (domain )?(policy|verify)|5\\.7\\.2[3-9]";
// The recipient mailbox does not exist (or no longer accepts mail).
constexpr const char* kUserUnknownText =
    "user ?unknown|unknown user|no such (user|mailbox|recipient|account)|does not exist|"
    "doesn't exist|(doesn't|does not) have an? \\S+ account|invalid "
    "(recipient|mailbox|address|user)|recipient ?not ?found|"
    "unknown (recipient|mailbox|local part|address)|mailbox (unavailable|not found|"
    "does not exist)|recipient address rejected|address rejected|user not found|"
    "account (has been )?(disabled|deactivated|closed|suspended)|not a valid (recipient|mailbox|"
    "user)|no mailbox|unrouteable address|undeliverable address|inactive (user|account|mailbox)";
// The recipient domain has no mail host.
constexpr const char* kDomainText =
    "host not found|host unknown|no mx|null mx|domain (not found|does not exist|"
    "doesn't exist|is invalid|unknown)|no such domain|unknown domain|name service error|"
    "unrouteable (mail )?domain|dns (error|failure)|nxdomain|invalid domain|"
    "domain has no (mail|valid)";
constexpr const char* kMailboxFullText =
    "mailbox (is )?full|over ?quota|quota (exceeded|full)|exceed(s|ed)? (the )?(storage|quota)|"
    "insufficient (system )?storage|out of storage|mailbox size limit|storage (space|full)";
constexpr const char* kTooLargeText =
    "too (large|big|long)|size (limit|exceeds)|exceeds? (the )?(maximum|max|message)? ?size|"
    "message length exceeds|maximum message size";
constexpr const char* kThrottleText =
    "try (again )?later|rate limit|at a rate|rate exceeded|throttl|too many|temporarily (deferred|"
    "rate|rejected)|greylist|graylist|unexpected volume|slow down|exceeded .* limit";

}  // namespace

// The defaults, in order. Earlier rules are the more specific; the last three catch each class.
const std::vector<ClassificationRule>& Classifier::DefaultRules() {
    static const std::vector<ClassificationRule> rules = {
        // Accepted: any 2xx (or a 2.x.x DSN status, "delivered" / "relayed").
        {"accepted", 2, "", "", kSent, "sent"},
        {"accepted_status", 0, "2", "", kSent, "sent"},

        // Our client and route: authentication and TLS are about our relay, never the address.
        // 530 "Must issue a STARTTLS command first", 538 encryption required.
        {"tls_required", 0, "5.7.11", "", kRoute, "tls"},
        {"tls_required_text", 5, "", "starttls|tls (is )?required|encryption required", kRoute,
         "tls"},
        // 535 5.7.8 bad credentials, 530 5.7.0 authentication required, 534 5.7.9 weak mechanism.
        {"auth_failed", 535, "", "", kRoute, "auth"},
        {"auth_failed_status", 0, "5.7.8", "", kRoute, "auth"},
        {"auth_required", 530, "", "auth", kRoute, "auth"},
        {"auth_weak", 534, "", "", kRoute, "auth"},
        // Our relay refuses to relay for us: fix the route, the address is not at fault.
        {"relay_denied", 5, "",
         "relay(ing)? (access )?(denied|not permitted|prohibited)|not permitted to relay|"
         "unable to relay",
         kRoute, "refused"},

        // Mailbox full: soft, as Adobe Campaign treats it (users empty their mailboxes), and the
        // repeated-soft-failure policy quarantines a mailbox that stays full. 4.2.2 / 5.2.2 and
        // the usual texts ("552-5.2.2 The email account that you tried to reach is over quota").
        {"mailbox_full_status", 0, "4.2.2", "", kSoft, "mailbox_full"},
        {"mailbox_full_status_5", 0, "5.2.2", "", kSoft, "mailbox_full"},
        {"mailbox_full_text", 0, "", kMailboxFullText, kSoft, "mailbox_full"},

        // The message itself is too big for the receiver (5.3.4, 5.2.3, or 552 with size text;
        // 552 with "mailbox full" text was caught above). It is our message, not the address:
        // retrying does not help and the address stays valid.
        {"message_too_large_status", 0, "5.3.4", "", kIgnored, "message_too_large"},
        {"message_too_large_status_2", 0, "5.2.3", "", kIgnored, "message_too_large"},
        {"message_too_large_text", 5, "", kTooLargeText, kIgnored, "message_too_large"},

        // Null MX (RFC 7505, 5.1.10 with its text) and bad destination domains (5.1.2, and 5.4.4
        // "unable to route"). Microsoft also uses 5.1.10 for unknown users, hence the text.
        {"null_mx", 0, "5.1.10", "null mx", kHard, "invalid_domain"},
        {"invalid_domain_status", 0, "5.1.2", "", kHard, "invalid_domain"},
        {"unroutable_status", 0, "5.4.4", "", kHard, "invalid_domain"},
        {"invalid_domain_text", 5, "", kDomainText, kHard, "invalid_domain"},

        // Unknown user: 5.1.1 "bad destination mailbox", 5.1.0 "other address status", 5.1.10
        // from Microsoft ("RecipientNotFound"), 5.1.6 "mailbox has moved", 5.2.1 "mailbox
        // disabled", and the common texts on any 5xx.
        {"user_unknown_status", 0, "5.1.1", "", kHard, "user_unknown"},
        {"user_unknown_status_0", 0, "5.1.0", "", kHard, "user_unknown"},
        {"user_unknown_status_10", 0, "5.1.10", "", kHard, "user_unknown"},
        {"mailbox_moved_status", 0, "5.1.6", "", kHard, "user_unknown"},
        {"mailbox_disabled_status", 0, "5.2.1", "", kHard, "user_unknown"},

        // SPF/DKIM/DMARC failures (5.7.23-5.7.29, "5.7.26 unauthenticated mail"): our
        // configuration; neither retry nor quarantine until it is fixed.
        {"sender_auth_policy", 5, "", kAuthPolicyText, kIgnored, "policy"},

        // Spam, block lists, reputation, content filters: the receiver refuses our mail, not the
        // address. Soft, so the address is not quarantined for our reputation's sake. Before the
        // generic 5.7 rules and before the user-unknown text (Yahoo: "553 5.7.1 [BL21] ...").
        {"spam_rejected", 0, "", kSpamText, kSoft, "spam_rejected"},
        // The unknown-user texts, on any 5xx without a more telling status.
        {"user_unknown_text", 5, "", kUserUnknownText, kHard, "user_unknown"},

        // Throttling: 421 (service closing), 4.7.x (policy deferrals such as Yahoo's "[TSS04]
        // temporarily deferred"), greylisting and rate texts on any 4xx.
        {"throttled_421", 421, "", "", kSoft, "throttled"},
        {"throttled_status", 0, "4.7", "", kSoft, "throttled"},
        {"throttled_text", 4, "", kThrottleText, kSoft, "throttled"},

        // Network and routing trouble on the receiving side (4.4.x: no answer, bad connection,
        // routing loop, delivery time expired; 5.4.7 expired after retries): the address may be
        // fine.
        {"unreachable_status", 0, "4.4", "", kSoft, "unreachable"},
        {"expired_status", 0, "5.4.7", "", kSoft, "unreachable"},
        {"unreachable_status_5", 0, "5.4", "", kSoft, "unreachable"},

        // Other 5.7.x: delivery not authorized, recipient refuses us. Soft "refused": nothing
        // says the address is bad, and repeated soft failures escalate anyway.
        {"refused_status", 0, "5.7", "", kSoft, "refused"},

        // Catch-alls: any other permanent failure is hard, any transient one soft.
        {"permanent", 5, "", "", kHard, "unknown"},
        {"transient", 4, "", "", kSoft, "unknown"},
    };
    return rules;
}

namespace {

bool ValidStatusPrefix(std::string_view s) {
    if (s.empty()) return true;
    bool digit = false;
    for (char c : s) {
        if (c == '.') {
            if (!digit) return false;
            digit = false;
        } else if (c >= '0' && c <= '9') {
            digit = true;
        } else {
            return false;
        }
    }
    return digit;
}

// Component-wise prefix: "5.1" matches "5.1.1", "5.1.1" does not match "5.1.10".
bool StatusMatches(std::string_view prefix, std::string_view status) {
    if (prefix.empty()) return true;
    if (!status.starts_with(prefix)) return false;
    return status.size() == prefix.size() || status[prefix.size()] == '.';
}

bool CodeMatches(int rule_code, int code, int reply_class) {
    if (rule_code == 0) return true;
    if (rule_code < 10) return rule_code == reply_class;
    return rule_code == code;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of a leading "d.ddd.ddd" enhanced status, or 0.
std::size_t StatusLength(std::string_view s) {
    if (s.size() < 5 || !IsDigit(s[0]) || s[1] != '.') return 0;
    std::size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        const std::size_t start = i;
        while (i < s.size() && IsDigit(s[i]) && i - start < 3) ++i;
        if (i == start) return 0;
        if (part == 0) {
            if (i >= s.size() || s[i] != '.') return 0;
            ++i;
        }
    }
    if (i < s.size() && s[i] != ' ' && s[i] != '\t') return 0;
    return i;
}

std::string_view TrimView(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

Classifier::Classifier(std::vector<Compiled> rules) : rules_(std::move(rules)) {}
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;
Classifier::~Classifier() = default;

Result<Classifier> Classifier::Create(std::vector<ClassificationRule> extra) {
    const auto& defaults = DefaultRules();
    std::vector<Compiled> compiled;
    compiled.reserve(extra.size() + defaults.size());
    auto add = [&](ClassificationRule rule) -> Status {
        const std::string label = "classification rule '" + rule.name + "'";
        if (rule.code != 0 && !(rule.code >= 2 && rule.code <= 5) &&
            !(rule.code >= 100 && rule.code <= 599)) {
            return Fail(Error::InvalidArgument(label + ": code must be 0, 2..5 or 100..599")
                            .With("rule", rule.name));
        }
        if (!ValidStatusPrefix(rule.status_prefix)) {
            return Fail(Error::InvalidArgument(label + ": status prefix must look like 5.1.1")
                            .With("rule", rule.name));
        }
        Compiled c;
        if (!rule.text_pattern.empty()) {
            re2::RE2::Options options;
            options.set_case_sensitive(false);
            options.set_log_errors(false);
            auto re = std::make_unique<const re2::RE2>(rule.text_pattern, options);
            if (!re->ok()) {
                return Fail(Error::InvalidArgument(label + ": bad pattern: " + re->error())
                                .With("rule", rule.name));
            }
            c.pattern = std::move(re);
        }
        c.rule = std::move(rule);
        compiled.push_back(std::move(c));
        return {};
    };
    for (auto& rule : extra) {
        if (auto s = add(std::move(rule)); !s) return Fail(std::move(s.error()));
    }
    for (const auto& rule : defaults) {
        if (auto s = add(rule); !s) return Fail(std::move(s.error()));
    }
    return Classifier(std::move(compiled));
}

Classification Classifier::Classify(int code, std::string_view enhanced_status,
                                    std::string_view text) const {
    enhanced_status = TrimView(enhanced_status);
    int reply_class = code / 100;
    if (code == 0 && !enhanced_status.empty() && IsDigit(enhanced_status[0])) {
        reply_class = enhanced_status[0] - '0';
    }
    for (const auto& c : rules_) {
        const auto& r = c.rule;
        if (!CodeMatches(r.code, code, reply_class)) continue;
        if (!StatusMatches(r.status_prefix, enhanced_status)) continue;
        if (c.pattern &&
            !re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *c.pattern)) {
            continue;
        }
        return {r.outcome, r.reason};
    }
    return {Outcome::kSoftFailure, "unknown"};
}

void Classifier::SplitReply(std::string_view reply, int& code, std::string& enhanced_status,
                            std::string& text) {
    code = 0;
    enhanced_status.clear();
    text.clear();
    reply = TrimView(reply);
    if (reply.size() < 3 || !IsDigit(reply[0]) || !IsDigit(reply[1]) || !IsDigit(reply[2]) ||
        (reply.size() > 3 && reply[3] != ' ' && reply[3] != '-' && reply[3] != '\r' &&
         reply[3] != '\n')) {
        text.assign(reply);
        return;
    }
    code = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
    bool first = true;
    while (!reply.empty()) {
        const auto eol = reply.find('\n');
        std::string_view line = reply.substr(0, eol);
        reply = eol == std::string_view::npos ? std::string_view() : reply.substr(eol + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() >= 3 && IsDigit(line[0]) && IsDigit(line[1]) && IsDigit(line[2]) &&
            (line.size() == 3 || line[3] == ' ' || line[3] == '-')) {
            line.remove_prefix(std::min<std::size_t>(line.size(), 4));
        }
        line = TrimView(line);
        if (const auto n = StatusLength(line); n > 0) {
            if (first) enhanced_status.assign(line.substr(0, n));
            line = TrimView(line.substr(n));
        }
        first = false;
        if (line.empty()) continue;
        if (!text.empty()) text.push_back(' ');
        text.append(line);
    }
}

}  // namespace overture::email
