//! What client libraries, meshes and protocols do when a setting is not written: the
//! one table of stack defaults the rules judge. Each fact cites its source (the library's
//! documentation or source file) and the version it was read at; a setting whose default
//! could not be confirmed is left out (`None`), and the rules then say it is unknown
//! instead of guessing. docs/stacks.md is rendered from this table.

pub mod broker;
pub mod effective;
mod frameworks;

use crate::model::types::{ClientStack, MeshStack};

/// One documented default, with where it is written down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fact<T: 'static> {
    pub value: T,
    /// The documentation page or source file that states it.
    pub source: &'static str,
    /// The version the source was read at.
    pub version: &'static str,
}

/// How long a hung callee can hold a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// No limit at all unless one is set.
    Unbounded,
    /// A limit of this many milliseconds, and which one it is (total, read, route, …).
    Ms(u64, &'static str),
}

/// Whether calls reuse connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connections {
    /// A keep-alive pool of connections.
    Pooled,
    /// Many calls share one connection (HTTP/2 streams).
    Multiplexed,
    /// A new connection for every call, closed after it: nothing is reused.
    PerCall,
}

/// Circuit breaker thresholds in the terms of `uses.circuit_breaker`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breaker {
    pub failure_rate_percent: f64,
    pub min_calls: u32,
    pub open_ms: u64,
}

/// Retries made without being configured.
/// A limit on the calls in flight to one callee, kept apart from the limits on others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Isolation {
    pub max_concurrent: u32,
    pub max_queue: u32,
}

