package dev.trellis.bench.load;

import picocli.CommandLine;

/** {@code trellis load} in a process of its own, for the signal test. */
public final class LoadMain {
    private LoadMain() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadCommand()).execute(args));
    }
}
