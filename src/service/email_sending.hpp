#pragma once
// The email channel as the sender sees it (docs/deliveries.md, "Sending"): EmailChannels opens
// a delivery::ChannelSession per delivery (the route, the MIME writer built from the content's
// sender, the DKIM signer of the From domain when it has a key) and sends proofs.
//
// Per message: MessageWriter::Write (Message-ID from (delivery, profile), List-Unsubscribe with
// one-click when the link is https), DkimSigner::Sign, then EmailRoute::Submit with the VERP
// return path bounces+<delivery>-<profile>-<check>@<From domain>, so that a bounce finds its
// sending-log row. The route's SendResult maps onto delivery::Outcome one to one.
//
// Routes are opened once and shared by every delivery that uses them (an SMTP route is a pool
// of connections); a route changed since it was opened is opened again for the next delivery.
//
// Thread-safe.
#include <boost/asio/any_io_executor.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "channels/email/route.hpp"
#include "common/clock.hpp"
#include "delivery/sender.hpp"
#include "service/bounces.hpp"
#include "service/deliveries.hpp"
#include "service/dkim_keys.hpp"
#include "service/routes.hpp"
#include "tracking/keys.hpp"
#include "tracking/links.hpp"

namespace overture::service {

// The domain of an address: what follows the last '@' ("" without one). The From domain picks
// the DKIM key and the return path.
std::string AddressDomain(std::string_view address);

class EmailChannels final : public ProofSender {
  public:
    // `public_url`: base of the tracked links (config delivery.public_url); `keys` sign them and
    // `links` stores each delivery's links where clicks may lead (docs/tracking.md).
    EmailChannels(storage::Database& db, const Clock& clock, const RouteService& routes,
                  const DkimKeyService& dkim, const BounceService& bounces,
                  const DeliveryService& deliveries, const RecordService& records,
                  tracking::KeyStore& keys, tracking::LinkRegistry& links,
                  boost::asio::any_io_executor executor, std::string public_url);
    ~EmailChannels() override;

    // The session for one delivery. kFailedPrecondition when its route (or, without one, the
    // default route) does not exist; kInvalidArgument when the sender address is unusable.
    Result<std::shared_ptr<delivery::ChannelSession>> Open(const Delivery& d);

    // The plan the sender needs: content, model, validity, retry delay, throughput, links.
    Result<delivery::SendPlan> PlanFor(const Delivery& d,
                                       std::shared_ptr<const schema::Model> model) const;

    // ProofSender: renders the content for each test profile (its own fields, or its linked
    // profile's when it has one) and sends it with "[Proof n] " before the subject; waits for
    // every outcome (at most 60 s).
    Result<std::vector<ProofRecipient>> SendProofs(std::int64_t delivery_id,
                                                   const std::vector<std::int64_t>& test_profiles,
                                                   int number) override;

    // Stops every route (queued messages are still handed over or fail as "shutdown").
    void Shutdown();

    // The content fragments for `{% include %}`; set once by app/ before use.
    void SetFragments(delivery::FragmentSource fragments) { fragments_ = std::move(fragments); }

  private:
    Result<std::shared_ptr<email::EmailRoute>> RouteFor(std::optional<std::int64_t> route_id);

    storage::Database& db_;
    const Clock& clock_;
    const RouteService& routes_;
    const DkimKeyService& dkim_;
    const BounceService& bounces_;
    const DeliveryService& deliveries_;
    const RecordService& records_;
    tracking::KeyStore& keys_;
    tracking::LinkRegistry& links_;
    boost::asio::any_io_executor executor_;
    std::string public_url_;
    delivery::FragmentSource fragments_;

    std::mutex mutex_;
    struct OpenRoute {
        std::int64_t modified_at = 0;
        std::shared_ptr<email::EmailRoute> route;
    };
    std::map<std::int64_t, OpenRoute> open_;
    std::vector<std::shared_ptr<email::EmailRoute>> retired_;  // replaced; shut down at the end
};

}  // namespace overture::service
