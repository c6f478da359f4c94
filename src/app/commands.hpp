#pragma once
// The CLI commands. Each returns the process exit code: 0 success, 1 a runtime failure (the
// database unreachable, a port taken), 2 a usage or configuration error.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "config/config.hpp"

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

struct ImportOptions {
    std::string resource = "profile";
    std::string file;
    std::vector<std::string> keys;
    std::string mode = "upsert";
    std::string delimiter;  // empty: detected
    std::string encoding;   // empty: detected; utf-8 or latin-1
    bool no_header = false;
    std::vector<std::string> mappings;  // COLUMN=FIELD
    std::string rejects;                // empty: FILE.rejects.csv
};

struct DemoOptions {
    int profiles = 10000;    // --profiles N
    std::uint64_t seed = 1;  // --seed S: the same seed gives the same people and purchases
};

struct ExportOptions {
    std::string resource = "profile";
    std::string columns;  // comma-separated; empty: every field
    std::string search;   // like ?q=
    std::string file;     // empty or "-": standard output
};

struct WorkflowRunOptions {
    std::int64_t id = 0;  // the workflow
    bool dry_run = false;
};

int RunServe(const CommonOptions& common, const ServeOptions& serve);
int RunInit(const CommonOptions& common, const std::string& admin_password);
int RunMigrate(const CommonOptions& common);
// `overture tracking rotate-key`: a new key signs tracked links (docs/tracking.md).
int RunTrackingRotateKey(const CommonOptions& common);
int RunUserAdd(const CommonOptions& common, const UserAddOptions& options);
int RunImport(const CommonOptions& common, const ImportOptions& options);
int RunExport(const CommonOptions& common, const ExportOptions& options);
// Loads generated demo data (docs/demo.md) once: a database that already holds demo profiles
// is left unchanged and the command succeeds.
int RunDemo(const CommonOptions& common, const DemoOptions& options);
// `overture workflow run ID [--dry-run]`: starts a run of the workflow and executes it in the
// foreground (Engine::RunDue) until it ends, printing its log. Exit 0 when the run finished.
int RunWorkflowRun(const CommonOptions& common, const WorkflowRunOptions& options);

// Defaults < config file < OVERTURE_* environment < flags, validated.
Result<config::Config> LoadConfigFor(const CommonOptions& common);
// "overture: <message> (<detail>)" on stderr.
void PrintError(const Error& e);
// The prologue of a command: the configuration (LoadConfigFor) and logging set up from it;
// nullopt, the error printed, when the configuration is bad (exit with kExitUsage).
std::optional<config::Config> StartCommand(const CommonOptions& common);

}  // namespace overture::app
