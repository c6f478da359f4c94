#pragma once
// The maildir route: each message becomes one file in a Maildir folder (tmp/, new/, cur/), the
// way a local delivery agent writes it, so that any mail client or `cat` can read what would
// have been sent. It is the demo default: `make run` "sends" with no mail server.
//
// A message is written to tmp/ under a unique name, flushed to disk (fsync), then renamed into
// new/ (the Maildir protocol: a reader never sees half a file). The envelope goes in front as
// Return-Path and Delivered-To headers; line ends become LF, as local delivery agents write.
// Thread-safe: names are unique per process (time, pid, a counter) and per host.
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::email {

class MaildirWriter {
  public:
    // Creates `folder` and its tmp/, new/ and cur/ when missing and checks it can write there.
    // kUnavailable naming the folder and the system's reason otherwise.
    static Status Prepare(const std::string& folder);
    // Prepare, then a writer for the folder.
    static Result<MaildirWriter> Open(std::string folder);

    // Writes one message; returns the path of the file in new/. kUnavailable when the disk
    // refuses (full, permissions), with nothing left behind in new/.
    Result<std::string> Write(std::string_view mail_from, std::string_view rcpt_to,
                              std::string_view message) const;

    const std::string& folder() const { return folder_; }

  private:
    explicit MaildirWriter(std::string folder) : folder_(std::move(folder)) {}
    std::string folder_;
};

}  // namespace overture::email
