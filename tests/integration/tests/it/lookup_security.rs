//! The lookup service's security over the real broker: TLS, client
//! certificates (mutual TLS), bearer tokens refused, accepted and rotated
//! without a restart while health stays open, and reflection turned off.
//! Certificates are generated here (rcgen): a CA, a server and a client.
//! The client commands (`copydesk list`, `copydesk lookup --server`) reach
//! the TLS and mutual TLS services with the shared client flags.

use std::path::{Path, PathBuf};
use std::time::Duration;

use copydesk_integration::{
    LookupApp, StorePath, client_command_at, create_topic, lookup_config, publish_article, shared_broker,
    spawn_lookup_with, test_article, unique, wait_until,
};
use copydesk_proto::v1::GetArticleRequest;
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Request};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const SERVING_WITHIN: Duration = Duration::from_secs(60);

/// A folder of the test's own, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        let path = std::env::temp_dir().join(unique("copydesk-security"));
        std::fs::create_dir_all(&path).expect("a temp folder");
        Folder(path)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A CA, a server certificate for `localhost` and a client certificate, as PEM.
struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "copydesk test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca_pem = ca.self_signed(&ca_key).expect("CA certificate").pem();
    let issuer = Issuer::new(ca, ca_key);
    let leaf = |names: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().expect("leaf key");
        let mut params = CertificateParams::new(names).expect("leaf params");
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &issuer).expect("leaf certificate");
        (cert.pem(), key.serialize_pem())
    };
    Pki {
        server: leaf(vec!["localhost".into()], ExtendedKeyUsagePurpose::ServerAuth),
        client: leaf(vec!["reader.example".into()], ExtendedKeyUsagePurpose::ClientAuth),
        ca: ca_pem,
    }
}

/// A TLS channel to `app` that trusts the test CA, with a client identity if given.
async fn tls_channel(app: &LookupApp, pki: &Pki, identity: Option<&(String, String)>) -> Result<Channel, String> {
    let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&pki.ca)).domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    let endpoint = Endpoint::from_shared(format!("https://127.0.0.1:{}", app.addr.port())).expect("endpoint");
    endpoint.tls_config(tls).map_err(|e| e.to_string())?.connect().await.map_err(|e| format!("{e:?}"))
}

/// Health and a Get over `channel`; the first error, if any. A refused
/// connection or token is an error, and so is a store not yet SERVING (an
/// error, not a panic: callers retry until it is).
async fn serves(channel: Channel) -> Result<(), tonic::Status> {
    let health = HealthClient::new(channel.clone()).check(HealthCheckRequest { service: String::new() }).await?;
    let status = health.into_inner().status();
    if status != ServingStatus::Serving {
        return Err(tonic::Status::unavailable(format!("health is {status:?}")));
    }
    ArticleServiceClient::new(channel).get_article(GetArticleRequest { id: "s1".into(), ..Default::default() }).await?;
    Ok(())
}

async fn topic_with_an_article(bootstrap: &str) -> String {
    let topic = unique("articles");
    create_topic(bootstrap, &topic, 1, &[("cleanup.policy", "compact")]).await;
    publish_article(bootstrap, &topic, &test_article("s1", "s.example")).await;
    topic
}

