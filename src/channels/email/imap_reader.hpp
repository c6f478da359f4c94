#pragma once
// ImapBounceReader: polls one IMAP mailbox (the mailbox that receives our bounces: the VERP
// return path's domain delivers there) with libcurl, parses every message with ParseBounce and
// hands the events to a callback.
//
// One poll: connect and log in, SELECT the mailbox of the URL, `UID SEARCH UNDELETED`, then for
// each message (at most `max_messages_per_poll`, oldest first): fetch it, parse it, call the sink
// with each of its events (kNotABounce ones included, so that the caller can log them), then
// mark it handled. Handled means:
//   - `processed_folder` set: moved there (UID MOVE, or COPY + \Deleted + expunge on servers
//     without MOVE); the folder is created if it does not exist;
//   - `processed_folder` empty: flagged \Seen \Deleted and expunged at once (UID EXPUNGE).
// Either way a handled message leaves the polled mailbox, so every message is read once. The
// order "sink, then mark" makes delivery at-least-once: if the process dies between the two,
// the next poll hands the same events again, so the sink must be idempotent (updating a sending
// log row to "bounced" is). A message over `max_message_bytes` is truncated before parsing (the
// report parts come first; the attached original may lose its end).
//
// Thread-safety: a reader holds no connection between polls (each poll opens its own) and is
// used by one thread at a time; different readers are independent. The Classifier must outlive
// the reader.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "channels/email/bounce.hpp"
#include "channels/email/classify.hpp"
#include "common/error.hpp"

namespace overture::email {

struct ImapSettings {
    std::string url;  // "imaps://host:993/INBOX" (implicit TLS) or "imap://host:143/INBOX"
    std::string username;
    std::string password;
    bool starttls = false;  // imap://: require STARTTLS (fail if the server does not offer it)
    bool verify_certificate = true;
    std::string ca_file;           // PEM bundle to verify the server with; "": the system's
    std::string processed_folder;  // "": delete handled messages; else move them there
    std::chrono::seconds poll_interval{60};  // for the caller's loop; PollOnce ignores it
    int max_messages_per_poll = 500;
    std::size_t max_message_bytes = std::size_t{10} << 20;
    std::chrono::seconds connect_timeout{15};
    std::chrono::seconds command_timeout{60};  // per IMAP operation (one fetch, one search, ...)
};

class ImapBounceReader {
  public:
    // Checks the settings (URL scheme and mailbox, positive limits); fails with
    // kInvalidArgument naming the setting. Does not connect.
    static Result<std::unique_ptr<ImapBounceReader>> Create(ImapSettings settings,
                                                            const Classifier& classifier);

    ImapBounceReader(const ImapBounceReader&) = delete;
    ImapBounceReader& operator=(const ImapBounceReader&) = delete;
    ~ImapBounceReader();

    // One poll as described above. Returns the number of messages handled (0 when the mailbox
    // is empty). Fails with kUnauthenticated when the server refuses the login, kUnavailable
    // when it cannot be reached, times out or answers a command with NO/BAD; the message names
    // the step and the server's answer (never the password). Messages handled before a failure
    // stay handled. An exception thrown by `sink` propagates; that message stays unhandled.
    Result<int> PollOnce(const std::function<void(const BounceEvent&)>& sink);

  private:
    ImapBounceReader(ImapSettings settings, const Classifier& classifier);
    struct Session;
    ImapSettings settings_;
    const Classifier& classifier_;
};

}  // namespace overture::email
