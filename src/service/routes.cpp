#include "service/routes.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "channels/email/classify.hpp"
#include "channels/email/maildir.hpp"
#include "common/strings.hpp"
#include "service/queries.hpp"
#include "storage/field_values.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::string_view kPasswordPurpose = "route-password";

// One setting of a route kind: its JSON name, type, default and bounds.
struct Setting {
    enum Type { kString, kInt, kNumber, kBool, kChoice };
    std::string_view name;
    Type type;
    json::value fallback;  // null: required
    double min = 0;
    double max = 0;
    std::vector<std::string_view> choices = {};
};

const std::vector<Setting>& SmtpSettings() {
    static const std::vector<Setting> kSettings = {
        {"host", Setting::kString, nullptr, 1, 253},
        {"port", Setting::kInt, 25, 1, 65535},
        {"tls",
         Setting::kChoice,
         "starttls",
         0,
         0,
         {"none", "starttls", "starttls-required", "implicit"}},
        {"verifyCertificate", Setting::kBool, true},
        {"caFile", Setting::kString, "", 0, 4096},
        {"username", Setting::kString, "", 0, 256},
        {"allowPlainAuth", Setting::kBool, false},
        {"heloName", Setting::kString, "", 0, 253},
        {"poolSize", Setting::kInt, 10, 1, 200},
        {"maxMessagesPerConnection", Setting::kInt, 1000, 1, 1000000},
        {"ratePerSecond", Setting::kNumber, 0, 0, 1e6},
        {"perDomainConcurrency", Setting::kInt, 0, 0, 1000},
        {"perDomainRate", Setting::kNumber, 0, 0, 1e6},
        {"connectTimeoutMs", Setting::kInt, 30000, 100, 600000},
        {"commandTimeoutMs", Setting::kInt, 60000, 100, 3600000},
        {"dataTimeoutMs", Setting::kInt, 600000, 100, 3600000},
        {"maxQueueWaitMs", Setting::kInt, 60000, 0, 3600000},
    };
    return kSettings;
}

const std::vector<Setting>& MaildirSettings() {
    static const std::vector<Setting> kSettings = {
        {"folder", Setting::kString, nullptr, 1, 200},
    };
    return kSettings;
}

const std::vector<Setting>& SettingsOf(RouteKind kind) {
    return kind == RouteKind::kSmtp ? SmtpSettings() : MaildirSettings();
}

std::string_view Prefix(RouteKind kind) { return RouteKindName(kind); }

