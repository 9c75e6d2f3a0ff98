//! A connection a node dialled — over turmoil's simulated TCP, or a real loopback socket in
//! real mode — with the scenario's TCP faults applied to it: the lab's toxiproxy, sitting in
//! the caller's socket. What each fault makes
//! the two ends observe (scenarios/README.md, "TCP faults"):
//!
//! - `reset`: the caller's next read or write fails with "connection reset"; the socket is
//!   dropped, so the server sees its connection end (EOF, or a reset if it had unread data).
//! - `black-hole`: the caller's writes are taken into the send buffer and go nowhere, its reads
//!   wait; the server hears nothing. Nothing closes: only a keepalive or a deadline notices.
//!   When the hole ends, what was buffered is sent, as TCP's retransmissions would.
//! - `connect-timeout` (and a black hole): a new connection hangs in connect — a dropped SYN —
//!   until the fault ends or the caller's connect timeout gives up.
//! - `slow-close`: a shutdown reaches the server `delay_ms` late.
//! - `bandwidth`: each direction carries at most `bytes_per_second`.
//! - `limit-data`: once the connection has carried `bytes` in the fault, it is reset.
//!
//! The wrapper wakes on every change of the fault table, so a connection idle in a read learns
//! at once that it was reset.

use super::fault_layer::FaultLayer;
use super::tcp_faults::TcpEffects;
use crate::trace::Recorder;
use hyper_util::client::legacy::connect::{Connected, Connection};
use nodes::Record;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};

/// What a black-holed connection takes into its send buffer before writes block, as a
/// kernel's send buffer would.
const SEND_BUFFER_BYTES: usize = 256 * 1024;

/// What a host needs to dial through the TCP faults: who it is, the fault layer, the trace,
/// and the engine's clock (µs since the run started).
#[derive(Clone)]
pub struct Dialler {
    pub me: Arc<str>,
    pub faults: FaultLayer,
    pub recorder: Recorder,
    now_us: fn() -> u64,
    connections: Arc<AtomicU64>,
}

/// A socket a dialled connection can wrap: turmoil's simulated TCP stream, or tokio's.
pub trait Socket: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Socket for S {}

impl Dialler {
    pub fn new(me: Arc<str>, faults: FaultLayer, recorder: Recorder, now_us: fn() -> u64) -> Self {
        Self { me, faults, recorder, now_us, connections: Arc::new(AtomicU64::new(0)) }
    }

    pub fn now_us(&self) -> u64 {
        (self.now_us)()
    }

    fn record(&self, fault: &str, peer: &str, connection: u64) {
        let record = Record::warn("tcp-fault").with("fault", fault).with("peer", peer).with("conn", connection);
        self.recorder.record(self.now_us(), &self.me, record);
    }

    /// Connects to `peer` through `dial`, first waiting out any fault that holds new
    /// connections.
    pub async fn connect<S: Socket>(
        &self,
        peer: &str,
        dial: impl Future<Output = io::Result<S>>,
    ) -> io::Result<DialledStream<S>> {
        let connection = self.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let mut changes = self.faults.tcp_changes();
        let mut noted = false;
        loop {
            let effects = self.faults.tcp_effects(&self.me, peer, self.now_us());
            if !(effects.black_hole || effects.connect_held) {
                break;
            }
            if !noted {
                self.record("connect-held", peer, connection);
                noted = true;
            }
            // The SYN is dropped; it is retried until the fault ends (or the caller gives up).
            if changes.changed().await.is_err() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "the fault table is gone"));
            }
        }
        let stream = dial.await?;
        Ok(DialledStream {
            inner: Some(stream),
            dialler: self.clone(),
            peer: peer.to_owned(),
            connection,
            opened_us: self.now_us(),
            changes: self.faults.tcp_changes(),
            on_change: None,
            timer: None,
            held: Vec::new(),
            carried: None,
            read_after_us: 0,
            write_after_us: 0,
            silent_noted: false,
            close_due_us: None,
        })
    }
}

/// A dialled connection with the TCP faults applied (see the module's doc).
pub struct DialledStream<S> {
    /// `None` once the connection was reset or closed by a fault.
    inner: Option<S>,
    dialler: Dialler,
    peer: String,
    connection: u64,
    opened_us: u64,
    changes: watch::Receiver<u64>,
    on_change: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    timer: Option<Pin<Box<Sleep>>>,
    /// Bytes written while black-holed, sent when the hole ends.
    held: Vec<u8>,
    /// Bytes carried under the current `limit-data` fault: (its index, bytes).
    carried: Option<(usize, u64)>,
    /// Bandwidth: when the next read or write may go.
    read_after_us: u64,
    write_after_us: u64,
    silent_noted: bool,
    /// `slow-close`: when the shutdown started may go through.
    close_due_us: Option<u64>,
}

fn reset_error() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection reset (a `reset` or `limit-data` fault)")
}

impl<S: Socket> DialledStream<S> {
    /// The socket beneath, while the connection lasts.
    pub fn socket(&self) -> Option<&S> {
        self.inner.as_ref()
    }

