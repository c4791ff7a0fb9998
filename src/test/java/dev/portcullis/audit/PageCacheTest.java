package dev.portcullis.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer lets the kernel drop the pages of durable audit lines, but for the last
 * {@link AuditLog#KEEP_CACHED} bytes of the segment. What the page cache holds of a file is read with
 * util-linux's {@code fincore}. The files are made under target/, on the build's disk: a tmpfs /tmp
 * would keep every page whatever it is advised.
 */
class PageCacheTest {
  private static final long MIB = 1L << 20;
  private Path dir;

  @BeforeEach
  void makeDirectory() throws IOException {
    Files.createDirectories(Path.of("target"));
    dir = Files.createTempDirectory(Path.of("target"), "page-cache-test");
  }

  @AfterEach
  void removeDirectory() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The bytes of the file the page cache holds now. */
  static long resident(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as("fincore: " + out).isZero();
    return Long.parseLong(out);
  }

  @Test
  void availableOnJava22AndLaterOnLinux() {
    boolean linux = System.getProperty("os.name").startsWith("Linux");
    assertThat(PageCache.available()).isEqualTo(linux && Runtime.version().feature() >= 22
        && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch")));
  }

  private static final byte[] BLOCK = new byte[(int) MIB];

  static {
    for (int i = 0; i < BLOCK.length; i++) {
      BLOCK[i] = (byte) (i % 100 == 99 ? '\n' : 'a' + i % 26);
    }
  }

  /** A file of 8 MiB, forced, all in the page cache. */
  private Path eightMiB() throws IOException, InterruptedException {
    Path file = dir.resolve("segment.jsonl");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < 8; i++) {
        ch.write(ByteBuffer.wrap(BLOCK));
      }
      ch.force(false);
    }
    assertThat(resident(file)).isGreaterThan(7 * MIB);
    return file;
  }

  @Test
  void durableBytesBeforeTheMarkLeaveTheCache_andTheFileKeepsThem() throws Exception {
    assumeTrue(PageCache.available(), "Java 22+ on Linux (asserted where it must hold by availableOnJava22AndLaterOnLinux)");
    Path file = eightMiB();
    byte[] block = BLOCK;
    try (PageCache cache = PageCache.open(file, 0)) {
      assertThat(cache.dropBefore(6 * MIB)).isZero();
      assertThat(resident(file)).isLessThanOrEqualTo(2 * MIB);
      assertThat(cache.dropBefore(5 * MIB)).as("nothing new to drop").isZero();
    }
    byte[] back = Files.readAllBytes(file);
    assertThat(back).hasSize((int) (8 * MIB));
    assertThat(java.util.Arrays.copyOfRange(back, 0, block.length)).isEqualTo(block);
  }

  @Test
  void commitsEndingMidPage_leaveNoPageBehind() throws Exception {
    // Small windows: each call ends inside a page (and a folio), which the kernel does not drop; the
    // next call starts before it, so it goes then.
    assumeTrue(PageCache.available(), "Java 22+ on Linux");
    Path file = eightMiB();
    try (PageCache cache = PageCache.open(file, 0)) {
      for (long end = 1_000; end <= 6 * MIB; end += 1_000) {
        assertThat(cache.dropBefore(end)).isZero();
      }
      assertThat(resident(file)).isLessThanOrEqualTo(2 * MIB + 2 * MIB);
    }
  }

  @Test
  void whatTheFileHeldWhenOpenedStaysCached_andAStoppedOneDropsNothing() throws Exception {
    assumeTrue(PageCache.available(), "Java 22+ on Linux");
    Path file = eightMiB();
    try (PageCache cache = PageCache.open(file, 4 * MIB)) {
      assertThat(cache.dropBefore(8 * MIB)).isZero();
      assertThat(resident(file)).isBetween(4 * MIB - 4096, 4 * MIB + 64 * 1024);
    }
    Files.delete(file);
    file = eightMiB();
    try (PageCache cache = PageCache.open(file, 0)) {
      cache.dropBefore(MIB);
      cache.stop();
      assertThat(cache.dropBefore(8 * MIB)).isZero();
      assertThat(resident(file)).isGreaterThanOrEqualTo(7 * MIB - 64 * 1024);
    }
  }

  @Test
  void aMissingFileGivesOneThatDoesNothing() {
    try (PageCache cache = PageCache.open(dir.resolve("no-such-file"), 0)) {
      assertThat(cache.dropBefore(MIB)).isZero();
    }
  }

  @Test
  void theWriterKeepsOnlyTheSegmentsLastBytesCached_andTheChainVerifies() throws Exception {
    assumeTrue(PageCache.available(), "Java 22+ on Linux");
    List<AuditRecord> committed = new CopyOnWriteArrayList<>();
    String replica;
    int events = 0;
    try (AuditLog log = AuditLog.open(dir, AuditLog.Options.DEFAULTS, committed::addAll)) {
      replica = log.replica();
      // Over three times KEEP_CACHED, in several commits.
      while (segmentBytes(log) < 3 * AuditLog.KEEP_CACHED) {
        AuditLogTest.offer(log, "page-" + events, 5_000);
        events += 5_000;
        log.sync();
      }
    }
    List<Path> segments = AuditFiles.segments(AuditFiles.directory(dir), replica);
    assertThat(segments).hasSize(1);
    long size = Files.size(segments.getFirst());
    long cached = resident(segments.getFirst());
    assertThat(cached).as("cached of %d bytes", size)
        .isBetween(AuditLog.KEEP_CACHED - MIB, AuditLog.KEEP_CACHED + 4 * MIB);
    assertThat(committed).hasSize(events);
    AuditLogTest.assertFilesIntact(dir, replica, events);
  }

  private static long segmentBytes(AuditLog log) throws IOException {
    long total = 0;
    for (Path p : AuditFiles.segments(log.directory(), log.replica())) {
      total += Files.size(p);
    }
    return total;
  }
}
