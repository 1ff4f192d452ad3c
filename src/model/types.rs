//! The architecture file's types. These are the single source of the JSON Schema
//! (`commsplan schema`): add a field here and the schema, the validator and the
//! editor completion follow.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A commsplan architecture file: the services of a system and the interactions between them.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "commsplan architecture file")]
pub struct ArchitectureFile {
    /// Version of the file format. Only `1` exists.
    pub version: u32,
    /// Name of the system described by this file. Required in a file given on the
    /// command line; a file read through `include` may leave it out (the including
    /// file names the system).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub system: Option<String>,
    /// Free text shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Settings merged under every interaction's `uses` (the interaction's own values win).
    /// They also apply, under their own defaults, to the files this file includes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Uses>,
    /// The services, by name. Required unless the file includes others or is included.
    #[serde(default)]
    pub services: IndexMap<String, Service>,
    /// Every interaction between two services. Required unless the file includes others
    /// or is included.
    #[serde(default)]
    pub interactions: Vec<Interaction>,
    /// Suppressions that apply to the whole system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress: Vec<Suppression>,
    /// Other architecture files that belong to this system (one per team, say): paths or
    /// glob patterns (`teams/*.yaml`), relative to this file's directory, never absolute
    /// and never outside the directory of the file given on the command line. Matches of a
    /// pattern are read in alphabetical order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(length(min = 1)))]
    pub include: Vec<String>,
}

/// A service (or client, gateway, worker, external system) that takes part in interactions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// What kind of participant this is. Default: `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ServiceKind>,
    /// Implementation language; drives `commsplan generate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// Owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Service level objective: the target for entry services, the declared figure for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<Slo>,
    /// The client library this service calls others with, for every interaction it
    /// makes that does not name its own `uses.client` (docs/stacks.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientStack>,
    /// The service mesh this service's calls go through, unless an interaction names
    /// its own `uses.mesh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<MeshStack>,
    /// The message broker of the messages this service publishes, unless an interaction
    /// names its own `uses.broker`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<BrokerStack>,
    /// A cache the service answers reads from (an in-process or entity cache in front of
    /// its own store, or data loaded into memory at start-up): the caching the flowchart's
    /// node M asks for, kept by the callee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
    /// Who can reach this client or gateway: `public` (the default: anyone, over the
    /// internet) or `internal` (the organisation's own staff or operators only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Exposure>,
    /// Findings to silence on every interaction of this service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress: Vec<Suppression>,
}

/// Who can reach an entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Anyone, over the internet (the default).
    Public,
    /// The organisation's own staff or operators only.
    Internal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    Client,
    Gateway,
    Service,
    Worker,
    External,
}

impl ServiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Client => "client",
            ServiceKind::Gateway => "gateway",
            ServiceKind::Service => "service",
            ServiceKind::Worker => "worker",
            ServiceKind::External => "external",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    Typescript,
    Go,
    Java,
    Python,
    Rust,
}

/// Availability and latency objective.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Availability in percent, e.g. 99.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 100.0))]
    pub availability: Option<f64>,
    /// 99th percentile latency in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub latency_p99_ms: Option<f64>,
}

/// One interaction: `from` calls, sends to or publishes for `to`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// Unique id, `[a-z0-9][a-z0-9-_.]*`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_.\-]*$"))]
    pub id: String,
    /// The calling or producing service.
    pub from: String,
    /// The called service, or for async interactions the consumer.
    pub to: String,
    /// One line saying what the interaction is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Whether the operation is idempotent: repeating it has no further effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
    /// Whether the messages of an asynchronous interaction may expire. `false`: each is a
    /// command or a state change the consumer must apply whatever its age (staleness,
    /// where it matters, is handled by the domain: an expiry job, a version check), so a
    /// time-to-live would drop it unprocessed. Not written (or `true`): messages lose
    /// their value with age and are given a TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<bool>,
    /// Answers to the flowchart's questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<Needs>,
    /// Expected load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
    /// What is (or will be) built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses: Option<Uses>,
    /// The operation of the caller (`from`) this interaction is a step of, when one
    /// request makes the caller take several steps that must all happen or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// What the call runs in: a `request` the caller is serving (the default), or a `job`
    /// of the caller's own (a schedule, a poll loop, a start-up load) that no request waits
    /// for. A job's calls are not on any request's synchronous path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_in: Option<RunsIn>,
    /// The request or message carries a copy of data another service owns (prices in a
    /// basket, a total the caller computed), which the callee takes as given instead of
    /// reading it from the owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<Box<CarriedCopy>>,
    /// Findings to silence on this interaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress: Vec<Suppression>,
}

