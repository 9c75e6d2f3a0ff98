//! The driver: runs one node's state machine on a simulated host.
//!
//! It is the only place where node logic meets I/O. Incoming gRPC calls, results of outgoing
//! calls and timers are queued into one inbox and handed to the node one at a time; the
//! node's actions become gRPC calls (with timeouts), replies, timers and trace records.
//! The RPC fault layer sits between the gRPC server and the inbox, invisible to the node.

use super::net::{SimConnector, SimStream, NODE_PORT};
use super::rpc_faults::RpcFaults;
use crate::family::NodeBuilder;
use crate::scenario::RpcFault;
use crate::trace::Recorder;
use fundamentals::sim::{stream_rng, SimRng};
use nodes::{Action, Body, CallError, Ctx, Input, Node, Out, Record, RequestId};
use proto::lab::node_client::NodeClient;
use proto::lab::node_server::NodeServer;
use proto::Envelope;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Status};

/// Everything a host needs to (re)start its node. Shared by every incarnation of the host.
pub struct HostContext {
    pub name: Arc<str>,
    pub seed: u64,
    pub build: NodeBuilder,
    pub recorder: Recorder,
    pub faults: RpcFaults,
    /// How many times the node has started; each start gets a fresh random stream.
    pub starts: Cell<u64>,
}

/// Simulated time since the start of the run, in microseconds.
pub fn now_us() -> u64 {
    turmoil::sim_elapsed().unwrap_or_default().as_micros() as u64
}

enum DriverMsg {
    Request { from: String, body: Body, reply: oneshot::Sender<Body> },
    CallResult { to: String, tag: u64, result: Result<Body, CallError> },
}

/// The host's software: serve gRPC, run the node, until the host is crashed.
pub async fn run_host(ctx: Rc<HostContext>) -> turmoil::Result {
    let incarnation = ctx.starts.get() + 1;
    ctx.starts.set(incarnation);
    let (inbox_tx, mut inbox) = mpsc::unbounded_channel();
    let service = NodeService {
        me: Arc::clone(&ctx.name),
        inbox: inbox_tx.clone(),
        faults: ctx.faults.clone(),
        recorder: ctx.recorder.clone(),
    };
    tokio::spawn(serve(service, ctx.recorder.clone()));

    let mut host = HostState {
        name: Arc::clone(&ctx.name),
        node: ctx.build.build(),
        rng: stream_rng(ctx.seed, &format!("node/{}/{incarnation}", ctx.name)),
        recorder: ctx.recorder.clone(),
        inbox: inbox_tx,
        timers: BTreeMap::new(),
        next_timer_seq: 0,
        pending_replies: BTreeMap::new(),
        next_request_id: 0,
        peers: BTreeMap::new(),
    };
    host.record(Record::info("start").with("incarnation", incarnation));
    host.step(Input::Start);
    loop {
        let next_due_ms = host.timers.keys().next().map(|(due, _)| *due);
        let sleep_ms = next_due_ms.map_or(u64::MAX / 4, |due| due.saturating_sub(now_us() / 1_000));
        // `biased` keeps the choice deterministic: messages first, then timers.
        tokio::select! {
            biased;
            msg = inbox.recv() => match msg {
                Some(msg) => host.deliver(msg),
                None => return Ok(()),
            },
            _ = tokio::time::sleep(Duration::from_millis(sleep_ms)) => host.fire_due_timers(),
        }
    }
}

struct HostState {
    name: Arc<str>,
    node: Box<dyn Node>,
    rng: SimRng,
    recorder: Recorder,
    inbox: mpsc::UnboundedSender<DriverMsg>,
    /// Pending timers by (due time, order set) → the node's tag.
    timers: BTreeMap<(u64, u64), u64>,
    next_timer_seq: u64,
    pending_replies: BTreeMap<RequestId, oneshot::Sender<Body>>,
    next_request_id: RequestId,
    peers: BTreeMap<String, NodeClient<Channel>>,
}

impl HostState {
    fn record(&self, record: Record) {
        self.recorder.record(now_us(), &self.name, record);
    }

    fn deliver(&mut self, msg: DriverMsg) {
        match msg {
            DriverMsg::Request { from, body, reply } => {
                self.next_request_id += 1;
                let id = self.next_request_id;
                self.pending_replies.insert(id, reply);
                self.step(Input::Request { id, from, body });
            }
            DriverMsg::CallResult { to, tag, result } => {
                // turmoil's TCP does not retransmit: a connection that lost segments in a
                // partition stays stalled after the heal. Real clients notice with keepalives;
                // here a timed-out or refused call retires the connection and the next call
                // dials afresh.
                if matches!(result, Err(CallError::Timeout | CallError::Unreachable)) {
                    self.peers.remove(&to);
                }
                self.step(Input::CallResult { tag, result })
            }
        }
    }

