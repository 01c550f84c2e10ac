// The tokenscope command: parses the command line and hands off to the server (`serve`), to
// the query-API client (`traces get`, `traces search`, `reprice`, `renormalize`, `rollup rebuild`,
// `report`) or to key management (`keys`). No logic of its own beyond wiring flags to the
// structures those entry points take.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>

#include <CLI/CLI.hpp>

#include "cli/config_loader.h"
#include "cli/demo_command.h"
#include "cli/import_command.h"
#include "cli/keys_command.h"
#include "cli/report_command.h"
#include "cli/serve_command.h"
#include "cli/traces_command.h"

namespace tokenscope::cli {
namespace {

struct CommandLine {
  // serve
  std::optional<std::string> config_file;
  ServerFlagOverrides server_flags;
  bool serve_demo = false;
  // demo
  ClientOptions demo_client;
  uint64_t demo_traces = 200;
  std::string demo_duration;
  std::string demo_spread = "6h";
  uint64_t demo_seed = 42;
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
  // rollup rebuild
  ClientOptions rollup_client;
  std::string rollup_since;
  // keys
  std::optional<std::string> keys_config_file;
  std::optional<std::string> keys_data_dir;
  bool keys_json = false;
  std::string key_project;
  std::optional<std::string> key_list_project;
  std::string key_scope = "read-write";
  std::string key_description;
  std::string key_id;
  // import
  ClientOptions import_client;
  std::string import_file;
  // report
  ClientOptions report_client;
  ReportParams report;
  bool report_hourly = false;
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

// A boolean setting: the bare flag means true; --flag=false and --flag=0 say false. Left unset
// when not given, so the file and environment layers still apply.
CLI::Option* AddServeSwitch(CLI::App& serve, std::string_view flag, std::optional<bool>& target) {
  const SettingDoc* doc = FindSettingByFlag(flag);
  // Values CLI11 cannot read as a flag would throw out of its parser; the file and environment
  // rules are applied here first. CLI11 then passes a positive count for true, negative for false.
  CLI::Validator true_or_false(
      [](std::string& value) -> std::string {
        StatusOr<bool> parsed = ParseBoolean(value);
        return parsed.ok() ? "" : parsed.status().message();
      },
      "");
  return serve
      .add_flag_function(
          std::string(flag), [&target](int64_t count) { target = count > 0; },
          SettingHelpText(*doc))
      ->check(true_or_false);
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
  AddServeSetting(*serve, "--max-spans-per-request", flags.max_spans_per_request);
  AddServeSetting(*serve, "--max-attributes", flags.max_attributes);
  AddServeSetting(*serve, "--max-attribute-value-bytes", flags.max_attribute_value_bytes);
  AddServeSetting(*serve, "--max-events-per-span", flags.max_events_per_span);
  AddServeSetting(*serve, "--max-links-per-span", flags.max_links_per_span);
  AddServeSetting(*serve, "--max-spans-per-trace", flags.max_spans_per_trace);
  AddServeSetting(*serve, "--min-free-disk-bytes", flags.min_free_disk_bytes);
  AddServeSetting(*serve, "--retention", flags.retention_ttl_ns);
  AddServeSetting(*serve, "--retention-projects", flags.retention_projects);
  AddServeSetting(*serve, "--retention-interval", flags.retention_interval_ns);
  AddServeSetting(*serve, "--rollup-dimensions", flags.rollup_dimensions);
  AddServeSetting(*serve, "--rollup-max-values", flags.rollup_max_values);
  AddServeSetting(*serve, "--rollup-retention", flags.rollup_retention_ns);
  AddServeSetting(*serve, "--io-threads", flags.io_threads);
  AddServeSetting(*serve, "--worker-threads", flags.worker_threads);
  AddServeSetting(*serve, "--tls-cert", flags.tls_cert_file);
  AddServeSetting(*serve, "--tls-key", flags.tls_key_file);
  AddServeSetting(*serve, "--log-level", flags.log_level);
  AddServeSwitch(*serve, "--insecure", flags.insecure);
  AddServeSwitch(*serve, "--redact", flags.redact);
  serve->add_flag("--demo", command_line.serve_demo,
                  "Fill the server with the demo workload once it listens (as `tokenscope demo`: "
                  "a backfill of the last hours, then about one trace a second; local mode)");
}

void AddDemoCommand(CLI::App& app, CommandLine& command_line) {
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Send realistic synthetic LLM traces (RAG pipelines, agent tool loops, streamed chats "
      "with logprobs, evaluation batches, errors of every class) to a server over OTLP/HTTP");
  demo->add_option("--traces", command_line.demo_traces,
                   "Traces to backfill, spread over --spread up to now")
      ->capture_default_str()
      ->type_name("N");
  demo->add_option("--spread", command_line.demo_spread, "How far back the backfill reaches")
      ->capture_default_str()
      ->type_name("DUR");
  demo->add_option("--duration", command_line.demo_duration,
                   "Then keep sending about one trace a second for this long (30s, 10m)")
      ->type_name("DUR");
  demo->add_option("--seed", command_line.demo_seed, "Workload seed (same seed, same traces)")
      ->capture_default_str()
      ->type_name("N");
  demo->add_option("--endpoint", command_line.demo_client.endpoint,
                   "Base URL of the tokenscope server")
      ->envname(std::string(kEndpointEnvVar))
      ->capture_default_str()
      ->type_name("URL");
  demo->add_option("--api-key", command_line.demo_client.api_key,
                   "Secret API key (read-write), when the server has keys")
      ->envname(std::string(kApiKeyEnvVar))
      ->type_name("KEY");
}

void AddEndpointOptions(CLI::App& command, ClientOptions& client) {
  command.add_option("--endpoint", client.endpoint, "Base URL of the tokenscope server")
      ->envname(std::string(kEndpointEnvVar))
      ->capture_default_str()
      ->type_name("URL");
  command.add_option("--api-key", client.api_key, "Secret API key, when the server has keys")
      ->envname(std::string(kApiKeyEnvVar))
      ->type_name("KEY");
}

void AddClientOptions(CLI::App& command, ClientOptions& client) {
  AddEndpointOptions(command, client);
  command.add_flag("--json", client.json, "Print the server's JSON answer unchanged");
}

// `tokenscope keys create|list|revoke`. The key file lives beside the store, so the commands
// take the same --data / --config / TOKENSCOPE_DATA as serve.
CLI::App* AddKeysCommands(CLI::App& app, CommandLine& command_line) {
  CLI::App* keys = app.add_subcommand(
      "keys",
      "Manage API keys (kept hashed in DATA/keys.json; a running server applies changes within "
      "a second). With no active key the server runs in local mode");
  keys->require_subcommand(1);
  keys->add_option("--config", command_line.keys_config_file, "YAML config file (for data_dir)")
      ->type_name("FILE");
  keys->add_option("--data", command_line.keys_data_dir, "Data directory of the server")
      ->envname("TOKENSCOPE_DATA")
      ->type_name("DIR");
  keys->add_flag("--json", command_line.keys_json, "Machine-readable output");
  CLI::App* create = keys->add_subcommand("create", "Create a key; prints its secret once");
  create->add_option("--project", command_line.key_project, "Project the key belongs to")
      ->required()
      ->type_name("NAME");
  create->add_option("--scope", command_line.key_scope, "read-only or read-write")
      ->capture_default_str()
      ->type_name("SCOPE");
  create->add_option("--description", command_line.key_description, "What the key is for")
      ->type_name("TEXT");
  CLI::App* list = keys->add_subcommand("list", "List keys (never their secrets)");
  list->add_option("--project", command_line.key_list_project, "Only this project's keys")
      ->type_name("NAME");
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key by its public id");
  revoke->add_option("ID", command_line.key_id, "Public key id (pk-ts-...)")->required();
  return keys;
}

int RunKeys(CLI::App& keys, const CommandLine& command_line) {
  ConfigSources sources;
  sources.config_file = command_line.keys_config_file;
  sources.env = ProcessEnvironment();
  sources.flags.data_dir = command_line.keys_data_dir;
  StatusOr<server::ServerConfig> config = LoadServerConfig(sources);
  if (!config.ok()) {
    std::cerr << "error: " << config.status().message() << '\n';
    return kExitUsage;
  }
  KeysOptions options{config->data_dir, command_line.keys_json};
  if (keys.got_subcommand("create")) {
    return RunKeysCreate(options, command_line.key_project, command_line.key_scope,
                         command_line.key_description, std::cout, std::cerr);
  }
  if (keys.got_subcommand("list")) {
    return RunKeysList(options, command_line.key_list_project, std::cout, std::cerr);
  }
  return RunKeysRevoke(options, command_line.key_id, std::cout, std::cerr);
}

int RunImportFile(const CommandLine& command_line) {
  ImportOptions options;
  options.client = command_line.import_client;
  if (command_line.import_file == "-") {
    return RunImport(options, std::cin, "stdin", std::cout, std::cerr);
  }
  std::ifstream file(command_line.import_file);
  if (!file) {
    std::cerr << "error: cannot read " << command_line.import_file << '\n';
    return kExitUsage;
  }
  return RunImport(options, file, command_line.import_file, std::cout, std::cerr);
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

// `tokenscope report`: usage per period and group, from several metrics-API calls.
CLI::App* AddReportCommand(CLI::App& app, CommandLine& command_line) {
  CLI::App* report = app.add_subcommand(
      "report",
      "LLM usage per UTC day (or hour) and model (or --group-by): requests, error rate, average "
      "input and output tokens per request, p95 latency and cost in USD, as a table or CSV");
  report->footer(
      "Periods run oldest first, from the start of the UTC day (hour) --since reaches back into "
      "up to the current, unfinished one. In each period the groups come most expensive over "
      "the whole report first, then a TOTAL row; the report ends with a TOTAL row over the "
      "whole range. Groups without requests in a period are left out. The table omits a TOTAL "
      "that would only repeat the row above it; the CSV keeps every one, with TOTAL in the "
      "group columns (and in period_start_utc for the last row).");
  ReportParams& params = command_line.report;
  report->add_option("--since", params.since, "How far back (12h, 7d, 30d)")
      ->capture_default_str()
      ->type_name("DUR");
  CLI::Option* step = report->add_option("--step", params.step, "Period length: 1d or 1h")
                          ->check(CLI::IsMember({"1d", "1h"}))
                          ->capture_default_str()
                          ->type_name("STEP");
  report->add_flag("--hourly", command_line.report_hourly, "The same as --step 1h")->excludes(step);
  report
      ->add_option("--group-by", params.group_by,
                   "Comma-separated dimensions: model, provider, service, operation, "
                   "error_class, a configured allocation dimension such as team, user or "
                   "session; \"\" for one row per period")
      ->capture_default_str()
      ->type_name("DIMS");
  report
      ->add_option("--filter", params.filter,
                   "Filter expression; only the LLM calls that match it count")
      ->type_name("EXPR");
  report
      ->add_option("--format", params.format,
                   "table (aligned) or csv (RFC 4180 quoting, a header row, plain numbers)")
      ->check(CLI::IsMember({"table", "csv"}))
      ->capture_default_str()
      ->type_name("FORMAT");
  AddEndpointOptions(*report, command_line.report_client);
  return report;
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
  AddDemoCommand(app, command_line);
  CLI::App* report = AddReportCommand(app, command_line);
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
  CLI::App* rollup =
      app.add_subcommand("rollup", "Maintain the per-minute rollups behind metrics and costs");
  rollup->require_subcommand(1);
  CLI::App* rebuild = rollup->add_subcommand(
      "rebuild",
      "Recompute the rollups of recent minutes from the stored spans with the server's current "
      "prices, normalizer and rollup.dimensions (after adding a dimension, or for data stored "
      "before rollups existed) and report the cells, calls and cost before and after");
  rebuild->add_option("--since", command_line.rollup_since, "How far back (15m, 2h, 30d)")
      ->required()
      ->type_name("DUR");
  AddClientOptions(*rebuild, command_line.rollup_client);
  CLI::App* keys = AddKeysCommands(app, command_line);
  CLI::App* import = app.add_subcommand(
      "import",
      "Send a log of LLM calls kept as JSON Lines (timestamp, model, tokens, latency, status, "
      "... see docs/import.md) to the server as spans, one per line; importing twice stores once");
  import->add_option("FILE", command_line.import_file, "The .jsonl file, or - for stdin")
      ->required();
  AddClientOptions(*import, command_line.import_client);
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
    return RunServe(sources, command_line.serve_demo);
  }
  if (app.got_subcommand("demo")) {
    return RunDemo(command_line.demo_client, command_line.demo_traces, command_line.demo_duration,
                   command_line.demo_spread, command_line.demo_seed, std::cout, std::cerr);
  }
  if (keys->parsed()) return RunKeys(*keys, command_line);
  if (import->parsed()) return RunImportFile(command_line);
  if (report->parsed()) {
    if (command_line.report_hourly) command_line.report.step = "1h";
    return RunReport(command_line.report_client, command_line.report, std::cout, std::cerr);
  }
  if (reprice->parsed()) {
    return RunReprice(command_line.reprice_client, command_line.reprice_since, std::cout,
                      std::cerr);
  }
  if (rebuild->parsed()) {
    return RunRollupRebuild(command_line.rollup_client, command_line.rollup_since, std::cout,
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