/// A copy of another service's data that an interaction carries to its callee.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CarriedCopy {
    /// The service that owns the data (the catalogue, for prices).
    pub of: String,
    /// Who kept the copy since it was read from the owner, when not the caller itself: a
    /// client (a cookie, a basket the browser writes back) or another service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_by: Option<String>,
    /// The copy is signed by the service that issued it and the callee checks the
    /// signature (a signed session blob, a JWT): its keeper cannot change it, though it
    /// can still be old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
    /// What the copy is, in a few words (`prices`, `the order total`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub what: Option<String>,
}

/// What a call runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RunsIn {
    /// While the caller serves a request (the default).
    Request,
    /// In a job of the caller's own: a schedule, a poll loop, a start-up load.
    Job,
}

impl Interaction {
    /// Whether the call is made by a job of the caller, not while it serves a request.
    pub fn in_a_job(&self) -> bool {
        self.runs_in == Some(RunsIn::Job)
    }

    /// The id of the read this interaction's write is decided on (`operation.based_on`).
    pub fn based_on(&self) -> Option<&str> {
        self.operation.as_ref()?.based_on.as_deref()
    }
}

/// The answers to the decision flowchart's questions.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    /// Node B: does the caller need a real-time response?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime: Option<bool>,
    /// Node C: is data consistency critical (`strong`) or is `eventual` enough?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<Consistency>,
    /// Node E: can the user wait for the complete result?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_wait: Option<bool>,
    /// Node I: must message ordering be guaranteed?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordering: Option<bool>,
}

/// One step of an operation of the caller: steps share the caller and the `name`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// The operation's name, shared by its steps (`place-order`); scoped to the caller.
    #[schemars(length(min = 1))]
    pub name: String,
    /// This step changes data at `to` (a synchronous call that creates, updates or
    /// deletes). A queue or stream step sends a message whatever this says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writes: Option<bool>,
    /// In this operation the caller also writes its own store (a database that is not an
    /// interaction of the file). Said on any step, it holds for the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_write: Option<bool>,
    /// How the operation is made whole. Said on any step, it holds for the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atomicity: Option<Atomicity>,
    /// With `atomicity: outbox`: what publishes the outbox's entries. Said on any step, it
    /// holds for the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<Relay>,
    /// The id of the interaction whose answer this write is decided on: an earlier read or
    /// check at the same callee (read, change, write back; check the stock, then remove
    /// it), or this interaction itself when one step reads and writes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub based_on: Option<String>,
    /// What keeps a write decided on an earlier read from overwriting a change made since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Concurrency>,
}

/// How a write decided on an earlier read is kept from acting on data changed since.
/// (Plain comments on the variants, as for [`Fallback`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Concurrency {
    // The write carries the version it read and the callee refuses it if the data has
    // changed since (an ETag with If-Match, a version column, a compare-and-set).
    Version,
    // The read takes a lock that the write releases.
    Lock,
    // The check reserves what it found (the stock, the seat), and the reservation is
    // released if the operation does not go on.
    Reservation,
}

impl Concurrency {
    pub fn as_str(self) -> &'static str {
        match self {
            Concurrency::Version => "version",
            Concurrency::Lock => "lock",
            Concurrency::Reservation => "reservation",
        }
    }
}

/// What takes an outbox's entries to the broker. (Plain comments on the variants, as for
/// [`Fallback`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Relay {
    // The request itself, once, right after the commit; nothing publishes an entry that
    // this attempt left unsent (eShopOnContainers' IntegrationEventLogService).
    AfterCommit,
    // A background publisher that reads the unsent entries and publishes each until the
    // broker confirms it, whenever it was written.
    Polling,
    // Change-data capture reading the outbox table's log (Debezium's outbox event router).
    LogTailing,
}

impl Relay {
    pub fn as_str(self) -> &'static str {
        match self {
            Relay::AfterCommit => "after-commit",
            Relay::Polling => "polling",
            Relay::LogTailing => "log-tailing",
        }
    }
}

/// How the steps of an operation are made to happen all or none. (Plain comments on the
/// variants, as for [`Fallback`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Atomicity {
    // Each step has a compensation that undoes it when a later step fails.
    Saga,
    // The messages are written to an outbox table in the same local transaction as the
    // data, and published from there.
    Outbox,
    // One transaction spans every step (a local transaction, XA, a transactional broker).
    Transaction,
}

