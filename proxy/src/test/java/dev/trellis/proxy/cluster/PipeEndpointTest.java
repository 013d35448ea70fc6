package dev.trellis.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.testing.ProxyHarness;
import dev.trellis.testing.LeakCheck;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envoy's {@code pipe} endpoints: an upstream on a unix domain socket (what Istio generates for a Sidecar ingress
 * {@code defaultEndpoint: unix://...}).
 */
@ExtendWith(LeakCheck.class)
class PipeEndpointTest {
    @TempDir
    Path dir;

    @Test
    void requestsReachAnUpstreamOnAUnixSocket() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "unix sockets need epoll");
        String path = dir.resolve("app.sock").toString();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 16))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        var body = Unpooled.copiedBuffer("unix " + req.uri(), StandardCharsets.UTF_8);
                                        var r = new DefaultFullHttpResponse(
                                                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                                        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                                        ctx.writeAndFlush(r);
                                    }
                                });
                    }
                })
                .bind(new DomainSocketAddress(path))
                .sync()
                .channel();
        String bootstrap = """
                static_resources:
                  listeners:
                  - name: http
                    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
                    filter_chains:
                    - filters:
                      - name: hcm
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                          stat_prefix: ingress
                          route_config:
                            virtual_hosts:
                            - { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: app } } ] }
                          http_filters:
                          - name: envoy.filters.http.router
                            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                  clusters:
                  - name: app
                    type: STATIC
                    connect_timeout: 1s
                    load_assignment:
                      cluster_name: app
                      endpoints: [ { lb_endpoints: [ { endpoint: { address: { pipe: { path: "${PATH}" } } } } ] } ]
                """;
        try (ProxyHarness proxy = ProxyHarness.start(bootstrap, Map.of("PATH", path))) {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(URI.create(proxy.url("http", "/hello")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("unix /hello");
            }
        } finally {
            server.close().sync();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .sync();
        }
    }
}