/// Waits until the served store has caught up, through `connect`.
async fn wait_ready(app: &LookupApp, pki: &Pki, identity: Option<&(String, String)>) -> bool {
    wait_until(SERVING_WITHIN, || async move {
        match tls_channel(app, pki, identity).await {
            Ok(channel) => serves(channel).await.is_ok(),
            Err(_) => false,
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_client_certificates() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = topic_with_an_article(&bootstrap).await;
    let pki = pki();
    let folder = Folder::new();
    let (cert, key) = (folder.write("server.pem", &pki.server.0), folder.write("server.key", &pki.server.1));
    let ca = folder.write("ca.pem", &pki.ca);

    // TLS alone: any client that trusts the CA is served; plain HTTP/2 is not.
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    (config.security.tls_cert, config.security.tls_key) = (Some(cert.clone()), Some(key.clone()));
    let tls = spawn_lookup_with(config).await;
    assert!(wait_ready(&tls, &pki, None).await, "never served over TLS");
    let plain = Endpoint::from_shared(format!("http://{}", tls.addr)).expect("endpoint").connect_lazy();
    assert!(serves(plain).await.is_err(), "plaintext must not be served when TLS is on");
    // The client command trusts the CA given, and checks the name it is told.
    let (server, ca_path) = (format!("https://127.0.0.1:{}", tls.addr.port()), ca.to_str().expect("UTF-8"));
    let listed = client_command_at("list", &server, &["--ca-cert", ca_path, "--tls-name", "localhost"]).await;
    assert!(listed.status.success(), "{listed:?}");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("\"id\":\"s1\""), "{listed:?}");
    let untrusted = client_command_at("list", &server, &["--tls-name", "localhost"]).await;
    assert!(!untrusted.status.success(), "listed without trusting the server's CA: {untrusted:?}");
    tls.stop().await.expect("clean stop");

    // Mutual TLS: a client without a certificate from the CA is turned away.
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    (config.security.tls_cert, config.security.tls_key) = (Some(cert), Some(key));
    config.security.tls_client_ca = Some(ca.clone());
    let mtls = spawn_lookup_with(config).await;
    assert!(wait_ready(&mtls, &pki, Some(&pki.client)).await, "never served to a client with a certificate");
    let server = format!("https://127.0.0.1:{}", mtls.addr.port());
    let (client_cert, client_key) =
        (folder.write("client.pem", &pki.client.0), folder.write("client.key", &pki.client.1));
    let tls_args = ["--id", "s1", "--ca-cert", ca_path, "--tls-name", "localhost"];
    let identity =
        ["--client-cert", client_cert.to_str().expect("UTF-8"), "--client-key", client_key.to_str().expect("UTF-8")];
    let found = client_command_at("lookup", &server, &[&tls_args[..], &identity[..]].concat()).await;
    assert!(found.status.success(), "{found:?}");
    assert!(String::from_utf8_lossy(&found.stdout).contains("\"s1\""), "{found:?}");
    let anonymous = client_command_at("lookup", &server, &tls_args).await;
    assert!(!anonymous.status.success(), "looked up without a client certificate: {anonymous:?}");
    let anonymous = match tls_channel(&mtls, &pki, None).await {
        Ok(channel) => serves(channel).await.is_err(),
        Err(_) => true,
    };
    assert!(anonymous, "a client without a certificate was served");
    // A self-signed client certificate, which the CA never signed, is refused too.
    let stranger_key = KeyPair::generate().expect("key");
    let stranger = CertificateParams::new(vec!["stranger.example".to_string()])
        .expect("params")
        .self_signed(&stranger_key)
        .expect("self-signed");
    let stranger = (stranger.pem(), stranger_key.serialize_pem());
    let refused = match tls_channel(&mtls, &pki, Some(&stranger)).await {
        Ok(channel) => serves(channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a self-signed client certificate was accepted");
    mtls.stop().await.expect("clean stop");
}

fn get_with(token: Option<&str>) -> Request<GetArticleRequest> {
    let mut request = Request::new(GetArticleRequest { id: "s1".into(), ..Default::default() });
    if let Some(token) = token {
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("ASCII"));
    }
    request
}

async fn code_with(client: &ArticleServiceClient<Channel>, token: Option<&str>) -> Code {
    match client.clone().get_article(get_with(token)).await {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_are_checked_and_rotate_without_a_restart() {
    let bootstrap = shared_broker().await.bootstrap();
    let topic = topic_with_an_article(&bootstrap).await;
    let folder = Folder::new();
    let tokens = folder.write("tokens", "# readers\nalpha\n");
    let store = StorePath::new();
    let mut config = lookup_config(&bootstrap, &topic, store.path());
    config.security.auth_tokens_file = Some(tokens.clone());
    config.security.auth_reload_secs = 1;
    config.security.reflection = false;
    let lookup = spawn_lookup_with(config).await;
    // Health needs no token: probes stay open.
    assert!(lookup.wait_serving(SERVING_WITHIN).await, "never SERVING");
    let client = lookup.client().await;
    assert_eq!(code_with(&client, None).await, Code::Unauthenticated);
    assert_eq!(code_with(&client, Some("wrong")).await, Code::Unauthenticated);
    assert_eq!(code_with(&client, Some("alpha")).await, Code::Ok);

    // Reflection is off.
    use tonic_reflection::pb::v1;
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(String::new())),
    };
    let mut reflection = v1::server_reflection_client::ServerReflectionClient::new(lookup.channel().await);
    let off = reflection.server_reflection_info(tokio_stream::iter([request])).await;
    assert_eq!(off.expect_err("no reflection").code(), Code::Unimplemented);

    // Rotation: the file is rewritten; the service follows it.
    rewrite(&tokens, "beta\n");
    let rotated = wait_until(Duration::from_secs(20), || {
        let client = client.clone();
        async move {
            code_with(&client, Some("beta")).await == Code::Ok
                && code_with(&client, Some("alpha")).await == Code::Unauthenticated
        }
    })
    .await;
    assert!(rotated, "the rotated tokens were never in force");
    // A botched rotation (no token left) keeps the tokens in use.
    rewrite(&tokens, "# emptied by mistake\n");
    assert_eq!(code_with(&client, Some("beta")).await, Code::Ok);
    assert_eq!(lookup.health("").await, ServingStatus::Serving);
    lookup.stop().await.expect("clean stop");
}

/// Replaces the file as an operator's tooling would: a new file renamed over it.
fn rewrite(path: &Path, text: &str) {
    let next = path.with_extension("next");
    std::fs::write(&next, text).expect("write");
    std::fs::rename(&next, path).expect("rename");
}
