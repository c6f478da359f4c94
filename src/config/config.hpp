#pragma once
// Overture's configuration: typed, validated settings from, in rising precedence, built-in
// defaults, a TOML file, OVERTURE_* environment variables and command-line flags (the flags are
// applied by app/ through Set()). Every key is listed in overture.sample.toml and
// docs/configuration.md. A Config is a plain value; thread-safe to read once built.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace overture::config {

struct DatabaseConfig {
    std::string url = "sqlite:var/overture.db";  // sqlite:PATH or postgresql://...
    int max_connections = 8;
    std::int64_t acquire_timeout_ms = 5000;
};

struct HttpConfig {
    std::string listen = "127.0.0.1:8080";  // HOST:PORT
    int io_threads = 0;                     // 0: ResolveIoThreads picks half the cores
    int worker_threads = 8;
    std::int64_t max_header_bytes = 16 * 1024;
    std::int64_t max_body_bytes = 1024 * 1024;
    std::int64_t max_upload_bytes = 256ll * 1024 * 1024;  // import uploads (held in memory)
    std::int64_t idle_timeout_ms = 60000;
    std::int64_t read_timeout_ms = 30000;
    std::int64_t shutdown_grace_ms = 30000;
    std::string web_root;  // empty: web/dist beside the source tree or the binary
    bool metrics = true;   // serve /metrics
};

struct SecurityConfig {
    std::int64_t session_ttl_minutes = 12 * 60;
    std::string cookie_secure =
        "auto";                  // auto (Secure when X-Forwarded-Proto is https), always, never
    int login_max_failures = 5;  // failures per username in the window before refusing
    std::int64_t login_window_minutes = 15;
    std::string secret_key_file = "var/secret.key";  // seals SMTP passwords and DKIM keys
};

struct ImportsConfig {
    std::string directory = "var/imports";  // uploaded files and rejects files
};

struct EmailConfig {
    std::string maildir_root = "var/maildir";  // maildir routes write under this folder
};

struct BouncesConfig {
    std::string imap_url;  // imap://host:port/INBOX or imaps://...; empty: no IMAP polling
    std::string imap_username;
    std::string imap_password;
    bool imap_verify_certificate = true;
    std::string imap_ca_file;           // PEM file of trusted CAs; empty: the system's
    bool imap_starttls = false;         // imap://: require STARTTLS
    std::string imap_processed_folder;  // move handled mail there; empty: flag it deleted
    std::int64_t imap_poll_seconds = 60;
};

struct DeliveryConfig {
    // Base of the links written into messages (unsubscribe, mirror page): the address at which
    // recipients reach this server's public endpoints.
    std::string public_url = "http://127.0.0.1:8080";
    bool worker = true;           // `serve` prepares and sends deliveries
    int sender_threads = 2;       // threads rendering and handing messages to the channel
    int batch_size = 500;         // rows claimed at once (the crash window per thread)
    int lease_seconds = 60;       // a claimed batch returns to the pool after this
    int tick_milliseconds = 200;  // how often the worker looks for work
};

struct TrackingConfig {
    // An open within this many seconds of its message's sending is a machine open (security
    // gateways and privacy proxies fetch images at once); 0 turns the rule off.
    int machine_open_seconds = 2;
    int flush_milliseconds = 1000;  // tracking events reach the database at most this late
    int key_reload_seconds = 60;    // a key rotated on another node is used after this
    // Events accepted and not yet written, held in memory, at most (some 300 bytes each); past
    // it new ones are refused, not counted (a database down for long).
    int max_queued_events = 2'000'000;
};

struct WorkflowConfig {
    bool engine = true;               // `serve` runs workflow tasks (docs/workflows.md)
    int threads = 2;                  // tasks executed at once
    int tick_milliseconds = 500;      // how often the engine looks for due tasks
    int lease_seconds = 30;           // a claimed task returns to the pool after this (node died)
    int step_delay_milliseconds = 0;  // test seam: each activity checkpoint sleeps this long
    std::string directory = "var/workflows";  // the files of load/extract/transfer activities
};

struct LogConfig {
    std::string level = "info";
};

struct Config {
    DatabaseConfig database;
    HttpConfig http;
    SecurityConfig security;
    ImportsConfig imports;
    EmailConfig email;
    BouncesConfig bounces;
    DeliveryConfig delivery;
    TrackingConfig tracking;
    WorkflowConfig workflow;
    LogConfig log;

    // Sets one key by its dotted name ("http.listen") from text, converting and validating.
    // Fails with kInvalidArgument naming the key for an unknown key or a bad value.
    Status Set(std::string_view key, std::string_view value);
    // Checks what single keys cannot: listen is HOST:PORT, the database URL scheme.
    Status Validate() const;
};

// One configurable key, for the sample file, the docs test and `overture config`.
struct KeyInfo {
    std::string_view key;  // "http.listen"
    std::string_view env;  // "OVERTURE_HTTP_LISTEN"
    std::string_view help;
};
const std::vector<KeyInfo>& Keys();

// Reads the TOML file at `path` into `config`. Fails with kInvalidArgument naming the file,
// line and column for a syntax error, or the key for an unknown key or a wrong type.
Status ApplyFile(Config& config, const std::string& path);
// Applies OVERTURE_* variables from `env` (name -> value), including the short forms
// OVERTURE_DATABASE and OVERTURE_LISTEN. Fails naming the variable on a bad value.
Status ApplyEnvironment(Config& config, const std::map<std::string, std::string>& env);
// The process environment as a map (only OVERTURE_* names).
std::map<std::string, std::string> ProcessEnvironment();

// The network loop threads `serve` runs: `configured` when above 0, else half of `cores` (at
// least 1; `cores` 0 means unknown). The other half is left to the tracking writer, the
// handlers and the database, which the open and click endpoints keep busy as much as the
// network (docs/benchmarks.md, "Tracking endpoints").
int ResolveIoThreads(int configured, unsigned cores);

// Splits "HOST:PORT" ("[::1]:80" too). Fails with kInvalidArgument.
Result<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view listen);

}  // namespace overture::config
