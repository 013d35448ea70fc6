package dev.trellis.proxy.listener;

import dev.trellis.proxy.config.ConfigException;
import dev.trellis.proxy.http.ConnectionInfo;
import dev.trellis.proxy.server.ProxyContext;
import dev.trellis.proxy.stats.Stat;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Binds listeners and keeps them current. An update compiles every listener first (nothing is applied when one is
 * bad), then for each: a new one binds (once warm: its RDS route configurations arrived); a changed one keeps its
 * socket, swaps its config by reference for new connections and drains the old connections; a removed one stops
 * accepting and drains. Draining lets in-flight requests finish and closes what is left after the drain time.
 */
public final class ListenerManager implements AutoCloseable {

    /** A bound (or virtual, bind_to_port false) listener. */
    public static final class Active {
        final String name;
        final InetSocketAddress address;
        volatile ListenerConfig config;
        volatile ConnectionTracker tracker = new ConnectionTracker();
        Channel serverChannel;
        final Stat cxTotal;
        final Stat cxActive;

        Active(ListenerConfig config, ProxyContext ctx) {
            this.name = config.name();
            this.address = config.address();
            this.config = config;
            String statName = config.address().getAddress().getHostAddress() + "_"
                    + config.address().getPort();
            this.cxTotal = ctx.stats().counter("listener", statName, "downstream_cx_total");
            this.cxActive = ctx.stats().gauge("listener", statName, "downstream_cx_active");
        }

        public ListenerConfig config() {
            return config;
        }

        public InetSocketAddress boundAddress() {
            return serverChannel == null ? address : (InetSocketAddress) serverChannel.localAddress();
        }

        public int connections() {
            return tracker.size();
        }
    }

    private final ProxyContext ctx;
    private final EventLoopGroup workers;
    private final long drainTimeMs;
    private final Map<String, Active> active = new LinkedHashMap<>();
    private final Map<String, ListenerConfig> warming = new LinkedHashMap<>();
    private volatile Map<InetSocketAddress, Active> byAddress = Map.of();
    private final Set<String> staticNames = new HashSet<>();
    private final List<ScheduledFuture<?>> drains = new ArrayList<>();

    public ListenerManager(ProxyContext ctx, EventLoopGroup workers, long drainTimeMs) {
        this.ctx = ctx;
        this.workers = workers;
        this.drainTimeMs = drainTimeMs;
    }

    public void addStatic(List<Listener> listeners) {
        addOrUpdate(listeners, "");
        synchronized (this) {
            for (Listener l : listeners) {
                staticNames.add(l.getName());
            }
        }
    }

