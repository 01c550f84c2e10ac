// The tokenscope command: parses the command line and hands off to the server (`serve`) or to
// the query-API client (`traces get`, `traces search`, `reprice`, `renormalize`). No logic of
// its own beyond wiring flags to the structures those entry points take.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>

#include <CLI/CLI.hpp>

#include "cli/config_loader.h"
#include "cli/serve_command.h"
#include "cli/traces_command.h"

namespace tokenscope::cli {
namespace {

struct CommandLine {
  // serve
  std::optional<std::string> config_file;
  ServerFlagOverrides server_flags;
  // traces get / traces search. Separate option targets per command: CLI11 applies an
  // option's environment variable even for commands that were not chosen.
  ClientOptions get_client;
  ClientOptions search_client;
  std::string trace_id;
  TraceSearchParams search;
  // reprice
  ClientOptions reprice_client;
  std::string reprice_since;
  // renormalize
  ClientOptions renormalize_client;
  std::string renormalize_since;
};

// Rejects signs, spaces, hex and overflow, which CLI11's own integer conversion lets through or
// silently clamps.
CLI::Validator DecimalNumber() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        StatusOr<uint64_t> number = ParseDecimalUint64(text);
        return number.ok() ? "" : number.status().message();
      },
      "");
}

template <typename T>
CLI::Option* AddServeSetting(CLI::App& serve, std::string_view flag, std::optional<T>& target) {
  const SettingDoc* doc = FindSettingByFlag(flag);
  CLI::Option* option = serve.add_option(std::string(flag), target, SettingHelpText(*doc));
  option->type_name(std::string(doc->value_name));
  if constexpr (std::is_integral_v<T>) option->check(DecimalNumber());
  return option;
}

void AddServeCommand(CLI::App& app, CommandLine& command_line) {
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the Tokenscope server: OTLP ingest, query API and storage in one process. Settings "
      "are layered: built-in defaults < config file < TOKENSCOPE_* environment < flags.");
  serve
      ->add_option("--config", command_line.config_file,
                   "YAML config file; see deploy/tokenscope.example.yaml [env: " +
                       std::string(kConfigFileEnvVar) + "]")
      ->type_name("FILE");
  ServerFlagOverrides& flags = command_line.server_flags;
  AddServeSetting(*serve, "--data", flags.data_dir);
  AddServeSetting(*serve, "--http", flags.http_address);
  AddServeSetting(*serve, "--grpc", flags.grpc_address);
  AddServeSetting(*serve, "--max-body-bytes", flags.max_body_bytes);
  AddServeSetting(*serve, "--max-inflight-bytes", flags.max_inflight_bytes);
  AddServeSetting(*serve, "--pricing-file", flags.pricing_file);
  AddServeSetting(*serve, "--io-threads", flags.io_threads);
  AddServeSetting(*serve, "--worker-threads", flags.worker_threads);
  AddServeSetting(*serve, "--log-level", flags.log_level);
}

void AddClientOptions(CLI::App& command, ClientOptions& client) {
  command.add_option("--endpoint", client.endpoint, "Base URL of the tokenscope server")
      ->envname(std::string(kEndpointEnvVar))
      ->capture_default_str()
      ->type_name("URL");
  command.add_flag("--json", client.json, "Print the server's JSON answer unchanged");
}

