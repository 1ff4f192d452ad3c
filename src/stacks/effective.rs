//! The effective configuration of an interaction: for each setting the rules judge, the
//! value that applies and where it comes from — written on the interaction, in the
//! file's `defaults`, a declared stack's documented default, a protocol fact, or not
//! known at all.

use super::{Breaker, Connections, Fact, Limit, Retries, Stack};
use crate::model::fields::{self, Field};
use crate::model::types::{ClientStack, MeshStack};
use crate::model::{InteractionDecl, Model};

/// Where an effective value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Under the interaction's own `uses`.
    Written,
    /// In the file's `defaults`.
    Defaults,
    /// A declared stack's documented default.
    Stack {
        stack: &'static str,
        source: &'static str,
        version: &'static str,
    },
    /// A fact of the protocol (gRPC multiplexes one HTTP/2 connection).
    Protocol { source: &'static str },
}

impl Origin {
    fn of<T>(stack: &Stack, fact: &Fact<T>) -> Origin {
        Origin::Stack {
            stack: stack.name,
            source: fact.source,
            version: fact.version,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Origin::Written => "written".into(),
            Origin::Defaults => "file `defaults`".into(),
            Origin::Stack {
                stack,
                source,
                version,
            } => format!("{stack} default ({version}: {source})"),
            Origin::Protocol { source } => format!("protocol fact ({source})"),
        }
    }
}

/// A judged value and where it comes from; `None` when nothing says.
pub type Effective<T> = Option<(T, Origin)>;

