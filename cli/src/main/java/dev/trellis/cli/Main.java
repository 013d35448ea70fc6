package dev.trellis.cli;

import dev.trellis.proxy.cli.ProxyCommand;
import java.util.Arrays;

/**
 * The jar's entry point. A plain {@code trellis proxy} command line starts the proxy without touching picocli:
 * picocli's classes are compiled for Java 5, which the JDK's startup cache cannot hold, so loading them from their jar
 * (the last on the class path) cost ~15 ms on a command whose time to ready is a target. Everything else, help and
 * errors included, goes to {@link Trellis}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        if (args.length > 0 && args[0].equals("proxy")) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            var fast = ProxyCommand.parseFast(rest);
            if (fast.isPresent()) {
                try {
                    return fast.get().call();
                } catch (Exception e) {
                    return Trellis.proxyFailed(e);
                }
            }
        }
        return Trellis.run(args);
    }
}
