package dev.trellis.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Plain-socket upstreams on loopback for TCP tests: each accepted connection runs a session on its own thread. */
public final class LoopbackServer {
    private LoopbackServer() {}

    public interface Session {
        void run(Socket s) throws Exception;
    }

    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();

    /** A server on an ephemeral loopback port; closing it stops accepting (sessions end with their sockets). */
    public static ServerSocket serve(Session session) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        THREADS.submit(() -> {
            while (!ss.isClosed()) {
                Socket s;
                try {
                    s = ss.accept();
                } catch (SocketException closed) {
                    return null;
                }
                THREADS.submit(() -> {
                    try (s) {
                        session.run(s);
                    }
                    return null;
                });
            }
            return null;
        });
        return ss;
    }

    /** Sends back what it receives. */
    public static ServerSocket echo() throws IOException {
        return serve(s -> s.getInputStream().transferTo(s.getOutputStream()));
    }
}
