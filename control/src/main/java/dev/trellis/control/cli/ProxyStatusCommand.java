package dev.trellis.control.cli;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trellis proxy-status}: each connected proxy's sync state per xDS type, like istioctl's. */
@Command(
        name = "proxy-status",
        mixinStandardHelpOptions = true,
        description = "Show every connected proxy and whether it has ACKed the latest CDS, LDS, EDS and RDS.")
public final class ProxyStatusCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DebugEndpointOptions debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String body = debug.fetch(spec, "/debug/syncz");
        if (body == null) {
            return 1;
        }
        if (debug.json()) {
            out.println(body);
            return 0;
        }
        ListValue.Builder list = ListValue.newBuilder();
        try {
            JsonFormat.parser().merge(body, list);
        } catch (IOException e) {
            spec.commandLine().getErr().println("trellis proxy-status: unexpected answer: " + e.getMessage());
            return 1;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAME", "NAMESPACE", "TYPE", "CDS", "LDS", "EDS", "RDS"));
        for (Value v : list.getValuesList()) {
            Struct p = v.getStructValue();
            List<String> row = new ArrayList<>();
            row.add(str(p, "proxy"));
            row.add(str(p, "namespace"));
            row.add(str(p, "type"));
            for (String t : List.of("CDS", "LDS", "EDS", "RDS")) {
                Value tv = p.getFieldsOrDefault(t, Value.getDefaultInstance());
                String status = str(tv.getStructValue(), "status");
                String nack = str(tv.getStructValue(), "lastNack");
                row.add(nack.isEmpty() ? status : status + " (last NACK: " + nack + ")");
            }
            rows.add(row);
        }
        Tables.print(out, rows);
        return 0;
    }

    static String str(Struct s, String key) {
        Value v = s.getFieldsOrDefault(key, Value.getDefaultInstance());
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case NUMBER_VALUE -> {
                double d = v.getNumberValue();
                yield d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
            }
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> "";
        };
    }
}
