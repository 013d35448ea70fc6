package dev.trellis.control.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A DiscoveryResponse as bytes: the few per-proxy fields (version, type URL, nonce) around a body (the encoded
 * {@code resources} field) that every proxy receiving the same resources shares. Building the body once per push
 * instead of re-encoding every resource for every proxy is what lets one push feed a thousand proxies. The bytes are
 * exactly what protobuf would encode for the same message, fields in number order.
 *
 * @param typeUrl type_url (field 4)
 * @param version version_info (field 1)
 * @param nonce nonce (field 5)
 * @param resources the encoded repeated {@code resources} field (field 2), shared
 */
public record WireResponse(String typeUrl, String version, String nonce, ByteString resources) {

    /** Encodes the response; the body is not copied (a rope over the shared bytes). */
    public ByteString toByteString() {
        return field(1, version).concat(resources).concat(field(4, typeUrl)).concat(field(5, nonce));
    }

    /** The same response as a message (tests, and callers of the ADS service that are not gRPC). */
    public DiscoveryResponse toMessage() {
        try {
            return DiscoveryResponse.parseFrom(toByteString());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a response we encoded does not parse", e);
        }
    }

    private static ByteString field(int number, String value) {
        if (value.isEmpty()) {
            return ByteString.EMPTY; // proto3 leaves default values out
        }
        try {
            byte[] b = new byte[CodedOutputStream.computeStringSize(number, value)];
            CodedOutputStream out = CodedOutputStream.newInstance(b);
            out.writeString(number, value);
            out.checkNoSpaceLeft();
            return UnsafeByteOperations.unsafeWrap(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** gRPC's marshaller for the response side of the ADS method: streams the bytes without re-encoding. */
    static final MethodDescriptor.Marshaller<WireResponse> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(WireResponse value) {
            return new Stream(value.toByteString());
        }

        @Override
        public WireResponse parse(InputStream stream) {
            throw new UnsupportedOperationException("the server does not read responses");
        }
    };

    /** The bytes with their length known up front and drained in one write, so gRPC frames them without copying twice. */
    private static final class Stream extends InputStream implements KnownLength, Drainable {
        private ByteString bytes;
        private InputStream delegate;

        Stream(ByteString bytes) {
            this.bytes = bytes;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (delegate != null) {
                return (int) delegate.transferTo(target);
            }
            int n = bytes.size();
            bytes.writeTo(target);
            bytes = ByteString.EMPTY;
            return n;
        }

        private InputStream in() {
            if (delegate == null) {
                delegate = bytes.newInput();
                bytes = ByteString.EMPTY;
            }
            return delegate;
        }

        @Override
        public int available() throws IOException {
            return delegate == null ? bytes.size() : delegate.available();
        }

        @Override
        public int read() throws IOException {
            return in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in().read(b, off, len);
        }
    }
}
