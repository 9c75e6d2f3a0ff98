//! Real-network mode: every node of a scenario as a tokio + tonic gRPC server on its own
//! `127.0.0.1` port, the workload in real time, the fault schedule applied at its real times,
//! and the same events recorded as on the simulators.
//!
//! What is the same: the nodes, [`host`] (inbox, timers, the RPC fault layer on incoming
//! calls), the fault schedule and its trace records, the checks. What differs: time is the
//! wall clock since the run started, and the operating system schedules the threads, so a
//! run is **not deterministic** — the seed still decides every random stream (nodes, RPC-fault
//! dice, link latencies), but not when things happen.
//!
//! Each node incarnation runs on its own thread with its own single-threaded tokio runtime,
//! which owns everything the incarnation started: its server and every connection it
//! accepted, its UDP socket, its node, its outgoing calls. A crash stops that runtime, which
//! drops all of it at once, as a killed process would: its sockets close, its callers see the
//! connection fail, and datagrams sent to it are lost. A restart binds the same ports again
//! and starts a fresh incarnation.
//!
//! Network faults go through [`super::links`], a gate each caller passes at the message level
//! (cut → the leg is lost, held → it waits for the release, then the link's latency), not a
//! proxy between sockets: the gRPC bytes themselves always travel over loopback at once. A
//! datagram passes the same gate before it leaves its sender's UDP socket.

use super::dialled::{DialledStream, Dialler};
use super::driver::{receive_datagrams, NodeService};
use super::fault_layer::FaultLayer;
use super::host::{self, Calls, HostContext, Inbound, Runtime};
use super::links::{self, carry, Links};
use super::pool::{pooled_client, Pool};
use super::{fault_record, FaultSchedule, RunEnd, RunResult, ScheduledOp};
use crate::scenario::{FaultAction, Scenario, Variant};
use crate::trace::{Event, Recorder};
use anyhow::Context as _;
use fundamentals::sim::stream_rng;
use nodes::{Body, CallError, Record};
use proto::lab::node_client::NodeClient;
use proto::lab::node_server::NodeServer;
use proto::Envelope;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Status};

/// How often the harness wakes between faults: to notice a full event budget or a node
/// thread that died.
const CHECK_EVERY_MS: u64 = 100;

/// How long a stopped incarnation's runtime waits for blocking work (the lab spawns none).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// The wall clock, as microseconds since the current run started.
pub struct Real;

/// A fixed point of the process, so that a run's start can be kept as a plain number.
static PROCESS_START: OnceLock<Instant> = OnceLock::new();
/// When the current run started, in microseconds after [`PROCESS_START`].
static RUN_START_US: AtomicU64 = AtomicU64::new(0);

