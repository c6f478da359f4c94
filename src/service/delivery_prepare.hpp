#pragma once
// Preparation of a delivery (docs/deliveries.md, "Preparation"), run by the delivery worker:
//
// 1. Controls: the content parses and compiles in strict mode, reads only profile fields that
//    exist, has a subject and an unsubscribe link; the route exists; the From domain has a DKIM
//    key (a warning, or an error when the typology requires DKIM).
// 2. The target, in SQL: one sending-log row per profile of the audience (INSERT ... SELECT),
//    status pending, after the rows of an earlier preparation are deleted.
// 3. The exclusions, each one UPDATE over the rows still pending, in this order: address
//    missing, address invalid, blocked (blockAll), opted out (blockEmail), denylisted,
//    quarantined, the typology's filter rules, its fatigue rules, then duplicate addresses (the
//    lowest profile id keeps the address).
// 4. Counts per status and reason.
//
// Each step is its own transaction, so a preparation of millions of rows does not hold the
// database; progress (steps done of steps) is reported through the callback between steps.
// Preparing again starts from nothing.
//
// Thread-safe (references only).
#include <functional>

#include "delivery/sender.hpp"
#include "service/deliveries.hpp"
#include "service/dkim_keys.hpp"
#include "service/routes.hpp"

namespace overture::service {

class DeliveryPreparer {
  public:
    DeliveryPreparer(storage::Database& db, const Clock& clock, const SchemaService& schema,
                     const DeliveryService& deliveries, const RouteService& routes,
                     const DkimKeyService& dkim)
        : db_(db),
          clock_(clock),
          schema_(schema),
          deliveries_(deliveries),
          routes_(routes),
          dkim_(dkim) {}

    // Called between steps with (steps done, steps in all); returning false abandons the run
    // (the delivery left the preparing state, or this node lost its lease).
    // An abandoned run fails with kFailedPrecondition and details["abandoned"].
    using Progress = std::function<bool(std::int64_t done, std::int64_t total)>;

    // The preparation's result; errors in it are the delivery's blocking errors. Fails only
    // when the database fails or the run was abandoned.
    Result<Preparation> Run(const Delivery& d, const Progress& progress) const;

    // The content fragments for `{% include %}`; set once by app/ before use.
    void SetFragments(delivery::FragmentSource fragments) { fragments_ = std::move(fragments); }

  private:
    storage::Database& db_;
    const Clock& clock_;
    const SchemaService& schema_;
    const DeliveryService& deliveries_;
    const RouteService& routes_;
    const DkimKeyService& dkim_;
    delivery::FragmentSource fragments_;
};

}  // namespace overture::service