impl Atomicity {
    pub fn as_str(self) -> &'static str {
        match self {
            Atomicity::Saga => "saga",
            Atomicity::Outbox => "outbox",
            Atomicity::Transaction => "transaction",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Consistency {
    Strong,
    Eventual,
}

/// Expected load of an interaction.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Requests or messages per second at peak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub rps: Option<f64>,
    /// Typical request or message size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_bytes: Option<u64>,
    /// Number of consumer instances (async).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumers: Option<u32>,
    /// Time the receiver spends per request or message, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub processing_ms: Option<f64>,
    /// How many times the caller makes this call for one request it serves (for a
    /// worker, one run of its job): 11 for a product and its ten recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub calls_per_request: Option<u32>,
    /// The call is made once per item of a collection the request reads or returns
    /// (an N+1 lookup): its count grows with the data. `calls_per_request`, when
    /// written, is its bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_item: Option<bool>,
    /// The caller makes this call for every request it serves, whatever the operation
    /// (an authentication filter's token check, a tenant lookup): no request of the
    /// caller goes on without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_request: Option<bool>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    Sync,
    SyncOptimized,
    Cqrs,
    Queue,
    Stream,
}

impl Pattern {
    pub const ALL: [Pattern; 5] = [
        Pattern::Sync,
        Pattern::SyncOptimized,
        Pattern::Cqrs,
        Pattern::Queue,
        Pattern::Stream,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pattern::Sync => "sync",
            Pattern::SyncOptimized => "sync-optimized",
            Pattern::Cqrs => "cqrs",
            Pattern::Queue => "queue",
            Pattern::Stream => "stream",
        }
    }

    /// The caller waits on the wire for an answer (cqrs answers synchronously, then
    /// processes asynchronously, so it is both).
    pub fn has_sync_part(self) -> bool {
        matches!(self, Pattern::Sync | Pattern::SyncOptimized | Pattern::Cqrs)
    }

    pub fn has_async_part(self) -> bool {
        matches!(self, Pattern::Cqrs | Pattern::Queue | Pattern::Stream)
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is (or will be) built for an interaction. Every field is optional; the rules
/// check what is declared against the pattern's checklist.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Uses {
    /// The pattern the team built or chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    /// Wire protocol: rest, grpc, graphql, amqp, kafka, sqs, eventbridge, nats, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub protocol: Option<String>,
    /// For asynchronous interactions: the queue or topic name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub channel: Option<String>,
    /// The caller's client library: the rules judge its documented defaults where a
    /// setting is not written (see docs/stacks.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientStack>,
    /// The service mesh the call goes through: its proxy's defaults (retries, route
    /// timeout) apply where the call sets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<MeshStack>,
    /// The message broker an asynchronous interaction goes through: its documented
    /// delivery, dead-lettering, bounds, ordering and retention apply where the file says
    /// nothing (docs/stacks.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<BrokerStack>,
    /// Request timeout in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub timeout_ms: Option<u64>,
    /// The caller's own retries (its client library's policy). A mesh that retries
    /// as well multiplies them (`mesh_retry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// The mesh proxy's retries on this call, where its retry policy is configured
    /// (an Istio VirtualService's `retries`); replaces the mesh's documented default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh_retry: Option<MeshRetry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreaker>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<Pool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<Cache>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<Batch>,
    /// Compression codec. Payloads under `compression_min_bytes` are sent as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    /// Smallest payload that is compressed, in bytes (default 1024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_min_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulkhead: Option<Bulkhead>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<DeadLetter>,
    /// Message time-to-live in milliseconds; for a stream (a log), its time-based
    /// retention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub ttl_ms: Option<u64>,
    /// A log kept without a time limit: `forever` (a system of record, replayed from the
    /// start) or `compacted` (the latest message per key is kept). Time-limited retention
    /// is `ttl_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// Bound on the queue's length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_queue_length: Option<u64>,
    /// What happens when the queue is full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow: Option<Overflow>,
    /// Consumer scaling policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumers: Option<Consumers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency: Option<Idempotency>,
    /// When the consumer acknowledges a message: `before-processing` (on receipt: a
    /// message whose processing fails is lost, and none is redelivered) or
    /// `after-processing` (once it is processed: a failure is redelivered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<Ack>,
    /// Message field that selects the partition (streams) to keep per-key ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub partition_key: Option<String>,
    /// A queue that delivers in order (FIFO queue, single active consumer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fifo: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serialization: Option<Serialization>,
    /// The seed's metrics are exported for this interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<bool>,
    /// What the caller serves when the call fails (an error, a timeout, an open
    /// breaker). Not written: the failure reaches the caller's own caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
}

/// What a caller serves in place of a failed call's answer. (The variants are described
/// in plain comments: doc comments would make the schema a `oneOf`, and an invalid value
/// would then be reported without the list of valid ones.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Fallback {
    // The last known answer: a cached or earlier copy, of unknown age.
    Stale,
    // A placeholder or made-up value (a default object, "unknown", a fixed price).
    Default,
    // Nothing: an empty list, no recommendations; for a call whose answer is not used,
    // the call is dropped and the caller carries on.
    Empty,
    // No fallback: the failure reaches the caller's own caller (said explicitly).
    None,
}

