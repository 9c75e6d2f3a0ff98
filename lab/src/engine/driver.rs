//! The turmoil side of a host: gRPC (tonic) over turmoil's simulated TCP for calls and for
//! serving, turmoil's simulated UDP for datagrams, turmoil's clock, tokio's tasks. The node
//! itself runs in [`super::host`].

use super::dialled::Dialler;
use super::host::{self, Calls, HostContext, Inbound, Refused, Runtime};
use super::net::{SimConnector, SimStream, DATAGRAM_PORT, NODE_PORT};
use super::pool::{pooled_client, Pool, Slot};
use super::Transport;
use nodes::{Body, CallError, Record};
use proto::lab::node_client::NodeClient;
use proto::lab::node_server::NodeServer;
use proto::Envelope;
use std::collections::BTreeMap;
use std::future::Future;
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Status};
use turmoil::net::UdpSocket;

/// turmoil's clock and tokio's tasks.
pub struct Turmoil;

impl Runtime for Turmoil {
    fn now_us() -> u64 {
        turmoil::sim_elapsed().unwrap_or_default().as_micros() as u64
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(task);
    }
}

/// Outgoing gRPC calls, dialled through the TCP faults: by default one lazily dialled channel
/// per peer, whose call timeout covers everything; for a node with a [`Transport`], a
/// [`Pool`]. Datagrams go out of the host's UDP socket.
struct GrpcCalls {
    peers: BTreeMap<String, NodeClient<Channel>>,
    dialler: Dialler,
    pool: Option<Pool>,
    /// The host's UDP socket, if its node uses datagrams.
    datagrams: Option<Arc<UdpSocket>>,
}

impl Calls for GrpcCalls {
    fn call(
        &mut self,
        to: &str,
        envelope: Envelope,
        timeout: Duration,
    ) -> impl Future<Output = Result<Body, CallError>> + Send + 'static {
        let connection = match &mut self.pool {
            Some(pool) => Connection::Pooled(pool.slot(to), pool.transport, self.dialler.clone()),
            None => Connection::Lazy(
                self.peers
                    .entry(to.to_owned())
                    .or_insert_with(|| {
                        let endpoint = Endpoint::from_shared(format!("http://{to}:{NODE_PORT}"))
                            .expect("node names are valid host names");
                        NodeClient::new(endpoint.connect_with_connector_lazy(SimConnector(self.dialler.clone())))
                    })
                    .clone(),
            ),
        };
        let to = to.to_owned();
        async move {
            let mut client = match connection {
                Connection::Lazy(client) => client,
                Connection::Pooled(slot, transport, dialler) => {
                    let address = format!("{to}:{NODE_PORT}");
                    let dial = turmoil::net::TcpStream::connect(address.as_str());
                    pooled_client::<Turmoil, _>(slot, transport, &dialler, &to, &address, dial).await?
                }
            };
            match tokio::time::timeout(timeout, client.deliver(envelope)).await {
                Err(_elapsed) => Err(CallError::Timeout),
                Ok(Err(status)) => Err(call_error(&status)),
                Ok(Ok(reply)) => {
                    reply.into_inner().body.ok_or_else(|| CallError::Failed("reply without a body".into()))
                }
            }
        }
    }

    /// By default: turmoil's TCP does not retransmit, so a connection that lost segments in a
    /// partition stays stalled after the heal. Real clients notice with keepalives; here a
    /// timed-out or refused call retires the connection and the next call dials afresh. A
    /// pool keeps a connection through a timed-out call (a slow answer is not a dead
    /// connection: its keepalive decides that) and drops one that failed.
    fn forget(&mut self, to: &str, why: &CallError) {
        match &mut self.pool {
            None => drop(self.peers.remove(to)),
            Some(pool) => pool.forget(to, why),
        }
    }

    /// turmoil carries a UDP datagram as it carries TCP segments: the link's latency, dropped on
    /// a partitioned link or at a host that is down, queued on a held one. Sending never
    /// blocks; it fails only for a peer turmoil does not know, and then the datagram is lost.
    fn send(&mut self, to: &str, envelope: Envelope) {
        if let Some(socket) = &self.datagrams {
            let _ = socket.try_send_to(&envelope.to_datagram(), (to, DATAGRAM_PORT));
        }
    }
}

