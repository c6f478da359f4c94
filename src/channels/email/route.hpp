#pragma once
// One interface for where a delivery's email goes (docs/email.md, "Routes"): an SMTP relay
// (SmtpRoute, a pool of connections) or a maildir folder (MaildirRoute, the demo default). The
// sender hands each message to Submit and learns its outcome once, through `done`, on the
// route's executor; it never needs to know which kind of route it talks to.
//
// Thread-safety: Submit and Shutdown may be called from any thread.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "channels/email/maildir.hpp"
#include "channels/email/smtp_client.hpp"

namespace overture::email {

class EmailRoute {
  public:
    virtual ~EmailRoute() = default;
    // Queues one message; `done` is called exactly once with its outcome (sent only when the
    // message was accepted: a 250 after DATA, or the file in new/).
    virtual void Submit(Envelope envelope, std::function<void(SendResult)> done) = 0;
    // Stops accepting messages; those queued are still handled (or fail as "shutdown").
    virtual void Shutdown() = 0;
};

class SmtpRoute final : public EmailRoute {
  public:
    SmtpRoute(boost::asio::any_io_executor executor, SmtpRouteSettings settings,
              std::shared_ptr<const Classifier> classifier)
        : client_(std::move(executor), std::move(settings), std::move(classifier)) {}
    void Submit(Envelope envelope, std::function<void(SendResult)> done) override {
        client_.Submit(std::move(envelope), std::move(done));
    }
    void Shutdown() override { client_.Shutdown(); }
    SmtpClient& client() { return client_; }

  private:
    SmtpClient client_;
};

class MaildirRoute final : public EmailRoute {
  public:
    // Prepares the folder (MaildirWriter::Open); kUnavailable when it cannot be written.
    static Result<std::unique_ptr<MaildirRoute>> Open(boost::asio::any_io_executor executor,
                                                      std::string folder);
    // Writes the file on the executor: kSent with "delivered to maildir <path>" as the reply,
    // or kRouteFailure "maildir" with the system's reason (disk full, permissions). Messages
    // submitted before Shutdown are still written; after it, they fail as "shutdown".
    void Submit(Envelope envelope, std::function<void(SendResult)> done) override;
    void Shutdown() override;

  private:
    MaildirRoute(boost::asio::any_io_executor executor, MaildirWriter writer)
        : executor_(std::move(executor)), writer_(std::move(writer)) {}
    boost::asio::any_io_executor executor_;
    MaildirWriter writer_;
    std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace overture::email
