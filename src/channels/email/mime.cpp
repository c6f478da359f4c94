// The MIME writer; see mime.hpp.
//
// Create validates the delivery's shared parts and encodes them into head_ (From, Reply-To),
// tail_ (Feedback-ID, extra headers, MIME-Version) and one string per attachment. Write checks
// the recipient's parts first, reserves the whole message once, and then only appends: fixed
// strings, header fields through HeaderLine, and the text and HTML encoded in place by
// mime_body.cpp. Nothing is allocated per line; per message there are the Message-ID and the
// normalized To address.
#include "channels/email/mime.hpp"

#include <algorithm>
#include <array>

#include "channels/email/mime_body.hpp"
#include "channels/email/mime_header.hpp"
#include "common/strings.hpp"
#include "schema/email.hpp"

namespace overture::email {
namespace {

// Boundaries are "=_" + a letter for the kind of multipart + "." + the left side of the
// Message-ID, e.g. "=_a.ov.12.345.1a2b3c4d": deterministic per message, and the letters keep
// any boundary from being a prefix of another. "=_" is what makes them safe without searching
// the content: quoted-printable writes '=' only before two hex digits or a line end, base64
// writes '=' only as final padding and has no '_', 7bit is chosen only for text without "=_"
// (mime_body.hpp), and our own part headers never start a line with "--". So "--=_" cannot
// begin a line of any part, and no part can contain a delimiter line.
constexpr std::string_view kBoundaryPrefix = "=_";
constexpr char kMixed = 'm';
constexpr char kAlternative = 'a';
constexpr char kRelated = 'r';

constexpr std::size_t kMaxFilename = 255;
constexpr std::size_t kMaxUri = 900;          // keeps a List-Unsubscribe line under 998 octets
constexpr std::size_t kMaxHeaderValue = 900;  // Feedback-ID
constexpr std::size_t kMaxHeaderName = 76;
constexpr std::size_t kMaxContentId = 250;

bool IsAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && ToLower(s.substr(0, prefix.size())) == prefix;
}

// Free text that goes into a header (names, subject, values): one line of valid UTF-8.
Status CheckHeaderText(std::string_view s, const std::string& field, std::string_view what) {
    if (HasLineBreak(s)) {
        return Fail(Error::InvalidField(
            field, std::string(what) + " contains a line break or NUL character"));
    }
    if (!IsValidUtf8(s))
        return Fail(Error::InvalidField(field, std::string(what) + " is not valid UTF-8"));
    return {};
}

struct CheckedAddress {
    std::string address;  // with the domain in A-labels
    bool utf8_local = false;
};

Result<CheckedAddress> CheckAddress(std::string_view address, const std::string& field,
                                    std::string_view what) {
    auto normalized = schema::NormalizeEmail(address);
    if (!normalized) {
        return Fail(Error::InvalidField(
            field, "invalid " + std::string(what) + " address: " + normalized.error().message));
    }
    CheckedAddress out;
    out.address = std::move(normalized->address);
    out.utf8_local = !IsAscii(out.address);  // the domain is ASCII now
    return out;
}

// Writes "Name: display <address>" and returns whether the local part needs SMTPUTF8.
Result<bool> AppendMailboxField(std::string_view header, const Mailbox& mailbox,
                                const std::string& field, std::string& out) {
    auto address = CheckAddress(mailbox.address, field + ".address", header);
    if (!address) return Fail(std::move(address.error()));
    if (auto ok = CheckHeaderText(mailbox.name, field + ".name",
                                  std::string("the ") + std::string(header) + " name");
        !ok) {
        return Fail(std::move(ok.error()));
    }
    HeaderLine line(out, header);
    line.Mailbox(mailbox.name, address->address);
    line.End();
    return address->utf8_local;
}

// RFC 5322 ftext: printable ASCII except ':'.
bool IsFieldName(std::string_view name) {
    return !name.empty() && name.size() <= kMaxHeaderName &&
           std::all_of(name.begin(), name.end(),
                       [](char c) { return c > 32 && c < 127 && c != ':'; });
}

// Fields the writer sets itself or that must not come from a template: an extra header with
// one of these names is refused rather than written twice.
bool IsReservedField(std::string_view name) {
    static constexpr std::array<std::string_view, 16> kReserved = {
        "from",        "sender",       "reply-to",         "to",
        "cc",          "bcc",          "subject",          "date",
        "message-id",  "mime-version", "list-unsubscribe", "list-unsubscribe-post",
        "feedback-id", "return-path",  "dkim-signature",   "received"};
    const std::string lower = ToLower(name);
    if (lower.starts_with("content-")) return true;
    return std::find(kReserved.begin(), kReserved.end(), lower) != kReserved.end();
}

// RFC 2045 token: printable ASCII except tspecials and space.
bool IsMimeToken(std::string_view s) {
    constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return c > 32 && c < 127 && kTspecials.find(c) == std::string_view::npos;
    });
}

