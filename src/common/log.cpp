#include "common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <pthread.h>

#include <string>

namespace overture {

bool InitLogging(std::string_view level) {
    auto logger = spdlog::get("overture");
    if (!logger) logger = spdlog::stderr_color_mt("overture");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    auto lvl = spdlog::level::from_str(std::string(level));
    if (lvl == spdlog::level::off && level != "off") {
        spdlog::set_level(spdlog::level::info);
        return false;
    }
    spdlog::set_level(lvl);
    return true;
}

void SetThreadName(std::string_view name) {
    const std::string cut(name.substr(0, 15));
    pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace overture
