//! Both clients honour `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY`, read through
//! `Config::from_lookup` as from the environment: every request goes through a `CONNECT`
//! tunnel of a local counting proxy, hosts in `NO_PROXY` go direct, and proxy credentials
//! reach the proxy but never an error, a `Debug` or a log line.

use std::sync::{Arc, Mutex};

use molam_blocking::params::CreatePaymentIntent;
use molam_blocking::resources::Currency;
use molam_core::config::Config;
use molam_e2e::proxy::CountingProxy;
use molam_e2e::{Harness, API_KEY};

const PASSWORD: &str = "pr0xy-s3cret-pw";

/// A configuration read from these variables as if they were the environment.
fn from_env(harness: &Harness, extra: &[(&str, String)]) -> Config {
    let mut vars = vec![
        ("MOLAM_API_KEY", API_KEY.to_owned()),
        ("MOLAM_API_BASE", harness.base_url().to_owned()),
        ("MOLAM_ALLOW_INSECURE_HTTP", "1".to_owned()),
        ("MOLAM_MAX_RETRIES", "0".to_owned()),
    ];
    vars.extend(extra.iter().cloned());
    Config::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    })
    .expect("the variables make a valid config")
}

fn params() -> CreatePaymentIntent {
    CreatePaymentIntent::new(2500, Currency::XOF)
}

#[test]
fn the_blocking_client_goes_through_http_proxy() {
    let harness = Harness::start();
    let proxy = CountingProxy::start();
    let config = from_env(&harness, &[("HTTP_PROXY", proxy.url())]);
    let client = molam_blocking::Client::new(config).expect("client");
    let created = client.payment_intents().create(&params()).expect("create");
    client
        .payment_intents()
        .retrieve(&created.id)
        .expect("retrieve");
    assert!(proxy.tunnels() >= 1, "the requests went through the proxy");
    assert_eq!(harness.created("payment_intent"), 1);
}

#[tokio::test]
async fn the_async_client_goes_through_lower_case_http_proxy() {
    let harness = Harness::start();
    let proxy = CountingProxy::start();
    let config = from_env(&harness, &[("http_proxy", proxy.url())]);
    let client = molam_tokio::Client::new(config).expect("client");
    let created = client
        .payment_intents()
        .create(&params())
        .await
        .expect("create");
    client
        .payment_intents()
        .retrieve(&created.id)
        .await
        .expect("retrieve");
    assert!(proxy.tunnels() >= 1, "the requests went through the proxy");
    assert_eq!(harness.created("payment_intent"), 1);
}

#[test]
fn both_clients_tunnel_https_through_https_proxy() {
    let harness = Harness::start_tls();
    let proxy = CountingProxy::start();
    let config = from_env(&harness, &[("HTTPS_PROXY", proxy.url())]);
    let pem = harness.certificate_pem().as_bytes().to_vec();
    let blocking = molam_blocking::Client::builder(config.clone())
        .add_root_certificate_pem(&pem)
        .build()
        .expect("blocking client");
    blocking
        .payment_intents()
        .create(&params())
        .expect("create over TLS in a tunnel");
    let after_blocking = proxy.tunnels();
    assert!(after_blocking >= 1);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let async_client = molam_tokio::Client::builder(config)
        .add_root_certificate_pem(&pem)
        .build()
        .expect("async client");
    runtime
        .block_on(async_client.payment_intents().create(&params()))
        .expect("create over TLS in a tunnel");
    assert!(proxy.tunnels() > after_blocking);
    assert_eq!(harness.created("payment_intent"), 2);
}

#[test]
fn hosts_in_no_proxy_go_direct() {
    let harness = Harness::start();
    let proxy = CountingProxy::start();
    let vars = [
        ("HTTP_PROXY", proxy.url()),
        ("NO_PROXY", "localhost,127.0.0.1".to_owned()),
    ];
    let blocking = molam_blocking::Client::new(from_env(&harness, &vars)).expect("client");
    blocking
        .payment_intents()
        .create(&params())
        .expect("create");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let async_client = molam_tokio::Client::new(from_env(&harness, &vars)).expect("client");
    runtime
        .block_on(async_client.payment_intents().create(&params()))
        .expect("create");
    assert_eq!(proxy.tunnels(), 0, "nothing went through the proxy");
    assert_eq!(harness.created("payment_intent"), 2);
}

#[test]
fn proxy_credentials_reach_the_proxy_and_nothing_else() {
    let harness = Harness::start();
    // base64("alice:pr0xy-s3cret-pw")
    let proxy = CountingProxy::start_with_credentials("YWxpY2U6cHIweHktczNjcmV0LXB3");
    let good = format!("http://alice:{PASSWORD}@{}", proxy.addr());
    let bad = format!("http://alice:{PASSWORD}-wrong@{}", proxy.addr());
    let lines = Arc::new(Mutex::new(Vec::new()));
    let subscriber = capture::Lines(lines.clone());
    tracing::subscriber::with_default(subscriber, || {
        let config = from_env(&harness, &[("HTTP_PROXY", good.clone())]);
        let client = molam_blocking::Client::new(config.clone()).expect("client");
        client
            .payment_intents()
            .create(&params())
            .expect("create through the proxy");
        assert!(!format!("{config:?}{client:?}").contains(PASSWORD));

        let config = from_env(&harness, &[("HTTP_PROXY", bad.clone())]);
        let client = molam_blocking::Client::new(config).expect("client");
        let error = client.payment_intents().create(&params()).unwrap_err();
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(PASSWORD), "{text}");
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let async_client =
        molam_tokio::Client::new(from_env(&harness, &[("HTTP_PROXY", bad)])).expect("client");
    let error = runtime
        .block_on(async_client.payment_intents().create(&params()))
        .unwrap_err();
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{async_client:?}"),
    ] {
        assert!(!text.contains(PASSWORD), "{text}");
    }
    assert!(proxy.tunnels() >= 1);
    assert!(
        proxy.refused() >= 2,
        "the wrong password was refused by both clients"
    );
    assert!(proxy
        .authorizations()
        .contains(&"Basic YWxpY2U6cHIweHktczNjcmV0LXB3".to_owned()));
    let logged = lines.lock().expect("not poisoned").join("\n");
    assert!(!logged.is_empty(), "the calls were traced");
    assert!(!logged.contains(PASSWORD), "{logged}");
}

/// Every span and event field the calls record, as text.
mod capture {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    pub struct Lines(pub Arc<Mutex<Vec<String>>>);

    static NEXT: AtomicU64 = AtomicU64::new(1);

    impl Visit for &Lines {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if let Ok(mut lines) = self.0.lock() {
                lines.push(format!("{}={value:?}", field.name()));
            }
        }
    }

    impl Subscriber for Lines {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            span.record(&mut &*self);
            Id::from_u64(NEXT.fetch_add(1, Ordering::Relaxed))
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            values.record(&mut &*self);
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            event.record(&mut &*self);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}
