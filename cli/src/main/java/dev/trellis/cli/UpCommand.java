package dev.trellis.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code trellis up}: the whole mesh on one machine. The local runtime is not built yet, and this says so. */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = "Run a whole mesh on this machine: control plane, workloads, sidecars and gateways.")
final class UpCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("trellis up: the local mesh runtime is not built yet. What exists today:");
        System.out.println("  trellis validate PATH...            check Istio configuration like `istioctl validate`");
        System.out.println("  trellis analyze PATH...             cross-resource analysis like `istioctl analyze`");
        System.out.println("  trellis control-plane --config DIR  serve Istio config in DIR as xDS (ADS) on 15010");
        System.out.println("  trellis proxy -c BOOTSTRAP          the data-plane proxy, from an Envoy v3 bootstrap");
        System.out.println("  trellis proxy-status                what each proxy was sent, and whether it ACKed");
        System.out.println("  trellis echo / trellis load         an echo server and a fixed-rate load generator");
        System.out.println("Run `trellis --help` for every command.");
        return 0;
    }
}
