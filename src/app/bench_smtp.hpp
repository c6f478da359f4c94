#pragma once
// overture bench smtp (bench/smtp/run.sh, docs/benchmarks.md): sends N personalized,
// DKIM-signed messages of about 20 KB through our SMTP client to an SMTP server (postfix's
// smtp-sink in the script), the way a delivery does: render the HTML and text parts per
// recipient (render/), write the MIME message (channels/email/mime), sign it (DKIM, RSA or
// Ed25519), hand it to the connection pool. Prints messages per second, the average message
// size, and how many cores signing used. The script runs postfix's smtp-source with the same
// count, size and concurrency into the same sink and prints the ratio (issue 6: at least 0.8x
// with Ed25519).
#include <cstdint>
#include <string>

namespace overture::app {

struct BenchSmtpOptions {
    std::string host = "127.0.0.1";     // --host
    int port = 0;                       // --port: the sink (required)
    std::int64_t messages = 100'000;    // --messages
    int connections = 10;               // --connections: the pool size
    std::string algorithm = "ed25519";  // --algorithm ed25519 | rsa
    int workers = 0;                    // --workers: threads that render, write and sign; 0: cores
    int size = 20480;                   // --size: aim for messages of about this many bytes
    double max_seconds = 600;           // --max-seconds: give up (exit 1) after this
    std::string out;                    // --out FILE: append the result line (TSV)
};

// Exit codes as commands.hpp: 1 when a message is not accepted (every one must get 250).
int RunBenchSmtp(const BenchSmtpOptions& options);

}  // namespace overture::app
