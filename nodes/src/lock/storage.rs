//! The storage the workers update: one value, read and written by whoever holds the lock.
//!
//! Every request carries the sender's fencing token. A fencing storage keeps the highest token
//! it has accepted a request from — reads included, since a read-modify-write is only safe if
//! no newer holder touched the value between the read and the write — and refuses any request
//! with a lower one: a holder whose lease ended, paused or with a wrong clock, is turned away
//! here, whatever it believes. A storage that does not fence accepts everything.
//!
//! The value and the highest token are fsynced before a request is answered, so a restart
//! forgets nothing it acknowledged.

use crate::durable::Durable;
use crate::records::lock::{ACCEPTED, CLIENT, STORAGE_READ, STORAGE_WRITE, TOKEN, VALUE};
use crate::{Body, Ctx, Input, Node, Out, Record, RequestId, Stored};
use proto::lock::StorageReply;

#[derive(Debug, Clone, PartialEq)]
pub struct StorageConfig {
    /// Refuse requests whose token is lower than the highest accepted so far.
    pub fencing: bool,
}

const STATE_KEY: &str = "state";

pub struct Storage {
    config: StorageConfig,
    value: u64,
    highest_token: u64,
    disk: Durable<(RequestId, StorageReply)>,
}

impl Storage {
    pub fn new(config: StorageConfig) -> Self {
        Self { config, value: 0, highest_token: 0, disk: Durable::default() }
    }

    fn recover(&mut self, disk: &Stored) {
        let state = disk.get(STATE_KEY).and_then(|b| std::str::from_utf8(b).ok()).and_then(|s| s.split_once(' '));
        if let Some((value, highest)) = state {
            self.value = value.parse().unwrap_or(0);
            self.highest_token = highest.parse().unwrap_or(0);
        }
    }

    /// Handles a read (`write` is `None`) or a write from the holder of `token`.
    fn on_request(&mut self, id: RequestId, from: &str, token: u64, write: Option<u64>, out: &mut Out) {
        let accepted = !self.config.fencing || token >= self.highest_token;
        if accepted {
            self.highest_token = self.highest_token.max(token);
            if let Some(value) = write {
                self.value = value;
            }
        }
        let kind = if write.is_some() { STORAGE_WRITE } else { STORAGE_READ };
        out.record(
            Record::info(kind)
                .with(CLIENT, from)
                .with(TOKEN, token)
                .with(VALUE, write.unwrap_or(self.value))
                .with(ACCEPTED, accepted),
        );
        let reply = StorageReply { accepted, value: self.value, highest_token: self.highest_token };
        if !accepted {
            out.reply(id, Body::StorageReply(reply));
            return;
        }
        let state = format!("{} {}", self.value, self.highest_token);
        let generation = self.disk.write(STATE_KEY, state.into_bytes(), out);
        self.disk.hold(generation, (id, reply));
    }
}

impl Node for Storage {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        match input {
            Input::Start { disk } => self.recover(&disk),
            Input::Request { id, from, body: Body::StorageRead(read) } => {
                self.on_request(id, &from, read.token, None, out)
            }
            Input::Request { id, from, body: Body::StorageWrite(write) } => {
                self.on_request(id, &from, write.token, Some(write.value), out)
            }
            Input::Synced { tag } => {
                for (id, reply) in self.disk.on_synced(tag, out) {
                    out.reply(id, Body::StorageReply(reply));
                }
            }
            Input::Request { .. } | Input::CallResult { .. } | Input::Timer { .. } | Input::Datagram { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Action;
    use fundamentals::sim::stream_rng;
    use proto::lock::{StorageRead, StorageWrite};

    fn storage(fencing: bool) -> Storage {
        let mut storage = Storage::new(StorageConfig { fencing });
        step(&mut storage, Input::fresh_start());
        storage
    }

    fn step(storage: &mut Storage, input: Input) -> Vec<Action> {
        let mut rng = stream_rng(1, "storage");
        let mut out = Out::default();
        storage.on_input(&mut Ctx { now_ms: 0, rng: &mut rng }, input, &mut out);
        let mut actions = out.take();
        let synced: Vec<u64> =
            actions.iter().filter_map(|a| if let Action::Fsync { tag } = a { Some(*tag) } else { None }).collect();
        for tag in synced {
            actions.extend(step(storage, Input::Synced { tag }));
        }
        actions
    }

    fn send(storage: &mut Storage, from: &str, body: Body) -> StorageReply {
        let actions = step(storage, Input::Request { id: 1, from: from.into(), body });
        actions
            .into_iter()
            .find_map(|a| match a {
                Action::Reply { body: Body::StorageReply(reply), .. } => Some(reply),
                _ => None,
            })
            .expect("the storage answers")
    }

    fn read(storage: &mut Storage, token: u64) -> StorageReply {
        send(storage, "w", Body::StorageRead(StorageRead { token }))
    }

    fn write(storage: &mut Storage, token: u64, value: u64) -> StorageReply {
        send(storage, "w", Body::StorageWrite(StorageWrite { token, value }))
    }

    #[test]
    fn a_fencing_storage_turns_away_an_old_holder_once_a_newer_one_has_read() {
        let mut storage = storage(true);
        assert_eq!(read(&mut storage, 1).value, 0);
        assert!(read(&mut storage, 2).accepted, "the new holder reads");
        assert!(!write(&mut storage, 1, 1).accepted, "the old holder's write comes too late");
        assert!(write(&mut storage, 2, 1).accepted);
        assert_eq!(read(&mut storage, 2).value, 1, "one increment, none lost");
    }

    #[test]
    fn without_fencing_the_old_holder_overwrites_and_an_update_is_lost() {
        let mut storage = storage(false);
        read(&mut storage, 1);
        read(&mut storage, 2);
        write(&mut storage, 2, 1);
        assert!(write(&mut storage, 1, 1).accepted);
        assert_eq!(read(&mut storage, 3).value, 1, "two increments, one value");
    }

    #[test]
    fn a_restarted_storage_still_refuses_old_tokens() {
        let mut disk = Stored::new();
        disk.insert(STATE_KEY.into(), b"7 5".to_vec());
        let mut storage = Storage::new(StorageConfig { fencing: true });
        step(&mut storage, Input::Start { disk });
        assert!(!write(&mut storage, 4, 8).accepted);
        assert_eq!(read(&mut storage, 5).value, 7);
    }
}
