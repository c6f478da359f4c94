#pragma once
// The MIME writer: turns one rendered message into the bytes of an RFC 5322 message.
//
// A MessageWriter is made once per delivery from the parts every recipient shares (sender,
// Reply-To, Feedback-ID, extra headers, attachments), which Create validates and encodes once.
// Write then appends one recipient's message to a buffer, encoding the subject, the text and the
// HTML straight into it.
//
// Structure of the body, from the outside in: multipart/mixed when there are attachments;
// multipart/alternative when there is both a text and an HTML part (a single part otherwise);
// multipart/related around the HTML when there are inline images (an Attachment with a
// content_id, referenced from the HTML as "cid:<content_id>"). Text parts are UTF-8 in 7bit,
// quoted-printable or base64, chosen per part (mime_body.hpp); attachments are base64.
//
// Headers, in order: From, Reply-To, To, Subject, Date, Message-ID, List-Unsubscribe,
// List-Unsubscribe-Post, Feedback-ID, the extra headers, MIME-Version and the content headers.
// Domains are written in their ASCII (A-label) form; a non-ASCII local part stays UTF-8, and then
// the message needs SMTPUTF8 (RFC 6531/6532). Display names and the subject become RFC 2047
// encoded-words when they are not plain ASCII (mime_header.hpp).
//
// Thread-safety: a MessageWriter is immutable after Create; Write may run on any number of
// threads at once.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "channels/email/message_id.hpp"
#include "common/error.hpp"

namespace overture::email {

struct Mailbox {
    std::string name;     // display name, any UTF-8; may be empty
    std::string address;  // "local@domain"; the domain may be Unicode (converted to A-labels)
};

struct Attachment {
    std::string filename;      // any UTF-8 without controls, at most 255 bytes; may be empty
    std::string content_type;  // "type/subtype"; empty means application/octet-stream
    // Non-empty: an inline image of the HTML part, written with "Content-ID: <content_id>" in
    // multipart/related. ASCII atext, '.' and '@' only; surrounding angle brackets are dropped.
    std::string content_id;
    std::string data;  // the raw bytes
};

// What every message of a delivery shares.
struct DeliveryParts {
    Mailbox from;
    std::optional<Mailbox> reply_to;
    std::string message_id_domain;  // right side of the Message-ID; empty = the From domain
    // "Feedback-ID:" value (e.g. "12:campaign:overture"), printable ASCII written as it is, at
    // most 900 bytes; empty = none.
    std::string feedback_id;
    // Written as given after Feedback-ID. Names must be RFC 5322 ftext and not one of the
    // headers the writer sets (From, To, Subject, Content-*, ...); values may be UTF-8 and are
    // encoded like a subject; CR, LF and NUL are refused.
    std::vector<std::pair<std::string, std::string>> extra_headers;
    std::vector<Attachment> attachments;
};

// One recipient's message. The views must stay valid during Write only.
struct RecipientParts {
    Mailbox to;
    std::string_view subject;  // UTF-8; surrounding white space is dropped, CR/LF are refused
    std::string_view text;     // text/plain body, UTF-8, LF or CRLF line ends; may be empty
    std::string_view html;     // text/html body, the same; may be empty (not both)
    MessageKey key;            // -> Message-ID (message_id.hpp)
    // Either may be empty. The URL must be http(s) (https adds List-Unsubscribe-Post one-click,
    // RFC 8058); the mailto may be "mailto:..." or a bare address. Both must be printable ASCII
    // without spaces or angle brackets (percent-encode the rest).
    std::string_view list_unsubscribe_url;
    std::string_view list_unsubscribe_mailto;
    std::chrono::system_clock::time_point date;
};

class MessageWriter {
  public:
    // Validates and pre-encodes the delivery's shared parts. Fails with kInvalidArgument whose
    // message names the problem and whose details["field"] names the field ("from.address",
    // "reply_to.name", "message_id_domain", "feedback_id", "extra_headers[2].name",
    // "attachments[0].filename", ...).
    static Result<MessageWriter> Create(DeliveryParts parts);

    // Appends the whole message to `out`: CRLF line ends, no line over 998 octets, header lines
    // folded at 78 where a space allows, no dot-stuffing (the SMTP client does that). Output is
    // deterministic: the same parts give the same bytes (the boundaries derive from the
    // Message-ID). Returns whether the message needs SMTPUTF8 (a non-ASCII local part in From,
    // Reply-To or To). Fails with kInvalidArgument naming the field (details["field"]:
    // "to.address", "to.name", "subject", "text", "html", "list_unsubscribe_url",
    // "list_unsubscribe_mailto") on invalid input, and then leaves `out` as it was.
    Result<bool> Write(const RecipientParts& r, std::string& out) const;

  private:
    MessageWriter() = default;

    std::string head_;  // From and Reply-To fields
    std::string tail_;  // Feedback-ID, extra headers, MIME-Version
    std::string message_id_domain_;
    bool sender_needs_smtputf8_ = false;
    // Encoded parts: their headers, a blank line and the base64 body without a final CRLF.
    std::vector<std::string> inline_parts_;      // multipart/related members after the HTML
    std::vector<std::string> attachment_parts_;  // multipart/mixed members after the body
    std::size_t parts_size_ = 0;                 // total size of both, for reserving
};

}  // namespace overture::email
