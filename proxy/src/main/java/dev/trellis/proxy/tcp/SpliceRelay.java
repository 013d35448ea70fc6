package dev.trellis.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A zero-copy relay between two connected epoll sockets on one event loop: each direction moves bytes socket → pipe →
 * socket with {@code splice(2)}, so they never enter the JVM.
 *
 * <p>How it coexists with Netty: both channels are deregistered from the event loop's epoll set (Netty does no I/O on
 * them while the relay runs, so it cannot read bytes behind the relay's back, e.g. on EPOLLRDHUP) and the relay
 * registers its own {@link EpollIoHandle} for each socket on the same loop, level-triggered. Interest follows the
 * pipes: EPOLLIN on a source while its pipe has room, EPOLLOUT on a destination while its pipe holds bytes, so a slow
 * reader stops reads from the other side after one pipe's worth (backpressure bounded by the pipe size). Closing goes
 * through the channels' pipelines as usual: a guard handler hands the sockets back to Netty (re-registers the
 * channels) before the close proceeds, so {@code channelInactive}, close futures and fd ownership stay Netty's.
 *
 * <p>Semantics kept from the copy path: end of stream on one side is relayed as a FIN (shutdown of the other side's
 * output) after the pipe drained, while the other direction keeps flowing; the connection closes once both directions
 * ended, on an error (reset), on the idle timeout (activity in either direction resets it) or when either channel is
 * closed (drain, admin). Byte counts are exact: received is counted when a splice takes bytes from a socket, sent when
 * a splice hands them to a socket.
 */
final class SpliceRelay {
    private static final dev.trellis.proxy.log.Log LOG = dev.trellis.proxy.log.Log.of(SpliceRelay.class);
    private static final int IN = 0x001;
    private static final int OUT = 0x004;
    private static final int ERR = 0x008;
    private static final int HUP = 0x010;
    private static final int RDHUP = 0x2000;
    /** Splice rounds per readiness event before yielding the loop to other connections. */
    private static final int MAX_ROUNDS = 16;
    /** Requested pipe size; the kernel default (64 KiB) when 0. */
    static final int PIPE_SIZE = Integer.getInteger("trellis.tcp.splice.pipe-bytes", 0);

    private static final LongAdder RELAYS = new LongAdder();
    private static final LongAdder BYTES = new LongAdder();
    private static final LongAdder FALLBACKS = new LongAdder();

    /** Relays that gave up before moving a byte because Netty had read first (a FIN raced the start). */
    static long fallbacks() {
        return FALLBACKS.sum();
    }

    /** Connections handed to the splice relay since start, including those that fell back (tests, diagnostics). */
    static long relays() {
        return RELAYS.sum();
    }

    /** Bytes moved by splice (both directions) since start. */
    static long bytes() {
        return BYTES.sum();
    }

    /** Called back on the event loop. */
    interface Listener {
        void received(long n);

        void sent(long n);

        /**
         * The relay is over and both channels are Netty's again (registered, or closed).
         *
         * @param fallback the relay never moved a byte and the connection stays open: continue by copying
         */
        void released(boolean fallback);
    }

    private enum State {
        STARTING,
        RUNNING,
        RELEASED
    }

    private final IoEventLoop loop;
    private final Side down;
    private final Side up;
    private final Direction toUp;
    private final Direction toDown;
    private final Listener listener;
    private final long idleTimeoutNanos;
    private final MemorySegment errno = Splice.newErrno();
    private State state = State.STARTING;
    private boolean closeRequested;
    private boolean fallbackRequested;
    private int pendingDeregistrations = 2;
    private long lastActivity = System.nanoTime();
    private ScheduledFuture<?> idleTimer;

    private SpliceRelay(Channel downstream, Channel upstream, int[] p1, int[] p2, long idleTimeoutMs, Listener l) {
        this.loop = (IoEventLoop) downstream.eventLoop();
        this.down = new Side(downstream);
        this.up = new Side(upstream);
        this.toUp = new Direction(down, up, p1);
        this.toDown = new Direction(up, down, p2);
        this.listener = l;
        this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    }

