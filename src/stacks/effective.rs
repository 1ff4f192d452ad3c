//! The effective configuration of an interaction: for each setting the rules judge, the
//! value that applies and where it comes from — written on the interaction, in the
//! file's `defaults`, a declared stack's documented default, a protocol fact, or not
//! known at all.

use super::{Breaker, Connections, Fact, Isolation, Limit, Retries, Stack};
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
    let in_interaction = model
        .files
        .get(decl.origin.file)
        .and_then(|file| file.spans.as_ref())
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
    "declare `broker:` (rabbitmq, kafka, sqs, nats, eventbridge, activemq) under `uses:`, on the publishing service or in `defaults:` (docs/stacks.md)";

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
    client_then_mesh(stacks, |s| s.connections)
}

/// A stack's fact, the caller's own library first; else the mesh proxy in front of it,
/// which holds the connections to the callee and their limits (the caller's hop to its
/// own proxy is local).
fn client_then_mesh<T: Copy + 'static>(
    stacks: &Stacks,
    fact: impl Fn(&Stack) -> Option<Fact<T>>,
) -> Effective<T> {
    [stacks.client_stack(), stacks.mesh_stack()]
        .into_iter()
        .flatten()
        .find_map(|s| fact(&s).map(|f| (f.value, Origin::of(&s, &f))))
}

/// The interaction's isolation from its caller's other calls: a written `bulkhead`, else
/// the caller's library's or its mesh proxy's limit per callee (Envoy's per-cluster
/// thresholds).
pub fn bulkhead(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Effective<Isolation> {
    if let Some(b) = &decl.uses().bulkhead {
        let origin = written_origin(model, decl, fields::USES_BULKHEAD);
        return Some((
            Isolation {
                max_concurrent: b.max_concurrent.unwrap_or(0),
                max_queue: b.max_queue.unwrap_or(0),
            },
            origin,
        ));
    }
    client_then_mesh(stacks, |s| s.bulkhead)
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

/// Which layer of a hop retries: the caller's own client library, or the mesh's proxy
/// under it. Each retries on its own, so their attempts multiply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Mesh,
}

/// How many times one layer tries a call, and where that comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub side: Side,
    /// Attempts in total, the first included.
    pub count: u32,
    pub origin: Origin,
    /// The stack's retries, when the count is a stack default.
    pub stack_retries: Option<Retries>,
    /// A library's own resend after a connection failure (`stacks::Replay`): it sends
    /// the request again but never after a timeout, so it adds requests, not waiting.
    pub replay: bool,
}

/// How many requests one call can send to the callee at most, layer by layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempts {
    /// Attempts in total at the callee: the product of the layers' attempts.
    pub count: u32,
    /// The caller's retries: a written `retry.max_attempts`, else its client's default.
    pub client: Option<Layer>,
    /// The mesh's: a written `mesh_retry.max_attempts`, else the mesh's default.
    pub mesh: Option<Layer>,
}

impl Attempts {
    /// The layers that retry (more than one attempt), client first.
    pub fn retrying(&self) -> impl Iterator<Item = &Layer> {
        [&self.client, &self.mesh]
            .into_iter()
            .flatten()
            .filter(|l| l.count > 1)
    }

    /// The attempts the caller waits out one after another: its own layer's (1 without
    /// one). The mesh retries inside each of them (`graph::Edge::waits`).
    pub fn waited(&self) -> u32 {
        self.client
            .as_ref()
            .filter(|l| !l.replay)
            .map_or(1, |l| l.count.max(1))
    }

    /// The layer a finding about the attempts points at: the first that retries.
    pub fn primary(&self) -> Option<&Layer> {
        self.retrying().next()
    }
}

fn stack_layer(side: Side, stack: Option<Stack>) -> Option<Layer> {
    let s = stack?;
    let f = s.retries?;
    Some(Layer {
        side,
        count: f.value.retries.saturating_add(1),
        origin: Origin::of(&s, &f),
        stack_retries: Some(f.value),
        replay: false,
    })
}