// Checks `in` against the table and fills in defaults; unknown fields, wrong types and values
// out of bounds fail naming "smtp.port" and the like.
Result<json::object> CheckSettings(RouteKind kind, const json::object& in) {
    const auto& table = SettingsOf(kind);
    for (const auto& [key, value] : in) {
        bool known = false;
        for (const auto& s : table) known = known || s.name == key;
        if (!known) {
            std::vector<std::string_view> names;
            for (const auto& s : table) names.push_back(s.name);
            return Fail(Error::InvalidField(
                fmt::format("{}.{}", Prefix(kind), std::string_view(key)),
                fmt::format("unknown {} setting \"{}\"; the settings are: {}", Prefix(kind),
                            std::string_view(key), fmt::join(names, ", "))));
        }
    }
    json::object out;
    for (const auto& s : table) {
        const auto field = fmt::format("{}.{}", Prefix(kind), s.name);
        const json::value* v = in.if_contains(s.name);
        if (!v || v->is_null()) {
            if (s.fallback.is_null())
                return Fail(Error::InvalidField(field, field + " is required"));
            out[s.name] = s.fallback;
            continue;
        }
        switch (s.type) {
            case Setting::kString: {
                if (!v->is_string())
                    return Fail(Error::InvalidField(field, field + " must be a string"));
                std::string_view text = v->get_string();
                if (text.size() < s.min || text.size() > s.max) {
                    return Fail(Error::InvalidField(
                        field,
                        fmt::format("{} must have {} to {} characters", field, s.min, s.max)));
                }
                if (!IsValidUtf8(text) ||
                    text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
                    return Fail(
                        Error::InvalidField(field, field + " must be one line of UTF-8 text"));
                }
                out[s.name] = text;
                break;
            }
            case Setting::kInt: {
                if (!v->is_int64() && !v->is_uint64()) {
                    return Fail(Error::InvalidField(field, field + " must be a whole number"));
                }
                const auto n = v->to_number<double>();
                if (n < s.min || n > s.max) {
                    return Fail(Error::InvalidField(
                        field, fmt::format("{} must be between {} and {}", field, s.min, s.max)));
                }
                out[s.name] = v->to_number<std::int64_t>();
                break;
            }
            case Setting::kNumber: {
                if (!v->is_number())
                    return Fail(Error::InvalidField(field, field + " must be a number"));
                const auto n = v->to_number<double>();
                if (!(n >= s.min && n <= s.max)) {
                    return Fail(Error::InvalidField(
                        field, fmt::format("{} must be between {} and {}", field, s.min, s.max)));
                }
                out[s.name] = n;
                break;
            }
            case Setting::kBool:
                if (!v->is_bool())
                    return Fail(Error::InvalidField(field, field + " must be true or false"));
                out[s.name] = v->get_bool();
                break;
            case Setting::kChoice: {
                bool ok = false;
                if (v->is_string()) {
                    for (auto c : s.choices) ok = ok || v->get_string() == c;
                }
                if (!ok) {
                    return Fail(Error::InvalidField(
                        field,
                        fmt::format("{} must be one of {}", field, fmt::join(s.choices, ", "))));
                }
                out[s.name] = *v;
                break;
            }
        }
    }
    if (kind == RouteKind::kMaildir) {
        // A sub-folder of email.maildir_root: plain names separated by '/', no "." or "..".
        std::string_view folder = out["folder"].get_string();
        for (auto part : Split(folder, '/')) {
            if (part.empty() || part == "." || part == ".." ||
                part.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789._-") != std::string_view::npos) {
                return Fail(Error::InvalidField(
                    "maildir.folder",
                    "maildir.folder must be a relative folder name under "
                    "email.maildir_root: letters, digits, '.', '_', '-' and '/' "
                    "between names, without \".\" or \"..\""));
            }
        }
    } else {
        std::string_view host = out["host"].get_string();
        if (host.find_first_of(" \t/@") != std::string_view::npos) {
            return Fail(
                Error::InvalidField("smtp.host", "smtp.host must be a host name or an IP address"));
        }
    }
    return out;
}

Result<RouteKind> ParseKind(std::string_view kind) {
    if (kind == "smtp") return RouteKind::kSmtp;
    if (kind == "maildir") return RouteKind::kMaildir;
    return Fail(Error::InvalidField("kind", "kind must be \"smtp\" or \"maildir\""));
}

Status CheckName(std::string_view name) {
    const bool ok = !name.empty() && name.size() <= 64 &&
                    name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") ==
                        std::string_view::npos &&
                    name[0] != '_' && name[0] != '-';
    if (!ok) {
        return Fail(Error::InvalidField(
            "name",
            "name must be 1 to 64 characters: lower-case letters, digits, '_' and "
            "'-', starting with a letter or digit"));
    }
    return {};
}

Result<std::string> CheckLabel(std::string_view label) {
    auto trimmed = std::string(Trim(label));
    if (trimmed.empty()) return Fail(Error::InvalidField("label", "label is required"));
    if (trimmed.size() > 200 || !IsValidUtf8(trimmed)) {
        return Fail(
            Error::InvalidField("label", "label must be UTF-8 text of at most 200 characters"));
    }
    return trimmed;
}

Status CheckPassword(const std::string& password) {
    if (password.empty() || password.size() > 1024 ||
        password.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return Fail(
            Error::InvalidField("password", "password must be 1 to 1024 characters on one line"));
    }
    return {};
}

Route FromRow(const std::vector<Value>& r) {
    Route route;
    route.id = RouteId(AsInt(r[0]));
    route.name = AsString(r[1]);
    route.label = AsString(r[2]);
    route.kind = AsString(r[3]) == "smtp" ? RouteKind::kSmtp : RouteKind::kMaildir;
    boost::system::error_code ec;
    auto settings = json::parse(AsString(r[4]), ec);
    if (!ec && settings.is_object()) route.settings = std::move(settings.get_object());
    route.has_password = !IsNull(r[5]);
    route.is_default = AsBool(r[6]);
    route.created_at = FromUnixMillis(AsInt(r[7]));
    route.created_by = AsString(r[8]);
    route.modified_at = FromUnixMillis(AsInt(r[9]));
    route.modified_by = AsString(r[10]);
    return route;
}