    /**
     * Why the relay cannot splice between these channels, or null when it can. The copy path stays for every other
     * case: NIO transport, no native access, and any pipeline handler that must see the bytes (a TLS transport socket
     * later, or a listener filter still inspecting).
     */
    static String blocker(Channel downstream, Channel upstream, Map<Class<?>, Boolean> passive) {
        if (!Boolean.parseBoolean(System.getProperty("trellis.tcp.splice", "true"))) {
            return "disabled by -Dtrellis.tcp.splice=false";
        }
        if (Splice.UNAVAILABLE != null) {
            return "splice(2) unavailable: " + Splice.UNAVAILABLE;
        }
        if (!(downstream instanceof AbstractEpollStreamChannel) || !(upstream instanceof AbstractEpollStreamChannel)) {
            return "not epoll stream sockets on both sides";
        }
        if (downstream.eventLoop() != upstream.eventLoop()
                || !(downstream.eventLoop() instanceof IoEventLoop l)
                || !l.isCompatible(EpollIoHandle.class)) {
            return "channels not on one epoll event loop";
        }
        for (Channel ch : new Channel[] {downstream, upstream}) {
            for (Map.Entry<String, ChannelHandler> e : ch.pipeline()) {
                if (!passive.containsKey(e.getValue().getClass())) {
                    return "pipeline handler '" + e.getKey() + "' ("
                            + e.getValue().getClass().getSimpleName() + ") needs the bytes";
                }
            }
        }
        return null;
    }

    /**
     * Starts relaying; {@link #blocker} must have returned null. Both channels must have auto-read off and nothing
     * queued for writing. If the pipes cannot be created (e.g. out of descriptors) this returns null and the caller
     * keeps copying.
     */
    static SpliceRelay start(Channel downstream, Channel upstream, long idleTimeoutMs, Listener l) {
        MemorySegment errno = Splice.newErrno();
        int[] p1;
        try {
            p1 = Splice.pipe(PIPE_SIZE, errno);
        } catch (IOException e) {
            LOG.debug("splice pipes unavailable, copying instead", e);
            return null;
        }
        int[] p2;
        try {
            p2 = Splice.pipe(PIPE_SIZE, errno);
        } catch (IOException e) {
            Splice.close(p1[0]);
            Splice.close(p1[1]);
            LOG.debug("splice pipes unavailable, copying instead", e);
            return null;
        }
        SpliceRelay r = new SpliceRelay(downstream, upstream, p1, p2, idleTimeoutMs, l);
        RELAYS.increment();
        r.begin();
        return r;
    }

