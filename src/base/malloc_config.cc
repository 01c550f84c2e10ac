// jemalloc's settings, compiled into every binary that links jemalloc (ts_use_jemalloc in
// CMakeLists.txt); jemalloc reads this symbol when it starts. MALLOC_CONF in the environment
// still overrides it.
//
// Why: by default jemalloc keeps freed pages for ten seconds before returning them, and returns
// them only when a thread next allocates. Under a long overload the server frees request
// buffers, decoded batches and answers by the hundreds of megabytes per minute, and that
// retention alone took RSS past the memory bound the overload test holds the server to
// (docs/benchmarks.md). A background thread returning pages after one second keeps RSS close
// to what is live, at a negligible CPU cost.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