/// The caller's own attempts: a written `retry.max_attempts` (on the interaction or in
/// `defaults`), else its client's documented default retries. A written `retry` without
/// `max_attempts` leaves the count unknown (S006 asks for it).
pub fn client_attempts(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Option<Layer> {
    match &decl.uses().retry {
        Some(r) => r.max_attempts.map(|n| Layer {
            side: Side::Client,
            count: n.max(1),
            origin: written_origin(model, decl, fields::USES_RETRY_MAX_ATTEMPTS),
            stack_retries: None,
            replay: false,
        }),
        None => stack_layer(Side::Client, stacks.client_stack())
            .or_else(|| replay_layer(decl, stacks.client_stack())),
    }
}

/// A client's own resend after a connection failure, as a second attempt: only where
/// the source says the request may already have been processed, and, for a library
/// that resends idempotent requests only, not on a call declared `idempotent: false`.
/// A transparent resend (the request never reached the callee) is no attempt.
fn replay_layer(decl: &InteractionDecl, stack: Option<Stack>) -> Option<Layer> {
    let s = stack?;
    let f = s.replays?;
    let replayed = f.value.may_be_processed
        && !(f.value.idempotent_only && decl.interaction.idempotent == Some(false));
    if !replayed {
        return None;
    }
    Some(Layer {
        side: Side::Client,
        count: 2,
        origin: Origin::of(&s, &f),
        stack_retries: Some(Retries {
            retries: 1,
            on: f.value.what,
            backoff: "sent again at once",
        }),
        replay: true,
    })
}

/// The mesh proxy's attempts: a written `mesh_retry.max_attempts`, else the declared
/// mesh's documented default retries (Istio retries twice). A written `retry` does not
/// change them: the proxy retries whatever the application does.
pub fn mesh_attempts(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Option<Layer> {
    match decl.uses().mesh_retry.as_ref().and_then(|r| r.max_attempts) {
        Some(n) => Some(Layer {
            side: Side::Mesh,
            count: n.max(1),
            origin: written_origin(model, decl, fields::USES_MESH_RETRY_MAX_ATTEMPTS),
            stack_retries: None,
            replay: false,
        }),
        None => stack_layer(Side::Mesh, stacks.mesh_stack()),
    }
}

/// Attempts at one hop: the caller's times the mesh's, each written or a declared stack's
/// default; `None` when neither layer says (tried once, as far as anything says).
pub fn attempts(model: &Model, decl: &InteractionDecl, stacks: &Stacks) -> Option<Attempts> {
    let client = client_attempts(model, decl, stacks);
    let mesh = mesh_attempts(model, decl, stacks);
    if client.is_none() && mesh.is_none() {
        return None;
    }
    let count = [&client, &mesh]
        .into_iter()
        .flatten()
        .fold(1u32, |n, l| n.saturating_mul(l.count));
    Some(Attempts {
        count,
        client,
        mesh,
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

/// One layer's attempts for a message: "istio (mesh default): 2 retries on …" or
/// "`retry.max_attempts: 3` (written)".
pub fn layer_source(layer: &Layer) -> String {
    match (&layer.origin, layer.stack_retries) {
        (Origin::Stack { stack, .. }, Some(r)) if layer.replay => format!(
            "{}: sends it again once after a connection failure, when it may already have been processed: {}",
            stack_default(stack),
            r.on
        ),
        (Origin::Stack { stack, .. }, Some(r)) => {
            format!("{}: {}", stack_default(stack), r.describe())
        }
        (origin, _) => {
            let key = match layer.side {
                Side::Client => "retry",
                Side::Mesh => "mesh_retry",
            };
            let at = match origin {
                Origin::Defaults => "in `defaults`",
                _ => "written",
            };
            format!("`{key}.max_attempts: {}` {at}", layer.count)
        }
    }
}

/// Where an attempt count comes from, for a message: `None` when it is one written
/// layer, as messages have always said it; otherwise the stack's default
/// ("istio (mesh default): 2 retries on …"), or, when the client and the mesh both
/// retry, both layers and their product ("3 × 3 attempts: `retry.max_attempts: 3`
/// written, under istio (mesh default): 2 retries on …").
pub fn attempts_source(attempts: &Attempts) -> Option<String> {
    let layers: Vec<&Layer> = attempts.retrying().collect();
    match layers.as_slice() {
        [one] if one.stack_retries.is_none() => None,
        [one] => Some(layer_source(one)),
        [client, mesh] => Some(format!(
            "{} × {} attempts: {}, under {}",
            client.count,
            mesh.count,
            layer_source(client),
            layer_source(mesh)
        )),
        _ => None,
    }
}

/// How to stop one layer's retries, for a finding's help.
pub fn stop_retrying(layer: &Layer) -> String {
    match (layer.side, &layer.origin) {
        (Side::Client, Origin::Stack { stack, .. }) => {
            format!("turn {stack}'s retries off and write `retry: {{ max_attempts: 1 }}`")
        }
        (Side::Client, _) => "set `retry: { max_attempts: 1 }`".into(),
        (Side::Mesh, Origin::Stack { stack, .. }) => format!(
            "configure the {stack} route without retries (for Istio, `retries: {{ attempts: 0 }}` on the VirtualService) and write `mesh_retry: {{ max_attempts: 1 }}`"
        ),
        (Side::Mesh, _) => "configure the mesh route without retries and set `mesh_retry: { max_attempts: 1 }`".into(),
    }
}

/// The field a finding about a hop's attempts points at: the written count of the
/// first layer that retries, or the client or mesh declaration whose default it is.
pub fn attempts_field(stacks: &Stacks, attempts: Option<&Attempts>) -> Field {
    match attempts.and_then(Attempts::primary) {
        Some(l) if l.stack_retries.is_some() => {
            stack_field(stacks, &l.origin, fields::USES_RETRY_MAX_ATTEMPTS)
        }
        Some(Layer {
            side: Side::Mesh, ..
        }) => fields::USES_MESH_RETRY_MAX_ATTEMPTS,
        _ => fields::USES_RETRY_MAX_ATTEMPTS,
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
