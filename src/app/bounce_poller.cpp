#include "app/bounce_poller.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "channels/email/imap_reader.hpp"
#include "common/log.hpp"

namespace overture::app {

BouncePoller::BouncePoller(const config::BouncesConfig& cfg, const service::BounceService& bounces)
    : cfg_(cfg), bounces_(bounces) {
    thread_ = std::jthread([this](std::stop_token stop) {
        SetThreadName("ov-bounces");
        Run(stop);
    });
}

BouncePoller::~BouncePoller() { Stop(); }

void BouncePoller::Stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
}

void BouncePoller::Run(std::stop_token stop) {
    spdlog::info("bounces: polling {} every {} s", cfg_.imap_url, cfg_.imap_poll_seconds);
    while (!stop.stop_requested()) {
        auto classifier = bounces_.Classifier();
        if (!classifier) {
            spdlog::error("bounces: cannot load the classification rules: {}",
                          classifier.error().message);
        } else {
            email::ImapSettings settings;
            settings.url = cfg_.imap_url;
            settings.username = cfg_.imap_username;
            settings.password = cfg_.imap_password;
            settings.verify_certificate = cfg_.imap_verify_certificate;
            settings.ca_file = cfg_.imap_ca_file;
            settings.starttls = cfg_.imap_starttls;
            settings.processed_folder = cfg_.imap_processed_folder;
            auto reader = email::ImapBounceReader::Create(settings, **classifier);
            if (!reader) {
                spdlog::error("bounces: {}", reader.error().message);
                return;  // a setting is wrong: polling again will not help
            }
            int stored = 0;
            try {
                auto handled = (*reader)->PollOnce([&](const email::BounceEvent& event) {
                    auto id = bounces_.RecordFromMailbox(event);
                    if (!id) throw std::runtime_error(id.error().message);
                    if (*id > 0) ++stored;
                });
                if (!handled) {
                    spdlog::warn("bounces: poll failed: {}", handled.error().message);
                } else if (*handled > 0) {
                    spdlog::info("bounces: {} messages read, {} events stored", *handled, stored);
                }
            } catch (const std::exception& e) {
                spdlog::error(
                    "bounces: cannot store an event ({}); the message stays in the "
                    "mailbox for the next poll",
                    e.what());
            }
        }
        std::unique_lock lock(mu_);
        wake_.wait_for(lock, stop, std::chrono::seconds(cfg_.imap_poll_seconds),
                       [] { return false; });
    }
}

}  // namespace overture::app
