package dev.trellis.control.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A DiscoveryResponse read as far as a simulated client needs, without building the resource messages: version,
 * nonce, type URL, and the packed resources as bytes; a resource's name (field 1 of Cluster, Listener,
 * RouteConfiguration and ClusterLoadAssignment) and body are read only when a check asks. A thousand clients parsing
 * every cluster in full would make the benchmark measure its own clients; the response's own framing is still read
 * completely, so a malformed response fails.
 *
 * @param version version_info
 * @param typeUrl type_url
 * @param nonce nonce
 * @param anys the packed resources ({@code google.protobuf.Any}), in order
 * @param bytes the response's size
 */
record LightResponse(String version, String typeUrl, String nonce, List<ByteString> anys, int bytes) {

    /** The resources' names, in order. */
    List<String> names() throws IOException {
        List<String> out = new ArrayList<>(anys.size());
        for (ByteString a : anys) {
            out.add(firstString(anyValue(a)));
        }
        return out;
    }

    /** The body of the resource named {@code name}, or null. */
    ByteString value(String name) throws IOException {
        for (ByteString a : anys) {
            ByteString v = anyValue(a);
            if (firstString(v).equals(name)) {
                return v;
            }
        }
        return null;
    }

    /** A marshaller for the response side of the ADS method. */
    static final MethodDescriptor.Marshaller<LightResponse> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(LightResponse value) {
            throw new UnsupportedOperationException("clients only read responses");
        }

        @Override
        public LightResponse parse(InputStream stream) {
            try {
                // gRPC's stream knows its length: one exact read instead of readAllBytes' chunks and copies.
                int size = stream.available();
                byte[] bytes = stream.readNBytes(size);
                if (stream.read() != -1) {
                    throw new IOException("response longer than announced");
                }
                return LightResponse.parse(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static LightResponse parse(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true);
        String version = "";
        String typeUrl = "";
        String nonce = "";
        List<ByteString> anys = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> version = in.readStringRequireUtf8();
                case 2 -> anys.add(in.readBytes());
                case 4 -> typeUrl = in.readStringRequireUtf8();
                case 5 -> nonce = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new LightResponse(version, typeUrl, nonce, anys, bytes.length);
    }

    /** The {@code value} of a packed {@code google.protobuf.Any}. */
    private static ByteString anyValue(ByteString any) throws IOException {
        CodedInputStream in = any.newCodedInput();
        ByteString value = ByteString.EMPTY;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 2) {
                value = in.readBytes();
            } else {
                in.skipField(tag);
            }
        }
        return value;
    }

    /** Field 1 of a message as a string ("" if absent): the name of every xDS resource type the benchmark reads. */
    static String firstString(ByteString message) throws IOException {
        CodedInputStream in = message.newCodedInput();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 1
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                return in.readStringRequireUtf8();
            }
            in.skipField(tag);
        }
        return "";
    }

    /** The names of the repeated sub-messages in field {@code field} of {@code message} (virtual hosts of a route). */
    static List<String> nestedNames(ByteString message, int field) throws IOException {
        CodedInputStream in = message.newCodedInput();
        List<String> out = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == field) {
                out.add(firstString(in.readBytes()));
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }
}