fn process_us() -> u64 {
    PROCESS_START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

impl Runtime for Real {
    fn now_us() -> u64 {
        process_us().saturating_sub(RUN_START_US.load(Ordering::Relaxed))
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(task);
    }
}

/// What every node's outgoing calls share: where each node listens, and the link gate.
struct Network {
    addresses: BTreeMap<String, SocketAddr>,
    /// Where each node receives datagrams (a UDP port of its own).
    datagram_addresses: BTreeMap<String, SocketAddr>,
    links: Mutex<Links>,
}

/// Outgoing calls: the link gate, then gRPC over a real loopback connection, one channel per
/// peer (tonic reconnects it by itself after the peer restarts).
struct RealCalls {
    me: Arc<str>,
    network: Arc<Network>,
    peers: BTreeMap<String, NodeClient<Channel>>,
    /// Dials through the TCP faults.
    dialler: Dialler,
    /// For a node with a transport: its pool, instead of tonic's lazy channels.
    pool: Option<Pool>,
    /// The incarnation's UDP socket, for the datagrams it sends.
    datagrams: Arc<tokio::net::UdpSocket>,
}

impl RealCalls {
    fn client(&mut self, to: &str) -> Option<NodeClient<Channel>> {
        if let Some(client) = self.peers.get(to) {
            return Some(client.clone());
        }
        let address = self.network.addresses.get(to)?;
        // A socket address always makes a valid URI; `None` here is as unreachable as the peer.
        let endpoint = Endpoint::from_shared(format!("http://{address}")).ok()?;
        let connector = RealConnector { dialler: self.dialler.clone(), peer: to.to_owned(), address: *address };
        let client = NodeClient::new(endpoint.connect_with_connector_lazy(connector));
        self.peers.insert(to.to_owned(), client.clone());
        Some(client)
    }
}

impl Calls for RealCalls {
    fn call(
        &mut self,
        to: &str,
        envelope: Envelope,
        timeout: Duration,
    ) -> impl Future<Output = Result<Body, CallError>> + Send + 'static {
        let connection = match &mut self.pool {
            Some(pool) => {
                let address = self.network.addresses.get(to).copied();
                Err((pool.slot(to), pool.transport, self.dialler.clone(), address))
            }
            None => Ok(self.client(to)),
        };
        let (me, to, network) = (Arc::clone(&self.me), to.to_owned(), Arc::clone(&self.network));
        async move {
            let client = match connection {
                Ok(client) => client,
                Err((slot, transport, dialler, Some(address))) => {
                    let dial = async move {
                        let socket = tokio::net::TcpStream::connect(address).await?;
                        socket.set_nodelay(true)?;
                        Ok(socket)
                    };
                    let target = address.to_string();
                    Some(pooled_client::<Real, _>(slot, transport, &dialler, &to, &target, dial).await?)
                }
                Err((.., None)) => None,
            };
            let Some(mut client) = client else {
                return Err(CallError::Unreachable);
            };
            let exchange = async {
                if !carry::<Real>(&network.links, &me, &to).await {
                    return std::future::pending().await;
                }
                let reply = client.deliver(envelope).await.map_err(|status| call_error(&status))?;
                let body = reply.into_inner().body.ok_or_else(|| CallError::Failed("reply without a body".into()))?;
                if !carry::<Real>(&network.links, &to, &me).await {
                    return std::future::pending().await;
                }
                Ok(body)
            };
            tokio::time::timeout(timeout, exchange).await.unwrap_or(Err(CallError::Timeout))
        }
    }

    /// Without a pool, nothing: unlike turmoil's simulated TCP, a real connection retransmits,
    /// and tonic's channel redials by itself once a connection has failed. A pool drops a
    /// failed connection, to dial it again under its own connect timeout.
    fn forget(&mut self, to: &str, why: &CallError) {
        if let Some(pool) = &mut self.pool {
            pool.forget(to, why);
        }
    }

    /// Through the link gate (a cut link loses it, a held one keeps it, then the latency),
    /// then out of the socket at once; a send the system refuses loses the datagram, as UDP does.
    fn send(&mut self, to: &str, envelope: Envelope) {
        let Some(&address) = self.network.datagram_addresses.get(to) else { return };
        let (me, to, network, socket) =
            (Arc::clone(&self.me), to.to_owned(), Arc::clone(&self.network), Arc::clone(&self.datagrams));
        tokio::spawn(async move {
            if carry::<Real>(&network.links, &me, &to).await {
                let _ = socket.send_to(&envelope.to_datagram(), address).await;
            }
        });
    }
}

/// Dials a peer's real loopback socket through the TCP faults.
#[derive(Clone)]
struct RealConnector {
    dialler: Dialler,
    peer: String,
    address: SocketAddr,
}

impl tower::Service<tonic::transport::Uri> for RealConnector {
    type Response = hyper_util::rt::TokioIo<DialledStream<tokio::net::TcpStream>>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<Box<dyn Future<Output = std::io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: tonic::transport::Uri) -> Self::Future {
        let RealConnector { dialler, peer, address } = self.clone();
        Box::pin(async move {
            let stream = dialler.connect(&peer, tokio::net::TcpStream::connect(address)).await?;
            // Small messages, sent at once, as tonic's own connector does.
            let _ = stream.socket().map(|socket| socket.set_nodelay(true));
            Ok(hyper_util::rt::TokioIo::new(stream))
        })
    }
}

fn call_error(status: &Status) -> CallError {
    match status.code() {
        // The node service answers with a status of its own only for a malformed envelope…
        Code::InvalidArgument => CallError::Failed(format!("{:?}: {}", status.code(), status.message())),
        // …or when its node is not running (Unavailable). Every other status is the transport
        // saying the connection could not be made or broke mid-call: the peer crashed.
        _ => CallError::Unreachable,
    }
}

/// Serves the node's gRPC service, and gRPC reflection so that tools can list and call it.
async fn serve(listener: TcpListener, inbound: Inbound) {
    let (name, recorder) = (Arc::clone(&inbound.me), inbound.recorder.clone());
    let served = async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        // Without TCP_NODELAY, Nagle's algorithm holds small gRPC frames back for tens of ms.
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        // Older tools (grpcurl before 1.8.8) only speak the alpha protocol.
        let reflection_alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .build_v1alpha()?;
        Server::builder()
            .add_service(NodeServer::new(NodeService::<Real>::new(inbound)))
            .add_service(reflection)
            .add_service(reflection_alpha)
            .serve_with_incoming(incoming)
            .await?;
        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    };
    if let Err(error) = served.await {
        recorder.record(Real::now_us(), &name, Record::warn("server-stopped").with("error", error.to_string()));
    }
}

