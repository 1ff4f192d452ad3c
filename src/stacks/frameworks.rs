//! The defaults of the stacks that frameworks and datastore drivers bring: the browser,
//! Jersey on Grizzly, Spring Cloud Netflix (Feign through Ribbon, Zuul), Spring's mail
//! sender, EclipseLink, the MongoDB Go driver, gomemcache, ADO.NET's SqlClient and
//! StackExchange.Redis. Each fact was read in the library's source or its documentation
//! (or the specification, for the browser) at the version named; what could not be stated
//! as one fact is in `uncertain`, and the rules treat it as not known.

use super::{fact, Connections, Limit, Retries, Stack, NONE};
use crate::model::types::ClientStack;

/// The defaults of the client stacks of this file; the clients of `super::client`'s own
/// table answer a stack without facts.
pub(super) fn client(stack: ClientStack) -> Stack {
    use ClientStack as C;
    match stack {
        C::Browser => browser(),
        C::Jersey => jersey(),
        C::JerseyGrizzly => jersey_grizzly(),
        C::FeignRibbon => feign_ribbon(),
        C::SpringCloudZuul => spring_cloud_zuul(),
        C::SpringJavamail => spring_javamail(),
        C::Eclipselink => eclipselink(),
        C::MongoGoDriver => mongo_go_driver(),
        C::Gomemcache => gomemcache(),
        C::Sqlclient => sqlclient(),
        C::StackexchangeRedis => stackexchange_redis(),
        _ => NONE,
    }
}

fn browser() -> Stack {
    Stack {
        name: "browser",
        connections: fact(Connections::Pooled, "https://www.rfc-editor.org/rfc/rfc9112#section-9.3 (\"HTTP/1.1 defaults to the use of persistent connections, allowing multiple requests and responses to be carried over a single connection\"); HTTP/2 multiplexes streams over one connection (RFC 9113 §5)", "RFC 9112, RFC 9113 (2022)"),
        uncertain: &[
            ("request timeout", "the Fetch standard sets no timeout on a request (`fetch` waits until the server answers or an `AbortSignal` fires); each browser applies its own network limits, which differ between browsers"),
            ("retries", "a browser may send an idempotent request again when a reused connection closes before the response (RFC 9110 §9.2.2 allows it for idempotent methods only); when it does differs between browsers"),
        ],
        ..NONE
    }
}

fn jersey() -> Stack {
    const TIMEOUTS: &str = "core-client/src/main/java/org/glassfish/jersey/client/ClientProperties.java in eclipse-ee4j/jersey (READ_TIMEOUT and CONNECT_TIMEOUT: \"The default value is infinity (0)\")";
    Stack {
        name: "jersey",
        request_timeout: fact(Limit::Unbounded, TIMEOUTS, "Jersey 3.1.8"),
        connect_timeout: fact(Limit::Unbounded, TIMEOUTS, "Jersey 3.1.8"),
        connections: fact(Connections::Pooled, "core-client/src/main/java/org/glassfish/jersey/client/ClientConfig.java in eclipse-ee4j/jersey (the default connector is HttpUrlConnectorProvider): java.net.HttpURLConnection keeps connections alive across clients (java/net/doc-files/net-properties.html, http.keepAlive default true, http.maxConnections default 5 per destination)", "Jersey 3.1.8, JDK 17"),
        ..NONE
    }
}

fn jersey_grizzly() -> Stack {
    Stack {
        name: "jersey-grizzly",
        request_timeout: fact(Limit::Ms(10_000, "request"), "connectors/grizzly-connector/src/main/java/org/glassfish/jersey/grizzly/connector/GrizzlyConnector.java in eclipse-ee4j/jersey (builder.setRequestTimeout(ClientProperties.getValue(…, READ_TIMEOUT, 10000)): Jersey's READ_TIMEOUT, 10 s when not set, becomes the AsyncHttpClient request timeout)", "Jersey 3.1.8"),
        connect_timeout: fact(Limit::Ms(10_000, "connect"), "connectors/grizzly-connector/src/main/java/org/glassfish/jersey/grizzly/connector/GrizzlyConnector.java in eclipse-ee4j/jersey (builder.setConnectTimeout(ClientProperties.getValue(…, CONNECT_TIMEOUT, 10000)))", "Jersey 3.1.8"),
        connections: fact(Connections::Pooled, "connectors/grizzly-connector/src/main/java/org/glassfish/jersey/grizzly/connector/GrizzlyConnector.java in eclipse-ee4j/jersey (builder.setAllowPoolingConnections(true): the AsyncHttpClient of grizzly-http-client 1.16 keeps keep-alive connections)", "Jersey 3.1.8"),
        uncertain: &[("retries", "the connector's AsyncHttpClient (grizzly-http-client 1.16) has a request-retry setting of its own; which failures it resends was not confirmed, so write `retry:` for what the client configures")],
        ..NONE
    }
}