bool IsContentIdChar(char c) {
    constexpr std::string_view kSymbols = "!#$%&'*+-/=?^_`{|}~.@";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSymbols.find(c) != std::string_view::npos;
}

// A filename that can go into a quoted string as it is.
bool IsPlainFilename(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c >= 32 && c < 127 && c != '"' && c != '\\'; });
}

// RFC 2231 extended value: utf-8''%XX... with attribute-char left as it is.
std::string Rfc2231Value(std::string_view s) {
    constexpr std::string_view kAttributeSymbols = "!#$&+-.^_`|~";
    constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "utf-8''";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            kAttributeSymbols.find(ch) != std::string_view::npos) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

// One attachment or inline image, fully encoded: headers, blank line, base64 body.
Result<std::string> EncodeAttachment(const Attachment& a, std::size_t index) {
    const std::string field = "attachments[" + std::to_string(index) + "]";
    if (a.filename.size() > kMaxFilename) {
        return Fail(Error::InvalidField(field + ".filename",
                                        "the attachment's file name is over 255 bytes"));
    }
    if (auto ok = CheckHeaderText(a.filename, field + ".filename", "the attachment's file name");
        !ok) {
        return Fail(std::move(ok.error()));
    }
    for (char c : a.filename) {
        if (static_cast<unsigned char>(c) < 32 || c == 127) {
            return Fail(Error::InvalidField(
                field + ".filename", "the attachment's file name contains a control character"));
        }
    }
    std::string type =
        a.content_type.empty() ? "application/octet-stream" : ToLower(a.content_type);
    const auto slash = type.find('/');
    if (slash == std::string::npos || !IsMimeToken(std::string_view(type).substr(0, slash)) ||
        !IsMimeToken(std::string_view(type).substr(slash + 1))) {
        return Fail(Error::InvalidField(
            field + ".content_type",
            "the content type '" + a.content_type + "' is not of the form type/subtype"));
    }
    std::string_view cid = a.content_id;
    if (cid.size() >= 2 && cid.front() == '<' && cid.back() == '>')
        cid = cid.substr(1, cid.size() - 2);
    if (!a.content_id.empty() && (cid.empty() || cid.size() > kMaxContentId ||
                                  !std::all_of(cid.begin(), cid.end(), IsContentIdChar))) {
        return Fail(Error::InvalidField(
            field + ".content_id",
            "the content id '" + a.content_id +
                "' may hold only letters, digits, '.', '@' and RFC 5322 atext symbols"));
    }

    std::string out;
    const bool plain_name = IsPlainFilename(a.filename);
    {
        HeaderLine line(out, "Content-Type");
        if (!a.filename.empty() && plain_name) {
            line.Token(type + ";");
            line.Token("name=\"", a.filename, "\"");
        } else {
            line.Token(type);
        }
        line.End();
    }
    out.append("Content-Transfer-Encoding: base64\r\n");
    if (!cid.empty()) {
        HeaderLine line(out, "Content-ID");
        line.Token("<", cid, ">");
        line.End();
    }
    {
        HeaderLine line(out, "Content-Disposition");
        const std::string_view disposition = cid.empty() ? "attachment" : "inline";
        if (a.filename.empty()) {
            line.Token(disposition);
        } else {
            line.Token(disposition, ";", "");
            if (plain_name) {
                line.Token("filename=\"", a.filename, "\"");
            } else {
                line.Token("filename*=", Rfc2231Value(a.filename), "");
            }
        }
        line.End();
    }
    out.append("\r\n");
    AppendBase64(a.data, out);
    return out;
}

