#include "redact/redaction_config.h"

namespace tokenscope::redact {

const std::vector<Detector>& AllDetectors() {
  static const std::vector<Detector> all = {
      Detector::kEmail, Detector::kPhone, Detector::kCreditCard, Detector::kApiKey, Detector::kIp};
  return all;
}

std::string_view DetectorName(Detector detector) {
  switch (detector) {
    case Detector::kEmail:
      return "email";
    case Detector::kPhone:
      return "phone";
    case Detector::kCreditCard:
      return "credit_card";
    case Detector::kApiKey:
      return "api_key";
    case Detector::kIp:
      return "ip";
  }
  return "";
}

std::string_view DetectorType(Detector detector) {
  switch (detector) {
    case Detector::kEmail:
      return "EMAIL";
    case Detector::kPhone:
      return "PHONE";
    case Detector::kCreditCard:
      return "CREDIT_CARD";
    case Detector::kApiKey:
      return "API_KEY";
    case Detector::kIp:
      return "IP";
  }
  return "";
}

}  // namespace tokenscope::redact