Error NoSuchRoute(RouteId id) {
    return Error::NotFound(fmt::format("there is no route with id {}", id.value()));
}

Result<std::vector<Value>> LoadRow(Transaction& tx, RouteId id) {
    auto rows = tx.Query(q::kRouteGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(NoSuchRoute(id));
    return rows->rows[0];
}

email::TlsMode TlsModeOf(std::string_view name) {
    if (name == "none") return email::TlsMode::kNone;
    if (name == "starttls-required") return email::TlsMode::kStartTlsRequired;
    if (name == "implicit") return email::TlsMode::kImplicit;
    return email::TlsMode::kStartTls;
}

}  // namespace

std::string_view RouteKindName(RouteKind kind) {
    return kind == RouteKind::kSmtp ? "smtp" : "maildir";
}

Result<Route> RouteService::Create(const Actor& actor, const NewRoute& in) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    if (auto st = CheckName(in.name); !st) return Fail(st.error());
    auto label = CheckLabel(in.label.empty() ? in.name : in.label);
    if (!label) return Fail(label.error());
    auto kind = ParseKind(in.kind);
    if (!kind) return Fail(kind.error());
    auto settings = CheckSettings(*kind, in.settings);
    if (!settings) return Fail(settings.error());
    Value secret;
    if (in.password) {
        if (*kind != RouteKind::kSmtp) {
            return Fail(Error::InvalidField("password", "only smtp routes have a password"));
        }
        if (auto st = CheckPassword(*in.password); !st) return Fail(st.error());
        secret = secrets_.Seal(*in.password, kPasswordPurpose);
    }
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Route> {
        auto existing = tx.Query(q::kRouteGetByName, {in.name});
        if (!existing) return Fail(existing.error());
        if (!existing->empty()) {
            return Fail(Error::AlreadyExists(fmt::format("a route named '{}' exists", in.name))
                            .With("field", "name"));
        }
        // The first route becomes the default whatever was asked: deliveries need one.
        auto count = tx.Query(q::kRouteCount, {});
        if (!count) return Fail(count.error());
        const bool make_default = in.is_default || AsInt(count->rows.at(0).at(0)) == 0;
        if (make_default) {
            if (auto n = tx.Exec(q::kRouteClearDefault, {}); !n) return Fail(n.error());
        }
        auto rows = tx.Query(q::kRouteInsert, {in.name, *label, std::string(RouteKindName(*kind)),
                                               json::serialize(*settings), secret, make_default,
                                               now, actor.username});
        if (!rows) return Fail(rows.error());
        RouteId id(AsInt(rows->rows.at(0).at(0)));
        AuditDetails details{{"name", in.name},
                             {"kind", std::string(RouteKindName(*kind))},
                             {"settings", json::serialize(*settings)}};
        if (in.password) details.emplace_back("password", "set");
        if (auto st = audit_.Record(tx, actor, "route.create", "route", std::to_string(id.value()),
                                    details);
            !st) {
            return Fail(st.error());
        }
        auto row = LoadRow(tx, id);
        if (!row) return Fail(row.error());
        return FromRow(*row);
    });
}

Result<Page<Route>> RouteService::List(const Actor& actor, const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto after = DecodeCursor(page.cursor, 0);
    if (!after) return Fail(after.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<Route>> {
        auto rows = tx.Query(q::kRouteList, {*after, std::int64_t{page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<Route> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(FromRow(row));
        }
        return out;
    });
}

Result<std::int64_t> RouteService::Count(const Actor& actor) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kRouteCount, {});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<Route> RouteService::Get(const Actor& actor, RouteId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Route> {
        auto row = LoadRow(tx, id);
        if (!row) return Fail(row.error());
        return FromRow(*row);
    });
}

Result<Route> RouteService::GetDefault(const Actor& actor) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Route> {
        auto rows = tx.Query(q::kRouteGetDefault, {});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) {
            return Fail(Error::NotFound(
                "there is no default route: create one under Administration > Routes"));
        }
        return FromRow(rows->rows[0]);
    });
}

