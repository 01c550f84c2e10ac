#include "redact/config_yaml.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "redact/redactor.h"

namespace tokenscope::redact {
namespace {

Status ErrorAt(const YAML::Node& node, std::string_view path, std::string_view message) {
  std::string where;
  const YAML::Mark mark = node.Mark();
  if (!mark.is_null() && mark.line >= 0 && mark.column >= 0) {
    where = "line " + std::to_string(mark.line + 1) + ", column " +
            std::to_string(mark.column + 1) + ": ";
  }
  return InvalidArgument(where + std::string(path) + ": " + std::string(message));
}

StatusOr<std::string> ScalarOf(const YAML::Node& node, std::string_view path,
                               std::string_view expected) {
  if (!node.IsScalar()) return ErrorAt(node, path, "expected " + std::string(expected));
  return node.Scalar();
}

StatusOr<bool> BoolOf(const YAML::Node& node, std::string_view path) {
  TS_ASSIGN_OR_RETURN(std::string text, ScalarOf(node, path, "true or false"));
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return ErrorAt(node, path, "expected true or false, got \"" + text + "\"");
}

std::string DetectorNames() {
  std::string names;
  for (Detector d : AllDetectors()) {
    if (!names.empty()) names += ", ";
    names += DetectorName(d);
  }
  return names;
}

// A list of detector names, or the word "all".
Status ParseDetectors(const YAML::Node& node, const std::string& path, RedactionProfile* out) {
  if (node.IsScalar() && node.Scalar() == "all") {
    out->detectors = AllDetectors();
    return Status::Ok();
  }
  if (!node.IsSequence()) return ErrorAt(node, path, "expected a list of detectors or \"all\"");
  out->detectors.clear();
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    TS_ASSIGN_OR_RETURN(std::string name, ScalarOf(node[i], item_path, "a detector name"));
    bool known = false;
    for (Detector d : AllDetectors()) {
      if (DetectorName(d) != name) continue;
      known = true;
      out->detectors.push_back(d);
    }
    if (!known) {
      return ErrorAt(node[i], item_path,
                     "unknown detector \"" + name + "\" (known: " + DetectorNames() + ")");
    }
  }
  return Status::Ok();
}

Status ParseStringList(const YAML::Node& node, const std::string& path,
                       std::vector<std::string>* out) {
  if (!node.IsSequence()) return ErrorAt(node, path, "expected a list of attribute keys");
  out->clear();
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    TS_ASSIGN_OR_RETURN(std::string key, ScalarOf(node[i], item_path, "an attribute key"));
    if (key.empty()) return ErrorAt(node[i], item_path, "expected a non-empty attribute key");
    out->push_back(std::move(key));
  }
  return Status::Ok();
}

Status ParsePattern(const YAML::Node& node, const std::string& path, CustomPattern* out) {
  if (!node.IsMap()) return ErrorAt(node, path, "expected a mapping with name and regex");
  for (const auto& entry : node) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (key == "name") {
      TS_ASSIGN_OR_RETURN(out->name, ScalarOf(entry.second, path + ".name", "a name"));
    } else if (key == "regex") {
      TS_ASSIGN_OR_RETURN(out->regex, ScalarOf(entry.second, path + ".regex", "an RE2 regex"));
    } else {
      return ErrorAt(entry.first, path, "unknown key \"" + key + "\" (known: name, regex)");
    }
  }
  if (out->name.empty() || out->regex.empty()) {
    return ErrorAt(node, path, "a pattern needs both name and regex");
  }
  Status valid = ValidatePattern(*out);
  if (!valid.ok()) return ErrorAt(node, path, valid.message());
  return Status::Ok();
}

Status ParsePatterns(const YAML::Node& node, const std::string& path,
                     std::vector<CustomPattern>* out) {
  if (!node.IsSequence()) return ErrorAt(node, path, "expected a list of {name, regex}");
  out->clear();
  for (size_t i = 0; i < node.size(); ++i) {
    TS_RETURN_IF_ERROR(
        ParsePattern(node[i], path + "[" + std::to_string(i) + "]", &out->emplace_back()));
  }
  return Status::Ok();
}

