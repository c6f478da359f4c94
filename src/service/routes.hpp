#pragma once
// Email routes (docs/email.md): where deliveries hand their messages. Two kinds:
// - "smtp": a relay (host, port, TLS mode, credentials, pool size, messages per connection,
//   rates). The password is sealed with the installation's SecretBox and never given back; the
//   API shows only whether one is set.
// - "maildir": a folder under email.maildir_root that receives each message as a file (the demo
//   default, so that `make run` sends with no mail server).
// One route may be the default: deliveries without a route use it.
//
// Settings are JSON objects checked field by field (unknown fields and wrong types are
// kInvalidArgument naming the field, e.g. "smtp.port"). Reading routes needs kReadData (a
// marketer picks the route of a delivery); creating, changing, deleting and testing them need
// kManageChannels (administrators). Changes are written to the audit trail ("route.create",
// "route.update", "route.delete"), never with the password.
//
// Thread-safe (holds only references and immutable settings).
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "channels/email/smtp_client.hpp"
#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"

namespace overture::service {

using RouteId = StrongId<struct RouteIdTag>;

enum class RouteKind { kSmtp, kMaildir };
std::string_view RouteKindName(RouteKind kind);  // "smtp" or "maildir"

struct Route {
    RouteId id;
    std::string name;  // [a-z0-9][a-z0-9_-]*, unique, at most 64
    std::string label;
    RouteKind kind = RouteKind::kMaildir;
    boost::json::object settings;  // the kind's settings, every field filled in, no password
    bool has_password = false;
    bool is_default = false;
    TimePoint created_at;
    std::string created_by;
    TimePoint modified_at;
    std::string modified_by;
};

struct NewRoute {
    std::string name;
    std::string label;
    std::string kind;  // "smtp" or "maildir"
    boost::json::object settings;
    std::optional<std::string> password;  // smtp only
    bool is_default = false;
};

struct RoutePatch {
    std::optional<std::string> label;
    std::optional<boost::json::object> settings;         // merged into the current settings
    std::optional<std::optional<std::string>> password;  // an empty inner value removes it
    std::optional<bool> is_default;                      // only true is accepted
};

struct RouteTestResult {
    bool ok = false;
    std::string message;                    // what happened, for the user
    std::vector<std::string> capabilities;  // smtp: the EHLO keywords
};

class RouteService {
  public:
    RouteService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                 const SecretBox& secrets, std::string maildir_root)
        : db_(db),
          clock_(clock),
          audit_(audit),
          secrets_(secrets),
          maildir_root_(std::move(maildir_root)) {}

    Result<Route> Create(const Actor& actor, const NewRoute& in) const;
    Result<Page<Route>> List(const Actor& actor, const PageRequest& page) const;
    Result<std::int64_t> Count(const Actor& actor) const;
    Result<Route> Get(const Actor& actor, RouteId id) const;
    // The default route; kNotFound when none is marked default.
    Result<Route> GetDefault(const Actor& actor) const;
    Result<Route> Update(const Actor& actor, RouteId id, const RoutePatch& patch) const;
    Status Delete(const Actor& actor, RouteId id) const;

    // The "test connection" action: for smtp, connect, EHLO, STARTTLS and AUTH as configured,
    // then QUIT (nothing is sent); for maildir, make sure the folder and its tmp/new/cur exist
    // and are writable. A failed test is a result with ok=false and the server's answer, not an
    // error; errors are for a missing route or permission.
    Result<RouteTestResult> Test(const Actor& actor, RouteId id) const;

    // What a sender needs: the SMTP client settings with the password opened, or the maildir
    // folder. No permission check: for the delivery sender and the CLI, never for the API.
    Result<email::SmtpRouteSettings> SmtpSettingsOf(const Route& route) const;
    std::string MaildirOf(const Route& route) const;

    // Creates the maildir route "demo-maildir" (folder "demo") as the default when there is
    // no route at all. For `overture demo` and the first start of `make run`.
    Status EnsureDemoRoute(const Actor& actor) const;

  private:
    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    const SecretBox& secrets_;
    std::string maildir_root_;
};

}  // namespace overture::service
