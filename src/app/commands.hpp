#pragma once
// The CLI commands. Each returns the process exit code: 0 success, 1 a runtime failure (the
// database unreachable, a port taken), 2 a usage or configuration error.
#include <string>

namespace overture::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Options every command that touches the database takes.
struct CommonOptions {
    std::string config_file;  // --config, or OVERTURE_CONFIG
    std::string database;     // --database URL
    std::string log_level;    // --log-level
};

struct ServeOptions {
    std::string listen;    // --listen HOST:PORT
    std::string web_root;  // --web-root DIR
};

struct UserAddOptions {
    std::string username;
    std::string role = "marketer";
    std::string password;  // empty: generate one and print it
    std::string display_name;
};

int RunServe(const CommonOptions& common, const ServeOptions& serve);
int RunInit(const CommonOptions& common, const std::string& admin_password);
int RunMigrate(const CommonOptions& common);
int RunUserAdd(const CommonOptions& common, const UserAddOptions& options);

}  // namespace overture::app