    fn now_us(&self) -> u64 {
        self.dialler.now_us()
    }

    fn effects(&self) -> TcpEffects {
        self.dialler.faults.tcp_effects(&self.dialler.me, &self.peer, self.opened_us)
    }

    /// Resets the connection: the socket goes, both ends see it end.
    fn reset(&mut self, why: &str) {
        if self.inner.take().is_some() {
            self.dialler.record(why, &self.peer, self.connection);
        }
    }

    /// Registers to be woken when the fault table changes; true if it changed already.
    fn poll_change(&mut self, cx: &mut Context<'_>) -> bool {
        let changes = &self.changes;
        let waiting = self.on_change.get_or_insert_with(|| {
            let mut changes = changes.clone();
            Box::pin(async move {
                let _ = changes.changed().await;
            })
        });
        if waiting.as_mut().poll(cx).is_ready() {
            self.on_change = None;
            self.changes.borrow_and_update();
            return true;
        }
        false
    }

    /// Registers to be woken at `at_us` (or earlier, if an earlier wake-up is pending: a reset
    /// due and a bandwidth pause share the timer, and each poll registers what it still
    /// needs); true if that time has come.
    fn poll_until(&mut self, cx: &mut Context<'_>, at_us: u64) -> bool {
        let now = self.now_us();
        if now >= at_us {
            return true;
        }
        // tokio's clock: simulated on turmoil (it moves with the run), the wall clock only in
        // real mode, which runs on it anyway.
        let deadline = Instant::now() + Duration::from_micros(at_us - now);
        let timer = self.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.is_elapsed() || timer.deadline() > deadline {
            timer.as_mut().reset(deadline);
        }
        let _ = timer.as_mut().poll(cx);
        false
    }

    /// Applies what does not depend on the direction: a reset that is due. Returns the effects,
    /// or the error the caller must see; registers for a wake-up at a reset still to come.
    fn enter(&mut self, cx: &mut Context<'_>) -> io::Result<TcpEffects> {
        if self.inner.is_none() {
            return Err(reset_error());
        }
        let effects = self.effects();
        if let Some(at_us) = effects.reset_at_us {
            if self.poll_until(cx, at_us) {
                self.reset("reset");
                return Err(reset_error());
            }
        }
        if !effects.black_hole {
            self.silent_noted = false;
        }
        Ok(effects)
    }

    /// Counts `n` bytes against a `limit-data` fault; resets the connection past its limit.
    fn carry(&mut self, effects: &TcpEffects, n: usize) {
        let Some(limit) = effects.limit else {
            self.carried = None;
            return;
        };
        let carried = match self.carried {
            Some((index, bytes)) if index == limit.index => bytes + n as u64,
            _ => n as u64,
        };
        self.carried = Some((limit.index, carried));
        if carried >= limit.bytes {
            self.reset("limit-data");
        }
    }

    fn note_silence(&mut self) {
        if !self.silent_noted {
            self.silent_noted = true;
            self.dialler.record("black-hole", &self.peer, self.connection);
        }
    }

    /// Sends what a black hole kept back; ready once it is all out.
    fn poll_release_held(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.held.is_empty() {
            let Some(inner) = self.inner.as_mut() else { return Poll::Ready(Err(reset_error())) };
            match Pin::new(inner).poll_write(cx, &self.held) {
                Poll::Ready(Ok(n)) => drop(self.held.drain(..n)),
                other => return other.map(|r| r.map(|_| ())),
            }
        }
        Poll::Ready(Ok(()))
    }

    /// The pause bandwidth imposes after `n` bytes at `rate`.
    fn paced(n: usize, rate: Option<u64>) -> u64 {
        rate.map_or(0, |rate| n as u64 * 1_000_000 / rate.max(1))
    }
}

