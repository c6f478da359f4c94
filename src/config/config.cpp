#include "config/config.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <functional>

extern char** environ;

namespace overture::config {

namespace {

struct Binding {
    KeyInfo info;
    std::function<Status(Config&, std::string_view)> set;
};

Status BadValue(std::string_view key, std::string_view value, std::string_view expected) {
    return Fail(
        Error::InvalidArgument(fmt::format("config key {}: '{}' is not {}", key, value, expected))
            .With("key", std::string(key)));
}

template <typename T>
std::function<Status(Config&, std::string_view)> IntSetter(std::string_view key, T Config::*section,
                                                           auto member, std::int64_t min,
                                                           std::int64_t max) {
    return [=](Config& c, std::string_view v) -> Status {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || p != v.data() + v.size()) {
            return BadValue(key, v, "an integer");
        }
        if (n < min || n > max) {
            return BadValue(key, v, fmt::format("between {} and {}", min, max));
        }
        (c.*section).*member =
            static_cast<std::remove_reference_t<decltype((c.*section).*member)>>(n);
        return {};
    };
}

template <typename T>
std::function<Status(Config&, std::string_view)> StringSetter(T Config::*section, auto member) {
    return [=](Config& c, std::string_view v) -> Status {
        (c.*section).*member = std::string(v);
        return {};
    };
}

template <typename T>
std::function<Status(Config&, std::string_view)> BoolSetter(std::string_view key,
                                                            T Config::*section, auto member) {
    return [=](Config& c, std::string_view v) -> Status {
        if (v == "true" || v == "1") {
            (c.*section).*member = true;
        } else if (v == "false" || v == "0") {
            (c.*section).*member = false;
        } else {
            return BadValue(key, v, "true or false");
        }
        return {};
    };
}

template <typename T>
std::function<Status(Config&, std::string_view)> ChoiceSetter(std::string_view key,
                                                              T Config::*section, auto member,
                                                              std::vector<std::string_view> ok) {
    return [=](Config& c, std::string_view v) -> Status {
        for (auto choice : ok) {
            if (v == choice) {
                (c.*section).*member = std::string(v);
                return {};
            }
        }
        return BadValue(key, v, fmt::format("one of {}", fmt::join(ok, ", ")));
    };
}

const std::vector<Binding>& Bindings() {
    using C = Config;
    static const std::vector<Binding> kBindings = {
        {{"database.url", "OVERTURE_DATABASE_URL",
          "sqlite:PATH or postgresql://user:password@host:port/dbname"},
         StringSetter(&C::database, &DatabaseConfig::url)},
        {{"database.max_connections", "OVERTURE_DATABASE_MAX_CONNECTIONS",
          "connections in the pool (SQLite: readers, plus one writer)"},
         IntSetter("database.max_connections", &C::database, &DatabaseConfig::max_connections, 1,
                   1000)},
        {{"database.acquire_timeout_ms", "OVERTURE_DATABASE_ACQUIRE_TIMEOUT_MS",
          "how long a request waits for a free connection before failing with 503"},
         IntSetter("database.acquire_timeout_ms", &C::database, &DatabaseConfig::acquire_timeout_ms,
                   1, 600000)},
        {{"http.listen", "OVERTURE_HTTP_LISTEN", "HOST:PORT the server listens on"},
         StringSetter(&C::http, &HttpConfig::listen)},
        {{"http.io_threads", "OVERTURE_HTTP_IO_THREADS", "threads running the network loop"},
         IntSetter("http.io_threads", &C::http, &HttpConfig::io_threads, 0, 256)},
        {{"http.worker_threads", "OVERTURE_HTTP_WORKER_THREADS",
          "threads running request handlers (they wait on the database)"},
         IntSetter("http.worker_threads", &C::http, &HttpConfig::worker_threads, 1, 1024)},
        {{"http.max_header_bytes", "OVERTURE_HTTP_MAX_HEADER_BYTES",
          "largest request header block; larger gets 431"},
         IntSetter("http.max_header_bytes", &C::http, &HttpConfig::max_header_bytes, 1024,
                   1 << 20)},
        {{"http.max_body_bytes", "OVERTURE_HTTP_MAX_BODY_BYTES",
          "largest request body; larger gets 413"},
         IntSetter("http.max_body_bytes", &C::http, &HttpConfig::max_body_bytes, 1024,
                   std::int64_t{1} << 34)},
        {{"http.max_upload_bytes", "OVERTURE_HTTP_MAX_UPLOAD_BYTES",
          "largest file upload (imports); the upload is held in memory while it arrives"},
         IntSetter("http.max_upload_bytes", &C::http, &HttpConfig::max_upload_bytes, 1024,
                   std::int64_t{1} << 34)},
        {{"http.idle_timeout_ms", "OVERTURE_HTTP_IDLE_TIMEOUT_MS",
          "a keep-alive connection with no request is closed after this"},
         IntSetter("http.idle_timeout_ms", &C::http, &HttpConfig::idle_timeout_ms, 100, 3600000)},
        {{"http.read_timeout_ms", "OVERTURE_HTTP_READ_TIMEOUT_MS",
          "time allowed to receive one whole request"},
         IntSetter("http.read_timeout_ms", &C::http, &HttpConfig::read_timeout_ms, 100, 3600000)},
        {{"http.shutdown_grace_ms", "OVERTURE_HTTP_SHUTDOWN_GRACE_MS",
          "on SIGTERM, how long in-flight requests may take before connections are cut"},
         IntSetter("http.shutdown_grace_ms", &C::http, &HttpConfig::shutdown_grace_ms, 0, 3600000)},
        {{"http.web_root", "OVERTURE_HTTP_WEB_ROOT",
          "folder of the built web UI (empty: the first of <binary>/../../web/dist, "
          "<binary>/../share/overture/web, ./web/dist that has an index.html)"},
         StringSetter(&C::http, &HttpConfig::web_root)},
        {{"http.metrics", "OVERTURE_HTTP_METRICS", "serve Prometheus metrics at /metrics"},
         BoolSetter("http.metrics", &C::http, &HttpConfig::metrics)},
        {{"security.session_ttl_minutes", "OVERTURE_SECURITY_SESSION_TTL_MINUTES",
          "a session expires this long after its last use"},
         IntSetter("security.session_ttl_minutes", &C::security,
                   &SecurityConfig::session_ttl_minutes, 1, 60 * 24 * 90)},
        {{"security.cookie_secure", "OVERTURE_SECURITY_COOKIE_SECURE",
          "auto | always | never: the Secure flag of the session cookie"},
         ChoiceSetter("security.cookie_secure", &C::security, &SecurityConfig::cookie_secure,
                      {"auto", "always", "never"})},
        {{"security.login_max_failures", "OVERTURE_SECURITY_LOGIN_MAX_FAILURES",
          "failed logins for one username within the window before logins are refused (429)"},
         IntSetter("security.login_max_failures", &C::security, &SecurityConfig::login_max_failures,
                   1, 1000)},
        {{"security.login_window_minutes", "OVERTURE_SECURITY_LOGIN_WINDOW_MINUTES",
          "the sliding window for counting failed logins"},
         IntSetter("security.login_window_minutes", &C::security,
                   &SecurityConfig::login_window_minutes, 1, 24 * 60)},
        {{"security.secret_key_file", "OVERTURE_SECURITY_SECRET_KEY_FILE",
          "the key that seals secrets at rest (SMTP passwords, DKIM private keys); created with "
          "a new random key when missing"},
         StringSetter(&C::security, &SecurityConfig::secret_key_file)},
        {{"email.maildir_root", "OVERTURE_EMAIL_MAILDIR_ROOT",
          "maildir routes write messages under this folder"},
         StringSetter(&C::email, &EmailConfig::maildir_root)},
        {{"delivery.public_url", "OVERTURE_DELIVERY_PUBLIC_URL",
          "base URL of the links in messages (unsubscribe, mirror page)"},
         StringSetter(&C::delivery, &DeliveryConfig::public_url)},
        {{"delivery.worker", "OVERTURE_DELIVERY_WORKER",
          "true: serve prepares and sends deliveries; false: this node only answers the API"},
         BoolSetter("delivery.worker", &C::delivery, &DeliveryConfig::worker)},
        {{"delivery.sender_threads", "OVERTURE_DELIVERY_SENDER_THREADS",
          "threads that render messages and hand them to the route"},
         IntSetter("delivery.sender_threads", &C::delivery, &DeliveryConfig::sender_threads, 1,
                   64)},
        {{"delivery.batch_size", "OVERTURE_DELIVERY_BATCH_SIZE",
          "sending-log rows a sender thread claims at once"},
         IntSetter("delivery.batch_size", &C::delivery, &DeliveryConfig::batch_size, 1, 10000)},
        {{"delivery.lease_seconds", "OVERTURE_DELIVERY_LEASE_SECONDS",
          "a claimed batch returns to the pool after this many seconds (a node died)"},
         IntSetter("delivery.lease_seconds", &C::delivery, &DeliveryConfig::lease_seconds, 1,
                   3600)},
        {{"delivery.tick_milliseconds", "OVERTURE_DELIVERY_TICK_MILLISECONDS",
          "how often the delivery worker looks for work"},
         IntSetter("delivery.tick_milliseconds", &C::delivery, &DeliveryConfig::tick_milliseconds,
                   20, 10000)},
        {{"tracking.machine_open_seconds", "OVERTURE_TRACKING_MACHINE_OPEN_SECONDS",
          "an open within this many seconds of sending counts as a machine open; 0: off"},
         IntSetter("tracking.machine_open_seconds", &C::tracking,
                   &TrackingConfig::machine_open_seconds, 0, 3600)},
        {{"tracking.flush_milliseconds", "OVERTURE_TRACKING_FLUSH_MILLISECONDS",
          "tracking events are written to the database at most this late"},
         IntSetter("tracking.flush_milliseconds", &C::tracking, &TrackingConfig::flush_milliseconds,
                   10, 60000)},
        {{"tracking.key_reload_seconds", "OVERTURE_TRACKING_KEY_RELOAD_SECONDS",
          "how often a node rereads the tracking keys (a rotation on another node)"},
         IntSetter("tracking.key_reload_seconds", &C::tracking, &TrackingConfig::key_reload_seconds,
                   1, 86400)},
        {{"tracking.max_queued_events", "OVERTURE_TRACKING_MAX_QUEUED_EVENTS",
          "tracking events waiting for the database at most; past it new ones are refused"},
         IntSetter("tracking.max_queued_events", &C::tracking, &TrackingConfig::max_queued_events,
                   1000, 100'000'000)},
        {{"workflow.engine", "OVERTURE_WORKFLOW_ENGINE",
          "true: serve runs workflow tasks; false: this node only answers the API"},
         BoolSetter("workflow.engine", &C::workflow, &WorkflowConfig::engine)},
        {{"workflow.threads", "OVERTURE_WORKFLOW_THREADS", "workflow tasks executed at once"},
         IntSetter("workflow.threads", &C::workflow, &WorkflowConfig::threads, 1, 64)},
        {{"workflow.tick_milliseconds", "OVERTURE_WORKFLOW_TICK_MILLISECONDS",
          "how often the workflow engine looks for due tasks"},
         IntSetter("workflow.tick_milliseconds", &C::workflow, &WorkflowConfig::tick_milliseconds,
                   20, 60000)},
        {{"workflow.lease_seconds", "OVERTURE_WORKFLOW_LEASE_SECONDS",
          "a claimed workflow task returns to the pool after this many seconds (a node died)"},
         IntSetter("workflow.lease_seconds", &C::workflow, &WorkflowConfig::lease_seconds, 1,
                   3600)},
        {{"workflow.step_delay_milliseconds", "OVERTURE_WORKFLOW_STEP_DELAY_MILLISECONDS",
          "test seam: each workflow activity checkpoint sleeps this long; 0 in production"},
         IntSetter("workflow.step_delay_milliseconds", &C::workflow,
                   &WorkflowConfig::step_delay_milliseconds, 0, 60000)},
        {{"workflow.directory", "OVERTURE_WORKFLOW_DIRECTORY",
          "folder of the files workflows load, extract and transfer (created at start)"},
         StringSetter(&C::workflow, &WorkflowConfig::directory)},
        {{"bounces.imap_url", "OVERTURE_BOUNCES_IMAP_URL",
          "mailbox polled for bounces and complaints: imap://HOST:PORT/FOLDER or imaps://...; "
          "empty: no polling"},
         StringSetter(&C::bounces, &BouncesConfig::imap_url)},
        {{"bounces.imap_username", "OVERTURE_BOUNCES_IMAP_USERNAME", "the mailbox's user name"},
         StringSetter(&C::bounces, &BouncesConfig::imap_username)},
        {{"bounces.imap_password", "OVERTURE_BOUNCES_IMAP_PASSWORD",
          "the mailbox's password (prefer the environment variable to the file)"},
         StringSetter(&C::bounces, &BouncesConfig::imap_password)},
        {{"bounces.imap_verify_certificate", "OVERTURE_BOUNCES_IMAP_VERIFY_CERTIFICATE",
          "verify the IMAP server's TLS certificate and host name"},
         BoolSetter("bounces.imap_verify_certificate", &C::bounces,
                    &BouncesConfig::imap_verify_certificate)},
        {{"bounces.imap_ca_file", "OVERTURE_BOUNCES_IMAP_CA_FILE",
          "PEM file of the CAs trusted for the IMAP server (a private CA); empty: the system's"},
         StringSetter(&C::bounces, &BouncesConfig::imap_ca_file)},
        {{"bounces.imap_starttls", "OVERTURE_BOUNCES_IMAP_STARTTLS",
          "with imap://, require STARTTLS (fail when the server does not offer it)"},
         BoolSetter("bounces.imap_starttls", &C::bounces, &BouncesConfig::imap_starttls)},
        {{"bounces.imap_processed_folder", "OVERTURE_BOUNCES_IMAP_PROCESSED_FOLDER",
          "folder to move handled messages to; empty: handled messages are deleted"},
         StringSetter(&C::bounces, &BouncesConfig::imap_processed_folder)},
        {{"bounces.imap_poll_seconds", "OVERTURE_BOUNCES_IMAP_POLL_SECONDS",
          "seconds between two polls of the mailbox"},
         IntSetter("bounces.imap_poll_seconds", &C::bounces, &BouncesConfig::imap_poll_seconds, 5,
                   86400)},
        {{"imports.directory", "OVERTURE_IMPORTS_DIRECTORY",
          "folder for uploaded import files and rejects files"},
         StringSetter(&C::imports, &ImportsConfig::directory)},
        {{"log.level", "OVERTURE_LOG_LEVEL", "trace | debug | info | warn | error | off"},
         ChoiceSetter("log.level", &C::log, &LogConfig::level,
                      {"trace", "debug", "info", "warn", "error", "off"})},
    };
    return kBindings;
}

const Binding* FindByKey(std::string_view key) {
    for (const auto& b : Bindings()) {
        if (b.info.key == key) return &b;
    }
    return nullptr;
}

// Flattens a TOML table into dotted keys with their values as text.
Status Flatten(const toml::table& table, const std::string& prefix, const std::string& path,
               std::vector<std::pair<std::string, std::string>>& out) {
    for (const auto& [k, node] : table) {
        std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (auto sub = node.as_table()) {
            if (auto st = Flatten(*sub, key, path, out); !st) return st;
        } else if (auto s = node.value<std::string>(); s && node.is_string()) {
            out.emplace_back(key, *s);
        } else if (node.is_integer()) {
            out.emplace_back(key, std::to_string(*node.value<std::int64_t>()));
        } else if (node.is_boolean()) {
            out.emplace_back(key, *node.value<bool>() ? "true" : "false");
        } else {
            return Fail(Error::InvalidArgument(
                fmt::format("{}:{}: key {} must be a string, an integer or a boolean", path,
                            node.source().begin.line, key)));
        }
    }
    return {};
}

}  // namespace

