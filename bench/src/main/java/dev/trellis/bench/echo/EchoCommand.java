package dev.trellis.bench.echo;

import dev.trellis.bench.net.Transport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trellis echo}: the echo server as a command, like {@code fortio server}. */
@Command(
        name = "echo",
        mixinStandardHelpOptions = true,
        description = {
            "Run an HTTP/1.1, h2c and gRPC echo server (or a TCP echo with --tcp), like fortio server.",
            "",
            "Echoes the request body, or answers with the request as JSON when the body is empty.",
            "Query parameters: size=BYTES  delay=10ms (or a mix 10ms:50,1s:5)  status=503 (or a mix 503:30,429:5)",
            "  close=true (or a percentage)  header=Name:Value.",
            "gRPC: any method echoes each message back, then trailers; metadata x-echo-grpc-status sets the status.",
            "Example: trellis echo --port 8080   then   curl 'http://127.0.0.1:8080/?size=1024&status=503:10'"
        })
public final class EchoCommand implements Callable<Integer> {

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "Port to listen on (0 picks a free one; default ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--address",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--tcp", description = "Raw TCP echo instead of HTTP.")
    boolean tcp;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Event-loop threads (default: the CPUs this process may use).")
    Integer threads;

    public EchoCommand() {}

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            System.err.println("trellis echo: --port " + port + " is not in 0..65535");
            return 2;
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) {
            System.err.println("trellis echo: --threads must be at least 1");
            return 2;
        }
        EchoServer server;
        try {
            server = EchoServer.start(address, port, tcp ? EchoServer.Mode.TCP : EchoServer.Mode.HTTP, n);
        } catch (Exception e) {
            System.err.println("trellis echo: cannot listen on " + address + ":" + port + ": " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "echo-shutdown"));
        System.out.println("trellis echo: listening on " + address + ":" + server.port() + " ("
                + (tcp ? "tcp" : "http/1.1, h2c, grpc") + "; "
                + Transport.best().name() + ", " + n + " thread"
                + (n == 1 ? "" : "s") + ")");
        System.out.flush();
        server.awaitClose();
        return 0;
    }
}