// http(s) or mailto URI text for List-Unsubscribe: printable ASCII, no '<', '>', '"' or space.
bool IsUriText(std::string_view s) {
    return !s.empty() && s.size() <= kMaxUri && std::all_of(s.begin(), s.end(), [](char c) {
        return c > 32 && c < 127 && c != '<' && c != '>' && c != '"';
    });
}

// Writes "--boundary" (after CRLF unless it is the first line of the multipart body).
void AppendDelimiter(std::string& out, char kind, std::string_view id, bool first) {
    if (!first) out.append("\r\n");
    out.append("--").append(kBoundaryPrefix).push_back(kind);
    out.append(".").append(id).append("\r\n");
}

void AppendCloseDelimiter(std::string& out, char kind, std::string_view id) {
    out.append("\r\n--").append(kBoundaryPrefix).push_back(kind);
    out.append(".").append(id).append("--");
}

// The content headers of a multipart entity and the blank line after them.
void AppendMultipartHeader(std::string& out, std::string_view subtype, char kind,
                           std::string_view id, std::string_view extra = {}) {
    HeaderLine line(out, "Content-Type");
    line.Token("multipart/", subtype, ";");
    if (!extra.empty()) line.Token(extra);
    const char prefix[] = {'b', 'o', 'u', 'n', 'd', 'a', 'r', 'y', '=', '"', '=', '_', kind, '.'};
    line.Token(std::string_view(prefix, sizeof prefix), id, "\"");
    line.End();
    out.append("\r\n");
}

struct TextPart {
    std::string_view content_type;  // "text/plain" or "text/html"
    std::string_view text;
    TextStats stats;
    TransferEncoding encoding = TransferEncoding::k7bit;
};

void AppendTextEntity(std::string& out, const TextPart& part) {
    out.append("Content-Type: ").append(part.content_type).append("; charset=utf-8\r\n");
    out.append("Content-Transfer-Encoding: ").append(TransferEncodingName(part.encoding));
    out.append("\r\n\r\n");
    AppendText(part.text, part.stats, part.encoding, out);
}

Result<TextPart> CheckBody(std::string_view content_type, std::string_view text,
                           const char* field) {
    TextPart part{content_type, text, ScanText(text)};
    if (!part.stats.valid_utf8) {
        return Fail(
            Error::InvalidField(field, std::string("the ") + field + " body is not valid UTF-8"));
    }
    part.encoding = ChooseTextEncoding(part.stats);
    return part;
}

}  // namespace