fn feign_ribbon() -> Stack {
    Stack {
        name: "feign-ribbon",
        request_timeout: fact(Limit::Ms(1_000, "read"), "spring-cloud-openfeign-core/src/main/java/org/springframework/cloud/openfeign/ribbon/LoadBalancerFeignClient.java (with the default Request.Options, DEFAULT_OPTIONS, which FeignRibbonClientAutoConfiguration.feignRequestOptions() registers, the Ribbon client's configuration applies) and spring-cloud-netflix-ribbon/src/main/java/org/springframework/cloud/netflix/ribbon/RibbonClientConfiguration.java (DEFAULT_READ_TIMEOUT = 1000); a `ribbon.ReadTimeout` property replaces it", "Spring Cloud OpenFeign 2.0.0, Spring Cloud Netflix 2.0.0 (Finchley)"),
        connect_timeout: fact(Limit::Ms(1_000, "connect"), "spring-cloud-netflix-ribbon/src/main/java/org/springframework/cloud/netflix/ribbon/RibbonClientConfiguration.java (DEFAULT_CONNECT_TIMEOUT = 1000), applied through LoadBalancerFeignClient.getClientConfig", "Spring Cloud OpenFeign 2.0.0, Spring Cloud Netflix 2.0.0 (Finchley)"),
        connections: fact(Connections::Pooled, "spring-cloud-openfeign-core/src/main/java/org/springframework/cloud/openfeign/ribbon/DefaultFeignLoadBalancedConfiguration.java (new LoadBalancerFeignClient(new Client.Default(null, null), …)): Feign's Client.Default opens a java.net.HttpURLConnection, which keeps connections alive (java/net/doc-files/net-properties.html, http.keepAlive default true)", "Spring Cloud OpenFeign 2.0.0, JDK 8+"),
        uncertain: &[("retries", "Feign's own retryer is `Retryer.NEVER_RETRY` (spring-cloud-openfeign-core/src/main/java/org/springframework/cloud/openfeign/FeignClientsConfiguration.java, feignRetryer()), but Ribbon's load-balancer command retries by its MaxAutoRetries and MaxAutoRetriesNextServer: a GET on any error, other methods only on a connect error (FeignLoadBalancer.getRequestSpecificRetryHandler); Ribbon's defaults for those counts were not read here, so write `retry:` for what the service configures")],
        ..NONE
    }
}

fn spring_cloud_zuul() -> Stack {
    Stack {
        name: "spring-cloud-zuul",
        connections: fact(Connections::Pooled, "spring-cloud-netflix-zuul/src/main/java/org/springframework/cloud/netflix/zuul/filters/route/SimpleHostRoutingFilter.java (`url` routes: Apache HttpClient with a pooling connection manager, zuul.host.maxTotalConnections 200 and maxPerRouteConnections 20 in ZuulProperties.Host) and RibbonCommandFactoryConfiguration.java (`serviceId` routes: Ribbon's Apache HttpClient, `ribbon.httpclient.enabled` matchIfMissing = true, whose HttpClientRibbonConfiguration builds a pooling connection manager)", "Spring Cloud Netflix 2.0.0 (Finchley)"),
        uncertain: &[
            ("request timeout", "it depends on the route: a `url` route waits zuul.host.socket-timeout-millis, 10000 ms by default (connect 2000 ms; ZuulProperties.Host), a `serviceId` route Ribbon's ReadTimeout, 1000 ms by default (RibbonClientConfiguration), and Hystrix's own timeout wraps it; write `timeout_ms` for the one configured"),
            ("retries", "`zuul.retryable` is false by default (ZuulProperties); whether Ribbon's load-balancer command still tries another instance on a `serviceId` route was not confirmed"),
        ],
        ..NONE
    }
}

fn spring_javamail() -> Stack {
    const JAVAMAIL: &str = "com/sun/mail/smtp/package.html in JavaMail (mail.smtp.connectiontimeout and mail.smtp.timeout: \"Default is infinite timeout\")";
    Stack {
        name: "spring-javamail",
        request_timeout: fact(Limit::Unbounded, JAVAMAIL, "JavaMail 1.6"),
        connect_timeout: fact(Limit::Unbounded, JAVAMAIL, "JavaMail 1.6"),
        connections: fact(Connections::PerCall, "spring-context-support/src/main/java/org/springframework/mail/javamail/JavaMailSenderImpl.java (doSend connects a Transport for each send(…) call and closes it in `finally`; the messages of one call share it)", "Spring Framework 5.x"),
        retries: fact(Retries { retries: 0, on: "nothing", backoff: "none" }, "spring-context-support/src/main/java/org/springframework/mail/javamail/JavaMailSenderImpl.java (doSend sends each message once and collects the failures in a MailSendException)", "Spring Framework 5.x"),
        ..NONE
    }
}

fn eclipselink() -> Stack {
    Stack {
        name: "eclipselink",
        connections: fact(Connections::Pooled, "foundation/org.eclipse.persistence.core/src/main/java/org/eclipse/persistence/sessions/server/ConnectionPool.java in eclipse-ee4j/eclipselink (the server session's internal pool, used when the persistence unit gives JDBC properties rather than a data source: MIN_CONNECTIONS = 32, MAX_CONNECTIONS = 32, WAIT_TIMEOUT 180000 ms for a free connection)", "EclipseLink 3.0"),
        uncertain: &[("request timeout", "a query waits as long as `eclipselink.query-timeout` and the JDBC driver's socket timeout allow; their defaults were not read here, so write `timeout_ms` for what is configured")],
        ..NONE
    }
}

