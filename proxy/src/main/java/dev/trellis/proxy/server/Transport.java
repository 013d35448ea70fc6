package dev.trellis.proxy.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/** Native epoll when it loads (Linux), else NIO. */
public record Transport(
        String name, Class<? extends ServerSocketChannel> serverChannel, Class<? extends SocketChannel> channel) {

    public static Transport detect() {
        if (!Boolean.getBoolean("trellis.nio") && Epoll.isAvailable()) {
            return new Transport("epoll", EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new Transport("nio", NioServerSocketChannel.class, NioSocketChannel.class);
    }

    public boolean epoll() {
        return name.equals("epoll");
    }

    /** The channel for a unix-domain-socket upstream (Envoy's {@code pipe} endpoints); null without epoll. */
    public Class<? extends io.netty.channel.Channel> domainChannel() {
        return epoll() ? io.netty.channel.epoll.EpollDomainSocketChannel.class : null;
    }

    /** The channel class that reaches {@code host}, or null when this transport cannot. */
    public Class<? extends io.netty.channel.Channel> channelFor(dev.trellis.proxy.cluster.Host host) {
        return host.isPipe() ? domainChannel() : channel;
    }

    public EventLoopGroup group(int threads, String prefix) {
        ThreadFactory tf = new io.netty.util.concurrent.DefaultThreadFactory(prefix, true);
        return new MultiThreadIoEventLoopGroup(
                threads, tf, epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }
}
