//! DNS for the lab (issue 13, first step): the wire format, a zone whose records change at
//! scheduled times, and a caching resolver with the options real resolvers differ on (TTLs
//! honoured or not, negative caching, serve-stale), and the DNS server node that answers from
//! the zone. Unit-tested here; the family that puts a DNS server, resolving clients and
//! backends into a scenario comes next.
//!
//! Names map to the lab's nodes through A records: each node has an IPv4 address of its own
//! ([`Addresses`]), so an answer names a node the way a real answer names a host.

pub mod backend;
pub mod client;
pub mod resolver;
pub mod server;
pub mod wire;
pub mod zone;

use std::net::Ipv4Addr;

/// The address of every node: `10.0.0.1` for the first, in the order given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Addresses {
    nodes: Vec<String>,
}

impl Addresses {
    /// At most 65 000 nodes: `10.0.x.y`, skipping `.0`.
    pub fn new(nodes: Vec<String>) -> Self {
        assert!(nodes.len() < 65_000, "more nodes than the lab's address plan holds");
        Self { nodes }
    }

    /// Every node of a scenario, kind by kind in name order, each kind's in declaration order:
    /// the same plan for the DNS server, its clients and the lab's DNS faults.
    pub fn of_topology(topology: &crate::Topology) -> Self {
        Self::new(topology.by_kind.values().flatten().cloned().collect())
    }

    pub fn of(&self, node: &str) -> Option<Ipv4Addr> {
        let index = self.nodes.iter().position(|n| n == node)? as u32 + 1;
        Some(Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + index))
    }

    pub fn node(&self, address: Ipv4Addr) -> Option<&str> {
        let index = u32::from(address).checked_sub(u32::from(Ipv4Addr::new(10, 0, 0, 1)))?;
        self.nodes.get(index as usize).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_has_an_address_and_every_address_its_node() {
        let addresses = Addresses::new(vec!["backend-blue".into(), "backend-green".into()]);
        assert_eq!(addresses.of("backend-green"), Some(Ipv4Addr::new(10, 0, 0, 2)));
        assert_eq!(addresses.node(Ipv4Addr::new(10, 0, 0, 1)), Some("backend-blue"));
        assert_eq!(addresses.node(Ipv4Addr::new(10, 0, 0, 3)), None);
        assert_eq!(addresses.node(Ipv4Addr::new(9, 9, 9, 9)), None);
    }
}