StatusOr<FieldScope> ParseFields(const YAML::Node& node, const std::string& path) {
  TS_ASSIGN_OR_RETURN(std::string text, ScalarOf(node, path, "content or all"));
  if (text == "content") return FieldScope::kContent;
  if (text == "all") return FieldScope::kAll;
  return ErrorAt(node, path, "expected content or all, got \"" + text + "\"");
}

// Applies one key of a profile (the section's own or a project's); false in `*known` when the
// key is not a profile key.
Status ApplyProfileKey(const std::string& key, const YAML::Node& value, const std::string& path,
                       RedactionProfile* profile, bool* known) {
  *known = true;
  if (key == "detectors") return ParseDetectors(value, path, profile);
  if (key == "attributes") return ParseStringList(value, path, &profile->attributes);
  if (key == "patterns") return ParsePatterns(value, path, &profile->patterns);
  if (key == "fields") {
    TS_ASSIGN_OR_RETURN(profile->fields, ParseFields(value, path));
    return Status::Ok();
  }
  *known = false;
  return Status::Ok();
}

// Iterates a mapping's entries with string keys, rejecting other keys and duplicates.
template <typename Visit>
Status ForEachEntry(const YAML::Node& mapping, const std::string& path, Visit visit) {
  if (!mapping.IsMap()) return ErrorAt(mapping, path, "expected a mapping");
  std::set<std::string> seen;
  for (const auto& entry : mapping) {
    if (!entry.first.IsScalar()) return ErrorAt(entry.first, path, "keys must be plain names");
    const std::string& key = entry.first.Scalar();
    if (!seen.insert(key).second)
      return ErrorAt(entry.first, path, "duplicate key \"" + key + "\"");
    if (entry.second.IsNull()) continue;  // `key:` with no value leaves it as it was
    TS_RETURN_IF_ERROR(visit(key, entry.first, entry.second));
  }
  return Status::Ok();
}

constexpr std::string_view kProfileKeys = "enabled, detectors, fields, attributes, patterns";

Status ParseProject(const YAML::Node& mapping, const std::string& path, RedactionProfile* profile) {
  return ForEachEntry(
      mapping, path,
      [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) -> Status {
        const std::string key_path = path + "." + key;
        if (key == "enabled") {
          TS_ASSIGN_OR_RETURN(profile->enabled, BoolOf(value, key_path));
          return Status::Ok();
        }
        bool known = false;
        TS_RETURN_IF_ERROR(ApplyProfileKey(key, value, key_path, profile, &known));
        if (known) return Status::Ok();
        return ErrorAt(key_node, path,
                       "unknown key \"" + key + "\" (known: " + std::string(kProfileKeys) + ")");
      });
}

StatusOr<RedactionConfig> Parse(const YAML::Node& section, bool* enabled) {
  const std::string root = "redaction";
  RedactionConfig config;
  *enabled = true;
  YAML::Node projects;
  Status parsed = ForEachEntry(
      section, root,
      [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) -> Status {
        const std::string key_path = root + "." + key;
        if (key == "enabled") {
          TS_ASSIGN_OR_RETURN(*enabled, BoolOf(value, key_path));
          return Status::Ok();
        }
        if (key == "projects") {
          projects = value;  // read after the defaults, which projects start from
          return Status::Ok();
        }
        bool known = false;
        TS_RETURN_IF_ERROR(ApplyProfileKey(key, value, key_path, &config.defaults, &known));
        if (known) return Status::Ok();
        return ErrorAt(
            key_node, root,
            "unknown key \"" + key + "\" (known: " + std::string(kProfileKeys) + ", projects)");
      });
  TS_RETURN_IF_ERROR(parsed);
  if (!projects.IsDefined() || projects.IsNull()) return config;
  TS_RETURN_IF_ERROR(ForEachEntry(
      projects, root + ".projects",
      [&](const std::string& project, const YAML::Node&, const YAML::Node& value) -> Status {
        RedactionProfile profile = config.defaults;
        TS_RETURN_IF_ERROR(ParseProject(value, root + ".projects." + project, &profile));
        config.projects.emplace(project, std::move(profile));
        return Status::Ok();
      }));
  return config;
}

}  // namespace

StatusOr<RedactionConfig> ParseRedactionYaml(const YAML::Node& section, bool* enabled) {
  try {
    return Parse(section, enabled);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("redaction: " + e.msg);
  }
}

}  // namespace tokenscope::redact