/// One running incarnation of a host: its thread, and the switch that stops it.
struct Incarnation {
    stop: oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

/// A node of the cluster, across its incarnations.
struct Host {
    ctx: Arc<HostContext>,
    address: SocketAddr,
    datagram_address: SocketAddr,
    running: Option<Incarnation>,
}

/// The sockets an incarnation serves on: gRPC's listener and the datagrams' UDP socket.
struct Sockets {
    listener: TcpListener,
    datagrams: UdpSocket,
}

impl Sockets {
    /// Binds both on `127.0.0.1`: at the given ports, or (port 0) at ports the system picks.
    fn bind(name: &str, address: SocketAddr, datagram_address: SocketAddr) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(address).with_context(|| format!("cannot listen on {address} for {name}"))?;
        let datagrams = UdpSocket::bind(datagram_address)
            .with_context(|| format!("cannot bind UDP {datagram_address} for {name}"))?;
        Ok(Self { listener, datagrams })
    }

    fn addresses(&self, name: &str) -> anyhow::Result<(SocketAddr, SocketAddr)> {
        let read = || Ok::<_, std::io::Error>((self.listener.local_addr()?, self.datagrams.local_addr()?));
        read().with_context(|| format!("cannot read {name}'s addresses"))
    }
}

impl Host {
    /// Starts an incarnation serving on `sockets`.
    fn launch(&mut self, sockets: Sockets, network: &Arc<Network>, log: &tracing::Dispatch) -> anyhow::Result<()> {
        let name = Arc::clone(&self.ctx.name);
        let Sockets { listener, datagrams } = sockets;
        listener.set_nonblocking(true).with_context(|| format!("cannot serve {name} on {}", self.address))?;
        datagrams
            .set_nonblocking(true)
            .with_context(|| format!("cannot receive datagrams for {name} on {}", self.datagram_address))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .with_context(|| format!("cannot start a runtime for {name}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let (ctx, network, log) = (Arc::clone(&self.ctx), Arc::clone(network), log.clone());
        let thread = std::thread::Builder::new()
            .name(format!("node {name}"))
            .spawn(move || {
                let _log = tracing::dispatcher::set_default(&log);
                runtime.block_on(async move {
                    let dialler =
                        Dialler::new(Arc::clone(&ctx.name), ctx.faults.clone(), ctx.recorder.clone(), Real::now_us);
                    let pool = ctx.transport.map(Pool::new);
                    let datagrams = match tokio::net::UdpSocket::from_std(datagrams) {
                        Ok(socket) => Arc::new(socket),
                        Err(error) => {
                            let record = Record::warn("datagrams-stopped").with("error", error.to_string());
                            return ctx.recorder.record(Real::now_us(), &ctx.name, record);
                        }
                    };
                    let me = Arc::clone(&ctx.name);
                    let calls = RealCalls {
                        me,
                        network,
                        peers: BTreeMap::new(),
                        dialler,
                        pool,
                        datagrams: Arc::clone(&datagrams),
                    };
                    let (inbox, node) = host::start::<Real, _>(&ctx, calls);
                    let inbound = ctx.inbound(inbox);
                    tokio::spawn(receive_datagrams::<Real>(inbound.clone(), async move |buffer: &mut [u8]| {
                        datagrams.recv_from(buffer).await.map(|(length, _)| length)
                    }));
                    tokio::spawn(serve(listener, inbound));
                    tokio::select! {
                        () = node => {}
                        _ = stopped => {}
                    }
                });
                // Stopping the runtime drops every task of this incarnation — the server, each
                // accepted connection, the node, its calls in flight — and closes their sockets.
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })
            .with_context(|| format!("cannot start a thread for {name}"))?;
        self.running = Some(Incarnation { stop, thread });
        Ok(())
    }

    /// Stops the running incarnation, if any, and waits until its sockets are closed. An error
    /// says the node had panicked: in the simulators, that fails the run.
    fn stop(&mut self) -> Result<(), String> {
        let Some(incarnation) = self.running.take() else {
            return Ok(());
        };
        // The thread may have ended already (a panic): then nobody listens for the switch.
        let _ = incarnation.stop.send(());
        incarnation.thread.join().map_err(|panic| format!("{} panicked: {}", self.ctx.name, panic_message(&*panic)))
    }

    /// Whether the incarnation's thread ended without being stopped, and why: a node panicked.
    fn died(&mut self) -> Option<String> {
        let ended = self.running.as_ref().is_some_and(|i| i.thread.is_finished());
        if !ended {
            return None;
        }
        Some(self.stop().err().unwrap_or_else(|| format!("{}'s thread ended by itself", self.ctx.name)))
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
        .to_owned()
}

/// What [`Cluster::run_workload`] ran.
pub struct Workload {
    /// The events (the trace), how the run ended, and how long it lasted in real milliseconds.
    pub run: RunResult,
    /// Ctrl-C ended the workload before its time.
    pub interrupted: bool,
}

#[cfg(unix)]
type CtrlC = tokio::signal::unix::Signal;
#[cfg(windows)]
type CtrlC = tokio::signal::windows::CtrlC;

/// Ctrl-C, caught from when the cluster starts until the process ends, so that it stops the
/// cluster (and the verdict is still printed) instead of killing the process.
struct Interrupt(CtrlC);

impl Interrupt {
    /// Installs the handler; must run inside a tokio runtime with I/O enabled.
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        #[cfg(windows)]
        let signal = tokio::signal::windows::ctrl_c()?;
        Ok(Self(signal))
    }

    async fn recv(&mut self) {
        self.0.recv().await;
    }
}

/// A scenario variant's nodes, running on loopback.
pub struct Cluster<'a> {
    scenario: &'a Scenario,
    /// The variant's name: which of the scenario's faults it meets.
    variant: String,
    hosts: Vec<Host>,
    network: Arc<Network>,
    recorder: Recorder,
    faults: FaultLayer,
    log: tracing::Dispatch,
    /// The harness's own runtime: it waits for fault times and for Ctrl-C.
    harness: tokio::runtime::Runtime,
    interrupt: Interrupt,
}

impl<'a> Cluster<'a> {
    /// Binds a `127.0.0.1` port for every node of `variant` and starts them all; the run's
    /// clock starts now. `log` is where the human log goes (see [`crate::log::dispatch`]).
    pub fn start(scenario: &'a Scenario, variant: &Variant, seed: u64, log: tracing::Dispatch) -> anyhow::Result<Self> {
        let harness = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the harness's runtime")?;
        let interrupt = {
            let _runtime = harness.enter();
            Interrupt::install().context("cannot catch Ctrl-C")?
        };
        let mut bound = Vec::new();
        for spec in &variant.nodes {
            // Port 0: the system picks free ports; the node keeps them across restarts.
            let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let sockets = Sockets::bind(&spec.name, any_port, any_port)?;
            bound.push((sockets.addresses(&spec.name)?, sockets));
        }
        let addresses_of = |pick: fn(&(SocketAddr, SocketAddr)) -> SocketAddr| {
            variant
                .nodes
                .iter()
                .zip(&bound)
                .map(|(spec, (addresses, _))| (spec.name.clone(), pick(addresses)))
                .collect()
        };
        let network = Arc::new(Network {
            addresses: addresses_of(|&(tcp, _)| tcp),
            datagram_addresses: addresses_of(|&(_, udp)| udp),
            links: Mutex::new(Links::new(&scenario.network, stream_rng(seed, "real/net"))),
        });

        RUN_START_US.store(process_us(), Ordering::Relaxed);
        let recorder = Recorder::new(scenario.max_events as usize);
        let faults = FaultLayer::new(seed);
        let mut cluster = Self {
            scenario,
            variant: variant.name.clone(),
            hosts: Vec::new(),
            network,
            recorder: recorder.clone(),
            faults: faults.clone(),
            log,
            harness,
            interrupt,
        };
        for (spec, ((address, datagram_address), sockets)) in variant.nodes.iter().zip(bound) {
            let ctx = Arc::new(HostContext::new(spec, seed, &scenario.storage, &recorder, &faults));
            cluster.hosts.push(Host { ctx, address, datagram_address, running: None });
            let host = cluster.hosts.last_mut().expect("just pushed");
            host.launch(sockets, &cluster.network, &cluster.log)?;
        }
        Ok(cluster)
    }

