//! What the importers share about names: which images are datastores or load
//! generators, the hosts a configuration value names, and interaction ids the file format
//! accepts.

use std::collections::BTreeSet;

/// Words in an image's name, or names of container ports, that mark a datastore or a
/// broker: its calls are not the system's calls, and its configuration (a MySQL config
/// map, say) holds no addresses of services.
pub(super) const DATASTORES: &[&str] = &[
    "mongo",
    "mongodb",
    "mysql",
    "mysqldb",
    "mariadb",
    "postgres",
    "postgresql",
    "redis",
    "memcached",
    "cassandra",
    "elasticsearch",
    "couchdb",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "nats",
    "etcd",
    "amqp",
    // A word of its own in an image's name (`weaveworksdemos/user-db`, `orders-db`):
    // the image is named for the datastore it runs.
    "db",
];

pub(super) const LOAD_GENERATORS: &[&str] = &["loadgenerator", "load-generator", "locust"];

pub(super) fn image_words(image: &str) -> impl Iterator<Item = &str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    let name = last.split([':', '@']).next().unwrap_or(last);
    name.split(['-', '_', '.'])
}

/// An interaction id the file format accepts (`[a-z0-9][a-z0-9_.-]*`), unique in `ids`.
pub(super) fn unique_id(from: &str, to: &str, ids: &mut BTreeSet<String>) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| c.to_ascii_lowercase())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let mut base = format!("{}-{}", clean(from), clean(to));
    if !base.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        base.insert(0, 'i');
    }
    let mut id = base.clone();
    let mut n = 2;
    while !ids.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The values of a program's arguments (a container's `command` and `args`, a compose
/// `command`) that may hold an address, each as (key, value, index of the argument that
/// holds the value): `--flag=value` and `-Dname=value` as the flag and its value, a flag
/// followed by an argument that is not one (`--backend http://x:8080`) as the flag and
/// that argument, and any other argument with an empty key, so that only a URL or a
/// `host:port` in it is read, never a bare word. The key plays the part of an
/// environment variable's name for [`hosts_in`]: `--catalog-host=catalog` is an address
/// as `CATALOG_HOST=catalog` is.
pub(super) fn argument_values<'a>(args: &[&'a str]) -> Vec<(&'a str, &'a str, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        let flag = arg.starts_with('-') && arg.len() > 1;
        if let Some((key, value)) = arg.split_once('=').filter(|_| flag) {
            out.push((key, value, i));
        } else if flag && i + 1 < args.len() && !args[i + 1].starts_with('-') {
            out.push((arg, args[i + 1], i + 1));
            i += 1;
        } else {
            out.push(("", arg, i));
        }
        i += 1;
    }
    out
}

/// Last words of a variable's name that say its value is an image reference
/// (`registry/busybox:1.36`), whose `name:tag` looks like a `host:port` and is not one.
const IMAGE_KEYS: &[&str] = &["IMAGE", "TAG", "VERSION"];

/// Variable names whose whole value is a host name when it has no port or scheme.
const ADDRESS_KEYS: &[&str] = &[
    "HOST", "HOSTNAME", "ADDR", "ADDRESS", "URL", "URI", "ENDPOINT", "SERVICE", "SERVER", "SVC",
];

const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "0.0.0.0", "::1"];