impl Fallback {
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Stale => "stale",
            Fallback::Default => "default",
            Fallback::Empty => "empty",
            Fallback::None => "none",
        }
    }

    /// The caller carries on when the call fails: the call is optional to the request.
    pub fn carries_on(self) -> bool {
        self != Fallback::None
    }
}

/// A client library whose defaults commsplan knows (docs/stacks.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientStack {
    GoNetHttp,
    GrpcGo,
    GrpcJava,
    Axios,
    Fetch,
    SpringRestclient,
    SpringWebclient,
    Resttemplate,
    Openfeign,
    Okhttp,
    DotnetHttpclientfactory,
    PollyStandard,
    Resilience4j,
    PythonRequests,
    Httpx,
    Aiohttp,
    Reqwest,
    Tonic,
    /// A web browser (its `fetch`, XMLHttpRequest and page loads share its connections).
    Browser,
    /// A Jersey client on its default connector (`HttpUrlConnectorProvider`).
    Jersey,
    /// A Jersey client on the Grizzly connector (`GrizzlyConnectorProvider`).
    JerseyGrizzly,
    /// Spring Cloud OpenFeign through Ribbon (Spring Cloud Netflix, a `@FeignClient`
    /// without `url`).
    FeignRibbon,
    /// The Zuul 1 proxy of Spring Cloud Netflix, forwarding to its routes.
    SpringCloudZuul,
    /// Spring's `JavaMailSenderImpl` over JavaMail's SMTP transport.
    SpringJavamail,
    /// EclipseLink (JPA) over JDBC, with its internal connection pool.
    Eclipselink,
    /// The MongoDB Go driver (`go.mongodb.org/mongo-driver`).
    MongoGoDriver,
    /// The memcached client `github.com/bradfitz/gomemcache`.
    Gomemcache,
    /// ADO.NET's SQL Server provider (`Microsoft.Data.SqlClient`, or `System.Data.SqlClient`),
    /// under EF Core or Dapper as well.
    Sqlclient,
    /// The Redis client `StackExchange.Redis` (one shared `ConnectionMultiplexer`).
    StackexchangeRedis,
}

/// A service mesh whose proxy defaults commsplan knows (docs/stacks.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MeshStack {
    Istio,
    Linkerd,
    Envoy,
}

/// A message broker whose defaults commsplan knows (docs/stacks.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BrokerStack {
    Rabbitmq,
    Kafka,
    Sqs,
    Nats,
    Eventbridge,
    Activemq,
}

/// Retry policy.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in total, the first one included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// First backoff delay in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ms: Option<u64>,
    /// Largest backoff delay in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<u64>,
    /// Random jitter added to each delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter: Option<bool>,
    /// Each retry goes to another instance of the callee, never to the one that failed
    /// (client-side load balancing: Ribbon's `MaxAutoRetriesNextServer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_instance: Option<bool>,
    /// Which failed attempts are retried: `connect-failure` (the connection was refused
    /// or could not be made: the request never reached the callee) or `any` (a timeout
    /// too, after which the callee may still be doing the work).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<RetryOn>,
}

/// The failures a retry policy retries. (Plain comments, as for `Fallback`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RetryOn {
    // Only a connection that was refused or could not be made.
    ConnectFailure,
    // Any failure the client retries, a timed-out attempt included.
    Any,
}

/// The retries a mesh proxy makes on one call, as its retry policy configures them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeshRetry {
    /// Attempts the proxy makes in total, the first one included (1: no retries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_attempts: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Backoff {
    None,
    Fixed,
    Exponential,
}

