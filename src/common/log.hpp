#pragma once
// Logging set-up. Modules log through spdlog's default logger (spdlog::info, ...), which
// InitLogging configures; spdlog's loggers are thread-safe.
#include <string_view>

namespace overture {

// level: trace, debug, info, warn, error, off. Lines go to stderr with a UTC timestamp.
// Returns false (and keeps "info") when the level name is unknown.
bool InitLogging(std::string_view level);

}  // namespace overture