impl Isolation {
    pub fn describe(self) -> String {
        format!(
            "at most {} requests in flight and {} waiting, per callee",
            self.max_concurrent, self.max_queue
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retries {
    /// Retries after the first attempt.
    pub retries: u32,
    /// Which failures are retried.
    pub on: &'static str,
    /// The delay between attempts.
    pub backoff: &'static str,
}

/// Requests a library sends again by itself after a connection failure, without any
/// retry being configured: a stale keep-alive connection, a reset before the request
/// went out. Only a replay whose request may already have been processed counts as an
/// attempt (G004, R003, S006); one that the source says never reached the callee (or
/// never its application) is transparent and costs the callee nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    /// Which requests are sent again, after which failures.
    pub what: &'static str,
    /// Whether the request sent again may already have been processed by the callee.
    pub may_be_processed: bool,
    /// Whether only idempotent requests are sent again (a call declared
    /// `idempotent: false` is then not replayed).
    pub idempotent_only: bool,
}

impl Replay {
    pub fn describe(self) -> String {
        let cost = if self.may_be_processed {
            "the request may already have been processed: counted as a second attempt"
        } else {
            "the request never reached the callee: not counted as an attempt"
        };
        format!("sent again once: {} ({cost})", self.what)
    }
}

/// The defaults of one stack; `None` where no confirmed default is known.
#[derive(Debug, Clone, Copy)]
pub struct Stack {
    /// The name as the file spells it.
    pub name: &'static str,
    /// The longest a hung callee can hold a call.
    pub request_timeout: Option<Fact<Limit>>,
    pub connect_timeout: Option<Fact<Limit>>,
    pub connections: Option<Fact<Connections>>,
    pub breaker: Option<Fact<Breaker>>,
    pub bulkhead: Option<Fact<Isolation>>,
    pub retries: Option<Fact<Retries>>,
    /// What the library resends on its own after a connection failure.
    pub replays: Option<Fact<Replay>>,
    /// Settings whose default could not be stated as one fact, and why: commsplan
    /// treats them as not known, and docs/stacks.md says what is uncertain.
    pub uncertain: &'static [(&'static str, &'static str)],
}

const NONE: Stack = Stack {
    name: "",
    request_timeout: None,
    connect_timeout: None,
    connections: None,
    breaker: None,
    bulkhead: None,
    retries: None,
    replays: None,
    uncertain: &[],
};

const GRPC_DEADLINES: Fact<Limit> = Fact {
    value: Limit::Unbounded,
    source: "https://grpc.io/docs/guides/deadlines/ (\"By default, gRPC does not set a deadline\")",
    version: "gRPC docs, 2024",
};

/// gRPC runs on HTTP/2, whose streams share one connection.
pub const GRPC_MULTIPLEXES: Fact<Connections> = Fact {
    value: Connections::Multiplexed,
    source:
        "https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md (gRPC over HTTP/2 streams)",
    version: "gRPC protocol spec",
};

/// gRPC retries nothing unless a service config sets a retry policy, but resends an RPC
/// that never left the client, or reached the server and not its application.
const GRPC_TRANSPARENT_RETRY: Fact<Replay> = Fact {
    value: Replay {
        what: "an RPC that never left the client, or that reached the server but not its application (REFUSED_STREAM, a GOAWAY above the stream); nothing else is retried unless the service config sets a `retryPolicy`",
        may_be_processed: false,
        idempotent_only: false,
    },
    source: "https://github.com/grpc/proposal/blob/master/A6-client-retries.md (Transparent retries; retries only under a retryPolicy); grpc-go stream.go clientStream.shouldRetry (\"First attempt, stream unprocessed: transparently retry\"; no retryPolicy, no retry)",
    version: "gRFC A6; grpc-go 1.56, grpc-java 1.56",
};

const fn fact<T>(value: T, source: &'static str, version: &'static str) -> Option<Fact<T>> {
    Some(Fact {
        value,
        source,
        version,
    })
}

/// The defaults of a client library.
pub fn client(stack: ClientStack) -> Stack {
    use ClientStack as C;
    use Connections::Pooled;
    use Limit::{Ms, Unbounded};
    match stack {
        C::GoNetHttp => Stack {
            name: "go-net-http",
            request_timeout: fact(Unbounded, "https://pkg.go.dev/net/http#Client (Client.Timeout: \"A Timeout of zero means no timeout\")", "Go 1.22"),
            connect_timeout: fact(Ms(30_000, "dial"), "src/net/http/transport.go (DefaultTransport: net.Dialer{Timeout: 30 * time.Second})", "Go 1.22"),
            connections: fact(Pooled, "src/net/http/transport.go (DefaultTransport keeps idle connections: MaxIdleConns 100, IdleConnTimeout 90 s)", "Go 1.22"),
            replays: fact(Replay { what: "an idempotent request (GET, HEAD, OPTIONS, TRACE, or one with an Idempotency-Key header) after a network error on a connection that had already been used; a request of any method of which nothing was written", may_be_processed: true, idempotent_only: true }, "src/net/http/transport.go (type Transport: \"Transport only retries a request upon encountering a network error if the connection has been already been used successfully and if the request is idempotent and either has no body or has its Request.GetBody defined\"; persistConn.shouldRetryRequest: a nothingWrittenError is retried whatever the method)", "Go 1.22"),
            ..NONE
        },
        C::GrpcGo | C::GrpcJava | C::Tonic => Stack {
            name: match stack {
                C::GrpcGo => "grpc-go",
                C::GrpcJava => "grpc-java",
                _ => "tonic",
            },
            request_timeout: Some(GRPC_DEADLINES),
            connections: Some(GRPC_MULTIPLEXES),
            // Tonic's transparent retries were not read: only the two gRFC A6 clients.
            replays: match stack {
                C::Tonic => None,
                _ => Some(GRPC_TRANSPARENT_RETRY),
            },
            ..NONE
        },
        C::Axios => Stack {
            name: "axios",
            request_timeout: fact(Unbounded, "https://github.com/axios/axios/blob/v1.x/lib/defaults/index.js (timeout: 0); README: \"default is `0` (no timeout)\"", "axios 1.x"),
            ..NONE
        },
        C::Fetch => Stack { name: "fetch", ..NONE },
        C::SpringRestclient => Stack { name: "spring-restclient", ..NONE },
        C::SpringWebclient => Stack {
            name: "spring-webclient",
            connections: fact(Pooled, "https://projectreactor.io/docs/netty/release/reference/ (Reactor Netty HttpClient uses a \"fixed\" connection pool by default)", "Reactor Netty 1.1"),
            replays: fact(Replay { what: "a request whose connection was reset before its headers were sent (retry enabled unless disableRetry(true)); once the headers or the body were sent it is not retried", may_be_processed: false, idempotent_only: false }, "reactor-netty-http/src/main/java/reactor/netty/http/client/HttpClientConnect.java (shouldRetry = !configuration.retryDisabled; on a connection reset with ops.hasSentHeaders(): \"the request cannot be retried as the headers/body were sent\"; otherwise redirected once to the same URI)", "Reactor Netty 1.1.29"),
            ..NONE
        },
        C::Resttemplate => Stack {
            name: "resttemplate",
            request_timeout: fact(Unbounded, "org/springframework/http/client/SimpleClientHttpRequestFactory.java (connect and read timeouts default to -1: HttpURLConnection's default, 0 = infinite)", "Spring Framework 6.1"),
            connect_timeout: fact(Unbounded, "org/springframework/http/client/SimpleClientHttpRequestFactory.java (connectTimeout -1: HttpURLConnection's default, 0 = infinite)", "Spring Framework 6.1"),
            connections: fact(Pooled, "SimpleClientHttpRequestFactory opens a java.net.HttpURLConnection, which keeps connections alive: java/net/doc-files/net-properties.html (http.keepAlive default true; http.maxConnections default 5 idle connections per destination)", "Spring Framework 6.1, JDK 17"),
            ..NONE
        },
        C::Openfeign => Stack {
            name: "openfeign",
            request_timeout: fact(Ms(60_000, "read"), "feign/Request.java (Request.Options(): connectTimeout 10 s, readTimeout 60 s); OpenFeign's feign.http.RequestOptions states the same defaults (DEFAULT_CONNECT_TIMEOUT = 10 * 1000, DEFAULT_READ_TIMEOUT = 60 * 1000)", "Feign 13"),
            connect_timeout: fact(Ms(10_000, "connect"), "feign/Request.java (Request.Options(): connectTimeout 10 s)", "Feign 13"),
            connections: fact(Pooled, "feign/Client.java (Client.Default opens a java.net.HttpURLConnection, which keeps connections alive: java/net/doc-files/net-properties.html, http.keepAlive default true, http.maxConnections default 5 per destination)", "Feign 13, JDK 17"),
            uncertain: &[("retries", "depends on the setup: core Feign's builder uses `new Retryer.Default()` (5 attempts on a RetryableException, which wraps I/O errors and read timeouts; 100 ms × 1.5 up to 1 s; core/src/main/java/feign/Retryer.java, Feign.java), while Spring Cloud OpenFeign registers `Retryer.NEVER_RETRY` (spring-cloud-openfeign-core/src/main/java/org/springframework/cloud/openfeign/FeignClientsConfiguration.java, feignRetryer()); write `retry:` for the one in use")],
            ..NONE
        },
        C::Okhttp => Stack {
            name: "okhttp",
            request_timeout: fact(Ms(10_000, "read"), "https://square.github.io/okhttp/5.x/okhttp/okhttp3/-ok-http-client/-builder/read-timeout.html (\"The default value is 10 seconds\"); callTimeout: \"The default value is 0 which imposes no timeout\" (https://square.github.io/okhttp/4.x/okhttp/okhttp3/-ok-http-client/-builder/call-timeout.html)", "OkHttp 4.x and 5.x"),
            connect_timeout: fact(Ms(10_000, "connect"), "https://square.github.io/okhttp/5.x/okhttp/okhttp3/-ok-http-client/-builder/connect-timeout.html (\"The default value is 10 seconds\")", "OkHttp 5.x"),
            connections: fact(Pooled, "okhttp3/ConnectionPool.kt (ConnectionPool(): 5 idle connections kept 5 minutes)", "OkHttp 4.12"),
            replays: fact(Replay { what: "a request of any method (unless its body is one-shot) after a connection failure: an unreachable address, a stale pooled connection, an I/O error after the request may have been sent (retryOnConnectionFailure, default true)", may_be_processed: true, idempotent_only: false }, "okhttp/src/main/kotlin/okhttp3/OkHttpClient.kt (retryOnConnectionFailure = true; \"Set this to false to avoid retrying requests when doing so is destructive\") and okhttp3/internal/http/RetryAndFollowUpInterceptor.kt (recover: \"An attempt to communicate with a server failed. The request may have been sent.\"; another attempt while a route remains)", "OkHttp 4.12.0"),
            ..NONE
        },
        C::DotnetHttpclientfactory => Stack {
            name: "dotnet-httpclientfactory",
            request_timeout: fact(Ms(100_000, "total"), "https://learn.microsoft.com/dotnet/api/system.net.http.httpclient.timeout (\"The default value is 100,000 milliseconds (100 seconds)\")", ".NET 8"),
            connections: fact(Pooled, "https://learn.microsoft.com/dotnet/core/extensions/httpclient-factory (handlers and their connections are pooled and reused)", ".NET 8"),
            ..NONE
        },
        C::PollyStandard => Stack {
            name: "polly-standard",
            request_timeout: fact(Ms(30_000, "total"), "src/Libraries/Microsoft.Extensions.Http.Resilience/Resilience/HttpStandardResilienceOptions.cs in dotnet/extensions (TotalRequestTimeout = new HttpTimeoutStrategyOptions, whose Timeout is Polly's default: src/Polly.Core/Timeout/TimeoutStrategyOptions.cs, \"The default value is 30 seconds\"; AttemptTimeout: Timeout = TimeSpan.FromSeconds(10)); https://learn.microsoft.com/dotnet/core/resilience/http-resilience states the same", "Microsoft.Extensions.Http.Resilience 8, Polly 8"),
            connections: fact(Pooled, "https://learn.microsoft.com/dotnet/core/resilience/http-resilience (the handler is added to an IHttpClientFactory client, whose connections are pooled)", "Microsoft.Extensions.Http.Resilience 8"),
            breaker: fact(Breaker { failure_rate_percent: 10.0, min_calls: 100, open_ms: 5_000 }, "https://learn.microsoft.com/dotnet/core/resilience/http-resilience (circuit breaker: failure ratio 10 %, minimum throughput 100, sampling 30 s, break 5 s); Polly's CircuitBreakerStrategyOptions defaults: FailureRatio 0.1, MinimumThroughput 100, SamplingDuration 30 s, BreakDuration 5 s (Polly API reference, https://www.mintlify.com/App-vNext/Polly/api/circuit-breaker-strategy)", "Microsoft.Extensions.Http.Resilience 8, Polly 8"),
            retries: fact(Retries { retries: 3, on: "HTTP 5xx, 408, 429, HttpRequestException and an attempt's timeout (TimeoutRejectedException)", backoff: "exponential with jitter, 2 s base" }, "src/Libraries/Microsoft.Extensions.Http.Resilience/Polly/HttpRetryStrategyOptions.cs and HttpClientResiliencePredicates.cs in dotnet/extensions (BackoffType Exponential, UseJitter true; transient: status >= 500, 408, 429, HttpRequestException, TimeoutRejectedException); Polly's src/Polly.Core/Retry/RetryConstants.cs (DefaultRetryCount = 3, DefaultBaseDelay = 2 s)", "Microsoft.Extensions.Http.Resilience 8, Polly 8"),
            ..NONE
        },
        C::Resilience4j => Stack {
            name: "resilience4j",
            breaker: fact(Breaker { failure_rate_percent: 50.0, min_calls: 100, open_ms: 60_000 }, "https://resilience4j.readme.io/docs/circuitbreaker (CircuitBreakerConfig defaults: failureRateThreshold 50, minimumNumberOfCalls 100, slidingWindowSize 100, waitDurationInOpenState 60000 ms); failureRateThreshold 50 and slidingWindowSize 100 also in https://camel.apache.org/components/4.4.x/eips/resilience4jConfiguration-eip.html", "Resilience4j 2.2"),
            ..NONE
        },
        C::PythonRequests => Stack {
            name: "python-requests",
            request_timeout: fact(Unbounded, "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts (\"By default, requests do not time out unless a timeout value is set explicitly\")", "Requests 2.32"),
            ..NONE
        },
        C::Httpx => Stack {
            name: "httpx",
            request_timeout: fact(Ms(5_000, "network inactivity"), "https://www.python-httpx.org/advanced/timeouts/ (\"The default behavior is to raise a TimeoutException after 5 seconds of network inactivity\")", "HTTPX 0.27"),
            ..NONE
        },
        C::Aiohttp => Stack {
            name: "aiohttp",
            request_timeout: fact(Ms(300_000, "total"), "aiohttp/client.py (DEFAULT_TIMEOUT = ClientTimeout(total=5 * 60), used when a ClientSession is given no timeout); https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts (\"By default aiohttp uses a total 300 seconds (5min) timeout\")", "aiohttp 3.9.5 to 3.14.3"),
            connect_timeout: fact(Ms(30_000, "socket connect"), "aiohttp/client.py (DEFAULT_TIMEOUT = ClientTimeout(total=5 * 60, sock_connect=30) since 3.11; 3.10 and earlier set no connect limit)", "aiohttp 3.11 to 3.14.3"),
            retries: fact(Retries { retries: 0, on: "an idempotent request is sent again once when a reused keep-alive connection turns out closed (retry_persistent_connection, since 3.11)", backoff: "none" }, "aiohttp/client.py (ClientSession._request retries only that case; no retry option)", "aiohttp 3.11 to 3.14.3"),
            connections: fact(Pooled, "https://docs.aiohttp.org/en/stable/client_reference.html#tcpconnector (a ClientSession's TCPConnector keeps a pool, limit 100)", "aiohttp 3.9"),
            ..NONE
        },
        C::Reqwest => Stack {
            name: "reqwest",
            request_timeout: fact(Unbounded, "https://docs.rs/reqwest/latest/reqwest/struct.ClientBuilder.html#method.timeout (\"Default is no timeout\")", "reqwest 0.12"),
            connections: fact(Pooled, "https://docs.rs/reqwest/latest/reqwest/struct.Client.html (\"The Client holds a connection pool internally\")", "reqwest 0.12"),
            ..NONE
        },
        other => frameworks::client(other),
    }
}

/// The defaults of a service mesh's proxy.
pub fn mesh(stack: MeshStack) -> Stack {
    match stack {
        MeshStack::Istio => Stack {
            name: "istio",
            request_timeout: fact(Limit::Unbounded, "https://istio.io/latest/docs/concepts/traffic-management/#timeouts (\"By default, the timeout for HTTP requests is disabled in Istio\")", "Istio 1.22"),
            retries: fact(Retries { retries: 2, on: "connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes (503)", backoff: "Envoy's default back-off (Istio sets no base interval)" }, "https://istio.io/latest/docs/concepts/traffic-management/#retries (\"the default retry behavior for HTTP requests is to retry twice\"); the sidecar's route config_dump shows retry_policy { num_retries: 2, retry_on: connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes, retriable_status_codes: [503] } and no back-off", "Istio 1.22"),
            connections: fact(Connections::Pooled, "https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling (\"The HTTP/1.1 connection pool acquires connections as needed to an upstream host\"; requests are bound to a connection once it is done with the previous request; the HTTP/2 pool multiplexes requests over one connection; the Istio sidecar is Envoy)", "Istio 1.22"),
            ..NONE
        },
        MeshStack::Envoy => Stack {
            name: "envoy",
            request_timeout: fact(Limit::Ms(15_000, "route"), "https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto (RouteAction.timeout: \"If not specified, the default is 15s\")", "Envoy 1.30"),
            retries: fact(Retries { retries: 0, on: "nothing", backoff: "none" }, "https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto (a route without retry_policy is not retried)", "Envoy 1.30"),
            connections: fact(Connections::Pooled, "https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling (\"The HTTP/1.1 connection pool acquires connections as needed to an upstream host\"; requests are bound to a connection once it is done with the previous request; the HTTP/2 pool multiplexes requests over one connection)", "Envoy 1.30"),
            bulkhead: fact(Isolation { max_concurrent: 1024, max_queue: 1024 }, "https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/circuit_breaker.proto (Thresholds, per upstream cluster: max_requests \"The maximum number of parallel requests that Envoy will make to the upstream cluster. If not specified, the default is 1024\"; max_pending_requests likewise 1024)", "Envoy 1.30"),
            ..NONE
        },
        MeshStack::Linkerd => Stack { name: "linkerd", ..NONE },
    }
}

/// Every stack, clients then meshes, for the documentation and the tests.
pub fn all() -> Vec<Stack> {
    use ClientStack as C;
    let clients = [
        C::GoNetHttp,
        C::GrpcGo,
        C::GrpcJava,
        C::Axios,
        C::Fetch,
        C::SpringRestclient,
        C::SpringWebclient,
        C::Resttemplate,
        C::Openfeign,
        C::Okhttp,
        C::DotnetHttpclientfactory,
        C::PollyStandard,
        C::Resilience4j,
        C::PythonRequests,
        C::Httpx,
        C::Aiohttp,
        C::Reqwest,
        C::Tonic,
        C::Browser,
        C::Jersey,
        C::JerseyGrizzly,
        C::FeignRibbon,
        C::SpringCloudZuul,
        C::SpringJavamail,
        C::Eclipselink,
        C::MongoGoDriver,
        C::Gomemcache,
        C::Sqlclient,
        C::StackexchangeRedis,
    ];
    let meshes = [MeshStack::Istio, MeshStack::Linkerd, MeshStack::Envoy];
    clients
        .into_iter()
        .map(client)
        .chain(meshes.into_iter().map(mesh))
        .collect()
}

impl Limit {
    pub fn describe(self) -> String {
        match self {
            Limit::Unbounded => "no timeout".into(),
            Limit::Ms(ms, what) => format!("{what} timeout {ms} ms"),
        }
    }
}

impl Connections {
    pub fn describe(self) -> &'static str {
        match self {
            Connections::Pooled => "keep-alive connection pool",
            Connections::Multiplexed => "one multiplexed HTTP/2 connection",
            Connections::PerCall => "a new connection for each call, closed after it",
        }
    }

    /// Whether calls reuse connections (a pool or one multiplexed connection).
    pub fn reuses(self) -> bool {
        self != Connections::PerCall
    }
}

impl Breaker {
    pub fn describe(self) -> String {
        format!(
            "opens at {} % failures over at least {} calls, stays open {} ms",
            self.failure_rate_percent, self.min_calls, self.open_ms
        )
    }
}

impl Retries {
    pub fn describe(self) -> String {
        if self.retries == 0 {
            return match self.on {
                "nothing" => "no retries".into(),
                on => format!("no retries of a failed call; {on}"),
            };
        }
        format!("{} retries on {}, {}", self.retries, self.on, self.backoff)
    }
}

/// docs/stacks.md's table, from the facts above.
pub fn reference() -> String {
    let mut out = String::new();
    for stack in all() {
        out.push_str(&format!("### {}\n\n", stack.name));
        let rows = [
            (
                "request timeout",
                stack
                    .request_timeout
                    .map(|f| (f.value.describe(), f.source, f.version)),
            ),
            (
                "connect timeout",
                stack
                    .connect_timeout
                    .map(|f| (f.value.describe(), f.source, f.version)),
            ),
            (
                "connections",
                stack
                    .connections
                    .map(|f| (f.value.describe().to_string(), f.source, f.version)),
            ),
            (
                "circuit breaker",
                stack
                    .breaker
                    .map(|f| (f.value.describe(), f.source, f.version)),
            ),
            (
                "bulkhead",
                stack
                    .bulkhead
                    .map(|f| (f.value.describe(), f.source, f.version)),
            ),
            (
                "retries",
                stack
                    .retries
                    .map(|f| (f.value.describe(), f.source, f.version)),
            ),
            (
                "replays",
                stack
                    .replays
                    .map(|f| (f.value.describe(), f.source, f.version)),
            ),
        ];
        out.push_str("| setting | default | source | version |\n|---|---|---|---|\n");
        for (name, row) in rows {
            match row {
                Some((value, source, version)) => out.push_str(&format!(
                    "| {name} | {value} | {} | {version} |\n",
                    source.replace('|', "\\|")
                )),
                None => out.push_str(&format!("| {name} | not known | — | — |\n")),
            }
        }
        for (setting, why) in stack.uncertain {
            out.push_str(&format!("\n{setting} not known: {why}.\n"));
        }
        out.push('\n');
    }
    out.push_str("## Brokers\n\n");
    out.push_str(&broker::reference());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_a_source_and_a_version_and_names_are_unique() {
        let stacks = all();
        let mut names: Vec<&str> = stacks.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), stacks.len(), "a stack is listed twice");
        for s in &stacks {
            let cited = [
                s.request_timeout.map(|f| (f.source, f.version)),
                s.connect_timeout.map(|f| (f.source, f.version)),
                s.connections.map(|f| (f.source, f.version)),
                s.breaker.map(|f| (f.source, f.version)),
                s.retries.map(|f| (f.source, f.version)),
                s.replays.map(|f| (f.source, f.version)),
            ];
            for (source, version) in cited.into_iter().flatten() {
                assert!(source.len() > 10, "{}: no source", s.name);
                assert!(!version.trim().is_empty(), "{}: no version", s.name);
            }
        }
    }

    #[test]
    fn names_are_the_file_spelling() {
        for s in all() {
            let json = format!("\"{}\"", s.name);
            let as_client: Result<ClientStack, _> = serde_json::from_str(&json);
            let as_mesh: Result<MeshStack, _> = serde_json::from_str(&json);
            assert!(
                as_client.is_ok() || as_mesh.is_ok(),
                "{} is not a stack name",
                s.name
            );
        }
    }

    #[test]
    fn breaker_facts_are_in_range() {
        for s in all() {
            if let Some(b) = s.breaker {
                assert!(
                    (0.0..=100.0).contains(&b.value.failure_rate_percent),
                    "{}",
                    s.name
                );
            }
        }
    }
}