    private void begin() {
        // Netty's idle handler would see no reads or writes from now on; the relay keeps its own timer.
        for (Side s : new Side[] {down, up}) {
            IdleStateHandler idle = s.ch.pipeline().get(IdleStateHandler.class);
            if (idle != null) {
                s.ch.pipeline().remove(idle);
            }
            s.ch.pipeline().addFirst("splice-guard", new Guard());
            s.ch.deregister().addListener(f -> deregistered());
        }
        if (idleTimeoutNanos > 0) {
            idleTimer = loop.schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void deregistered() {
        if (--pendingDeregistrations > 0) {
            return;
        }
        if (closeRequested || !down.ch.isOpen() || !up.ch.isOpen()) {
            closeBoth();
            return;
        }
        if (fallbackRequested) {
            FALLBACKS.increment();
            release(true);
            return;
        }
        try {
            // Not touched by anyone while deregistered: an exception here leaves Netty's state as it was.
            down.register();
            up.register();
        } catch (Exception e) {
            abort(e);
            return;
        }
        state = State.RUNNING;
        pump(toUp);
        pump(toDown);
        updateInterest();
    }

    /**
     * Netty read bytes or a FIN before it handed the sockets over (it reads on EPOLLRDHUP even with auto-read off): the
     * caller holds them, and the connection must continue on the copy path so they go first. Only while starting.
     */
    boolean fallBackIfStarting() {
        if (state != State.STARTING) {
            return false;
        }
        fallbackRequested = true;
        return true;
    }

    boolean starting() {
        return state == State.STARTING;
    }

    private void checkIdle() {
        if (state == State.RELEASED) {
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (idle >= idleTimeoutNanos) {
            closeBoth();
        } else {
            idleTimer = loop.schedule(this::checkIdle, idleTimeoutNanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    private void onEvent(Side s, int ev) {
        if (state != State.RUNNING) {
            return;
        }
        if ((ev & (IN | HUP | ERR | RDHUP)) != 0) {
            pump(s.from);
        }
        if ((ev & (OUT | HUP | ERR)) != 0) {
            pump(s.to);
        }
        if (state != State.RUNNING) {
            return;
        }
        if ((ev & (HUP | ERR)) != 0 && !s.hup) {
            // EPOLLHUP/EPOLLERR cannot be masked: level-triggered they would fire on every loop turn. A hung-up socket
            // never blocks a read again (data or end of stream) and cannot be written, so the relay drives it from
            // the other side's readiness and stops watching it.
            s.hup = true;
            s.reg.cancel();
        }
        updateInterest();
    }

    /** Moves bytes in one direction until it would block, ends, or used its share of the loop. */
    private void pump(Direction d) {
        if (state != State.RUNNING || d.finished) {
            return;
        }
        try {
            for (int round = 0; ; round++) {
                boolean progress = false;
                if (d.inPipe > 0) {
                    long n = Splice.splice(errno, d.pipeRead, d.dst.fd, d.inPipe);
                    if (n > 0) {
                        d.inPipe -= n;
                        d.pipeFull = false;
                        progress = true;
                        BYTES.add(n);
                        lastActivity = System.nanoTime();
                        if (d == toDown) {
                            listener.sent(n);
                        }
                    }
                }
                if (!d.eof && !d.pipeFull) {
                    long n = Splice.splice(errno, d.src.fd, d.pipeWrite, d.capacity);
                    if (n > 0) {
                        d.inPipe += n;
                        progress = true;
                        lastActivity = System.nanoTime();
                        if (d == toUp) {
                            listener.received(n);
                        }
                    } else if (n == 0) {
                        d.eof = true;
                        progress = true;
                    } else if (d.inPipe > 0) {
                        // EAGAIN with bytes in the pipe: either the socket is empty or the pipe is full (a pipe holds
                        // 16 buffers, not a byte count). Stop reading until the output makes room; the destination's
                        // EPOLLOUT (watched while the pipe holds bytes) brings us back.
                        d.pipeFull = true;
                    }
                }
                if (!progress) {
                    break;
                }
                if (round == MAX_ROUNDS) {
                    loop.execute(() -> {
                        pump(d);
                        updateInterest();
                    });
                    break;
                }
            }
        } catch (IOException e) {
            abort(e);
            return;
        }
        if (d.eof && d.inPipe == 0) {
            finish(d);
        }
    }

    /** Relays end of stream: the destination gets a FIN; both directions ended closes the connection. */
    private void finish(Direction d) {
        d.finished = true;
        if (toUp.finished && toDown.finished) {
            closeBoth();
            return;
        }
        ((DuplexChannel) d.dst.ch).shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                abort(f.cause());
            }
        });
    }

    private void updateInterest() {
        if (state != State.RUNNING) {
            return;
        }
        down.interest();
        up.interest();
    }

    private void abort(Throwable cause) {
        LOG.debug("splice relay ends", cause);
        closeBoth();
    }

    private void closeBoth() {
        closeRequested = true;
        if (pendingDeregistrations > 0) {
            // Netty still owns the sockets until the deregistrations complete; deregistered() comes back here.
            return;
        }
        release(false);
        down.ch.close();
        up.ch.close();
    }

    /** Stops relaying and gives both sockets back to Netty; the pipes (and any bytes in them) are dropped. */
    private void release(boolean fallback) {
        if (state == State.RELEASED) {
            return;
        }
        state = State.RELEASED;
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        // Our registrations must leave the epoll set before Netty adds the channels back (same fd numbers).
        down.unregister();
        up.unregister();
        toUp.closePipe();
        toDown.closePipe();
        for (Side s : new Side[] {down, up}) {
            if (s.ch.isOpen() && !s.ch.isRegistered()) {
                loop.register(s.ch);
            }
            if (s.ch.pipeline().get("splice-guard") != null) {
                s.ch.pipeline().remove("splice-guard");
            }
        }
        listener.released(fallback && down.ch.isActive() && up.ch.isActive());
    }

    /** The event loop is shutting down: nothing can be registered again, so close the sockets directly. */
    private void forceClose() {
        if (state == State.RELEASED) {
            return;
        }
        state = State.RELEASED;
        if (idleTimer != null) {
            idleTimer.cancel(false);
        }
        down.unregister();
        up.unregister();
        toUp.closePipe();
        toDown.closePipe();
        down.ch.unsafe().closeForcibly();
        up.ch.unsafe().closeForcibly();
    }

    /** Sees every close of either channel first, so the sockets are Netty's again before they close. */
    private final class Guard extends ChannelOutboundHandlerAdapter {
        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (state == State.RELEASED) {
                ctx.close(promise);
                return;
            }
            if (pendingDeregistrations > 0) {
                // Still deregistering: let this close go ahead; deregistered() closes the other side.
                closeRequested = true;
                ctx.close(promise);
                return;
            }
            release(false);
            ctx.close(promise);
            (ctx.channel() == down.ch ? up.ch : down.ch).close();
        }
    }

    /** One socket as the relay sees it. */
    private final class Side implements EpollIoHandle {
        final Channel ch;
        final FileDescriptor fdObj;
        final int fd;
        Direction from;
        Direction to;
        IoRegistration reg;
        int ops = -1;
        boolean hup;

        Side(Channel ch) {
            this.ch = ch;
            this.fdObj = ((UnixChannel) ch).fd();
            this.fd = fdObj.intValue();
        }

        void register() throws Exception {
            var f = loop.register(this);
            if (!f.isDone()) {
                // On its own event loop the registration is immediate; anything else would be a Netty change.
                throw new IllegalStateException("epoll registration did not complete on the event loop");
            }
            if (!f.isSuccess()) {
                throw new IOException("epoll registration failed", f.cause());
            }
            reg = f.getNow();
        }

        void unregister() {
            if (reg != null && reg.isValid()) {
                reg.cancel();
            }
        }

        void interest() {
            if (hup || reg == null || state != State.RUNNING) {
                return;
            }
            int want = (from.wantsRead() ? IN : 0) | (to.wantsWrite() ? OUT : 0);
            if (want != ops) {
                ops = want;
                // Never EpollIoOps.NONE: Netty 4.2.18 answers it with EPOLL_CTL_DEL but keeps the registration
                // "added", so the next change fails with ENOENT. EPOLLERR is reported whatever the mask says, so
                // asking for it alone is asking for nothing.
                try {
                    reg.submit(EpollIoOps.valueOf(want == 0 ? ERR : want));
                } catch (RuntimeException e) {
                    abort(e);
                }
            }
        }

        @Override
        public FileDescriptor fd() {
            return fdObj;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            onEvent(this, ((EpollIoEvent) event).ops().value());
        }

        @Override
        public void close() {
            // Only called when the event loop shuts down with the relay still registered.
            forceClose();
        }
    }

    /** One direction: source socket → pipe → destination socket. */
    private static final class Direction {
        final Side src;
        final Side dst;
        final int pipeRead;
        final int pipeWrite;
        final int capacity;
        long inPipe;
        boolean pipeFull;
        boolean eof;
        boolean finished;
        private boolean pipeOpen = true;

        Direction(Side src, Side dst, int[] pipe) {
            this.src = src;
            this.dst = dst;
            this.pipeRead = pipe[0];
            this.pipeWrite = pipe[1];
            this.capacity = Splice.capacity(pipe[1]);
            src.from = this;
            dst.to = this;
        }

        boolean wantsRead() {
            return !eof && !pipeFull && !finished;
        }

        boolean wantsWrite() {
            return inPipe > 0 && !finished;
        }

        void closePipe() {
            if (pipeOpen) {
                pipeOpen = false;
                Splice.close(pipeRead);
                Splice.close(pipeWrite);
            }
        }
    }
}
