// LoadTlsCredentials and the HttpServer over TLS, with a throwaway self-signed certificate for
// 127.0.0.1 made with OpenSSL in the test.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "server/http_server.h"
#include "server/tls.h"

namespace tokenscope::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::unique_ptr<EVP_PKEY, PkeyFree> NewKey() {
  return std::unique_ptr<EVP_PKEY, PkeyFree>(EVP_EC_gen("P-256"));
}

std::string KeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio.get());
}

// A self-signed certificate for IP 127.0.0.1, valid for a day.
std::string SelfSignedCertPem(EVP_PKEY* key) {
  std::unique_ptr<X509, X509Free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
  X509_add_ext(cert.get(), san, -1);
  X509_EXTENSION_free(san);
  X509_sign(cert.get(), key, EVP_sha256());
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  return BioText(bio.get());
}

// A file in /tmp, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/tokenscope_tls_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class TlsTest : public ::testing::Test {
 protected:
  TlsTest()
      : key_(NewKey()),
        cert_pem_(SelfSignedCertPem(key_.get())),
        key_pem_(KeyPem(key_.get())),
        cert_file_(cert_pem_),
        key_file_(key_pem_) {}

  std::unique_ptr<EVP_PKEY, PkeyFree> key_;
  std::string cert_pem_;
  std::string key_pem_;
  TempFile cert_file_;
  TempFile key_file_;
};

TEST_F(TlsTest, LoadsAMatchingPair) {
  StatusOr<TlsCredentials> tls = LoadTlsCredentials(cert_file_.path(), key_file_.path());
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_TRUE(tls->enabled());
  EXPECT_EQ(tls->certificate_chain_pem, cert_pem_);
  EXPECT_EQ(tls->private_key_pem, key_pem_);
  EXPECT_FALSE(TlsCredentials().enabled());
}

TEST_F(TlsTest, RejectsAKeyOfAnotherCertificate) {
  auto other = NewKey();
  TempFile other_key(KeyPem(other.get()));
  StatusOr<TlsCredentials> tls = LoadTlsCredentials(cert_file_.path(), other_key.path());
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tls.status().message().find("does not match the certificate in " + cert_file_.path()),
            std::string::npos)
      << tls.status().message();
}

TEST_F(TlsTest, RejectsMissingAndNonPemFiles) {
  StatusOr<TlsCredentials> tls = LoadTlsCredentials("/nonexistent/cert.pem", key_file_.path());
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.status().message().find("cannot read TLS certificate /nonexistent/cert.pem"),
            std::string::npos)
      << tls.status().message();

  TempFile junk("not a certificate\n");
  tls = LoadTlsCredentials(junk.path(), key_file_.path());
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.status().message().find("holds no PEM certificate"), std::string::npos);
  tls = LoadTlsCredentials(cert_file_.path(), junk.path());
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.status().message().find("holds no unencrypted PEM private key"), std::string::npos);
}

TEST_F(TlsTest, HttpServerRefusesMismatchedCredentials) {
  auto other = NewKey();
  HttpServer::Options options;
  options.address = "127.0.0.1:0";
  options.tls = {cert_pem_, KeyPem(other.get())};
  HttpServer server(options, [](HttpRequest& req) {
    return MakeResponse(req, http::status::ok, "", "text/plain");
  });
  Status started = server.Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument) << started.ToString();
}

class HttpsServerTest : public TlsTest {
 protected:
  void SetUp() override {
    HttpServer::Options options;
    options.address = "127.0.0.1:0";
    options.max_body_bytes = 4096;
    options.tls = {cert_pem_, key_pem_};
    options.handshake_timeout = std::chrono::seconds(1);
    server_ = std::make_unique<HttpServer>(options, [](HttpRequest& req) {
      return MakeResponse(req, http::status::ok, "echo:" + req.body(), "text/plain");
    });
    ASSERT_TRUE(server_->Start().ok());
    std::string address = server_->bound_address();
    port_ = address.substr(address.rfind(':') + 1);
  }

  // A client that trusts the server's certificate (and only it).
  ssl::context ClientContext() {
    ssl::context context(ssl::context::tls_client);
    context.add_certificate_authority(net::buffer(cert_pem_));
    context.set_verify_mode(ssl::verify_peer);
    return context;
  }

  std::unique_ptr<HttpServer> server_;
  std::string port_;
  net::io_context ioc_;
};

http::response<http::string_body> Exchange(beast::ssl_stream<beast::tcp_stream>& stream,
                                           const std::string& body) {
  HttpRequest req{http::verb::post, "/echo", 11};
  req.set(http::field::host, "127.0.0.1");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

TEST_F(HttpsServerTest, ServesRequestsOverOneKeptAliveTlsConnection) {
  ssl::context context = ClientContext();
  beast::ssl_stream<beast::tcp_stream> stream(ioc_, context);
  tcp::resolver resolver(ioc_);
  beast::get_lowest_layer(stream).connect(resolver.resolve("127.0.0.1", port_));
  stream.handshake(ssl::stream_base::client);
  auto first = Exchange(stream, "one");
  EXPECT_EQ(first.result(), http::status::ok);
  EXPECT_EQ(first.body(), "echo:one");
  auto second = Exchange(stream, "two");
  EXPECT_EQ(second.body(), "echo:two");
  auto too_large = Exchange(stream, std::string(5000, 'x'));
  EXPECT_EQ(too_large.result(), http::status::payload_too_large);
}

TEST_F(HttpsServerTest, PlaintextRequestGetsA400InPlaintext) {
  beast::tcp_stream stream(ioc_);
  tcp::resolver resolver(ioc_);
  stream.connect(resolver.resolve("127.0.0.1", port_));
  HttpRequest req{http::verb::get, "/healthz", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find("tls_required"), std::string::npos);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(HttpsServerTest, UntrustingClientFailsTheHandshakeAndOthersAreServed) {
  ssl::context untrusting(ssl::context::tls_client);
  untrusting.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> rejected(ioc_, untrusting);
  tcp::resolver resolver(ioc_);
  beast::get_lowest_layer(rejected).connect(resolver.resolve("127.0.0.1", port_));
  beast::error_code ec;
  rejected.handshake(ssl::stream_base::client, ec);
  EXPECT_TRUE(ec);

  // A client that connects and never says anything is closed after the handshake timeout.
  beast::tcp_stream silent(ioc_);
  silent.connect(resolver.resolve("127.0.0.1", port_));

  ssl::context context = ClientContext();
  beast::ssl_stream<beast::tcp_stream> stream(ioc_, context);
  beast::get_lowest_layer(stream).connect(resolver.resolve("127.0.0.1", port_));
  stream.handshake(ssl::stream_base::client);
  EXPECT_EQ(Exchange(stream, "still here").body(), "echo:still here");

  char byte = 0;
  silent.expires_after(std::chrono::seconds(10));
  silent.read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::eof);  // closed by the server, not by our own timeout
}

TEST_F(HttpsServerTest, OldTlsVersionsAreRefused) {
  ssl::context old(ssl::context::tls_client);
  SSL_CTX_set_security_level(old.native_handle(), 0);
  SSL_CTX_set_min_proto_version(old.native_handle(), TLS1_VERSION);
  SSL_CTX_set_max_proto_version(old.native_handle(), TLS1_1_VERSION);
  beast::ssl_stream<beast::tcp_stream> stream(ioc_, old);
  tcp::resolver resolver(ioc_);
  beast::get_lowest_layer(stream).connect(resolver.resolve("127.0.0.1", port_));
  beast::error_code ec;
  stream.handshake(ssl::stream_base::client, ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace tokenscope::server