void AddTracesCommands(CLI::App& app, CommandLine& command_line) {
  CLI::App* traces = app.add_subcommand("traces", "Look at stored traces");
  traces->require_subcommand(1);

  CLI::App* get = traces->add_subcommand("get", "Show one trace as an indented span tree");
  get->add_option("TRACE_ID", command_line.trace_id, "Trace id, 32 hex digits")->required();
  AddClientOptions(*get, command_line.get_client);

  CLI::App* search = traces->add_subcommand("search",
                                            "List traces, newest first or in --order. A trace "
                                            "matches when one of its spans meets every "
                                            "condition given");
  TraceSearchParams& params = command_line.search;
  search
      ->add_option("--filter", params.filter,
                   "Filter expression, sent to the server as the filter parameter")
      ->type_name("EXPR");
  search->add_option("--service", params.service, "A span has this service")->type_name("S");
  search->add_option("--name", params.name, "A span has this name")->type_name("N");
  search->add_option("--status", params.status, "A span has this status")
      ->check(CLI::IsMember({"unset", "ok", "error"}))
      ->type_name("STATUS");
  search->add_option("--min-duration", params.min_duration, "A span lasts at least (250ms, 2s)")
      ->type_name("D");
  search->add_option("--max-duration", params.max_duration, "A span lasts at most (250ms, 2s)")
      ->type_name("D");
  search
      ->add_option("--attr", params.attributes,
                   "A span attribute equals the value; repeatable, all must hold")
      ->type_name("KEY=VALUE");
  search->add_option("--since", params.since, "Only traces from this far back (15m, 2h, 7d)")
      ->type_name("DUR");
  // The server checks the order too; listing the names here puts them in --help.
  search
      ->add_option("--order", params.order,
                   "Sort order. start_time_desc (default) pages through the range newest "
                   "first; the others rank every match of the range (most expensive, most "
                   "tokens, ...) and warn when a server budget cut the scan short")
      ->check(CLI::IsMember({"start_time_desc", "start_time_asc", "duration_desc", "cost_desc",
                             "tokens_desc", "llm_calls_desc"}))
      ->type_name("ORDER");
  search->add_option("--limit", params.limit, "Traces per page (default 20)")
      ->check(CLI::Range(1, 1000))
      ->type_name("N");
  search->add_option("--cursor", params.cursor, "Continue after a previous page")
      ->type_name("CURSOR");
  AddClientOptions(*search, command_line.search_client);
}

bool StdoutWantsColor() {
  return isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

int Run(int argc, char** argv) {
  CLI::App app("Tokenscope: tracing, analytics and cost tracking for LLM pipelines.", "tokenscope");
  app.require_subcommand(1);
  app.set_version_flag("--version", "tokenscope " TOKENSCOPE_VERSION);
  CommandLine command_line;
  AddServeCommand(app, command_line);
  AddTracesCommands(app, command_line);
  CLI::App* reprice = app.add_subcommand(
      "reprice",
      "Recompute the token and cost totals of recent traces with the server's current price "
      "table (after a price change or a new pricing.file) and report what changed");
  reprice->add_option("--since", command_line.reprice_since, "How far back (15m, 2h, 7d)")
      ->required()
      ->type_name("DUR");
  AddClientOptions(*reprice, command_line.reprice_client);
  CLI::App* renormalize = app.add_subcommand(
      "renormalize",
      "Rebuild the token and cost totals of recent traces from their stored raw attributes with "
      "the server's current normalizer and price table (after an upgrade) and report the "
      "normalizer version and the LLM calls, tokens and cost before and after");
  renormalize->add_option("--since", command_line.renormalize_since, "How far back (15m, 2h, 7d)")
      ->required()
      ->type_name("DUR");
  AddClientOptions(*renormalize, command_line.renormalize_client);
  CLI::App* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  if (version->parsed()) {
    std::cout << "tokenscope " TOKENSCOPE_VERSION "\n";
    return kExitOk;
  }
  if (app.got_subcommand("serve")) {
    ConfigSources sources;
    sources.config_file = command_line.config_file;
    sources.env = ProcessEnvironment();
    sources.flags = command_line.server_flags;
    return RunServe(sources);
  }
  if (reprice->parsed()) {
    return RunReprice(command_line.reprice_client, command_line.reprice_since, std::cout,
                      std::cerr);
  }
  if (renormalize->parsed()) {
    return RunRenormalize(command_line.renormalize_client, command_line.renormalize_since,
                          std::cout, std::cerr);
  }
  CLI::App* traces = app.get_subcommand("traces");
  if (traces->got_subcommand("get")) {
    command_line.get_client.color = StdoutWantsColor();
    return RunTracesGet(command_line.get_client, command_line.trace_id, std::cout, std::cerr);
  }
  command_line.search_client.color = StdoutWantsColor();
  return RunTracesSearch(command_line.search_client, command_line.search, std::cout, std::cerr);
}

}  // namespace
}  // namespace tokenscope::cli

int main(int argc, char** argv) {
  return tokenscope::cli::Run(argc, argv);
}