    public void addOrUpdate(List<Listener> protos, String version) {
        List<ListenerConfig> compiled = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Listener l : protos) {
            if (!names.add(l.getName())) {
                throw new ConfigException("listener \"" + l.getName() + "\": duplicate name");
            }
            synchronized (this) {
                Active a = active.get(l.getName());
                if (a != null && a.config.source().equals(l)) {
                    continue;
                }
                if (staticNames.contains(l.getName()) && !version.isEmpty()) {
                    throw new ConfigException(
                            "listener \"" + l.getName() + "\": a static listener cannot be updated by LDS");
                }
            }
            compiled.add(ListenerConfig.compile(l, version, ctx));
        }
        synchronized (this) {
            for (ListenerConfig c : compiled) {
                Active a = active.get(c.name());
                if (a != null && !a.address.equals(c.address())) {
                    throw new ConfigException("listener \"" + c.name() + "\": changing the address of a listener is"
                            + " not supported (remove it and add a new one)");
                }
            }
            for (ListenerConfig c : compiled) {
                if (c.ready()) {
                    activate(c);
                } else {
                    warming.put(c.name(), c);
                }
            }
        }
    }

    /** Re-checks warming listeners (call after RDS updates). */
    public synchronized void routesUpdated() {
        for (ListenerConfig c : new ArrayList<>(warming.values())) {
            if (c.ready()) {
                warming.remove(c.name());
                activate(c);
            }
        }
    }

    /** initial_fetch_timeout: stop waiting and serve (routes missing answer 404 NR). */
    public synchronized void finishWarming() {
        for (ListenerConfig c : new ArrayList<>(warming.values())) {
            warming.remove(c.name());
            activate(c);
        }
    }

    /** State-of-the-world LDS: listeners not named (and not static) are drained and removed. */
    public synchronized void retainOnly(Set<String> names) {
        warming.keySet().removeIf(n -> !names.contains(n) && !staticNames.contains(n));
        for (String n : new ArrayList<>(active.keySet())) {
            if (!names.contains(n) && !staticNames.contains(n)) {
                Active a = active.remove(n);
                if (a.serverChannel != null) {
                    a.serverChannel.close();
                }
                drain(a.tracker);
            }
        }
        rebuildIndex();
    }

    private void activate(ListenerConfig c) {
        Active a = active.get(c.name());
        if (a != null) {
            ConnectionTracker old = a.tracker;
            a.tracker = new ConnectionTracker();
            a.config = c;
            drain(old);
            return;
        }
        a = new Active(c, ctx);
        if (c.bindToPort()) {
            a.serverChannel = bind(a);
        }
        active.put(c.name(), a);
        rebuildIndex();
    }

    private void rebuildIndex() {
        Map<InetSocketAddress, Active> m = new LinkedHashMap<>();
        for (Active a : active.values()) {
            m.put(a.address, a);
        }
        byAddress = Map.copyOf(m);
    }

    private void drain(ConnectionTracker t) {
        if (t.size() == 0) {
            return;
        }
        t.drainAll();
        drains.add(workers.next().schedule(t::closeAll, drainTimeMs, TimeUnit.MILLISECONDS));
        drains.removeIf(f -> f.isDone());
    }

    private Channel bind(Active a) {
        Active self = a;
        ServerBootstrap b = new ServerBootstrap()
                .group(workers)
                .channel(ctx.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(self, ch);
                    }
                });
        try {
            return b.bind(a.address).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new ConfigException("listener \"" + a.name + "\": cannot bind " + a.address + ": " + e.getMessage());
        }
    }

    private void accept(Active a, Channel ch) {
        ListenerConfig cfg = a.config;
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
        InetSocketAddress original = local;
        if (cfg.useOriginalDst() || cfg.originalDstFilter()) {
            original = OriginalDestination.lookup(ch, local);
        }
        Active target = a;
        if (cfg.useOriginalDst() && !original.equals(local)) {
            Active owner = findOwner(original);
            if (owner != null) {
                target = owner;
            }
        }
        ListenerConfig tcfg = target.config;
        ConnectionTracker tracker = target.tracker;
        tracker.add(ch, ch::close);
        target.cxTotal.inc();
        target.cxActive.inc();
        Stat gauge = target.cxActive;
        ch.closeFuture().addListener(f -> gauge.dec());
        ConnectionInfo info = new ConnectionInfo(remote, local, original);
        if (tcfg.needsInspection()) {
            ScheduledFuture<?> timeout = ch.eventLoop()
                    .schedule(
                            () -> {
                                ch.close();
                            },
                            tcfg.listenerFiltersTimeoutMs(),
                            TimeUnit.MILLISECONDS);
            final InetSocketAddress dst = original;
            ch.pipeline().addLast("inspector", new Inspector(tcfg.tlsInspector(), tcfg.httpInspector(), r -> {
                timeout.cancel(false);
                install(
                        ch,
                        tcfg,
                        new FilterChainSelector.Facts(
                                dst, remote, r.serverName(), r.transport(), r.applicationProtocols()),
                        info.withServerName(r.serverName()),
                        tracker);
            }));
        } else {
            install(
                    ch,
                    tcfg,
                    new FilterChainSelector.Facts(original, remote, "", "raw_buffer", List.of()),
                    info,
                    tracker);
        }
    }

    private static void install(
            Channel ch, ListenerConfig cfg, FilterChainSelector.Facts facts, ConnectionInfo info, ConnectionTracker t) {
        ListenerConfig.Chain chain = cfg.select(facts);
        if (chain == null) {
            ch.close();
            return;
        }
        chain.filter().install(ch, info, t);
    }

    /** The listener that owns an original destination: exact address, else the wildcard address on that port. */
    private Active findOwner(InetSocketAddress dst) {
        Map<InetSocketAddress, Active> m = byAddress;
        Active a = m.get(dst);
        if (a == null) {
            a = m.get(new InetSocketAddress("0.0.0.0", dst.getPort()));
        }
        return a;
    }

    public synchronized Map<String, Active> active() {
        return Map.copyOf(active);
    }

    public synchronized Map<String, ListenerConfig> warming() {
        return Map.copyOf(warming);
    }

    public synchronized Set<String> staticNames() {
        return Set.copyOf(staticNames);
    }

    /**
     * Stops accepting everywhere and drains all connections. Returns once the listening sockets are closed (when called
     * off their event loops), so that "drained" means a new connection is refused, as {@code /drain_listeners} promises.
     */
    public void drainAll() {
        List<io.netty.channel.ChannelFuture> closing = new java.util.ArrayList<>();
        synchronized (this) {
            for (Active a : active.values()) {
                if (a.serverChannel != null) {
                    closing.add(a.serverChannel.close());
                }
                a.tracker.drainAll();
            }
        }
        for (io.netty.channel.ChannelFuture f : closing) {
            if (!f.channel().eventLoop().inEventLoop()) {
                f.awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public synchronized void close() {
        for (Active a : active.values()) {
            if (a.serverChannel != null) {
                a.serverChannel.close().awaitUninterruptibly();
            }
            a.tracker.closeAll();
        }
        active.clear();
    }
}