    fn fire_due_timers(&mut self) {
        let now_ms = now_us() / 1_000;
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now_ms {
                break;
            }
            let tag = entry.remove();
            self.step(Input::Timer { tag });
        }
    }

    fn step(&mut self, input: Input) {
        let now_ms = now_us() / 1_000;
        let mut out = Out::default();
        self.node.on_input(&mut Ctx { now_ms, rng: &mut self.rng }, input, &mut out);
        for action in out.take() {
            self.execute(now_ms, action);
        }
    }

    fn execute(&mut self, now_ms: u64, action: Action) {
        match action {
            Action::Call { to, tag, body, timeout_ms } => self.call(to, tag, body, timeout_ms),
            Action::Reply { id, body } => {
                // The caller may have given up already; a reply nobody waits for is dropped.
                if let Some(reply) = self.pending_replies.remove(&id) {
                    let _ = reply.send(body);
                }
            }
            Action::SetTimer { tag, after_ms } => {
                self.next_timer_seq += 1;
                self.timers.insert((now_ms + after_ms, self.next_timer_seq), tag);
            }
            Action::Record(record) => self.record(record),
        }
    }

    fn call(&mut self, to: String, tag: u64, body: Body, timeout_ms: u64) {
        let mut client = self
            .peers
            .entry(to.clone())
            .or_insert_with(|| {
                let endpoint =
                    Endpoint::from_shared(format!("http://{to}:{NODE_PORT}")).expect("node names are valid host names");
                NodeClient::new(endpoint.connect_with_connector_lazy(SimConnector))
            })
            .clone();
        let envelope = Envelope { from: self.name.to_string(), body: Some(body) };
        let inbox = self.inbox.clone();
        tokio::spawn(async move {
            let call = client.deliver(envelope);
            let result = match tokio::time::timeout(Duration::from_millis(timeout_ms), call).await {
                Err(_elapsed) => Err(CallError::Timeout),
                Ok(Err(status)) => Err(call_error(&status)),
                Ok(Ok(reply)) => {
                    reply.into_inner().body.ok_or_else(|| CallError::Failed("reply without a body".into()))
                }
            };
            let _ = inbox.send(DriverMsg::CallResult { to, tag, result });
        });
    }
}

fn call_error(status: &Status) -> CallError {
    match status.code() {
        Code::Unavailable => CallError::Unreachable,
        _ => CallError::Failed(format!("{:?}: {}", status.code(), status.message())),
    }
}

async fn serve(service: NodeService, recorder: Recorder) {
    let incoming = async_stream::stream! {
        let listener = turmoil::net::TcpListener::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), NODE_PORT)).await?;
        loop {
            yield listener.accept().await.map(|(stream, _)| SimStream(stream));
        }
    };
    let name = Arc::clone(&service.me);
    if let Err(error) = Server::builder().add_service(NodeServer::new(service)).serve_with_incoming(incoming).await {
        recorder.record(now_us(), &name, Record::warn("server-stopped").with("error", error.to_string()));
    }
}

/// The gRPC face of a node: forwards each call into the node's inbox, through the RPC
/// fault layer.
struct NodeService {
    me: Arc<str>,
    inbox: mpsc::UnboundedSender<DriverMsg>,
    faults: RpcFaults,
    recorder: Recorder,
}

impl NodeService {
    /// Hands the request to the node and returns a future of its reply.
    fn forward(&self, from: String, body: Body) -> impl std::future::Future<Output = Result<Body, Status>> {
        let (reply, answer) = oneshot::channel();
        let queued = self.inbox.send(DriverMsg::Request { from, body, reply });
        async move {
            queued.map_err(|_| Status::unavailable("node is not running"))?;
            answer.await.map_err(|_| Status::unavailable("node dropped the request"))
        }
    }

    fn note_fault(&self, from: &str, fault: RpcFault) {
        let (name, delay_ms) = match fault {
            RpcFault::DropRequest => ("drop-request", 0),
            RpcFault::DropResponse => ("drop-response", 0),
            RpcFault::Duplicate => ("duplicate", 0),
            RpcFault::Delay { delay_ms } => ("delay", delay_ms),
        };
        let mut record = Record::warn("rpc-fault").with("fault", name).with("from", from);
        if delay_ms > 0 {
            record = record.with("delay_ms", delay_ms);
        }
        self.recorder.record(now_us(), &self.me, record);
    }
}

#[tonic::async_trait]
impl proto::lab::node_server::Node for NodeService {
    async fn deliver(&self, request: tonic::Request<Envelope>) -> Result<tonic::Response<Envelope>, Status> {
        let Envelope { from, body } = request.into_inner();
        let body = body.ok_or_else(|| Status::invalid_argument("envelope without a body"))?;
        let fault = self.faults.decide(&from, &self.me);
        if let Some(fault) = fault {
            self.note_fault(&from, fault);
        }
        let answer = match fault {
            None => self.forward(from, body).await?,
            Some(RpcFault::DropRequest) => std::future::pending().await,
            Some(RpcFault::DropResponse) => {
                // The node acts on the request; its answer is lost on the way back.
                let _ = self.forward(from, body).await;
                std::future::pending().await
            }
            Some(RpcFault::Duplicate) => {
                let first = self.forward(from.clone(), body.clone());
                let _second = self.forward(from, body);
                first.await?
            }
            Some(RpcFault::Delay { delay_ms }) => {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                self.forward(from, body).await?
            }
        };
        Ok(tonic::Response::new(Envelope { from: self.me.to_string(), body: Some(answer) }))
    }
}