/// The stacks an interaction declares, each with where it was declared.
#[derive(Debug, Clone, Default)]
pub struct Stacks {
    pub client: Option<(ClientStack, &'static str)>,
    pub mesh: Option<(MeshStack, &'static str)>,
}

impl Stacks {
    pub fn client_stack(&self) -> Option<Stack> {
        self.client.map(|(c, _)| super::client(c))
    }

    pub fn mesh_stack(&self) -> Option<Stack> {
        self.mesh.map(|(m, _)| super::mesh(m))
    }

    /// Whether neither a client nor a mesh is declared.
    pub fn is_empty(&self) -> bool {
        self.client.is_none() && self.mesh.is_none()
    }
}

/// What the rules say when nothing declares a value, so that each says it the same way.
pub const DECLARE_STACK: &str =
    "declare the caller's `client:` (and `mesh:`) under `uses:`, on the calling service or in `defaults:` (docs/stacks.md)";

/// Where a written `uses` field is: the interaction's own block or the file's defaults.
pub fn written_origin(model: &Model, decl: &InteractionDecl, field: Field) -> Origin {
    let file = &model.files[decl.origin.file];
    let in_interaction = file
        .spans
        .as_ref()
        .is_none_or(|spans| spans.nearest_under(&decl.origin.pointer, field.path()).1);
    if in_interaction {
        Origin::Written
    } else {
        Origin::Defaults
    }
}

/// The interaction's client and mesh: its own `uses`, else the calling service's, else
/// the file's `defaults`.
pub fn stacks(model: &Model, decl: &InteractionDecl) -> Stacks {
    let uses = decl.uses();
    let caller = model.service(&decl.interaction.from).map(|s| &s.service);
    let client = match (uses.client, caller.and_then(|s| s.client)) {
        (Some(c), _) if written_origin(model, decl, fields::USES_CLIENT) == Origin::Written => {
            Some((c, "uses.client"))
        }
        (_, Some(c)) => Some((c, "the calling service's `client`")),
        (Some(c), None) => Some((c, "defaults.client")),
        (None, None) => None,
    };
    let mesh = match (uses.mesh, caller.and_then(|s| s.mesh)) {
        (Some(m), _) if written_origin(model, decl, fields::USES_MESH) == Origin::Written => {
            Some((m, "uses.mesh"))
        }
        (_, Some(m)) => Some((m, "the calling service's `mesh`")),
        (Some(m), None) => Some((m, "defaults.mesh")),
        (None, None) => None,
    };
    Stacks { client, mesh }
}

/// The broker an asynchronous interaction goes through, and where it is declared:
/// `uses.broker` written on the interaction, else the publishing service's `broker`,
/// else `defaults.broker` (the precedence of `client`).
pub fn broker(
    model: &Model,
    decl: &InteractionDecl,
) -> Option<(super::broker::Broker, &'static str)> {
    let publisher = model.service(&decl.interaction.from).map(|s| &s.service);
    let found = match (decl.uses().broker, publisher.and_then(|s| s.broker)) {
        (Some(b), _) if written_origin(model, decl, fields::USES_BROKER) == Origin::Written => {
            Some((b, "uses.broker"))
        }
        (_, Some(b)) => Some((b, "the publishing service's `broker`")),
        (Some(b), None) => Some((b, "defaults.broker")),
        (None, None) => None,
    };
    found.map(|(b, at)| (super::broker::broker(b), at))
}

/// How to declare the broker, for messages that cannot know its behaviour.
pub const DECLARE_BROKER: &str =
    "declare `broker:` (rabbitmq, kafka, sqs, nats, eventbridge) under `uses:`, on the publishing service or in `defaults:` (docs/stacks.md)";

/// The longest a hung callee holds the call: `timeout_ms`, else the client's default,
/// else the mesh's. A client without a limit behind a mesh with one is bounded by the mesh.
pub fn timeout(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Effective<Limit> {
    if let Some(ms) = decl.uses().timeout_ms {
        let origin = written_origin(model, decl, fields::USES_TIMEOUT_MS);
        return Some((Limit::Ms(ms, "request"), origin));
    }
    let from = |stack: Option<Stack>| {
        stack.and_then(|s| s.request_timeout.map(|f| (f.value, Origin::of(&s, &f))))
    };
    let client = from(stacks.client_stack());
    let mesh = from(stacks.mesh_stack());
    match (client, mesh) {
        (Some(c @ (Limit::Ms(..), _)), _) => Some(c),
        (_, Some(m @ (Limit::Ms(..), _))) => Some(m),
        (Some(c), _) => Some(c),
        (None, m) => m,
    }
}

/// Whether calls reuse connections: a written `pool`, else the protocol, else the client.
/// A written `pool` with keep-alive off is the caller's choice and is returned as `None`
/// here; the pool rule judges the written block itself.
pub fn connections(
    model: &Model,
    decl: &InteractionDecl,
    stacks: &Stacks,
) -> Effective<Connections> {
    if let Some(pool) = &decl.uses().pool {
        if pool.keep_alive == Some(false) {
            return None;
        }
        let origin = written_origin(model, decl, fields::USES_POOL);
        return Some((Connections::Pooled, origin));
    }
    if is_grpc(decl) {
        let fact = super::GRPC_MULTIPLEXES;
        return Some((
            fact.value,
            Origin::Protocol {
                source: fact.source,
            },
        ));
    }
    let s = stacks.client_stack()?;
    s.connections.map(|f| (f.value, Origin::of(&s, &f)))
}

/// Whether the interaction speaks gRPC, by its protocol or its client.
pub fn is_grpc(decl: &InteractionDecl) -> bool {
    let uses = decl.uses();
    uses.protocol
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("grpc"))
        || matches!(
            uses.client,
            Some(ClientStack::GrpcGo | ClientStack::GrpcJava | ClientStack::Tonic)
        )
}

/// The circuit breaker: a written one, else the client's default one.
pub fn breaker(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Effective<Breaker> {
    if let Some(cb) = &decl.uses().circuit_breaker {
        let written = Breaker {
            failure_rate_percent: cb.failure_rate_percent.unwrap_or(f64::NAN),
            min_calls: cb.min_calls.unwrap_or(0),
            open_ms: cb.open_ms.unwrap_or(0),
        };
        let origin = written_origin(model, decl, fields::USES_CIRCUIT_BREAKER);
        return Some((written, origin));
    }
    let s = stacks.client_stack()?;
    s.breaker.map(|f| (f.value, Origin::of(&s, &f)))
}

/// Retries made without a written `retry`: the client's, else the mesh's.
pub fn default_retries(decl: &InteractionDecl, stacks: &Stacks) -> Effective<Retries> {
    if decl.uses().retry.is_some() {
        return None;
    }
    [stacks.client_stack(), stacks.mesh_stack()]
        .into_iter()
        .flatten()
        .find_map(|s| s.retries.map(|f| (f.value, Origin::of(&s, &f))))
}

/// How many times a call is tried at most, and where that comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempts {
    /// Attempts in total, the first included.
    pub count: u32,
    pub origin: Origin,
    /// The stack's retries, when the count is a stack default.
    pub stack_retries: Option<Retries>,
}

/// Attempts at one hop: a written `retry.max_attempts`, else the stack's default retries
/// (client, then mesh), else `None` (tried once, as far as anything says).
pub fn attempts(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Option<Attempts> {
    if let Some(n) = decl.uses().retry.as_ref().and_then(|r| r.max_attempts) {
        let origin = written_origin(model, decl, fields::USES_RETRY_MAX_ATTEMPTS);
        return Some(Attempts {
            count: n.max(1),
            origin,
            stack_retries: None,
        });
    }
    let (retries, origin) = default_retries(decl, stacks)?;
    Some(Attempts {
        count: retries.retries.saturating_add(1),
        origin,
        stack_retries: Some(retries),
    })
}

/// Whether the stack named so is a mesh (its defaults are the proxy's, not the client's).
pub fn is_mesh(name: &str) -> bool {
    [MeshStack::Istio, MeshStack::Linkerd, MeshStack::Envoy]
        .into_iter()
        .any(|m| super::mesh(m).name == name)
}

/// "istio (mesh default)" or "okhttp default": how a message names a stack's default.
fn stack_default(stack: &str) -> String {
    if is_mesh(stack) {
        format!("{stack} (mesh default)")
    } else {
        format!("{stack} default")
    }
}

/// Where a timeout comes from, for a message: `None` when it is written (on the
/// interaction or in `defaults`), as messages have always said it; otherwise
/// "okhttp default read timeout 10000 ms" or "axios default: no timeout".
pub fn timeout_source(timeout: &Effective<Limit>) -> Option<String> {
    match timeout {
        Some((limit, Origin::Stack { stack, .. })) => Some(match limit {
            Limit::Ms(..) => format!("{} {}", stack_default(stack), limit.describe()),
            Limit::Unbounded => format!("{}: no timeout", stack_default(stack)),
        }),
        _ => None,
    }
}

/// Where an attempt count comes from, for a message: `None` when it is written;
/// otherwise "istio (mesh default): 2 retries on …".
pub fn attempts_source(attempts: &Attempts) -> Option<String> {
    match (&attempts.origin, attempts.stack_retries) {
        (Origin::Stack { stack, .. }, Some(r)) => {
            Some(format!("{}: {}", stack_default(stack), r.describe()))
        }
        _ => None,
    }
}

/// The field a finding on a stack default points at: the client or the mesh declaration.
pub fn stack_field(stacks: &Stacks, origin: &Origin, written: Field) -> Field {
    match origin {
        Origin::Stack { stack, .. } if is_mesh(stack) => fields::USES_MESH,
        Origin::Stack { .. } if stacks.client.is_some() => fields::USES_CLIENT,
        _ => written,
    }
}
