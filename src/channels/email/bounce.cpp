// Bounce and complaint parsing; see bounce.hpp for the contract and how a message is identified.
//
// Approach: parse the MIME tree (falling back to a shallow parse that leaves attached messages
// alone when they are too broken to parse), look for the report part outside attached messages
// (message/delivery-status, message/feedback-report), find the original message's headers and
// our key, then emit one event per failed recipient or per complaint. Without a report part, a
// message that looks like a bounce (from MAILER-DAEMON or postmaster, or a bounce subject) is
// read as a plain-text bounce: the first "<address>:" line, SMTP code and enhanced status.
#include "channels/email/bounce.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "channels/email/mime_parse.hpp"
#include "common/strings.hpp"

namespace overture::email {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxJsonString = 4096;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The address in "rfc822; <a@b>", "Name <a@b>", "<a@b>" or "a@b", lower case; "" if none.
std::string ExtractAddress(std::string_view value) {
    std::string_view v = Trim(value);
    if (const auto semi = v.find(';'); semi != std::string_view::npos) {
        const std::string_view type = v.substr(0, semi);
        if (type.find('@') == std::string_view::npos) v = Trim(v.substr(semi + 1));
    }
    if (const auto lt = v.find('<'); lt != std::string_view::npos) {
        const auto gt = v.find('>', lt);
        if (gt != std::string_view::npos) v = Trim(v.substr(lt + 1, gt - lt - 1));
    }
    // The first whitespace-separated token that holds an '@'.
    std::size_t pos = 0;
    while (pos < v.size()) {
        while (pos < v.size() && (v[pos] == ' ' || v[pos] == '\t' || v[pos] == ',')) ++pos;
        std::size_t end = pos;
        while (end < v.size() && v[end] != ' ' && v[end] != '\t' && v[end] != ',') ++end;
        const std::string_view token = v.substr(pos, end - pos);
        if (token.find('@') != std::string_view::npos && token.size() <= 320) {
            std::string_view t = token;
            while (!t.empty() && (t.front() == '<' || t.front() == '"')) t.remove_prefix(1);
            while (!t.empty() &&
                   (t.back() == '>' || t.back() == '"' || t.back() == ':' || t.back() == '.')) {
                t.remove_suffix(1);
            }
            return ToLower(t);
        }
        pos = end;
    }
    return {};
}

// The first enhanced status code ("5.1.1") in `text`, or "".
std::string FindEnhancedStatus(std::string_view text) {
    for (std::size_t i = 0; i + 4 < text.size(); ++i) {
        const char c = text[i];
        if (c != '2' && c != '4' && c != '5') continue;
        if (i > 0 && (IsDigit(text[i - 1]) || text[i - 1] == '.')) continue;
        if (text[i + 1] != '.') continue;
        std::size_t j = i + 2;
        std::size_t n = 0;
        while (j < text.size() && IsDigit(text[j]) && n < 4) ++j, ++n;
        if (n == 0 || n > 3 || j >= text.size() || text[j] != '.') continue;
        std::size_t k = j + 1;
        std::size_t m = 0;
        while (k < text.size() && IsDigit(text[k]) && m < 4) ++k, ++m;
        if (m == 0 || m > 3) continue;
        if (k < text.size() &&
            (IsDigit(text[k]) || (text[k] == '.' && k + 1 < text.size() && IsDigit(text[k + 1])))) {
            continue;
        }
        return std::string(text.substr(i, k - i));
    }
    return {};
}

// The first 4xx/5xx reply code at the start of a line (after spaces) or after "said:" / "error:".
int FindReplyCode(std::string_view text) {
    for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
        if ((text[i] != '4' && text[i] != '5') || !IsDigit(text[i + 1]) || !IsDigit(text[i + 2])) {
            continue;
        }
        if (i > 0 &&
            (IsDigit(text[i - 1]) || std::isalpha(static_cast<unsigned char>(text[i - 1])) ||
             text[i - 1] == '.')) {
            continue;
        }
        if (i + 3 < text.size() && text[i + 3] != ' ' && text[i + 3] != '-' && text[i + 3] != ':' &&
            text[i + 3] != '\r' && text[i + 3] != '\n') {
            continue;
        }
        return (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
    }
    return 0;
}

// The first of our Message-IDs ("<ov.…@…>") anywhere in `text`.
std::optional<std::pair<MessageKey, std::string>> ScanForMessageId(std::string_view text) {
    std::size_t pos = 0;
    while ((pos = text.find("<ov.", pos)) != std::string_view::npos) {
        const auto end = text.find('>', pos);
        if (end == std::string_view::npos || end - pos > 300) {
            pos += 4;
            continue;
        }
        const std::string_view id = text.substr(pos, end - pos + 1);
        if (auto key = ParseMessageId(id)) return std::make_pair(*key, std::string(id));
        pos += 4;
    }
    return std::nullopt;
}

std::optional<MessageKey> KeyFromAny(std::string_view value) {
    if (auto key = ParseMessageId(value)) return key;
    if (auto key = ParseVerpAddress(value)) return key;
    const std::string address = ExtractAddress(value);
    if (!address.empty()) return ParseVerpAddress(address);
    return std::nullopt;
}

bool IsEmbeddedMessage(const MimePart& p) {
    return p.media_type == "message/rfc822" || p.media_type == "message/global";
}

bool IsHeadersPart(const MimePart& p) {
    return p.media_type == "text/rfc822-headers" || p.media_type == "message/global-headers" ||
           p.media_type == "message/rfc822-headers";
}

// The parts of the report itself: depth first, not descending into attached messages.
void Flatten(const MimePart& part, std::vector<const MimePart*>& out) {
    out.push_back(&part);
    if (!part.IsMultipart()) return;
    for (const auto& child : part.children) Flatten(child, out);
}

// What we know of the original message.
struct Original {
    std::vector<MimeHeader> headers;
    const MimePart* message = nullptr;  // when parsed as a message
    std::optional<std::string_view> Header(std::string_view name) const {
        for (const auto& h : headers) {
            if (ToLower(h.name) == ToLower(name)) return std::string_view(h.value);
        }
        return std::nullopt;
    }
};

Original FindOriginal(const std::vector<const MimePart*>& parts) {
    Original original;
    for (const MimePart* p : parts) {
        if (IsEmbeddedMessage(*p)) {
            if (!p->children.empty()) {
                original.message = &p->children.front();
                original.headers = p->children.front().headers;
            } else {
                original.headers = ParseHeaderBlock(p->body);
            }
            return original;
        }
        if (IsHeadersPart(*p)) {
            original.headers = ParseHeaderBlock(p->body);
            return original;
        }
    }
    return original;
}

struct KeyFound {
    std::optional<MessageKey> key;
    std::string message_id;
};

KeyFound FindKey(const MimePart& top, const Original& original,
                 const std::vector<MimeHeader>& report_fields, std::string_view raw) {
    KeyFound found;
    if (const auto id = original.Header("Message-ID")) {
        found.message_id = std::string(Trim(*id));
        if (auto key = ParseMessageId(*id)) {
            found.key = key;
            return found;
        }
    }
    auto try_values = [&](std::string_view value) {
        if (found.key) return;
        if (auto key = KeyFromAny(value)) found.key = key;
    };
    for (const auto& f : report_fields) {
        const std::string name = ToLower(f.name);
        if (name == "original-envelope-id" || name == "original-mail-from" ||
            name == "x-postfix-sender") {
            try_values(f.value);
        }
    }
    for (const char* name : {"X-Original-Message-ID", "In-Reply-To", "References"}) {
        for (const auto value : top.Headers(name)) {
            for (const auto token : Split(value, ' ')) try_values(token);
        }
    }
    for (const char* name : {"To", "X-Original-To", "Delivered-To", "Envelope-To"}) {
        for (const auto value : top.Headers(name)) try_values(value);
    }
    if (const auto rp = original.Header("Return-Path")) try_values(*rp);
    if (found.key) return found;
    if (auto scanned = ScanForMessageId(raw)) {
        found.key = scanned->first;
        if (found.message_id.empty()) found.message_id = scanned->second;
    }
    return found;
}

// The classifier's inputs from a DSN's Status and Diagnostic-Code. `status` becomes the more
// specific of the two enhanced status codes.
Classification ClassifyDsn(const Classifier& classifier, std::string& status,
                           std::string_view diagnostic) {
    std::string_view diag = Trim(diagnostic);
    bool smtp = true;
    if (const auto semi = diag.find(';'); semi != std::string_view::npos && semi < 20) {
        const std::string type = ToLower(Trim(diag.substr(0, semi)));
        smtp = type == "smtp";
        diag = Trim(diag.substr(semi + 1));
    }
    int code = 0;
    std::string enhanced;
    std::string text;
    if (smtp) {
        Classifier::SplitReply(diag, code, enhanced, text);
    } else {
        text = std::string(diag);
        code = FindReplyCode(diag);
        enhanced = FindEnhancedStatus(diag);
    }
    // The DSN's Status is authoritative, unless it is the vague "x.0.0" and the diagnostic has
    // a more specific one (Exim writes "Status: 5.0.0" over "550 5.1.1 user unknown").
    std::string chosen(Trim(status));
    if (chosen.empty() ||
        (chosen.ends_with(".0.0") && !enhanced.empty() && enhanced.front() == chosen.front())) {
        if (!enhanced.empty()) chosen = enhanced;
    }
    if (code == 0 && !chosen.empty()) code = (chosen.front() - '0') * 100 + 50;
    status = chosen;
    return classifier.Classify(code, chosen, text);
}

std::string FirstToken(std::string_view value) {
    value = Trim(value);
    const auto end = value.find_first_of(" \t(");
    return std::string(value.substr(0, end));
}

BounceEvent NotABounce(std::string why) {
    BounceEvent e;
    e.kind = BounceKind::kNotABounce;
    e.diagnostic = std::move(why);
    return e;
}

// The per-recipient field blocks of a delivery-status body, `rest` being what follows the
// per-message fields.
std::vector<BounceEvent> FromDsn(std::string_view rest, const KeyFound& found,
                                 const Classifier& classifier) {
    std::vector<BounceEvent> events;
    int blocks = 0;
    while (!Trim(rest).empty() && blocks < 1000) {
        ++blocks;
        const auto block = ParseHeaderBlock(rest, &rest);
        std::string action, status, diagnostic, original_rcpt, final_rcpt;
        for (const auto& f : block) {
            const std::string name = ToLower(f.name);
            if (name == "action") action = ToLower(FirstToken(f.value));
            if (name == "status") status = FirstToken(f.value);
            if (name == "diagnostic-code" && diagnostic.empty()) diagnostic = f.value;
            if (name == "original-recipient") original_rcpt = ExtractAddress(f.value);
            if (name == "final-recipient") final_rcpt = ExtractAddress(f.value);
        }
        if (action.empty() && !status.empty()) {
            action = status.front() == '5' ? "failed" : status.front() == '4' ? "delayed" : "";
        }
        if (action != "failed" && action != "delayed") continue;  // delivered, relayed, expanded
        BounceEvent e;
        e.kind = BounceKind::kDsn;
        e.key = found.key;
        e.original_message_id = found.message_id;
        e.recipient = !original_rcpt.empty() ? original_rcpt : final_rcpt;
        e.action = action;
        e.status = status.empty() ? FindEnhancedStatus(diagnostic) : status;
        e.diagnostic = diagnostic;
        e.classification = ClassifyDsn(classifier, e.status, e.diagnostic);
        events.push_back(std::move(e));
    }
    return events;
}

bool LooksLikeBounceSender(const MimePart& top) {
    const std::string from = ExtractAddress(top.Header("From").value_or(""));
    const std::string local = from.substr(0, from.find('@'));
    if (local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon") return true;
    const std::string subject = ToLower(top.DecodedHeader("Subject"));
    for (const char* s : {"undeliver", "delivery status notification", "failure notice",
                          "returned mail", "mail delivery failed", "delivery failure",
                          "delivery has failed", "could not be delivered", "nondeliverable"}) {
        if (subject.find(s) != std::string::npos) return true;
    }
    return false;
}

bool LooksLikeAutoReply(const MimePart& top) {
    const std::string auto_submitted = ToLower(top.Header("Auto-Submitted").value_or("no"));
    if (!auto_submitted.starts_with("no")) return true;
    for (const char* h : {"X-Autoreply", "X-Autorespond", "X-Auto-Response", "X-Vacation"}) {
        if (top.Header(h)) return true;
    }
    const std::string precedence = ToLower(top.Header("Precedence").value_or(""));
    if (precedence == "auto_reply") return true;
    const std::string subject = ToLower(top.DecodedHeader("Subject"));
    for (const char* s :
         {"out of office", "automatic reply", "auto-reply", "autoreply", "auto reply", "vacation",
          "abwesenheit", "absence", "automatische antwort", "automatisch antwoord",
          "réponse automatique", "respuesta automática", "risposta automatica"}) {
        if (subject.find(s) != std::string::npos) return true;
    }
    return false;
}

// A plain-text bounce (qmail, old Yahoo): the human-readable text of the report.
std::vector<BounceEvent> FromPlainText(const std::vector<const MimePart*>& parts,
                                       const KeyFound& found, const Classifier& classifier) {
    std::string_view text;
    for (const MimePart* p : parts) {
        if (p->media_type == "text/plain" && !p->body.empty()) {
            text = p->body;
            break;
        }
    }
    // Only the notice, not the quoted copy of the original message after it.
    for (const char* marker :
         {"--- Below this line is a copy of the message", "------ This is a copy of the message",
          "--- Original message follows", "Original message headers"}) {
        const auto at = text.find(marker);
        if (at != std::string_view::npos) text = text.substr(0, at);
    }
    // The recipient: a line "<address>:" (qmail and Yahoo), else the first address that is not
    // ours and not the daemon's.
    std::string recipient;
    std::string diagnostic;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        const std::string_view line =
            Trim(text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos));
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (recipient.empty()) {
            if (line.starts_with('<') && line.ends_with(">:") &&
                line.find('@') != std::string_view::npos) {
                recipient = ExtractAddress(line);
            }
            continue;
        }
        if (line.empty()) {
            if (!diagnostic.empty()) break;
            continue;
        }
        if (!diagnostic.empty()) diagnostic += ' ';
        diagnostic += line;
    }
    if (diagnostic.empty()) diagnostic = std::string(Trim(text.substr(0, 1000)));
    const int code = FindReplyCode(diagnostic);
    std::string status = FindEnhancedStatus(diagnostic);
    if (status.empty() && code != 0) status = std::to_string(code / 100) + ".0.0";
    if (status.empty() || (!found.key && recipient.empty())) return {};
    BounceEvent e;
    e.kind = BounceKind::kDsn;
    e.key = found.key;
    e.original_message_id = found.message_id;
    e.recipient = recipient;
    e.action = status.front() == '4' ? "delayed" : "failed";
    e.status = status;
    e.diagnostic = diagnostic.size() > 2000 ? diagnostic.substr(0, 2000) : diagnostic;
    e.classification = classifier.Classify(code, status, e.diagnostic);
    return {e};
}