Result<Route> RouteService::Update(const Actor& actor, RouteId id, const RoutePatch& patch) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    if (patch.is_default && !*patch.is_default) {
        return Fail(Error::InvalidField(
            "isDefault", "to change the default route, make another route the default"));
    }
    std::optional<std::string> label;
    if (patch.label) {
        auto checked = CheckLabel(*patch.label);
        if (!checked) return Fail(checked.error());
        label = *checked;
    }
    if (patch.password && *patch.password) {
        if (auto st = CheckPassword(**patch.password); !st) return Fail(st.error());
    }
    const auto now = ToUnixMillis(clock_.Now());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Result<Route> {
        auto row = LoadRow(tx, id);
        if (!row) return Fail(row.error());
        Route current = FromRow(*row);
        json::object settings = current.settings;
        if (patch.settings) {
            for (const auto& [k, v] : *patch.settings) settings[k] = v;
            auto checked = CheckSettings(current.kind, settings);
            if (!checked) return Fail(checked.error());
            settings = std::move(*checked);
        }
        Value secret = (*row)[5];
        if (patch.password) {
            if (current.kind != RouteKind::kSmtp) {
                return Fail(Error::InvalidField("password", "only smtp routes have a password"));
            }
            secret = *patch.password ? Value(secrets_.Seal(**patch.password, kPasswordPurpose))
                                     : Value();
        }
        auto n = tx.Exec(q::kRouteUpdate, {id.value(), label.value_or(current.label),
                                           json::serialize(settings), secret, now, actor.username});
        if (!n) return Fail(n.error());
        if (patch.is_default && !current.is_default) {
            if (auto r = tx.Exec(q::kRouteClearDefault, {}); !r) return Fail(r.error());
            if (auto r = tx.Exec(q::kRouteSetDefault, {id.value()}); !r) return Fail(r.error());
        }
        AuditDetails details;
        if (label) details.emplace_back("label", *label);
        if (patch.settings) details.emplace_back("settings", json::serialize(settings));
        if (patch.password) details.emplace_back("password", *patch.password ? "set" : "removed");
        if (patch.is_default) details.emplace_back("isDefault", "true");
        if (auto st = audit_.Record(tx, actor, "route.update", "route", std::to_string(id.value()),
                                    details);
            !st) {
            return Fail(st.error());
        }
        auto updated = LoadRow(tx, id);
        if (!updated) return Fail(updated.error());
        return FromRow(*updated);
    });
}

Status RouteService::Delete(const Actor& actor, RouteId id) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto row = LoadRow(tx, id);
        if (!row) return Fail(row.error());
        Route current = FromRow(*row);
        if (current.is_default) {
            auto count = tx.Query(q::kRouteCount, {});
            if (!count) return Fail(count.error());
            if (AsInt(count->rows.at(0).at(0)) > 1) {
                return Fail(Error::FailedPrecondition(
                    fmt::format("'{}' is the default route: make another route the default first",
                                current.name)));
            }
        }
        // A delivery that may still send must not fall back to another route silently.
        auto users = tx.Query(q::kRouteInUse, {id.value()});
        if (!users) return Fail(users.error());
        if (!users->empty()) {
            const auto& u = users->rows.front();
            return Fail(Error::FailedPrecondition(fmt::format(
                "route '{}' is used by the delivery '{}' ({}, id {}): choose another route for "
                "it, or let it finish, before deleting this one",
                current.name, AsString(u[1]), AsString(u[2]), AsInt(u[0]))));
        }
        if (auto n = tx.Exec(q::kRouteDelete, {id.value()}); !n) return Fail(n.error());
        return audit_.Record(tx, actor, "route.delete", "route", std::to_string(id.value()),
                             {{"name", current.name}});
    });
}

