package dev.trellis.proxy.tcp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Linux {@code splice(2)}, {@code pipe2(2)} and {@code fcntl(F_SETPIPE_SZ)} through the FFM API. Netty's own {@code
 * Native.splice} reports both "would block" and end-of-stream as 0, and a relay must tell them apart (one means wait,
 * the other means relay a FIN), so the call captures {@code errno} itself.
 */
final class Splice {
    private Splice() {}

    /** {@link #splice} result: nothing moved, try again when the descriptor is ready. */
    static final long AGAIN = -1;

    private static final int SPLICE_F_MOVE = 1;
    private static final int SPLICE_F_NONBLOCK = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private static final MethodHandle SPLICE;
    private static final MethodHandle PIPE2;
    private static final MethodHandle FCNTL;
    private static final MethodHandle CLOSE;
    private static final StructLayout CAPTURE;
    private static final VarHandle ERRNO;
    private static final String LOOKUP_ERROR;

    static {
        MethodHandle splice = null, pipe2 = null, fcntl = null, close = null;
        StructLayout capture = null;
        VarHandle errno = null;
        String why = null;
        try {
            if (!System.getProperty("os.name", "")
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("linux")) {
                throw new UnsupportedOperationException("not Linux");
            }
            Linker linker = Linker.nativeLinker();
            var lookup = linker.defaultLookup();
            capture = Linker.Option.captureStateLayout();
            errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            splice = linker.downcallHandle(
                    lookup.find("splice").orElseThrow(),
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
            pipe2 = linker.downcallHandle(
                    lookup.find("pipe2").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"));
            fcntl = linker.downcallHandle(
                    lookup.find("fcntl").orElseThrow(),
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(2));
            close = linker.downcallHandle(
                    lookup.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        } catch (Throwable t) {
            why = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        SPLICE = splice;
        PIPE2 = pipe2;
        FCNTL = fcntl;
        CLOSE = close;
        CAPTURE = capture;
        ERRNO = errno;
        LOOKUP_ERROR = why;
    }

    /** Why splice cannot be used in this JVM, or null when it can. */
    static final String UNAVAILABLE = probe();

    private static String probe() {
        if (LOOKUP_ERROR != null) {
            return LOOKUP_ERROR;
        }
        try {
            // A native call needs --enable-native-access (else it throws): find out once, not per connection.
            int[] p = pipe(0, newErrno());
            close(p[0]);
            close(p[1]);
            return null;
        } catch (Throwable t) {
            return t.getClass().getSimpleName() + ": " + t.getMessage();
        }
    }

    /** A per-caller buffer that receives {@code errno}; confined to nothing, freed by the GC. */
    static MemorySegment newErrno() {
        return Arena.ofAuto().allocate(CAPTURE);
    }

    /**
     * Moves up to {@code len} bytes from {@code in} to {@code out} (one of them a pipe) without blocking.
     *
     * @return the bytes moved, 0 at end of stream, or {@link #AGAIN}
     */
    static long splice(MemorySegment errno, int in, int out, long len) throws IOException {
        for (; ; ) {
            long n;
            try {
                n = (long) SPLICE.invokeExact(
                        errno, in, MemorySegment.NULL, out, MemorySegment.NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            } catch (Throwable t) {
                throw new IOException("splice: " + t, t);
            }
            if (n >= 0) {
                return n;
            }
            int e = (int) ERRNO.get(errno, 0L);
            if (e == EAGAIN) {
                return AGAIN;
            }
            if (e != EINTR) {
                throw new IOException("splice: " + describe(e));
            }
        }
    }

    /**
     * A non-blocking pipe, {@code {read end, write end}}, of at least {@code size} bytes when {@code size > 0} (the
     * kernel rounds up to pages; it may refuse more than {@code /proc/sys/fs/pipe-max-size}, which keeps the default).
     */
    static int[] pipe(int size, MemorySegment errno) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            int rc = (int) PIPE2.invokeExact(errno, fds, O_NONBLOCK | O_CLOEXEC);
            if (rc != 0) {
                throw new IOException("pipe2: " + describe((int) ERRNO.get(errno, 0L)));
            }
            int[] p = {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
            if (size > 0) {
                int ignored = (int) FCNTL.invokeExact(p[1], F_SETPIPE_SZ, size);
            }
            return p;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("pipe2: " + t, t);
        }
    }

    /** The pipe's capacity in bytes. */
    static int capacity(int fd) {
        try {
            int n = (int) FCNTL.invokeExact(fd, F_GETPIPE_SZ, 0);
            return n > 0 ? n : 65536;
        } catch (Throwable t) {
            return 65536;
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // Nothing sensible to do: the descriptor is gone either way.
        }
    }

    private static String describe(int errno) {
        return switch (errno) {
            case 9 -> "EBADF";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE (too many open files)";
            case 23 -> "ENFILE (file table full)";
            case 32 -> "EPIPE (broken pipe)";
            case 104 -> "ECONNRESET (connection reset by peer)";
            case 110 -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }
}