    /// Every node's name and address, in the variant's order.
    pub fn addresses(&self) -> Vec<(&str, SocketAddr)> {
        self.hosts.iter().map(|host| (&*host.ctx.name, host.address)).collect()
    }

    /// Every node's name and the UDP address it receives datagrams on, in the variant's order.
    pub fn datagram_addresses(&self) -> Vec<(&str, SocketAddr)> {
        self.hosts.iter().map(|host| (&*host.ctx.name, host.datagram_address)).collect()
    }

    /// Runs the workload for `run_ms` real milliseconds (or until Ctrl-C), applying every fault
    /// due by then at its time, then ends the recording: the nodes go on running (see
    /// [`Cluster::serve_until_interrupted`]) until [`Cluster::stop`].
    pub fn run_workload(&mut self, run_ms: u64) -> Workload {
        let _log = tracing::dispatcher::set_default(&self.log);
        let scenario = self.scenario;
        let mut schedule = FaultSchedule::new(&scenario.faults, &self.variant, &self.recorder);
        let recorder = self.recorder.clone();
        let mut interrupted = false;
        let end = loop {
            let now_ms = Real::now_us() / 1_000;
            let mut failed = None;
            schedule.apply_due(now_ms, &recorder, |op| self.apply(op, &mut failed));
            if let Some(why) = failed.or_else(|| self.hosts.iter_mut().find_map(Host::died)) {
                break RunEnd::HostFailed(why);
            }
            if now_ms >= run_ms {
                schedule.finish(now_ms, &recorder);
                break RunEnd::Completed;
            }
            if recorder.overflowed() {
                break RunEnd::EventBudgetExhausted;
            }
            let wake_ms = schedule.next_at(now_ms).unwrap_or(run_ms).min(run_ms).min(now_ms + CHECK_EVERY_MS);
            let pause = Duration::from_millis(wake_ms.saturating_sub(now_ms).max(1));
            let interrupt = &mut self.interrupt;
            interrupted = self.harness.block_on(async {
                tokio::select! {
                    () = tokio::time::sleep(pause) => false,
                    () = interrupt.recv() => true,
                }
            });
            if interrupted {
                break RunEnd::Completed;
            }
        };
        let simulated_ms = Real::now_us() / 1_000;
        recorder.close();
        Workload { run: RunResult { events: in_time_order(recorder.take_events()), end, simulated_ms }, interrupted }
    }

