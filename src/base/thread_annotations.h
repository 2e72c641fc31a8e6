// Clang's thread-safety analysis (-Wthread-safety): annotations and the
// annotated mutexes that carry them. Under other compilers the annotations
// vanish and the wrappers are plain std::mutex / std::shared_mutex. The clang
// build in CI (the fuzz build) compiles the library with -Wthread-safety
// -Werror, so a member read without the lock its GUARDED_BY names, or a
// function called without the lock its REQUIRES names, fails the build.
// (Lock order across objects — the volume's map lock before the engine's
// mutex — is beyond the analysis; TSan's lock-order-inversion reports cover
// it in the TSan build.)
#ifndef ZGC_SRC_BASE_THREAD_ANNOTATIONS_H_
#define ZGC_SRC_BASE_THREAD_ANNOTATIONS_H_

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define ZGC_TSA(x) __attribute__((x))
#else
#define ZGC_TSA(x)
#endif

#define CAPABILITY(x) ZGC_TSA(capability(x))
#define SCOPED_CAPABILITY ZGC_TSA(scoped_lockable)
#define GUARDED_BY(x) ZGC_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) ZGC_TSA(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) ZGC_TSA(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) ZGC_TSA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) ZGC_TSA(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) ZGC_TSA(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) ZGC_TSA(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) ZGC_TSA(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) ZGC_TSA(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) ZGC_TSA(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) ZGC_TSA(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) ZGC_TSA(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS ZGC_TSA(no_thread_safety_analysis)

namespace zgc {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A reader-writer lock.
class CAPABILITY("shared_mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() RELEASE() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderLock() RELEASE() { mu_.UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace zgc

#endif  // ZGC_SRC_BASE_THREAD_ANNOTATIONS_H_
