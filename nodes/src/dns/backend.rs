//! A backend behind a DNS name: answers every call with its own name.
//!
//! Records: `served` (`id`).

use crate::records::dns::{ID, SERVED};
use crate::{Body, Ctx, Input, Node, Out, Record};
use proto::dns::ServiceAnswer;

#[derive(Debug, Clone, PartialEq)]
pub struct BackendConfig {
    pub name: String,
}

pub struct Backend {
    config: BackendConfig,
}

impl Backend {
    pub fn new(config: BackendConfig) -> Self {
        Self { config }
    }
}

impl Node for Backend {
    fn on_input(&mut self, _ctx: &mut Ctx<'_>, input: Input, out: &mut Out) {
        if let Input::Request { id, body: Body::ServiceCall(call), .. } = input {
            out.record(Record::debug(SERVED).with(ID, call.request_id));
            out.reply(id, Body::ServiceAnswer(ServiceAnswer { backend: self.config.name.clone() }));
        }
    }
}
