package dev.trellis.proxy.listener;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The original destination of a connection redirected by iptables ({@code SO_ORIGINAL_DST}), read with {@code
 * getsockopt} through the FFM API on the epoll channel's file descriptor. A connection that was not redirected reports
 * the listener's own address, and so does any failure (NIO transport, no native access): callers treat "original ==
 * local" as "not redirected", which also prevents hand-off loops.
 */
final class OriginalDestination {
    private OriginalDestination() {}

    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    private static final int SO_ORIGINAL_DST = 80;
    private static final MethodHandle GETSOCKOPT = lookup();

    private static MethodHandle lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(
                    linker.defaultLookup().find("getsockopt").orElseThrow(),
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS));
        } catch (Throwable t) {
            return null;
        }
    }

    static InetSocketAddress lookup(Channel ch, InetSocketAddress local) {
        if (GETSOCKOPT == null || !(ch instanceof UnixChannel uc) || local == null) {
            return local;
        }
        try {
            int fd = uc.fd().intValue();
            boolean v6 = local.getAddress() instanceof java.net.Inet6Address;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment addr = arena.allocate(28);
                MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
                len.set(ValueLayout.JAVA_INT, 0, v6 ? 28 : 16);
                int rc = (int) GETSOCKOPT.invokeExact(fd, v6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST, addr, len);
                if (rc != 0) {
                    return local;
                }
                return parse(addr, v6);
            }
        } catch (Throwable t) {
            return local;
        }
    }

    /** Parses a {@code sockaddr_in} / {@code sockaddr_in6} (port in network byte order). */
    static InetSocketAddress parse(MemorySegment sa, boolean v6) throws UnknownHostException {
        int port = ((sa.get(ValueLayout.JAVA_BYTE, 2) & 0xFF) << 8) | (sa.get(ValueLayout.JAVA_BYTE, 3) & 0xFF);
        byte[] ip = new byte[v6 ? 16 : 4];
        MemorySegment.copy(sa, ValueLayout.JAVA_BYTE, v6 ? 8 : 4, ip, 0, ip.length);
        return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    }
}
