// JSON rendering of a span's canonical LLM section (model::LlmInfo) as the `llm` object of the
// span JSON (docs/api.md). Token counts and costs are JSON numbers; costs appear both as exact
// nano-USD integers and as USD for people. Stateless.
#pragma once

#include "model/llm.h"
#include "server/api_json.h"

namespace tokenscope::server {

void WriteLlm(JsonOut& out, const model::LlmInfo& llm);

}  // namespace tokenscope::server