Result<MessageWriter> MessageWriter::Create(DeliveryParts parts) {
    MessageWriter w;
    auto from = AppendMailboxField("From", parts.from, "from", w.head_);
    if (!from) return Fail(std::move(from.error()));
    w.sender_needs_smtputf8_ = *from;
    if (parts.reply_to) {
        auto reply_to = AppendMailboxField("Reply-To", *parts.reply_to, "reply_to", w.head_);
        if (!reply_to) return Fail(std::move(reply_to.error()));
        w.sender_needs_smtputf8_ = w.sender_needs_smtputf8_ || *reply_to;
    }

    // The From address is valid here, so it has exactly one '@'.
    const std::string_view from_address = Trim(parts.from.address);
    std::string_view id_domain = Trim(parts.message_id_domain);
    if (id_domain.empty()) id_domain = from_address.substr(from_address.find('@') + 1);
    auto domain = schema::NormalizeEmail("postmaster@" + std::string(id_domain));
    if (!domain) {
        return Fail(Error::InvalidField("message_id_domain",
                                        "invalid Message-ID domain: " + domain.error().message));
    }
    w.message_id_domain_ = std::move(domain->domain);

    const std::string_view feedback_id = Trim(parts.feedback_id);
    if (!feedback_id.empty()) {
        const bool printable = std::all_of(feedback_id.begin(), feedback_id.end(),
                                           [](char c) { return c >= 32 && c < 127; });
        if (feedback_id.size() > kMaxHeaderValue || !printable) {
            return Fail(Error::InvalidField(
                "feedback_id",
                "the Feedback-ID must be printable ASCII on one line, at most 900 "
                "bytes"));
        }
        // As it is, never as encoded-words: receivers' feedback loops read it raw.
        w.tail_.append("Feedback-ID: ").append(feedback_id).append("\r\n");
    }

    for (std::size_t i = 0; i < parts.extra_headers.size(); ++i) {
        const auto& [name, value] = parts.extra_headers[i];
        const std::string field = "extra_headers[" + std::to_string(i) + "]";
        if (!IsFieldName(name)) {
            return Fail(Error::InvalidField(field + ".name",
                                            "the header name '" + name +
                                                "' must be 1-76 printable ASCII characters "
                                                "without spaces or ':'"));
        }
        if (IsReservedField(name)) {
            return Fail(
                Error::InvalidField(field + ".name", "the header " + name +
                                                         " is set by the mail writer and cannot be "
                                                         "added"));
        }
        if (auto ok = CheckHeaderText(value, field + ".value", "the value of header " + name);
            !ok) {
            return Fail(std::move(ok.error()));
        }
        HeaderLine line(w.tail_, name);
        line.Unstructured(Trim(value));
        line.End();
    }
    w.tail_.append("MIME-Version: 1.0\r\n");

    for (std::size_t i = 0; i < parts.attachments.size(); ++i) {
        const Attachment& a = parts.attachments[i];
        auto encoded = EncodeAttachment(a, i);
        if (!encoded) return Fail(std::move(encoded.error()));
        w.parts_size_ += encoded->size();
        (a.content_id.empty() ? w.attachment_parts_ : w.inline_parts_)
            .push_back(std::move(*encoded));
    }
    return w;
}