std::vector<BounceEvent> Parse(std::string_view raw, const Classifier& classifier) {
    auto parsed = ParseMime(raw);
    if (!parsed) {
        MimeLimits shallow;
        shallow.parse_embedded_messages = false;
        parsed = ParseMime(raw, shallow);
        if (!parsed) return {NotABounce("unparseable message: " + parsed.error().message)};
    }
    const MimePart& top = *parsed;
    std::vector<const MimePart*> parts;
    Flatten(top, parts);
    const Original original = FindOriginal(parts);

    const MimePart* dsn = nullptr;
    const MimePart* arf = nullptr;
    for (const MimePart* p : parts) {
        if (!dsn && (p->media_type == "message/delivery-status" ||
                     p->media_type == "message/global-delivery-status")) {
            dsn = p;
        }
        if (!arf && p->media_type == "message/feedback-report") arf = p;
    }

    if (arf != nullptr) {
        const auto fields = ParseHeaderBlock(arf->body);
        const KeyFound found = FindKey(top, original, fields, raw);
        BounceEvent e;
        e.kind = BounceKind::kComplaint;
        e.key = found.key;
        e.original_message_id = found.message_id;
        for (const auto& f : fields) {
            const std::string name = ToLower(f.name);
            if (name == "feedback-type") e.feedback_type = ToLower(FirstToken(f.value));
            if (name == "original-rcpt-to" && e.recipient.empty()) {
                e.recipient = ExtractAddress(f.value);
            }
        }
        if (e.feedback_type == "not-spam" || e.feedback_type == "auth-failure") {
            return {NotABounce("feedback report of type " + e.feedback_type)};
        }
        if (e.feedback_type.empty()) e.feedback_type = "abuse";
        for (const char* h : {"X-HmXmrOriginalRecipient", "To"}) {
            if (!e.recipient.empty()) break;
            if (const auto v = original.Header(h)) e.recipient = ExtractAddress(*v);
        }
        e.classification = {Outcome::kIgnored, "complaint"};
        return {e};
    }

    if (dsn != nullptr) {
        std::string_view rest = dsn->body;
        const auto per_message = ParseHeaderBlock(rest, &rest);
        const KeyFound found = FindKey(top, original, per_message, raw);
        auto events = FromDsn(rest, found, classifier);
        if (events.empty()) return {NotABounce("delivery report without failed recipients")};
        return events;
    }

    if (LooksLikeBounceSender(top)) {
        const KeyFound found = FindKey(top, original, {}, raw);
        auto events = FromPlainText(parts, found, classifier);
        if (!events.empty()) return events;
    }
    if (LooksLikeAutoReply(top)) return {NotABounce("auto-reply")};
    return {NotABounce("no delivery or feedback report")};
}

