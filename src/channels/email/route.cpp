#include "channels/email/route.hpp"

#include <boost/asio/post.hpp>

namespace overture::email {

Result<std::unique_ptr<MaildirRoute>> MaildirRoute::Open(boost::asio::any_io_executor executor,
                                                         std::string folder) {
    auto writer = MaildirWriter::Open(std::move(folder));
    if (!writer) return Fail(writer.error());
    return std::unique_ptr<MaildirRoute>(new MaildirRoute(std::move(executor), std::move(*writer)));
}

void MaildirRoute::Submit(Envelope envelope, std::function<void(SendResult)> done) {
    const bool refused = stopped_->load();
    boost::asio::post(executor_, [writer = writer_, refused, envelope = std::move(envelope),
                                  done = std::move(done)] {
        SendResult r;
        if (refused) {
            r.outcome = Outcome::kRouteFailure;
            r.reason = "shutdown";
            r.reply = "the route was shut down";
        } else if (auto path = writer.Write(envelope.mail_from, envelope.rcpt_to,
                                            envelope.data ? *envelope.data : std::string());
                   path) {
            r.outcome = Outcome::kSent;
            r.reason = "sent";
            r.reply = "delivered to maildir " + *path;
        } else {
            r.outcome = Outcome::kRouteFailure;
            r.reason = "maildir";
            r.reply = path.error().message;
        }
        done(std::move(r));
    });
}

void MaildirRoute::Shutdown() { stopped_->store(true); }

}  // namespace overture::email