const std::vector<KeyInfo>& Keys() {
    static const std::vector<KeyInfo> kKeys = [] {
        std::vector<KeyInfo> keys;
        for (const auto& b : Bindings()) keys.push_back(b.info);
        return keys;
    }();
    return kKeys;
}

Status Config::Set(std::string_view key, std::string_view value) {
    const Binding* b = FindByKey(key);
    if (!b) {
        return Fail(Error::InvalidArgument(fmt::format("unknown config key '{}'", key))
                        .With("key", std::string(key)));
    }
    return b->set(*this, value);
}

Status Config::Validate() const {
    if (auto l = ParseListen(http.listen); !l) return Fail(l.error());
    if (!database.url.starts_with("sqlite:") && !database.url.starts_with("postgresql://") &&
        !database.url.starts_with("postgres://")) {
        return Fail(Error::InvalidArgument(fmt::format(
            "database URL '{}' must start with sqlite: or postgresql://", database.url)));
    }
    if (database.url == "sqlite:") {
        return Fail(Error::InvalidArgument("database URL sqlite: needs a path: sqlite:PATH"));
    }
    return {};
}

Status ApplyFile(Config& config, const std::string& path) {
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return Fail(Error::InvalidArgument(
            fmt::format("{}:{}:{}: {}", path, where.line, where.column, e.description())));
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    if (auto st = Flatten(table, "", path, pairs); !st) return st;
    for (const auto& [key, value] : pairs) {
        if (auto st = config.Set(key, value); !st) {
            auto e = st.error();
            e.message = fmt::format("{}: {}", path, e.message);
            return Fail(std::move(e));
        }
    }
    return {};
}

