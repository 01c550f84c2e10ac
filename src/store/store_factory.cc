#include "store/store_factory.h"

#include "store/embedded/embedded_store.h"

namespace tokenscope::store {

StatusOr<std::unique_ptr<Store>> OpenEmbeddedStore(const EmbeddedStoreOptions& options) {
  TS_ASSIGN_OR_RETURN(auto store, embedded::EmbeddedStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tokenscope::store
