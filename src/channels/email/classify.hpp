#pragma once
// Classification of SMTP outcomes: one rule table for the replies our client reads during a
// transaction and for asynchronous bounces (a DSN's Status and Diagnostic-Code), so that a
// "550 5.1.1 user unknown" means the same thing whether it arrived at RCPT time or a day later in
// a bounce.
//
// A rule matches on any combination of the reply code (a class 2..5 or an exact code), an
// enhanced status prefix (RFC 3463, compared component by component: "5.1" matches "5.1.1" but
// "5.1.1" does not match "5.1.10") and an RE2 pattern over the text (case-insensitive, partial
// match). Administrator rules come first, then DefaultRules(); the first rule that matches wins.
//
// Outcomes: kSent (accepted), kSoftFailure (retry later; the address stays valid),
// kHardFailure (the address is bad: quarantine), kIgnored (the failure is about the message or our
// own configuration, not the address: neither retry nor quarantine), kRouteFailure (the route
// itself failed: connection, TLS, authentication, timeout; the message was not refused by the
// recipient's side and may be retried on the route later).
//
// Thread-safety: a Classifier is immutable after Create and may be shared between threads.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace re2 {
class RE2;
}

namespace overture::email {

enum class Outcome { kSent, kSoftFailure, kHardFailure, kIgnored, kRouteFailure };

// "sent", "soft", "hard", "ignored", "route".
std::string_view OutcomeName(Outcome outcome);

// `reason` is a short stable word: "user_unknown", "mailbox_full", "invalid_domain", "refused",
// "unreachable", "spam_rejected", "message_too_large", "policy", "throttled", "auth", "tls",
// "timeout", "connection", "complaint", "unknown", ... (rules may name their own).
struct Classification {
    Outcome outcome = Outcome::kSoftFailure;
    std::string reason;
};

struct ClassificationRule {
    std::string name;           // for error messages and logs
    int code = 0;               // 0: any; 2..5: the reply class; 100..599: this exact code
    std::string status_prefix;  // enhanced status prefix such as "5.1.1" or "4.7"; "": any
    std::string text_pattern;   // RE2, case-insensitive, partial match; "": any
    Outcome outcome = Outcome::kSoftFailure;
    std::string reason;
};

class Classifier {
  public:
    // The built-in table, in the order it is tried. See classify.cpp for why each rule exists.
    static const std::vector<ClassificationRule>& DefaultRules();

    // `extra` rules (an administrator's, from the database) are tried before the defaults.
    // Fails with kInvalidArgument naming the rule when a pattern does not compile, a code is
    // out of range or a status prefix is not digits and dots.
    static Result<Classifier> Create(std::vector<ClassificationRule> extra = {});

    Classifier(Classifier&&) noexcept;
    Classifier& operator=(Classifier&&) noexcept;
    ~Classifier();

    // `code` may be 0 (a bounce without one: the class then comes from `enhanced_status`), and
    // `enhanced_status` may be empty. Never fails: what no rule matches is a soft "unknown".
    Classification Classify(int code, std::string_view enhanced_status,
                            std::string_view text) const;

    // Splits "550 5.1.1 <x@y>: user unknown" or a multi-line reply ("550-5.1.1 ...\r\n550 5.1.1
    // ...") into its code, the enhanced status of the first line ("" when absent) and the text
    // of all lines joined by single spaces. A reply that does not start with three digits gives
    // code 0 and the whole trimmed input as text.
    static void SplitReply(std::string_view reply, int& code, std::string& enhanced_status,
                           std::string& text);

  private:
    struct Compiled;
    explicit Classifier(std::vector<Compiled> rules);
    std::vector<Compiled> rules_;
};

}  // namespace overture::email
