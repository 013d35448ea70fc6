package dev.trellis.control.networking;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;

/** Small helpers shared by the builders for the proto shapes every builder needs. */
public final class Envoy {

    private Envoy() {}

    /** {@code ads: {}} with {@code resource_api_version: V3}: what both Envoy and grpc-java need to use the stream. */
    public static ConfigSource ads() {
        return ConfigSource.newBuilder()
                .setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3)
                .build();
    }

    public static Address address(String ip, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
                .build();
    }

    public static Any any(Message m) {
        return Any.pack(m);
    }

    public static Duration millis(long ms) {
        return Duration.newBuilder()
                .setSeconds(ms / 1000)
                .setNanos((int) (ms % 1000) * 1_000_000)
                .build();
    }

    public static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }
}