Status ApplyEnvironment(Config& config, const std::map<std::string, std::string>& env) {
    auto apply = [&](std::string_view var, std::string_view key) -> Status {
        auto it = env.find(std::string(var));
        if (it == env.end()) return {};
        if (auto st = config.Set(key, it->second); !st) {
            auto e = st.error();
            e.message = fmt::format("environment variable {}: {}", var, e.message);
            return Fail(std::move(e));
        }
        return {};
    };
    for (const auto& b : Bindings()) {
        if (auto st = apply(b.info.env, b.info.key); !st) return st;
    }
    // The short forms users' scripts rely on win over the long ones.
    if (auto st = apply("OVERTURE_DATABASE", "database.url"); !st) return st;
    if (auto st = apply("OVERTURE_LISTEN", "http.listen"); !st) return st;
    return {};
}

std::map<std::string, std::string> ProcessEnvironment() {
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        if (!entry.starts_with("OVERTURE_")) continue;
        auto eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return out;
}

int ResolveIoThreads(int configured, unsigned cores) {
    if (configured > 0) return configured;
    return std::max(1, static_cast<int>(cores / 2));
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view listen) {
    auto bad = [&] {
        return Fail(Error::InvalidArgument(
            fmt::format("listen address '{}' must be HOST:PORT, e.g. 127.0.0.1:8080", listen)));
    };
    auto colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return bad();
    std::string host(listen.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    auto port_text = listen.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535) {
        return bad();
    }
    return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace overture::config
