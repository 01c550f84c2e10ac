#include "server/otlp_grpc.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <thread>
#include <vector>

#include "otlp/logs_encoder.h"
#include "otlp/metrics_encoder.h"
#include "otlp/proto_encoder.h"

namespace tokenscope::server {
namespace {

constexpr std::string_view kTraceExport =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr std::string_view kLogsExport =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
constexpr std::string_view kMetricsExport =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
constexpr int64_t kRetryDelaySeconds = 1;
constexpr auto kStopGrace = std::chrono::seconds(10);

// A retryable status carrying google.rpc.RetryInfo, which the OTLP exporters honour.
grpc::Status RetryableStatus(std::string message) {
  const auto code = grpc::StatusCode::UNAVAILABLE;
  std::string details = otlp::EncodeRpcStatusWithRetryInfoProto(static_cast<int32_t>(code), message,
                                                                kRetryDelaySeconds);
  return grpc::Status(code, std::move(message), std::move(details));
}

// The request's bytes in one string (gRPC hands a message over as a list of slices, already
// inflated when the client compressed it).
std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

class OtlpGrpcServer::Impl {
 public:
  Impl(Options options, IngestService* ingest) : options_(std::move(options)), ingest_(ingest) {}

  Status Start();
  void Stop();
  std::string bound_address() const { return bound_; }

  // Serves one unary Export call: request, read, handle, answer. Each step's completion comes
  // back through the completion queue with the Call as its tag; the Call deletes itself when
  // the answer is sent or the server shuts down.
  class Call {
   public:
    Call(Impl* server, grpc::ServerCompletionQueue* cq) : server_(server), cq_(cq) {
      server_->service_.RequestCall(&context_, &stream_, cq_, cq_, this);
    }

    void Proceed(bool ok) {
      switch (state_) {
        case State::kRequested:
          if (!ok) return Done();  // shutting down
          new Call(server_, cq_);  // the next call on this queue
          state_ = State::kReading;
          stream_.Read(&request_, this);
          return;
        case State::kReading:
          state_ = State::kFinishing;
          if (!ok) {
            return stream_.Finish(
                grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"), this);
          }
          return Answer();
        case State::kFinishing:
          return Done();
      }
    }

   private:
    enum class State { kRequested, kReading, kFinishing };

    void Answer() {
      const std::string& method = context_.method();
      const bool logs = method == kLogsExport;
      const bool metrics = method == kMetricsExport;
      if (!logs && !metrics && method != kTraceExport) {
        return stream_.Finish(
            grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "Tokenscope does not serve " + method),
            this);
      }
      auto principal = server_->options_.auth->Authenticate(Credentials(), auth::Access::kWrite);
      if (!principal.ok()) {
        server_->ingest_->CountRefused();
        const auto code = principal.status().code() == StatusCode::kPermissionDenied
                              ? grpc::StatusCode::PERMISSION_DENIED
                              : grpc::StatusCode::UNAUTHENTICATED;
        return stream_.Finish(grpc::Status(code, principal.status().message()), this);
      }
      const uint64_t bytes = request_.Length();
      if (!server_->options_.budget->Admit(bytes)) {
        server_->ingest_->CountRefused();
        return stream_.Finish(RetryableStatus("overloaded: too many request bytes in flight"),
                              this);
      }
      BudgetReservation reservation(server_->options_.budget, bytes);
      std::string body = Flatten(request_);
      request_.Clear();
      const std::string& project = principal->project;
      IngestService& ingest = *server_->ingest_;
      const ExportOutcome outcome =
          metrics ? ingest.ExportMetrics(project, std::move(body), WireFormat::kProtobuf)
          : logs  ? ingest.ExportLogs(project, std::move(body), WireFormat::kProtobuf)
                  : ingest.ExportTraces(project, std::move(body), WireFormat::kProtobuf);
      switch (outcome.kind) {
        case ExportOutcome::Kind::kStored: {
          response_ = ToByteBuffer(
              metrics ? otlp::EncodeMetricsResponseProto(outcome.rejected, outcome.message)
              : logs  ? otlp::EncodeLogsResponseProto(outcome.rejected, outcome.message)
                      : otlp::EncodeTraceResponseProto(outcome.rejected, outcome.message));
          return stream_.WriteAndFinish(response_, grpc::WriteOptions(), grpc::Status::OK, this);
        }
        case ExportOutcome::Kind::kInvalid:
          return stream_.Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, outcome.message),
                                this);
        case ExportOutcome::Kind::kUnavailable:
          return stream_.Finish(RetryableStatus(outcome.message), this);
      }
    }

