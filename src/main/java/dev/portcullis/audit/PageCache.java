package dev.portcullis.audit;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the kernel drop the pages of a segment's durable lines from the page cache
 * ({@code posix_fadvise(POSIX_FADV_DONTNEED)}), so that the pages the writer appends into next are ones
 * just freed rather than fresh ones.
 *
 * <p>Why: under load on the 2-core VMs this project is measured on, copying a window's lines into fresh
 * page-cache pages cost the writer 4-6 times what it costs into recycled ones (1.4-2.2 ms against
 * 0.3-0.4 ms per MiB, measured side by side while the proxy was saturated; docs/benchmarks.md), and was
 * half of the writer's samples in {@code perf}. The lines stay in the file; a reader reads them from the
 * disk instead of the cache.
 *
 * <p>It calls libc through the Foreign Function and Memory API, found reflectively because the
 * project compiles for Java 21, where that API is still a preview: on Java 22 and later, on Linux on
 * x86-64 or AArch64 (where {@code POSIX_FADV_DONTNEED} is 4), it works; anywhere else, or if any step
 * fails, {@link #dropBefore} does nothing, and nothing else changes. It opens its own
 * read-only descriptor on the file: the advice is about the file's cached pages, whoever opened it.
 */
final class PageCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PageCache.class);
  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int POSIX_FADV_DONTNEED = 4;
  private static final int UNOPENED = -2;

  /** One that does nothing. */
  static final PageCache NONE = new PageCache(null, 0);

  /**
   * The advice drops only whole pages, and only whole folios (ext4 caches a file in folios of up to
   * 2 MiB, aligned to their size) that lie inside the range given. So each call starts from the 2 MiB
   * boundary at or before where the last one ended: the folio that held the last call's end lies
   * wholly inside this one, and goes now. The bytes before that end were durable already, and the
   * kernel passes over what is gone quickly.
   */
  private static final long ALIGN = 2L << 20;

  private final Path file;
  // The descriptor: UNOPENED until the first drop, -1 once closed or if it cannot be had.
  private int fd;
  private final long floor; // nothing before it is dropped: bytes this writer did not write
  private long dropped; // bytes from the start already advised away, or the floor

  private PageCache(Path file, long floor) {
    this.file = file;
    this.fd = file == null ? -1 : UNOPENED;
    this.floor = floor;
    this.dropped = floor;
  }

  /** Whether pages can be dropped here (Java 22+ on Linux x86-64 or AArch64). */
  static boolean available() {
    return Libc.INSTANCE != null;
  }

  /**
   * A handle on the file's cached pages, which drops none of its first {@code from} bytes (what the file
   * held before this writer opened it: a process that died may have left pages the disk never got). It
   * opens nothing yet: libc is looked up (some 80 ms, once) and the file opened at the first drop, on
   * the writer's thread and only once a segment has grown past what is kept cached, not at start-up.
   */
  static PageCache open(Path file, long from) {
    return new PageCache(file, from);
  }

  /**
   * Advises the kernel that the bytes before {@code end} are not needed in memory (the range since the
   * last call). Only clean pages go: call it for bytes made durable. Returns 0, or the error number;
   * 0 when it does nothing (not available here, the file cannot be opened, or {@link #stop}ped).
   */
  int dropBefore(long end) {
    if (end <= dropped || fd == -1 || fd == UNOPENED && (fd = openFile()) < 0) {
      return 0;
    }
    long from = Math.max(floor, dropped & -ALIGN);
    try {
      int err = Libc.INSTANCE.fadvise(fd, from, end - from, POSIX_FADV_DONTNEED);
      if (err == 0) {
        dropped = end;
      }
      return err;
    } catch (Throwable e) {
      return -1;
    }
  }

  private int openFile() {
    if (Libc.INSTANCE == null) {
      return -1;
    }
    try {
      return Math.max(-1, Libc.INSTANCE.open(file.toAbsolutePath().toString()));
    } catch (Throwable e) {
      log.debug("audit: cannot open {} to advise the kernel on its pages: {}", file, e.toString());
      return -1;
    }
  }

  /**
   * Drops nothing more from this file: some of its bytes may be in the page cache only (a write or an
   * fsync failed, and a later fsync that succeeds proves nothing of them), and those pages must stay.
   */
  void stop() {
    close();
  }

  @Override
  public void close() {
    int closing = fd;
    fd = -1; // never opened again, nor closed twice: by then the number may be another file's
    if (closing >= 0) {
      try {
        Libc.INSTANCE.close(closing);
      } catch (Throwable ignored) {
        // nothing held but the descriptor
      }
    }
  }

  /** open(2), posix_fadvise(2) and close(2), as method handles made through java.lang.foreign. */
  private record Libc(MethodHandle open, MethodHandle fadvise, MethodHandle close, Method ofConfined,
      Method allocateString) {
    /** Null where pages cannot be dropped; looked up on first use. */
    static final Libc INSTANCE = find();

    int open(String path) throws Throwable {
      try (AutoCloseable arena = (AutoCloseable) ofConfined.invoke(null)) {
        Object cPath = allocateString.invoke(arena, path);
        return (int) open.invokeWithArguments(cPath, O_RDONLY_CLOEXEC, 0);
      }
    }

    // invokeExact, which the handles' types match: invokeWithArguments boxes the arguments and goes
    // through a spreader on every call, and the JIT kept compiling that machinery in long runs.
    int fadvise(int fd, long offset, long length, int advice) throws Throwable {
      return (int) fadvise.invokeExact(fd, offset, length, advice);
    }

    void close(int fd) throws Throwable {
      int ignored = (int) close.invokeExact(fd);
    }

    static Libc find() {
      String arch = System.getProperty("os.arch", "");
      if (!System.getProperty("os.name", "").startsWith("Linux") || Runtime.version().feature() < 22
          || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
        return null;
      }
      try {
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
        Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
        Object i32 = valueLayout.getField("JAVA_INT").get(null);
        Object i64 = valueLayout.getField("JAVA_LONG").get(null);
        Object address = valueLayout.getField("ADDRESS").get(null);
        Method of = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType());
        Method find = lookupClass.getMethod("find", String.class);
        Method downcall = linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
            optionClass.arrayType());
        Method firstVariadic = optionClass.getMethod("firstVariadicArg", int.class);

        // int open(const char *path, int flags, ...): the mode is the variadic third argument
        Object openOptions = Array.newInstance(optionClass, 1);
        Array.set(openOptions, 0, firstVariadic.invoke(null, 2));
        MethodHandle open = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "open"),
            of.invoke(null, i32, layouts(layoutClass, address, i32, i32)), openOptions);
        MethodHandle fadvise = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "posix_fadvise"),
            of.invoke(null, i32, layouts(layoutClass, i32, i64, i64, i32)), Array.newInstance(optionClass, 0));
        MethodHandle close = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "close"),
            of.invoke(null, i32, layouts(layoutClass, i32)), Array.newInstance(optionClass, 0));
        Method ofConfined = arenaClass.getMethod("ofConfined");
        Method allocateString = arenaClass.getMethod("allocateFrom", String.class);
        return new Libc(open, fadvise, close, ofConfined, allocateString);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        log.debug("audit: the page cache cannot be advised here: {}", e.toString());
        return null;
      }
    }

    private static Object symbol(Method find, Object lookup, String name) throws ReflectiveOperationException {
      return ((java.util.Optional<?>) find.invoke(lookup, name)).orElseThrow(
          () -> new IllegalStateException("libc has no " + name));
    }

    private static Object layouts(Class<?> layoutClass, Object... layouts) {
      Object array = Array.newInstance(layoutClass, layouts.length);
      for (int i = 0; i < layouts.length; i++) {
        Array.set(array, i, layouts[i]);
      }
      return array;
    }
  }
}
