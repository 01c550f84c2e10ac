#include "server/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace tokenscope::server {
namespace {

// Certificate chains and keys are a few kilobytes; the cap keeps a wrong path such as
// /dev/zero from eating memory.
constexpr std::streamsize kMaxPemBytes = 1 << 20;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

StatusOr<std::string> ReadPemFile(std::string_view what, std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return InvalidArgument("cannot read TLS " + std::string(what) + " " + std::string(path) + ": " +
                           std::strerror(errno));
  }
  std::string text(static_cast<size_t>(kMaxPemBytes) + 1, '\0');
  in.read(text.data(), kMaxPemBytes + 1);
  if (in.bad()) {
    return InvalidArgument("cannot read TLS " + std::string(what) + " " + std::string(path));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > static_cast<size_t>(kMaxPemBytes)) {
    return InvalidArgument("TLS " + std::string(what) + " " + std::string(path) +
                           " is too large to be a PEM file");
  }
  return text;
}

// OpenSSL keeps its reasons on a thread-local queue; the last one is the most specific.
std::string TakeOpenSslError() {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "no details";
  char text[256];
  ERR_error_string_n(last, text, sizeof(text));
  return text;
}

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

}  // namespace

StatusOr<TlsCredentials> LoadTlsCredentials(std::string_view cert_file, std::string_view key_file) {
  TlsCredentials credentials;
  TS_ASSIGN_OR_RETURN(credentials.certificate_chain_pem, ReadPemFile("certificate", cert_file));
  TS_ASSIGN_OR_RETURN(credentials.private_key_pem, ReadPemFile("private key", key_file));

  ERR_clear_error();
  auto cert_bio = MemoryBio(credentials.certificate_chain_pem);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return InvalidArgument("TLS certificate " + std::string(cert_file) +
                           " holds no PEM certificate (" + TakeOpenSslError() + ")");
  }
  auto key_bio = MemoryBio(credentials.private_key_pem);
  // A null password callback with an empty passphrase: encrypted keys are refused, not prompted
  // for on a terminal the server may not have.
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, const_cast<char*>("")));
  if (key == nullptr) {
    return InvalidArgument("TLS private key " + std::string(key_file) +
                           " holds no unencrypted PEM private key (" + TakeOpenSslError() + ")");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("TLS private key " + std::string(key_file) +
                           " does not match the certificate in " + std::string(cert_file));
  }
  return credentials;
}

}  // namespace tokenscope::server