impl<S: Socket> AsyncRead for DialledStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            let effects = this.enter(cx)?;
            if effects.black_hole {
                this.note_silence();
                if this.poll_change(cx) {
                    continue;
                }
                return Poll::Pending;
            }
            if let Poll::Ready(Err(e)) = this.poll_release_held(cx) {
                return Poll::Ready(Err(e));
            }
            if effects.bytes_per_second.is_some() && !this.poll_until(cx, this.read_after_us) {
                return Poll::Pending;
            }
            let before = buf.filled().len();
            let inner = this.inner.as_mut().expect("enter checked the socket");
            match Pin::new(inner).poll_read(cx, buf) {
                Poll::Ready(Ok(())) => {
                    let n = buf.filled().len() - before;
                    this.read_after_us = this.now_us() + Self::paced(n, effects.bytes_per_second);
                    this.carry(&effects, n);
                    return Poll::Ready(Ok(()));
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    // Also wake when a fault begins: a reset must reach an idle reader.
                    if this.poll_change(cx) {
                        continue;
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<S: Socket> AsyncWrite for DialledStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        loop {
            let effects = this.enter(cx)?;
            if effects.black_hole {
                this.note_silence();
                let room = SEND_BUFFER_BYTES.saturating_sub(this.held.len());
                if room > 0 {
                    let n = room.min(data.len());
                    this.held.extend_from_slice(&data[..n]);
                    return Poll::Ready(Ok(n));
                }
                if this.poll_change(cx) {
                    continue;
                }
                return Poll::Pending;
            }
            match this.poll_release_held(cx) {
                Poll::Ready(Ok(())) => {}
                other => return other.map(|r| r.map(|()| 0)),
            }
            if effects.bytes_per_second.is_some() && !this.poll_until(cx, this.write_after_us) {
                return Poll::Pending;
            }
            let inner = this.inner.as_mut().expect("enter checked the socket");
            return match Pin::new(inner).poll_write(cx, data) {
                Poll::Ready(Ok(n)) => {
                    this.write_after_us = this.now_us() + Self::paced(n, effects.bytes_per_second);
                    this.carry(&effects, n);
                    Poll::Ready(Ok(n))
                }
                other => other,
            };
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let effects = this.enter(cx)?;
        if effects.black_hole {
            // Flushed into the send buffer; the network does the rest, or does not.
            return Poll::Ready(Ok(()));
        }
        match this.poll_release_held(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        Pin::new(this.inner.as_mut().expect("enter checked the socket")).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let Ok(effects) = this.enter(cx) else { return Poll::Ready(Ok(())) };
        if let Some(delay_ms) = effects.slow_close_ms {
            let now = this.now_us();
            let due = this.close_due_us.get_or_insert(now + delay_ms * 1_000);
            let due = *due;
            if !this.poll_until(cx, due) {
                return Poll::Pending;
            }
        }
        match this.inner.as_mut() {
            Some(inner) => Pin::new(inner).poll_shutdown(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl<S> Connection for DialledStream<S> {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TcpFault;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn now_us() -> u64 {
        turmoil::sim_elapsed().unwrap_or_default().as_micros() as u64
    }

    fn elapsed_ms() -> u64 {
        now_us() / 1_000
    }

    /// A server that reads until EOF and notes when each read returned how many bytes; a client
    /// that runs `client` on a connection dialled through `faults`.
    fn run<F: Future<Output = turmoil::Result> + 'static>(
        faults: &FaultLayer,
        client: impl FnOnce(DialledStream<turmoil::net::TcpStream>, FaultLayer) -> F + 'static,
    ) -> Vec<(u64, usize)> {
        let reads = Arc::new(Mutex::new(Vec::new()));
        let mut sim = turmoil::Builder::new().build();
        let noted = Arc::clone(&reads);
        sim.host("server", move || {
            let noted = Arc::clone(&noted);
            async move {
                let listener = turmoil::net::TcpListener::bind(("0.0.0.0", 9000)).await?;
                let (mut stream, _) = listener.accept().await?;
                loop {
                    let mut buf = [0u8; 64];
                    let n = stream.read(&mut buf).await?;
                    noted.lock().unwrap().push((elapsed_ms(), n));
                    if n == 0 {
                        return Ok(());
                    }
                }
            }
        });
        let faults = faults.clone();
        sim.client("client", async move {
            let dialler = Dialler::new(Arc::from("client"), faults.clone(), Recorder::new(1_000), now_us);
            let stream = dialler.connect("server", turmoil::net::TcpStream::connect("server:9000")).await?;
            client(stream, faults).await?;
            // The simulation ends with the client: give the server time to read what is left.
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            Ok(())
        });
        sim.run().unwrap();
        let reads = reads.lock().unwrap().clone();
        reads
    }

    fn link() -> (Vec<String>, Vec<String>) {
        (vec!["client".to_owned()], vec!["server".to_owned()])
    }

    #[test]
    fn what_a_black_hole_kept_back_is_sent_when_it_ends() {
        let reads = run(&FaultLayer::new(1), |mut stream, faults| async move {
            let (from, to) = link();
            faults.activate_tcp(0, &from, &to, TcpFault::BlackHole, now_us());
            stream.write_all(b"hello").await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            faults.deactivate_tcp(0);
            stream.flush().await?;
            stream.shutdown().await?;
            Ok(())
        });
        let (at_ms, n) = reads[0];
        assert_eq!(n, 5, "the bytes arrive whole");
        assert!(at_ms >= 1_000, "and only after the hole ends, at {at_ms} ms");
    }

    #[test]
    fn a_slow_close_reaches_the_server_late() {
        let reads = run(&FaultLayer::new(1), |mut stream, faults| async move {
            stream.write_all(b"bye").await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
            let (from, to) = link();
            faults.activate_tcp(0, &from, &to, TcpFault::SlowClose { delay_ms: 500 }, now_us());
            stream.shutdown().await?;
            Ok(())
        });
        let eof_ms = reads.iter().find(|(_, n)| *n == 0).map(|(at, _)| *at).expect("an EOF");
        assert!(eof_ms >= 600, "the close took 500 ms to leave: EOF at {eof_ms} ms");
    }
}
