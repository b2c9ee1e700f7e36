//! How the client commands (`lookup --server`, `list`, `watch`, `revisions`) reach the
//! lookup service: its address, TLS (the CA to trust, a client certificate
//! for mutual TLS) and the bearer token. One set of flags, flattened into
//! each command, and one place that builds the gRPC client from them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use copydesk_proto::v1::article_service_client::ArticleServiceClient;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Request, Status};

/// Articles carry whole page texts: allow far more than gRPC's 4 MiB default.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The lookup service and how to reach it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ServerArgs {
    /// The lookup service (`copydesk serve`), e.g. http://127.0.0.1:50051, or
    /// https://HOST:PORT when it serves TLS.
    #[arg(long, env = "COPYDESK_LOOKUP_SERVER")]
    pub(crate) server: Option<String>,
    /// PEM CA certificate(s) to trust for an https:// server: the CA that
    /// signed its certificate (no system roots are built in).
    #[arg(long, env = "COPYDESK_LOOKUP_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// PEM client certificate, for a server that asks for one (mutual TLS).
    #[arg(long, env = "COPYDESK_LOOKUP_CLIENT_CERT", requires = "client_key")]
    client_cert: Option<PathBuf>,
    /// PEM private key of --client-cert.
    #[arg(long, env = "COPYDESK_LOOKUP_CLIENT_KEY", requires = "client_cert")]
    client_key: Option<PathBuf>,
    /// The name the server's certificate is checked against, when it is not
    /// the host of --server (e.g. a certificate for `localhost` reached at 127.0.0.1).
    #[arg(long, env = "COPYDESK_LOOKUP_TLS_NAME")]
    tls_name: Option<String>,
    /// A file holding the bearer token to send (its first line that is
    /// neither blank nor a `#` comment): a file, so that the token shows
    /// neither in the process list nor in the shell's history.
    #[arg(long, env = "COPYDESK_LOOKUP_TOKEN_FILE")]
    token_file: Option<PathBuf>,
}

/// An ArticleService client that sends the bearer token, if any, on every call.
pub(crate) type Client = ArticleServiceClient<InterceptedService<Channel, Bearer>>;

/// Adds `authorization: Bearer TOKEN` to every call.
#[derive(Clone)]
pub(crate) struct Bearer(Option<MetadataValue<Ascii>>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            request.metadata_mut().insert("authorization", value.clone());
        }
        Ok(request)
    }
}

impl ServerArgs {
    /// The server's address, required by the commands that only ask it.
    pub(crate) fn required(&self) -> anyhow::Result<&str> {
        self.server.as_deref().context("--server (or COPYDESK_LOOKUP_SERVER) is required: the lookup service to ask")
    }

    /// Connects, with TLS when the URL is https:// or certificates are given;
    /// `timeout` bounds each unary call (streams are not bounded).
    pub(crate) async fn connect(&self, timeout: Option<Duration>) -> anyhow::Result<Client> {
        let server = self.required()?;
        let bearer = Bearer(self.token_file.as_deref().map(read_token).transpose()?);
        let mut endpoint = Endpoint::from_shared(server.to_string())
            .with_context(|| format!("{server:?} is not a URL (e.g. http://127.0.0.1:50051)"))?
            .connect_timeout(CONNECT_TIMEOUT);
        if let Some(timeout) = timeout {
            endpoint = endpoint.timeout(timeout);
        }
        if let Some(tls) = self.tls(server)? {
            endpoint = endpoint.tls_config(tls).context("TLS settings")?;
        }
        let channel = endpoint.connect().await.with_context(|| format!("cannot connect to {server}"))?;
        Ok(ArticleServiceClient::with_interceptor(channel, bearer).max_decoding_message_size(MAX_RESPONSE_BYTES))
    }

    fn tls(&self, server: &str) -> anyhow::Result<Option<ClientTlsConfig>> {
        let https = server.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"));
        if !https {
            if self.ca_cert.is_some() || self.client_cert.is_some() {
                bail!("--ca-cert and --client-cert need an https:// --server");
            }
            return Ok(None);
        }
        let Some(ca) = &self.ca_cert else {
            bail!("an https:// --server needs --ca-cert: the CA that signed the server's certificate");
        };
        let mut tls = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(read(ca)?));
        if let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) {
            tls = tls.identity(Identity::from_pem(read(cert)?, read(key)?));
        }
        if let Some(name) = &self.tls_name {
            tls = tls.domain_name(name.clone());
        }
        Ok(Some(tls))
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The token of a token file, as the `authorization` header's value.
fn read_token(path: &Path) -> anyhow::Result<MetadataValue<Ascii>> {
    let text = String::from_utf8(read(path)?).with_context(|| format!("{} is not UTF-8", path.display()))?;
    let token = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'));
    let token = token.with_context(|| format!("{} holds no token", path.display()))?;
    format!("Bearer {token}").parse().with_context(|| format!("the token in {} is not printable ASCII", path.display()))
}

/// Whether `status` is worth watching again for: the server is going away
/// or restarting, dropped a watcher that fell behind, or is at its limit.
pub(crate) fn is_transient(status: &Status) -> bool {
    matches!(status.code(), tonic::Code::Unavailable | tonic::Code::Aborted | tonic::Code::ResourceExhausted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_give_their_first_token() {
        let path = std::env::temp_dir().join(format!("copydesk-client-token-{}", std::process::id()));
        std::fs::write(&path, "# reader\n\n  s3cret \nother\n").unwrap();
        assert_eq!(read_token(&path).unwrap(), "Bearer s3cret");
        std::fs::write(&path, "# none\n").unwrap();
        assert!(read_token(&path).is_err());
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn tls_follows_the_scheme() {
        let args = |server: &str, ca: Option<&str>| ServerArgs {
            server: Some(server.into()),
            ca_cert: ca.map(PathBuf::from),
            client_cert: None,
            client_key: None,
            tls_name: None,
            token_file: None,
        };
        assert!(args("http://127.0.0.1:1", None).tls("http://127.0.0.1:1").unwrap().is_none());
        assert!(args("http://127.0.0.1:1", Some("ca.pem")).tls("http://127.0.0.1:1").is_err());
        assert!(args("https://h:1", None).tls("https://h:1").is_err());
    }
}
