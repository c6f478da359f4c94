#pragma once
// Asynchronous bounces and complaints: delivery status notifications (DSN, RFC 3464), abuse
// feedback reports (ARF, RFC 5965) and the non-standard plain-text bounces some providers still
// send, turned into events that name our message (delivery, recipient) and carry the same
// classification as a synchronous SMTP reply (classify.hpp). Also the JSON form of the same
// events, which the bounce webhook accepts.
//
// Which message a report is about, first match wins:
//   1. the Message-ID of the original message attached to the report (message/rfc822,
//      message/global, text/rfc822-headers or message/global-headers part);
//   2. the DSN's Original-Envelope-Id, and the report's In-Reply-To / References /
//      X-Original-Message-ID headers (parsed as one of our Message-IDs or VERP addresses);
//   3. a VERP address: the report's To, X-Original-To, Delivered-To, Envelope-To headers, the
//      ARF Original-Mail-From field, the original's Return-Path;
//   4. one of our Message-IDs ("<ov.…@…>") anywhere in the raw text (plain-text bounces quote
//      the original headers in their body).
// A report none of these identify still gives events, with `key` empty, for the log.
//
// Thread-safety: pure functions and plain values; the Classifier is only read.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "channels/email/classify.hpp"
#include "channels/email/message_id.hpp"
#include "common/error.hpp"

namespace overture::email {

enum class BounceKind {
    kDsn,         // a delivery failed or is delayed (also plain-text bounces)
    kComplaint,   // the recipient reported the message as spam (ARF abuse, fraud, virus, other)
    kNotABounce,  // anything else: auto-replies, success reports, mail that is not a report
};

// "bounce", "complaint", "none".
std::string_view BounceKindName(BounceKind kind);

struct BounceEvent {
    BounceKind kind = BounceKind::kNotABounce;
    std::optional<MessageKey> key;  // our message, when the report names it
    std::string recipient;          // the address that failed or complained, lower-cased; may be ""
    std::string action;             // DSN Action: "failed" or "delayed"; "" for complaints
    std::string status;             // enhanced status "5.1.1"; "" when the report has none
    std::string diagnostic;         // DSN Diagnostic-Code as written ("smtp; 550 5.1.1 ..."), or
                                    // for kNotABounce why the message is not one
    std::string feedback_type;      // ARF Feedback-Type, lower case ("abuse", "fraud", ...)
    // kDsn: the rule table's verdict on Status + Diagnostic-Code (a delayed DSN is usually soft).
    // kComplaint: always {kIgnored, "complaint"}: nothing to retry or quarantine; the complaint
    // itself (kind) is what unsubscribes or denylists. kNotABounce: {kIgnored, "not_a_bounce"}.
    Classification classification{Outcome::kIgnored, "not_a_bounce"};
    std::string original_message_id;  // as found, angle brackets included; "" if none
};

// One event per failed or delayed recipient of a DSN, one per ARF report, and exactly one
// kNotABounce event for anything else (including input the MIME parser refuses, with the reason
// in `diagnostic`). Never throws; never returns an empty vector.
std::vector<BounceEvent> ParseBounce(std::string_view raw_message, const Classifier& classifier);

// Fills `event.classification` from its kind, status and diagnostic, as ParseBounce does.
void ClassifyBounce(BounceEvent& event, const Classifier& classifier);

// The webhook's JSON form:
//   {"type": "bounce" | "complaint", "messageId": "<ov.…>", "returnPath": "bounces+…@…",
//    "recipient": "a@b", "status": "5.1.1", "diagnostic": "smtp; 550 …", "action": "failed",
//    "feedbackType": "abuse"}
// "type" and one of "messageId" / "returnPath" (that identifies one of our messages) are
// required; the rest is optional ("action" defaults to "failed", "feedbackType" to "abuse").
// Unknown members are ignored. Fails with kInvalidArgument naming the member. The two-argument
// form also classifies; the one-argument form leaves the default classification of its kind.
Result<BounceEvent> BounceEventFromJson(const boost::json::value& json);
Result<BounceEvent> BounceEventFromJson(const boost::json::value& json,
                                        const Classifier& classifier);
// The same form, plus "outcome" and "reason" from the classification and, when known,
// "deliveryId" and "recipientId". kNotABounce events have "type": "none".
boost::json::value ToJson(const BounceEvent& event);

}  // namespace overture::email
