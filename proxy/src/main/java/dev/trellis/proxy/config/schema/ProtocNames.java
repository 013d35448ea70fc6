package dev.trellis.proxy.config.schema;

/** The names protoc gives generated Java code, for finding generated classes and accessors without reflection. */
public final class ProtocNames {
    private ProtocNames() {}

    /** protoc's Java naming: underscores and digits start a capital, as in {@code http2_protocol_options}. */
    public static String camel(String protoName, boolean capitalizeFirst) {
        StringBuilder sb = new StringBuilder(protoName.length());
        boolean upper = capitalizeFirst;
        for (int i = 0; i < protoName.length(); i++) {
            char c = protoName.charAt(i);
            if (Character.isLowerCase(c)) {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            } else if (Character.isUpperCase(c)) {
                // protoc keeps capitals, except the very first when the name must start lowercase
                sb.append(i == 0 && !capitalizeFirst ? Character.toLowerCase(c) : c);
                upper = false;
            } else if (Character.isDigit(c)) {
                sb.append(c);
                upper = true;
            } else {
                upper = true;
            }
        }
        return sb.toString();
    }
}