std::string BoundedString(const boost::json::object& obj, std::string_view name, bool& ok,
                          std::string& error) {
    const auto* v = obj.if_contains(name);
    if (v == nullptr || v->is_null()) return {};
    if (!v->is_string()) {
        ok = false;
        error = "\"" + std::string(name) + "\" must be a string";
        return {};
    }
    const auto& s = v->get_string();
    if (s.size() > kMaxJsonString) {
        ok = false;
        error = "\"" + std::string(name) + "\" is longer than " + std::to_string(kMaxJsonString);
        return {};
    }
    return std::string(s);
}

bool IsStatus(std::string_view s) { return FindEnhancedStatus(s) == s; }

// JSON text must be UTF-8; 8-bit diagnostics in other charsets are read as Latin-1.
json::string Utf8(std::string_view s) {
    if (IsValidUtf8(s)) return json::string(s);
    std::string out;
    for (const char c : s) AppendUtf8(out, static_cast<unsigned char>(c));
    return json::string(out);
}

}  // namespace

std::string_view BounceKindName(BounceKind kind) {
    switch (kind) {
        case BounceKind::kDsn:
            return "bounce";
        case BounceKind::kComplaint:
            return "complaint";
        case BounceKind::kNotABounce:
            return "none";
    }
    return "none";
}

