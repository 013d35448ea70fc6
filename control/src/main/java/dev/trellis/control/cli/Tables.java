package dev.trellis.control.cli;

import java.io.PrintWriter;
import java.util.List;

/** Left-aligned columns separated by at least three spaces, as istioctl prints them. */
final class Tables {

    private Tables() {}

    static void print(PrintWriter out, List<List<String>> rows) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[cols];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        for (List<String> r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                sb.append(r.get(i));
                if (i < r.size() - 1) {
                    sb.append(" ".repeat(width[i] - r.get(i).length() + 3));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }
}
