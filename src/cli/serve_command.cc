#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/demo_command.h"
#include "cli/traces_command.h"
#include "server/server.h"

namespace tokenscope::cli {
namespace {

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

// Logs go to stderr: stdout carries only the "listening" line that scripts parse.
void ConfigureLogging(const std::string& level) {
  // Unnamed like spdlog's own default logger, so no registry name is taken from the server.
  auto logger =
      std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_level(spdlog::level::from_str(level));
}

// After the first signal the server drains, which can take a while; a second signal means the
// operator does not want to wait.
void ExitOnSecondSignal(const sigset_t& signals) {
  std::thread([signals] {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) == 0) {
      std::fputs("tokenscope: second signal, exiting without draining\n", stderr);
      std::_Exit(128 + signal_number);
    }
  }).detach();
}

}  // namespace

int RunServe(const ConfigSources& sources, bool demo) {
  StatusOr<server::ServerConfig> config = LoadServerConfig(sources);
  if (!config.ok()) {
    fmt::print(stderr, "error: {}\n", config.status().message());
    return kExitUsage;
  }
  ConfigureLogging(config->log_level);

  // Block the shutdown signals before any server thread exists so every thread inherits the
  // mask and the signals are only ever consumed by sigwait below.
  const sigset_t signals = ShutdownSignals();
  if (int error = pthread_sigmask(SIG_BLOCK, &signals, nullptr); error != 0) {
    fmt::print(stderr, "error: cannot block signals: {}\n", std::strerror(error));
    return kExitServerError;
  }

  server::Server server(*config);
  if (Status started = server.Start(); !started.ok()) {
    fmt::print(stderr, "error: cannot start the server: {}\n", started.message());
    return kExitServerError;
  }
  const std::string address = server.http_address();
  // With TLS both listeners speak TLS only; the gRPC scheme stays grpc:// (the port decides).
  const std::string_view scheme = config->tls_cert_file.empty() ? "http" : "https";
  fmt::print(
      "tokenscope listening on {0}://{1} (OTLP/HTTP: POST {0}://{1}/v1/traces, /v1/logs and "
      "/v1/metrics, "
      "API: {0}://{1}/api/v1/traces) and grpc://{2} (OTLP/gRPC)\n",
      scheme, address, server.grpc_address());
  std::fflush(stdout);

  // --demo: the same sender as `tokenscope demo`, against this process's own listener.
  std::atomic<bool> stop_demo{false};
  std::thread demo_sender;
  if (demo) {
    ClientOptions client;
    client.endpoint = "http://" + address;
    demo_sender = std::thread([client, &stop_demo] {
      DemoPlan plan;
      plan.live_ns = 10ull * 365 * 24 * 3600 * 1'000'000'000;  // until the server stops
      DemoStats stats;
      Status sent = SendDemoWorkload(client, plan, &stop_demo, &stats);
      if (!sent.ok()) spdlog::warn("demo workload stopped: {}", sent.message());
      spdlog::info("demo workload: {} traces, {} spans sent", stats.traces, stats.spans);
    });
    spdlog::info("tokenscope: sending the demo workload to {}", client.endpoint);
  }

  int signal_number = 0;
  if (int error = sigwait(&signals, &signal_number); error != 0) {
    spdlog::error("sigwait failed: {}", std::strerror(error));
  } else {
    spdlog::info("received {}, draining", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  }
  ExitOnSecondSignal(signals);
  stop_demo = true;
  if (demo_sender.joinable()) demo_sender.join();
  server.Stop();
  return kExitOk;
}

}  // namespace tokenscope::cli
