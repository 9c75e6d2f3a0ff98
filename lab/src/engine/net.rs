//! tonic over turmoil's simulated TCP: a stream wrapper the server can accept and a
//! connector the client can dial through. This is all the glue gRPC needs to run unchanged
//! inside the simulation.

use super::dialled::{DialledStream, Dialler};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::server::TcpConnectInfo;
use tonic::transport::Uri;
use turmoil::net::TcpStream;

/// The port every node's gRPC server listens on (hosts are told apart by name).
pub const NODE_PORT: u16 = 9000;

/// The UDP port every node receives datagrams on (DNS's own port: DNS is what they carry).
pub const DATAGRAM_PORT: u16 = 53;

/// A simulated TCP stream that both tonic's server and hyper's client accept.
pub struct SimStream(pub TcpStream);

impl tonic::transport::server::Connected for SimStream {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        TcpConnectInfo { local_addr: self.0.local_addr().ok(), remote_addr: self.0.peer_addr().ok() }
    }
}

impl Connection for SimStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for SimStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Dials `http://<host>:<port>` over simulated TCP, through the scenario's TCP faults.
#[derive(Clone)]
pub struct SimConnector(pub Dialler);

impl tower::Service<Uri> for SimConnector {
    type Response = TokioIo<DialledStream<TcpStream>>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let dialler = self.0.clone();
        Box::pin(async move {
            let authority = uri
                .authority()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "peer address has no host"))?;
            let stream = dialler.connect(authority.host(), TcpStream::connect(authority.as_str())).await?;
            Ok(TokioIo::new(stream))
        })
    }
}
