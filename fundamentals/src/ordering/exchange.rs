//! Test support for the clock lessons: random message exchanges between a few nodes, with their
//! true happens-before relation computed from the exchange itself — not from any clock — so the
//! clocks can be checked against it.
//!
//! An exchange is a script of events. Each node runs its events in order; a message is sent by
//! one event and received by a later event on another node; messages may be delivered in any
//! order, and some are never delivered at all. Each event carries its *causal history*: the set
//! of events that happened before it (Lamport's `→`, as a set).

use proptest::prelude::*;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// Something happened on the node; nobody else is told.
    Local,
    /// The node sent message number `message`.
    Send { message: usize },
    /// The node received message number `message` (sent by an earlier event elsewhere).
    Receive { message: usize },
}

#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// Index of the node, `0..nodes`.
    pub node: usize,
    pub kind: EventKind,
    /// Indexes of every event that happened before this one.
    history: BTreeSet<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub nodes: usize,
    /// In an order every node could have executed them in: a receive comes after its send.
    pub events: Vec<Event>,
}

impl Exchange {
    /// Whether event `a` happened before event `b` (`a → b`).
    pub fn happened_before(&self, a: usize, b: usize) -> bool {
        self.events[b].history.contains(&a)
    }
}

/// What the generator asks for; actions that make no sense (deliver with nothing in flight, send
/// to oneself) are skipped, so every action list is a valid exchange.
#[derive(Debug, Clone)]
enum Action {
    Local {
        node: usize,
    },
    Send {
        from: usize,
        to: usize,
    },
    /// Delivers the in-flight message at position `which` modulo how many are in flight (0 is the
    /// oldest), so messages overtake each other.
    Deliver {
        which: usize,
    },
}

/// Builds the exchange an action list describes.
fn build(nodes: usize, actions: &[Action]) -> Exchange {
    let mut events: Vec<Event> = Vec::new();
    let mut last_on_node: Vec<Option<usize>> = vec![None; nodes];
    // Messages sent and not yet delivered: (message, send event, destination).
    let mut in_flight: Vec<(usize, usize, usize)> = Vec::new();
    let mut messages_sent = 0;
    for action in actions {
        let (node, kind, sender) = match *action {
            Action::Local { node } => (node % nodes, EventKind::Local, None),
            Action::Send { from, to } => {
                let (from, to) = (from % nodes, to % nodes);
                if from == to {
                    continue;
                }
                in_flight.push((messages_sent, events.len(), to));
                messages_sent += 1;
                (from, EventKind::Send { message: messages_sent - 1 }, None)
            }
            Action::Deliver { which } => {
                if in_flight.is_empty() {
                    continue;
                }
                let (message, send_event, to) = in_flight.remove(which % in_flight.len());
                (to, EventKind::Receive { message }, Some(send_event))
            }
        };
        // The history of an event: everything before the node's previous event, and that event;
        // for a receive, also everything before the send, and the send.
        let mut history = BTreeSet::new();
        for earlier in last_on_node[node].into_iter().chain(sender) {
            history.extend(events[earlier].history.iter().copied());
            history.insert(earlier);
        }
        last_on_node[node] = Some(events.len());
        events.push(Event { node, kind, history });
    }
    Exchange { nodes, events }
}

/// Exchanges between 2 and 4 nodes, up to 40 events long.
pub(crate) fn exchange() -> impl Strategy<Value = Exchange> {
    let action = prop_oneof![
        2 => (0..4_usize).prop_map(|node| Action::Local { node }),
        3 => (0..4_usize, 0..4_usize).prop_map(|(from, to)| Action::Send { from, to }),
        3 => (0..8_usize).prop_map(|which| Action::Deliver { which }),
    ];
    (2..=4_usize, prop::collection::vec(action, 0..40)).prop_map(|(nodes, actions)| build(nodes, &actions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_follows_program_order_and_messages_transitively() {
        // Node 0 sends to node 1, node 1 then sends to node 2, node 2 receives; node 0 acts again.
        let actions = [
            Action::Send { from: 0, to: 1 }, // 0
            Action::Deliver { which: 0 },    // 1: node 1 receives
            Action::Send { from: 1, to: 2 }, // 2
            Action::Deliver { which: 0 },    // 3: node 2 receives
            Action::Local { node: 0 },       // 4
        ];
        let exchange = build(3, &actions);
        assert_eq!(exchange.events.len(), 5);
        assert!(exchange.happened_before(0, 3), "through node 1's relay");
        assert!(exchange.happened_before(0, 4), "program order on node 0");
        assert!(!exchange.happened_before(4, 3), "node 0's last event is concurrent with node 2's receive");
        assert!(!exchange.happened_before(3, 4));
    }
}
