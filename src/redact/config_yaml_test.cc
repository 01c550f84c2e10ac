// The `redaction:` config section: defaults, per-project profiles, and errors that point at
// the offending line.
#include "redact/config_yaml.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace tokenscope::redact {
namespace {

StatusOr<RedactionConfig> Parse(const std::string& yaml, bool* enabled) {
  YAML::Node root = YAML::Load(yaml);
  return ParseRedactionYaml(root["redaction"], enabled);
}

TEST(RedactionConfigYamlTest, FullSection) {
  bool enabled = false;
  auto config = Parse(R"(
redaction:
  detectors: [email, credit_card]
  fields: all
  attributes: ["user.email", "app.*"]
  patterns:
    - {name: EMPLOYEE_ID, regex: 'EMP-\d{6}'}
  projects:
    acme:
      detectors: all
      patterns: []
    sandbox: {enabled: false}
)",
                      &enabled);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(enabled);  // the section's presence turns redaction on
  EXPECT_EQ(config->defaults.detectors,
            (std::vector<Detector>{Detector::kEmail, Detector::kCreditCard}));
  EXPECT_EQ(config->defaults.fields, FieldScope::kAll);
  EXPECT_EQ(config->defaults.attributes, (std::vector<std::string>{"user.email", "app.*"}));
  ASSERT_EQ(config->defaults.patterns.size(), 1u);
  EXPECT_EQ(config->defaults.patterns[0].regex, R"(EMP-\d{6})");
  const RedactionProfile& acme = config->projects.at("acme");
  EXPECT_EQ(acme.detectors, AllDetectors());
  EXPECT_TRUE(acme.patterns.empty());
  EXPECT_EQ(acme.fields, FieldScope::kAll);  // inherited
  EXPECT_FALSE(config->projects.at("sandbox").enabled);
  EXPECT_EQ(config->projects.at("sandbox").detectors, config->defaults.detectors);
}

TEST(RedactionConfigYamlTest, EnabledFalseAndEmptyDetectors) {
  bool enabled = true;
  auto config = Parse("redaction: {enabled: false, detectors: []}", &enabled);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(enabled);
  EXPECT_TRUE(config->defaults.detectors.empty());
}

void ExpectError(const std::string& yaml, std::string_view fragment) {
  bool enabled = false;
  auto config = Parse(yaml, &enabled);
  ASSERT_FALSE(config.ok()) << yaml;
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(fragment), std::string::npos)
      << config.status().message();
}

TEST(RedactionConfigYamlTest, ErrorsNameTheLineAndThePath) {
  ExpectError("redaction:\n  detectors: [email, ssn]\n",
              "line 2, column 22: redaction.detectors[1]: unknown detector \"ssn\"");
  ExpectError("redaction:\n  detector: [email]\n", "unknown key \"detector\"");
  ExpectError("redaction:\n  fields: some\n", "expected content or all");
  ExpectError("redaction:\n  patterns:\n    - {name: X, regex: '('}\n",
              "redaction.patterns[0]: pattern X: invalid regex");
  ExpectError("redaction:\n  patterns:\n    - {name: X}\n", "needs both name and regex");
  ExpectError("redaction:\n  projects:\n    acme: {colour: red}\n",
              "redaction.projects.acme: unknown key \"colour\"");
  ExpectError("redaction:\n  enabled: maybe\n", "expected true or false");
  ExpectError("redaction: [1, 2]\n", "expected a mapping");
  ExpectError("redaction:\n  attributes: a.b\n", "expected a list of attribute keys");
}

}  // namespace
}  // namespace tokenscope::redact