Result<bool> MessageWriter::Write(const RecipientParts& r, std::string& out) const {
    // Everything is checked before the first byte is written, so failures leave `out` alone.
    auto to = CheckAddress(r.to.address, "to.address", "To");
    if (!to) return Fail(std::move(to.error()));
    if (auto ok = CheckHeaderText(r.to.name, "to.name", "the To name"); !ok) {
        return Fail(std::move(ok.error()));
    }
    const std::string_view subject = Trim(r.subject);
    if (auto ok = CheckHeaderText(subject, "subject", "the subject"); !ok) {
        return Fail(std::move(ok.error()));
    }
    const bool has_html = !r.html.empty();
    const bool has_text = !r.text.empty() || !has_html;
    auto text = CheckBody("text/plain", r.text, "text");
    if (!text) return Fail(std::move(text.error()));
    auto html = CheckBody("text/html", r.html, "html");
    if (!html) return Fail(std::move(html.error()));

    const std::string_view url = r.list_unsubscribe_url;
    const bool https = StartsWithNoCase(url, "https://");
    if (!url.empty() && (!IsUriText(url) || !(https || StartsWithNoCase(url, "http://")))) {
        return Fail(Error::InvalidField(
            "list_unsubscribe_url",
            "the unsubscribe URL must be an http(s) URL of printable ASCII without "
            "spaces or angle brackets, at most 900 bytes"));
    }
    std::string_view mailto = r.list_unsubscribe_mailto;
    const bool bare_mailto = !mailto.empty() && !StartsWithNoCase(mailto, "mailto:");
    if (!mailto.empty() && !IsUriText(mailto)) {
        return Fail(Error::InvalidField(
            "list_unsubscribe_mailto",
            "the unsubscribe mailto must be printable ASCII without spaces or angle "
            "brackets (percent-encode the rest), at most 900 bytes"));
    }

    const std::string message_id = MessageId(r.key, message_id_domain_);
    const std::string_view id =
        std::string_view(message_id).substr(1, message_id.find('@') - 1);  // boundary suffix

    const bool related = has_html && !inline_parts_.empty();
    const bool inline_as_attachments = !has_html && !inline_parts_.empty();
    const bool mixed = !attachment_parts_.empty() || inline_as_attachments;
    const bool alternative = has_text && has_html;

    std::size_t estimate = 1024 + head_.size() + tail_.size() + parts_size_ + 3 * subject.size() +
                           3 * r.to.name.size() + url.size() + mailto.size();
    if (has_text) estimate += EncodedTextBound(text->stats, text->encoding);
    if (has_html) estimate += EncodedTextBound(html->stats, html->encoding);
    const std::size_t start = out.size();
    out.reserve(start + estimate);

    out.append(head_);
    {
        HeaderLine line(out, "To");
        line.Mailbox(r.to.name, to->address);
        line.End();
    }
    {
        HeaderLine line(out, "Subject");
        line.Unstructured(subject);
        line.End();
    }
    out.append("Date: ");
    AppendRfc5322Date(r.date, out);
    out.append("\r\nMessage-ID: ").append(message_id).append("\r\n");
    if (!url.empty() || !mailto.empty()) {
        HeaderLine line(out, "List-Unsubscribe");
        if (!mailto.empty()) {
            line.Token(bare_mailto ? "<mailto:" : "<", mailto, url.empty() ? ">" : ">,");
        }
        if (!url.empty()) line.Token("<", url, ">");
        line.End();
        if (https) out.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    out.append(tail_);

    if (mixed) {
        AppendMultipartHeader(out, "mixed", kMixed, id);
        AppendDelimiter(out, kMixed, id, true);
    }
    if (alternative) {
        AppendMultipartHeader(out, "alternative", kAlternative, id);
        AppendDelimiter(out, kAlternative, id, true);
        AppendTextEntity(out, *text);
        AppendDelimiter(out, kAlternative, id, false);
    }
    if (related) {
        AppendMultipartHeader(out, "related", kRelated, id, "type=\"text/html\";");
        AppendDelimiter(out, kRelated, id, true);
    }
    if (has_html) {
        AppendTextEntity(out, *html);
    } else {
        AppendTextEntity(out, *text);
    }
    if (related) {
        for (const std::string& part : inline_parts_) {
            AppendDelimiter(out, kRelated, id, false);
            out.append(part);
        }
        AppendCloseDelimiter(out, kRelated, id);
    }
    if (alternative) AppendCloseDelimiter(out, kAlternative, id);
    if (mixed) {
        if (inline_as_attachments) {
            for (const std::string& part : inline_parts_) {
                AppendDelimiter(out, kMixed, id, false);
                out.append(part);
            }
        }
        for (const std::string& part : attachment_parts_) {
            AppendDelimiter(out, kMixed, id, false);
            out.append(part);
        }
        AppendCloseDelimiter(out, kMixed, id);
    }
    // The message ends with a line end. A single quoted-printable part that does not end with
    // one gets a soft line break, so that its decoded text is exactly what was given.
    if (!out.ends_with("\r\n")) {
        const bool single = !mixed && !alternative && !related;
        const TransferEncoding last = has_html ? html->encoding : text->encoding;
        out.append(single && last == TransferEncoding::kQuotedPrintable ? "=\r\n" : "\r\n");
    }
    return sender_needs_smtputf8_ || to->utf8_local;
}

}  // namespace overture::email