/// The hosts a configuration value names: in URLs (`http://reviews:9080/x`), in
/// `host:port` words, and as the whole value of a variable whose name says it is an
/// address (`MYSQL_DB_HOST: mysqldb`).
pub(super) fn hosts_in(key: &str, value: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    let last_word = key
        .to_ascii_uppercase()
        .rsplit(['_', '-', '.'])
        .next()
        .map(str::to_string)
        .unwrap_or_default();
    if IMAGE_KEYS.contains(&last_word.as_str()) {
        return hosts;
    }
    let stop = |c: char| ":/?#@ \t,;\"'[]()".contains(c);
    for (i, _) in value.match_indices("://") {
        let rest = &value[i + 3..];
        let authority = rest.split(['/', '?', '#', ' ']).next().unwrap_or("");
        let after_user = authority.rsplit('@').next().unwrap_or(authority);
        let host: String = after_user.chars().take_while(|c| !stop(*c)).collect();
        hosts.push(host);
    }
    for word in value.split(|c: char| c.is_whitespace() || ",;=\"'".contains(c)) {
        if word.contains("://") {
            continue;
        }
        if let Some((host, port)) = word.rsplit_once(':') {
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                hosts.push(host.to_string());
            }
        }
    }
    let addressy = ADDRESS_KEYS.contains(&last_word.as_str());
    let whole = value.trim();
    if hosts.is_empty() && addressy && is_host_name(whole) {
        hosts.push(whole.to_string());
    }
    hosts.retain(|h| is_host_name(h) && !LOOPBACK.contains(&h.as_str()));
    hosts.sort();
    hosts.dedup();
    hosts
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_urls_host_ports_and_address_variables() {
        assert_eq!(
            hosts_in("PRODUCT_CATALOG_SERVICE_ADDR", "productcatalogservice:3550"),
            ["productcatalogservice"]
        );
        assert_eq!(
            hosts_in("X", "http://user:pw@reviews:9080/reviews"),
            ["reviews"]
        );
        assert_eq!(
            hosts_in("MONGO_DB_URL", "mongodb://mongodb:27017/test"),
            ["mongodb"]
        );
        assert_eq!(hosts_in("MYSQL_DB_HOST", "mysqldb"), ["mysqldb"]);
        // A bare word is an address only where the variable's name says so.
        assert!(hosts_in("DB_TYPE", "mysql").is_empty());
        assert!(hosts_in("JAVA_OPTS", "-Xms64m -Xmx128m").is_empty());
        assert!(hosts_in("HOST", "localhost").is_empty());
        assert_eq!(
            hosts_in("ZIPKIN", "zipkin.jaeger.svc.cluster.local:9411"),
            ["zipkin.jaeger.svc.cluster.local"]
        );
    }

    #[test]
    fn arguments_are_read_as_flags_with_values() {
        let args = [
            "/app/server",
            "--catalog-addr=catalog:3550",
            "-Dorders.url=http://orders/api",
            "--backend",
            "http://x:8080",
            "-v",
            "--cart-host",
            "cart",
            "-h",
            "edge-router",
        ];
        let read: Vec<Vec<String>> = argument_values(&args)
            .into_iter()
            .map(|(k, v, _)| hosts_in(k, v))
            .collect();
        let hosts: Vec<&str> = read.iter().flatten().map(String::as_str).collect();
        assert_eq!(hosts, ["catalog", "orders", "x", "cart"]);
        // The value's index is the argument that holds it (for its `file:line`).
        assert_eq!(argument_values(&args)[3], ("--backend", "http://x:8080", 4));
        // A bare word of a shell line is not an address; a URL in it is.
        assert!(hosts_in("", "exec app cart").is_empty());
        assert_eq!(hosts_in("", "exec app --to cart:80"), ["cart"]);
    }

    #[test]
    fn image_references_are_not_addresses() {
        assert!(hosts_in("SIDECAR_IMAGE", "busybox:1").is_empty());
        assert!(hosts_in("--init-image", "registry/redis:6").is_empty());
    }

    #[test]
    fn ids_are_valid_and_unique() {
        let mut ids = BTreeSet::new();
        assert_eq!(unique_id("Front End", "../db", &mut ids), "front-end-..-db");
        assert_eq!(
            unique_id("Front End", "../db", &mut ids),
            "front-end-..-db-2"
        );
        assert_eq!(unique_id("-x", "y", &mut ids), "i-x-y");
        assert_eq!(unique_id("é", "y", &mut ids), "i--y");
    }

    #[test]
    fn datastores_are_known_by_image_words() {
        let words: Vec<_> =
            image_words("registry.istio.io/release/examples-bookinfo-mongodb:1.20.3").collect();
        assert!(words.contains(&"mongodb"), "{words:?}");
        // `db` as a word of its own names the datastore the image runs; inside a word it
        // does not (`mongodb` is known by itself, `dbt` or `adbridge` are not datastores).
        assert!(image_words("weaveworksdemos/user-db:0.3.0").any(|w| DATASTORES.contains(&w)));
        assert!(!image_words("acme/adbridge:1").any(|w| DATASTORES.contains(&w)));
        assert!(!image_words("dbt-runner:1").any(|w| DATASTORES.contains(&w)));
    }
}