std::vector<BounceEvent> ParseBounce(std::string_view raw_message, const Classifier& classifier) {
    try {
        auto events = Parse(raw_message, classifier);
        if (events.empty()) events.push_back(NotABounce("no event"));
        return events;
    } catch (const std::exception& e) {  // bad_alloc, or a bug: never take the reader down
        return {NotABounce(std::string("parse failure: ") + e.what())};
    }
}

void ClassifyBounce(BounceEvent& event, const Classifier& classifier) {
    switch (event.kind) {
        case BounceKind::kDsn:
            event.classification = ClassifyDsn(classifier, event.status, event.diagnostic);
            return;
        case BounceKind::kComplaint:
            event.classification = {Outcome::kIgnored, "complaint"};
            return;
        case BounceKind::kNotABounce:
            event.classification = {Outcome::kIgnored, "not_a_bounce"};
            return;
    }
}

Result<BounceEvent> BounceEventFromJson(const boost::json::value& json) {
    if (!json.is_object()) return Fail(Error::InvalidArgument("a bounce event must be an object"));
    const auto& obj = json.get_object();
    bool ok = true;
    std::string error;
    BounceEvent e;
    const std::string type = BoundedString(obj, "type", ok, error);
    const std::string message_id = BoundedString(obj, "messageId", ok, error);
    const std::string return_path = BoundedString(obj, "returnPath", ok, error);
    e.recipient = ToLower(Trim(BoundedString(obj, "recipient", ok, error)));
    e.status = std::string(Trim(BoundedString(obj, "status", ok, error)));
    e.diagnostic = BoundedString(obj, "diagnostic", ok, error);
    e.action = ToLower(Trim(BoundedString(obj, "action", ok, error)));
    e.feedback_type = ToLower(Trim(BoundedString(obj, "feedbackType", ok, error)));
    if (!ok) return Fail(Error::InvalidArgument(error));
    if (type == "bounce") {
        e.kind = BounceKind::kDsn;
        if (e.action.empty()) e.action = "failed";
        if (e.action != "failed" && e.action != "delayed") {
            return Fail(Error::InvalidArgument("\"action\" must be \"failed\" or \"delayed\""));
        }
        if (!e.status.empty() && !IsStatus(e.status)) {
            return Fail(Error::InvalidArgument(
                "\"status\" must be an enhanced status code such as \"5.1.1\""));
        }
        e.feedback_type.clear();
    } else if (type == "complaint") {
        e.kind = BounceKind::kComplaint;
        if (e.feedback_type.empty()) e.feedback_type = "abuse";
        e.action.clear();
    } else {
        return Fail(Error::InvalidArgument("\"type\" must be \"bounce\" or \"complaint\""));
    }
    if (!message_id.empty()) {
        e.key = ParseMessageId(message_id);
        if (!e.key)
            return Fail(Error::InvalidArgument("\"messageId\" is not one of our Message-IDs"));
        e.original_message_id = std::string(Trim(message_id));
    } else if (!return_path.empty()) {
        e.key = ParseVerpAddress(return_path);
        if (!e.key)
            return Fail(Error::InvalidArgument("\"returnPath\" is not one of our VERP addresses"));
    } else {
        return Fail(Error::InvalidArgument("one of \"messageId\" or \"returnPath\" is required"));
    }
    e.classification = e.kind == BounceKind::kComplaint
                           ? Classification{Outcome::kIgnored, "complaint"}
                           : Classification{Outcome::kSoftFailure, "unclassified"};
    return e;
}

Result<BounceEvent> BounceEventFromJson(const boost::json::value& json,
                                        const Classifier& classifier) {
    auto event = BounceEventFromJson(json);
    if (event) ClassifyBounce(*event, classifier);
    return event;
}

boost::json::value ToJson(const BounceEvent& event) {
    boost::json::object obj;
    obj["type"] = BounceKindName(event.kind);
    if (!event.original_message_id.empty()) obj["messageId"] = Utf8(event.original_message_id);
    if (event.key) {
        obj["deliveryId"] = event.key->delivery_id;
        obj["recipientId"] = event.key->recipient_id;
    }
    obj["recipient"] = Utf8(event.recipient);
    if (!event.status.empty()) obj["status"] = Utf8(event.status);
    if (!event.diagnostic.empty()) obj["diagnostic"] = Utf8(event.diagnostic);
    if (!event.action.empty()) obj["action"] = Utf8(event.action);
    if (!event.feedback_type.empty()) obj["feedbackType"] = Utf8(event.feedback_type);
    obj["outcome"] = OutcomeName(event.classification.outcome);
    obj["reason"] = event.classification.reason;
    return obj;
}

}  // namespace overture::email