Result<email::SmtpRouteSettings> RouteService::SmtpSettingsOf(const Route& route) const {
    if (route.kind != RouteKind::kSmtp) {
        return Fail(Error::FailedPrecondition(fmt::format("route '{}' is not smtp", route.name)));
    }
    const auto& s = route.settings;
    auto str = [&](std::string_view k) { return std::string(s.at(k).get_string()); };
    auto num = [&](std::string_view k) { return s.at(k).to_number<double>(); };
    auto integer = [&](std::string_view k) { return s.at(k).to_number<std::int64_t>(); };
    email::SmtpRouteSettings out;
    out.host = str("host");
    out.port = static_cast<std::uint16_t>(integer("port"));
    out.tls = TlsModeOf(str("tls"));
    out.verify_certificate = s.at("verifyCertificate").get_bool();
    out.ca_file = str("caFile");
    out.username = str("username");
    out.allow_plain_auth = s.at("allowPlainAuth").get_bool();
    if (auto helo = str("heloName"); !helo.empty()) out.helo_name = helo;
    out.pool_size = static_cast<int>(integer("poolSize"));
    out.max_messages_per_connection = static_cast<int>(integer("maxMessagesPerConnection"));
    out.rate_per_second = num("ratePerSecond");
    out.per_domain_concurrency = static_cast<int>(integer("perDomainConcurrency"));
    out.per_domain_rate = num("perDomainRate");
    out.connect_timeout = std::chrono::milliseconds(integer("connectTimeoutMs"));
    out.command_timeout = std::chrono::milliseconds(integer("commandTimeoutMs"));
    out.data_timeout = std::chrono::milliseconds(integer("dataTimeoutMs"));
    out.max_queue_wait = std::chrono::milliseconds(integer("maxQueueWaitMs"));
    if (route.has_password) {
        auto row = storage::WithRead(db_, [&](Transaction& tx) { return LoadRow(tx, route.id); });
        if (!row) return Fail(row.error());
        auto password = secrets_.Open(AsString((*row)[5]), kPasswordPurpose);
        if (!password) {
            return Fail(std::move(password.error()).With("route", route.name));
        }
        out.password = std::move(*password);
    }
    return out;
}

std::string RouteService::MaildirOf(const Route& route) const {
    return (std::filesystem::path(maildir_root_) /
            std::string(route.settings.at("folder").get_string()))
        .string();
}

Result<RouteTestResult> RouteService::Test(const Actor& actor, RouteId id) const {
    if (auto st = Require(actor, Permission::kManageChannels); !st) return Fail(st.error());
    auto route = Get(actor, id);
    if (!route) return Fail(route.error());
    RouteTestResult out;
    if (route->kind == RouteKind::kMaildir) {
        const auto folder = MaildirOf(*route);
        auto st = email::MaildirWriter::Prepare(folder);
        out.ok = st.has_value();
        out.message = out.ok ? fmt::format("the folder {} is ready (tmp, new, cur)", folder)
                             : st.error().message;
        return out;
    }
    auto settings = SmtpSettingsOf(*route);
    if (!settings) return Fail(settings.error());
    auto classifier = email::Classifier::Create();
    if (!classifier) return Fail(classifier.error());
    boost::asio::io_context io;
    email::SmtpClient client(io.get_executor(), *settings,
                             std::make_shared<const email::Classifier>(std::move(*classifier)));
    std::optional<Result<std::vector<std::string>>> answer;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { answer = co_await client.TestConnection(); },
        boost::asio::detached);
    io.run_for(settings->connect_timeout + 2 * settings->command_timeout + std::chrono::seconds(5));
    client.Shutdown();
    io.run_for(std::chrono::seconds(2));
    if (!answer) {
        out.message = "the server did not answer in time";
    } else if (!*answer) {
        out.message = answer->error().message;
    } else {
        out.ok = true;
        out.capabilities = **answer;
        out.message = fmt::format("connected to {}:{}; the server offers {}", settings->host,
                                  settings->port, fmt::join(out.capabilities, ", "));
    }
    return out;
}

Status RouteService::EnsureDemoRoute(const Actor& actor) const {
    auto count = Count(actor);
    if (!count) return Fail(count.error());
    if (*count > 0) return {};
    NewRoute demo;
    demo.name = "demo-maildir";
    demo.label = "Demo maildir (messages are written as files, nothing is sent)";
    demo.kind = "maildir";
    demo.settings["folder"] = "demo";
    demo.is_default = true;
    auto created = Create(actor, demo);
    if (!created) return Fail(created.error());
    return {};
}

}  // namespace overture::service