fn mongo_go_driver() -> Stack {
    Stack {
        name: "mongo-go-driver",
        request_timeout: fact(Limit::Unbounded, "mongo/options/clientoptions.go in mongodb/mongo-go-driver (SetSocketTimeout: \"The default value is 0, meaning no timeout is used and socket operations can block indefinitely\"; SetTimeout: default nil, no operation timeout); only the caller's context bounds an operation", "mongo-go-driver v1.12.2"),
        connect_timeout: fact(Limit::Ms(30_000, "connect"), "mongo/options/clientoptions.go in mongodb/mongo-go-driver (SetConnectTimeout: \"The default is 30 seconds\")", "mongo-go-driver v1.12.2"),
        connections: fact(Connections::Pooled, "mongo/options/clientoptions.go in mongodb/mongo-go-driver (SetMaxPoolSize: a pool per server, \"The default is 100\")", "mongo-go-driver v1.12.2"),
        uncertain: &[("retries", "a supported read (Find, FindOne, Aggregate, …) is retried once on a network error or a retryable server error (SetRetryReads, default true), and a supported write likewise (SetRetryWrites, default true) on a replica set or sharded cluster only, where the server applies the retried write once; whether the deployment is a replica set is not in the file, so write `retry:` to state it")],
        ..NONE
    }
}

fn gomemcache() -> Stack {
    Stack {
        name: "gomemcache",
        request_timeout: fact(Limit::Ms(500, "socket read/write"), "memcache/memcache.go in bradfitz/gomemcache (DefaultTimeout = 500 * time.Millisecond, \"the default socket read/write timeout\", used when Client.Timeout is zero)", "gomemcache 24af94b (2023-09)"),
        connect_timeout: fact(Limit::Ms(500, "dial"), "memcache/memcache.go in bradfitz/gomemcache (dial: net.Dialer{Timeout: c.netTimeout()}, DefaultTimeout 500 ms)", "gomemcache 24af94b (2023-09)"),
        connections: fact(Connections::Pooled, "memcache/memcache.go in bradfitz/gomemcache (freeconn keeps idle connections per address, DefaultMaxIdleConns = 2 unless MaxIdleConns is set)", "gomemcache 24af94b (2023-09)"),
        retries: fact(Retries { retries: 0, on: "nothing", backoff: "none" }, "memcache/memcache.go in bradfitz/gomemcache (each operation is sent once; the client has no retry)", "gomemcache 24af94b (2023-09)"),
        ..NONE
    }
}

fn sqlclient() -> Stack {
    Stack {
        name: "sqlclient",
        request_timeout: fact(Limit::Ms(30_000, "command"), "https://learn.microsoft.com/dotnet/api/microsoft.data.sqlclient.sqlconnection.commandtimeout (\"The default is 30 seconds\"; SqlCommand.CommandTimeout and the `Command Timeout` connection-string keyword likewise; 0 waits without limit)", "Microsoft.Data.SqlClient 5"),
        connect_timeout: fact(Limit::Ms(15_000, "connect"), "https://learn.microsoft.com/dotnet/api/microsoft.data.sqlclient.sqlconnection.connectiontimeout (\"The default value is 15 seconds\")", "Microsoft.Data.SqlClient 5"),
        connections: fact(Connections::Pooled, "https://learn.microsoft.com/sql/connect/ado-net/sql-server-connection-pooling (\"By default, connection pooling is enabled in ADO.NET\"; one pool per connection string, Max Pool Size 100)", "Microsoft.Data.SqlClient 5"),
        uncertain: &[("retries", "SqlClient reconnects a broken idle connection before a command (ConnectRetryCount, default 1) and retries no command itself; EF Core's retrying execution strategy is turned on in code (EnableRetryOnFailure), so write `retry:` for it")],
        ..NONE
    }
}

fn stackexchange_redis() -> Stack {
    Stack {
        name: "stackexchange-redis",
        request_timeout: fact(Limit::Ms(5_000, "operation"), "docs/Configuration.md in StackExchange/StackExchange.Redis (syncTimeout: default 5000, \"Time (ms) to allow for synchronous operations\"; asyncTimeout defaults to SyncTimeout)", "StackExchange.Redis 2.7"),
        connect_timeout: fact(Limit::Ms(5_000, "connect"), "docs/Configuration.md in StackExchange/StackExchange.Redis (connectTimeout: default 5000, \"Timeout (ms) for connect operations\")", "StackExchange.Redis 2.7"),
        connections: fact(Connections::Multiplexed, "docs/Basics.md in StackExchange/StackExchange.Redis (the ConnectionMultiplexer \"is designed to be shared and reused between callers\" and \"aggressively shares the connection between concurrent callers\")", "StackExchange.Redis 2.7"),
        uncertain: &[("retries", "how commands issued while the connection is down are held and sent later (BacklogPolicy) was not read here; write `retry:` for what the code configures")],
        ..NONE
    }
}
