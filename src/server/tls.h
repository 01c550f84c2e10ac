// TLS material shared by the HTTP and gRPC listeners: the PEM texts of a certificate chain and
// its private key, read once at startup so both listeners serve the same identity.
//
// LoadTlsCredentials reads both files and checks, with OpenSSL, that they hold a certificate
// and a private key that belong together, so a mismatched pair is reported by name at startup
// rather than as a handshake failure on the first connection. Plain data and a pure function
// apart from reading the two files; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace tokenscope::server {

struct TlsCredentials {
  std::string certificate_chain_pem;  // server certificate first, then intermediates
  std::string private_key_pem;

  // Empty credentials mean "plaintext".
  bool enabled() const { return !certificate_chain_pem.empty(); }
};

// Reads and checks the pair. InvalidArgument naming the file for an unreadable file, a file
// without a PEM certificate or private key, or a key that does not match the certificate.
StatusOr<TlsCredentials> LoadTlsCredentials(std::string_view cert_file, std::string_view key_file);

}  // namespace tokenscope::server
