package dev.portcullis.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real file channel that fails on cue, as a full or failing disk would: the next write puts only some
 * bytes in the file and the call after it throws, or the next force throws. The cues are shared by all
 * the channels one {@link Faults} opens, since the writer reopens its file after an error.
 */
final class FaultyChannel extends FileChannel {
  /** The cues, and the opener for {@code AuditLog.open} that hands out channels obeying them. */
  static final class Faults implements AuditLog.Opener {
    private final AtomicLong shortWrite = new AtomicLong(-1);
    private final AtomicInteger failingForces = new AtomicInteger();
    private volatile boolean failNextWrite;
    private final AtomicLong rewritten = new AtomicLong();

    /** Bytes written at a given place (the writer writing a window again after a failed fsync). */
    long rewritten() {
      return rewritten.get();
    }

    /** The next write puts at most {@code bytes} in the file, and the write after it fails. */
    void cutNextWriteAfter(long bytes) {
      shortWrite.set(bytes);
    }

    /** The next {@code n} forces fail. */
    void failForces(int n) {
      failingForces.set(n);
    }

    private volatile boolean loseUnsynced;

    /**
     * A failing force also loses what was written since the last force that succeeded, as pages whose
     * writeback failed and were then dropped: they read back as zeros.
     */
    void loseUnsyncedOnFailedForce() {
      loseUnsynced = true;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
      return new FaultyChannel(path, FileChannel.open(path, options), this);
    }
  }

  private final Path path;
  private final FileChannel file;
  private final Faults faults;

  private FaultyChannel(Path path, FileChannel file, Faults faults) throws IOException {
    this.path = path;
    this.file = file;
    this.faults = faults;
    this.synced = file.size();
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (faults.failNextWrite) {
      faults.failNextWrite = false;
      throw new IOException("No space left on device (injected)");
    }
    long cut = faults.shortWrite.getAndSet(-1);
    if (cut >= 0 && cut < src.remaining()) {
      faults.failNextWrite = true;
      ByteBuffer part = src.slice(src.position(), (int) cut);
      int n = file.write(part);
      src.position(src.position() + n);
      return n;
    }
    return file.write(src);
  }

  @Override
  public void force(boolean metaData) throws IOException {
    if (faults.failingForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      if (faults.loseUnsynced) {
        // Through a channel of its own: a positional write on an appending one appends (pwrite(2), BUGS).
        try (FileChannel lost = FileChannel.open(path, java.nio.file.StandardOpenOption.WRITE)) {
          lost.write(ByteBuffer.allocate((int) (file.size() - synced)), synced);
        }
      }
      throw new IOException("Input/output error (injected)");
    }
    file.force(metaData);
    synced = file.size();
  }

  private long synced;

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return file.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return file.read(dsts, offset, length);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    throw new IOException("gathering writes are not expected of the audit writer");
  }

  @Override
  public long position() throws IOException {
    return file.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return file.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    file.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return file.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    throw new IOException("not expected of the audit writer");
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return file.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    int n = file.write(src, position);
    faults.rewritten.addAndGet(n);
    return n;
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return file.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return file.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return file.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
