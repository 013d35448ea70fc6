package dev.trellis.cli;

import dev.trellis.api.analyze.AnalyzeCommand;
import dev.trellis.api.cli.ValidateCommand;
import dev.trellis.bench.echo.EchoCommand;
import dev.trellis.bench.load.LoadCommand;
import dev.trellis.control.cli.ControlPlaneCommand;
import dev.trellis.control.cli.ProxyConfigCommand;
import dev.trellis.control.cli.ProxyStatusCommand;
import dev.trellis.proxy.cli.ProxyCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trellis} command. Subcommands are listed here, in the order {@code --help} shows them. */
@Command(
        name = "trellis",
        mixinStandardHelpOptions = true,
        versionProvider = Trellis.Version.class,
        description = "A service mesh that speaks Istio's configuration and Envoy's xDS.",
        subcommands = {
            UpCommand.class,
            ProxyCommand.class,
            ValidateCommand.class,
            ControlPlaneCommand.class,
            ProxyStatusCommand.class,
            ProxyConfigCommand.class,
            LoadCommand.class,
            EchoCommand.class,
            // Subcommands of other modules go here, one line each.
            AnalyzeCommand.class,
            AutoComplete.GenerateCompletion.class,
        })
public final class Trellis implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Trellis());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        if (args.length > 0 && args[0].equals("proxy")) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            return proxyCommandLine().execute(rest);
        }
        return commandLine().execute(args);
    }

    /** A failure of a proxy started by {@link Main}'s fast path, reported as picocli reports the others. */
    static int proxyFailed(Exception e) {
        return new ErrorHandler().handleExecutionException(e, proxyCommandLine(), null);
    }

    /**
     * {@code trellis proxy} alone, without the rest of the command tree. The proxy's time to ready is a target (issue
     * 3: 500 ms): a plain command line is read by {@link ProxyCommand#parseFast} in {@link Main}; help and errors
     * come here.
     */
    static CommandLine proxyCommandLine() {
        CommandLine cl = new CommandLine(new ProxyCommand());
        cl.setCommandName("trellis proxy");
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl;
    }

    /** Prints one line for an unexpected failure instead of a stack trace; {@code TRELLIS_DEBUG=1} shows the trace. */
    static final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(
                Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            if (System.getenv("TRELLIS_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            } else {
                String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
                String name = commandLine.getCommandName();
                commandLine.getErr().println((name.startsWith("trellis") ? name : "trellis " + name) + ": " + message);
            }
            return 2;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Trellis.class.getPackage().getImplementationVersion();
            return new String[] {"trellis " + (v == null ? "dev" : v), "java " + Runtime.version()};
        }
    }
}