/// Circuit breaker thresholds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CircuitBreaker {
    /// Failure rate, in percent, that opens the circuit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 100.0))]
    pub failure_rate_percent: Option<f64>,
    /// Calls needed in the window before the rate is judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_calls: Option<u32>,
    /// How long the circuit stays open, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_ms: Option<u64>,
    /// Trial calls let through while half-open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_open_calls: Option<u32>,
}

/// Connection pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_connections: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_idle: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_ms: Option<u64>,
}

/// Response cache.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub ttl_ms: Option<u64>,
}

/// Batching of requests or messages.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Compression {
    None,
    Gzip,
    Br,
    Zstd,
    Snappy,
    Lz4,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub rps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bulkhead {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_concurrent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queue: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadLetter {
    /// Deliveries before a message is moved to the dead-letter queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub after_attempts: Option<u32>,
    /// Name of the dead-letter queue or topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// When a consumer acknowledges a message. (The variants are described in plain
/// comments, as for `Fallback`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Ack {
    // On receipt, before the consumer runs (Spring's DefaultMessageListenerContainer with
    // AUTO_ACKNOWLEDGE, an auto-commit before processing): delivery at most once.
    BeforeProcessing,
    // Once the message is processed (a transacted session, a manual ack after the work):
    // a failure is delivered again, at least once.
    AfterProcessing,
    // Once the consumer has run, whether it succeeded or failed (an ack in a `finally`, or
    // in the error path too): a failure is lost as on receipt, but a consumer that dies
    // before the ack is given the message again, so copies still arrive.
    AfterAttempt,
}

impl Ack {
    /// Whether a message whose processing fails is acknowledged, and so lost.
    pub fn loses_failures(self) -> bool {
        matches!(self, Ack::BeforeProcessing | Ack::AfterAttempt)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ack::BeforeProcessing => "before-processing",
            Ack::AfterProcessing => "after-processing",
            Ack::AfterAttempt => "after-attempt",
        }
    }
}

/// How a log keeps its messages when it is not limited by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Retention {
    /// Every message is kept (Kafka `retention.ms=-1`): a ledger, an event-sourced topic.
    Forever,
    /// The latest message per key is kept (Kafka `cleanup.policy=compact`).
    Compacted,
}

impl Retention {
    pub fn as_str(self) -> &'static str {
        match self {
            Retention::Forever => "forever",
            Retention::Compacted => "compacted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Overflow {
    DropHead,
    RejectPublish,
    RejectPublishDlx,
    Block,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Consumers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Idempotency {
    /// Field that identifies a repeated request or message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The consumer is idempotent by construction (no key needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<bool>,
    /// When the callee records a key as handled: with the work's own commit, once it
    /// succeeded (`after-processing`); or also when it failed, or before the work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<KeyRecorded>,
}

/// When a handled idempotency key is recorded. (Plain comments on the variants, as for
/// [`Fallback`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyRecorded {
    // On receipt, in a commit of its own before the work: a failure or a crash between
    // the two leaves the key recorded and the work undone.
    BeforeProcessing,
    // In the work's own transaction, committed only when the work succeeds.
    AfterProcessing,
    // Whether the work succeeded or failed: a handler that catches the failure and lets
    // the transaction commit with the key (eShopOnContainers' IdentifiedCommandHandler).
    AfterAttempt,
}

impl KeyRecorded {
    /// Whether a failed handling leaves the key recorded, so that a retry is skipped.
    pub fn survives_failure(self) -> bool {
        matches!(
            self,
            KeyRecorded::BeforeProcessing | KeyRecorded::AfterAttempt
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Serialization {
    Json,
    Protobuf,
    Avro,
    Msgpack,
}

/// Silences findings of one rule (or rule prefix) with a reason.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Rule code (`S003`) or prefix (`S`).
    #[schemars(regex(pattern = r"^[A-Z][0-9]{0,3}$"))]
    pub rule: String,
    /// Why the finding does not apply. Required.
    #[schemars(length(min = 1))]
    pub reason: String,
    /// Date after which the suppression expires, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub until: Option<String>,
    /// Who decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// For top-level suppressions: only this interaction (or service) is meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Not part of the format: the entry's position in its `suppress` list as written,
    /// when an invalid entry before it was left out (see `src/model/prune.rs`).
    #[serde(skip)]
    pub written_index: Option<usize>,
}
