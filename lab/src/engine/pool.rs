//! A node's connection pool, for node kinds with a [`Transport`] (turmoil and real mode): one
//! connection per peer, dialled through the TCP faults under the transport's connect timeout,
//! with HTTP/2 keepalive; a call's deadline starts once it has its connection.

use super::dialled::{DialledStream, Dialler, Socket};
use super::host::Runtime;
use super::Transport;
use hyper_util::rt::TokioIo;
use nodes::{CallError, Record};
use proto::lab::node_client::NodeClient;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tonic::transport::{Channel, Endpoint};

/// A node's connections as a client library with a pool holds them: one per peer, dialled
/// when a call needs it, under the transport's connect timeout (TCP and the HTTP/2 handshake),
/// with HTTP/2 keepalive pings if the transport has them. Calls wait for the peer's dial in
/// turn; a dial that fails fails every call that was waiting for it, at once.
pub struct Pool {
    pub transport: Transport,
    slots: BTreeMap<String, Arc<tokio::sync::Mutex<Slot>>>,
}

#[derive(Default)]
pub enum Slot {
    #[default]
    Empty,
    Ready(NodeClient<Channel>),
    /// The last dial failed at this time (µs).
    Failed(u64),
}

impl Pool {
    pub fn new(transport: Transport) -> Self {
        Self { transport, slots: BTreeMap::new() }
    }

    pub fn slot(&mut self, to: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        Arc::clone(self.slots.entry(to.to_owned()).or_default())
    }

    pub fn forget(&mut self, to: &str, why: &CallError) {
        if *why == CallError::Unreachable {
            if let Some(mut slot) = self.slots.get(to).and_then(|slot| slot.try_lock().ok()) {
                if matches!(*slot, Slot::Ready(_)) {
                    *slot = Slot::Empty;
                }
            }
        }
    }
}

/// The pool's connection to `to` (listening at `address`), dialling it with `dial` if there
/// is none.
pub async fn pooled_client<R: Runtime, S: Socket>(
    slot: Arc<tokio::sync::Mutex<Slot>>,
    transport: Transport,
    dialler: &Dialler,
    to: &str,
    address: &str,
    dial: impl Future<Output = std::io::Result<S>>,
) -> Result<NodeClient<Channel>, CallError> {
    let waiting_since = R::now_us();
    let mut slot = slot.lock().await;
    match &*slot {
        Slot::Ready(client) => return Ok(client.clone()),
        Slot::Failed(at_us) if *at_us >= waiting_since => return Err(CallError::Unreachable),
        Slot::Empty | Slot::Failed(_) => {}
    }
    let started = R::now_us();
    let dial = async {
        let stream = dialler.connect(to, dial).await.map_err(|_| CallError::Unreachable)?;
        let mut endpoint = Endpoint::from_shared(format!("http://{address}")).map_err(|_| CallError::Unreachable)?;
        if let Some(keepalive) = transport.keepalive {
            endpoint = endpoint
                .http2_keep_alive_interval(Duration::from_millis(keepalive.interval_ms))
                .keep_alive_timeout(Duration::from_millis(keepalive.timeout_ms))
                .keep_alive_while_idle(true);
        }
        let channel =
            endpoint.connect_with_connector(OneShot::new(stream)).await.map_err(|_| CallError::Unreachable)?;
        Ok(NodeClient::new(channel))
    };
    let connect_timeout = Duration::from_millis(transport.connect_timeout_ms);
    match tokio::time::timeout(connect_timeout, dial).await.unwrap_or(Err(CallError::Unreachable)) {
        Ok(client) => {
            *slot = Slot::Ready(client.clone());
            Ok(client)
        }
        Err(error) => {
            let waited_ms = (R::now_us() - started) / 1_000;
            let record = Record::warn(CONNECT_FAILED).with("peer", to).with("waited_ms", waited_ms);
            dialler.recorder.record(R::now_us(), &dialler.me, record);
            *slot = Slot::Failed(R::now_us());
            Err(error)
        }
    }
}

/// A pool's dial failed (`peer`, `waited_ms`): connect timeout, refused, or handshake failed.
pub const CONNECT_FAILED: &str = "connect-failed";

/// Hands tonic the connection a pool dialled, once. When that connection fails, tonic asks
/// again and is refused: the call fails, the pool forgets the peer and dials it anew, under
/// its own connect timeout rather than inside a call's.
struct OneShot<S>(Arc<std::sync::Mutex<Option<TokioIo<DialledStream<S>>>>>);

impl<S> OneShot<S> {
    fn new(stream: DialledStream<S>) -> Self {
        Self(Arc::new(std::sync::Mutex::new(Some(TokioIo::new(stream)))))
    }
}

impl<S> Clone for OneShot<S> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<S> tower::Service<tonic::transport::Uri> for OneShot<S> {
    type Response = TokioIo<DialledStream<S>>;
    type Error = std::io::Error;
    type Future = std::future::Ready<std::io::Result<Self::Response>>;

    fn poll_ready(&mut self, _cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: tonic::transport::Uri) -> Self::Future {
        let stream = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        std::future::ready(stream.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotConnected, "the pooled connection is gone: the pool dials anew")
        }))
    }
}