/// How a call reaches its peer: the lazily dialled channel, or a pool's slot.
enum Connection {
    Lazy(NodeClient<Channel>),
    Pooled(Arc<tokio::sync::Mutex<Slot>>, Transport, Dialler),
}

fn call_error(status: &Status) -> CallError {
    match status.code() {
        Code::Unavailable => CallError::Unreachable,
        _ => CallError::Failed(format!("{:?}: {}", status.code(), status.message())),
    }
}

/// The host's software: serve gRPC and datagrams, run the node, until the host is crashed.
pub async fn run_host(ctx: Rc<HostContext>) -> turmoil::Result {
    let dialler = Dialler::new(Arc::clone(&ctx.name), ctx.faults.clone(), ctx.recorder.clone(), Turmoil::now_us);
    let pool = ctx.transport.map(Pool::new);
    let datagrams = match ctx.datagrams {
        true => Some(Arc::new(UdpSocket::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), DATAGRAM_PORT)).await?)),
        false => None,
    };
    let calls = GrpcCalls { peers: BTreeMap::new(), dialler, pool, datagrams: datagrams.clone() };
    let (inbox, node) = host::start::<Turmoil, _>(&ctx, calls);
    let inbound = ctx.inbound(inbox);
    if let Some(socket) = datagrams {
        tokio::spawn(receive_datagrams::<Turmoil>(inbound.clone(), async move |buffer: &mut [u8]| {
            socket.recv_from(buffer).await.map(|(length, _)| length)
        }));
    }
    tokio::spawn(serve(NodeService::<Turmoil>::new(inbound)));
    node.await;
    Ok(())
}

/// Hands every datagram the host's socket receives (`receive` reads one into the buffer and
/// says its length) to the node, until the socket fails. A datagram that is not an envelope
/// with a body is dropped with a warning: only lab nodes send here, so it would be a lab bug.
pub(super) async fn receive_datagrams<R: Runtime>(
    inbound: Inbound,
    mut receive: impl AsyncFnMut(&mut [u8]) -> std::io::Result<usize>,
) {
    let mut buffer = vec![0; proto::MAX_DATAGRAM_BYTES];
    loop {
        let length = match receive(&mut buffer).await {
            Ok(length) => length,
            Err(error) => {
                let record = Record::warn("datagrams-stopped").with("error", error.to_string());
                return inbound.recorder.record(R::now_us(), &inbound.me, record);
            }
        };
        match Envelope::from_datagram(&buffer[..length]) {
            Ok(Envelope { from, msg, body: Some(body) }) => inbound.datagram(from, msg, body),
            Ok(Envelope { body: None, .. }) => inbound.malformed_datagram::<R>("an envelope without a body"),
            Err(error) => inbound.malformed_datagram::<R>(&error.to_string()),
        }
    }
}

async fn serve(service: NodeService<Turmoil>) {
    let incoming = async_stream::stream! {
        let listener = turmoil::net::TcpListener::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), NODE_PORT)).await?;
        loop {
            yield listener.accept().await.map(|(stream, _)| SimStream(stream));
        }
    };
    let (name, recorder) = (Arc::clone(&service.inbound.me), service.inbound.recorder.clone());
    if let Err(error) = Server::builder().add_service(NodeServer::new(service)).serve_with_incoming(incoming).await {
        recorder.record(Turmoil::now_us(), &name, Record::warn("server-stopped").with("error", error.to_string()));
    }
}

/// The gRPC face of a node, on the runtime `R` (turmoil's here, real mode's in `real.rs`).
pub(super) struct NodeService<R> {
    inbound: Inbound,
    runtime: PhantomData<fn() -> R>,
}

impl<R> NodeService<R> {
    pub(super) fn new(inbound: Inbound) -> Self {
        Self { inbound, runtime: PhantomData }
    }
}

#[tonic::async_trait]
impl<R: Runtime> proto::lab::node_server::Node for NodeService<R> {
    async fn deliver(&self, request: tonic::Request<Envelope>) -> Result<tonic::Response<Envelope>, Status> {
        let Envelope { from, msg, body } = request.into_inner();
        let body = body.ok_or_else(|| Status::invalid_argument("envelope without a body"))?;
        let answer = self.inbound.answer::<R>(from, msg, body).await.map_err(|refused| match refused {
            Refused::NotRunning => Status::unavailable("node is not running"),
        })?;
        Ok(tonic::Response::new(Envelope { from: self.inbound.me.to_string(), msg, body: Some(answer) }))
    }
}