    /// Waits for Ctrl-C while the nodes go on serving.
    pub fn serve_until_interrupted(&mut self) {
        let interrupt = &mut self.interrupt;
        self.harness.block_on(interrupt.recv());
    }

    /// Stops every node and waits until their sockets are closed. A node that panicked says
    /// so on stderr already (through the panic hook); the run it ended was judged before.
    pub fn stop(&mut self) {
        for host in &mut self.hosts {
            let _ = host.stop();
        }
    }

    /// Applies one fault's start or end, and says what happened; a restart that cannot serve
    /// again sets `failed`.
    fn apply(&mut self, op: &ScheduledOp<'_>, failed: &mut Option<String>) -> Record {
        let faults = self.faults.clone();
        fault_record(op, &faults, |action, starts| match (action, starts) {
            (FaultAction::Crash { nodes }, true) => {
                for name in nodes {
                    if let Err(panic) = self.host(name).map_or(Ok(()), Host::stop) {
                        failed.get_or_insert(panic);
                    }
                }
            }
            (FaultAction::Crash { nodes }, false) | (FaultAction::Restart { nodes }, _) => {
                for name in nodes {
                    if let Err(error) = self.restart(name) {
                        failed.get_or_insert(format!("{error:#}"));
                    }
                }
            }
            (network, starts) => links::lock(&self.network.links).apply(network, starts),
        })
    }

    fn host(&mut self, name: &str) -> Option<&mut Host> {
        self.hosts.iter_mut().find(|host| *host.ctx.name == *name)
    }

    /// Stops the node if it runs, then starts a fresh incarnation on the same port.
    fn restart(&mut self, name: &str) -> anyhow::Result<()> {
        let (network, log) = (Arc::clone(&self.network), self.log.clone());
        let Some(host) = self.host(name) else {
            return Ok(());
        };
        host.stop().map_err(anyhow::Error::msg)?;
        // Another program may have taken a port while the node was down; then it cannot come
        // back where its peers will call it, and the run ends saying so.
        let sockets = Sockets::bind(name, host.address, host.datagram_address)
            .with_context(|| format!("{name} cannot serve again after its restart"))?;
        host.launch(sockets, &network, &log)
    }
}

impl Drop for Cluster<'_> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The events by time. Hosts record from their own threads, each reading the clock just before
/// it takes the recorder's lock, so neighbours may be a few microseconds out of order; the
/// checks read events in time order, and `seq` is renumbered to match.
fn in_time_order(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by_key(|event| event.t_us);
    for (seq, event) in events.iter_mut().enumerate() {
        event.seq = seq as u64;
    }
    events
}
