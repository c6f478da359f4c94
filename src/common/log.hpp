#pragma once
// Logging set-up. Modules log through spdlog's default logger (spdlog::info, ...), which
// InitLogging configures; spdlog's loggers are thread-safe.
#include <string_view>

namespace overture {

// level: trace, debug, info, warn, error, off. Lines go to stderr with a UTC timestamp.
// Returns false (and keeps "info") when the level name is unknown.
bool InitLogging(std::string_view level);

// Names the calling thread for `top -H`, perf and debuggers ("ov-send-1"); names longer than 15
// bytes are cut. Best effort: a failure is ignored.
void SetThreadName(std::string_view name);

}  // namespace overture