    // The call's credentials: gRPC metadata keys are lowercase, values as sent.
    auth::PresentedCredentials Credentials() const {
      auth::PresentedCredentials credentials;
      const auto& metadata = context_.client_metadata();
      if (auto it = metadata.find("authorization"); it != metadata.end()) {
        credentials.authorization.assign(it->second.data(), it->second.size());
      }
      if (auto it = metadata.find("x-api-key"); it != metadata.end()) {
        credentials.api_key.assign(it->second.data(), it->second.size());
      }
      return credentials;
    }

    void Done() { delete this; }

    Impl* server_;
    grpc::ServerCompletionQueue* cq_;
    grpc::GenericServerContext context_;
    grpc::GenericServerAsyncReaderWriter stream_{&context_};
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
    State state_ = State::kRequested;
  };

 private:
  void Serve(grpc::ServerCompletionQueue* cq) {
    new Call(this, cq);
    void* tag = nullptr;
    bool ok = false;
    while (cq->Next(&tag, &ok)) static_cast<Call*>(tag)->Proceed(ok);
  }

  Options options_;
  IngestService* ingest_;
  grpc::AsyncGenericService service_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::thread> threads_;
  std::string bound_;
};

Status OtlpGrpcServer::Impl::Start() {
  if (options_.budget == nullptr || options_.auth == nullptr) {
    return InvalidArgument("gRPC server: no in-flight budget or authenticator");
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  // TLS with the server's certificate and key when it has them (no client certificates asked
  // for; gRPC's TLS is 1.2 or later), plaintext otherwise.
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (options_.tls.enabled()) {
    grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back(
        {options_.tls.private_key_pem, options_.tls.certificate_chain_pem});
    credentials = grpc::SslServerCredentials(tls);
  }
  int port = 0;
  builder.AddListeningPort(options_.address, credentials, &port);
  builder.RegisterAsyncGenericService(&service_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(
      std::min<uint64_t>(options_.max_message_bytes, std::numeric_limits<int>::max())));
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) queues_.push_back(builder.AddCompletionQueue());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    server_.reset();
    return Unavailable(
        "gRPC: cannot listen on " + options_.address +
        (options_.tls.enabled() ? " (or the TLS certificate and key are unusable)" : ""));
  }
  if (auto* health = server_->GetHealthCheckService()) health->SetServingStatus(true);
  bound_ = options_.address.substr(0, options_.address.rfind(':')) + ":" + std::to_string(port);
  for (auto& cq : queues_) threads_.emplace_back([this, q = cq.get()] { Serve(q); });
  return Status::Ok();
}

void OtlpGrpcServer::Impl::Stop() {
  if (server_ == nullptr) return;
  if (auto* health = server_->GetHealthCheckService()) health->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() + kStopGrace);
  for (auto& cq : queues_) cq->Shutdown();
  for (auto& t : threads_) t.join();
  threads_.clear();
  server_.reset();
}

OtlpGrpcServer::OtlpGrpcServer(Options options, IngestService* ingest)
    : impl_(std::make_unique<Impl>(std::move(options), ingest)) {}
OtlpGrpcServer::~OtlpGrpcServer() {
  Stop();
}
Status OtlpGrpcServer::Start() {
  return impl_->Start();
}
std::string OtlpGrpcServer::bound_address() const {
  return impl_->bound_address();
}
void OtlpGrpcServer::Stop() {
  impl_->Stop();
}

}  // namespace tokenscope::server
